//! `adhoc-cache/unbounded-lru`: a memoising decorator (`functools.cache`,
//! `functools.lru_cache`) on a function that reads the database or the
//! network (its result never refreshes; unbounded keys when no size is
//! given), or on a method of a class instantiated per request or per loop
//! iteration (the cache keeps every `self` alive). A function whose cache
//! the project clears (`f.cache_clear()`) is managed and left alone.
//! `functools.cached_property` is per instance and is left alone.
//!
//! JavaScript memoises by wrapping instead: a module-level
//! `const getUser = memoize(async (id) => ...)` (lodash, memoizee, moize,
//! p-memoize...) whose function reads the database or the network is the
//! same stale, per-process cache, unless an option expires its entries.

use super::catalog::{Memo, Wrappers};
use super::fresh::Origin;
use super::{cause, severity, Family};
use crate::facts::{
    ArgValue, Assign, Call, CallId, FileFacts, Function, FunctionKind, Language, Span,
};
use crate::finding::Finding;
use crate::model::FnRef;
use std::collections::HashSet;

/// Rule id.
pub const RULE: &str = "adhoc-cache/unbounded-lru";

/// How big a memoising decorator lets its cache grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// No limit.
    Unbounded,
    /// A limit (given, or the decorator's default).
    Sized,
}

/// A memoising decorator on a function: its bound, as written, and where.
struct Decorator {
    bound: Bound,
    text: String,
    span: Span,
}

/// A dotted name as written resolved through the file's imports
/// (`lru_cache` → `functools.lru_cache`).
fn resolve(facts: &FileFacts, name: &str) -> String {
    let (head, rest) = name.split_once('.').unwrap_or((name, ""));
    match facts.imports.iter().find(|i| i.local == head) {
        Some(import) if rest.is_empty() => import.target.clone(),
        Some(import) => format!("{}.{rest}", import.target),
        None => name.to_string(),
    }
}

/// The bound a sized decorator call gives: `maxsize=None` (or a first
/// positional `None`) means none.
fn call_bound(call: &Call, memo: &Memo) -> Bound {
    let size = call
        .args
        .iter()
        .find(|a| a.keyword.as_deref() == Some(memo.size_keyword.as_str()))
        .or_else(|| call.args.iter().find(|a| a.keyword.is_none()));
    match size.map(|a| &a.value) {
        Some(ArgValue::Null) => Bound::Unbounded,
        _ => Bound::Sized,
    }
}

/// The memoising decorator on a function, if any.
fn decorator(
    facts: &FileFacts,
    language: Language,
    func: &Function,
    memo: &Memo,
) -> Option<Decorator> {
    let listed = |name: &str, list: &[String]| list.iter().any(|d| d == name);
    for written in &func.decorators {
        let call = func
            .decorator_calls
            .iter()
            .filter_map(|&c| facts.calls.get(c as usize))
            .find(|c| c.callee == *written);
        let resolved = call
            .and_then(|c| c.resolved.clone())
            .unwrap_or_else(|| resolve(facts, written));
        // Keys of an attribute (`#[cached(size = 100, time = 60)]`), reported
        // as `cached::size`, `cached::time`.
        let keys: Vec<&str> = func
            .decorators
            .iter()
            .filter_map(|d| d.strip_prefix(written.as_str())?.strip_prefix("::"))
            .collect();
        let bound = if listed(&resolved, &memo.unbounded) {
            if keys.iter().any(|k| listed(k, &memo.expiry_keywords)) {
                return None;
            }
            if keys.contains(&memo.size_keyword.as_str()) {
                Bound::Sized
            } else {
                Bound::Unbounded
            }
        } else if listed(&resolved, &memo.sized) {
            call.map_or(Bound::Sized, |c| call_bound(c, memo))
        } else {
            continue;
        };
        let (text, span) = match call {
            Some(c) => {
                let args = match bound {
                    Bound::Unbounded if !c.args.is_empty() => "maxsize=None",
                    _ => "...",
                };
                (format!("@{written}({args})"), c.span)
            }
            None if language == Language::Rust => (format!("#[{written}]"), func.span),
            None => (format!("@{written}"), func.span),
        };
        return Some(Decorator { bound, text, span });
    }
    None
}

