//! Tests of the facts rules read about data: assignments, loop bindings,
//! attribute chains on loop bindings, decorator calls and literal values.

use crate::facts::{Access, ArgValue, Assign, AssignOp, AssignScope, FileFacts, Language};
use crate::lang::SourceFile;

fn extract(text: &str) -> FileFacts {
    let src = SourceFile {
        path: "shop/models.py",
        text,
        language: Language::Python,
        module: "shop.models",
    };
    super::extract(&src).expect("extracts")
}

fn assign<'a>(facts: &'a FileFacts, target: &str) -> &'a Assign {
    facts
        .assigns
        .iter()
        .find(|a| a.target == target)
        .unwrap_or_else(|| panic!("no assign to {target}: {:#?}", facts.assigns))
}

fn call_id(facts: &FileFacts, callee: &str) -> u32 {
    let index = facts.calls.iter().position(|c| c.callee == callee);
    index.unwrap_or_else(|| panic!("no call {callee}")) as u32
}

fn paths(accesses: &[Access]) -> Vec<&str> {
    accesses.iter().map(|a| a.path.as_str()).collect()
}

fn strs(items: &[&str]) -> ArgValue {
    ArgValue::List(items.iter().map(|s| ArgValue::Str(s.to_string())).collect())
}

#[test]
fn django_model_fields_and_meta() {
    let facts = extract(
        "from django.db import models\n\
         class Order(models.Model):\n\
         \x20   customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n\
         \x20   class Meta:\n\
         \x20       indexes = [models.Index(fields=[\"customer\", \"-created_at\"])]\n\
         \x20       unique_together = [(\"a\", \"b\")]\n",
    );
    let customer = assign(&facts, "customer");
    assert_eq!(customer.scope, AssignScope::Class);
    assert_eq!(customer.op, AssignOp::Bind);
    assert_eq!(customer.class.as_deref(), Some("Order"));
    assert_eq!(
        customer.resolved.as_deref(),
        Some("shop.models.Order.customer")
    );
    let fk = call_id(&facts, "models.ForeignKey");
    assert_eq!(customer.value, Some(ArgValue::Call(fk)));
    let args = &facts.calls[fk as usize].args;
    assert_eq!(args[0].value, ArgValue::Path("Customer".into()));
    assert_eq!(
        args[1].value,
        ArgValue::Path("django.db.models.CASCADE".into())
    );
    let index = call_id(&facts, "models.Index");
    let indexes = assign(&facts, "indexes");
    assert_eq!(indexes.class.as_deref(), Some("Meta"));
    assert_eq!(
        indexes.resolved.as_deref(),
        Some("shop.models.Order.Meta.indexes")
    );
    assert_eq!(
        indexes.value,
        Some(ArgValue::List(vec![ArgValue::Call(index)]))
    );
    let fields = &facts.calls[index as usize].args[0];
    assert_eq!(fields.keyword.as_deref(), Some("fields"));
    assert_eq!(fields.value, strs(&["customer", "-created_at"]));
    assert_eq!(
        assign(&facts, "unique_together").value,
        Some(ArgValue::List(vec![strs(&["a", "b"])]))
    );
}

#[test]
fn sqlalchemy_mapped_columns() {
    let facts = extract(
        "from sqlalchemy import Index, String\n\
         from sqlalchemy.orm import Mapped, mapped_column\n\
         class User(Base):\n\
         \x20   __table_args__ = (Index(\"ix\", \"a\", \"b\"),)\n\
         \x20   email: Mapped[str] = mapped_column(String, index=True)\n\
         \x20   name: Mapped[ Optional[str] ]\n",
    );
    let table_args = assign(&facts, "__table_args__");
    let index = call_id(&facts, "Index");
    assert_eq!(
        table_args.value,
        Some(ArgValue::List(vec![ArgValue::Call(index)]))
    );
    assert_eq!(
        facts.calls[index as usize].resolved.as_deref(),
        Some("sqlalchemy.Index")
    );
    let email = assign(&facts, "email");
    assert_eq!(email.annotation.as_deref(), Some("Mapped[str]"));
    let column = call_id(&facts, "mapped_column");
    assert_eq!(email.value, Some(ArgValue::Call(column)));
    let args = &facts.calls[column as usize].args;
    assert_eq!(args[0].value, ArgValue::Path("sqlalchemy.String".into()));
    assert_eq!(args[1].value, ArgValue::Bool(true));
    let name = assign(&facts, "name");
    assert_eq!(name.annotation.as_deref(), Some("Mapped[Optional[str]]"));
    assert_eq!(name.value, None);
    assert_eq!(name.op, AssignOp::Bind);
    assert_eq!(name.scope, AssignScope::Class);
}

