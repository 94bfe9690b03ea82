//! Baselines: writing, reading, filtering, and `--diff-base`.

mod reg;

use faultline::baseline::{self, Baseline, Comparison};
use faultline::register::{self, BuildOptions};
use faultline::scan::ScanReport;
use reg::*;
use std::path::Path;
use std::process::{Command, Output};

fn report(findings: Vec<faultline::finding::Finding>) -> ScanReport {
    let register = register::build(&findings, &BuildOptions::default());
    ScanReport {
        findings,
        files_scanned: 0,
        lines_scanned: 0,
        skipped: Vec::new(),
        notes: Vec::new(),
        suppressed: Vec::new(),
        suppression_problems: Vec::new(),
        register,
        baseline: None,
        elapsed: std::time::Duration::ZERO,
    }
}

fn helper_call(path: &str, line: u32, scope: &str) -> faultline::finding::Finding {
    finding(
        "blocking-call/sync-network",
        path,
        line,
        scope,
        "exchange_rate -> requests.get",
        "shop/pricing.py::shop.pricing.exchange_rate::requests.get",
    )
}

#[test]
fn round_trips_through_its_file() {
    let before = report(sample());
    let b = Baseline::from_register(&before.register);
    assert_eq!(b.entries.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".faultline-baseline.json");
    std::fs::write(&path, b.render()).unwrap();
    assert_eq!(Baseline::load(&path).unwrap(), b);
    std::fs::write(&path, "{\"entries\": 3}").unwrap();
    assert!(Baseline::load(&path)
        .unwrap_err()
        .contains("not a faultline baseline"));
}

#[test]
fn reports_only_what_is_new_and_counts_what_was_fixed() {
    let old = report(ranked(vec![
        helper_call("shop/views.py", 20, "shop.views.product_price"),
        direct("blocking-call/sleep", "a.py", 3, "a.f", "time.sleep"),
        direct("blocking-call/file-io", "b.py", 3, "b.f", "open"),
    ]));
    let known = Baseline::from_register(&old.register);
    // Lines moved, the file read was fixed, the helper got a new caller, and
    // a subprocess call appeared.
    let mut now = report(ranked(vec![
        helper_call("shop/views.py", 25, "shop.views.product_price"),
        helper_call("shop/views.py", 60, "shop.views.checkout"),
        direct("blocking-call/sleep", "a.py", 13, "a.f", "time.sleep"),
        direct(
            "blocking-call/subprocess",
            "c.py",
            3,
            "c.f",
            "subprocess.run",
        ),
    ]));
    let c = baseline::filter(&mut now, &known);
    assert_eq!(
        c,
        Comparison {
            known: 1,
            fixed: 1,
            new: 1,
            grown: 1
        }
    );
    assert_eq!(now.register.entries.len(), 2);
    let helper = now
        .register
        .entries
        .iter()
        .find(|e| e.rule == "blocking-call/sync-network")
        .unwrap();
    assert_eq!(helper.locations.len(), 1);
    assert_eq!(helper.locations[0].line, 60);
    let lines: Vec<_> = now
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.span.line))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.contains(&("shop/views.py", 60)));
    assert!(lines.contains(&("c.py", 3)));
    assert_eq!(now.register.totals.entries, 2);
    assert_eq!(now.register.totals.findings, 2);
}

fn faultline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run faultline")
}

#[test]
fn baseline_command_writes_the_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
    let out = faultline(dir.path(), &["baseline", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = Baseline::load(&dir.path().join(".faultline-baseline.json")).unwrap();
    assert_eq!(b.version, 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");
    // The file is accepted by scan --baseline.
    let out = faultline(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--baseline",
            ".faultline-baseline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["baseline"]["fixed"], 0);
    let out = faultline(dir.path(), &["scan", ".", "--baseline", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diff_base_scans_a_temporary_worktree_and_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.join("app")).unwrap();
    std::fs::write(repo.join("app/a.py"), "x = 1\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "one"]);
    let out = faultline(
        repo,
        &["scan", "app", "--format", "json", "--diff-base", "main"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["baseline"]["new"], 0);
    let list = Command::new("git")
        .args(["worktree", "list", "--porcelain"])
        .current_dir(repo)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(text.matches("worktree ").count(), 1, "{text}");
    let out = faultline(repo, &["scan", "app", "--diff-base", "no-such-ref"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--diff-base no-such-ref"));
}
