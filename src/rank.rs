//! Ranking: a priority score per finding and a fingerprint that survives
//! unrelated edits, then the order the output contract asks for.
//!
//! Priority = impact × confidence ÷ effort, on a 0–100 scale:
//! - impact: the severity's weight (critical 8, high 4, medium 2, low 1),
//!   × 1.5 on a request path, × 2^(loop depth) (a query in k nested loops
//!   costs ~D^k), × 0.25 in tests and scripts;
//! - confidence: the rule's (0..1);
//! - effort: the rule's estimated minutes, as √(minutes / 15) so that a
//!   long fix lowers priority without drowning its impact.

use crate::finding::{Finding, Severity};
use std::collections::HashMap;

/// Score, fingerprint and sort findings.
pub fn rank(findings: &mut [Finding]) {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    // Fingerprints number identical findings in source order, so sort first.
    findings.sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    for finding in findings.iter_mut() {
        finding.priority = priority(finding);
        let base = crate::register::fingerprint::finding_base(
            &finding.rule,
            &finding.path,
            finding.scope.as_deref(),
            &finding.anchor,
        );
        let n = seen.entry(base).or_insert(0);
        finding.fingerprint = crate::register::fingerprint::numbered(base, *n);
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

fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 8.0,
        Severity::High => 4.0,
        Severity::Medium => 2.0,
        Severity::Low => 1.0,
    }
}

/// The priority of one finding, 0–100, rounded to one decimal.
pub fn priority(finding: &Finding) -> f64 {
    let meta = crate::rules::meta::get(&finding.rule);
    let confidence = meta.map_or(0.5, |m| m.confidence);
    let minutes = meta.map_or(30, |m| m.effort_minutes).max(1) as f64;
    let setting = finding.setting;
    let mut impact = weight(finding.severity) * 2f64.powi(setting.loop_depth.min(4) as i32);
    if setting.request_path {
        impact *= 1.5;
    }
    if setting.test || setting.script {
        impact *= 0.25;
    }
    let raw = impact * confidence / (minutes / 15.0).sqrt();
    // 8 (critical) × 1.5 × 16 (4 loops) at full confidence and 15 minutes is the ceiling.
    let scaled = 100.0 * raw / (8.0 * 1.5 * 16.0);
    (scaled.clamp(0.0, 100.0) * 10.0).round() / 10.0
}
