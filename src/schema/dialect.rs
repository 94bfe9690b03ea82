//! Which database the project runs on, guessed from what it says: driver
//! packages in its manifests (`Cargo.toml` features, `package.json`,
//! `Gemfile`, Python requirements), `config/database.yml`, Django's
//! `DATABASES` setting, a Prisma `datasource`, and dialect-only DDL.
//!
//! It matters for foreign keys: MySQL (InnoDB) indexes every foreign key
//! by itself, Postgres and SQLite do not.

use serde::Serialize;
use std::path::Path;

/// A SQL dialect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// Not known.
    #[default]
    Unknown,
    /// PostgreSQL (and CockroachDB, which follows it).
    Postgres,
    /// MySQL or MariaDB (InnoDB).
    MySql,
    /// SQLite.
    Sqlite,
}

impl Dialect {
    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Unknown => "unknown",
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// The dialect a driver, adapter or provider name stands for:
    /// `postgresql`, `pg`, `psycopg2`, `mysql2`, `sqlite3`, `sqlx/postgres`...
    pub fn from_word(word: &str) -> Option<Dialect> {
        let w = word.to_ascii_lowercase();
        let w = w.rsplit(['.', '/', ':']).next().unwrap_or(&w);
        if w.starts_with("postgres")
            || w.starts_with("psycopg")
            || matches!(
                w,
                "pg" | "pgsql" | "asyncpg" | "postgis" | "cockroachdb" | "tokio-postgres"
            )
        {
            Some(Dialect::Postgres)
        } else if w.starts_with("mysql") || w.starts_with("mariadb") || w == "pymysql" {
            Some(Dialect::MySql)
        } else if w.starts_with("sqlite") || w == "better-sqlite3" || w == "rusqlite" {
            Some(Dialect::Sqlite)
        } else {
            None
        }
    }
}

/// A guess with what supports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The dialect.
    pub dialect: Dialect,
    /// What says so, e.g. `Gemfile: gem "pg"`.
    pub why: String,
    /// Configuration (1) outranks packages (2), which outrank DDL (3).
    pub rank: u8,
}

/// The best-supported dialect among the evidence: the lowest rank wins,
/// then the most evidence at that rank; a tie between dialects is unknown.
pub fn decide(evidence: &[Evidence]) -> (Dialect, Option<String>) {
    let Some(best_rank) = evidence.iter().map(|e| e.rank).min() else {
        return (Dialect::Unknown, None);
    };
    let top: Vec<&Evidence> = evidence.iter().filter(|e| e.rank == best_rank).collect();
    let count = |d: Dialect| top.iter().filter(|e| e.dialect == d).count();
    let mut dialects = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];
    dialects.sort_by_key(|d| std::cmp::Reverse(count(*d)));
    let winner = dialects[0];
    if count(winner) == count(dialects[1]) {
        return (Dialect::Unknown, None);
    }
    let why = top
        .iter()
        .find(|e| e.dialect == winner)
        .map(|e| e.why.clone());
    (winner, why)
}

/// Manifests read from the scan root (cheap: a handful of small files).
const MANIFESTS: &[&str] = &[
    "config/database.yml",
    "Gemfile",
    "Cargo.toml",
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "setup.cfg",
];

/// Largest manifest read.
const MAX_MANIFEST: u64 = 512 * 1024;

