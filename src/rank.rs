//! Ranking: a priority per finding and a fingerprint that survives
//! unrelated edits, then the order the output contract asks for.
//!
//! A finding's priority is the register's formula
//! ([`crate::register::priority`]) for a one-location entry: estimated
//! impact at the reference scale ([`crate::register::impact`], from the
//! rule's `cost` and where the finding runs) × change frequency of its file
//! × the rule's confidence ÷ effort. Findings and register entries therefore
//! rank alike.

use crate::finding::Finding;
use crate::register::{self, impact, Churn};
use std::collections::HashMap;

/// Score, fingerprint and sort findings.
pub fn rank(findings: &mut [Finding], churn: &Churn) {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    // Fingerprints number identical findings in source order, so sort first.
    findings.sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    for finding in findings.iter_mut() {
        finding.priority = priority(finding, churn);
        let base = register::fingerprint::finding_base(
            &finding.rule,
            &finding.path,
            finding.scope.as_deref(),
            &finding.anchor,
        );
        let n = seen.entry(base).or_insert(0);
        finding.fingerprint = register::fingerprint::numbered(base, *n);
        *n += 1;
    }
    findings.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.span.line.cmp(&b.span.line))
            .then_with(|| a.span.column.cmp(&b.span.column))
    });
}

/// The priority of one finding (rounded to one decimal).
pub fn priority(finding: &Finding, churn: &Churn) -> f64 {
    let meta = crate::rules::meta::get(&finding.rule);
    let confidence = meta.map_or(0.5, |m| m.confidence);
    let minutes = meta.map_or(30, |m| m.effort_minutes);
    register::priority(
        impact::impact(finding),
        churn.factor(&finding.path),
        confidence,
        register::effort(minutes, 1),
    )
}
