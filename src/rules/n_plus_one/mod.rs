//! The n-plus-one family: a database query that runs once per item of a
//! loop over data.
//!
//! 1. A *site* is a call the file's language catalog lists as a query
//!    (after model classes, sessions and clients are written as their token,
//!    see [`models`]), or a loop over a query (iterating it runs one).
//! 2. A site inside a loop over data ([`loops`]) is a finding: the query runs
//!    per item. When the innermost such loop gathers its work concurrently
//!    (`Promise.all(xs.map(..))`, `asyncio.gather(*(..))`, `join_all`), it
//!    is `concurrent-per-item`, otherwise `query-in-loop`.
//! 3. A site makes its named function a querying function; so does a call to
//!    one. This spreads over the call graph across files
//!    ([`crate::model::propagate`]); memoised functions do not spread it.
//! 4. A call inside a loop over data to a querying project function is a
//!    finding too, with the chain down to the query.
//!
//! Migrations and tests are never reported: a migration runs once, and a
//! test's loops run over the cases it lists, not over production data.
//! Scripts, build files and Django management commands are low.

pub(super) mod catalog;
mod invariant;
mod lazy;
mod loops;
mod message;
pub(super) mod models;

use crate::classify::FileRole;
use crate::facts::{ArgValue, FileFacts, FunctionId, FunctionKind, LoopId, Span};
use crate::finding::{Finding, Setting, Severity};
use crate::model::{propagate, CallRef, FnRef, Model};
use crate::rules::chain::chain;
use crate::rules::RuleContext;
use catalog::{catalogs, Catalog, Query};
use loops::LoopInfo;
use models::ModelIndex;

pub use catalog::compile as compile_catalog;

/// Rule ids.
const QUERY_IN_LOOP: &str = "n-plus-one/query-in-loop";
const CONCURRENT: &str = "n-plus-one/concurrent-per-item";

/// A query: what runs, where, inside which loops over data.
struct Site<'a> {
    file: u32,
    span: Span,
    function: Option<FunctionId>,
    /// The call as written, or the iterated expression.
    text: &'a str,
    /// True for a loop over a query.
    iteration: bool,
    query: &'a Query,
    /// Loops over data around it, outermost first.
    loops: Vec<LoopId>,
    /// The query never mentions what the loops bind: the same statement runs
    /// every time.
    invariant: bool,
}

/// Per-file view used during the analysis.
struct FileView<'a> {
    facts: &'a FileFacts,
    catalog: &'a Catalog,
    loops: LoopInfo,
    role: FileRole,
}