/// Evidence from the manifests under `root`.
pub fn from_manifests(root: &Path) -> Vec<Evidence> {
    let mut out = Vec::new();
    for name in MANIFESTS {
        let path = root.join(name);
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_MANIFEST {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        out.extend(from_manifest(name, &text));
    }
    out
}

/// Evidence from one manifest's text.
pub fn from_manifest(name: &str, text: &str) -> Vec<Evidence> {
    let mut out = Vec::new();
    let mut push = |dialect: Dialect, why: String, rank: u8| {
        if !out.iter().any(|e: &Evidence| e.dialect == dialect) {
            out.push(Evidence { dialect, why, rank });
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        match name {
            "config/database.yml" => {
                if let Some(adapter) = line.strip_prefix("adapter:") {
                    if let Some(d) = Dialect::from_word(adapter.trim().trim_matches(['"', '\''])) {
                        push(d, format!("{name}: {line}"), 1);
                    }
                }
            }
            "Gemfile" => {
                if let Some(gem) = line.strip_prefix("gem ") {
                    let gem = gem
                        .split(',')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_matches(['"', '\'']);
                    if matches!(gem, "pg" | "mysql2" | "trilogy" | "sqlite3") {
                        let d = if gem == "trilogy" {
                            Dialect::MySql
                        } else {
                            Dialect::from_word(gem).unwrap_or_default()
                        };
                        push(d, format!("{name}: {line}"), 2);
                    }
                }
            }
            _ => {
                let words = || {
                    line.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '/')))
                        .filter(|w| !w.is_empty())
                };
                // A dependency is the first word of its line (`"pg": "^8"`,
                // `psycopg2>=2.9`, `sqlx = {...}`); Cargo features name the
                // database inside a database crate's line.
                let first = words().next().unwrap_or("");
                let found = if DRIVERS.contains(&first) {
                    Some(first)
                } else if name == "Cargo.toml" && cargo_dependency_line(line) {
                    words().find(|w| matches!(*w, "postgres" | "mysql" | "sqlite"))
                } else {
                    None
                };
                if let Some(d) = found.and_then(Dialect::from_word) {
                    let line: String = line.chars().take(80).collect();
                    push(d, format!("{name}: {line}"), 2);
                }
            }
        }
    }
    out
}

/// Driver packages, by the name a manifest lists them under.
const DRIVERS: &[&str] = &[
    "pg",
    "mysql2",
    "mysql",
    "sqlite3",
    "better-sqlite3",
    "psycopg2",
    "psycopg2-binary",
    "psycopg",
    "asyncpg",
    "mysqlclient",
    "pymysql",
    "postgres",
    "tokio-postgres",
    "rusqlite",
];

/// A `Cargo.toml` line that declares a database crate or its features
/// (not a description that mentions one).
fn cargo_dependency_line(line: &str) -> bool {
    ["sqlx", "diesel", "sea-orm", "features"]
        .iter()
        .any(|k| line.starts_with(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_their_database() {
        let yml = "default: &default\n  adapter: postgresql\n  pool: 5\n";
        assert_eq!(
            decide(&from_manifest("config/database.yml", yml)).0,
            Dialect::Postgres
        );
        let gemfile = "source 'https://rubygems.org'\ngem 'rails'\ngem \"mysql2\", \"~> 0.5\"\n";
        assert_eq!(decide(&from_manifest("Gemfile", gemfile)).0, Dialect::MySql);
        let cargo = "[dependencies]\nsqlx = { version = \"0.7\", features = [\"runtime-tokio\", \"postgres\"] }\n";
        assert_eq!(
            decide(&from_manifest("Cargo.toml", cargo)).0,
            Dialect::Postgres
        );
        let cargo = "[package]\ndescription = \"server postgres database library\"\n";
        assert_eq!(
            decide(&from_manifest("Cargo.toml", cargo)).0,
            Dialect::Unknown
        );
        let pkg = "{\n  \"dependencies\": {\n    \"better-sqlite3\": \"^9\"\n  }\n}";
        assert_eq!(
            decide(&from_manifest("package.json", pkg)).0,
            Dialect::Sqlite
        );
        // A package that merely mentions a database in its name says nothing.
        let pkg = "{\n  \"description\": \"pg tools\",\n  \"dependencies\": {\n    \"pg-boss-ui\": \"^1\"\n  }\n}";
        assert_eq!(
            decide(&from_manifest("package.json", pkg)).0,
            Dialect::Unknown
        );
    }

    #[test]
    fn configuration_outranks_packages_and_ties_are_unknown() {
        let ev = |d, rank| Evidence {
            dialect: d,
            why: String::new(),
            rank,
        };
        assert_eq!(
            decide(&[ev(Dialect::Sqlite, 2), ev(Dialect::Postgres, 1)]).0,
            Dialect::Postgres
        );
        assert_eq!(
            decide(&[ev(Dialect::Sqlite, 2), ev(Dialect::Postgres, 2)]).0,
            Dialect::Unknown
        );
        assert_eq!(decide(&[]).0, Dialect::Unknown);
    }
}
