//! Configuration files: discovery, validation, overrides, `faultline init`.

use faultline::config::{self, PathRules};
use std::path::Path;
use std::process::{Command, Output};

fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run faultline")
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

#[test]
fn unknown_keys_name_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "faultline.toml",
        "select = []\nfail_on = \"high\"\n",
    );
    write(dir.path(), "a.py", "x = 1\n");
    let out = faultline(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("faultline.toml"), "{err}");
    assert!(err.contains("unknown key `fail_on`"), "{err}");
    assert!(err.contains("fail-on"), "{err}");
}

#[test]
fn pyproject_tool_table_is_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.faultline]\nexclud = [\"legacy\"]\n",
    );
    let out = faultline(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("pyproject.toml [tool.faultline]"), "{err}");
    assert!(err.contains("unknown key `exclud`"), "{err}");
}

#[test]
fn keys_not_supported_yet_say_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "faultline.toml",
        "blocking-functions = [\"a.b\"]\n",
    );
    let out = faultline(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`blocking-functions` is not supported yet"));
}

#[test]
fn bad_values_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "faultline.toml",
        "[severity]\n\"blocking-call/nope\" = \"high\"\n",
    );
    let out = faultline(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule: blocking-call/nope"));
    write(dir.path(), "faultline.toml", "fail-on = \"urgent\"\n");
    let out = faultline(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("urgent"), "{}", stderr(&out));
    write(dir.path(), "faultline.toml", "select = [\"n-plus-two\"]\n");
    let out = faultline(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("n-plus-two"));
}

#[test]
fn exclude_is_relative_to_the_config_file_and_found_from_subdirectories() {
    let dir = tempfile::tempdir().unwrap();
    // A pyproject.toml without [tool.faultline] in between is passed over.
    write(dir.path(), "faultline.toml", "exclude = [\"app/legacy\"]\n");
    write(
        dir.path(),
        "app/pyproject.toml",
        "[project]\nname = \"app\"\n",
    );
    write(dir.path(), "app/legacy/old.py", "x = 1\n");
    write(dir.path(), "app/legacy/older.py", "x = 1\n");
    write(dir.path(), "app/new.py", "x = 1\n");
    let app = dir.path().join("app");
    let out = faultline(&["scan", app.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // new.py and pyproject.toml are not Python sources... only new.py counts.
    assert_eq!(json(&out)["summary"]["files_scanned"], 1);
    let out = faultline(&[
        "scan",
        app.to_str().unwrap(),
        "--format",
        "json",
        "--no-config",
    ]);
    assert_eq!(json(&out)["summary"]["files_scanned"], 3);
}

#[test]
fn an_explicit_config_file_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "faultline.toml", "bogus = 1\n");
    write(dir.path(), "other.toml", "exclude = [\"b.py\"]\n");
    write(dir.path(), "a.py", "x = 1\n");
    write(dir.path(), "b.py", "x = 1\n");
    let root = dir.path().to_str().unwrap();
    let cfg = dir.path().join("other.toml");
    let out = faultline(&[
        "scan",
        root,
        "--format",
        "json",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["summary"]["files_scanned"], 1);
    let out = faultline(&["scan", root, "--config", "/no/such/faultline.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn init_writes_a_default_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let out = faultline(&["init", root]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("faultline.toml")).unwrap();
    assert!(text.contains("# "), "commented");
    let loaded = config::load(&dir.path().join("faultline.toml")).unwrap();
    assert_eq!(loaded.config.change_window_days, Some(90));
    let out = faultline(&["scan", root]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = faultline(&["init", root]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"));
    assert_eq!(faultline(&["init", root, "--force"]).status.code(), Some(0));
}

#[test]
fn test_paths_and_excludes_match_relative_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("svc")).unwrap();
    let rules = PathRules::new(
        &["gen".to_string()],
        &["qa".to_string(), "**/*_check.py".to_string()],
        &dir.path().join("svc"),
        Some(dir.path()),
    )
    .unwrap();
    // Paths are relative to the scan root (svc/); globs to the config's directory.
    assert!(rules.is_test("x_check.py"));
    assert!(!rules.is_test("qa/a.py"));
    assert!(!rules.excluded("gen/a.py"));
    let rules = PathRules::new(
        &["svc/gen".to_string()],
        &["svc/qa".to_string()],
        &dir.path().join("svc"),
        Some(dir.path()),
    )
    .unwrap();
    assert!(rules.is_test("qa/a.py"));
    assert!(rules.excluded("gen/deep/a.py"));
    assert!(!rules.excluded("general.py"));
}
