//! Request handlers: Express / Koa / Fastify / Hapi route registrations,
//! Next.js API routes and route handlers, and NestJS controllers.

use super::kinds::{Field, Kind};
use super::naming::Naming;
use super::resolve::{first_named, unquote, Chain, Use};
use super::walker::Walker;
use crate::facts::{Arg, ArgValue, FunctionKind};
use std::collections::HashMap;
use tree_sitter::Node;

/// Methods that register a route handler on an app or router.
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "options", "head", "use", "route",
];
/// HTTP method exports of a Next.js route handler file.
const NEXT_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/// NestJS method decorators that make a controller method a handler.
const NEST_ROUTES: &[&str] = &[
    "Get", "Post", "Put", "Patch", "Delete", "All", "Head", "Options",
];
/// NestJS GraphQL resolver method decorators.
const NEST_RESOLVERS: &[&str] = &["Query", "Mutation", "ResolveField", "Subscription"];
/// Receiver names that mean an app or router when their type is unknown.
const ROUTER_NAMES: &[&str] = &["app", "router", "server", "api", "fastify", "instance"];
/// Packages whose instances have `get`/`post` methods but are HTTP clients.
const CLIENTS: &[&str] = &[
    "axios",
    "got",
    "ky",
    "superagent",
    "supertest",
    "node-fetch",
    "undici",
    "needle",
];

/// What a file is to a framework, from its path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum FileRole {
    /// Nothing special.
    #[default]
    Plain,
    /// A Next.js page (`pages/...`): `getServerSideProps` runs per request.
    NextPage,
    /// A Next.js API route (`pages/api/...`): the default export is a handler.
    NextApi,
    /// A Next.js route handler (`app/**/route.ts`): `GET`, `POST`... are handlers.
    NextRoute,
}

impl FileRole {
    /// The role of a file from its `/`-separated path.
    pub(super) fn from_path(path: &str) -> FileRole {
        let segments: Vec<&str> = path.split('/').collect();
        let Some((file, dirs)) = segments.split_last() else {
            return FileRole::Plain;
        };
        let stem = file.split('.').next().unwrap_or("");
        let has_pair = |a: &str, b: &str| dirs.windows(2).any(|w| w[0] == a && w[1] == b);
        if has_pair("pages", "api") {
            FileRole::NextApi
        } else if stem == "route" && dirs.contains(&"app") {
            FileRole::NextRoute
        } else if dirs.contains(&"pages") {
            FileRole::NextPage
        } else {
            FileRole::Plain
        }
    }
}

/// The framework a package belongs to.
fn framework_of_package(package: &str) -> Option<&'static str> {
    Some(match package {
        "express" => "express",
        "koa" | "koa-router" | "@koa/router" => "koa",
        "fastify" => "fastify",
        "@hapi/hapi" | "hapi" => "hapi",
        "hono" => "hono",
        _ => return None,
    })
}

/// The package a resolved name starts with (`@koa/router()` → `@koa/router`).
fn package_of(resolved: &str) -> &str {
    resolved.split(['.', '(']).next().unwrap_or(resolved)
}

impl<'a, 't> Walker<'a, 't> {
    /// Remember the web framework a file imports.
    pub(super) fn note_framework(&mut self, target: &str) {
        if self.framework.is_none() {
            self.framework = framework_of_package(package_of(target));
        }
    }

