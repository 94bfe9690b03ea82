//! The blocking-call family: synchronous calls that stall an event loop.
//!
//! One analysis serves every rule of the family and every language; the
//! catalogs say which calls block and which rule each belongs to.
//!
//! 1. A *site* is a call (or a synchronous loop over a lazy query) that the
//!    file's language catalog lists as blocking.
//! 2. A site runs *on the event loop* when the code around it is async: the
//!    innermost function is async, or is a closure (not handed to an offload
//!    API such as `asyncio.to_thread` or `spawn_blocking`) inside async code;
//!    in JavaScript also inside a request handler, async or not.
//! 3. A site in a synchronous named function makes that function blocking;
//!    so does a call to a blocking project function. This spreads over the
//!    call graph across files ([`crate::model::propagate`]).
//! 4. Findings: sites on the event loop, and calls on the event loop to a
//!    blocking project function (with the chain down to the site).

pub(super) mod catalog;

use crate::classify::FileRole;
use crate::facts::{FileFacts, Function, FunctionId, FunctionKind, LoopKind, Span};
use crate::finding::{Evidence, Finding, Setting, Severity};
use crate::model::{propagate, CallRef, FnRef, Model};
use crate::rules::chain::{call_hop, chain, chain_start, lowercase_first, Hop};
use crate::rules::RuleContext;
use catalog::{catalogs, Catalog, Entry};

pub use catalog::compile as compile_catalog;

/// A blocking site: what blocks, where.
#[derive(Clone, Copy)]
struct Site<'a> {
    file: u32,
    span: Span,
    /// The enclosing function.
    function: Option<FunctionId>,
    /// The blocking call as written, or the iterated expression.
    text: &'a str,
    /// True for a synchronous loop over a lazy query.
    iteration: bool,
    entry: &'a Entry,
}

/// Where code runs: on the event loop, in a synchronous function, or
/// somewhere that never blocks a loop (offloaded, top level).
enum Runs {
    /// On the event loop, in this function (async, or a JS request handler).
    OnLoop(FunctionId),
    /// As part of this synchronous named function.
    InSync(FunctionId),
    /// Off the loop or at top level.
    Elsewhere,
}

/// Per-file view used during the analysis.
struct FileView<'a> {
    model: &'a Model,
    file: u32,
    facts: &'a FileFacts,
    catalog: &'a Catalog,
    /// For each function: true when it is a closure handed to an offload API.
    offloaded: Vec<bool>,
    /// JavaScript request handlers count as on the loop even when synchronous.
    handlers_on_loop: bool,
    /// Scripts and build configs in JavaScript never serve requests.
    silent: bool,
}

impl<'a> FileView<'a> {
    fn runs(&self, mut func: Option<FunctionId>) -> Runs {
        while let Some(id) = func {
            let f = &self.facts.functions[id as usize];
            let on_loop = f.is_async
                || (self.handlers_on_loop
                    && self
                        .model
                        .handler(FnRef {
                            file: self.file,
                            func: id,
                        })
                        .is_some());
            match f.kind {
                FunctionKind::Closure | FunctionKind::AsyncBlock => {
                    if self.offloaded[id as usize] {
                        return Runs::Elsewhere;
                    }
                    if on_loop {
                        return Runs::OnLoop(id);
                    }
                    func = f.parent;
                }
                FunctionKind::Function | FunctionKind::Method => {
                    return if self.offloaded[id as usize] {
                        Runs::Elsewhere
                    } else if on_loop {
                        Runs::OnLoop(id)
                    } else {
                        Runs::InSync(id)
                    };
                }
            }
        }
        Runs::Elsewhere
    }
}

