//! Unit tests for the JavaScript / TypeScript extractor.

use super::extract;
use crate::facts::{ArgValue, FileFacts, FunctionKind, Language, LoopKind};
use crate::lang::SourceFile;

pub(super) fn facts_at(path: &str, language: Language, text: &str) -> FileFacts {
    let module = path.rsplit_once('.').map_or(path, |(m, _)| m);
    let src = SourceFile {
        path,
        text,
        language,
        module,
    };
    extract(&src).expect("extracts")
}

pub(super) fn js(text: &str) -> FileFacts {
    facts_at("src/app.js", Language::JavaScript, text)
}

pub(super) fn ts(text: &str) -> FileFacts {
    facts_at("src/app.ts", Language::TypeScript, text)
}

/// The resolved callee of the first call named `name`.
fn resolved(facts: &FileFacts, name: &str) -> Option<String> {
    facts
        .calls
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no call named {name}: {:#?}", facts.calls))
        .resolved
        .clone()
}

fn function<'f>(facts: &'f FileFacts, qname: &str) -> &'f crate::facts::Function {
    facts
        .functions
        .iter()
        .find(|f| f.qname == qname)
        .unwrap_or_else(|| {
            let names: Vec<&str> = facts.functions.iter().map(|f| f.qname.as_str()).collect();
            panic!("no function {qname}: {names:?}")
        })
}

/// One line per call: `LINE callee -> resolved in FUNCTION`.
fn summary(facts: &FileFacts) -> String {
    let mut out = String::new();
    for c in &facts.calls {
        let f = c
            .function
            .map_or("-", |f| facts.functions[f as usize].qname.as_str());
        out += &format!(
            "{} {} -> {} in {} loops={:?} awaited={}\n",
            c.span.line,
            c.callee,
            c.resolved.as_deref().unwrap_or("?"),
            f,
            c.loops,
            c.awaited
        );
    }
    for f in &facts.functions {
        out += &format!(
            "fn {} {:?} async={} class={:?} handler={:?} passed_to={:?} deco={:?}\n",
            f.qname, f.kind, f.is_async, f.class, f.handler, f.passed_to, f.decorators
        );
    }
    out
}

