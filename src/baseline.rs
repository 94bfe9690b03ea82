//! Baselines: the register as it was, so a scan reports only what is new.
//!
//! `faultline baseline` writes `.faultline-baseline.json`: every entry's id
//! and the fingerprints of its locations. `scan --baseline FILE` then drops
//! entries whose id and locations are all in the file, keeps only the new
//! locations of a known entry that gained some (a new caller of a known
//! blocking helper is news), and counts the baseline's entries that are
//! gone as fixed. `--diff-base GITREF` builds the baseline on the fly by
//! scanning the merge base of HEAD and GITREF in a temporary `git worktree`.

use crate::finding::Severity;
use crate::register::{self, Register};
use crate::scan::{self, ScanOptions, ScanReport};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Default file name, at the scan root.
pub const FILE_NAME: &str = ".faultline-baseline.json";

/// A baseline file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// Entries, sorted by id.
    pub entries: Vec<BaselineEntry>,
}

/// One known entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BaselineEntry {
    /// Entry id.
    pub id: String,
    /// Rule id.
    pub rule: String,
    /// Title when the baseline was written (for people reading the file).
    pub title: String,
    /// Severity when the baseline was written.
    pub severity: Severity,
    /// Fingerprints of its locations.
    pub locations: Vec<String>,
}

/// What comparing a scan with a baseline found.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Comparison {
    /// Entries in the baseline and still present with no new location.
    pub known: usize,
    /// Entries in the baseline that are gone.
    pub fixed: usize,
    /// Entries not in the baseline.
    pub new: usize,
    /// Known entries that gained locations (reported with those only).
    pub grown: usize,
}

impl Baseline {
    /// The baseline of a register.
    pub fn from_register(register: &Register) -> Baseline {
        let mut entries: Vec<BaselineEntry> = register
            .entries
            .iter()
            .map(|e| {
                let mut locations: Vec<String> =
                    e.locations.iter().map(|l| l.fingerprint.clone()).collect();
                locations.sort();
                BaselineEntry {
                    id: e.id.clone(),
                    rule: e.rule.clone(),
                    title: e.title.clone(),
                    severity: e.severity,
                    locations,
                }
            })
            .collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Baseline {
            version: 1,
            entries,
        }
    }

    /// The file's text: pretty JSON, sorted, with a trailing newline, so
    /// that a committed baseline diffs well.
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("serialisable");
        text.push('\n');
        text
    }

    /// Read a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a faultline baseline: {e}", path.display()))?;
        if baseline.version != 1 {
            return Err(format!(
                "{}: baseline version {} is not supported (expected 1)",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }
}

/// Keep only what is not in the baseline: in the register and in the
/// findings list of the report.
pub fn filter(report: &mut ScanReport, baseline: &Baseline) -> Comparison {
    let known: HashMap<&str, HashSet<&str>> = baseline
        .entries
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.locations.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let present: HashSet<&str> = report
        .register
        .entries
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    let mut comparison = Comparison {
        fixed: baseline
            .entries
            .iter()
            .filter(|e| !present.contains(e.id.as_str()))
            .count(),
        ..Comparison::default()
    };
    let mut kept = Vec::new();
    for mut entry in std::mem::take(&mut report.register.entries) {
        match known.get(entry.id.as_str()) {
            None => {
                comparison.new += 1;
                kept.push(entry);
            }
            Some(fingerprints) => {
                entry
                    .locations
                    .retain(|l| !fingerprints.contains(l.fingerprint.as_str()));
                if entry.locations.is_empty() {
                    comparison.known += 1;
                } else {
                    comparison.grown += 1;
                    kept.push(entry);
                }
            }
        }
    }
    let reported: HashSet<String> = kept
        .iter()
        .flat_map(|e| e.locations.iter().map(|l| l.fingerprint.clone()))
        .collect();
    report
        .findings
        .retain(|f| reported.contains(&f.fingerprint));
    report.register.totals = register::totals(&kept);
    report.register.entries = kept;
    comparison
}

/// Scan the merge base of HEAD and `git_ref` (in a temporary worktree of
/// the repository holding `options.root`) with the same options, and
/// return its register as a baseline.
pub fn from_git_ref(options: &ScanOptions, git_ref: &str) -> Result<Baseline, String> {
    let root = std::fs::canonicalize(&options.root)
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    let dir = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or(root.clone())
    } else {
        root.clone()
    };
    let top = PathBuf::from(git(&dir, &["rev-parse", "--show-toplevel"])?);
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let base = git(&dir, &["merge-base", "HEAD", git_ref])?;
    let rel = root
        .strip_prefix(&top)
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let tmp =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let checkout = tmp.path().join("base");
    git(
        &top,
        &[
            "worktree",
            "add",
            "--detach",
            "--quiet",
            &checkout.to_string_lossy(),
            &base,
        ],
    )?;
    let _cleanup = Worktree {
        repo: top.clone(),
        path: checkout.clone(),
    };
    let mut base_options = options.clone();
    base_options.root = checkout.join(rel);
    if !base_options.root.exists() {
        // The scanned directory did not exist then: nothing was known.
        return Ok(Baseline::from_register(&Register::default()));
    }
    let report = scan::scan(&base_options, &|_, _| {}).map_err(|e| e.to_string())?;
    Ok(Baseline::from_register(&report.register))
}

/// Removes the temporary worktree however the scan ends.
struct Worktree {
    repo: PathBuf,
    path: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = git(
            &self.repo,
            &[
                "worktree",
                "remove",
                "--force",
                &self.path.to_string_lossy(),
            ],
        );
        let _ = git(&self.repo, &["worktree", "prune"]);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