/// Run the family.
pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let model = ctx.model;
    let catalogs = catalogs();
    let views: Vec<Option<FileView>> = model
        .files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let family = file.language.family();
            let catalog = catalogs.get(family)?;
            let facts = &file.facts;
            let offloaded = facts
                .functions
                .iter()
                .map(|f| match f.kind {
                    // `to_thread(lambda: ..)`; an untyped receiver
                    // (`self.loop.run_in_executor`) is matched as written.
                    FunctionKind::Closure | FunctionKind::AsyncBlock => f
                        .passed_to
                        .and_then(|c| facts.calls.get(c as usize))
                        .is_some_and(|c| {
                            catalog.offloads(c.resolved.as_deref().unwrap_or(&c.callee))
                        }),
                    // `@sync_to_async def f(): ..` runs its body in a thread.
                    FunctionKind::Function | FunctionKind::Method => f
                        .decorators
                        .iter()
                        .any(|d| catalog.offloads(&resolve_decorator(facts, d))),
                })
                .collect();
            Some(FileView {
                model,
                file: index as u32,
                facts,
                catalog,
                offloaded,
                handlers_on_loop: family == "javascript",
                silent: family == "javascript" && file.role == FileRole::Script,
            })
        })
        .collect();

    let mut on_loop_sites = Vec::new();
    let mut seeds = Vec::new();
    let mut edges = Vec::new();
    let mut loop_calls = Vec::new();
    for (fi, view) in views.iter().enumerate() {
        let Some(view) = view else { continue };
        let fi = fi as u32;
        for site in sites(fi, view) {
            if !ctx.enabled(&rule_id(site.entry)) {
                continue;
            }
            match view.runs(site.function) {
                Runs::OnLoop(f) => on_loop_sites.push((site, f)),
                Runs::InSync(f) => seeds.push((FnRef { file: fi, func: f }, site)),
                Runs::Elsewhere => {}
            }
        }
        for (ci, call) in view.facts.calls.iter().enumerate() {
            let Some(callee) = model.callee(fi, call) else {
                continue;
            };
            let callee_view = views[callee.file as usize].as_ref();
            if model.function(callee).is_async
                || callee_view.is_some_and(|v| v.offloaded[callee.func as usize])
            {
                continue;
            }
            let here = CallRef {
                file: fi,
                call: ci as u32,
            };
            match view.runs(call.function) {
                Runs::OnLoop(f) => loop_calls.push((here, f, callee)),
                Runs::InSync(f) => edges.push((FnRef { file: fi, func: f }, here, callee)),
                Runs::Elsewhere => {}
            }
        }
    }
    let blocking = propagate(seeds, &edges);

    let mut findings = Vec::new();
    for (site, func) in on_loop_sites {
        let view = views[site.file as usize].as_ref().expect("site has a view");
        if view.silent {
            continue;
        }
        findings.push(direct_finding(ctx, &site, func));
    }
    for (call, func, callee) in loop_calls {
        let view = views[call.file as usize].as_ref().expect("call has a view");
        if view.silent {
            continue;
        }
        if let Some(chain) = chain(callee, &blocking) {
            findings.push(helper_finding(ctx, view, call, func, chain));
        }
    }
    // `File::open(p)?.read_to_string(..)` is one blocking line, not two findings.
    findings.sort_by(|a, b| (&a.path, a.span.line, &a.rule).cmp(&(&b.path, b.span.line, &b.rule)));
    findings.dedup_by(|b, a| (&a.path, a.span.line, &a.rule) == (&b.path, b.span.line, &b.rule));
    findings
}

/// A decorator as written (`sync_to_async`, `sync.sync_to_async`) resolved
/// through the file's imports (`asgiref.sync.sync_to_async`).
fn resolve_decorator(facts: &FileFacts, decorator: &str) -> String {
    let (head, rest) = match decorator.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (decorator, None),
    };
    match facts.imports.iter().find(|i| i.local == head) {
        Some(import) => match rest {
            Some(rest) => format!("{}.{rest}", import.target),
            None => import.target.clone(),
        },
        None => decorator.to_string(),
    }
}