/// Python functions whose cache the project clears (`get_hashers.cache_clear()`):
/// the cache is managed, by name.
fn cleared<'a>(family: &'a Family) -> HashSet<&'a str> {
    family
        .model()
        .files
        .iter()
        .filter(|f| f.language == Language::Python)
        .flat_map(|f| &f.facts.calls)
        .filter(|c| c.name == "cache_clear")
        .filter_map(|c| {
            let receiver = c.callee.strip_suffix(".cache_clear")?;
            Some(receiver.rsplit('.').next().unwrap_or(receiver))
        })
        .collect()
}

/// Python callees constructed per request or per loop iteration: a class among
/// them has many short-lived instances, which a method cache keeps alive.
fn instantiated_often<'a>(family: &'a Family) -> HashSet<&'a str> {
    let model = family.model();
    let mut out = HashSet::new();
    for (fi, file) in model.files.iter().enumerate() {
        if file.language != Language::Python {
            continue;
        }
        for call in &file.facts.calls {
            let often = !call.loops.is_empty()
                || call
                    .function
                    .is_some_and(|f| family.on_request_path(fi as u32, f));
            if let (true, Some(resolved)) = (often, call.resolved.as_deref()) {
                out.insert(resolved);
            }
        }
    }
    out
}

/// Why a memoised function hurts: it serves stale data read from `origin`,
/// its keys are unbounded (`unbounded` names the missing bound), it keeps
/// every `self` alive.
fn risks(origin: Option<&Origin>, unbounded: Option<&str>, method: bool) -> String {
    let mut risks = Vec::new();
    if let Some(o) = origin {
        risks.push(format!(
            "it caches what it reads from {} ({}) for the life of the process, so a change there never shows up and each worker process serves its own copy",
            o.fresh.noun(),
            o.text
        ));
    }
    if let Some(bound) = unbounded {
        risks.push(format!(
            "with no `{bound}` every distinct argument adds an entry that is never dropped (1M distinct calls ≈ 1M entries)"
        ));
    }
    if method {
        risks.push(
            "on a method the cache holds a reference to every `self` it is called on, so no instance is ever freed (ruff B019)"
                .to_string(),
        );
    }
    risks.join("; ")
}

/// Report memoised functions that read changing data, and memoised methods
/// of classes instantiated per request or per loop iteration.
pub fn check(family: &Family, out: &mut Vec<Finding>) {
    wrapped(family, out);
    let model = family.model();
    let cleared = cleared(family);
    let instantiated = instantiated_often(family);
    for (fi, file) in model.files.iter().enumerate() {
        let fi = fi as u32;
        let Some(memo) = family.catalog(fi).and_then(|c| c.memo.as_ref()) else {
            continue;
        };
        if !super::serves(file) {
            continue;
        }
        for (id, func) in file.facts.functions.iter().enumerate() {
            if func.decorators.is_empty() {
                continue;
            }
            let Some(dec) = decorator(&file.facts, file.language, func, memo) else {
                continue;
            };
            if cleared.contains(func.name.as_str()) {
                continue;
            }
            let class = func.qname.rsplit_once('.').map_or("", |(c, _)| c);
            let method = func.kind == FunctionKind::Method
                && instantiated.contains(class)
                && !func.decorators.iter().any(|d| {
                    matches!(d.as_str(), "staticmethod" | "classmethod" | "classproperty")
                });
            let here = FnRef {
                file: fi,
                func: id as u32,
            };
            let origin = family.fresh.function(here);
            if origin.is_none() && !method {
                continue;
            }
            let unbounded = (dec.bound == Bound::Unbounded).then_some(memo.size_keyword.as_str());
            let risks = risks(origin.as_ref(), unbounded, method);
            let setting = family.setting(fi, Some(id as u32));
            let mut finding = family.ctx.finding(RULE, fi, dec.span);
            finding.severity = severity(finding.severity, origin.is_some(), setting);
            finding.message = format!("`{}` on `{}`: {risks}.", dec.text, func.name);
            finding.fix = if method && origin.is_none() {
                memo.fix_method.clone()
            } else {
                memo.fix.clone()
            };
            if let Some(o) = origin {
                finding.evidence = o.evidence;
            }
            finding.setting = setting;
            finding.anchor = format!("{} {}", dec.text, func.name);
            finding.scope = Some(func.qname.clone());
            finding.cause = cause(&file.path, &func.qname, &dec.text);
            out.push(finding);
        }
    }
}

