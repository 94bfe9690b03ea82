//! Configuration: `faultline.toml` (or `.faultline.toml`), or the
//! `[tool.faultline]` table of `pyproject.toml`, found like ruff finds its
//! own: the closest directory, from the scan root upwards, that has one.
//! Within a directory `faultline.toml` wins over `pyproject.toml`; a
//! `pyproject.toml` without `[tool.faultline]` is passed over.
//!
//! Every key is optional; unknown keys are errors that name the key and the
//! file. Command-line flags override the file.

use crate::finding::Severity;
use crate::rules::{meta, Selection};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names looked for in each directory, in order.
pub const FILE_NAMES: [&str; 2] = ["faultline.toml", ".faultline.toml"];

/// Keys people may expect but that nothing reads yet: rejected with a
/// clearer message than "unknown key".
const NOT_YET: [&str; 4] = [
    "dialect",
    "database-dialect",
    "blocking-functions",
    "query-functions",
];

/// The settings a file can hold.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Only these rules or families (empty: all).
    #[serde(default)]
    pub select: Vec<String>,
    /// Never these rules or families.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Paths to leave out of the scan: globs relative to the config file's
    /// directory; a directory name covers everything under it.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Extra paths whose files are tests (ranked last, severity low).
    #[serde(default)]
    pub test_paths: Vec<String>,
    /// Exit with 1 when a finding reaches this severity.
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Severity pinned per rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Days of git history for change frequency (0: do not read git).
    #[serde(default)]
    pub change_window_days: Option<u32>,
}

/// A configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The settings.
    pub config: Config,
    /// The file (None: no file, defaults).
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// The directory globs are relative to.
    pub fn base(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

/// Find and load the configuration for a scan root.
pub fn discover(root: &Path) -> Result<Loaded, String> {
    let start = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    for dir in start.ancestors() {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if path.is_file() {
                return load(&path);
            }
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let loaded = load(&pyproject)?;
            if loaded.path.is_some() {
                return Ok(loaded);
            }
        }
    }
    Ok(Loaded::default())
}

/// Load one file: `pyproject.toml` (its `[tool.faultline]` table; without
/// one, defaults and no path) or a `faultline.toml`.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let config = if is_pyproject {
        let doc: toml::Table = toml::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
        let Some(table) = doc
            .get("tool")
            .and_then(|t| t.get("faultline"))
            .and_then(|t| t.as_table())
        else {
            return Ok(Loaded::default());
        };
        check_not_yet(table, &format!("{name} [tool.faultline]"))?;
        toml::Value::Table(table.clone())
            .try_into::<Config>()
            .map_err(|e| format!("{name} [tool.faultline]: {}", clean(&e.to_string())))?
    } else {
        if let Ok(table) = toml::from_str::<toml::Table>(&text) {
            check_not_yet(&table, &name.to_string())?;
        }
        toml::from_str::<Config>(&text).map_err(|e| format!("{name}: {}", clean(&e.to_string())))?
    };
    let where_ = if is_pyproject {
        format!("{name} [tool.faultline]")
    } else {
        name.to_string()
    };
    config.validate(&where_)?;
    Ok(Loaded {
        config,
        path: Some(path.to_path_buf()),
    })
}

fn check_not_yet(table: &toml::Table, where_: &str) -> Result<(), String> {
    for key in NOT_YET {
        if table.contains_key(key) {
            return Err(format!(
                "{where_}: key `{key}` is not supported yet: no rule reads it in this version; remove it"
            ));
        }
    }
    Ok(())
}

/// toml's messages say "field"; a config file has keys.
fn clean(message: &str) -> String {
    message
        .trim()
        .replace("unknown field", "unknown key")
        .replace("expected one of", "expected one of the keys")
}

impl Config {
    /// Check names and globs; errors name the file and the key.
    pub fn validate(&self, where_: &str) -> Result<(), String> {
        let selection = Selection {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
        };
        let unknown = selection.unknown_names();
        if !unknown.is_empty() {
            return Err(format!(
                "{where_}: `select`/`ignore` name an unknown rule or family: {} (see `faultline rules`)",
                unknown.join(", ")
            ));
        }
        for rule in self.severity.keys() {
            if meta::get(rule).is_none() {
                return Err(format!(
                    "{where_}: `severity` names an unknown rule: {rule} (use a full rule id; see `faultline rules`)"
                ));
            }
        }
        globs(&self.exclude).map_err(|e| format!("{where_}: `exclude`: {e}"))?;
        globs(&self.test_paths).map_err(|e| format!("{where_}: `test-paths`: {e}"))?;
        Ok(())
    }
}