/// The blocking sites of a file.
fn sites<'a>(file: u32, view: &FileView<'a>) -> impl Iterator<Item = Site<'a>> + 'a {
    let catalog = view.catalog;
    let facts = view.facts;
    let calls = facts.calls.iter().filter_map(move |call| {
        // An awaited call returns a future: whatever it is, it does not block
        // (`diesel_async`'s `.load(conn).await` shares its name with Diesel's).
        if call.awaited {
            return None;
        }
        let entry = catalog.blocking_call(call.resolved.as_deref()?)?;
        if entry.excused_by(&facts.imports) {
            return None;
        }
        Some(Site {
            file,
            span: call.span,
            function: call.function,
            text: &call.callee,
            iteration: false,
            entry,
        })
    });
    let loops = facts.loops.iter().filter_map(move |l| {
        if !matches!(l.kind, LoopKind::For | LoopKind::Comprehension) {
            return None;
        }
        let entry = catalog.blocking_iterable(l.iterable_resolved.as_deref()?)?;
        Some(Site {
            file,
            span: l.span,
            function: l.function,
            text: l.iterable.as_deref().unwrap_or(""),
            iteration: true,
            entry,
        })
    });
    calls.chain(loops)
}

fn rule_id(entry: &Entry) -> String {
    format!("blocking-call/{}", entry.rule)
}

fn direct_finding(ctx: &RuleContext, site: &Site, func: FunctionId) -> Finding {
    let model = ctx.model;
    let file = model.file(site.file);
    let what = if site.iteration {
        format!(
            "`for ... in {}` {}",
            site.text,
            site.entry.what.trim_end_matches('.')
        )
    } else {
        format!(
            "`{}()` {}",
            site.text,
            site.entry.what.trim_end_matches('.')
        )
    };
    let place = describe_place(model, site.file, func);
    let setting = setting(model, site.file, func);
    let rule = rule_id(site.entry);
    let mut finding = ctx.finding(&rule, site.file, site.span);
    finding.severity = severity(&finding, site.entry, setting);
    finding.message = format!("{what} {place}, and the whole event loop waits with it.");
    finding.fix = site.entry.fix.clone();
    finding.setting = setting;
    finding.anchor = site.text.to_string();
    finding.scope = Some(file.facts.functions[func as usize].qname.clone());
    finding.cause = cause(&file.path, finding.scope.as_deref(), site.text);
    finding
}

/// The root cause of a blocking finding: the blocking site itself, named
/// without line numbers (see [`crate::finding::CAUSE_SEPARATOR`]).
fn cause(path: &str, scope: Option<&str>, text: &str) -> String {
    [path, scope.unwrap_or(""), text].join(crate::finding::CAUSE_SEPARATOR)
}

fn helper_finding(
    ctx: &RuleContext,
    view: &FileView,
    call: CallRef,
    func: FunctionId,
    chain: Vec<Hop<Site>>,
) -> Finding {
    let model = ctx.model;
    let the_call = model.call(call);
    let file = model.file(call.file);
    let Some(Hop::Site(leaf_fn, site)) = chain.last() else {
        unreachable!("a chain ends at a site")
    };
    let mut evidence = Vec::new();
    let mut names = vec![format!("`{}()`", the_call.callee)];
    for hop in &chain {
        match hop {
            Hop::Call(from, via) => {
                let (name, step) = call_hop(model, *from, *via);
                names.push(name);
                evidence.push(step);
            }
            Hop::Site(from, site) => {
                let leaf = model.file(site.file);
                names.push(format!(
                    "`{}{}` at {}:{}",
                    site.text,
                    if site.iteration { "" } else { "()" },
                    leaf.path,
                    site.span.line
                ));
                evidence.push(Evidence {
                    path: leaf.path.clone(),
                    line: site.span.line,
                    note: format!(
                        "`{}` {} `{}`",
                        model.function(*from).name,
                        if site.iteration { "iterates" } else { "calls" },
                        site.text
                    ),
                });
            }
        }
    }
    let helper = &model
        .function(chain_start(&chain).expect("chains are never empty"))
        .name;
    let place = describe_place(model, call.file, func);
    let setting = setting(model, call.file, func);
    let rule = rule_id(site.entry);
    let mut finding = ctx.finding(&rule, call.file, the_call.span);
    finding.severity = severity(&finding, site.entry, setting);
    finding.message = format!(
        "`{}()` {place} blocks: it {} ({}), and the whole event loop waits with it.",
        the_call.callee,
        site.entry.what.trim_end_matches('.'),
        names.join(" → ")
    );
    finding.fix = format!(
        "{}; or, at the source ({}), {}",
        view.catalog.helper_fix.replace("{helper}", helper),
        model.function(*leaf_fn).name,
        lowercase_first(&site.entry.fix)
    );
    finding.evidence = evidence;
    finding.setting = setting;
    finding.anchor = format!("{} -> {}", the_call.callee, site.text);
    finding.scope = Some(file.facts.functions[func as usize].qname.clone());
    finding.cause = cause(
        &model.file(site.file).path,
        Some(&model.function(*leaf_fn).qname),
        site.text,
    );
    finding
}