/// Run the family.
pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    if !ctx.enabled(QUERY_IN_LOOP) && !ctx.enabled(CONCURRENT) && !ctx.enabled(lazy::LAZY_RELATION)
    {
        return Vec::new();
    }
    let model = ctx.model;
    let catalogs = catalogs();
    let indexes: Vec<(&str, ModelIndex)> = catalogs
        .iter()
        .map(|(family, catalog)| (*family, ModelIndex::new(model, family, catalog)))
        .collect();
    let views: Vec<Option<FileView>> = model
        .files
        .iter()
        .map(|file| {
            let catalog = catalogs.get(file.language.family())?;
            Some(FileView {
                facts: &file.facts,
                catalog,
                loops: LoopInfo::new(&file.facts, catalog),
                role: file.role,
            })
        })
        .collect();

    let mut sites = Vec::new();
    for (fi, view) in views.iter().enumerate() {
        let Some(view) = view else { continue };
        let family = model.files[fi].language.family();
        let Some((_, index)) = indexes.iter().find(|(f, _)| *f == family) else {
            continue;
        };
        file_sites(fi as u32, view, index, &mut sites);
    }

    // Which named functions query, through which call.
    let memoised: Vec<Vec<bool>> = model
        .files
        .iter()
        .zip(&views)
        .map(|(f, view)| {
            let mut memo: Vec<bool> = f.facts.functions.iter().map(memoising).collect();
            if let Some(view) = view {
                for call in &f.facts.calls {
                    if call
                        .resolved
                        .as_deref()
                        .is_some_and(|r| view.catalog.memo(r))
                    {
                        if let Some(g) = call.function.and_then(|g| named(&f.facts, g)) {
                            memo[g as usize] = true;
                        }
                    }
                }
            }
            memo
        })
        .collect();
    let seeds = sites.iter().enumerate().filter_map(|(i, site)| {
        let f = named(&model.files[site.file as usize].facts, site.function?)?;
        (!memoised[site.file as usize][f as usize]).then_some((
            FnRef {
                file: site.file,
                func: f,
            },
            i,
        ))
    });
    let mut edges = Vec::new();
    let mut loop_calls = Vec::new();
    for (fi, view) in views.iter().enumerate() {
        let Some(view) = view else { continue };
        let fi = fi as u32;
        for (ci, call) in view.facts.calls.iter().enumerate() {
            let Some(callee) = model.callee(fi, call) else {
                continue;
            };
            if memoised[callee.file as usize][callee.func as usize] {
                continue;
            }
            let here = CallRef {
                file: fi,
                call: ci as u32,
            };
            if let Some(caller) = call.function.and_then(|f| named(view.facts, f)) {
                edges.push((
                    FnRef {
                        file: fi,
                        func: caller,
                    },
                    here,
                    callee,
                ));
            }
            let around = loops::enclosing(view.facts, &call.loops, call.function);
            let data = view.loops.data_loops(&around);
            if !data.is_empty() {
                loop_calls.push((here, data));
            }
        }
    }
    let querying = propagate(seeds, &edges);

    let mut findings = Vec::new();
    for site in &sites {
        let view = views[site.file as usize].as_ref().expect("site has a view");
        if site.loops.is_empty() || silent(view.role) {
            continue;
        }
        let rule = rule_for(view, &site.loops);
        let setting = setting(model, site.file, site.function, site.loops.len());
        if ctx.enabled(rule) && !setting.test {
            findings.push(message::direct(ctx, rule, site, setting));
        }
    }
    for (call, data) in loop_calls {
        let view = views[call.file as usize].as_ref().expect("call has a view");
        if silent(view.role) {
            continue;
        }
        let callee = model
            .callee(call.file, model.call(call))
            .expect("loop calls have callees");
        let Some(hops) = chain(callee, &querying) else {
            continue;
        };
        let rule = rule_for(view, &data);
        if !ctx.enabled(rule) {
            continue;
        }
        let leaf = match hops.last() {
            Some(crate::rules::chain::Hop::Site(_, i)) => &sites[*i],
            _ => continue,
        };
        let call_site = Site {
            file: call.file,
            span: model.call(call).span,
            function: model.call(call).function,
            text: &model.call(call).callee,
            iteration: false,
            query: leaf.query,
            loops: data,
            invariant: false,
        };
        let setting = setting(
            model,
            call_site.file,
            call_site.function,
            call_site.loops.len() + leaf.loops.len(),
        );
        if setting.test {
            continue;
        }
        findings.push(message::through_helper(
            ctx,
            rule,
            &call_site,
            view.catalog,
            &hops,
            &sites,
            setting,
        ));
    }
    findings.extend(lazy::check(ctx, &views));
    // `Order.objects.filter(..).first()` inside `len(..)`: one line, one finding.
    findings.sort_by(|a, b| (&a.path, a.span.line, &a.rule).cmp(&(&b.path, b.span.line, &b.rule)));
    findings.dedup_by(|b, a| (&a.path, a.span.line, &a.rule) == (&b.path, b.span.line, &b.rule));
    findings
}

/// The query sites of a file: query calls, and loops over queries.
fn file_sites<'a>(file: u32, view: &FileView<'a>, index: &ModelIndex, out: &mut Vec<Site<'a>>) {
    let facts = view.facts;
    for (ci, call) in facts.calls.iter().enumerate() {
        let Some(resolved) = call.resolved.as_deref() else {
            continue;
        };
        let canonical = index.canonical(resolved);
        let Some(query) = view.catalog.query_call(&canonical, call.awaited) else {
            continue;
        };
        if query.sql_first && statement_list(call) || batched(facts, call, view.catalog) {
            continue;
        }
        let around = loops::enclosing(facts, &call.loops, call.function);
        let data = view.loops.data_loops(&around);
        let invariant = !data.is_empty()
            && invariant::bindings(facts, &data)
                .is_some_and(|names| invariant::invariant(facts, ci, &names));
        out.push(Site {
            file,
            span: call.span,
            function: call.function,
            text: &call.callee,
            iteration: false,
            query,
            loops: data,
            invariant,
        });
    }
    for (li, l) in facts.loops.iter().enumerate() {
        let Some(resolved) = l.iterable_resolved.as_deref() else {
            continue;
        };
        // Iterating a query is iterating a call (`Order.objects.filter()`),
        // not an attribute of a result (`obj._meta.fields`).
        if !resolved.ends_with(')') {
            continue;
        }
        let Some(query) = view.catalog.query_iterable(&index.canonical(resolved)) else {
            continue;
        };
        let around = loops::around_loop(facts, li as LoopId);
        out.push(Site {
            file,
            span: l.span,
            function: l.function,
            text: l.iterable.as_deref().unwrap_or(""),
            iteration: true,
            query,
            loops: view.loops.data_loops(&around),
            invariant: false,
        });
    }
}