/// Compile path globs; a pattern also covers everything under it, so a
/// directory name excludes the directory.
pub fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let p = pattern.trim_start_matches("./").trim_end_matches('/');
        for variant in [p.to_string(), format!("{p}/**")] {
            builder.add(Glob::new(&variant).map_err(|e| format!("bad glob {pattern:?}: {e}"))?);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

/// Path rules for a scan: globs and the prefix that turns a path relative
/// to the scan root into one relative to the config file's directory.
#[derive(Debug, Clone, Default)]
pub struct PathRules {
    exclude: Option<GlobSet>,
    tests: Option<GlobSet>,
    prefix: String,
}

impl PathRules {
    /// Build from patterns, for a scan of `root` with globs relative to
    /// `base` (the config file's directory; None: the root).
    pub fn new(
        exclude: &[String],
        test_paths: &[String],
        root: &Path,
        base: Option<&Path>,
    ) -> Result<PathRules, String> {
        let prefix = match base {
            Some(base) => {
                let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                let root = canon(root);
                let root = if root.is_file() {
                    root.parent().map(Path::to_path_buf).unwrap_or(root)
                } else {
                    root
                };
                root.strip_prefix(canon(base))
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default()
            }
            None => String::new(),
        };
        let set = |patterns: &[String]| -> Result<Option<GlobSet>, String> {
            if patterns.is_empty() {
                Ok(None)
            } else {
                globs(patterns).map(Some)
            }
        };
        Ok(PathRules {
            exclude: set(exclude)?,
            tests: set(test_paths)?,
            prefix,
        })
    }

    fn full(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }

    /// Whether a file (relative to the scan root) is excluded.
    pub fn excluded(&self, rel: &str) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(self.full(rel)))
    }

    /// Whether a file (relative to the scan root) is configured as a test.
    pub fn is_test(&self, rel: &str) -> bool {
        self.tests
            .as_ref()
            .is_some_and(|g| g.is_match(self.full(rel)))
    }
}

/// What `faultline init` writes.
pub const DEFAULT_FILE: &str = r#"# faultline configuration: see "Configuration" in faultline's README.
# faultline reads this file from the scan root or the closest directory above it.
# Every key is optional; an unknown key is an error. Command-line flags override these.

# Rules or families to run; empty runs all. `faultline rules` lists them.
# Example: select = ["blocking-call", "n-plus-one"]
select = []

# Rules or families never to run.
# Example: ignore = ["blocking-call/file-io"]
ignore = []

# Paths to leave out of the scan: globs relative to this file's directory.
# A directory name covers everything under it.
# Example: exclude = ["legacy", "scripts/one_off_*.py"]
exclude = []

# Extra paths whose files count as tests: their findings rank last, at low severity.
# Example: test-paths = ["qa", "**/*_check.py"]
test-paths = []

# Exit with code 1 when a finding reaches this severity: "critical", "high", "medium" or "low".
# Without it, a scan exits 0 whatever it finds.
# fail-on = "high"

# Days of git history used for change frequency in the register's priority
# (0: do not read git history).
change-window-days = 90

# Severity pinned per rule id, whatever the register's impact estimate says.
[severity]
# "blocking-call/file-io" = "low"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_to_defaults() {
        let config: Config = toml::from_str(DEFAULT_FILE).unwrap();
        assert_eq!(
            config,
            Config {
                change_window_days: Some(90),
                ..Config::default()
            }
        );
    }

    #[test]
    fn globs_cover_directories() {
        let g = globs(&["legacy".to_string(), "*_check.py".to_string()]).unwrap();
        assert!(g.is_match("legacy/a/b.py"));
        assert!(g.is_match("legacy"));
        assert!(g.is_match("app/x_check.py"));
        assert!(!g.is_match("app/legacy.py"));
    }
}
