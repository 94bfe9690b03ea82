//! Process-wide maps and what functions do to them.
//!
//! A *container* is an empty map declared where it outlives every request:
//! at module level (Python globals, JS module `const`, Ruby constants, Rust
//! statics and `thread_local!`), or at class level (Python class attributes,
//! JS/TS class properties, Ruby `@@x` and class-level `@x`, Rust struct
//! fields behind a `Mutex`/`RwLock`). Functions then *write* to it (store a
//! computed value under a key) or *evict* from it (take entries out, empty
//! it, rebind it, measure it).
//!
//! Writes and evictions are found through assignment facts (`X[k] = v`,
//! resolved like the declaration) and through method calls on the
//! container, whose receiver is read from the callee as written: `X`,
//! `self.X`/`this.X`/`cls.X`/`@X`/`@@X`, `Class.X`, and for Rust struct
//! fields `anything.X`, with lock guards (`.lock().unwrap()`,
//! `.borrow_mut()`, `.write().await`) looked through.

use super::catalog::Catalog;
use super::fresh::value_call;
use crate::facts::{Arg, ArgValue, Assign, AssignOp, AssignScope, CallId, FileFacts, FunctionId};
use crate::facts::{Language, Span};
use crate::model::Model;
use rustc_hash::FxHashMap;

/// Where a container lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// A module-level global or static.
    Module,
    /// A class attribute or class variable.
    Class,
    /// A field of a struct (Rust), shared behind a lock.
    Field,
    /// A field of a class the framework instantiates once per process (a
    /// NestJS provider or controller in the default singleton scope).
    Singleton,
}

/// Whether a class is instantiated once per process by its framework: a
/// class decorator listed as a singleton (`@Injectable()`), unless its
/// options ask for a narrower scope (`{ scope: Scope.REQUEST }`,
/// `Scope.TRANSIENT`).
fn singleton(facts: &FileFacts, class: Option<&str>, catalog: &Catalog) -> bool {
    let Some(name) = class else {
        return false;
    };
    let narrower = |args: &[Arg]| {
        args.iter().any(|a| match &a.value {
            ArgValue::Map(entries) => entries.iter().any(|(k, v)| {
                k == "scope"
                    && matches!(v, ArgValue::Path(p) if p.ends_with("REQUEST") || p.ends_with("TRANSIENT"))
            }),
            _ => false,
        })
    };
    facts
        .classes
        .iter()
        .filter(|c| c.name == name)
        .flat_map(|c| &c.decorator_calls)
        .filter_map(|&id| facts.calls.get(id as usize))
        .any(|call| {
            call.resolved
                .as_deref()
                .is_some_and(|r| catalog.singletons.iter().any(|s| s == r))
                && !narrower(&call.args)
        })
}

/// How a stored value is computed.
#[derive(Debug, Clone, Copy)]
pub enum Computed {
    /// By this call (directly, or through a local variable).
    Call(CallId),
    /// By this closure (`entry(k).or_insert_with(|| ..)`).
    Closure(FunctionId),
    /// Nothing but the key: a set's `add(key)`.
    Key,
}

/// A store of a computed value under a non-constant key, in a function.
#[derive(Debug, Clone)]
pub struct WriteSite {
    /// File index.
    pub file: u32,
    /// The function that writes.
    pub function: FunctionId,
    /// The store.
    pub span: Span,
    /// How the value is computed.
    pub value: Computed,
    /// The key names a record or a resource (`post.id`, `user_id`, `url`):
    /// one entry per row or URL, so the map grows with the data.
    pub data_key: bool,
}

/// An empty map declared where it outlives requests.
#[derive(Debug)]
pub struct Container<'a> {
    /// File index.
    pub file: u32,
    /// The declaration.
    pub decl: &'a Assign,
    /// Where it lives.
    pub home: Home,
    /// Stores of computed values under non-constant keys.
    pub writes: Vec<WriteSite>,
    /// Something takes entries out, empties, rebinds or measures it.
    pub evicted: bool,
}

/// Every container of the project, with its writes and evictions.
pub struct Containers<'a> {
    /// The containers.
    pub list: Vec<Container<'a>>,
    by_name: FxHashMap<&'a str, usize>,
    /// Rust struct-field containers by field name (`None`: ambiguous).
    fields: FxHashMap<&'a str, Option<usize>>,
}

