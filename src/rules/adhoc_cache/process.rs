//! `adhoc-cache/process-memo`: one value read from the database or the
//! network and kept process-wide with nothing that refreshes it.
//!
//! - At import: a module- or class-level binding to a query that runs then
//!   (`PLANS = Plan.all.to_a`, `SETTINGS = list(Setting.objects.all())`).
//!   A lazy queryset (`queryset = Model.objects.all()`) is no query.
//! - On first use: a conditional binding in a function (`@settings ||=
//!   Setting.all.to_a` in a class method, `cached ??= await db.query(..)`),
//!   or a rebinding of a global that starts out `None`/`null`/unset
//!   (`global _x; _x = query()`), from a function that is not itself a
//!   refresh (`reload_*`, `refresh_*`, `reset_*`, ...).
//!
//! - On first use, in Rust: a lazy static computed by its closure
//!   (`static RATES: LazyLock<..> = LazyLock::new(|| load_rates())`) or a
//!   static once-cell filled by `get_or_init(|| ..)`; neither is ever
//!   computed again.
//!
//! A name that any function rebinds to something else (`_x = None` in an
//! invalidation hook) is refreshed and not reported. Instance attributes
//! (`self._x`, `this.x`, `@x` in an instance method) live for one object,
//! usually one request, and are left alone.

use super::catalog::Fresh;
use super::fresh::Origin;
use super::{cause, severity, Family};
use crate::facts::Language;
use crate::facts::{ArgValue, Assign, AssignOp, AssignScope, Call, FileFacts, FunctionId};
use crate::finding::Finding;
use std::collections::{HashMap, HashSet};

/// Rule id.
pub const RULE: &str = "adhoc-cache/process-memo";

/// Functions named like these rebuild a value on purpose.
const REFRESHERS: &[&str] = &[
    "reload",
    "refresh",
    "reset",
    "update",
    "invalidate",
    "clear",
    "set",
    "init",
    "setup",
    "load",
    "configure",
    "populate",
    "rebuild",
    "sync",
];

/// When a process-wide value is read.
#[derive(Clone, Copy)]
enum When {
    /// When the module is loaded.
    Import,
    /// The first time a function runs.
    FirstCall(FunctionId),
    /// The first time the value itself is used (a lazy static).
    FirstUse,
}

/// A process-wide binding to a fresh value.
struct Candidate<'a> {
    file: u32,
    assign: &'a Assign,
    origin: Origin,
    when: When,
}

/// The closure a call is given, if any.
fn closure_arg(call: &Call) -> Option<FunctionId> {
    call.args.iter().find_map(|a| match a.value {
        ArgValue::Closure(f) => Some(f),
        _ => None,
    })
}

/// Rust: statics filled by `X.get_or_init(|| fetch())` from a function,
/// each with what it fetches and the function that fills it.
fn once_cells<'a>(family: &Family, fi: u32, facts: &'a FileFacts, out: &mut Vec<Candidate<'a>>) {
    let Some(catalog) = family.catalog(fi) else {
        return;
    };
    if catalog.once_inits.is_empty() {
        return;
    }
    for call in &facts.calls {
        let (Some(function), Some((receiver, method))) = (
            call.function,
            call.resolved.as_deref().and_then(|r| r.rsplit_once('.')),
        ) else {
            continue;
        };
        if !catalog.once_inits.iter().any(|m| m == method) {
            continue;
        }
        let Some(assign) = facts
            .assigns
            .iter()
            .find(|a| a.scope == AssignScope::Module && a.resolved.as_deref() == Some(receiver))
        else {
            continue;
        };
        if let Some(origin) = closure_arg(call).and_then(|f| family.fresh.body(fi, f)) {
            out.push(Candidate {
                file: fi,
                assign,
                origin,
                when: When::FirstCall(function),
            });
        }
    }
}

/// Whether an assignment's target outlives one object: a global, a class
/// attribute (`cls.x`, `Class.x`), a Ruby class variable or class-level
/// instance variable.
fn process_wide(facts: &FileFacts, assign: &Assign) -> bool {
    let Some(resolved) = assign.resolved.as_deref() else {
        return false;
    };
    match assign.scope {
        AssignScope::Module | AssignScope::Class => true,
        AssignScope::Local => {
            let target = assign.target.as_str();
            let global = !target.contains('.')
                && resolved.strip_prefix(facts.module.as_str()) == Some(&format!(".{target}"));
            global || target.starts_with("cls.")
        }
    }
}

fn refresher(name: &str) -> bool {
    super::named_like(name, REFRESHERS)
}

