//! Tests of the Python extractor on small snippets.

use crate::facts::{ArgValue, Call, FileFacts, FunctionKind, Language, LoopKind};
use crate::lang::SourceFile;

fn extract_at(path: &str, module: &str, text: &str) -> FileFacts {
    let src = SourceFile {
        path,
        text,
        language: Language::Python,
        module,
    };
    super::extract(&src).expect("extracts")
}

fn extract(text: &str) -> FileFacts {
    extract_at("shop/orders.py", "shop.orders", text)
}

fn call<'a>(facts: &'a FileFacts, callee: &str) -> &'a Call {
    facts
        .calls
        .iter()
        .find(|c| c.callee == callee)
        .unwrap_or_else(|| panic!("no call {callee}: {:#?}", facts.calls))
}

fn resolved<'a>(facts: &'a FileFacts, callee: &str) -> Option<&'a str> {
    call(facts, callee).resolved.as_deref()
}

fn function<'a>(facts: &'a FileFacts, name: &str) -> &'a crate::facts::Function {
    facts
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

#[test]
fn imports_and_aliases_resolve() {
    let facts = extract(
        "import requests as r\nimport os.path\nimport urllib.request\nfrom time import sleep as nap\n\
         from subprocess import run\n\
         def f():\n    r.get(u)\n    nap(1)\n    os.path.exists(p)\n    urllib.request.urlopen(u)\n    run(['ls'])\n",
    );
    assert_eq!(resolved(&facts, "r.get"), Some("requests.get"));
    assert_eq!(resolved(&facts, "nap"), Some("time.sleep"));
    assert_eq!(resolved(&facts, "os.path.exists"), Some("os.path.exists"));
    assert_eq!(
        resolved(&facts, "urllib.request.urlopen"),
        Some("urllib.request.urlopen")
    );
    assert_eq!(resolved(&facts, "run"), Some("subprocess.run"));
    let targets: Vec<(&str, &str)> = facts
        .imports
        .iter()
        .map(|i| (i.target.as_str(), i.local.as_str()))
        .collect();
    assert!(targets.contains(&("requests", "r")));
    assert!(targets.contains(&("os.path", "os.path")));
    assert!(targets.contains(&("time.sleep", "nap")));
}

#[test]
fn relative_imports_resolve_against_the_package() {
    let text =
        "from . import utils\nfrom .config import load_config as load\nfrom ..core.db import q\n\
                def f():\n    utils.helper()\n    load()\n    q()\n";
    let facts = extract_at("shop/api/views.py", "shop.api.views", text);
    assert_eq!(
        resolved(&facts, "utils.helper"),
        Some("shop.api.utils.helper")
    );
    assert_eq!(
        resolved(&facts, "load"),
        Some("shop.api.config.load_config")
    );
    assert_eq!(resolved(&facts, "q"), Some("shop.core.db.q"));
    // In a package's `__init__.py`, the module is the package itself.
    let facts = extract_at("shop/api/__init__.py", "shop.api", text);
    assert_eq!(
        resolved(&facts, "utils.helper"),
        Some("shop.api.utils.helper")
    );
    assert_eq!(resolved(&facts, "q"), Some("shop.core.db.q"));
}

#[test]
fn module_definitions_resolve_even_when_defined_below() {
    let facts = extract(
        "async def view():\n    helper()\n    Order.objects.get(id=1)\n\n\
         def helper():\n    pass\n\nclass Order:\n    pass\n",
    );
    assert_eq!(resolved(&facts, "helper"), Some("shop.orders.helper"));
    assert_eq!(
        resolved(&facts, "Order.objects.get"),
        Some("shop.orders.Order.objects.get")
    );
    assert_eq!(function(&facts, "helper").qname, "shop.orders.helper");
}

#[test]
fn bare_names_resolve_to_themselves_unless_shadowed() {
    let facts = extract(
        "def f(input):\n    open(p)\n    input()\n\ndef g():\n    open = make()\n    open(p)\n",
    );
    let opens: Vec<Option<&str>> = facts
        .calls
        .iter()
        .filter(|c| c.callee == "open")
        .map(|c| c.resolved.as_deref())
        .collect();
    assert_eq!(opens, vec![Some("open"), Some("make()")]);
    assert_eq!(resolved(&facts, "input"), None);
}

