//! What a file is for: application code, a test, a script or build config,
//! or a migration. Rules use it to lower severity (tests) or to stay silent
//! (code that never serves requests).

use serde::Serialize;

/// The role of a file in its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileRole {
    /// Application or library code.
    Source,
    /// A test, spec or test helper.
    Test,
    /// A command-line script, build configuration or task file.
    Script,
    /// A database migration.
    Migration,
}

/// Classify a file by its relative path and first line (for a shebang).
pub fn classify(rel: &str, first_line: &str) -> FileRole {
    let lower = rel.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').collect();
    let (dirs, file) = segments.split_at(segments.len() - 1);
    let file = file[0];
    let stem = file.split('.').next().unwrap_or(file);
    let test_dir = dirs.iter().any(|d| {
        matches!(
            *d,
            "test" | "tests" | "__tests__" | "spec" | "specs" | "testing" | "e2e" | "__mocks__"
        )
    });
    // A test app's migrations (`tests/migrations/0001_initial.py`) are
    // test code: their tables are not the project's schema.
    if !test_dir
        && dirs
            .iter()
            .any(|d| matches!(*d, "migrate" | "alembic") || d.ends_with("migrations"))
    {
        return FileRole::Migration;
    }
    // Django's `tests.py` beside `models.py` is the app's test module.
    let test_file = stem.starts_with("test_")
        || (stem == "tests" && file.ends_with(".py"))
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem == "conftest"
        || file.contains(".test.")
        || file.contains(".spec.")
        || file.contains(".e2e.");
    if test_dir || test_file {
        return FileRole::Test;
    }
    let script_dir = dirs
        .iter()
        .any(|d| matches!(*d, "bin" | "scripts" | "script" | "tools" | "cli"));
    let config_file = file.contains(".config.")
        || file.starts_with("webpack.")
        || file.starts_with("rollup.")
        || file.starts_with("gulpfile.")
        || file.starts_with("gruntfile.")
        || file.starts_with("jakefile.")
        || stem == "setup"
        || stem == "noxfile"
        || stem == "fabfile"
        || file == "build.rs";
    if script_dir || config_file || first_line.starts_with("#!") {
        return FileRole::Script;
    }
    FileRole::Source
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert_eq!(classify("shop/views.py", ""), FileRole::Source);
        assert_eq!(classify("shop/tests/test_views.py", ""), FileRole::Test);
        assert_eq!(classify("shop/tests.py", ""), FileRole::Test);
        assert_eq!(classify("src/api.test.ts", ""), FileRole::Test);
        assert_eq!(classify("spec/models/user_spec.rb", ""), FileRole::Test);
        assert_eq!(classify("webpack.config.js", ""), FileRole::Script);
        assert_eq!(classify("bin/cli.js", ""), FileRole::Script);
        assert_eq!(classify("mlflow/cli/crypto.py", ""), FileRole::Script);
        assert_eq!(classify("cli.js", "#!/usr/bin/env node"), FileRole::Script);
        assert_eq!(
            classify("shop/migrations/0001_initial.py", ""),
            FileRole::Migration
        );
        assert_eq!(
            classify("tests/migrations/0001_initial.py", ""),
            FileRole::Test,
            "a test app's migrations"
        );
        // Alembic under a project's own name (mlflow `db_migrations/versions`).
        assert_eq!(
            classify("store/db_migrations/versions/90e6_tags.py", ""),
            FileRole::Migration
        );
        assert_eq!(
            classify("db/migrate/20240101_add.rb", ""),
            FileRole::Migration
        );
        assert_eq!(classify("src/build/index.ts", ""), FileRole::Source);
    }
}
