//! `adhoc-cache/no-expiry`: a framework cache write that keeps data read
//! from the database or the network forever (Django `timeout=None`, Rails
//! `Rails.cache.fetch`/`write` without `expires_in:`), with nothing that
//! deletes the key.
//!
//! Invalidation is matched by key, as precisely as the facts allow: a
//! delete through the same cache API whose key starts with the same literal
//! text (`"plans:"` in `cache.delete(f"plans:{id}")`) invalidates; when the
//! written key has no literal prefix, any delete through that API in the
//! same file does. Rails keys built from a record's `cache_key`,
//! `cache_version` or `updated_at`, or given as a record or an array
//! (which Rails expands to `cache_key_with_version`), change when the record
//! does and are never reported; nor is anything when the store is configured
//! with a default expiry (`config.cache_store = ..., { expires_in: .. }`).

use super::catalog::{Catalog, Framework};
use super::containers::{computed, positional, Computed};
use super::fresh::Origin;
use super::{cause, severity, Family};
use crate::facts::{ArgValue, Call, FunctionId};
use crate::finding::Finding;
use rustc_hash::FxHashMap;

/// Rule id.
pub const RULE: &str = "adhoc-cache/no-expiry";

/// A key's literal beginning: `"plans:"` for `f"plans:{id}"`,
/// `"plans/"` for `"plans/#{id}"`, the whole text of a plain string.
fn literal_prefix(key: &ArgValue) -> Option<&str> {
    let text = match key {
        ArgValue::Str(s) => s.as_str(),
        ArgValue::Other(t) => {
            let t = t.trim_start_matches(['f', 'F', 'b', 'r']);
            t.strip_prefix(['"', '\'', '`'])?
        }
        _ => return None,
    };
    let end = text
        .find(['{', '#', '$', '%', '"', '\'', '`', '+'])
        .unwrap_or(text.len());
    let prefix = &text[..end];
    (prefix.len() >= 3).then_some(prefix)
}

/// A Rails key that changes with the record it names.
fn versioned(key: Option<&ArgValue>) -> bool {
    match key {
        Some(ArgValue::Str(_)) => false,
        Some(ArgValue::Other(t)) if t.starts_with('"') => {
            ["cache_key", "cache_version", "updated_at"]
                .iter()
                .any(|v| t.contains(v))
        }
        _ => true,
    }
}

/// Whether some delete through `framework` invalidates a key.
fn invalidated(
    family: &Family,
    catalog: &Catalog,
    framework: &Framework,
    file: u32,
    key: Option<&ArgValue>,
) -> bool {
    let model = family.model();
    let prefix = key.and_then(literal_prefix);
    model.files.iter().enumerate().any(|(fi, f)| {
        if prefix.is_none() && fi as u32 != file {
            return false;
        }
        f.facts.calls.iter().any(|c| {
            let same_api = c
                .resolved
                .as_deref()
                .and_then(|r| catalog.framework_delete(r))
                .is_some_and(|d| d.name == framework.name);
            same_api
                && match prefix {
                    None => true,
                    Some(p) => c
                        .args
                        .first()
                        .and_then(|a| literal_prefix(&a.value))
                        .is_some_and(|q| p.starts_with(q) || q.starts_with(p)),
                }
        })
    })
}

/// Whether the project configures a default expiry for every write to
/// `framework`'s store (a `store_config` setter given an expiry keyword).
fn default_expiry(family: &Family, framework: &Framework) -> bool {
    if framework.store_config.is_empty() {
        return false;
    }
    family.model().files.iter().any(|f| {
        f.facts.calls.iter().any(|c| {
            c.resolved
                .as_deref()
                .is_some_and(|r| framework.store_config.iter().any(|s| s == r))
                && c.args.iter().any(|a| {
                    a.keyword
                        .as_deref()
                        .is_some_and(|k| framework.expiry_keywords.iter().any(|e| e == k))
                })
        })
    })
}

/// What the written value is read from, if fresh data.
fn origin(
    family: &Family,
    file: u32,
    function: FunctionId,
    call: &Call,
    framework: &Framework,
) -> Option<Origin> {
    let facts = &family.model().file(file).facts;
    let block = call.args.iter().find_map(|a| match a.value {
        ArgValue::Closure(f) => Some(Computed::Closure(f)),
        _ => None,
    });
    let value = positional(&call.args, framework.value_position)
        .and_then(|v| computed(facts, function, v, call.span))
        .or(block)?;
    match value {
        Computed::Call(id) => family.fresh.call(file, id),
        Computed::Closure(f) => family.fresh.body(file, f),
        Computed::Key => None,
    }
}

/// Report eternal framework cache writes of fresh data.
pub fn check(family: &Family, out: &mut Vec<Finding>) {
    let model = family.model();
    // Per framework: whether the project sets a default expiry for it.
    let mut defaults: FxHashMap<&str, bool> = FxHashMap::default();
    for (fi, file) in model.files.iter().enumerate() {
        let fi = fi as u32;
        let Some(catalog) = family.catalog(fi) else {
            continue;
        };
        if catalog.frameworks.is_empty() || !super::serves(file) {
            continue;
        }
        for call in &file.facts.calls {
            let Some(function) = call.function else {
                continue;
            };
            let Some(framework) = call
                .resolved
                .as_deref()
                .and_then(|r| catalog.framework_write(r))
            else {
                continue;
            };
            if !framework.forever(&call.args)
                || *defaults
                    .entry(framework.name.as_str())
                    .or_insert_with(|| default_expiry(family, framework))
            {
                continue;
            }
            let key = positional(&call.args, 0);
            if framework.versioned_keys && versioned(key) {
                continue;
            }
            let Some(origin) = origin(family, fi, function, call, framework) else {
                continue;
            };
            if invalidated(family, catalog, framework, fi, key) {
                continue;
            }
            out.push(finding(family, fi, function, call, framework, origin));
        }
    }
}

fn finding(
    family: &Family,
    file: u32,
    function: FunctionId,
    call: &Call,
    framework: &Framework,
    origin: Origin,
) -> Finding {
    let model = family.model();
    let parsed = model.file(file);
    let func = &parsed.facts.functions[function as usize];
    let setting = family.setting(file, Some(function));
    let how = match framework.forever {
        super::catalog::Forever::Null => "with no timeout",
        super::catalog::Forever::Absent => "with no expiry",
    };
    let mut finding = family.ctx.finding(RULE, file, call.span);
    finding.severity = severity(finding.severity, false, setting);
    finding.message = format!(
        "`{}()` in `{}` stores data read from {} ({}) in {} {how}, and nothing deletes the key: every later change is invisible to readers until the cache is flushed by hand (a default 5-minute expiry would bound that to 300 s).",
        call.callee,
        func.name,
        origin.fresh.noun(),
        origin.text,
        framework.name
    );
    finding.fix = framework.fix.clone();
    finding.evidence = origin.evidence;
    finding.setting = setting;
    finding.anchor = call.callee.clone();
    finding.scope = Some(func.qname.clone());
    finding.cause = cause(&parsed.path, &func.qname, &call.callee);
    finding
}