#[test]
fn self_and_cls_resolve_to_the_class() {
    let facts = extract(
        "import requests\nclass Client(Base):\n    def __init__(self):\n        self.http = requests.Session()\n\
         \n    def fetch(self):\n        self.prepare()\n        return self.http.get(u)\n\
         \n    @classmethod\n    def build(cls):\n        cls.objects.count()\n        return cls.create()\n\
         \n    @staticmethod\n    def util(x):\n        x.go()\n\
         \n    def other(self, conn):\n        self.conn.send()\n",
    );
    assert_eq!(
        resolved(&facts, "self.prepare"),
        Some("shop.orders.Client.prepare")
    );
    assert_eq!(
        resolved(&facts, "self.http.get"),
        Some("requests.Session().get")
    );
    assert_eq!(
        resolved(&facts, "cls.create"),
        Some("shop.orders.Client.create")
    );
    assert_eq!(
        resolved(&facts, "cls.objects.count"),
        Some("shop.orders.Client.objects.count")
    );
    assert_eq!(resolved(&facts, "x.go"), None);
    assert_eq!(resolved(&facts, "self.conn.send"), None);
    let fetch = function(&facts, "fetch");
    assert_eq!(fetch.kind, FunctionKind::Method);
    assert_eq!(fetch.class.as_deref(), Some("Client"));
    assert_eq!(fetch.qname, "shop.orders.Client.fetch");
}

#[test]
fn local_types_follow_assignments_and_with() {
    let facts = extract(
        "import requests, sqlite3, httpx\n\
         async def f(db: Session, maybe: Optional[requests.Session] = None):\n\
         \x20   s = requests.Session()\n    s.get(u)\n\
         \x20   conn = sqlite3.connect(p)\n    cur = conn.cursor()\n    cur.execute(q)\n\
         \x20   with httpx.Client() as c:\n        c.post(u)\n\
         \x20   async with httpx.AsyncClient() as ac:\n        await ac.get(u)\n\
         \x20   maybe.head(u)\n\
         \x20   t: requests.Session = factory()\n    t.put(u)\n\
         \x20   s = other\n    s.delete(u)\n",
    );
    assert_eq!(resolved(&facts, "s.get"), Some("requests.Session().get"));
    assert_eq!(
        resolved(&facts, "cur.execute"),
        Some("sqlite3.connect().cursor().execute")
    );
    assert_eq!(resolved(&facts, "c.post"), Some("httpx.Client().post"));
    assert_eq!(resolved(&facts, "ac.get"), Some("httpx.AsyncClient().get"));
    assert!(call(&facts, "ac.get").awaited);
    assert_eq!(
        resolved(&facts, "maybe.head"),
        Some("requests.Session().head")
    );
    assert_eq!(resolved(&facts, "t.put"), Some("requests.Session().put"));
    // Reassigned to a name nobody bound: it is that name now.
    assert_eq!(resolved(&facts, "s.delete"), Some("other.delete"));
}

#[test]
fn chains_elide_arguments() {
    let facts = extract(
        "from .models import Order\ndef f():\n    Order.objects.filter(\n        a=1,\n    ).first()\n    items[0].save()\n",
    );
    let first = call(&facts, "Order.objects.filter().first");
    assert_eq!(first.name, "first");
    assert_eq!(
        first.resolved.as_deref(),
        Some("shop.models.Order.objects.filter().first")
    );
    assert_eq!(first.span.line, 3);
    assert_eq!(resolved(&facts, "items[].save"), Some("items[].save"));
}

