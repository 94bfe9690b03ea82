//! Change frequency: how often each file changed recently, from one
//! `git log` per scan. Code that changes often is code a team is working in,
//! so a risk there is both more likely to be touched (and fixed cheaply) and
//! more likely to get worse; CodeScene's hotspots rest on the same idea.
//!
//! No git, no repository, or a failing `git log` is not an error: every file
//! then counts as unchanged and the factor is 1.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Default window for counting commits.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;

/// Commits per file over a window.
#[derive(Debug, Clone, Default)]
pub struct Churn {
    commits: HashMap<String, u32>,
    /// Whether git history was read.
    pub available: bool,
    /// The window, in days.
    pub window_days: u32,
}

impl Churn {
    /// No history: every factor is 1.
    pub fn none() -> Churn {
        Churn::default()
    }

    /// From explicit counts (paths relative to the scan root).
    pub fn from_counts(window_days: u32, counts: impl IntoIterator<Item = (String, u32)>) -> Churn {
        Churn {
            commits: counts.into_iter().collect(),
            available: true,
            window_days,
        }
    }

    /// Read the history of the repository that contains `root`: one
    /// `git log` over the last `window_days`, paths relative to `root`.
    pub fn from_git(root: &Path, window_days: u32) -> Churn {
        let dir = if root.is_file() {
            root.parent().unwrap_or(Path::new("."))
        } else {
            root
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "core.quotePath=false", "log", "--no-merges"])
            .arg(format!("--since={window_days}.days"))
            .args(["--relative", "--name-only", "--format=%x01"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        let Ok(output) = output else {
            return Churn::none();
        };
        if !output.status.success() {
            return Churn::none();
        }
        let text = String::from_utf8_lossy(&output.stdout);
        Churn::from_counts(window_days, parse_log(&text))
    }

    /// Commits that touched `path` in the window.
    pub fn commits(&self, path: &str) -> u32 {
        self.commits.get(path).copied().unwrap_or(0)
    }

    /// The change-frequency factor of a file: 1 + log2(1 + commits) / 2,
    /// so 0 commits → 1, 1 → 1.5, 3 → 2, 7 → 2.5, 15 → 3.
    pub fn factor(&self, path: &str) -> f64 {
        1.0 + (1.0 + f64::from(self.commits(path))).log2() / 2.0
    }
}

/// Count file names in `git log --name-only --format=%x01` output: each
/// commit starts with a line holding \x01, then its files one per line.
fn parse_log(text: &str) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.contains('\u{1}') {
            continue;
        }
        *counts.entry(line.to_string()).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_only_log() {
        let counts = parse_log("\u{1}\n\na.py\nb/c.py\n\u{1}\n\na.py\n");
        assert_eq!(counts.get("a.py"), Some(&2));
        assert_eq!(counts.get("b/c.py"), Some(&1));
        assert_eq!(counts.len(), 2);
    }

    #[test]
    fn factor_grows_slowly() {
        let churn = Churn::from_counts(90, [("a".to_string(), 3), ("b".to_string(), 15)]);
        assert_eq!(churn.factor("missing"), 1.0);
        assert_eq!(churn.factor("a"), 2.0);
        assert_eq!(churn.factor("b"), 3.0);
    }

    #[test]
    fn no_repository_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let churn = Churn::from_git(dir.path(), 90);
        assert_eq!(churn.factor("x.py"), 1.0);
    }
}
