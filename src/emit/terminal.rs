//! Terminal output: one `miette` diagnostic per finding with a source
//! snippet, then a one-line summary.

use crate::finding::{Finding, Severity};
use crate::rules::meta;
use crate::scan::ScanReport;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource,
    Severity as MietteSeverity,
};
use std::fmt::Write;
use std::path::Path;

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Terminal width for wrapping.
    pub width: usize,
}

/// Render every finding as a diagnostic with its snippet (the summary is
/// [`summary`]).
pub fn diagnostics(report: &ScanReport, root: &Path, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1);
    let mut out = String::new();
    for finding in &report.findings {
        let diagnostic = diagnostic(finding);
        let source = read_source(root, &finding.path);
        let report = miette::Report::new(diagnostic)
            .with_source_code(NamedSource::new(&finding.path, source));
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            let _ = writeln!(
                out,
                "{}:{}: {}",
                finding.path, finding.span.line, finding.message
            );
        }
    }
    out
}

fn diagnostic(finding: &Finding) -> MietteDiagnostic {
    let why = meta::get(&finding.rule).map_or("", |m| m.why.trim());
    let mut help = String::new();
    if !why.is_empty() {
        help.push_str(why);
        help.push('\n');
    }
    let _ = write!(help, "fix: {}", finding.fix);
    for step in &finding.evidence {
        let _ = write!(help, "\n  via {}:{}: {}", step.path, step.line, step.note);
    }
    let start = finding.span.start as usize;
    let len = (finding.span.end as usize).saturating_sub(start).max(1);
    MietteDiagnostic::new(format!("{} {}", finding.severity, finding.message))
        .with_code(finding.rule.clone())
        .with_severity(match finding.severity {
            Severity::Critical | Severity::High => MietteSeverity::Error,
            Severity::Medium => MietteSeverity::Warning,
            Severity::Low => MietteSeverity::Advice,
        })
        .with_label(LabeledSpan::new_primary_with_span(
            Some(label(finding)),
            (start, len.min(200)),
        ))
        .with_help(help)
}

fn label(finding: &Finding) -> String {
    match finding.family.as_str() {
        "blocking-call" => "blocks the event loop".to_string(),
        "n-plus-one" => "runs once per item".to_string(),
        "missing-index" => "no index serves this".to_string(),
        "adhoc-cache" => "hand-rolled cache".to_string(),
        _ => finding.rule.clone(),
    }
}

/// The file's text for the snippet; empty when it cannot be read any more.
fn read_source(root: &Path, rel: &str) -> String {
    let path = if root.is_file() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    std::fs::read(&path)
        .ok()
        .and_then(|bytes| crate::source::decode(bytes).ok())
        .map(|t| t.text)
        .unwrap_or_default()
}

/// "Scanned 812 files (96,210 lines) in 0.41s, skipped 2; 5 findings: 1 critical, 4 high."
pub fn summary(report: &ScanReport) -> String {
    let mut line = format!(
        "Scanned {} file{} ({} lines) in {:.2}s",
        thousands(report.files_scanned),
        if report.files_scanned == 1 { "" } else { "s" },
        thousands(report.lines_scanned),
        report.elapsed.as_secs_f64()
    );
    if !report.skipped.is_empty() {
        let _ = write!(line, ", skipped {}", report.skipped.len());
    }
    let n = report.findings.len();
    if n == 0 {
        line.push_str("; no findings.");
        return line;
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let c = report.findings.iter().filter(|f| f.severity == *s).count();
            (c > 0).then(|| format!("{c} {s}"))
        })
        .collect();
    let _ = write!(
        line,
        "; {n} finding{}: {}.",
        if n == 1 { "" } else { "s" },
        counts.join(", ")
    );
    line
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