#[test]
fn require_and_import_forms_resolve() {
    let f = js(r#"
const fs = require('node:fs');
const { readFileSync: rfs, writeFileSync } = require('fs');
const cp = require('child_process').execSync;
import * as zlib from 'zlib';
import { execFileSync as efs } from 'node:child_process';
import crypto, { scryptSync } from 'crypto';
async function main() {
  fs.readFileSync('a');
  rfs('b');
  writeFileSync('c', 'd');
  cp('ls');
  zlib.gzipSync(buf);
  efs('git');
  crypto.pbkdf2Sync(a);
  scryptSync(b);
  require('fs').statSync('x');
  fs.promises.readFile('y');
}
"#);
    assert_eq!(
        resolved(&f, "readFileSync").as_deref(),
        Some("fs.readFileSync")
    );
    assert_eq!(resolved(&f, "rfs").as_deref(), Some("fs.readFileSync"));
    assert_eq!(
        resolved(&f, "writeFileSync").as_deref(),
        Some("fs.writeFileSync")
    );
    assert_eq!(
        resolved(&f, "cp").as_deref(),
        Some("child_process.execSync")
    );
    assert_eq!(resolved(&f, "gzipSync").as_deref(), Some("zlib.gzipSync"));
    assert_eq!(
        resolved(&f, "efs").as_deref(),
        Some("child_process.execFileSync")
    );
    assert_eq!(
        resolved(&f, "pbkdf2Sync").as_deref(),
        Some("crypto.pbkdf2Sync")
    );
    assert_eq!(
        resolved(&f, "scryptSync").as_deref(),
        Some("crypto.scryptSync")
    );
    assert_eq!(resolved(&f, "statSync").as_deref(), Some("fs.statSync"));
    assert_eq!(
        resolved(&f, "readFile").as_deref(),
        Some("fs.promises.readFile")
    );
    let stat = f.calls.iter().find(|c| c.name == "statSync").unwrap();
    assert_eq!(stat.callee, "require().statSync");
    let targets: Vec<(&str, &str)> = f
        .imports
        .iter()
        .map(|i| (i.local.as_str(), i.target.as_str()))
        .collect();
    for expected in [
        ("fs", "fs"),
        ("rfs", "fs.readFileSync"),
        ("writeFileSync", "fs.writeFileSync"),
        ("cp", "child_process.execSync"),
        ("zlib", "zlib"),
        ("efs", "child_process.execFileSync"),
        ("crypto", "crypto"),
        ("scryptSync", "crypto.scryptSync"),
    ] {
        assert!(
            targets.contains(&expected),
            "{expected:?} not in {targets:?}"
        );
    }
}

#[test]
fn unknown_receivers_and_shadowing_leave_calls_unresolved() {
    let f = js(r#"
const fs = require('fs');
function read(fs, foo) {
  fs.readFileSync('a');
  foo.writeFileSync('b');
}
function other(req) {
  const { x } = req.body;
  x.readFileSync();
  open('z');
}
"#);
    let calls: Vec<_> = f.calls.iter().filter(|c| c.name != "require").collect();
    assert_eq!(calls[0].resolved, None, "parameter shadows the import");
    assert_eq!(calls[1].resolved, None);
    assert_eq!(
        calls[2].resolved, None,
        "destructured from an unknown value"
    );
    assert_eq!(
        calls[3].resolved.as_deref(),
        Some("open"),
        "bare names resolve to themselves"
    );
}

#[test]
fn relative_imports_resolve_to_project_modules() {
    let f = facts_at(
        "src/routes/users.ts",
        Language::TypeScript,
        r#"
import { loadUser as load } from './utils';
import db from '../lib/db';
import * as cfg from '../config/index.js';
import helpers from '.';
const legacy = require('../lib/legacy');
const { audit } = require('./audit');
export async function show() {
  load(1);
  db.query('x');
  cfg.get();
  legacy();
  legacy.run();
  audit();
  helpers();
}
"#,
    );
    assert_eq!(
        resolved(&f, "load").as_deref(),
        Some("src/routes/utils.loadUser")
    );
    assert_eq!(
        resolved(&f, "query").as_deref(),
        Some("src/lib/db.default.query")
    );
    assert_eq!(resolved(&f, "get").as_deref(), Some("src/config/index.get"));
    assert_eq!(
        resolved(&f, "legacy").as_deref(),
        Some("src/lib/legacy.default")
    );
    assert_eq!(resolved(&f, "run").as_deref(), Some("src/lib/legacy.run"));
    assert_eq!(
        resolved(&f, "audit").as_deref(),
        Some("src/routes/audit.audit")
    );
    assert_eq!(
        resolved(&f, "helpers").as_deref(),
        Some("src/routes.default")
    );
    assert_eq!(
        function(&f, "src/routes/users.show").kind,
        FunctionKind::Function
    );
}

#[test]
fn class_controllers_and_worker_style_exports() {
    let f = js(r#"
const router = require('express').Router();
const debug = require('debug')('app');
class UserController {
  constructor() { router.get('/users', this.list.bind(this)); }
  async list(req, res) {}
}
export default { async fetch(request) {} };
"#);
    assert_eq!(
        function(&f, "src/app.UserController.list")
            .handler
            .as_deref(),
        Some("express")
    );
    let get = f.calls.iter().find(|c| c.name == "get").unwrap();
    assert_eq!(
        get.args[1].value,
        ArgValue::Path("src/app.UserController.list".into())
    );
    assert_eq!(
        function(&f, "src/app.default.fetch").kind,
        FunctionKind::Method
    );
    assert!(
        f.imports.is_empty(),
        "values made by calls are not imports: {:?}",
        f.imports
    );
}

#[test]
fn project_modules_passed_whole_stand_for_their_export() {
    let g = facts_at(
        "src/web/admin/app.js",
        Language::JavaScript,
        "const c = require('./controller');\nadminApp.get('*', require('./controller'), c, c.show);\n",
    );
    let get = g.calls.iter().find(|c| c.name == "get").unwrap();
    let paths: Vec<&ArgValue> = get.args.iter().skip(1).map(|a| &a.value).collect();
    assert_eq!(
        paths,
        vec![
            &ArgValue::Path("src/web/admin/controller.default".into()),
            &ArgValue::Path("src/web/admin/controller.default".into()),
            &ArgValue::Path("src/web/admin/controller.show".into()),
        ]
    );
}

#[test]
fn same_file_functions_and_methods_get_module_names() {
    let f = js(r#"
async function main() { helper(); later(); arrow(); new Service().run(); api.list(); }
function helper() {}
const arrow = () => 1;
function later() {}
class Service {
  async run() { this.step(); this.other.thing(); }
  step() {}
}
const api = {
  async list() { this.count(); },
  count: function () {},
};
"#);
    assert_eq!(resolved(&f, "helper").as_deref(), Some("src/app.helper"));
    assert_eq!(resolved(&f, "later").as_deref(), Some("src/app.later"));
    assert_eq!(resolved(&f, "arrow").as_deref(), Some("src/app.arrow"));
    assert_eq!(
        resolved(&f, "run").as_deref(),
        Some("src/app.Service().run")
    );
    assert_eq!(resolved(&f, "list").as_deref(), Some("src/app.api.list"));
    assert_eq!(
        resolved(&f, "step").as_deref(),
        Some("src/app.Service.step")
    );
    assert_eq!(resolved(&f, "thing"), None);
    assert_eq!(resolved(&f, "count").as_deref(), Some("src/app.api.count"));
    let run = function(&f, "src/app.Service.run");
    assert_eq!(run.kind, FunctionKind::Method);
    assert_eq!(run.class.as_deref(), Some("Service"));
    assert!(run.is_async);
    assert_eq!(function(&f, "src/app.arrow").kind, FunctionKind::Function);
    assert_eq!(function(&f, "src/app.api.list").kind, FunctionKind::Method);
    assert_eq!(function(&f, "src/app.api.count").kind, FunctionKind::Method);
}

#[test]
fn local_types_follow_constructors_and_fields() {
    let f = ts(r#"
import Database from 'better-sqlite3';
import { UsersService } from './users.service';
import express from 'express';
const db = new Database('app.db');
export class UsersController {
  private cache = new Map();
  constructor(private readonly users: UsersService, plain: UsersService) {
    this.pool = createPool();
  }
  async list() {
    db.prepare('SELECT 1').all();
    this.users.findAll();
    this.pool.query('x');
    const app = express();
    app.listen(3000);
    let s = new Session();
    s.get();
    s = other();
    s.post();
  }
}
"#);
    assert_eq!(
        resolved(&f, "all").as_deref(),
        Some("better-sqlite3().prepare().all")
    );
    assert_eq!(
        resolved(&f, "findAll").as_deref(),
        Some("src/users.service.UsersService().findAll")
    );
    assert_eq!(resolved(&f, "query").as_deref(), Some("createPool().query"));
    assert_eq!(resolved(&f, "listen").as_deref(), Some("express().listen"));
    assert_eq!(resolved(&f, "get").as_deref(), Some("Session().get"));
    assert_eq!(resolved(&f, "post").as_deref(), Some("other().post"));
}

#[test]
fn loops_enclose_their_bodies_and_callbacks() {
    let f = js(r#"
async function main(items) {
  for (const x of await load()) { await save(x); }
  for await (const chunk of stream) { handle(chunk); }
  while (more()) { step(); }
  do { tick(); } while (ok());
  for (let i = 0, n = count(); i < n; i++) { each(i); }
  await Promise.all(items.map(async (item) => { await fetchOne(item); }));
  items.forEach(function (i) { items.filter(j => check(i, j)); });
  items.map(transform);
}
"#);
    let call = |name: &str| f.calls.iter().find(|c| c.name == name).unwrap();
    assert!(call("load").loops.is_empty(), "the iterable runs once");
    assert_eq!(call("save").loops.len(), 1);
    assert_eq!(
        f.loops[call("handle").loops[0] as usize].kind,
        LoopKind::AsyncFor
    );
    assert_eq!(call("more").loops.len(), 1);
    assert_eq!(call("tick").loops.len(), 1);
    assert!(call("count").loops.is_empty(), "the initializer runs once");
    assert_eq!(call("each").loops.len(), 1);
    let fetch = call("fetchOne");
    assert_eq!(fetch.loops.len(), 1);
    let cb = &f.loops[fetch.loops[0] as usize];
    assert_eq!(cb.kind, LoopKind::Callback);
    assert_eq!(cb.iterable.as_deref(), Some("items"));
    assert_eq!(f.calls[cb.call.unwrap() as usize].name, "map");
    assert!(call("all").loops.is_empty());
    assert_eq!(
        call("check").loops.len(),
        2,
        "nested callbacks inherit the outer loop"
    );
    assert!(call("save").awaited);
    assert!(!call("handle").awaited);
    let closure = f
        .functions
        .iter()
        .find(|f| f.is_async && f.kind == FunctionKind::Closure)
        .unwrap();
    let map = f.calls.iter().position(|c| c.name == "map").unwrap() as u32;
    assert_eq!(closure.passed_to, Some(map));
    assert_eq!(f.calls[map as usize].args[0].value, ArgValue::Closure(1));
    assert_eq!(
        f.loops
            .iter()
            .filter(|l| l.kind == LoopKind::Callback)
            .count(),
        3
    );
}

#[test]
fn express_koa_fastify_and_hapi_handlers() {
    let f = js(r#"
const express = require('express');
const app = express();
const router = express.Router();
app.get('/users', async (req, res) => { res.json(await list()); });
router.post('/users', validate, createUser);
app.use((req, res, next) => next());
app.get('title');
app.route('/book').get(function (req, res) {}).put(asyncHandler(async (req, res) => {}));
const cache = new Map();
cache.get('/x', () => 1);
async function createUser(req, res) {}
function validate(req, res, next) {}
function notAHandler() {}
"#);
    let handler = |q: &str| function(&f, q).handler.clone();
    assert_eq!(handler("src/app.<lambda>@5").as_deref(), Some("express"));
    assert_eq!(handler("src/app.createUser").as_deref(), Some("express"));
    assert_eq!(handler("src/app.validate").as_deref(), Some("express"));
    assert_eq!(handler("src/app.<lambda>@7").as_deref(), Some("express"));
    assert_eq!(handler("src/app.notAHandler"), None);
    let on_route: Vec<_> = f.functions.iter().filter(|f| f.span.line == 9).collect();
    assert_eq!(on_route.len(), 2);
    assert!(
        on_route
            .iter()
            .all(|f| f.handler.as_deref() == Some("express")),
        "{}",
        summary(&f)
    );
    assert_eq!(handler("src/app.<lambda>@11"), None);

    let koa = js(r#"
import Koa from 'koa';
import Router from '@koa/router';
const app = new Koa();
const router = new Router();
router.get('/', async (ctx) => { ctx.body = 'ok'; });
app.use(async (ctx, next) => { await next(); });
"#);
    assert!(
        koa.functions
            .iter()
            .all(|f| f.handler.as_deref() == Some("koa")),
        "{}",
        summary(&koa)
    );

    let fastify = js(r#"
import Fastify from 'fastify';
const server = Fastify({ logger: true });
server.get('/a', { schema: {} }, async (request, reply) => {});
server.route({ method: 'GET', url: '/b', handler: async (request, reply) => {} });
server.route({ method: 'GET', url: '/c', async handler(request, reply) {} });
export default async function plugin(fastify) {
  fastify.get('/d', async () => ({}));
}
"#);
    let handlers: Vec<_> = fastify
        .functions
        .iter()
        .filter_map(|f| f.handler.as_deref())
        .collect();
    assert_eq!(handlers, vec!["fastify"; 4], "{}", summary(&fastify));

    let hapi = js(r#"
const Hapi = require('@hapi/hapi');
const server = Hapi.server({ port: 3000 });
server.route({ method: 'GET', path: '/', handler: (request, h) => 'ok' });
server.route([{ method: 'GET', path: '/x', options: { handler: getX } }]);
function getX(request, h) {}
"#);
    let handlers: Vec<_> = hapi
        .functions
        .iter()
        .map(|f| f.handler.as_deref())
        .collect();
    assert_eq!(
        handlers,
        vec![Some("hapi"), Some("hapi")],
        "{}",
        summary(&hapi)
    );
}

#[test]
fn next_js_routes_and_pages() {
    let api = facts_at(
        "web/pages/api/users.ts",
        Language::TypeScript,
        "export default async function handler(req, res) { res.json({}); }\nfunction helper() {}\n",
    );
    assert_eq!(
        function(&api, "web/pages/api/users.default")
            .handler
            .as_deref(),
        Some("nextjs")
    );
    assert_eq!(function(&api, "web/pages/api/users.helper").handler, None);

    let wrapped = facts_at(
        "pages/api/a.js",
        Language::JavaScript,
        "async function handler(req, res) {}\nexport default withAuth(handler);\n",
    );
    assert_eq!(
        function(&wrapped, "pages/api/a.handler").handler.as_deref(),
        Some("nextjs")
    );

    let route = facts_at(
        "src/app/api/users/route.ts",
        Language::TypeScript,
        "export async function GET(req: Request) {}\nexport const POST = withAuth(async (req) => {});\nexport function helper() {}\n",
    );
    assert_eq!(
        function(&route, "src/app/api/users/route.GET")
            .handler
            .as_deref(),
        Some("nextjs")
    );
    assert_eq!(route.functions[1].handler.as_deref(), Some("nextjs"));
    assert_eq!(
        function(&route, "src/app/api/users/route.helper").handler,
        None
    );

    let page = facts_at(
        "pages/users/[id].tsx",
        Language::Tsx,
        "export async function getServerSideProps(ctx) { return { props: {} }; }\nexport default function Page() { return <div onClick={() => go()}>x</div>; }\n",
    );
    assert_eq!(
        function(&page, "pages/users/[id].getServerSideProps")
            .handler
            .as_deref(),
        Some("nextjs")
    );
    assert_eq!(function(&page, "pages/users/[id].default").handler, None);
    assert!(page.notes.is_empty(), "{:?}", page.notes);
}

#[test]
fn nestjs_controllers_and_decorators() {
    let f = ts(r#"
import { Controller, Get, Post, Injectable } from '@nestjs/common';
import { Repository } from 'typeorm';
@Controller('users')
export class UsersController extends BaseController {
  constructor(private readonly repo: Repository<User>) { super(); }
  @Get(':id')
  async findOne(@Param('id') id: string) { return this.repo.findOne(id); }
  @Post()
  create() {}
  helper() {}
}
@Injectable()
export class UsersService {
  @Get()
  notARoute() {}
}
"#);
    let find = function(&f, "src/app.UsersController.findOne");
    assert_eq!(find.decorators, vec!["Get"]);
    assert_eq!(find.handler.as_deref(), Some("nestjs"));
    assert_eq!(
        function(&f, "src/app.UsersController.create")
            .handler
            .as_deref(),
        Some("nestjs")
    );
    assert_eq!(function(&f, "src/app.UsersController.helper").handler, None);
    assert_eq!(function(&f, "src/app.UsersService.notARoute").handler, None);
    assert_eq!(f.classes[0].decorators, vec!["Controller"]);
    assert_eq!(f.classes[0].bases, vec!["BaseController"]);
    assert_eq!(f.classes[1].decorators, vec!["Injectable"]);
    assert_eq!(
        resolved(&f, "findOne").as_deref(),
        Some("typeorm.Repository().findOne")
    );
}

#[test]
fn class_bases_resolve_through_imports() {
    let f = js("const { Model } = require('sequelize');\nclass User extends Model {}\nimport React from 'react';\nclass App extends React.Component {}\n");
    assert_eq!(f.classes[0].bases, vec!["sequelize.Model"]);
    assert_eq!(f.classes[1].bases, vec!["react.Component"]);
    assert_eq!(f.classes[0].qname, "src/app.User");
}

#[test]
fn sql_strings_and_templates() {
    let f = js(r#"
async function q(db, id) {
  await db.query('SELECT * FROM users WHERE id = $1', [id]);
  await db.query(`select name from orders where user_id = ${id} and x = ${y}`);
  await sql`UPDATE users SET name = ${name} WHERE id = ${id}`;
  alert('Select a file from the list');
  log('delete');
}
"#);
    let texts: Vec<&str> = f.sql.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "SELECT * FROM users WHERE id = $1",
            "select name from orders where user_id = ? and x = ?",
            "UPDATE users SET name = ? WHERE id = ?",
        ]
    );
    assert!(f.sql.iter().all(|s| s.function == Some(0)));
    let tagged = f.calls.iter().find(|c| c.name == "sql").unwrap();
    assert!(tagged.awaited);
    assert_eq!(
        tagged.args[0].value,
        ArgValue::Str("UPDATE users SET name = ? WHERE id = ?".into())
    );
}

#[test]
fn default_exports_are_named_default() {
    let f = facts_at(
        "src/h.js",
        Language::JavaScript,
        "function handler() {}\nmodule.exports = handler;\n",
    );
    assert_eq!(f.functions[0].qname, "src/h.default");
    let c = facts_at(
        "src/c.js",
        Language::JavaScript,
        "module.exports = class extends Base { run() {} };\nexports.Repo = class { find() {} };\n",
    );
    assert_eq!(c.classes[0].qname, "src/c.default");
    assert_eq!(c.functions[0].qname, "src/c.default.run");
    assert_eq!(c.classes[1].qname, "src/c.Repo");
    assert_eq!(c.functions[1].qname, "src/c.Repo.find");
    let t = ts("import fs = require('fs');\nasync function f() { fs.readFileSync('x'); }\n");
    assert_eq!(
        resolved(&t, "readFileSync").as_deref(),
        Some("fs.readFileSync")
    );
    let g = facts_at(
        "src/g.js",
        Language::JavaScript,
        "module.exports = async function (req) {};\nexports.other = () => 1;\n",
    );
    assert_eq!(g.functions[0].qname, "src/g.default");
    assert_eq!(g.functions[1].qname, "src/g.other");
    let h = facts_at("src/e.ts", Language::TypeScript, "const run = async () => {};\nexport { run as default };\nexport { helper } from './helper';\n");
    assert_eq!(h.functions[0].qname, "src/e.default");
    assert!(h
        .imports
        .iter()
        .any(|i| i.local == "helper" && i.target == "src/helper.helper"));
}

#[test]
fn closures_are_named_after_their_parent() {
    let f = js("async function main() {\n  setTimeout(() => {\n    run();\n  }, 10);\n}\nconst x = [1].map(v => v);\n");
    let inner = &f.functions[1];
    assert_eq!(inner.qname, "src/app.main.<lambda>@2");
    assert_eq!(inner.kind, FunctionKind::Closure);
    assert_eq!(inner.parent, Some(0));
    assert_eq!(f.functions[2].qname, "src/app.<lambda>@6");
    assert_eq!(
        f.calls.iter().find(|c| c.name == "run").unwrap().function,
        Some(1)
    );
}

#[test]
fn tsx_parses_and_syntax_errors_become_notes() {
    let tsx = facts_at("ui/App.tsx", Language::Tsx, "export const App = () => <div onClick={() => track('x')}>{items.map(i => <Item key={i} />)}</div>;\n");
    assert!(tsx.notes.is_empty());
    assert_eq!(tsx.functions.len(), 3);
    let broken = js("function ok() { fs.readFileSync('x'); }\nfunction bad( { \n");
    assert_eq!(broken.notes.len(), 1);
    assert!(
        broken.notes[0].message.contains("syntax error"),
        "{:?}",
        broken.notes
    );
    assert!(broken.calls.iter().any(|c| c.name == "readFileSync"));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 100_000;
    let parens = format!("x = {}1{};", "(".repeat(depth), ")".repeat(depth));
    let f = js(&parens);
    assert!(f.notes.is_empty());
    let arrays = format!("x = {}1{};", "[".repeat(depth), "]".repeat(depth));
    js(&arrays);
    let calls = format!("{}1{};", "f(".repeat(depth), ")".repeat(depth));
    let f = js(&calls);
    assert_eq!(f.calls.len(), depth);
    let chain = format!("a{};", ".b()".repeat(depth));
    let f = js(&chain);
    assert_eq!(f.calls.len(), depth);
    let arrows = format!("{}1;", "() => ".repeat(depth / 10));
    js(&arrows);
}