#[test]
fn module_caches_and_globals() {
    let facts = extract(
        "_CACHE = {}\n_settings = None\n\
         def get(k):\n\
         \x20   if k not in _CACHE:\n\
         \x20       _CACHE[k] = load(k)\n\
         \x20   return _CACHE[k]\n\
         def settings():\n\
         \x20   global _settings\n\
         \x20   _settings = Settings()\n\
         \x20   return _settings\n\
         def local(d, k):\n\
         \x20   _settings = 1\n\
         \x20   d[k] = 2\n",
    );
    let module: Vec<&Assign> = facts
        .assigns
        .iter()
        .filter(|a| a.scope == AssignScope::Module && a.function.is_none())
        .collect();
    assert_eq!(module.len(), 2);
    assert_eq!(module[0].target, "_CACHE");
    assert_eq!(module[0].resolved.as_deref(), Some("shop.models._CACHE"));
    assert_eq!(module[0].value, Some(ArgValue::Map(Vec::new())));
    assert_eq!(module[1].value, Some(ArgValue::Null));
    let store = &facts.assigns[2];
    assert_eq!(store.target, "_CACHE");
    assert_eq!(store.op, AssignOp::Subscript);
    assert_eq!(store.key.as_deref(), Some("k"));
    assert_eq!(store.scope, AssignScope::Module);
    assert_eq!(store.function, Some(0));
    assert_eq!(store.resolved.as_deref(), Some("shop.models._CACHE"));
    assert_eq!(store.value, Some(ArgValue::Call(call_id(&facts, "load"))));
    let global = &facts.assigns[3];
    assert_eq!(global.target, "_settings");
    assert_eq!(global.function, Some(1));
    assert_eq!(global.resolved.as_deref(), Some("shop.models._settings"));
    assert_eq!(
        global.scope,
        AssignScope::Module,
        "a global lives at module level"
    );
    assert_eq!(
        global.value,
        Some(ArgValue::Call(call_id(&facts, "Settings")))
    );
    // Without `global`, a function's names are its own.
    let locals: Vec<(&str, Option<&str>)> = facts.assigns[4..]
        .iter()
        .map(|a| (a.target.as_str(), a.resolved.as_deref()))
        .collect();
    assert_eq!(locals, vec![("_settings", None), ("d", None)]);
    assert_eq!(facts.assigns[5].op, AssignOp::Subscript);
}

#[test]
fn keyed_deletes_are_evictions() {
    let facts = extract(
        "_CACHE = {}\n\
         def forget(k):\n\
         \x20   del _CACHE[k], other\n\
         \x20   del plain\n",
    );
    let evictions: Vec<(&str, Option<&str>, Option<&str>)> = facts
        .assigns
        .iter()
        .filter(|a| a.op == AssignOp::Evict)
        .map(|a| (a.target.as_str(), a.key.as_deref(), a.resolved.as_deref()))
        .collect();
    assert_eq!(
        evictions,
        vec![("_CACHE", Some("k"), Some("shop.models._CACHE"))],
        "only a subscript is a keyed removal"
    );
}

