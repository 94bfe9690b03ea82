//! GitHub Actions workflow commands: one annotation per location,
//! `::error file=..,line=..,endLine=..,col=..,title=..::message`.
//!
//! Levels from severity: critical and high → `error`, medium → `warning`,
//! low → `notice`. Escaping follows the runner's rules: in the message `%`,
//! `\r` and `\n` are percent-encoded; in properties also `:` and `,`.

use crate::finding::Severity;
use crate::scan::ScanReport;
use std::fmt::Write;

/// Escape the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// `root` joined with a relative path, as the workspace-relative path the
/// runner expects when faultline runs from the repository root.
fn file_path(root: &str, rel: &str) -> String {
    if std::path::Path::new(root).is_file() {
        return root.strip_prefix("./").unwrap_or(root).to_string();
    }
    let root = root.trim_end_matches('/');
    let root = root.strip_prefix("./").unwrap_or(root);
    if root.is_empty() || root == "." {
        rel.to_string()
    } else {
        format!("{root}/{rel}")
    }
}

/// One line per location of every entry, in priority order.
pub fn render(report: &ScanReport, root: &str) -> String {
    let mut out = String::new();
    for entry in &report.register.entries {
        let title = format!("{} [{}] {}", entry.severity, entry.rule, entry.title);
        for loc in &entry.locations {
            let mut message = loc.message.clone();
            if !entry.why.is_empty() {
                message.push_str("\n\nWhy: ");
                message.push_str(&entry.why);
            }
            if !entry.fix.is_empty() {
                message.push_str("\nFix: ");
                message.push_str(&entry.fix);
            }
            let _ = writeln!(
                out,
                "::{} file={},line={},endLine={},col={},title={}::{}",
                level(entry.severity),
                escape_property(&file_path(root, &loc.path)),
                loc.line,
                loc.end_line.max(loc.line),
                loc.column,
                escape_property(&title),
                escape_data(&message)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn paths_join_the_root() {
        assert_eq!(file_path(".", "a/b.py"), "a/b.py");
        assert_eq!(file_path("./svc/", "a.py"), "svc/a.py");
        assert_eq!(file_path("", "a.py"), "a.py");
    }
}
