//! Unit tests for assignments, loop bindings, accesses on loop bindings,
//! decorator calls and argument values.

use super::tests::{facts_at, js, ts};
use crate::facts::{ArgValue, Assign, AssignOp, AssignScope, Call, FileFacts, Language};

/// The first call named `name`.
fn call<'f>(facts: &'f FileFacts, name: &str) -> &'f Call {
    facts
        .calls
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no call named {name}: {:#?}", facts.calls))
}

/// The assignments to `target`, in order.
fn assigns<'f>(facts: &'f FileFacts, target: &str) -> Vec<&'f Assign> {
    facts
        .assigns
        .iter()
        .filter(|a| a.target == target)
        .collect()
}

/// The call a value is.
fn call_of<'f>(facts: &'f FileFacts, value: Option<&ArgValue>) -> &'f Call {
    match value {
        Some(ArgValue::Call(id)) => &facts.calls[*id as usize],
        other => panic!("not a call: {other:?}"),
    }
}

fn str_list(items: &[&str]) -> ArgValue {
    ArgValue::List(items.iter().map(|s| ArgValue::Str(s.to_string())).collect())
}

fn map(entries: Vec<(&str, ArgValue)>) -> ArgValue {
    ArgValue::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

#[test]
fn express_handler_with_a_module_level_cache() {
    let f = js(r#"
const express = require('express');
const db = require('./db');
const cache = new Map();
let hits = 0;
const app = express();
app.get('/users/:id', async (req, res) => {
  const key = req.params.id;
  hits++;
  if (cache.has(key)) return res.json(cache.get(key));
  const user = await db.users.findOne({ where: { id: key } });
  cache.set(key, user);
  cache[key] = user;
  res.json(user);
});
function shadowed(cache, k) { cache[k] = 1; }
module.exports.cache = cache;
"#);
    let handler = f
        .functions
        .iter()
        .position(|x| x.handler.is_some())
        .unwrap() as u32;
    let module_cache = assigns(&f, "cache");
    let decl = module_cache[0];
    assert_eq!(decl.scope, AssignScope::Module);
    assert_eq!(decl.resolved.as_deref(), Some("src/app.cache"));
    assert_eq!(decl.op, AssignOp::Bind);
    assert_eq!(decl.function, None);
    assert_eq!(call_of(&f, decl.value.as_ref()).callee, "Map");
    assert_eq!(decl.span.line, 4);

    let store = module_cache[1];
    assert_eq!(store.op, AssignOp::Subscript);
    assert_eq!(store.key.as_deref(), Some("key"));
    assert_eq!(store.scope, AssignScope::Module, "written from a handler");
    assert_eq!(store.resolved.as_deref(), Some("src/app.cache"));
    assert_eq!(store.function, Some(handler));
    assert_eq!(
        store.value,
        Some(ArgValue::Path("src/db.users.findOne()".into())),
        "a local is spelled as what made it"
    );

    let local = module_cache[2];
    assert_eq!(local.scope, AssignScope::Local, "the parameter shadows it");
    assert_eq!(local.resolved, None);
    assert_eq!(call(&f, "set").resolved.as_deref(), Some("Map().set"));

    let hits = assigns(&f, "hits");
    assert_eq!(hits[1].op, AssignOp::Augmented);
    assert_eq!(hits[1].resolved.as_deref(), Some("src/app.hits"));

    let user = assigns(&f, "user")[0];
    assert_eq!(user.scope, AssignScope::Local);
    let find = call_of(&f, user.value.as_ref());
    assert_eq!(find.name, "findOne");
    assert!(find.awaited);
    assert_eq!(
        find.args[0].value,
        map(vec![(
            "where",
            map(vec![("id", ArgValue::Path("key".into()))])
        )])
    );
    let exported = assigns(&f, "module.exports.cache")[0];
    assert_eq!(exported.resolved.as_deref(), Some("src/app.cache"));
    assert_eq!(exported.scope, AssignScope::Module);
    let app = assigns(&f, "app")[0];
    assert_eq!(
        call_of(&f, app.value.as_ref()).resolved.as_deref(),
        Some("express")
    );
    let required = assigns(&f, "db")[0];
    assert_eq!(
        required.value,
        Some(ArgValue::Path("src/db.default".into())),
        "what `require` returns: the module's exports"
    );
}

#[test]
fn typeorm_entity_properties_and_decorator_calls() {
    let f = facts_at(
        "src/entity/order.ts",
        Language::TypeScript,
        r#"
import { Entity, Column, Index, PrimaryGeneratedColumn, ManyToOne } from "typeorm";
import { User } from "./user";

@Entity("orders")
@Index(["userId", "createdAt"])
export class Order {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ nullable: true })
  userId: string;

  @ManyToOne(() => User, (user) => user.orders)
  user: User;

  private cache: Map<string, User> = new Map<string, User>();
  static instances = {};
  #secret = 1;

  remember(user: User) {
    this.cache.set(user.id, user);
    this.lookups ??= 0;
    this.index[user.id] = user;
  }
}
"#,
    );
    let class = &f.classes[0];
    let names: Vec<&str> = class
        .decorator_calls
        .iter()
        .map(|&id| f.calls[id as usize].name.as_str())
        .collect();
    assert_eq!(names, ["Entity", "Index"]);
    let index = &f.calls[class.decorator_calls[1] as usize];
    assert_eq!(index.resolved.as_deref(), Some("typeorm.Index"));
    assert_eq!(index.args[0].value, str_list(&["userId", "createdAt"]));

    let user_id = assigns(&f, "userId")[0];
    assert_eq!(user_id.scope, AssignScope::Class);
    assert_eq!(
        user_id.resolved.as_deref(),
        Some("src/entity/order.Order.userId")
    );
    assert_eq!(user_id.annotation.as_deref(), Some("string"));
    assert_eq!(user_id.value, None);
    assert_eq!(user_id.decorators, ["Column"]);
    assert_eq!(user_id.class.as_deref(), Some("Order"));
    assert_eq!(
        user_id.span.line, 12,
        "the declaring line, not the decorator's"
    );
    let column = &f.calls[user_id.decorator_calls[0] as usize];
    assert_eq!(column.name, "Column");
    assert_eq!(
        column.args[0].value,
        map(vec![("nullable", ArgValue::Bool(true))])
    );

    let user = assigns(&f, "user")[0];
    assert_eq!(user.decorators, ["ManyToOne"]);
    let many = &f.calls[user.decorator_calls[0] as usize];
    assert!(matches!(many.args[0].value, ArgValue::Closure(_)));
    assert_eq!(assigns(&f, "id")[0].decorators, ["PrimaryGeneratedColumn"]);

    let cache = assigns(&f, "cache")[0];
    assert_eq!(cache.annotation.as_deref(), Some("Map<string,User>"));
    assert_eq!(call_of(&f, cache.value.as_ref()).callee, "Map");
    assert!(cache.decorators.is_empty() && cache.decorator_calls.is_empty());
    assert_eq!(assigns(&f, "instances")[0].value, Some(map(vec![])));
    assert_eq!(
        assigns(&f, "#secret")[0].resolved.as_deref(),
        Some("src/entity/order.Order.#secret")
    );

    let lookups = assigns(&f, "this.lookups")[0];
    assert_eq!(lookups.op, AssignOp::OrBind);
    assert_eq!(lookups.scope, AssignScope::Local);
    assert_eq!(
        lookups.resolved.as_deref(),
        Some("src/entity/order.Order.lookups")
    );
    let index_store = assigns(&f, "this.index")[0];
    assert_eq!(index_store.op, AssignOp::Subscript);
    assert_eq!(index_store.key.as_deref(), Some("user.id"));
    assert_eq!(
        index_store.resolved.as_deref(),
        Some("src/entity/order.Order.index")
    );
}