/// Whether a declaration builds an empty, unbounded map.
fn is_container(facts: &FileFacts, assign: &Assign, catalog: &Catalog) -> bool {
    if let Some(annotation) = &assign.annotation {
        if catalog.container_type(annotation) {
            return true;
        }
    }
    match &assign.value {
        Some(ArgValue::Map(entries)) => entries.is_empty(),
        Some(ArgValue::Call(id)) => facts.calls.get(*id as usize).is_some_and(|c| {
            c.resolved
                .as_deref()
                .is_some_and(|r| catalog.container_call(r))
                && c.args.iter().all(|a| {
                    // A default factory or block, not initial contents.
                    matches!(a.value, ArgValue::Path(_) | ArgValue::Closure(_))
                })
        }),
        _ => false,
    }
}

impl<'a> Containers<'a> {
    /// Find the containers of every source file, then their writes and
    /// evictions across the project.
    pub fn new(model: &'a Model, catalogs: &'a FxHashMap<&'static str, Catalog>) -> Containers<'a> {
        let mut list = Vec::new();
        for (fi, file) in model.files.iter().enumerate() {
            let Some(catalog) = catalogs.get(file.language.family()) else {
                continue;
            };
            if !super::serves(file) {
                continue;
            }
            for assign in &file.facts.assigns {
                let home = match assign.scope {
                    AssignScope::Module => Home::Module,
                    AssignScope::Class if file.language == Language::Rust => Home::Field,
                    AssignScope::Class
                        if singleton(&file.facts, assign.class.as_deref(), catalog) =>
                    {
                        Home::Singleton
                    }
                    AssignScope::Class => Home::Class,
                    AssignScope::Local => continue,
                };
                if assign.resolved.is_none()
                    || !matches!(assign.op, AssignOp::Bind | AssignOp::OrBind)
                    || !is_container(&file.facts, assign, catalog)
                {
                    continue;
                }
                list.push(Container {
                    file: fi as u32,
                    decl: assign,
                    home,
                    writes: Vec::new(),
                    evicted: false,
                });
            }
        }
        let mut by_name = FxHashMap::default();
        let mut fields: FxHashMap<&str, Option<usize>> = FxHashMap::default();
        for (i, c) in list.iter().enumerate() {
            let name = c.decl.resolved.as_deref().unwrap_or_default();
            by_name.entry(name).or_insert(i);
            if c.home == Home::Field {
                fields
                    .entry(c.decl.target.as_str())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(i));
            }
        }
        let mut containers = Containers {
            list,
            by_name,
            fields,
        };
        if !containers.list.is_empty() {
            for (fi, file) in model.files.iter().enumerate() {
                if let Some(catalog) = catalogs.get(file.language.family()) {
                    containers.scan_file(model, fi as u32, catalog);
                }
            }
        }
        containers
    }