#[test]
fn closures_know_their_parent_and_the_call_they_are_passed_to() {
    let facts = extract(
        "import asyncio, requests\nasync def view():\n    loop = asyncio.get_running_loop()\n\
         \x20   await loop.run_in_executor(None, lambda: requests.get(u))\n\
         \x20   def work():\n        return requests.get(u)\n\
         \x20   await asyncio.to_thread(work)\n\
         \x20   key = lambda x: x.id\n",
    );
    let offload = call(&facts, "loop.run_in_executor");
    assert_eq!(
        offload.resolved.as_deref(),
        Some("asyncio.get_running_loop().run_in_executor")
    );
    assert!(offload.awaited);
    let lambda = &facts.functions[1];
    assert_eq!(lambda.kind, FunctionKind::Closure);
    assert_eq!(lambda.qname, "shop.orders.view.<lambda>@4");
    assert_eq!(lambda.parent, Some(0));
    let offload_id = facts
        .calls
        .iter()
        .position(|c| c.callee == "loop.run_in_executor");
    assert_eq!(lambda.passed_to.map(|c| c as usize), offload_id);
    assert_eq!(offload.args[1].value, ArgValue::Closure(1));
    let get = facts
        .calls
        .iter()
        .find(|c| c.callee == "requests.get")
        .unwrap();
    assert_eq!(get.function, Some(1));
    let work = function(&facts, "work");
    assert_eq!(work.qname, "shop.orders.view.work");
    assert_eq!(work.kind, FunctionKind::Function);
    assert_eq!(work.parent, Some(0));
    assert_eq!(
        call(&facts, "asyncio.to_thread").args[0].value,
        ArgValue::Path("shop.orders.view.work".into())
    );
    let key = facts
        .functions
        .iter()
        .find(|f| f.qname.ends_with("@8"))
        .unwrap();
    assert_eq!(key.passed_to, None);
}

#[test]
fn loops_cover_their_repeated_parts_only() {
    let facts = extract(
        "async def f(orders):\n\
         \x20   for o in load():\n        save(o)\n    else:\n        done()\n\
         \x20   while check():\n        step()\n\
         \x20   names = [fmt(o) for o in fetch() if keep(o) for p in parts(o)]\n\
         \x20   async for row in stream():\n        handle(row)\n\
         \x20   total = sum(count(o) for o in orders)\n\
         \x20   got = [x async for x in aiter()]\n",
    );
    let loops_of = |callee: &str| call(&facts, callee).loops.clone();
    assert_eq!(loops_of("load"), Vec::<u32>::new());
    assert_eq!(loops_of("save"), vec![0]);
    assert_eq!(loops_of("done"), Vec::<u32>::new());
    assert_eq!(loops_of("check"), vec![1]);
    assert_eq!(loops_of("step"), vec![1]);
    assert_eq!(loops_of("fetch"), Vec::<u32>::new());
    assert_eq!(loops_of("fmt"), vec![2]);
    assert_eq!(loops_of("keep"), vec![2]);
    assert_eq!(loops_of("parts"), vec![2]);
    assert_eq!(loops_of("handle"), vec![3]);
    assert_eq!(loops_of("count"), vec![4]);
    let kinds: Vec<LoopKind> = facts.loops.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        vec![
            LoopKind::For,
            LoopKind::While,
            LoopKind::Comprehension,
            LoopKind::AsyncFor,
            LoopKind::Comprehension,
            LoopKind::AsyncFor,
        ]
    );
    assert_eq!(facts.loops[0].iterable.as_deref(), Some("load()"));
    assert_eq!(facts.loops[0].iterable_resolved.as_deref(), Some("load()"));
    assert_eq!(facts.loops[1].iterable, None);
}

#[test]
fn nested_functions_have_their_own_loops() {
    let facts =
        extract("def f(xs):\n    for x in xs:\n        g = lambda: work(x)\n        inner(x)\n");
    assert_eq!(call(&facts, "work").loops, Vec::<u32>::new());
    assert_eq!(call(&facts, "inner").loops, vec![0]);
}

#[test]
fn queryset_iteration_resolves_through_locals() {
    let facts = extract(
        "from shop.models import Order\nasync def f():\n    orders = Order.objects.filter(paid=True)\n    for o in orders:\n        pass\n",
    );
    assert_eq!(
        facts.loops[0].iterable_resolved.as_deref(),
        Some("shop.models.Order.objects.filter()")
    );
}

