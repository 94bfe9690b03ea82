//! The command line as users and tools see it: exit codes, formats, flags.

use std::path::Path;
use std::process::{Command, Output};

fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run faultline")
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const SLEEPY: &str = "import time\n\nasync def handler():\n    time.sleep(1)\n";

fn path(dir: &tempfile::TempDir) -> &str {
    dir.path().to_str().unwrap()
}

#[test]
fn json_output_follows_the_contract() {
    let dir = project(&[("app/views.py", SLEEPY), ("app/__init__.py", "")]);
    let out = faultline(&["scan", path(&dir), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["root"], path(&dir));
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "blocking-call/sleep");
    assert_eq!(f["family"], "blocking-call");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["path"], "app/views.py");
    assert_eq!(f["line"], 4);
    assert_eq!(f["column"], 5);
    assert_eq!(f["end_line"], 4);
    assert!(f["message"].as_str().unwrap().contains("asyncio.sleep"));
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    assert!(f["priority"].as_f64().unwrap() > 0.0);
    assert_eq!(v["summary"]["files_scanned"], 2);
    assert_eq!(v["summary"]["files_skipped"], 0);
    assert_eq!(v["summary"]["findings"], 1);
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = project(&[("a.py", SLEEPY)]);
    assert_eq!(
        faultline(&["scan", path(&dir), "--fail-on", "high"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        faultline(&["scan", path(&dir), "--fail-on", "medium"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        faultline(&["scan", path(&dir), "--fail-on", "low"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(faultline(&["scan", path(&dir)]).status.code(), Some(0));
}

#[test]
fn usage_and_fatal_errors_exit_2() {
    assert_eq!(
        faultline(&["scan", "--fail-on", "huge"]).status.code(),
        Some(2)
    );
    assert_eq!(
        faultline(&["scan", "/definitely/not/here"]).status.code(),
        Some(2)
    );
    assert_eq!(
        faultline(&["scan", ".", "--select", "no-such-rule"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        faultline(&["explain", "no-such-rule"]).status.code(),
        Some(2)
    );
    assert_eq!(faultline(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn select_and_ignore_by_rule_or_family() {
    let dir = project(&[("a.py", SLEEPY)]);
    let count = |args: &[&str]| {
        let mut all = vec!["scan", path(&dir), "--format", "json"];
        all.extend_from_slice(args);
        let v: serde_json::Value = serde_json::from_slice(&faultline(&all).stdout).unwrap();
        v["summary"]["findings"].as_u64().unwrap()
    };
    assert_eq!(count(&[]), 1);
    assert_eq!(count(&["--ignore", "blocking-call"]), 0);
    assert_eq!(count(&["--ignore", "blocking-call/sleep"]), 0);
    assert_eq!(count(&["--select", "blocking-call/file-io"]), 0);
    assert_eq!(
        count(&["--select", "blocking-call/sleep,blocking-call/file-io"]),
        1
    );
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = project(&[("a.py", SLEEPY)]);
    let target = dir.path().join("out/report.json");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let out = faultline(&[
        "scan",
        path(&dir),
        "--format",
        "json",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(v["summary"]["findings"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

#[test]
fn terminal_output_shows_snippet_rule_and_summary() {
    let dir = project(&[("a.py", SLEEPY)]);
    let out = faultline(&["scan", path(&dir)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("blocking-call/sleep"), "{text}");
    assert!(text.contains("time.sleep(1)"), "{text}");
    assert!(text.contains("asyncio.sleep"), "{text}");
    assert!(text.contains("1 finding: 1 medium."), "{text}");
    let quiet = faultline(&["scan", path(&dir), "--quiet"]);
    let text = String::from_utf8(quiet.stdout).unwrap();
    assert!(!text.contains("Scanned"), "{text}");
}

#[test]
fn dependency_directories_are_skipped_unless_asked() {
    let dir = project(&[("node_modules/x/a.py", SLEEPY), ("src/b.py", "x = 1\n")]);
    let scanned = |args: &[&str]| {
        let mut all = vec!["scan", path(&dir), "--format", "json"];
        all.extend_from_slice(args);
        let v: serde_json::Value = serde_json::from_slice(&faultline(&all).stdout).unwrap();
        v["summary"]["files_scanned"].as_u64().unwrap()
    };
    assert_eq!(scanned(&[]), 1);
    assert_eq!(scanned(&["--include-deps"]), 2);
}

#[test]
fn rules_and_explain() {
    let out = faultline(&["rules"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("blocking-call/sync-network"));
    let out = faultline(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 7);
    let out = faultline(&["explain", "blocking-call/file-io"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
    ] {
        assert!(text.contains(section), "{text}");
    }
    assert!(Path::new(env!("CARGO_BIN_EXE_faultline")).exists());
}

#[test]
fn schema_shows_migration_sources_as_text_and_json() {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/missing-index/unindexed-lookup");
    let alembic = fixtures.join("alembic-app");
    let out = faultline(&["schema", alembic.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ix_accounts_email: unique (email)")
            && text.contains("alembic/versions/1f3a_create_accounts.py:23"),
        "{text}"
    );
    let knex = fixtures.join("knex-app");
    let out = faultline(&["schema", knex.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let users = &v["tables"][0];
    assert_eq!(users["name"], "users");
    assert_eq!(users["origin"], "knex");
    let name_index = users["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "users_name_index")
        .expect("index from the second migration");
    assert_eq!(
        name_index["source"]["path"],
        "migrations/20240301000000_names.ts"
    );
    assert_eq!(name_index["source"]["line"], 5);
}