    /// Record the writes and evictions one file makes.
    fn scan_file(&mut self, model: &Model, fi: u32, catalog: &Catalog) {
        let facts = &model.file(fi).facts;
        for assign in &facts.assigns {
            let Some(function) = assign.function else {
                continue;
            };
            let Some(i) = assign.resolved.as_deref().and_then(|r| self.by_name.get(r)) else {
                continue;
            };
            let i = *i;
            if std::ptr::eq(self.list[i].decl, assign) {
                continue;
            }
            match assign.op {
                // Rebinding it from a function resets (or replaces) it;
                // `del CACHE[key]` takes entries out.
                AssignOp::Bind | AssignOp::Evict => self.list[i].evicted = true,
                AssignOp::Subscript => {
                    let key_constant = assign.key.as_deref().is_none_or(constant_text);
                    let value = assign
                        .value
                        .as_ref()
                        .and_then(|v| computed(facts, function, v, assign.span));
                    if let (false, Some(value)) = (key_constant, value) {
                        self.list[i].writes.push(WriteSite {
                            file: fi,
                            function,
                            span: assign.span,
                            value,
                            data_key: assign.key.as_deref().is_some_and(data_key),
                        });
                    }
                }
                AssignOp::OrBind | AssignOp::Augmented => {}
            }
        }
        for call in &facts.calls {
            let Some(function) = call.function else {
                continue;
            };
            // `atexit.register(CACHE.clear)`, `if len(CACHE) > 1000:`.
            for arg in &call.args {
                let ArgValue::Path(path) = &arg.value else {
                    continue;
                };
                let measured = catalog.size_checks.contains(&call.name);
                let target = match path.rsplit_once('.') {
                    Some((receiver, method)) if catalog.evictions.iter().any(|e| e == method) => {
                        Some(receiver)
                    }
                    _ if measured => Some(path.as_str()),
                    _ => None,
                };
                if let Some(i) = target.and_then(|t| self.container_of(model, fi, function, t)) {
                    self.list[i].evicted = true;
                }
            }
            let Some((receiver, _)) = call.callee.rsplit_once('.') else {
                continue;
            };
            let receiver = unwrap_guards(receiver);
            let by_resolved = call.resolved.as_deref().and_then(|r| {
                let (container, _) = r.rsplit_once('.')?;
                self.by_name.get(container).copied()
            });
            let Some(i) = by_resolved.or_else(|| self.container_of(model, fi, function, receiver))
            else {
                continue;
            };
            if catalog.evictions.contains(&call.name) {
                self.list[i].evicted = true;
            } else if let Some(write) = catalog.write(&call.name) {
                let expires = write
                    .ttl
                    .is_some_and(|t| positional(&call.args, t).is_some());
                let key_constant = expires
                    || write
                        .key
                        .is_some_and(|k| positional(&call.args, k).is_none_or(constant_value));
                let value = positional(&call.args, write.value)
                    .and_then(|v| computed(facts, function, v, call.span))
                    .or(write.keys_only.then_some(Computed::Key));
                if let (false, Some(value)) = (key_constant, value) {
                    let key = write.key.and_then(|k| positional(&call.args, k));
                    self.list[i].writes.push(WriteSite {
                        file: fi,
                        function,
                        span: call.span,
                        value,
                        data_key: matches!(key, Some(ArgValue::Path(p)) if data_key(p)),
                    });
                }
            }
        }
    }

    /// The container a receiver written in function `function` of file `fi`
    /// names, if any.
    fn container_of(
        &self,
        model: &Model,
        fi: u32,
        function: FunctionId,
        receiver: &str,
    ) -> Option<usize> {
        let file = model.file(fi);
        let facts = &file.facts;
        let module = facts.module.as_str();
        let lookup = |name: &str| self.by_name.get(name).copied();
        let class_qname = || {
            let mut cur = Some(function);
            while let Some(id) = cur {
                let f = facts.functions.get(id as usize)?;
                if f.class.is_some() {
                    return f.qname.rsplit_once('.').map(|(class, _)| class.to_string());
                }
                cur = f.parent;
            }
            None
        };
        let own = ["self.", "this.", "cls.", "@@", "@", "Self::"]
            .iter()
            .find_map(|p| receiver.strip_prefix(p));
        // A JS/TS class property written through `this` is an instance
        // field (facts do not mark `static`): per object, not per process,
        // unless the framework makes one object per process.
        let javascript = file.language.family() == "javascript";
        if javascript {
            if let Some(attr) = receiver.strip_prefix("this.") {
                return class_qname()
                    .and_then(|c| lookup(&format!("{c}.{attr}")))
                    .filter(|&i| self.list[i].home == Home::Singleton);
            }
        }
        if let Some(attr) = own {
            if let Some(i) = class_qname().and_then(|c| lookup(&format!("{c}.{attr}"))) {
                return Some(i);
            }
            return self.field(attr);
        }
        match receiver.split_once('.') {
            None => lookup(&format!("{module}.{receiver}"))
                .or_else(|| {
                    let import = facts.imports.iter().find(|i| i.local == receiver)?;
                    lookup(&import.target)
                })
                .or_else(|| {
                    // `PARSED.with(|m| m.borrow_mut().insert(..))`: the
                    // closure's parameter is the thread-local's value.
                    let f = facts.functions.get(function as usize)?;
                    let with = facts.calls.get(f.passed_to? as usize)?;
                    let local = with.callee.strip_suffix(".with")?;
                    lookup(&format!("{module}.{local}"))
                }),
            Some(_) => {
                let (_, attr) = receiver.rsplit_once('.')?;
                lookup(&format!("{module}.{receiver}")).or_else(|| {
                    (file.language == Language::Rust)
                        .then(|| self.field(attr))
                        .flatten()
                })
            }
        }
    }