/// The option keys of a wrapper call: those of its object arguments.
fn option_keys(call: &Call) -> impl Iterator<Item = &str> {
    call.args.iter().skip(1).flat_map(|a| match &a.value {
        ArgValue::Map(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
        _ => Vec::new(),
    })
}

/// The name a module-level call's result is bound to: `getUser` in
/// `const getUser = memoize(...)`.
fn bound_name(assigns: &[Assign], id: CallId) -> Option<&str> {
    assigns
        .iter()
        .find(|a| a.function.is_none() && a.value == Some(ArgValue::Call(id)))
        .map(|a| a.target.as_str())
}

/// JavaScript: module-level memoising wrappers around functions that read
/// the database or the network, with no expiry option.
fn wrapped(family: &Family, out: &mut Vec<Finding>) {
    let model = family.model();
    for (fi, file) in model.files.iter().enumerate() {
        let fi = fi as u32;
        let Some(wrappers) = family.catalog(fi).and_then(|c| c.wrappers.as_ref()) else {
            continue;
        };
        if !super::serves(file) {
            continue;
        }
        for (id, call) in file.facts.calls.iter().enumerate() {
            if call.function.is_some()
                || !call.resolved.as_deref().is_some_and(|r| wrappers.wraps(r))
            {
                continue;
            }
            if let Some(finding) = wrapper_finding(family, fi, id as CallId, call, wrappers) {
                out.push(finding);
            }
        }
    }
}

fn wrapper_finding(
    family: &Family,
    fi: u32,
    id: CallId,
    call: &Call,
    wrappers: &Wrappers,
) -> Option<Finding> {
    let listed = |key: &str, keys: &[String]| keys.iter().any(|k| k == key);
    if option_keys(call).any(|k| listed(k, &wrappers.expiry_keys)) {
        return None;
    }
    let sized = option_keys(call).any(|k| listed(k, &wrappers.size_keys));
    let file = family.model().file(fi);
    let (name, origin) = match &call.args.first()?.value {
        ArgValue::Closure(f) => (
            bound_name(&file.facts.assigns, id).unwrap_or("an anonymous function"),
            family.fresh.body(fi, *f)?,
        ),
        ArgValue::Path(path) => {
            let f = family.model().named(fi, path)?;
            (
                family.model().function(f).name.as_str(),
                family.fresh.function(f)?,
            )
        }
        _ => return None,
    };
    let unbounded = (!sized).then_some(wrappers.size_hint.as_str());
    let risks = risks(Some(&origin), unbounded, false);
    let text = format!("{}(...)", call.callee);
    let mut finding = family.ctx.finding(RULE, fi, call.span);
    let setting = family.setting(fi, None);
    finding.severity = severity(finding.severity, true, setting);
    finding.message = format!("`{text}` on `{name}`: {risks}.");
    finding.fix = wrappers.fix.clone();
    finding.evidence = origin.evidence;
    finding.setting = setting;
    finding.anchor = format!("{text} {name}");
    finding.cause = cause(&file.path, name, &text);
    Some(finding)
}
