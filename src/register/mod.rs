//! The tech-debt register: findings grouped by root cause into entries a
//! team can plan with, each with a stable id, the evidence, the fix, an
//! effort estimate and a priority.
//!
//! Findings with the same rule and cause ([`Finding::cause`]) are one entry:
//! one blocking helper called from ten handlers is one entry with ten
//! locations. Every emitter of the register (Markdown, SARIF, CSV, trackers)
//! reads [`Register`].
//!
//! Priority = impact × change frequency × confidence ÷ effort (hours):
//! - impact ([`impact`]): the sum over the entry's locations of the cost
//!   class of its rule at a reference scale, adjusted for where it runs;
//! - change frequency ([`churn`]): 1 + log2(1 + commits in the window) / 2
//!   for the busiest file among the locations and evidence, 1 without git;
//! - confidence: the rule's;
//! - effort: the rule's minutes for the first location plus a quarter of
//!   that for each further one (one fix at the cause often serves all), plus
//!   30 minutes per change for review and release in the priority (so a
//!   5-minute fix does not outrank everything by its size alone).
//!
//! Severity is the highest of the entry's findings (each set by its rule
//! for its setting) unless the configuration pins it for the rule. Each
//! finding's own priority (`crate::rank`) is this formula for a one-location
//! entry, so findings and entries rank alike.

pub mod churn;
pub mod fingerprint;
pub mod impact;

use crate::finding::{Evidence, Finding, Severity};
use crate::rules::meta;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

pub use churn::Churn;

/// One place where an entry's root cause shows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Location {
    /// File, relative to the scan root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// 1-based last line.
    pub end_line: u32,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// The finding's message.
    pub message: String,
    /// Enclosing function, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// One register entry: one root cause.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Stable id: the fingerprint of the rule and cause.
    pub id: String,
    /// One line naming the rule and the cause.
    pub title: String,
    /// Family id.
    pub family: String,
    /// Rule id.
    pub rule: String,
    /// Severity band (or the configured override).
    pub severity: Severity,
    /// Priority score, higher first.
    pub priority: f64,
    /// Estimated impact (ms per execution at the reference scale, summed
    /// over locations).
    pub impact: f64,
    /// The rule's confidence, 0..1.
    pub confidence: f64,
    /// Change-frequency factor (1 without git history).
    pub change_frequency: f64,
    /// Commits in the window touching the busiest file of the entry.
    pub commits: u32,
    /// Estimated remediation effort in minutes.
    pub effort_minutes: u32,
    /// Where it shows, by path and line.
    pub locations: Vec<Location>,
    /// Supporting steps (a call chain across files), deduplicated.
    pub evidence: Vec<EvidenceStep>,
    /// Why it hurts at scale (the rule's sentence).
    pub why: String,
    /// The fix in the framework's idiom.
    pub fix: String,
}

/// A step of evidence (owned, deserialisable copy of [`Evidence`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct EvidenceStep {
    /// File.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// What happens there.
    pub note: String,
}

impl From<&Evidence> for EvidenceStep {
    fn from(e: &Evidence) -> EvidenceStep {
        EvidenceStep {
            path: e.path.clone(),
            line: e.line,
            note: e.note.clone(),
        }
    }
}

/// Counts over the register.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    /// Entries.
    pub entries: usize,
    /// Locations (findings) over all entries.
    pub findings: usize,
    /// Entries per severity (every severity present, possibly 0).
    pub by_severity: BTreeMap<String, usize>,
    /// Entries per family (only families with entries).
    pub by_family: BTreeMap<String, usize>,
    /// Sum of the entries' effort, in minutes.
    pub effort_minutes: u64,
}

/// The register.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Register {
    /// Entries, highest priority first.
    pub entries: Vec<Entry>,
    /// Totals.
    pub totals: Totals,
}

/// How to build the register.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Change frequency per file.
    pub churn: Churn,
    /// Severities pinned per rule id.
    pub severity_overrides: BTreeMap<String, Severity>,
}

/// Group findings by root cause and rank the entries.
pub fn build(findings: &[Finding], options: &BuildOptions) -> Register {
    let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for finding in findings {
        // A finding without a cause is its own root cause.
        let id = if finding.cause.trim().is_empty() {
            fingerprint::entry_id(&finding.rule, &format!("finding:{}", finding.fingerprint))
        } else {
            fingerprint::entry_id(&finding.rule, &finding.cause)
        };
        match index.get(&id) {
            Some(&i) => groups[i].1.push(finding),
            None => {
                index.insert(id.clone(), groups.len());
                groups.push((id, vec![finding]));
            }
        }
    }
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .map(|(id, group)| entry(id, group, options))
        .collect();
    entries.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.locations[0].path.cmp(&b.locations[0].path))
            .then_with(|| a.locations[0].line.cmp(&b.locations[0].line))
            .then_with(|| a.id.cmp(&b.id))
    });
    let totals = totals(&entries);
    Register { entries, totals }
}

/// Recompute totals (after filtering entries, e.g. against a baseline).
pub fn totals(entries: &[Entry]) -> Totals {
    let mut by_severity: BTreeMap<String, usize> = Severity::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    let mut by_family = BTreeMap::new();
    for e in entries {
        *by_severity
            .entry(e.severity.as_str().to_string())
            .or_insert(0) += 1;
        *by_family.entry(e.family.clone()).or_insert(0) += 1;
    }
    Totals {
        entries: entries.len(),
        findings: entries.iter().map(|e| e.locations.len()).sum(),
        by_severity,
        by_family,
        effort_minutes: entries.iter().map(|e| u64::from(e.effort_minutes)).sum(),
    }
}