/// "inside async function `index`", "inside the express request handler
/// `getUser`", "inside an async closure in `run`".
fn describe_place(model: &Model, file: u32, func: FunctionId) -> String {
    let facts = &model.file(file).facts;
    let handler = |id: FunctionId| model.handler(FnRef { file, func: id });
    // "the request handler", "an express request handler", "a fastapi request handler".
    let framework = |name: &str| {
        if name == "route" {
            String::new()
        } else {
            format!("{name} ")
        }
    };
    let article = |name: &str| {
        let word = framework(name);
        let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']) || word.is_empty();
        format!(
            "{} {word}",
            if vowel && !word.is_empty() { "an" } else { "a" }
        )
    };
    let f = &facts.functions[func as usize];
    let named = named_ancestor(facts, func);
    match (f.kind, handler(func)) {
        (FunctionKind::Function | FunctionKind::Method, Some(h)) => {
            format!("inside the {}request handler `{}`", framework(h), f.name)
        }
        (FunctionKind::Method, None) => format!("inside async method `{}`", f.name),
        (FunctionKind::Function, None) => format!("inside async function `{}`", f.name),
        (FunctionKind::AsyncBlock, _) => match named {
            Some(n) => format!("inside an async block in `{}`", n.name),
            None => "inside an async block".to_string(),
        },
        (_, Some(h)) => match named {
            Some(n) => format!("inside {}request handler in `{}`", article(h), n.name),
            None => format!("inside {}request handler", article(h)),
        },
        (_, None) => match named {
            Some(n) => format!("inside an async closure in `{}`", n.name),
            None => "inside an async closure".to_string(),
        },
    }
}

fn named_ancestor(facts: &FileFacts, func: FunctionId) -> Option<&Function> {
    let mut cur = facts.functions[func as usize].parent;
    while let Some(id) = cur {
        let f = &facts.functions[id as usize];
        if matches!(f.kind, FunctionKind::Function | FunctionKind::Method) {
            return Some(f);
        }
        cur = f.parent;
    }
    None
}

/// Request path, test, startup: what raises or lowers a finding.
fn setting(model: &Model, file: u32, func: FunctionId) -> Setting {
    let parsed = model.file(file);
    let facts = &parsed.facts;
    let mut request_path = false;
    let mut startup = false;
    let mut test = parsed.role == FileRole::Test;
    let mut cur = Some(func);
    while let Some(id) = cur {
        let f = &facts.functions[id as usize];
        request_path |= model.handler(FnRef { file, func: id }).is_some();
        startup |= f.name == "main" && f.decorators.iter().any(|d| d.ends_with("main"));
        // Tests inside source files: `#[tokio::test]`, `@pytest.mark.asyncio`, `test_*`.
        test |= f
            .decorators
            .iter()
            .any(|d| d.ends_with("test") || d.starts_with("pytest"))
            || (parsed.language == crate::facts::Language::Python && f.name.starts_with("test_"));
        cur = f.parent;
    }
    Setting {
        request_path,
        test,
        script: startup || matches!(parsed.role, FileRole::Script | FileRole::Migration),
        loop_depth: 0,
    }
}

fn severity(finding: &Finding, entry: &Entry, setting: Setting) -> Severity {
    let base = entry.severity.unwrap_or(finding.severity);
    if setting.test || setting.script {
        Severity::Low
    } else if setting.request_path {
        base.raised()
    } else {
        base
    }
}
