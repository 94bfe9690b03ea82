//! Helpers shared by the integration tests.

#![allow(dead_code)]

use faultline::scan::{scan, ScanOptions, ScanReport};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Scan a path with default options.
pub fn scan_path(path: &Path) -> ScanReport {
    scan(&ScanOptions::new(path), &|_, _| {}).expect("scan runs")
}

/// An inline expectation in a fixture file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    /// `expect`, `ok`, `todo-expect` or `todo-ok`.
    pub kind: String,
    /// Rule id.
    pub rule: String,
    /// File, relative to the fixture unit.
    pub path: String,
    /// 1-based line.
    pub line: u32,
}

const KINDS: [&str; 4] = ["todo-expect", "todo-ok", "expect", "ok"];

/// The marks on one line of a fixture: a comment (`#`, `//`, `--`) whose text
/// starts with `expect:`, `ok:`, `todo-expect:` or `todo-ok:` followed by
/// rule ids separated by commas or spaces.
pub fn marks_on_line(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for delimiter in ["#", "//", "--"] {
        let mut rest = text;
        while let Some(i) = rest.find(delimiter) {
            let after = rest[i + delimiter.len()..].trim_start();
            for kind in KINDS {
                if let Some(ids) = after.strip_prefix(kind).and_then(|s| s.strip_prefix(':')) {
                    let ids = ids.split(['#']).next().unwrap_or("");
                    for id in ids
                        .split([',', ' '])
                        .map(str::trim)
                        .filter(|s| s.contains('/'))
                    {
                        out.push((kind.to_string(), id.to_string()));
                    }
                    break;
                }
            }
            rest = &rest[i + delimiter.len()..];
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every mark in the files of a fixture unit (a file, or a directory).
pub fn marks(unit: &Path) -> Vec<Mark> {
    let mut out = Vec::new();
    let files: Vec<PathBuf> = if unit.is_dir() {
        walk_files(unit)
    } else {
        vec![unit.to_path_buf()]
    };
    for file in files {
        let rel = faultline::walk::relative(unit, &file);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for (kind, rule) in marks_on_line(line) {
                out.push(Mark {
                    kind,
                    rule,
                    path: rel.clone(),
                    line: n as u32 + 1,
                });
            }
        }
    }
    out.sort();
    out
}

/// Files under a directory, sorted.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The fixture units of the repository: `fixtures/<family>/<rule>/<unit>`.
pub fn fixture_units() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let root = repo().join("fixtures");
    let Ok(families) = std::fs::read_dir(&root) else {
        return out;
    };
    for family in families.flatten().filter(|e| e.path().is_dir()) {
        let Ok(rules) = std::fs::read_dir(family.path()) else {
            continue;
        };
        for rule in rules.flatten().filter(|e| e.path().is_dir()) {
            let id = format!(
                "{}/{}",
                family.file_name().to_string_lossy(),
                rule.file_name().to_string_lossy()
            );
            let Ok(units) = std::fs::read_dir(rule.path()) else {
                continue;
            };
            for unit in units.flatten() {
                out.push((id.clone(), unit.path()));
            }
        }
    }
    out.sort();
    out
}