/// "Register: 3 entries (1 critical, 2 high) in 2 families; estimated effort 2h 10m."
pub fn summary_line(register: &Register) -> String {
    let t = &register.totals;
    if t.entries == 0 {
        return "Register: no entries.".to_string();
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = t.by_severity.get(s.as_str()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    format!(
        "Register: {} entr{} ({}) in {} famil{}; estimated effort {}.",
        t.entries,
        if t.entries == 1 { "y" } else { "ies" },
        counts.join(", "),
        t.by_family.len(),
        if t.by_family.len() == 1 { "y" } else { "ies" },
        format_minutes(t.effort_minutes)
    )
}

/// `135` → `2h 15m`; `40` → `40m`.
pub fn format_minutes(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// Effort for `n` locations of a rule estimated at `minutes` each: the
/// first costs the full estimate, each further one a quarter of it, rounded
/// up to 5 minutes.
pub fn effort(minutes: u32, n: usize) -> u32 {
    let minutes = f64::from(minutes.max(1));
    let total = minutes * (1.0 + 0.25 * n.saturating_sub(1) as f64);
    ((total / 5.0).ceil() * 5.0) as u32
}

/// Fixed cost of any change (review, release), in minutes, added to the
/// effort in the priority.
pub const CHANGE_OVERHEAD_MINUTES: u32 = 30;

/// Priority = impact × change frequency × confidence ÷ effort in hours
/// (with [`CHANGE_OVERHEAD_MINUTES`] added), rounded to one decimal.
pub fn priority(impact: f64, change_frequency: f64, confidence: f64, effort_minutes: u32) -> f64 {
    let hours = f64::from(effort_minutes + CHANGE_OVERHEAD_MINUTES) / 60.0;
    let score = impact * change_frequency * confidence / hours;
    (score * 10.0).round() / 10.0
}

fn entry(id: String, mut group: Vec<&Finding>, options: &BuildOptions) -> Entry {
    group.sort_by(|a, b| {
        (&a.path, a.span.line, a.span.column).cmp(&(&b.path, b.span.line, b.span.column))
    });
    let first = group[0];
    let rule_meta = meta::get(&first.rule);
    let confidence = rule_meta.map_or(0.5, |m| m.confidence);
    let minutes = rule_meta.map_or(30, |m| m.effort_minutes);
    let impact: f64 = group.iter().map(|f| impact::impact(f)).sum();
    let mut evidence = Vec::new();
    let mut seen = HashSet::new();
    for f in &group {
        for step in &f.evidence {
            let step = EvidenceStep::from(step);
            if seen.insert(step.clone()) {
                evidence.push(step);
            }
        }
    }
    let (commits, change_frequency) = group
        .iter()
        .map(|f| f.path.as_str())
        .chain(evidence.iter().map(|e| e.path.as_str()))
        .map(|p| (options.churn.commits(p), options.churn.factor(p)))
        .fold((0, 1.0f64), |(c, f), (c2, f2)| (c.max(c2), f.max(f2)));
    let effort_minutes = effort(minutes, group.len());
    let severity = options
        .severity_overrides
        .get(&first.rule)
        .copied()
        .unwrap_or_else(|| {
            group
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(first.severity)
        });
    Entry {
        title: title(first, rule_meta.map_or(first.rule.as_str(), |m| &m.title)),
        family: first.family.clone(),
        rule: first.rule.clone(),
        severity,
        priority: priority(impact, change_frequency, confidence, effort_minutes),
        impact: (impact * 10.0).round() / 10.0,
        confidence,
        change_frequency: (change_frequency * 100.0).round() / 100.0,
        commits,
        effort_minutes,
        locations: group
            .iter()
            .map(|f| Location {
                path: f.path.clone(),
                line: f.span.line,
                column: f.span.column,
                end_line: f.span.end_line,
                fingerprint: f.fingerprint.clone(),
                message: f.message.clone(),
                scope: f.scope.clone(),
            })
            .collect(),
        evidence,
        why: rule_meta.map_or(String::new(), |m| m.why.trim().to_string()),
        fix: first.fix.clone(),
        id,
    }
}

/// "Synchronous HTTP call inside async code: `requests.get` in
/// `shop.pricing.exchange_rate` (shop/pricing.py)". Causes written as
/// `path::scope::what` are shown that way; other causes as they are.
fn title(first: &Finding, rule_title: &str) -> String {
    let parts: Vec<&str> = first.cause.split(crate::finding::CAUSE_SEPARATOR).collect();
    match parts.as_slice() {
        [path, scope, what] if !what.is_empty() => {
            if scope.is_empty() {
                format!("{rule_title}: `{what}` in {path}")
            } else {
                format!("{rule_title}: `{what}` in `{scope}` ({path})")
            }
        }
        _ if first.cause.trim().is_empty() => {
            format!("{rule_title}: {}:{}", first.path, first.span.line)
        }
        _ => format!("{rule_title}: {}", first.cause),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effort_grows_with_locations() {
        assert_eq!(effort(30, 1), 30);
        assert_eq!(effort(30, 2), 40); // 37.5 rounded up
        assert_eq!(effort(45, 5), 90);
        assert_eq!(effort(0, 1), 5);
    }

    #[test]
    fn minutes() {
        assert_eq!(format_minutes(40), "40m");
        assert_eq!(format_minutes(120), "2h");
        assert_eq!(format_minutes(135), "2h 15m");
    }

    #[test]
    fn priority_formula() {
        // 200 ms × 2 (churn) × 0.9 ÷ (30 + 30 min = 1 h)
        assert_eq!(priority(200.0, 2.0, 0.9, 30), 360.0);
        assert!(priority(200.0, 1.0, 0.9, 60) < priority(200.0, 1.0, 0.9, 30));
    }
}