#[test]
fn route_decorators_make_handlers() {
    let facts = extract(
        "from fastapi import FastAPI, APIRouter\nfrom .deps import router\napp = FastAPI()\n\
         @app.get(\"/x\")\nasync def a(): pass\n\
         @router.post(\"/y\", status_code=201)\nasync def b(): pass\n\
         @cache.get\nasync def c(): pass\n\
         @staticmethod\ndef d(): pass\n",
    );
    assert_eq!(function(&facts, "a").handler.as_deref(), Some("fastapi"));
    assert_eq!(function(&facts, "a").decorators, vec!["app.get"]);
    assert_eq!(function(&facts, "b").handler.as_deref(), Some("fastapi"));
    assert_eq!(function(&facts, "b").decorators, vec!["router.post"]);
    assert_eq!(function(&facts, "c").handler, None);
    assert_eq!(function(&facts, "d").decorators, vec!["staticmethod"]);
    let facts = extract(
        "from aiohttp import web\nroutes = web.RouteTableDef()\n@routes.get('/')\nasync def index(request): pass\n\
         async def other(request): pass\n\
         def setup(app):\n    app.router.add_get('/o', other)\n",
    );
    assert_eq!(
        function(&facts, "index").handler.as_deref(),
        Some("aiohttp")
    );
    assert_eq!(
        function(&facts, "other").handler.as_deref(),
        Some("aiohttp")
    );
    assert_eq!(function(&facts, "setup").handler, None);
}

#[test]
fn django_views_are_handlers() {
    let text = "from django.views import View\nfrom rest_framework.views import APIView\n\
                async def order_list(request):\n    pass\n\
                def _helper(obj):\n    pass\n\
                class OrderView(View):\n    async def get(self, request):\n        pass\n    def helper(self):\n        pass\n\
                class Api(APIView):\n    def post(self, request):\n        pass\n";
    let facts = extract_at("shop/views.py", "shop.views", text);
    assert_eq!(
        function(&facts, "order_list").handler.as_deref(),
        Some("django")
    );
    assert_eq!(function(&facts, "_helper").handler, None);
    assert_eq!(function(&facts, "get").handler.as_deref(), Some("django"));
    assert_eq!(function(&facts, "helper").handler, None);
    assert_eq!(function(&facts, "post").handler.as_deref(), Some("django"));
    assert_eq!(facts.classes[0].bases, vec!["django.views.View"]);
    let facts = extract_at("shop/services.py", "shop.services", text);
    assert_eq!(function(&facts, "order_list").handler, None);
}

#[test]
fn classes_resolve_their_bases() {
    let facts = extract(
        "from django.db import models\nimport abc\n@dataclass\nclass Order(models.Model, abc.ABC, metaclass=Meta):\n    class Meta:\n        pass\n",
    );
    let order = &facts.classes[0];
    assert_eq!(order.qname, "shop.orders.Order");
    assert_eq!(order.bases, vec!["django.db.models.Model", "abc.ABC"]);
    assert_eq!(order.decorators, vec!["dataclass"]);
    assert_eq!(facts.classes[1].qname, "shop.orders.Order.Meta");
}

#[test]
fn sql_strings_are_found() {
    let facts = extract(
        "def f(cur, t, x):\n\
         \x20   cur.execute(\"SELECT id FROM orders WHERE id = %s\", [x])\n\
         \x20   cur.execute(f\"DELETE FROM {t} WHERE id = {x}\")\n\
         \x20   q = (\"UPDATE orders \"\n         \"SET paid = 1\")\n\
         \x20   q = \"INSERT INTO \" + t + \" VALUES (1)\"\n\
         \x20   \"\"\"Select the orders from the list.\"\"\"\n\
         \x20   msg = \"delete this\"\n",
    );
    let texts: Vec<&str> = facts.sql.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "SELECT id FROM orders WHERE id = %s",
            "DELETE FROM ? WHERE id = ?",
            "UPDATE orders SET paid = 1",
            "INSERT INTO ? VALUES (1)",
        ]
    );
    assert_eq!(facts.sql[0].function, Some(0));
    assert_eq!(facts.sql[2].span.line, 4);
}