    fn field(&self, name: &str) -> Option<usize> {
        self.fields.get(name).copied().flatten()
    }
}

/// The receiver with lock guards and entry calls looked through:
/// `CACHE.lock().unwrap()` → `CACHE`, `self.map.write().await` → `self.map`.
fn unwrap_guards(mut receiver: &str) -> &str {
    const GUARDS: &[&str] = &[
        ".lock()",
        ".unwrap()",
        ".expect()",
        ".write()",
        ".borrow_mut()",
        ".await",
        ".entry()",
        ".get_mut()",
        "?",
    ];
    for _ in 0..16 {
        match GUARDS.iter().find_map(|g| receiver.strip_suffix(g)) {
            Some(rest) => receiver = rest,
            None => break,
        }
    }
    receiver
}

/// The `n`th positional argument.
pub(super) fn positional(args: &[Arg], n: usize) -> Option<&ArgValue> {
    args.iter()
        .filter(|a| a.keyword.is_none())
        .nth(n)
        .map(|a| &a.value)
}

/// A key that is the same on every call: a literal or an ALL_CAPS constant.
fn constant_value(value: &ArgValue) -> bool {
    match value {
        ArgValue::Str(_) | ArgValue::Number(_) | ArgValue::Bool(_) | ArgValue::Null => true,
        ArgValue::Path(p) => constant_text(p),
        _ => false,
    }
}

/// A key as written that is the same on every call.
fn constant_text(key: &str) -> bool {
    let last = key.rsplit(['.', ':']).next().unwrap_or(key);
    key.starts_with(['"', '\'', ':', '`'])
        || key.chars().next().is_some_and(|c| c.is_ascii_digit())
        || matches!(
            key,
            "True" | "False" | "None" | "true" | "false" | "nil" | "null"
        )
        || (last.chars().any(|c| c.is_ascii_uppercase())
            && last
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
}

/// A key that names a record or a resource: `post.id`, `user_id`,
/// `userId`, `order.pk`, `request.path`, `url`, `email`.
fn data_key(key: &str) -> bool {
    let last = key.rsplit(['.', '[', ':']).next().unwrap_or(key);
    let last = last.trim_end_matches([']', ')']).trim_start_matches('@');
    let lower = last.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "id" | "pk" | "uuid" | "url" | "uri" | "path" | "email" | "slug" | "token" | "username"
    ) || ["_id", "_pk", "_uuid", "_url", "_email", "_slug"]
        .iter()
        .any(|s| lower.ends_with(s))
        || last.ends_with("Id")
        || last.ends_with("Url")
}

/// How a stored value is computed, if it is: a call, a local variable bound
/// to a call earlier in the same function, or a closure. Parameters,
/// functions and classes stored by name (registries) are not computed.
pub(super) fn computed(
    facts: &FileFacts,
    function: FunctionId,
    value: &ArgValue,
    at: Span,
) -> Option<Computed> {
    match value {
        // An object built per write (`{ html: convert(post), at: now }`).
        ArgValue::Map(entries) => entries.iter().find_map(|(_, v)| match v {
            ArgValue::Call(id) => Some(Computed::Call(*id)),
            _ => None,
        }),
        ArgValue::Closure(f) => Some(Computed::Closure(*f)),
        _ => value_call(facts, Some(function), value, at.start).map(Computed::Call),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_and_constants() {
        assert_eq!(unwrap_guards("CACHE.lock().unwrap()"), "CACHE");
        assert_eq!(unwrap_guards("self.map.write().await"), "self.map");
        assert_eq!(unwrap_guards("MEMO.lock().unwrap().entry()"), "MEMO");
        assert!(constant_text("'all'"));
        assert!(constant_text(":plans"));
        assert!(constant_text("settings.DEFAULT_KEY"));
        assert!(!constant_text("key"));
        assert!(!constant_text("request.user.id"));
        assert!(!constant_text("(a, b)"));
        assert!(data_key("post.id") && data_key("user_id") && data_key("userId"));
        assert!(data_key("request.path") && !data_key("language") && !data_key("cls"));
    }
}
