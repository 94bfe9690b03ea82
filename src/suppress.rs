//! Inline suppressions: `# faultline: ignore[rule-id] reason` (or `//`, or
//! `--` in SQL) silences a finding, with the reason on record.
//!
//! A comment after code applies to its own line; a comment alone on its
//! line applies to the next line. Inside the brackets go rule ids, family
//! ids or rule names alone, separated by commas. Suppressed findings leave
//! the report and the register and are counted in the summary. A
//! suppression without a reason, naming an unknown rule, or suppressing
//! nothing is itself reported.
//!
//! Comments are found by a line scan of the text the scan has already read,
//! not by a second parse: a file without `faultline:` in it costs one
//! substring search.

use crate::finding::Finding;
use crate::rules::{meta, Selection};
use serde::Serialize;
use std::collections::HashMap;

const MARKER: &str = "faultline:";

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// File, relative to the scan root.
    pub path: String,
    /// 1-based line of the comment.
    pub line: u32,
    /// 1-based line it applies to.
    pub target_line: u32,
    /// Rule ids, families or rule names, as written.
    pub rules: Vec<String>,
    /// The reason (empty when missing).
    pub reason: String,
}

/// A finding that a suppression silenced.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    /// Rule id.
    pub rule: String,
    /// File.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// The suppression's reason.
    pub reason: String,
}

/// A suppression comment that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// File.
    pub path: String,
    /// 1-based line of the comment.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Find suppression comments in a file's text.
pub fn extract(path: &str, text: &str) -> Vec<Suppression> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = line[..at].trim_end();
        let Some(code) = ["#", "//", "--", "/*"]
            .iter()
            .find_map(|m| before.strip_suffix(m))
        else {
            continue;
        };
        let rest = line[at + MARKER.len()..].trim_start();
        let Some(rest) = rest.strip_prefix("ignore") else {
            continue;
        };
        let (rules, reason) = match rest.strip_prefix('[') {
            Some(inner) => match inner.find(']') {
                Some(close) => (
                    inner[..close]
                        .split(',')
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect(),
                    &inner[close + 1..],
                ),
                None => (Vec::new(), ""),
            },
            None => (Vec::new(), rest),
        };
        let reason = reason
            .trim()
            .trim_end_matches("*/")
            .trim()
            .trim_start_matches([':', '-', '—', '–'])
            .trim()
            .to_string();
        let line_no = i as u32 + 1;
        let standalone = code.trim().is_empty();
        out.push(Suppression {
            path: path.to_string(),
            line: line_no,
            target_line: if standalone { line_no + 1 } else { line_no },
            rules,
            reason,
        });
    }
    out
}

/// Whether a name in a suppression covers a rule.
fn covers(name: &str, rule: &str) -> bool {
    name == rule || rule.split('/').next() == Some(name) || rule.rsplit('/').next() == Some(name)
}

fn known(name: &str) -> bool {
    meta::FAMILIES.contains(&name) || meta::all().iter().any(|r| covers(name, &r.id))
}

/// What applying suppressions produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings that stay.
    pub kept: Vec<Finding>,
    /// Findings silenced.
    pub suppressed: Vec<Suppressed>,
    /// Suppressions to fix.
    pub problems: Vec<Problem>,
}

/// Remove suppressed findings; report suppressions without a reason, with
/// unknown rules, or that suppress nothing among the rules that ran.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    selection: &Selection,
) -> Outcome {
    let mut by_target: HashMap<(&str, u32), Vec<usize>> = HashMap::new();
    for (i, s) in suppressions.iter().enumerate() {
        by_target
            .entry((s.path.as_str(), s.target_line))
            .or_default()
            .push(i);
    }
    let mut used = vec![false; suppressions.len()];
    let mut outcome = Outcome::default();
    for finding in findings {
        let hit = by_target
            .get(&(finding.path.as_str(), finding.span.line))
            .and_then(|ids| {
                ids.iter().copied().find(|&i| {
                    suppressions[i]
                        .rules
                        .iter()
                        .any(|name| covers(name, &finding.rule))
                })
            });
        match hit {
            Some(i) => {
                used[i] = true;
                outcome.suppressed.push(Suppressed {
                    rule: finding.rule.clone(),
                    path: finding.path.clone(),
                    line: finding.span.line,
                    fingerprint: finding.fingerprint.clone(),
                    reason: suppressions[i].reason.clone(),
                });
            }
            None => outcome.kept.push(finding),
        }
    }
    for (i, s) in suppressions.iter().enumerate() {
        let problem = |message: String| Problem {
            path: s.path.clone(),
            line: s.line,
            message,
        };
        if s.rules.is_empty() {
            outcome.problems.push(problem(
                "suppression names no rule: write `faultline: ignore[rule-id] reason`".to_string(),
            ));
            continue;
        }
        let unknown: Vec<&str> = s
            .rules
            .iter()
            .map(String::as_str)
            .filter(|n| !known(n))
            .collect();
        if !unknown.is_empty() {
            outcome.problems.push(problem(format!(
                "suppression names an unknown rule: {} (see `faultline rules`)",
                unknown.join(", ")
            )));
        }
        if s.reason.is_empty() {
            outcome.problems.push(problem(format!(
                "suppression of {} has no reason: say why after the `]`",
                s.rules.join(", ")
            )));
        }
        let ran = s.rules.iter().any(|name| {
            meta::all()
                .iter()
                .any(|r| covers(name, &r.id) && selection.enabled(&r.id))
        });
        if !used[i] && ran {
            outcome.problems.push(problem(format!(
                "suppression of {} suppresses nothing: remove it",
                s.rules.join(", ")
            )));
        }
    }
    outcome
        .problems
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_comment_styles_and_placements() {
        let text = "x = 1\n\
            time.sleep(1)  # faultline: ignore[blocking-call/sleep] warm-up only\n\
            # faultline: ignore[sleep, file-io] - runs once at boot\n\
            open('x')\n\
            let a = b; // faultline: ignore[blocking-call]\n\
            s = \"faultline: ignore[x] not a comment\"\n";
        let s = extract("a.py", text);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].line, 2);
        assert_eq!(s[0].target_line, 2);
        assert_eq!(s[0].rules, ["blocking-call/sleep"]);
        assert_eq!(s[0].reason, "warm-up only");
        assert_eq!(s[1].target_line, 4);
        assert_eq!(s[1].rules, ["sleep", "file-io"]);
        assert_eq!(s[1].reason, "runs once at boot");
        assert_eq!(s[2].rules, ["blocking-call"]);
        assert_eq!(s[2].reason, "");
    }

    #[test]
    fn no_marker_no_work() {
        assert!(extract("a.py", "import time\n# ignore me\n").is_empty());
    }

    #[test]
    fn names_cover_rules() {
        assert!(covers("blocking-call/sleep", "blocking-call/sleep"));
        assert!(covers("blocking-call", "blocking-call/sleep"));
        assert!(covers("sleep", "blocking-call/sleep"));
        assert!(!covers("file-io", "blocking-call/sleep"));
    }
}
