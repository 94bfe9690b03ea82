//! The adhoc-cache family: hand-rolled caches that grow without bound, go
//! stale, disagree between worker processes, or keep objects alive.
//!
//! One analysis serves every rule and language; the catalogs
//! (`rules/catalogs/adhoc-cache/`) say what builds a map, how code stores
//! into and evicts from one, which calls fetch fresh data, and which
//! framework cache writes can be eternal.
//!
//! - [`fresh`]: which calls and project functions read the database or the
//!   network (through the n-plus-one and blocking-call catalogs too).
//! - [`containers`]: module- and class-level maps and what functions do to
//!   them.
//! - One module per rule: [`memo`] (`unbounded-memo`), [`lru`]
//!   (`unbounded-lru`), [`process`] (`process-memo`), [`expiry`]
//!   (`no-expiry`).
//!
//! Tests, scripts, migrations and management commands are never reported:
//! their caches die with the run.

mod catalog;
mod containers;
mod expiry;
mod fresh;
mod lru;
mod memo;
mod process;

use crate::classify::FileRole;
use crate::facts::FunctionKind;
use crate::finding::{Finding, Setting, Severity};
use crate::model::{FnRef, Model, ParsedFile};
use crate::rules::RuleContext;
use catalog::Catalog;
use fresh::{named, FreshIndex};
use rustc_hash::{FxHashMap, FxHashSet};

/// What every rule of the family gets.
struct Family<'a> {
    ctx: &'a RuleContext<'a>,
    catalogs: &'static FxHashMap<&'static str, Catalog>,
    fresh: FreshIndex<'a>,
    /// Functions that run while serving a request (see [`serving`]).
    serving: FxHashSet<FnRef>,
}

impl Family<'_> {
    fn model(&self) -> &Model {
        self.ctx.model
    }

    /// The catalog of a file's language.
    fn catalog(&self, file: u32) -> Option<&'static Catalog> {
        self.catalogs.get(self.model().file(file).language.family())
    }

    /// Whether code in this function runs while serving a request.
    fn on_request_path(&self, file: u32, function: u32) -> bool {
        self.serving.contains(&FnRef {
            file,
            func: function,
        })
    }

    /// A function for a message: "`plan_for`", "a request handler in
    /// `routes`", "a closure in `load`".
    fn describe(&self, file: u32, function: u32) -> String {
        let facts = &self.model().file(file).facts;
        let Some(f) = facts.functions.get(function as usize) else {
            return String::new();
        };
        if matches!(f.kind, FunctionKind::Function | FunctionKind::Method) {
            return format!("`{}`", f.name);
        }
        let what = if self
            .model()
            .handler(FnRef {
                file,
                func: function,
            })
            .is_some()
        {
            "a request handler"
        } else {
            "a closure"
        };
        match f.parent.and_then(|p| named(facts, p)) {
            Some(p) => format!("{what} in `{}`", facts.functions[p as usize].name),
            None => what.to_string(),
        }
    }

    /// The setting of a finding whose cache is written in `function`.
    fn setting(&self, file: u32, function: Option<u32>) -> Setting {
        Setting {
            request_path: function.is_some_and(|f| self.on_request_path(file, f)),
            ..Setting::default()
        }
    }
}

/// Whether a file serves traffic: tests, scripts, migrations and Django
/// management commands (one-shot processes) do not.
fn serves(file: &ParsedFile) -> bool {
    file.role == FileRole::Source && !file.path.contains("/management/commands/")
}

/// Handlers and the functions they reach: the project functions they call
/// and the closures defined inside them, transitively.
fn serving(model: &Model) -> FxHashSet<FnRef> {
    let mut next: FxHashMap<FnRef, Vec<FnRef>> = FxHashMap::default();
    let mut queue = Vec::new();
    for (fi, file) in model.files.iter().enumerate() {
        let fi = fi as u32;
        for (id, func) in file.facts.functions.iter().enumerate() {
            let f = FnRef {
                file: fi,
                func: id as u32,
            };
            if model.handler(f).is_some() {
                queue.push(f);
            }
            if let Some(parent) = func.parent {
                next.entry(FnRef {
                    file: fi,
                    func: parent,
                })
                .or_default()
                .push(f);
            }
        }
        for call in &file.facts.calls {
            let (Some(caller), Some(callee)) = (call.function, model.callee(fi, call)) else {
                continue;
            };
            next.entry(FnRef {
                file: fi,
                func: caller,
            })
            .or_default()
            .push(callee);
        }
    }
    let mut seen: FxHashSet<FnRef> = queue.iter().copied().collect();
    while let Some(f) = queue.pop() {
        for &g in next.get(&f).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(g) {
                queue.push(g);
            }
        }
    }
    seen
}

/// Whether a function is named with one of `words` first, then the end of
/// the name or a new word: `reload_settings`, `refreshCache`, `reset!`,
/// `__init__` for `init`.
fn named_like(name: &str, words: &[&str]) -> bool {
    let name = name.trim_start_matches('_');
    words.iter().any(|w| {
        name.get(..w.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(w))
            && name[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '_' || c == '!' || c.is_ascii_uppercase())
    })
}

/// The root cause of a finding: the cache itself, named without line
/// numbers (see [`crate::finding::CAUSE_SEPARATOR`]).
fn cause(path: &str, scope: &str, name: &str) -> String {
    [path, scope, name].join(crate::finding::CAUSE_SEPARATOR)
}

/// Severity from what is cached and where: fresh data or a request path
/// make a cache that grows (or goes stale) high.
fn severity(base: Severity, fresh: bool, setting: Setting) -> Severity {
    if fresh || setting.request_path {
        base.max(Severity::High)
    } else {
        base
    }
}

/// Run the family.
pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let ids = [memo::RULE, lru::RULE, process::RULE, expiry::RULE];
    if !ids.iter().any(|id| ctx.enabled(id)) {
        return Vec::new();
    }
    let catalogs = catalog::catalogs();
    let family = Family {
        ctx,
        catalogs,
        fresh: FreshIndex::new(ctx.model, catalogs),
        serving: serving(ctx.model),
    };
    let mut findings = Vec::new();
    if ctx.enabled(memo::RULE) {
        let containers = containers::Containers::new(ctx.model, catalogs);
        memo::check(&family, &containers, &mut findings);
    }
    if ctx.enabled(lru::RULE) {
        lru::check(&family, &mut findings);
    }
    if ctx.enabled(process::RULE) {
        process::check(&family, &mut findings);
    }
    if ctx.enabled(expiry::RULE) {
        expiry::check(&family, &mut findings);
    }
    findings
}
