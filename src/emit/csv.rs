//! CSV files for the Jira and Linear importers, one row per register entry.
//!
//! - `jira-csv`: the columns of Jira's CSV importer ("Create issues using
//!   the CSV importer"): `Summary` (required), `Issue Type`, `Priority`
//!   (Highest/High/Medium/Low from critical/high/medium/low), `Description`,
//!   and one `Labels` column per label (the importer reads repeated columns
//!   as several values): `faultline`, the family, and `faultline-<id>`.
//! - `linear-csv`: the columns of Linear's own CSV export, which Linear's
//!   importer reads back: `Title`, `Description`, `Priority` (Urgent/High/
//!   Medium/Low), `Status` (`Backlog`), `Labels` (one cell, `, `-separated).
//!   Like Linear's export, a cell starting with `=`, `+`, `-` or `@` gets a
//!   leading `'`, which the importer strips, so spreadsheets do not run it.
//!
//! Fields are quoted per RFC 4180 (always, with `"` doubled); rows end in
//! CRLF.

use crate::emit::markdown::entry_body;
use crate::finding::Severity;
use crate::register::Entry;
use crate::scan::ScanReport;

/// Quote one field.
pub fn field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn row(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The labels of an entry in a tracker: `faultline`, its family, and the
/// fingerprint label `faultline-<id>`.
pub fn labels(entry: &Entry) -> Vec<String> {
    vec![
        "faultline".to_string(),
        entry.family.clone(),
        fingerprint_label(entry),
    ]
}

/// `faultline-<id>`: how trackers recognise an entry.
pub fn fingerprint_label(entry: &Entry) -> String {
    format!("faultline-{}", entry.id)
}

/// Jira priority names.
pub fn jira_priority(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Highest",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// Linear priority names (Urgent = 1 ... Low = 4 in its API).
pub fn linear_priority(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Urgent",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// `jira-csv`.
pub fn render_jira(report: &ScanReport) -> String {
    let mut out = row(&[
        "Summary".into(),
        "Issue Type".into(),
        "Priority".into(),
        "Description".into(),
        "Labels".into(),
        "Labels".into(),
        "Labels".into(),
    ]);
    for e in &report.register.entries {
        let mut fields = vec![
            e.title.clone(),
            "Task".to_string(),
            jira_priority(e.severity).to_string(),
            entry_body(e),
        ];
        fields.extend(labels(e));
        out.push_str(&row(&fields));
    }
    out
}

/// Guard a cell against spreadsheet formulas the way Linear's export does.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `linear-csv`.
pub fn render_linear(report: &ScanReport) -> String {
    let mut out = row(&[
        "Title".into(),
        "Description".into(),
        "Priority".into(),
        "Status".into(),
        "Labels".into(),
    ]);
    for e in &report.register.entries {
        out.push_str(&row(&[
            defuse(&e.title),
            defuse(&entry_body(e)),
            linear_priority(e.severity).to_string(),
            "Backlog".to_string(),
            labels(e).join(", "),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("a \"b\", c\nd"), "\"a \"\"b\"\", c\nd\"");
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("a"), "a");
    }
}