#[test]
fn instance_and_class_attributes_resolve_to_the_class() {
    let facts = extract(
        "class Svc:\n\
         \x20   registry = {}\n\
         \x20   def __init__(self):\n\
         \x20       self._cache = {}\n\
         \x20       self.count += 1\n\
         \x20       other.x = 1\n\
         \x20   def put(self, k, v):\n\
         \x20       self._cache[k] = v\n\
         \x20   @classmethod\n\
         \x20   def make(cls):\n\
         \x20       cls.registry[\"a\"] = cls()\n",
    );
    let targets: Vec<(&str, Option<&str>, AssignOp)> = facts
        .assigns
        .iter()
        .map(|a| (a.target.as_str(), a.resolved.as_deref(), a.op))
        .collect();
    assert_eq!(
        targets,
        vec![
            ("registry", Some("shop.models.Svc.registry"), AssignOp::Bind),
            (
                "self._cache",
                Some("shop.models.Svc._cache"),
                AssignOp::Bind
            ),
            (
                "self.count",
                Some("shop.models.Svc.count"),
                AssignOp::Augmented
            ),
            (
                "self._cache",
                Some("shop.models.Svc._cache"),
                AssignOp::Subscript
            ),
            (
                "cls.registry",
                Some("shop.models.Svc.registry"),
                AssignOp::Subscript
            ),
        ]
    );
    assert!(facts.assigns[1..]
        .iter()
        .all(|a| a.scope == AssignScope::Local && a.class.as_deref() == Some("Svc")));
    assert_eq!(facts.assigns[4].key.as_deref(), Some("\"a\""));
}

#[test]
fn unpacking_augmented_and_walrus() {
    let facts = extract(
        "A, (B, *C) = f()\n\
         TOTAL: int = 0\n\
         TOTAL += 1\n\
         def g(items):\n\
         \x20   x = y = h()\n\
         \x20   if (n := len(items)) > 2:\n\
         \x20       pass\n",
    );
    let module: Vec<(&str, Option<&str>)> = facts.assigns[..3]
        .iter()
        .map(|a| (a.target.as_str(), a.resolved.as_deref()))
        .collect();
    assert_eq!(
        module,
        vec![
            ("A", Some("shop.models.A")),
            ("B", Some("shop.models.B")),
            ("C", Some("shop.models.C")),
        ]
    );
    assert!(facts.assigns[..3].iter().all(|a| a.value.is_none()));
    let total = &facts.assigns[3];
    assert_eq!(total.annotation.as_deref(), Some("int"));
    assert_eq!(total.value, Some(ArgValue::Number("0".into())));
    assert_eq!(facts.assigns[4].op, AssignOp::Augmented);
    assert_eq!(facts.assigns[4].scope, AssignScope::Module);
    let h = ArgValue::Call(call_id(&facts, "h"));
    assert_eq!(assign(&facts, "x").value.as_ref(), Some(&h));
    assert_eq!(assign(&facts, "y").value.as_ref(), Some(&h));
    let n = assign(&facts, "n");
    assert_eq!(n.scope, AssignScope::Local);
    assert_eq!(n.value, Some(ArgValue::Call(call_id(&facts, "len"))));
}

#[test]
fn loops_bind_their_targets() {
    let facts = extract(
        "def f(d, rows):\n\
         \x20   for k, (v, *rest) in d.items():\n\
         \x20       pass\n\
         \x20   [a + b for a, b in rows if a for c in b]\n\
         \x20   while rows:\n\
         \x20       rows.pop()\n",
    );
    let bindings: Vec<&[String]> = facts.loops.iter().map(|l| &l.bindings[..]).collect();
    assert_eq!(bindings[0], ["k", "v", "rest"]);
    assert_eq!(bindings[1], ["a", "b", "c"]);
    assert!(bindings[2].is_empty());
}

