//! Fresh data: which calls read the database or another service, and which
//! project functions do, through the functions they call.
//!
//! A cache of such data goes stale when the source changes; a cache of
//! values computed from arguments and literals does not. Queries come from
//! the n-plus-one catalogs (with ORM model classes written as their tokens),
//! synchronous database and network calls from the blocking-call catalogs,
//! and async clients from this family's own `[[sources]]`.

use super::catalog::{Catalog, Fresh};
use crate::facts::{
    ArgValue, AssignOp, AssignScope, Call, CallId, FileFacts, FunctionId, FunctionKind, LoopKind,
};
use crate::finding::Evidence;
use crate::model::{propagate, CallRef, FnRef, Model, Reach};
use crate::rules::blocking_call::catalog as blocking;
use crate::rules::chain::{call_hop, chain, Hop};
use crate::rules::n_plus_one::catalog as queries;
use crate::rules::n_plus_one::models::ModelIndex;
use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::RefCell;

/// A call that fetches fresh data itself.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    call: CallRef,
    fresh: Fresh,
}

/// Where a value comes from, for a message: the kind of source and the
/// chain of calls down to the fetch.
#[derive(Debug, Clone)]
pub struct Origin {
    /// What is read.
    pub fresh: Fresh,
    /// "`load_plans()` → `Plan.objects.all()` at billing/plans.py:12".
    pub text: String,
    /// The calls down to the fetch.
    pub evidence: Vec<Evidence>,
}

/// The catalogs one language family reads fresh data through.
struct Sources<'a> {
    queries: Option<(&'a queries::Catalog, ModelIndex<'a>)>,
    blocking: Option<&'a blocking::Catalog>,
    own: &'a Catalog,
}

/// Which calls and functions fetch fresh data.
pub struct FreshIndex<'a> {
    model: &'a Model,
    sources: FxHashMap<&'static str, Sources<'a>>,
    reached: FxHashMap<FnRef, Reach<Site>>,
    /// What a resolved callee fetches by its name alone, per language
    /// family and awaitedness: many calls share a callee, and matching the
    /// catalogs' globs is the expensive part.
    by_name: RefCell<FxHashMap<(&'static str, bool, String), ByName>>,
}

/// What a callee's name alone says about the data its call returns.
#[derive(Clone, Copy)]
enum ByName {
    /// A read from a cache: a copy, not a source.
    CacheRead,
    /// Fresh data.
    Fresh(Fresh),
    /// Nothing by name (its arguments may still say more).
    Unknown,
}

/// What a callee's name says in one language family's catalogs.
fn by_name(sources: &Sources, resolved: &str, awaited: bool) -> ByName {
    if let Some((catalog, index)) = &sources.queries {
        // A read from a cache is a copy, not the source: caching it again
        // is layering, not staleness of its own.
        if catalog.memo(resolved) {
            return ByName::CacheRead;
        }
        if catalog
            .query_call(&index.canonical(resolved), awaited)
            .is_some()
        {
            return ByName::Fresh(Fresh::Database);
        }
    }
    if let Some(entry) = sources.blocking.and_then(|b| b.blocking_call(resolved)) {
        match entry.rule.as_str() {
            "sync-db" => return ByName::Fresh(Fresh::Database),
            "sync-network" => return ByName::Fresh(Fresh::Network),
            _ => {}
        }
    }
    sources
        .own
        .source(resolved)
        .map_or(ByName::Unknown, ByName::Fresh)
}

/// The named function (not closure) a function id belongs to.
pub fn named(facts: &FileFacts, mut func: FunctionId) -> Option<FunctionId> {
    for _ in 0..facts.functions.len() {
        let f = facts.functions.get(func as usize)?;
        if matches!(f.kind, FunctionKind::Function | FunctionKind::Method) {
            return Some(func);
        }
        func = f.parent?;
    }
    None
}