    /// The framework when `call` registers request handlers: a route
    /// method on an app or router, or a Next.js export wrapped in a call.
    pub(super) fn route_framework(
        &self,
        call: Node<'t>,
        chain: &Chain,
        args: &[Arg],
    ) -> Option<&'static str> {
        if self.is_next_export_value(call) {
            return Some("nextjs");
        }
        if !ROUTE_METHODS.contains(&chain.name.as_str()) {
            return None;
        }
        let function = self.field(call, Field::Function)?;
        if self.kind(function) != Kind::Member {
            return None;
        }
        let receiver = self.field(function, Field::Object)?;
        let (framework, on_route) = self.receiver_framework(receiver)?;
        let has_path = matches!(args.first().map(|a| &a.value), Some(ArgValue::Str(_)))
            || args.first().is_some_and(|_| self.first_arg_is_path(call));
        match chain.name.as_str() {
            "use" | "route" => Some(framework),
            _ if has_path || on_route => Some(framework),
            _ => None,
        }
    }

    fn first_arg_is_path(&self, call: Node) -> bool {
        self.field(call, Field::Arguments)
            .and_then(first_named)
            .is_some_and(|a| matches!(a.kind(), "template_string" | "array" | "regex"))
    }

    /// Whether a call is the value of a Next.js handler export
    /// (`export default withAuth(...)`, `export const GET = wrap(...)`).
    fn is_next_export_value(&self, call: Node) -> bool {
        let parent = self.ancestor(0);
        match self.role {
            FileRole::NextApi => parent.is_some_and(|p| self.is_default_export(p)),
            FileRole::NextRoute => {
                let declarator = parent.filter(|p| self.kind(*p) == Kind::Declarator);
                let named = declarator
                    .and_then(|d| self.field(d, Field::Name))
                    .is_some_and(|n| NEXT_METHODS.contains(&self.text_of(n)));
                let value = declarator.and_then(|d| self.field(d, Field::Value));
                named
                    && value.is_some_and(|v| v.id() == call.id())
                    && self
                        .ancestor(2)
                        .is_some_and(|e| self.kind(e) == Kind::Export)
            }
            _ => false,
        }
    }

    /// The framework of an app or router receiver, and whether the receiver
    /// is a route chain (`app.route('/x')`) whose methods need no path.
    fn receiver_framework(&self, receiver: Node<'t>) -> Option<(&'static str, bool)> {
        let mut receiver = receiver;
        let mut on_route = false;
        for _ in 0..4 {
            if self.kind(receiver) != Kind::Call {
                break;
            }
            let function = self.field(receiver, Field::Function)?;
            let chain = self.chain(function, Use::Callee);
            if !ROUTE_METHODS.contains(&chain.name.as_str()) || self.kind(function) != Kind::Member
            {
                break;
            }
            on_route |= chain.name == "route";
            receiver = self.field(function, Field::Object)?;
        }
        if let Some(resolved) = self.resolve_value(receiver) {
            let package = package_of(&resolved);
            if let Some(framework) = framework_of_package(package) {
                return Some((framework, on_route));
            }
            if CLIENTS.contains(&package) {
                return None;
            }
        }
        let name = self.chain(receiver, Use::Value).name;
        let lower = name.to_ascii_lowercase();
        let named = ROUTER_NAMES.contains(&lower.as_str())
            || name.ends_with("Router")
            || name.ends_with("router")
            || name.ends_with("App");
        if !named {
            return None;
        }
        let framework = if lower == "fastify" {
            "fastify"
        } else {
            self.framework.unwrap_or("express")
        };
        Some((framework, on_route))
    }

    /// Remember project functions passed by name to a route registration
    /// (`app.get('/x', listUsers)`, `wrap(listUsers)`, `{ handler: list }`).
    pub(super) fn collect_handler_refs(&mut self, call: Node<'t>, framework: &'static str) {
        let Some(args) = self.field(call, Field::Arguments) else {
            return;
        };
        let mut work: Vec<(Node<'t>, u8)> = Vec::new();
        let mut cursor = args.walk();
        work.extend(args.named_children(&mut cursor).map(|a| (a, 0)));
        let prefix_len = self.module.len();
        while let Some((arg, depth)) = work.pop() {
            match self.kind(arg) {
                Kind::Identifier | Kind::Member => {
                    if let Some(q) = self.resolve_value(arg) {
                        let local = q.starts_with(self.module)
                            && q.as_bytes().get(prefix_len) == Some(&b'.');
                        if local {
                            self.handler_refs.push((q, framework));
                        }
                    }
                }
                Kind::Call if depth < 2 => {
                    if let Some(bound) = self.bound_function(arg) {
                        work.push((bound, depth + 1));
                    } else if let Some(inner) = self.field(arg, Field::Arguments) {
                        let mut cursor = inner.walk();
                        work.extend(inner.named_children(&mut cursor).map(|a| (a, depth + 1)));
                    }
                }
                Kind::Object if depth < 3 => {
                    let mut cursor = arg.walk();
                    for pair in arg.named_children(&mut cursor) {
                        let key = self
                            .field(pair, Field::Key)
                            .map(|k| unquote(self.text_of(k)));
                        let value = self.field(pair, Field::Value);
                        if let (Some("handler" | "options" | "config"), Some(v)) = (key, value) {
                            work.push((v, depth + 1));
                        }
                    }
                }
                _ if depth < 2 && arg.kind() == "array" => {
                    let mut cursor = arg.walk();
                    work.extend(arg.named_children(&mut cursor).map(|a| (a, depth + 1)));
                }
                _ => {}
            }
        }
    }

    /// The framework a function being entered handles requests for.
    pub(super) fn handler_for(
        &self,
        node: Node<'t>,
        naming: &Naming,
        decorators: &[String],
    ) -> Option<&'static str> {
        if let Some(f) = self.nest_handler(naming, decorators) {
            return Some(f);
        }
        if self.at_module_level() && self.is_next_handler_name(&naming.qname) {
            return Some("nextjs");
        }
        let direct = self.open_call_of_argument(0);
        if let Some(open) = direct {
            if let Some(f) = self.calls[open].route {
                return Some(f);
            }
            // A wrapper: `app.get('/x', asyncHandler(async (req, res) => ..))`.
            if let Some(outer) = self.open_call_of_argument(2) {
                return self.calls[outer].route;
            }
            return None;
        }
        self.handler_in_options(node)
    }

    /// `{ method, path, handler }` objects given to `route(...)`.
    fn handler_in_options(&self, node: Node<'t>) -> Option<&'static str> {
        let (key, mut at) = match self.kind(node) {
            Kind::Method => (self.field(node, Field::Name)?, 0),
            _ => {
                let pair = self.ancestor(0).filter(|p| self.kind(*p) == Kind::Pair)?;
                (self.field(pair, Field::Key)?, 1)
            }
        };
        if unquote(self.text_of(key)) != "handler" {
            return None;
        }
        for _ in 0..4 {
            if self.kind(self.ancestor(at)?) != Kind::Object {
                return None;
            }
            let parent = self.ancestor(at + 1)?;
            match (self.kind(parent), parent.kind()) {
                (Kind::Arguments, _) => {
                    let open = self.open_call_of_argument(at + 1)?;
                    return self.calls[open].route;
                }
                (_, "array") => at += 2,
                (Kind::Pair, _) => {
                    let key = self.field(parent, Field::Key)?;
                    if !matches!(unquote(self.text_of(key)), "options" | "config") {
                        return None;
                    }
                    at += 2;
                }
                _ => return None,
            }
        }
        None
    }

    fn nest_handler(&self, naming: &Naming, decorators: &[String]) -> Option<&'static str> {
        if naming.kind != FunctionKind::Method || decorators.is_empty() {
            return None;
        }
        let class = self.classes.get(naming.class_index?)?;
        let last = |d: &String| d.rsplit('.').next().unwrap_or("").to_string();
        let class_has = |name: &str| class.decorators.iter().any(|d| last(d) == name);
        let method_has =
            |names: &[&str]| decorators.iter().any(|d| names.contains(&last(d).as_str()));
        let routes = class_has("Controller") && method_has(NEST_ROUTES);
        let resolvers = class_has("Resolver") && method_has(NEST_RESOLVERS);
        (routes || resolvers).then_some("nestjs")
    }

    fn is_next_handler_name(&self, qname: &str) -> bool {
        let Some(name) = qname
            .strip_prefix(self.module)
            .and_then(|r| r.strip_prefix('.'))
        else {
            return false;
        };
        match self.role {
            FileRole::NextApi => name == "default",
            FileRole::NextRoute => NEXT_METHODS.contains(&name),
            FileRole::NextPage => name == "getServerSideProps",
            FileRole::Plain => false,
        }
    }

    /// Mark the functions that were passed to route registrations by name.
    pub(super) fn mark_referenced_handlers(&mut self) {
        if self.handler_refs.is_empty() {
            return;
        }
        let refs: HashMap<&str, &'static str> = self
            .handler_refs
            .iter()
            .map(|(q, f)| (q.as_str(), *f))
            .collect();
        for function in &mut self.facts.functions {
            if function.handler.is_none() {
                if let Some(f) = refs.get(function.qname.as_str()) {
                    function.handler = Some(f.to_string());
                }
            }
        }
    }
}