#[test]
fn chains_on_loop_bindings_are_accesses() {
    let facts = extract(
        "async def view(posts, orders):\n\
         \x20   names = [o.customer.name for o in orders]\n\
         \x20   for p in posts:\n\
         \x20       p.comments.all()\n\
         \x20       p.save()\n\
         \x20       p.title = p.author.name\n\
         \x20       p.author.bio = 1\n\
         \x20       await p.author\n\
         \x20       print(p.tags.count(), p.c[0].d, p.e.f().g, other.x)\n\
         \x20       for c in p.comments.filter(x=1):\n\
         \x20           c.user.name\n\
         \x20   p.after.loop\n",
    );
    assert_eq!(
        paths(&facts.accesses),
        vec![
            "o.customer.name",
            "p.comments",
            "p.author.name",
            "p.author",
            "p.author",
            "p.tags",
            "p.c",
            "p.e",
            "p.comments",
            "c.user.name",
        ]
    );
    let awaited: Vec<bool> = facts.accesses.iter().map(|a| a.awaited).collect();
    assert_eq!(awaited.iter().filter(|a| **a).count(), 1);
    assert!(awaited[4]);
    assert_eq!(facts.accesses[0].loops, vec![0]);
    assert_eq!(facts.accesses[1].loops, vec![1]);
    assert_eq!(facts.accesses[9].loops, vec![1, 2]);
    assert_eq!(facts.accesses[1].span.line, 4);
    assert!(facts.accesses.iter().all(|a| a.function == Some(0)));
}

#[test]
fn closures_in_loops_are_not_the_loop() {
    let facts = extract(
        "def f(posts):\n\
         \x20   for p in posts:\n\
         \x20       g(lambda: p.author.name)\n\
         \x20       x = (p.a.b)\n\
         \x20       return p.c.d\n",
    );
    assert_eq!(paths(&facts.accesses), vec!["p.a.b", "p.c.d"]);
}

#[test]
fn decorators_written_as_calls_are_calls() {
    let facts = extract(
        "import functools\n\
         @functools.lru_cache(maxsize=None)\n\
         def cached(x):\n\
         \x20   pass\n\
         def outer():\n\
         \x20   @app.get(\"/x\", tags=[\"a\"])\n\
         \x20   @staticmethod\n\
         \x20   @auth(level(2))\n\
         \x20   async def handler():\n\
         \x20       pass\n\
         @dataclass(frozen=True)\n\
         class Point:\n\
         \x20   x: int\n",
    );
    let lru = call_id(&facts, "functools.lru_cache");
    assert_eq!(facts.functions[0].decorator_calls, vec![lru]);
    assert_eq!(facts.calls[lru as usize].function, None);
    assert_eq!(facts.calls[lru as usize].args[0].value, ArgValue::Null);
    let handler = &facts.functions[2];
    let get = call_id(&facts, "app.get");
    let auth = call_id(&facts, "auth");
    assert_eq!(handler.decorator_calls, vec![get, auth]);
    assert_eq!(facts.calls[get as usize].function, Some(1));
    assert_eq!(facts.calls[get as usize].args[1].value, strs(&["a"]));
    assert_eq!(
        facts.calls[auth as usize].args[0].value,
        ArgValue::Call(call_id(&facts, "level"))
    );
    let dataclass = call_id(&facts, "dataclass");
    assert_eq!(facts.classes[0].decorator_calls, vec![dataclass]);
    assert!(facts.functions[1].decorator_calls.is_empty());
}

#[test]
fn literal_values_nest_up_to_the_cap() {
    let facts = extract(
        "CONFIG = {\"a\": [1, 2.5], 'b': {\"c\": None}, KEY: {1, 2}, **extra, 3: f(), \"d\": lambda: 0}\n\
         DEEP = [[[[[[[[1]]]]]]]]\n",
    );
    let config = assign(&facts, "CONFIG").value.as_ref().expect("value");
    let ArgValue::Map(pairs) = config else {
        panic!("{config:?}");
    };
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, vec!["a", "b", "KEY", "3", "d"]);
    assert_eq!(
        pairs[0].1,
        ArgValue::List(vec![
            ArgValue::Number("1".into()),
            ArgValue::Number("2.5".into())
        ])
    );
    assert_eq!(
        pairs[1].1,
        ArgValue::Map(vec![("c".into(), ArgValue::Null)])
    );
    assert_eq!(pairs[3].1, ArgValue::Call(call_id(&facts, "f")));
    assert_eq!(pairs[4].1, ArgValue::Closure(0));
    let mut deep = assign(&facts, "DEEP").value.as_ref().expect("value");
    let mut depth = 0;
    while let ArgValue::List(items) = deep {
        depth += 1;
        deep = &items[0];
    }
    assert_eq!(depth, crate::facts::MAX_VALUE_DEPTH);
    assert_eq!(deep, &ArgValue::Other("[[1]]".into()));
}