#[test]
fn nestjs_method_and_parameter_decorators_are_calls() {
    let f = ts(r#"
import { Controller, Get, Param } from '@nestjs/common';
@Controller('users')
export class UsersController {
  @Get(':id')
  @UseGuards(AuthGuard)
  findOne(@Param('id') id: string) {
    return this.users.find(id);
  }
}
"#);
    let method = f.functions.iter().find(|x| x.name == "findOne").unwrap();
    let names: Vec<&str> = method
        .decorator_calls
        .iter()
        .map(|&id| f.calls[id as usize].name.as_str())
        .collect();
    assert_eq!(names, ["Get", "UseGuards"]);
    assert_eq!(
        f.calls[method.decorator_calls[0] as usize].args[0].value,
        ArgValue::Str(":id".into())
    );
    assert_eq!(
        call(&f, "Param").resolved.as_deref(),
        Some("@nestjs/common.Param")
    );
    let controller = &f.calls[f.classes[0].decorator_calls[0] as usize];
    assert_eq!(controller.name, "Controller");
    let js_class = js(r#"
class A {
  @dec plain = 1;
  @Get("x") static m() {}
}
"#);
    let m = js_class.functions.iter().find(|x| x.name == "m").unwrap();
    assert_eq!(m.decorator_calls.len(), 1);
    let plain = assigns(&js_class, "plain")[0];
    assert_eq!(plain.decorators, ["dec"]);
    assert!(plain.decorator_calls.is_empty(), "not written as a call");
}

#[test]
fn orm_query_arguments_are_structured() {
    let f = js(r#"
const { Op } = require('sequelize');
const { Post, User } = require('./models');
async function feed(ids) {
  await Post.findAll({ include: [{ model: User, as: 'author' }], where: { id: { [Op.in]: ids } } });
  await User.findAll({ include: [Post] });
  await prisma.post.findMany({
    where: { authorId: { in: ids } },
    include: { author: true, comments: { take: 5 } },
    orderBy: [{ createdAt: 'desc' }],
  });
}
"#);
    let find_all = call(&f, "findAll");
    assert_eq!(
        find_all.resolved.as_deref(),
        Some("src/models.Post.findAll")
    );
    assert_eq!(
        find_all.args[0].value,
        map(vec![
            (
                "include",
                ArgValue::List(vec![map(vec![
                    ("model", ArgValue::Path("src/models.User".into())),
                    ("as", ArgValue::Str("author".into())),
                ])])
            ),
            (
                "where",
                map(vec![(
                    "id",
                    map(vec![("[Op.in]", ArgValue::Path("ids".into()))])
                )])
            ),
        ])
    );
    let users = f
        .calls
        .iter()
        .filter(|c| c.name == "findAll")
        .nth(1)
        .unwrap();
    assert_eq!(
        users.args[0].value,
        map(vec![(
            "include",
            ArgValue::List(vec![ArgValue::Path("src/models.Post".into())])
        )])
    );
    let prisma = call(&f, "findMany");
    assert_eq!(
        prisma.args[0].value,
        map(vec![
            (
                "where",
                map(vec![(
                    "authorId",
                    map(vec![("in", ArgValue::Path("ids".into()))])
                )])
            ),
            (
                "include",
                map(vec![
                    ("author", ArgValue::Bool(true)),
                    (
                        "comments",
                        map(vec![("take", ArgValue::Number("5".into()))])
                    ),
                ])
            ),
            (
                "orderBy",
                ArgValue::List(vec![map(vec![("createdAt", ArgValue::Str("desc".into()))])])
            ),
        ])
    );
}

#[test]
fn values_hold_calls_closures_and_literals() {
    let f = js(r#"
const conf = {
  id,
  'quoted-key': null,
  42: undefined,
  load: () => fetchAll(),
  method() {},
  get size() { return 1; },
  ...defaults,
  client: new Redis(url),
  data: await loadData(),
  nested: [[[[[[[deep]]]]]]],
};
run(make(), new Worker('w.js'), [...rest, 1], `t${x}`, -1);
exports.a = exports.b = new Map();
"#);
    let chained = assigns(&f, "exports.a")[0];
    assert_eq!(call_of(&f, chained.value.as_ref()).callee, "Map");
    let conf = assigns(&f, "conf")[0];
    let Some(ArgValue::Map(entries)) = &conf.value else {
        panic!("{:?}", conf.value)
    };
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["id", "quoted-key", "42", "load", "client", "data", "nested"]
    );
    assert_eq!(entries[0].1, ArgValue::Path("id".into()));
    assert_eq!(entries[1].1, ArgValue::Null);
    assert_eq!(entries[2].1, ArgValue::Null);
    let ArgValue::Closure(load) = entries[3].1 else {
        panic!("{:?}", entries[3].1)
    };
    assert_eq!(f.functions[load as usize].span.line, 6);
    assert_eq!(call_of(&f, Some(&entries[4].1)).name, "Redis");
    assert_eq!(call_of(&f, Some(&entries[5].1)).name, "loadData");
    let mut nested = &entries[6].1;
    let mut depth = 1;
    while let ArgValue::List(items) = nested {
        nested = &items[0];
        depth += 1;
    }
    assert_eq!(depth, crate::facts::MAX_VALUE_DEPTH);
    assert_eq!(nested, &ArgValue::Other("[[deep]]".into()));

    let run = call(&f, "run");
    assert_eq!(call_of(&f, Some(&run.args[0].value)).name, "make");
    assert_eq!(call_of(&f, Some(&run.args[1].value)).name, "Worker");
    assert_eq!(
        run.args[2].value,
        ArgValue::List(vec![ArgValue::Number("1".into())])
    );
    assert_eq!(run.args[3].value, ArgValue::Other("`t${x}`".into()));
    assert_eq!(run.args[4].value, ArgValue::Other("-1".into()));
}

#[test]
fn loop_bindings_name_what_each_iteration_binds() {
    let f = ts(r#"
async function main(orders: Order[], map: Map<string, User>, rows, obj) {
  for (const o of orders) {}
  for (const [k, v] of map) {}
  for (const { id, user: u = null, ...rest } of rows) {}
  for await (const chunk of stream) {}
  for (key in obj) {}
  for (let i = 0; i < 3; i++) {}
  while (more()) {}
  orders.map(o => o.id);
  orders.forEach(function ([a, b], i) {});
  orders.reduce((acc, { total }) => acc + total, 0);
  orders.filter((o: Order, index: number) => index > 0);
}
"#);
    let bindings: Vec<Vec<&str>> = f
        .loops
        .iter()
        .map(|l| l.bindings.iter().map(String::as_str).collect())
        .collect();
    let expected: Vec<Vec<&str>> = vec![
        vec!["o"],
        vec!["k", "v"],
        vec!["id", "u", "rest"],
        vec!["chunk"],
        vec!["key"],
        vec![],
        vec![],
        vec!["o"],
        vec!["a", "b"],
        vec!["total"],
        vec!["o"],
    ];
    assert_eq!(bindings, expected);
}

#[test]
fn accesses_on_loop_bindings_inside_their_loops() {
    let f = js(r#"
async function render(posts, users) {
  for (const post of posts) {
    console.log(post.author.name);
    post.comments.forEach(c => c.user.avatar);
    post.save();
    post.title = post.draft.title;
    const tags = post?.meta.tags;
    setTimeout(() => post.later.x, 0);
    await post.author;
  }
  post.outside.y;
  for (const post of post.children.list) {}
  await Promise.all(users.map(async (u) => await u.profile));
}
"#);
    let accesses: Vec<(&str, u32, bool, usize)> = f
        .accesses
        .iter()
        .map(|a| (a.path.as_str(), a.span.line, a.awaited, a.loops.len()))
        .collect();
    assert_eq!(
        accesses,
        [
            ("post.author.name", 4, false, 1),
            ("post.comments", 5, false, 1),
            ("c.user.avatar", 5, false, 2),
            ("post.draft.title", 7, false, 1),
            ("post.meta.tags", 8, false, 1),
            ("post.author", 10, true, 1),
            ("u.profile", 14, true, 1),
        ]
    );
    let profile = f.accesses.last().unwrap();
    assert_eq!(
        f.functions[profile.function.unwrap() as usize].kind,
        crate::facts::FunctionKind::Closure
    );
}

#[test]
fn deep_values_do_not_overflow() {
    let depth = 100_000;
    let objects = format!("f({}1{});", "{a:".repeat(depth), "}".repeat(depth));
    let f = js(&objects);
    assert!(matches!(f.calls[0].args[0].value, ArgValue::Map(_)));
    let arrays = format!("const x = {}1{};", "[".repeat(depth), "]".repeat(depth));
    let f = js(&arrays);
    assert!(matches!(f.assigns[0].value, Some(ArgValue::List(_))));
    let members = format!("for (const o of xs) {{ o{}; }}", ".a".repeat(depth));
    js(&members);
}

#[test]
fn keyed_deletes_are_evictions() {
    let f = js("const cache = {};\n\
         function forget(k) { delete cache[k]; delete cache.all; typeof cache[k]; }\n\
         class Store { drop(k) { delete this.byId[k]; } }\n");
    let evictions: Vec<(&str, Option<&str>)> = f
        .assigns
        .iter()
        .filter(|a| a.op == AssignOp::Evict)
        .map(|a| (a.target.as_str(), a.key.as_deref()))
        .collect();
    assert_eq!(
        evictions,
        vec![("cache", Some("k")), ("this.byId", Some("k"))],
        "a keyed `delete` only: not a property delete, not another operator"
    );
}

#[test]
fn destructured_names_hold_a_path_into_their_value() {
    let f = ts("import { Pool } from 'pg';\n\
         const pool = new Pool();\n\
         export async function load(id: string, opts) {\n\
         \x20 const { rows, rowCount: n } = await pool.query('SELECT 1', [id]);\n\
         \x20 const { limit } = opts;\n\
         }\n");
    let value = |name: &str| assigns(&f, name)[0].value.clone();
    assert_eq!(
        value("rows"),
        Some(ArgValue::Path("pg.Pool().query().rows".into()))
    );
    assert_eq!(
        value("n"),
        Some(ArgValue::Path("pg.Pool().query().rowCount".into())),
        "the path names the key, not the local"
    );
    assert_eq!(value("limit"), None, "a parameter resolves to nothing");
}

#[test]
fn constructor_parameter_properties_are_typed_class_fields() {
    let f = ts("import { Repository } from \"typeorm\";\n\
class OrdersService {\n\
  constructor(\n\
    @InjectRepository(Order) private readonly orders: Repository<Order>,\n\
    plain: number,\n\
  ) {}\n\
}\n");
    let fields: Vec<(&str, Option<&str>, AssignScope)> = f
        .assigns
        .iter()
        .filter(|a| a.class.as_deref() == Some("OrdersService"))
        .map(|a| (a.target.as_str(), a.annotation.as_deref(), a.scope))
        .collect();
    assert_eq!(
        fields,
        vec![("orders", Some("Repository<Order>"), AssignScope::Class)]
    );
}
