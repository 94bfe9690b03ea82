//! Tests of the Rust extractor on small snippets.

use super::*;
use crate::facts::{ArgValue, Call, FunctionKind, Language, LoopKind};

fn facts_of(module: &str, text: &str) -> FileFacts {
    let src = SourceFile {
        path: "src/x.rs",
        text,
        language: Language::Rust,
        module,
    };
    extract(&src).unwrap()
}

fn facts(text: &str) -> FileFacts {
    facts_of("crate.api", text)
}

fn call<'a>(facts: &'a FileFacts, callee: &str) -> &'a Call {
    let all: Vec<&str> = facts.calls.iter().map(|c| c.callee.as_str()).collect();
    facts
        .calls
        .iter()
        .find(|c| c.callee == callee)
        .unwrap_or_else(|| panic!("no call {callee} in {all:?}"))
}

fn resolved<'a>(facts: &'a FileFacts, callee: &str) -> Option<&'a str> {
    call(facts, callee).resolved.as_deref()
}

fn function<'a>(facts: &'a FileFacts, qname: &str) -> &'a crate::facts::Function {
    let all: Vec<&str> = facts.functions.iter().map(|f| f.qname.as_str()).collect();
    facts
        .functions
        .iter()
        .find(|f| f.qname == qname)
        .unwrap_or_else(|| panic!("no function {qname} in {all:?}"))
}

#[test]
fn qualified_names_of_functions_methods_and_nested_items() {
    let f = facts(
        "fn free() { fn nested() {} nested(); }
         struct UserRepo;
         impl UserRepo { pub async fn find(&self) {} }
         trait Store { fn load(&self) { self.find(); } }
         mod inner { fn deep() {} }",
    );
    assert_eq!(function(&f, "crate.api.free").kind, FunctionKind::Function);
    assert_eq!(resolved(&f, "nested"), Some("crate.api.free.nested"));
    let find = function(&f, "crate.api.UserRepo.find");
    assert_eq!(
        (find.kind, find.is_async, find.class.as_deref()),
        (FunctionKind::Method, true, Some("UserRepo"))
    );
    assert_eq!(resolved(&f, "self.find"), Some("crate.api.Store.find"));
    function(&f, "crate.api.inner.deep");
    assert_eq!(function(&f, "crate.api.free.nested").parent, Some(0));
}