#[test]
fn deep_literals_do_not_overflow() {
    let cases = [
        ("[", "]", 100_000),
        ("{1: ", "}", 100_000),
        ("(", ")", 100_000),
        ("f(", ")", 10_000),
    ];
    for (open, close, depth) in cases {
        let text = format!(
            "def g(rows):\n    for r in rows:\n        X[r.a] = {}r.b.c{}\n",
            open.repeat(depth),
            close.repeat(depth)
        );
        let facts = extract(&text);
        assert_eq!(facts.assigns.len(), 1);
        assert_eq!(paths(&facts.accesses), vec!["r.a", "r.b.c"]);
    }
}

#[test]
fn comparisons_are_values_with_their_operands() {
    let facts = extract(
        "from .models import User\n\
         from sqlalchemy import func\n\
         def find(session, email, ids):\n\
         \x20   session.query(User).filter(User.email == email, func.lower(User.name) != 'x')\n\
         \x20   session.query(User).filter(User.id not in ids, 1 < User.age < 9)\n",
    );
    let filter = |n: usize| {
        let calls: Vec<_> = facts.calls.iter().filter(|c| c.name == "filter").collect();
        calls[n]
            .args
            .iter()
            .map(|a| a.value.clone())
            .collect::<Vec<_>>()
    };
    let path = |p: &str| Box::new(ArgValue::Path(p.to_string()));
    assert_eq!(
        filter(0)[0],
        ArgValue::Compare(path("shop.models.User.email"), "==".into(), path("email"))
    );
    let lower = call_id(&facts, "func.lower");
    assert_eq!(
        filter(0)[1],
        ArgValue::Compare(
            Box::new(ArgValue::Call(lower)),
            "!=".into(),
            Box::new(ArgValue::Str("x".into()))
        )
    );
    assert_eq!(
        filter(1)[0],
        ArgValue::Compare(path("shop.models.User.id"), "not in".into(), path("ids"))
    );
    // A chained comparison is two comparisons: kept as text.
    assert_eq!(filter(1)[1], ArgValue::Other("1 < User.age < 9".into()));
}

#[test]
fn functions_record_their_own_returns() {
    let f = extract(
        "from shop.models import Order\n\
         def paid():\n    if x:\n        return Order.objects.filter(paid=True)\n    return None\n\
         def bare():\n    def inner():\n        return 1\n    return\n\
         class V:\n    def get_queryset(self):\n        return self.model\n\
         def none():\n    pass\n",
    );
    let func = |name: &str| f.functions.iter().find(|x| x.name == name).unwrap();
    let paid = &func("paid").returns;
    assert_eq!(paid.len(), 2);
    let ArgValue::Call(id) = paid[0] else {
        panic!("{paid:?}")
    };
    let call = &f.calls[id as usize];
    assert_eq!(call.callee, "Order.objects.filter");
    assert_eq!(
        call.resolved.as_deref(),
        Some("shop.models.Order.objects.filter")
    );
    assert_eq!(paid[1], ArgValue::Null);
    assert_eq!(func("bare").returns, vec![ArgValue::Null]);
    assert_eq!(func("inner").returns, vec![ArgValue::Number("1".into())]);
    assert_eq!(
        func("get_queryset").returns,
        vec![ArgValue::Path("shop.models.V.model".into())]
    );
    assert!(func("none").returns.is_empty());
}

#[test]
fn a_method_called_through_self_resolves_with_its_result() {
    let f = extract(
        "class V:\n    def get_queryset(self):\n        return 1\n    def g(self):\n        for o in self.get_queryset().filter(x=1):\n            pass\n",
    );
    assert_eq!(
        f.loops[0].iterable_resolved.as_deref(),
        Some("shop.models.V.get_queryset().filter()")
    );
    let call = f.calls.iter().find(|c| c.name == "filter").unwrap();
    assert_eq!(
        call.resolved.as_deref(),
        Some("shop.models.V.get_queryset().filter")
    );
}