impl<'a> FreshIndex<'a> {
    /// Classify every call of the project and spread the result over the
    /// call graph.
    pub fn new(model: &'a Model, own: &'a FxHashMap<&'static str, Catalog>) -> FreshIndex<'a> {
        let query_catalogs = queries::catalogs();
        let blocking_catalogs = blocking::catalogs();
        let sources = own
            .iter()
            .map(|(family, catalog)| {
                let queries = query_catalogs
                    .get(family)
                    .map(|q| (q, ModelIndex::new(model, family, q)));
                (
                    *family,
                    Sources {
                        queries,
                        blocking: blocking_catalogs.get(family),
                        own: catalog,
                    },
                )
            })
            .collect();
        let mut index = FreshIndex {
            model,
            sources,
            reached: FxHashMap::default(),
            by_name: RefCell::default(),
        };
        let mut seeds = Vec::new();
        let mut edges = Vec::new();
        for (fi, file) in model.files.iter().enumerate() {
            let fi = fi as u32;
            if !index.sources.contains_key(file.language.family()) {
                continue;
            }
            let facts = &file.facts;
            let iterated: FxHashSet<&str> = facts
                .loops
                .iter()
                .filter(|l| l.kind != LoopKind::Callback && l.kind != LoopKind::While)
                .filter_map(|l| l.iterable_resolved.as_deref()?.strip_suffix("()"))
                .collect();
            for (ci, call) in facts.calls.iter().enumerate() {
                let here = CallRef {
                    file: fi,
                    call: ci as u32,
                };
                let Some(caller) = call.function.and_then(|f| named(facts, f)) else {
                    continue;
                };
                let caller = FnRef {
                    file: fi,
                    func: caller,
                };
                let fresh = index
                    .direct(fi, call)
                    .or_else(|| index.iterated_query(fi, call, &iterated));
                if let Some(fresh) = fresh {
                    seeds.push((caller, Site { call: here, fresh }));
                } else if let Some(callee) = model.callee(fi, call) {
                    edges.push((caller, here, callee));
                }
            }
        }
        index.reached = propagate(seeds, &edges);
        index
    }

    /// The fresh data a call fetches itself. A method called on the result of a fetch (`fetch_one().await.unwrap()`,
    /// `Order.objects.get().total()`) is derived from it: the callee and
    /// each of its receiver calls are tried, outermost first.
    fn direct(&self, file: u32, call: &Call) -> Option<Fresh> {
        let resolved = call.resolved.as_deref()?;
        if let Some(fresh) = self.direct_callee(file, call, resolved) {
            return Some(fresh);
        }
        let receivers: Vec<usize> = resolved.match_indices("().").map(|(i, _)| i).collect();
        receivers
            .iter()
            .rev()
            .find_map(|&i| self.direct_callee(file, call, &resolved[..i]))
    }

    fn direct_callee(&self, file: u32, call: &Call, resolved: &str) -> Option<Fresh> {
        let parsed = self.model.file(file);
        let family = parsed.language.family();
        let sources = self.sources.get(family)?;
        let key = (family, call.awaited, resolved.to_string());
        let cached = self.by_name.borrow().get(&key).copied();
        let by_name = cached.unwrap_or_else(|| {
            let found = by_name(sources, resolved, call.awaited);
            self.by_name.borrow_mut().insert(key, found);
            found
        });
        match by_name {
            ByName::CacheRead => None,
            ByName::Fresh(fresh) => Some(fresh),
            ByName::Unknown => {
                // `list(Model.objects.filter(..))` evaluates the query it is given.
                let (catalog, index) = sources.queries.as_ref()?;
                if !sources.own.materialise.iter().any(|m| m == resolved) {
                    return None;
                }
                let evaluated = call.args.first().and_then(|a| match a.value {
                    ArgValue::Call(id) => parsed.facts.calls.get(id as usize),
                    _ => None,
                });
                let inner = evaluated.and_then(|c| c.resolved.as_deref())?;
                let iterable = format!("{}()", index.canonical(inner));
                catalog.query_iterable(&iterable).map(|_| Fresh::Database)
            }
        }
    }

    /// A call whose result a loop iterates, when iterating it runs a query
    /// (`for f in Flag.objects.all()`).
    fn iterated_query(&self, file: u32, call: &Call, iterated: &FxHashSet<&str>) -> Option<Fresh> {
        let resolved = call.resolved.as_deref()?;
        if !iterated.contains(resolved) {
            return None;
        }
        let sources = self.sources.get(self.model.file(file).language.family())?;
        let (catalog, index) = sources.queries.as_ref()?;
        let canonical = format!("{}()", index.canonical(resolved));
        catalog.query_iterable(&canonical).map(|_| Fresh::Database)
    }

    /// What a call fetches: itself, through the calls in its arguments, or
    /// through the project function it invokes.
    pub fn call(&self, file: u32, call: CallId) -> Option<Origin> {
        let facts = &self.model.file(file).facts;
        let mut pending = vec![call];
        // Calls nested in arguments have larger ids only through their own
        // arguments; the cap keeps hostile input linear.
        for _ in 0..64 {
            let id = pending.pop()?;
            let c = facts.calls.get(id as usize)?;
            if let Some(fresh) = self.direct(file, c) {
                return Some(self.site_origin(
                    Site {
                        call: CallRef { file, call: id },
                        fresh,
                    },
                    None,
                ));
            }
            if let Some(origin) = self
                .model
                .callee(file, c)
                .and_then(|f| self.function_via(f, Some(CallRef { file, call: id })))
            {
                return Some(origin);
            }
            // What the arguments hold: `json.dumps(price.amount)` with
            // `price = Price.objects.get(..)` earlier.
            pending.extend(
                c.args
                    .iter()
                    .filter_map(|a| value_call(facts, c.function, &a.value, c.span.start)),
            );
            // `name.clone()` where `name = fetch(..)` earlier in the function.
            if let Some((root, _)) = c.callee.split_once('.') {
                pending.extend(local_call(facts, c.function, root, c.span.start));
            }
        }
        None
    }

    /// What a function (or closure) body fetches: a fetching call made in it
    /// or in a closure inside it.
    pub fn body(&self, file: u32, func: FunctionId) -> Option<Origin> {
        let facts = &self.model.file(file).facts;
        facts.calls.iter().enumerate().find_map(|(ci, c)| {
            let inside = c.function.is_some_and(|f| within(facts, f, func));
            if inside {
                self.call(file, ci as CallId)
            } else {
                None
            }
        })
    }

    /// What a named project function fetches, through the functions it calls.
    pub fn function(&self, f: FnRef) -> Option<Origin> {
        self.function_via(f, None)
    }

    fn function_via(&self, f: FnRef, entry: Option<CallRef>) -> Option<Origin> {
        let hops = chain(f, &self.reached)?;
        let model = self.model;
        let mut names = Vec::new();
        let mut evidence = Vec::new();
        if let Some(call) = entry {
            names.push(format!("`{}()`", model.call(call).callee));
        }
        let mut site = None;
        for hop in &hops {
            match hop {
                Hop::Call(from, via) => {
                    let (name, step) = call_hop(model, *from, *via);
                    names.push(name);
                    evidence.push(step);
                }
                Hop::Site(_, s) => site = Some(*s),
            }
        }
        let mut origin = self.site_origin(site?, Some(names));
        evidence.append(&mut origin.evidence);
        origin.evidence = evidence;
        Some(origin)
    }

    fn site_origin(&self, site: Site, before: Option<Vec<String>>) -> Origin {
        let call = self.model.call(site.call);
        let path = &self.model.file(site.call.file).path;
        let line = call.span.line;
        let mut names = before.unwrap_or_default();
        names.push(format!("`{}()` at {path}:{line}", call.callee));
        Origin {
            fresh: site.fresh,
            text: names.join(" → "),
            evidence: vec![Evidence {
                path: path.clone(),
                line,
                note: format!("`{}()` reads {}", call.callee, site.fresh.noun()),
            }],
        }
    }
}

/// The call a value is or holds: a call; a local variable bound to a call
/// earlier in the same function (`value`), or a field or element of one
/// (`result.rows[0]`); or, where the extractor spells a local as the
/// expression that made it, the latest call of that expression before
/// `before` (`pg.Pool().query().rows`).
pub fn value_call(
    facts: &FileFacts,
    function: Option<FunctionId>,
    value: &ArgValue,
    before: u32,
) -> Option<CallId> {
    let text = match value {
        ArgValue::Call(id) => return Some(*id),
        ArgValue::Path(text) | ArgValue::Other(text) => text.as_str(),
        _ => return None,
    };
    if let Some(id) = made_by(facts, function, text, before) {
        return Some(id);
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    let root = &text[..end];
    if root.is_empty() || matches!(root, "self" | "this" | "cls") {
        return None;
    }
    local_call(facts, function, root, before)
}

/// The latest call before `before`, in the same function, of the
/// expression a resolved path starts with: `pg.Pool().query()` for
/// `pg.Pool().query().rows`.
fn made_by(
    facts: &FileFacts,
    function: Option<FunctionId>,
    path: &str,
    before: u32,
) -> Option<CallId> {
    let callee = &path[..path.rfind("()")?];
    let (id, _) = facts.calls.iter().enumerate().rev().find(|(_, c)| {
        function.is_some()
            && c.function == function
            && c.span.start < before
            && c.resolved.as_deref() == Some(callee)
    })?;
    Some(id as CallId)
}

/// The call a local variable was last bound to before `before`, in the
/// same function: its value, or the call its value is a part of
/// (`rows` in `const { rows } = await pool.query()`).
pub fn local_call(
    facts: &FileFacts,
    function: Option<FunctionId>,
    name: &str,
    before: u32,
) -> Option<CallId> {
    facts
        .assigns
        .iter()
        .rev()
        .filter(|a| {
            function.is_some()
                && a.function == function
                && a.scope == AssignScope::Local
                && a.op == AssignOp::Bind
                && a.target == name
                && a.span.start < before
        })
        .find_map(|a| match &a.value {
            Some(ArgValue::Call(id)) => Some(*id),
            Some(ArgValue::Path(path)) => made_by(facts, function, path, a.span.end),
            _ => None,
        })
}

/// Whether function `inner` is `outer` or defined inside it.
pub fn within(facts: &FileFacts, inner: FunctionId, outer: FunctionId) -> bool {
    let mut cur = Some(inner);
    for _ in 0..=facts.functions.len() {
        match cur {
            Some(id) if id == outer => return true,
            Some(id) => cur = facts.functions.get(id as usize).and_then(|f| f.parent),
            None => return false,
        }
    }
    false
}
