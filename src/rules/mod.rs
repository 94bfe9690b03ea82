//! Rules: metadata from `rules/` (see [`meta`]) and logic per family.
//!
//! A family module reads facts from the [`Model`] and returns findings for
//! its rules; which rules exist is data (the TOML files), so adding a rule
//! to a family edits no list here. `tests/meta.rs` checks that every rule
//! has docs, fixtures and a family with logic.

mod adhoc_cache;
mod blocking_call;
mod chain;
mod globs;
pub mod meta;
pub(crate) mod missing_index;
mod n_plus_one;

use crate::facts::Span;
use crate::finding::{Finding, Setting};
use crate::model::Model;

pub use blocking_call::compile_catalog as compile_blocking_catalog;
pub use n_plus_one::compile_catalog as compile_n_plus_one_catalog;

/// Which rules run: `--select` and `--ignore`, by rule id or family.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these rules or families (empty: all).
    pub select: Vec<String>,
    /// Never these rules or families.
    pub ignore: Vec<String>,
}

impl Selection {
    /// Whether a rule runs.
    pub fn enabled(&self, rule_id: &str) -> bool {
        let family = rule_id.split('/').next().unwrap_or(rule_id);
        let hits = |list: &[String]| list.iter().any(|s| s == rule_id || s == family);
        (self.select.is_empty() || hits(&self.select)) && !hits(&self.ignore)
    }

    /// Names in the selection that are neither a rule id nor a family.
    pub fn unknown_names(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|name| !meta::FAMILIES.contains(&name.as_str()) && meta::get(name).is_none())
            .cloned()
            .collect()
    }
}

/// What a family's logic gets.
pub struct RuleContext<'a> {
    /// The joined project.
    pub model: &'a Model,
    /// Which rules run.
    pub selection: &'a Selection,
    /// The scan root, for the few project files that are not source code
    /// (manifests naming the database driver).
    pub root: &'a std::path::Path,
    /// Scan-level notes a family adds (a table queried but not defined).
    pub notes: std::sync::Mutex<Vec<crate::scan::Note>>,
    /// The project's ORM entities, computed once for every family that
    /// asks ([`RuleContext::entities`]).
    pub entities: std::sync::OnceLock<crate::orm::Entities>,
}

impl RuleContext<'_> {
    /// The project's ORM entities ([`crate::orm::entities`]), computed on
    /// first use and shared by the families.
    pub fn entities(&self) -> &crate::orm::Entities {
        self.entities
            .get_or_init(|| crate::orm::entities(self.model))
    }

    /// Whether a rule runs.
    pub fn enabled(&self, rule_id: &str) -> bool {
        self.selection.enabled(rule_id)
    }

    /// A finding of `rule_id` at `span` in file `file`, with the rule's
    /// defaults; the family fills in message, fix and context.
    ///
    /// # Panics
    /// When `rule_id` has no metadata file: a programming error that the
    /// fixture tests catch.
    pub fn finding(&self, rule_id: &str, file: u32, span: Span) -> Finding {
        let meta = meta::get(rule_id)
            .unwrap_or_else(|| panic!("rule {rule_id} has no rules/{rule_id}.toml"));
        Finding {
            rule: meta.id.clone(),
            family: meta.family.clone(),
            severity: meta.severity,
            path: self.model.file(file).path.clone(),
            span,
            message: String::new(),
            fix: String::new(),
            evidence: Vec::new(),
            setting: Setting::default(),
            anchor: String::new(),
            scope: None,
            cause: String::new(),
            fingerprint: String::new(),
            priority: 0.0,
        }
    }
}

/// A family's logic.
type FamilyCheck = fn(&RuleContext) -> Vec<Finding>;

/// Families with logic. A family listed in [`meta::FAMILIES`] but not here
/// has no rules yet.
pub const FAMILY_CHECKS: &[(&str, FamilyCheck)] = &[
    ("n-plus-one", n_plus_one::check),
    ("missing-index", missing_index::check),
    ("blocking-call", blocking_call::check),
    ("adhoc-cache", adhoc_cache::check),
];

/// Run every family that has an enabled rule, in parallel.
pub fn run(ctx: &RuleContext) -> Vec<Finding> {
    use rayon::prelude::*;
    // Families are independent readers of the model: run them side by side
    // (on the scan's thread pool), then keep their order.
    let per_family: Vec<Vec<Finding>> = FAMILY_CHECKS
        .par_iter()
        .filter(|(family, _)| {
            meta::all()
                .iter()
                .any(|r| r.family == *family && ctx.enabled(&r.id))
        })
        .map(|(_, check)| check(ctx))
        .collect();
    per_family.into_iter().flatten().collect()
}