/// Report process-wide values read once from fresh data and never refreshed.
pub fn check(family: &Family, out: &mut Vec<Finding>) {
    let model = family.model();
    let mut candidates = Vec::new();
    // Per resolved name: bound to something that is not a fresh read (a
    // reset, a refresh) from some function.
    let mut refreshed: HashSet<&str> = HashSet::new();
    // Per resolved name: declared at module or class level as unset.
    let mut unset: HashMap<&str, bool> = HashMap::new();
    for (fi, file) in model.files.iter().enumerate() {
        let fi = fi as u32;
        if !super::serves(file) || family.catalog(fi).is_none() {
            continue;
        }
        let facts = &file.facts;
        for assign in &facts.assigns {
            if !matches!(assign.op, AssignOp::Bind | AssignOp::OrBind)
                || !process_wide(facts, assign)
            {
                continue;
            }
            let Some(resolved) = assign.resolved.as_deref() else {
                continue;
            };
            if assign.function.is_none() {
                let nothing = matches!(assign.value, None | Some(ArgValue::Null));
                *unset.entry(resolved).or_insert(nothing) &= nothing;
            }
            let origin = match assign.value {
                Some(ArgValue::Call(id)) => family.fresh.call(fi, id),
                _ => None,
            };
            let lazy = || match assign.value {
                Some(ArgValue::Call(id)) => {
                    let call = &facts.calls[id as usize];
                    let catalog = family.catalog(fi)?;
                    let constructor = call.resolved.as_deref()?;
                    if !catalog.lazy.iter().any(|l| l == constructor) {
                        return None;
                    }
                    family.fresh.body(fi, closure_arg(call)?)
                }
                _ => None,
            };
            match (origin, assign.function) {
                (Some(origin), Some(f)) if !refresher(&facts.functions[f as usize].name) => {
                    candidates.push(Candidate {
                        file: fi,
                        assign,
                        origin,
                        when: When::FirstCall(f),
                    })
                }
                // Fetching a service's data at startup is a common, deliberate
                // choice; a query at import time is not (it also runs in
                // migrations, tests and management commands).
                // A Rust static with a computed value is a `lazy_static!`
                // one: computed on first use.
                (Some(origin), None) if origin.fresh == Fresh::Database => {
                    candidates.push(Candidate {
                        file: fi,
                        assign,
                        origin,
                        when: if file.language == Language::Rust {
                            When::FirstUse
                        } else {
                            When::Import
                        },
                    })
                }
                (_, Some(_)) => {
                    refreshed.insert(resolved);
                }
                (None, None) => {
                    if let Some(origin) = lazy() {
                        candidates.push(Candidate {
                            file: fi,
                            assign,
                            origin,
                            when: When::FirstUse,
                        })
                    }
                }
                (Some(_), None) => {}
            }
        }
        once_cells(family, fi, facts, &mut candidates);
    }
    for c in candidates {
        let resolved = c.assign.resolved.as_deref().unwrap_or_default();
        if refreshed.contains(resolved) {
            continue;
        }
        // `global _x; _x = query()` memoises only a global that starts unset.
        if matches!(c.when, When::FirstCall(_))
            && c.assign.function.is_some()
            && c.assign.op == AssignOp::Bind
            && !unset.get(resolved).copied().unwrap_or(false)
        {
            continue;
        }
        out.push(finding(family, &c));
    }
}

fn finding(family: &Family, c: &Candidate) -> Finding {
    let model = family.model();
    let file = model.file(c.file);
    let catalog = family.catalog(c.file).expect("candidates have catalogs");
    let writer = match c.when {
        When::FirstCall(f) => Some(f),
        _ => c.assign.function,
    };
    let setting = family.setting(c.file, writer);
    let when = match c.when {
        When::Import => "once, when the module is loaded,".to_string(),
        When::FirstCall(f) => format!(
            "once, the first time `{}` runs,",
            file.facts.functions[f as usize].name
        ),
        When::FirstUse => format!("once, the first time `{}` is used,", c.assign.target),
    };
    let mut finding = family.ctx.finding(RULE, c.file, c.assign.span);
    finding.severity = severity(finding.severity, false, setting);
    finding.message = format!(
        "`{}` is read from {} {when} ({}) and kept for the life of the process: later changes never reach it until every worker restarts, and each worker process holds its own snapshot taken at a different time (with 8 workers, 8 different versions).",
        c.assign.target,
        c.origin.fresh.noun(),
        c.origin.text
    );
    finding.fix = catalog.fix_process.clone();
    finding.evidence = c.origin.evidence.clone();
    finding.setting = setting;
    finding.anchor = c.assign.target.clone();
    let resolved = c.assign.resolved.clone().unwrap_or_default();
    finding.cause = cause(&file.path, &resolved, &c.assign.target);
    finding.scope = Some(resolved);
    finding
}
