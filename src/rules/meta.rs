//! Rule metadata and documentation, read from the TOML files under `rules/`
//! that the build embeds in the binary.

use crate::finding::Severity;
use serde::Deserialize;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));
}

/// Every embedded TOML file under `rules/`: (path relative to `rules/`, text).
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::RULE_FILES
}

/// A rule's documentation, in fixed sections.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    /// What the rule finds.
    pub what: String,
    /// Why it hurts at scale.
    pub why: String,
    /// Code that is flagged.
    pub example_bad: String,
    /// The same code, fixed.
    pub example_good: String,
    /// How to fix it, per framework.
    pub remediation: String,
    /// Further reading.
    #[serde(default)]
    pub references: Vec<String>,
}

/// One rule's metadata (`rules/<family>/<name>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// `family/name`.
    pub id: String,
    /// `n-plus-one`, `missing-index`, `blocking-call` or `adhoc-cache`.
    pub family: String,
    /// One-line title.
    pub title: String,
    /// Default severity.
    pub severity: Severity,
    /// How often a finding of this rule is a real problem, 0..1.
    pub confidence: f64,
    /// Estimated minutes to fix one occurrence.
    pub effort_minutes: u32,
    /// How one occurrence costs at scale (drives priority).
    pub cost: Cost,
    /// Languages the rule reads (`python`, `javascript`, `ruby`, `rust`, `sql`, `prisma`).
    pub languages: Vec<String>,
    /// One sentence on why it hurts at scale, shown with every finding.
    pub why: String,
    /// Documentation.
    pub docs: Docs,
}

/// How a rule's cost grows with data, at the reference scale of
/// `crate::register::impact`: loops over 100 rows, 1M-row tables, 10
/// requests in flight per event loop.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(tag = "class", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Cost {
    /// One query per row: a round trip of `ms` per iteration.
    QueryPerRow {
        /// Milliseconds per round trip.
        ms: f64,
    },
    /// A scan that grows with the table: `ms` per execution at 1M rows.
    FullScan {
        /// Milliseconds per execution.
        ms: f64,
    },
    /// The event loop is blocked for `ms` per call.
    BlockedLoop {
        /// Milliseconds per call.
        ms: f64,
    },
    /// A risk with no latency model (memory, staleness): a fixed weight on
    /// the same scale.
    Fixed {
        /// The weight.
        weight: f64,
    },
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cost::QueryPerRow { ms } => write!(f, "one {ms} ms query per row"),
            Cost::FullScan { ms } => write!(f, "a {ms} ms table scan per execution"),
            Cost::BlockedLoop { ms } => write!(f, "the event loop blocked {ms} ms per call"),
            Cost::Fixed { weight } => write!(f, "fixed weight {weight}"),
        }
    }
}

/// The families, in the order the output contract lists them.
pub const FAMILIES: &[&str] = &[
    "n-plus-one",
    "missing-index",
    "blocking-call",
    "adhoc-cache",
];

/// All rules, sorted by id. Panics at first use if an embedded file is
/// malformed; `tests/meta.rs` makes that a test failure, never a user's.
pub fn all() -> &'static [RuleMeta] {
    static RULES: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<RuleMeta> = files()
            .iter()
            .filter(|(path, _)| !path.starts_with("catalogs/"))
            .map(|(path, text)| {
                toml::from_str(text).unwrap_or_else(|e| panic!("rules/{path}: {e}"))
            })
            .collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules
    })
}

/// The rule with this id.
pub fn get(id: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|r| r.id == id)
}

/// Embedded catalog files under `rules/catalogs/<dir>/`: (file stem, text).
pub fn catalog_files(dir: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    files().iter().filter_map(move |(path, text)| {
        let rest = path
            .strip_prefix("catalogs/")?
            .strip_prefix(dir)?
            .strip_prefix('/')?;
        Some((rest.strip_suffix(".toml").unwrap_or(rest), *text))
    })
}
