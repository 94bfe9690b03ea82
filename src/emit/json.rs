//! The JSON output (`--format json`), exactly as `output-contract.md`
//! describes it, plus keys the contract allows to grow (`fix`, `why`,
//! `evidence`, `skipped`, `notes`, summary details, `suppressed`,
//! `suppression_problems`, `register`, `baseline`).

use crate::finding::{Evidence, Severity};
use crate::register::Register;
use crate::rules::meta;
use crate::scan::{Note, ScanReport, Skipped};
use crate::suppress::{Problem, Suppressed};
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    root: &'a str,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
    skipped: &'a [Skipped],
    notes: &'a [Note],
    suppressed: &'a [Suppressed],
    suppression_problems: &'a [Problem],
    register: &'a Register,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a crate::baseline::Comparison>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    family: &'a str,
    severity: Severity,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    message: String,
    fingerprint: &'a str,
    priority: f64,
    why: &'a str,
    fix: &'a str,
    evidence: &'a [Evidence],
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    files_skipped: usize,
    findings: usize,
    lines_scanned: usize,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
    suppressed: usize,
    elapsed_ms: u128,
}

/// Render the report as the contract's JSON object (pretty-printed, with a
/// trailing newline).
pub fn render(report: &ScanReport, root: &str) -> String {
    let findings = report
        .findings
        .iter()
        .map(|f| JsonFinding {
            rule: &f.rule,
            family: &f.family,
            severity: f.severity,
            path: &f.path,
            line: f.span.line,
            column: f.span.column,
            end_line: f.span.end_line,
            message: super::full_message(f),
            fingerprint: &f.fingerprint,
            priority: f.priority,
            why: meta::get(&f.rule).map_or("", |m| m.why.trim()),
            fix: &f.fix,
            evidence: &f.evidence,
        })
        .collect();
    let by_severity = Severity::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                report.findings.iter().filter(|f| f.severity == *s).count(),
            )
        })
        .collect();
    let output = Output {
        version: 1,
        root,
        findings,
        summary: Summary {
            files_scanned: report.files_scanned,
            files_skipped: report.skipped.len(),
            findings: report.findings.len(),
            lines_scanned: report.lines_scanned,
            by_severity,
            suppressed: report.suppressed.len(),
            elapsed_ms: report.elapsed.as_millis(),
        },
        skipped: &report.skipped,
        notes: &report.notes,
        suppressed: &report.suppressed,
        suppression_problems: &report.suppression_problems,
        register: &report.register,
        baseline: report.baseline.as_ref(),
    };
    let mut text = serde_json::to_string_pretty(&output).expect("serialisable");
    text.push('\n');
    text
}