/// A query whose chain filters on many keys at once (`filter(pk__in=pks)
/// .update(..)`): one query per batch is the fix, not an N+1. The calls of
/// a chain start where it starts and end inside it.
fn batched(facts: &crate::facts::FileFacts, call: &crate::facts::Call, catalog: &Catalog) -> bool {
    if catalog.batch_lookups.is_empty() {
        return false;
    }
    let in_chain = |c: &&crate::facts::Call| {
        c.function == call.function
            && c.span.start == call.span.start
            && c.span.end <= call.span.end
    };
    facts.calls.iter().filter(in_chain).any(|c| {
        c.args.iter().any(|a| {
            a.keyword.as_deref().is_some_and(|k| {
                catalog
                    .batch_lookups
                    .iter()
                    .any(|b| k.ends_with(b.as_str()))
            })
        })
    })
}

/// `execute(statement)`: SQL from a variable, no parameters.
fn statement_list(call: &crate::facts::Call) -> bool {
    matches!(call.args.as_slice(), [arg] if arg.keyword.is_none() && matches!(&arg.value, ArgValue::Path(p) if !p.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c == '.')))
}

/// Files whose loops are never reported.
fn silent(role: FileRole) -> bool {
    matches!(role, FileRole::Migration | FileRole::Test)
}

/// Concurrent when the innermost loop over data gathers its work.
fn rule_for(view: &FileView, data: &[LoopId]) -> &'static str {
    let innermost = data.last().map(|&l| l as usize);
    if innermost.is_some_and(|l| view.loops.concurrent.get(l).copied().unwrap_or(false)) {
        CONCURRENT
    } else {
        QUERY_IN_LOOP
    }
}

/// The named function (not a closure) code in `func` belongs to.
fn named(facts: &FileFacts, mut func: FunctionId) -> Option<FunctionId> {
    loop {
        let f = facts.functions.get(func as usize)?;
        if matches!(f.kind, FunctionKind::Function | FunctionKind::Method) {
            return Some(func);
        }
        func = f.parent?;
    }
}

/// A memoised function queries once, not per call: `@lru_cache`, `@cache`,
/// `@cached_property`, `@memoize` (and, see [`Catalog::memo`], functions
/// that read a cache first).
fn memoising(f: &crate::facts::Function) -> bool {
    f.decorators.iter().any(|d| {
        let name = d.rsplit(['.', ':']).next().unwrap_or(d);
        matches!(
            name,
            "lru_cache"
                | "cache"
                | "cached"
                | "cached_property"
                | "memoize"
                | "memoized"
                | "cache_result"
        )
    })
}

/// Request path, test, script, for code in `function` of `file` inside
/// `loop_depth` loops over data (at the finding and, through a helper,
/// around the query inside it).
fn setting(model: &Model, file: u32, function: Option<FunctionId>, loop_depth: usize) -> Setting {
    let parsed = model.file(file);
    let facts = &parsed.facts;
    let mut request_path = false;
    let mut test = parsed.role == FileRole::Test;
    let mut cur = function;
    while let Some(id) = cur {
        let Some(f) = facts.functions.get(id as usize) else {
            break;
        };
        request_path |= model.handler(FnRef { file, func: id }).is_some();
        test |= f.decorators.iter().any(|d| d.ends_with("test"))
            || (parsed.language == crate::facts::Language::Python && f.name.starts_with("test_"));
        cur = f.parent;
    }
    Setting {
        request_path,
        test,
        script: parsed.role == FileRole::Script || parsed.path.contains("/management/commands/"),
        loop_depth: loop_depth as u32,
    }
}

/// Nested loops over data multiply the queries (D^k): one level up from two
/// loops; scripts are low.
fn severity(base: Severity, setting: Setting) -> Severity {
    if setting.script {
        Severity::Low
    } else if setting.loop_depth >= 2 {
        base.raised()
    } else {
        base
    }
}
