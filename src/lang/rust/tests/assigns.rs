//! Assignments, loop bindings and argument values.

use super::*;
use crate::facts::{Assign, AssignOp, AssignScope};

fn assign<'a>(facts: &'a FileFacts, target: &str) -> &'a Assign {
    let all: Vec<&str> = facts.assigns.iter().map(|a| a.target.as_str()).collect();
    facts
        .assigns
        .iter()
        .find(|a| a.target == target)
        .unwrap_or_else(|| panic!("no assignment to {target} in {all:?}"))
}

fn call_id(facts: &FileFacts, callee: &str) -> u32 {
    let all: Vec<&str> = facts.calls.iter().map(|c| c.callee.as_str()).collect();
    facts
        .calls
        .iter()
        .position(|c| c.callee == callee)
        .unwrap_or_else(|| panic!("no call {callee} in {all:?}")) as u32
}

const CACHE: &str = "
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::cell::RefCell;

/// Users by id.
static CACHE: LazyLock<Mutex<HashMap<String, User>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
pub const LIMIT: usize = 100;
static NAMES: [&str; 2] = [\"a\", \"b\"];

thread_local! {
    static SEEN: RefCell<HashMap<u64, String>> = RefCell::new(HashMap::new());
    pub static COUNT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static DEPTH: Cell<u8> = { Cell::new(0) };
}

lazy_static! {
    static ref POOL: Mutex<HashMap<String, Conn>> = Mutex::new(HashMap::new());
}
";

#[test]
fn statics_consts_and_declaring_macros_are_module_assignments() {
    let f = facts(CACHE);
    type Row<'a> = (
        &'a str,
        Option<&'a str>,
        AssignScope,
        Option<&'a str>,
        Vec<&'a str>,
    );
    let rows: Vec<Row> = f
        .assigns
        .iter()
        .map(|a| {
            (
                a.target.as_str(),
                a.resolved.as_deref(),
                a.scope,
                a.annotation.as_deref(),
                a.decorators.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    use AssignScope::Module;
    assert_eq!(
        rows,
        [
            (
                "CACHE",
                Some("crate.api.CACHE"),
                Module,
                Some("LazyLock<Mutex<HashMap<String,User>>>"),
                vec![]
            ),
            (
                "LIMIT",
                Some("crate.api.LIMIT"),
                Module,
                Some("usize"),
                vec![]
            ),
            (
                "NAMES",
                Some("crate.api.NAMES"),
                Module,
                Some("[&str;2]"),
                vec![]
            ),
            (
                "SEEN",
                Some("crate.api.SEEN"),
                Module,
                Some("RefCell<HashMap<u64,String>>"),
                vec!["thread_local"]
            ),
            (
                "COUNT",
                Some("crate.api.COUNT"),
                Module,
                Some("std::cell::Cell<u32>"),
                vec!["thread_local"]
            ),
            (
                "DEPTH",
                Some("crate.api.DEPTH"),
                Module,
                Some("Cell<u8>"),
                vec!["thread_local"]
            ),
            (
                "POOL",
                Some("crate.api.POOL"),
                Module,
                Some("Mutex<HashMap<String,Conn>>"),
                vec!["lazy_static"]
            ),
        ]
    );
    assert!(f
        .assigns
        .iter()
        .all(|a| a.op == AssignOp::Bind && a.function.is_none() && a.class.is_none()));
    let cache = assign(&f, "CACHE");
    assert_eq!((cache.span.line, cache.span.end_line), (7, 8));
    let new = call_id(&f, "LazyLock::new");
    assert_eq!(cache.value, Some(ArgValue::Call(new)));
    let outer = &f.calls[new as usize];
    assert_eq!(outer.function, None);
    assert_eq!(outer.resolved.as_deref(), Some("std.sync.LazyLock.new"));
    let ArgValue::Closure(init) = outer.args[0].value else {
        panic!("{:?}", outer.args);
    };
    let mutex = call(&f, "Mutex::new");
    assert_eq!(mutex.function, Some(init));
    assert_eq!(
        mutex.args[0].value,
        ArgValue::Call(call_id(&f, "HashMap::new"))
    );
    assert_eq!(
        assign(&f, "LIMIT").value,
        Some(ArgValue::Number("100".into()))
    );
    assert_eq!(
        assign(&f, "NAMES").value,
        Some(ArgValue::List(vec![
            ArgValue::Str("a".into()),
            ArgValue::Str("b".into())
        ]))
    );
    let seen = f
        .calls
        .iter()
        .position(|c| c.callee == "RefCell::new")
        .expect("RefCell::new") as u32;
    assert_eq!(assign(&f, "SEEN").value, Some(ArgValue::Call(seen)));
    assert_eq!(f.calls[seen as usize].function, None);
    call(&f, "thread_local!");
    let depth = call_id(&f, "Cell::new");
    assert_eq!(assign(&f, "DEPTH").value, Some(ArgValue::Call(depth)));
    assert!(matches!(
        assign(&f, "COUNT").value,
        Some(ArgValue::Call(id)) if f.calls[id as usize].callee == "std::cell::Cell::new"
    ));
    call(&f, "lazy_static!");
    let pool = assign(&f, "POOL");
    assert!(
        matches!(pool.value, Some(ArgValue::Call(id)) if f.calls[id as usize].callee == "Mutex::new")
    );
}

#[test]
fn statics_in_functions_and_thread_local_statements() {
    let f = facts(
        "fn handler() {
             static HITS: AtomicU64 = AtomicU64::new(0);
             thread_local!(static BUF: RefCell<Vec<u8>> = RefCell::new(Vec::new()));
         }",
    );
    let hits = assign(&f, "HITS");
    assert_eq!(hits.scope, AssignScope::Module);
    assert_eq!(hits.resolved.as_deref(), Some("crate.api.handler.HITS"));
    assert_eq!(hits.function, Some(0));
    assert_eq!(assign(&f, "BUF").decorators, ["thread_local"]);
}

#[test]
fn struct_fields_are_class_assignments() {
    let f = facts(
        "#[derive(Clone)]
         pub struct AppState {
             /// The users.
             pub users: Arc<RwLock<HashMap<Uuid, User>>>,
             #[serde(skip)]
             db: PgPool,
         }
         struct Wrapper(Arc<Mutex<Vec<Job>>>);",
    );
    type Row<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        &'a [String],
    );
    let rows: Vec<Row> = f
        .assigns
        .iter()
        .map(|a| {
            (
                a.target.as_str(),
                a.resolved.as_deref(),
                a.class.as_deref(),
                a.annotation.as_deref(),
                a.decorators.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "users",
                Some("crate.api.AppState.users"),
                Some("AppState"),
                Some("Arc<RwLock<HashMap<Uuid,User>>>"),
                &[][..]
            ),
            (
                "db",
                Some("crate.api.AppState.db"),
                Some("AppState"),
                Some("PgPool"),
                &["serde".to_string()][..]
            ),
            (
                "0",
                Some("crate.api.Wrapper.0"),
                Some("Wrapper"),
                Some("Arc<Mutex<Vec<Job>>>"),
                &[][..]
            ),
        ]
    );
    assert!(f
        .assigns
        .iter()
        .all(|a| a.scope == AssignScope::Class && a.value.is_none()));
    assert_eq!(assign(&f, "users").span.line, 4);
    assert_eq!(assign(&f, "db").span.line, 6);
}

#[test]
fn let_bindings_are_locals_one_per_name() {
    let f = facts(
        "impl Repo {
             async fn load(&self, ids: &[u32]) {
                 let rows: Vec<Row> = self.db.fetch_all(q).await?;
                 let (a, b) = split(&rows);
                 let mut names = vec![\"x\".to_string(), format!(\"{}\", a)];
                 let Some(first) = rows.first() else { return; };
                 let pair = (1, \"two\");
             }
         }",
    );
    let rows: Vec<(&str, Option<&str>, bool)> = f
        .assigns
        .iter()
        .map(|a| {
            (
                a.target.as_str(),
                a.annotation.as_deref(),
                a.value.is_some(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("rows", Some("Vec<Row>"), true),
            ("a", None, false),
            ("b", None, false),
            ("names", None, true),
            ("first", None, false),
            ("pair", None, true),
        ]
    );
    let load = Some(0);
    assert!(f.assigns.iter().all(|a| a.scope == AssignScope::Local
        && a.function == load
        && a.class.as_deref() == Some("Repo")));
    assert_eq!(
        assign(&f, "rows").value,
        Some(ArgValue::Call(call_id(&f, "self.db.fetch_all")))
    );
    let to_string = call_id(&f, "\"x\".to_string");
    let format = call_id(&f, "format!");
    assert_eq!(
        assign(&f, "names").value,
        Some(ArgValue::List(vec![
            ArgValue::Call(to_string),
            ArgValue::Call(format)
        ]))
    );
    assert_eq!(
        call(&f, "vec!").args.len(),
        2,
        "vec! keeps its elements as arguments"
    );
    assert_eq!(
        assign(&f, "pair").value,
        Some(ArgValue::List(vec![
            ArgValue::Number("1".into()),
            ArgValue::Str("two".into())
        ]))
    );
    // The local's type still comes from its value.
    assert_eq!(
        resolved(&f, "rows.first"),
        Some("Vec.first"),
        "annotated type wins"
    );
}

#[test]
fn loops_bind_patterns_and_closure_parameters() {
    let f = facts(
        "fn f(map: HashMap<String, u32>, items: Vec<Item>) {
             for (k, v) in &map { use_it(k, v); }
             for item in items.iter() { item.save(); }
             'outer: for Point { x, y: ref mut b } in points() {}
             items.iter().map(|o| o.id).for_each(|id| drop(id));
             map.iter().for_each(|(k, v)| {});
             items.iter().fold(0, |sum, o: &Item| sum + o.n);
             while go() {}
         }",
    );
    let bindings: Vec<Vec<&str>> = f
        .loops
        .iter()
        .map(|l| l.bindings.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        bindings,
        [
            vec!["k", "v"],
            vec!["item"],
            vec!["x", "b"],
            vec!["o"],
            vec!["id"],
            vec!["k", "v"],
            vec!["o", "sum"],
            vec![],
        ]
    );
}

#[test]
fn call_arguments_are_calls_lists_and_capped() {
    let f = facts(
        "fn f() {
             db.execute(&[a, b], vec![Uuid::new_v4(), id], build()?);
             let deep = [[[[[[[1]]]]]]];
         }",
    );
    let args: Vec<&ArgValue> = call(&f, "db.execute")
        .args
        .iter()
        .map(|a| &a.value)
        .collect();
    let uuid = call_id(&f, "Uuid::new_v4");
    assert_eq!(
        args,
        [
            &ArgValue::List(vec![ArgValue::Path("a".into()), ArgValue::Path("b".into())]),
            &ArgValue::List(vec![ArgValue::Call(uuid), ArgValue::Path("id".into())]),
            &ArgValue::Call(call_id(&f, "build")),
        ]
    );
    let mut value = assign(&f, "deep").value.clone().expect("value");
    let mut depth = 0;
    while let ArgValue::List(mut items) = value {
        depth += 1;
        value = items.pop().expect("item");
    }
    assert_eq!(depth, crate::facts::MAX_VALUE_DEPTH);
    assert_eq!(value, ArgValue::Other("[1]".into()));
}
