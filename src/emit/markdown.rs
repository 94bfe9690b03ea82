//! The register as a Markdown document a team can read and commit: a
//! summary, a table of entries by priority, then each entry with its
//! locations, evidence, fix and effort. [`entry_body`] is also the
//! description of tracker issues (CSV exports, `faultline push`).

use crate::finding::Severity;
use crate::register::{format_minutes, Entry};
use crate::scan::ScanReport;
use std::fmt::Write;

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The whole document.
pub fn render(report: &ScanReport, root: &str) -> String {
    let register = &report.register;
    let t = &register.totals;
    let mut out = String::new();
    let _ = writeln!(out, "# Scaling-risk register\n");
    let _ = writeln!(
        out,
        "Scanned `{}`: {} files. **{} entr{}** ({} location{}), estimated effort **{}**.",
        cell(root),
        report.files_scanned,
        t.entries,
        if t.entries == 1 { "y" } else { "ies" },
        t.findings,
        if t.findings == 1 { "" } else { "s" },
        format_minutes(t.effort_minutes)
    );
    if !report.suppressed.is_empty() {
        let _ = write!(
            out,
            " {} finding{} suppressed inline.",
            report.suppressed.len(),
            if report.suppressed.len() == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    if let Some(c) = &report.baseline {
        let _ = write!(
            out,
            " Compared with the baseline: {} new, {} with new locations, {} known and hidden, {} fixed.",
            c.new, c.grown, c.known, c.fixed
        );
    }
    out.push_str("\n\n## Summary\n\n| severity | entries |\n|---|---:|\n");
    for s in Severity::ALL {
        let _ = writeln!(
            out,
            "| {s} | {} |",
            t.by_severity.get(s.as_str()).copied().unwrap_or(0)
        );
    }
    if !t.by_family.is_empty() {
        out.push_str("\n| family | entries |\n|---|---:|\n");
        for (family, n) in &t.by_family {
            let _ = writeln!(out, "| {family} | {n} |");
        }
    }
    if register.entries.is_empty() {
        out.push_str("\nNo entries.\n");
        return out;
    }
    out.push_str("\n## Entries by priority\n\n");
    out.push_str("| # | priority | severity | entry | locations | effort |\n");
    out.push_str("|---:|---:|---|---|---:|---:|\n");
    for (i, e) in register.entries.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | [{}](#{}) | {} | {} |",
            i + 1,
            e.priority,
            e.severity,
            cell(&e.title),
            anchor(e),
            e.locations.len(),
            format_minutes(u64::from(e.effort_minutes))
        );
    }
    for (i, e) in register.entries.iter().enumerate() {
        let _ = writeln!(out, "\n### {}. {}\n", i + 1, e.title);
        let _ = writeln!(out, "<a id=\"{}\"></a>\n", anchor(e));
        out.push_str(&entry_body(e));
    }
    out
}

fn anchor(e: &Entry) -> String {
    format!("entry-{}", e.id)
}

/// An entry's details in Markdown: facts line, why, locations, evidence,
/// fix, and the scores behind the priority.
pub fn entry_body(e: &Entry) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}** · `{}` · priority {} · estimated effort {} · id `{}`\n",
        e.severity,
        e.rule,
        e.priority,
        format_minutes(u64::from(e.effort_minutes)),
        e.id
    );
    if !e.why.is_empty() {
        let _ = writeln!(out, "**Why it hurts at scale.** {}\n", e.why);
    }
    let _ = writeln!(out, "**Locations ({})**\n", e.locations.len());
    for l in &e.locations {
        let _ = writeln!(out, "- `{}:{}` {}", l.path, l.line, l.message);
    }
    if !e.evidence.is_empty() {
        out.push_str("\n**Evidence**\n\n");
        for step in &e.evidence {
            let _ = writeln!(out, "- `{}:{}` {}", step.path, step.line, step.note);
        }
    }
    if !e.fix.is_empty() {
        let _ = writeln!(out, "\n**Fix.** {}", e.fix);
    }
    let _ = writeln!(
        out,
        "\nImpact estimate {} · confidence {} · change frequency ×{} ({} commits in the window).",
        e.impact, e.confidence, e.change_frequency, e.commits
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
