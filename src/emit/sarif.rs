//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! - `tool.driver.rules`: every rule, with its documentation as help (plain
//!   text and Markdown), default level, tags and precision;
//! - one result per location of every register entry, level from the
//!   entry's severity (critical/high → `error`, medium → `warning`, low →
//!   `note`), the evidence chain as `relatedLocations`;
//! - `partialFingerprints`: `faultlineFinding/v1` (the location's
//!   fingerprint) and `faultlineEntry/v1` (the entry id), so alerts keep
//!   their identity as lines move;
//! - URIs relative to `%SRCROOT%`: for a relative scan root (`.`, `svc`)
//!   `%SRCROOT%` is the working directory and URIs carry the root
//!   (`svc/app.py`), which is what GitHub expects when the scan runs from
//!   the repository root; for an absolute root `%SRCROOT%` is the root.

use crate::finding::Severity;
use crate::rules::meta::{self, RuleMeta};
use crate::scan::ScanReport;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The `$schema` URI written in the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn precision(confidence: f64) -> &'static str {
    if confidence >= 0.9 {
        "very-high"
    } else if confidence >= 0.8 {
        "high"
    } else if confidence >= 0.6 {
        "medium"
    } else {
        "low"
    }
}

/// Percent-encode a path for a URI reference (unreserved characters and
/// `/` stay as they are).
pub fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%SRCROOT%` (absolute directory) and the prefix of every URI.
fn base(root: &str) -> (Option<PathBuf>, String) {
    let path = Path::new(root);
    let dir_part = if path.is_file() {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        path.to_path_buf()
    };
    if path.is_absolute() {
        return (Some(dir_part), String::new());
    }
    let prefix = dir_part
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    (std::env::current_dir().ok(), prefix)
}

fn file_uri(dir: &Path) -> String {
    let mut s = dir.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{}", encode_path(&s))
}

/// The help text of a rule in Markdown: its documentation sections.
pub fn rule_markdown(rule: &RuleMeta) -> String {
    let d = &rule.docs;
    let mut out = format!("# {}\n\n", rule.title);
    for (title, body) in [
        ("What it does", &d.what),
        ("Why is this bad?", &d.why),
        ("Example", &d.example_bad),
        ("Use instead", &d.example_good),
        ("How to fix it", &d.remediation),
    ] {
        out.push_str(&format!("## {title}\n\n{}\n\n", body.trim()));
    }
    if !d.references.is_empty() {
        out.push_str("## References\n\n");
        for r in &d.references {
            out.push_str(&format!("- <{r}>\n"));
        }
    }
    out
}

fn rule_descriptor(rule: &RuleMeta) -> Value {
    let name: String = rule
        .id
        .split(['/', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "id": rule.id,
        "name": name,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.docs.what.trim() },
        "help": {
            "text": format!("{}\n\n{}\n\n{}", rule.docs.what.trim(), rule.docs.why.trim(), rule.docs.remediation.trim()),
            "markdown": rule_markdown(rule),
        },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["performance", "scalability", rule.family],
            "precision": precision(rule.confidence),
            "problem.severity": match rule.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low => "recommendation",
            },
        },
    })
}

fn location(prefix: &str, path: &str, line: u32, column: Option<u32>, end_line: u32) -> Value {
    let uri = if prefix.is_empty() {
        path.to_string()
    } else {
        format!("{prefix}/{path}")
    };
    let mut region = json!({ "startLine": line.max(1), "endLine": end_line.max(line).max(1) });
    if let Some(c) = column {
        region["startColumn"] = json!(c.max(1));
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": encode_path(&uri), "uriBaseId": "%SRCROOT%" },
            "region": region,
        }
    })
}

/// The SARIF log.
pub fn render(report: &ScanReport, root: &str) -> String {
    let rules = meta::all();
    let (srcroot, prefix) = base(root);
    let mut results = Vec::new();
    for entry in &report.register.entries {
        let rule_index = rules.iter().position(|r| r.id == entry.rule);
        for loc in &entry.locations {
            let mut text = loc.message.clone();
            if !entry.fix.is_empty() {
                text.push_str(" Fix: ");
                text.push_str(entry.fix.trim_end_matches('.'));
                text.push('.');
            }
            let related: Vec<Value> = entry
                .evidence
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let mut l = location(&prefix, &step.path, step.line, None, step.line);
                    l["id"] = json!(i);
                    l["message"] = json!({ "text": step.note });
                    l
                })
                .collect();
            let mut result = json!({
                "ruleId": entry.rule,
                "level": level(entry.severity),
                "message": { "text": text },
                "locations": [location(&prefix, &loc.path, loc.line, Some(loc.column), loc.end_line)],
                "partialFingerprints": {
                    "faultlineFinding/v1": loc.fingerprint,
                    "faultlineEntry/v1": entry.id,
                },
                "properties": {
                    "severity": entry.severity,
                    "priority": entry.priority,
                    "entry": entry.id,
                    "entryTitle": entry.title,
                    "effortMinutes": entry.effort_minutes,
                },
            });
            if let Some(i) = rule_index {
                result["ruleIndex"] = json!(i);
            }
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            results.push(result);
        }
    }
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "faultline",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
            }
        },
        "results": results,
        "invocations": [{
            "executionSuccessful": true,
            "toolExecutionNotifications": report.skipped.iter().map(|s| json!({
                "level": "warning",
                "message": { "text": if s.path.is_empty() { s.reason.clone() } else { format!("skipped {}: {}", s.path, s.reason) } },
            })).collect::<Vec<_>>(),
        }],
    });
    if let Some(dir) = srcroot {
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": file_uri(&dir) } });
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("serialisable");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(encode_path("a b/ü#.py"), "a%20b/%C3%BC%23.py");
        assert_eq!(file_uri(Path::new("/w/my repo")), "file:///w/my%20repo/");
    }

    #[test]
    fn relative_roots_become_prefixes() {
        assert_eq!(base(".").1, "");
        assert_eq!(base("./svc/api").1, "svc/api");
        assert_eq!(base("/abs/x").1, "");
    }
}