#[test]
fn arguments_are_described() {
    let facts = extract("import os\nf(\"a\", 1, None, True, os.sep, x + 1, key=lambda: 2)\n");
    let args: Vec<&ArgValue> = call(&facts, "f").args.iter().map(|a| &a.value).collect();
    assert_eq!(args[0], &ArgValue::Str("a".into()));
    assert_eq!(args[1], &ArgValue::Number("1".into()));
    assert_eq!(args[2], &ArgValue::Null);
    assert_eq!(args[3], &ArgValue::Bool(true));
    assert_eq!(args[4], &ArgValue::Path("os.sep".into()));
    assert_eq!(args[5], &ArgValue::Other("x + 1".into()));
    assert_eq!(args[6], &ArgValue::Closure(0));
    assert_eq!(call(&facts, "f").args[6].keyword.as_deref(), Some("key"));
    assert_eq!(facts.functions[0].qname, "shop.orders.<lambda>@2");
    assert_eq!(call(&facts, "f").function, None);
}

#[test]
fn awaited_means_the_direct_operand() {
    let facts =
        extract("async def f():\n    await g(h())\n    await (k())\n    x = await m().n()\n");
    assert!(call(&facts, "g").awaited);
    assert!(!call(&facts, "h").awaited);
    assert!(call(&facts, "k").awaited);
    assert!(call(&facts, "m().n").awaited);
    assert!(!call(&facts, "m").awaited);
}

#[test]
fn syntax_errors_are_noted_and_the_rest_analysed() {
    let facts = extract("def broken(:\n    pass\n\ndef ok():\n    open(p)\n");
    assert_eq!(facts.notes.len(), 1);
    assert!(
        facts.notes[0].message.contains("syntax error"),
        "{:?}",
        facts.notes
    );
    assert_eq!(resolved(&facts, "open"), Some("open"));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 100_000;
    let text = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    let facts = extract(&text);
    assert!(facts.calls.is_empty());
    let text = format!("x = {}1{}\n", "f(".repeat(10_000), ")".repeat(10_000));
    let facts = extract(&text);
    assert_eq!(facts.calls.len(), 10_000);
    let text = format!("x = a{}\n", ".b()".repeat(10_000));
    let facts = extract(&text);
    assert_eq!(facts.calls.len(), 10_000);
}

#[test]
fn subtrees_the_walk_skips_keep_their_facts() {
    let facts = extract(
        "import requests\n\
         def f(a, b=1, *args, c: int = 2, d=make(), e=lambda: 3, **kw):\n\
         \x20   s = requests.Session()\n\
         \x20   r = s.get(\"u\", timeout=5)\n\
         \x20   t = s.post(\"u\", hook=lambda x: x.close())\n\
         \x20   q = run(\"SELECT id FROM t\")\n\
         \x20   return s.put(\"u\", data=[g() for g in a])\n",
    );
    assert_eq!(call(&facts, "make").function, None);
    assert_eq!(resolved(&facts, "s.get"), Some("requests.Session().get"));
    assert_eq!(resolved(&facts, "s.post"), Some("requests.Session().post"));
    assert_eq!(call(&facts, "x.close").function, Some(2));
    assert_eq!(facts.sql.len(), 1);
    assert_eq!(resolved(&facts, "s.put"), Some("requests.Session().put"));
    assert_eq!(call(&facts, "g").loops, vec![0]);
    let lambdas: Vec<_> = facts
        .functions
        .iter()
        .filter(|f| f.name == "<lambda>")
        .collect();
    assert_eq!(lambdas.len(), 2);
    assert_eq!(lambdas[0].parent, None);
    assert_eq!(
        lambdas[1].passed_to.map(|c| c as usize),
        facts.calls.iter().position(|c| c.callee == "s.post")
    );
}