#[test]
fn use_trees_with_groups_renames_and_globs() {
    let f = facts(
        "use std::{fs, thread::sleep as nap, io::{self, Read}};
         use reqwest::blocking::*;
         async fn h() { fs::read(\"a\"); nap(d); io::stdin(); get(\"u\"); }",
    );
    assert_eq!(resolved(&f, "fs::read"), Some("std.fs.read"));
    assert_eq!(resolved(&f, "nap"), Some("std.thread.sleep"));
    assert_eq!(resolved(&f, "io::stdin"), Some("std.io.stdin"));
    assert_eq!(resolved(&f, "get"), Some("reqwest.blocking.get"));
    let imports: Vec<(&str, &str)> = f
        .imports
        .iter()
        .map(|i| (i.local.as_str(), i.target.as_str()))
        .collect();
    assert_eq!(
        imports,
        [
            ("fs", "std.fs"),
            ("nap", "std.thread.sleep"),
            ("io", "std.io"),
            ("Read", "std.io.Read"),
            ("*", "reqwest.blocking.*")
        ]
    );
}

#[test]
fn crate_self_and_super_paths_follow_the_module() {
    let f = facts_of(
        "crates/web#crate.routes.users",
        "use crate::db::q; use super::auth;
         fn a() { q(); auth::check(); super::super::top(); self::a(); crate::config::load(); }",
    );
    assert_eq!(resolved(&f, "q"), Some("crates/web#crate.db.q"));
    assert_eq!(
        resolved(&f, "auth::check"),
        Some("crates/web#crate.routes.auth.check")
    );
    assert_eq!(
        resolved(&f, "super::super::top"),
        Some("crates/web#crate.top")
    );
    assert_eq!(
        resolved(&f, "self::a"),
        Some("crates/web#crate.routes.users.a")
    );
    assert_eq!(
        resolved(&f, "crate::config::load"),
        Some("crates/web#crate.config.load")
    );
}

#[test]
fn self_and_self_type_resolve_to_the_impl() {
    let f = facts(
        "struct Svc { client: reqwest::blocking::Client }
         impl Svc { fn new() -> Self { Svc { client: todo!() } }
           async fn go(&self) { Self::new(); self.helper(); self.client.get(u).send(); }
           fn helper(&self) {} }",
    );
    assert_eq!(resolved(&f, "Self::new"), Some("crate.api.Svc.new"));
    assert_eq!(resolved(&f, "self.helper"), Some("crate.api.Svc.helper"));
    assert_eq!(
        resolved(&f, "self.client.get().send"),
        Some("reqwest.blocking.Client.get().send")
    );
}

#[test]
fn local_types_through_question_marks_unwrap_and_annotations() {
    let f = facts(
        "use std::fs::File; use std::process::Command;
         async fn h(conn: &mut rusqlite::Connection) -> Result<()> {
           let mut f = File::open(p)?;
           f.read_to_string(&mut s)?;
           File::open(p).unwrap().read_to_string(&mut s);
           let mut cmd = Command::new(\"ls\");
           cmd.arg(\"-l\");
           cmd.output()?;
           Command::new(\"git\").arg(\"x\").output().await;
           let c: std::net::TcpStream = connect();
           c.write_all(b);
           conn.execute(q, []);
           let f = Other::new();
           f.read(b);
           unknown.read(b);
         }",
    );
    let by_line = |callee: &str| -> Vec<Option<&str>> {
        f.calls
            .iter()
            .filter(|c| c.callee == callee)
            .map(|c| c.resolved.as_deref())
            .collect()
    };
    assert_eq!(
        resolved(&f, "f.read_to_string"),
        Some("std.fs.File.open().read_to_string")
    );
    assert_eq!(
        resolved(&f, "File::open().unwrap().read_to_string"),
        Some("std.fs.File.open().read_to_string")
    );
    assert_eq!(
        resolved(&f, "cmd.output"),
        Some("std.process.Command.new().output")
    );
    assert_eq!(
        resolved(&f, "Command::new().arg().output"),
        Some("std.process.Command.new().arg().output")
    );
    assert!(call(&f, "Command::new().arg().output").awaited);
    assert_eq!(
        resolved(&f, "c.write_all"),
        Some("std.net.TcpStream.write_all")
    );
    assert_eq!(
        resolved(&f, "conn.execute"),
        Some("rusqlite.Connection.execute")
    );
    assert_eq!(by_line("f.read"), [Some("Other.new().read")]);
    assert_eq!(resolved(&f, "unknown.read"), None);
}

#[test]
fn closures_and_async_blocks_know_where_they_are_passed() {
    let f = facts(
        "async fn h() {
           tokio::task::spawn_blocking(move || std::fs::read(p)).await;
           tokio::spawn(async move { work().await });
           let c = async || 1;
           let d = || async { 2 };
         }",
    );
    let spawn = f
        .calls
        .iter()
        .position(|c| c.callee == "tokio::task::spawn_blocking")
        .unwrap() as u32;
    let closure = function(&f, "crate.api.h.<closure>@2");
    assert_eq!(
        (closure.kind, closure.is_async, closure.passed_to),
        (FunctionKind::Closure, false, Some(spawn))
    );
    assert_eq!(call(&f, "std::fs::read").function, Some(1));
    let block = function(&f, "crate.api.h.<async>@3");
    assert_eq!(
        (block.kind, block.is_async),
        (FunctionKind::AsyncBlock, true)
    );
    assert!(block.passed_to.is_some());
    assert!(function(&f, "crate.api.h.<closure>@4").is_async);
    assert!(function(&f, "crate.api.h.<closure>@5").is_async);
    assert_eq!(
        call(&f, "tokio::task::spawn_blocking").args[0].value,
        ArgValue::Closure(1)
    );
}

#[test]
fn loops_and_iterator_callbacks() {
    let f = facts(
        "async fn h(ids: Vec<i32>) {
           for id in ids.iter() { load(id); }
           while let Some(x) = stream.next().await { save(x); }
           loop { tick(); }
           ids.iter().for_each(|id| { fetch(id); });
           let total = ids.into_iter().map(|id| price(id)).sum::<i32>();
           let maybe = opt.map(|x| lookup(x));
         }",
    );
    let kinds: Vec<LoopKind> = f.loops.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LoopKind::For,
            LoopKind::While,
            LoopKind::While,
            LoopKind::Callback,
            LoopKind::Callback
        ]
    );
    assert_eq!(f.loops[0].iterable.as_deref(), Some("ids.iter()"));
    assert_eq!(call(&f, "load").loops, [0]);
    assert_eq!(call(&f, "stream.next").loops, [1]);
    assert!(call(&f, "stream.next").awaited);
    assert_eq!(call(&f, "save").loops, [1]);
    assert_eq!(call(&f, "tick").loops, [2]);
    assert_eq!(call(&f, "fetch").loops, [3]);
    assert_eq!(
        f.loops[3].call,
        Some(
            f.calls
                .iter()
                .position(|c| c.callee == "ids.iter().for_each")
                .unwrap() as u32
        )
    );
    assert_eq!(call(&f, "price").loops, [4]);
    assert!(
        call(&f, "lookup").loops.is_empty(),
        "Option::map is no loop"
    );
}

#[test]
fn loops_do_not_leak_into_spawned_tasks() {
    let f = facts("async fn h() { for x in xs { tokio::spawn(async move { save(x).await; }); } }");
    assert_eq!(call(&f, "tokio::spawn").loops, [0]);
    assert!(call(&f, "save").loops.is_empty());
}

#[test]
fn request_handlers() {
    let f = facts(
        "use actix_web::{get, web};
         use axum::{routing::{get as axum_get, post}, Router};
         #[get(\"/\")] async fn index() {}
         async fn list() {} async fn create() {} async fn other() {}
         fn app() -> Router { Router::new().route(\"/\", axum_get(list).post(create)) }
         fn actix() { web::resource(\"/\").route(web::post().to(other)); }",
    );
    let handler = |q: &str| function(&f, q).handler.clone();
    assert_eq!(handler("crate.api.index").as_deref(), Some("actix"));
    assert_eq!(function(&f, "crate.api.index").decorators, ["get"]);
    assert_eq!(handler("crate.api.list").as_deref(), Some("axum"));
    assert_eq!(handler("crate.api.create").as_deref(), Some("axum"));
    assert_eq!(handler("crate.api.other").as_deref(), Some("actix"));
    assert_eq!(handler("crate.api.app"), None);
    let rocket = facts("#[macro_use] extern crate rocket; #[get(\"/\")] fn hello() {} #[tokio::main] async fn main() {}");
    assert_eq!(
        function(&rocket, "crate.api.hello").handler.as_deref(),
        Some("rocket")
    );
    assert_eq!(
        function(&rocket, "crate.api.main").decorators,
        ["tokio::main"]
    );
}

#[test]
fn macros_are_calls_and_their_arguments_are_walked() {
    let f = facts(
        "use sqlx::query_as;
         async fn h() {
           let v = vec![load(1), load(2)];
           println!(\"{}\", render(x));
           tracing::info!(target: \"x\", \"{}\", trace_me());
           let u = query_as!(User, \"select id from users where id = $1\", id).fetch_one(&pool).await;
           tokio::select! {
             biased;
             Some(m) = rx.recv() => handle(m),
             _ = tokio::time::sleep(d), if armed => { timeout(); }
             else => {}
           }
         }",
    );
    for name in [
        "load",
        "render",
        "trace_me",
        "rx.recv",
        "handle",
        "tokio::time::sleep",
        "timeout",
    ] {
        call(&f, name);
    }
    assert_eq!(resolved(&f, "query_as!"), Some("sqlx.query_as!"));
    assert_eq!(call(&f, "query_as!").name, "query_as!");
    assert_eq!(
        resolved(&f, "query_as!().fetch_one"),
        Some("sqlx.query_as!().fetch_one")
    );
    assert_eq!(f.sql.len(), 1);
    assert_eq!(f.sql[0].text, "select id from users where id = $1");
}

#[test]
fn sql_in_plain_and_raw_strings() {
    let f = facts(
        "fn q() { let a = \"SELECT * FROM orders WHERE id = $1\"; let b = r#\"
           UPDATE users SET name = $1\"#; let c = \"select a colour\";
           let d = format!(\"DELETE FROM {table} WHERE id = {}\", id); }",
    );
    let texts: Vec<&str> = f.sql.iter().map(|s| s.text.trim()).collect();
    assert_eq!(
        texts,
        [
            "SELECT * FROM orders WHERE id = $1",
            "UPDATE users SET name = $1",
            "DELETE FROM ? WHERE id = ?"
        ]
    );
    assert_eq!(f.sql[1].span.line, 1);
    assert_eq!(f.sql[0].function, Some(0));
}

#[test]
fn classes_with_derives_and_attributes() {
    let f = facts(
        "use diesel::prelude::*; use diesel::Queryable;
         #[derive(Queryable, Debug, Insertable)]
         #[diesel(table_name = crate::schema::users, check_for_backend(diesel::pg::Pg))]
         pub struct User { id: i32 }
         #[derive(DeriveEntityModel)] #[sea_orm(table_name = \"cake\")] enum Model {}",
    );
    assert_eq!(f.classes[0].qname, "crate.api.User");
    assert_eq!(
        f.classes[0].bases,
        ["diesel.Queryable", "Debug", "Insertable"]
    );
    assert_eq!(
        f.classes[0].decorators,
        ["diesel::table_name", "diesel::check_for_backend", "diesel"]
    );
    assert_eq!(f.classes[1].bases, ["DeriveEntityModel"]);
    assert_eq!(f.classes[1].decorators, ["sea_orm::table_name", "sea_orm"]);
}

#[test]
fn call_spans_start_at_the_chain_and_count_characters() {
    let text = "fn f() {\n    let s = \"é\"; Command::new(\"git\")\n        .output();\n}";
    let f = facts(text);
    let output = call(&f, "Command::new().output");
    assert_eq!(
        (output.span.line, output.span.column, output.span.end_line),
        (2, 18, 3)
    );
    let start = output.span.start as usize;
    assert!(text[start..].starts_with("Command::new"));
    assert!(text[..output.span.end as usize].ends_with(".output()"));
}

#[test]
fn syntax_errors_name_line_and_column() {
    let src = SourceFile {
        path: "src/x.rs",
        text: "fn ok() {}\nfn broken( {\n",
        language: Language::Rust,
        module: "crate",
    };
    let err = extract(&src).unwrap_err();
    assert!(
        err.starts_with("Rust syntax error at line 2, column"),
        "{err}"
    );
    assert!(parse(&src).is_err());
}

#[test]
fn deep_nesting_is_refused_without_crashing() {
    let deep = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let src = SourceFile {
        path: "src/x.rs",
        text: &deep,
        language: Language::Rust,
        module: "crate",
    };
    let err = extract(&src).unwrap_err();
    assert!(err.contains("nesting deeper than"), "{err}");
    assert!(parse(&src).is_err());
}

#[test]
fn nesting_at_the_limit_is_walked_safely_on_a_big_stack() {
    let depth = guard::MAX_BRACKETS - 4;
    let text = format!(
        "fn f() {{ {}g(a.b().c()){} }}\nfn g() {{ let x = a{}; }}",
        "{".repeat(depth),
        "}".repeat(depth),
        ".m()".repeat(2000)
    );
    let facts = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let src = SourceFile {
                path: "src/x.rs",
                text: &text,
                language: Language::Rust,
                module: "crate",
            };
            extract(&src).map(|f| f.calls.len())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(facts, Ok(2003));
}

#[test]
fn spans_are_forgotten_between_files() {
    for _ in 0..3 {
        let f = facts("fn a() { b(); }");
        assert_eq!(call(&f, "b").span.line, 1);
    }
}

#[test]
fn inline_modules_struct_literals_and_aliases() {
    let f = facts(
        "use std::sync::Arc;
         type Db = Arc<rusqlite::Connection>;
         struct Cache { hits: u64 }
         impl Cache { fn get(&self) {} }
         fn top() {}
         mod jobs {
             fn run(db: Db) { super::top(); self::step(); step(); db.execute(q, []); }
             fn step() {}
         }
         fn f() { let c = Cache { hits: 0 }; c.get(); }",
    );
    assert_eq!(resolved(&f, "super::top"), Some("crate.api.top"));
    assert_eq!(resolved(&f, "self::step"), Some("crate.api.jobs.step"));
    assert_eq!(resolved(&f, "step"), Some("crate.api.jobs.step"));
    // `Db` is not visible inside `mod jobs`: the type stays as written.
    assert_eq!(resolved(&f, "db.execute"), Some("Db.execute"));
    assert_eq!(resolved(&f, "c.get"), Some("crate.api.Cache.get"));
    let g = facts("type Db = Arc<rusqlite::Connection>; fn run(db: Db) { db.execute(q, []); }");
    assert_eq!(
        resolved(&g, "db.execute"),
        Some("rusqlite.Connection.execute")
    );
}

#[test]
fn shadowing_and_block_scopes() {
    let f = facts(
        "use std::fs;
         async fn h() {
           { let fs = Store::new(); fs.read(p); }
           fs::read(p);
           let cmd = std::process::Command::new(\"ls\");
           let cmd = other();
           cmd.output();
         }",
    );
    assert_eq!(resolved(&f, "fs.read"), Some("Store.new().read"));
    assert_eq!(resolved(&f, "fs::read"), Some("std.fs.read"));
    assert_eq!(resolved(&f, "cmd.output"), Some("other().output"));
}

#[test]
fn imports_and_calls_inside_function_bodies() {
    let f = facts("fn h() { use std::thread::sleep; sleep(d); } fn g() { sleep(d); }");
    let sleeps: Vec<Option<&str>> = f
        .calls
        .iter()
        .filter(|c| c.callee == "sleep")
        .map(|c| c.resolved.as_deref())
        .collect();
    assert_eq!(sleeps, [Some("std.thread.sleep"), Some("sleep")]);
    assert_eq!(f.imports[0].target, "std.thread.sleep");
}

#[test]
fn nested_closures_keep_their_parents_and_loops() {
    let f = facts(
        "async fn h(ids: Vec<u32>) {
           let rows = futures::stream::iter(ids)
             .then(|id| async move { load(id).await })
             .collect::<Vec<_>>().await;
         }",
    );
    let then = f
        .loops
        .iter()
        .find(|l| l.kind == LoopKind::Callback)
        .unwrap();
    assert_eq!(then.iterable.as_deref(), Some("futures::stream::iter()"));
    let load = call(&f, "load");
    assert_eq!(load.loops.len(), 1, "the async block is the loop body");
    let block = &f.functions[load.function.unwrap() as usize];
    assert_eq!(block.kind, FunctionKind::AsyncBlock);
    assert_eq!(
        f.functions[block.parent.unwrap() as usize].kind,
        FunctionKind::Closure
    );
}

mod assigns;
