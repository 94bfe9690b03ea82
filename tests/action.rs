//! The GitHub Action, end to end without GitHub: a temporary git repository
//! with a base commit and a pull-request head that adds one finding and fixes
//! another, an event payload, the GITHUB_* variables and files, and the
//! action's scan step (`action/run.sh`, exactly what action.yml runs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BASE_VIEWS: &str =
    "import time\n\n\nasync def report():\n    f = open(\"report.csv\")\n    return f.read()\n";
const HEAD_VIEWS: &str = "import time\n\n\nasync def report():\n    return b\"\"\n\n\nasync def retry():\n    time.sleep(1)\n    return 1\n";
// Present in both commits: never reported on the pull request.
const OLD_DEBT: &str =
    "import subprocess\n\n\nasync def build():\n    subprocess.run([\"make\"])\n";

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn rev(repo: &Path, what: &str) -> String {
    let out = Command::new("git")
        .args(["rev-parse", what])
        .current_dir(repo)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Pr {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    files: PathBuf,
    base: String,
    head: String,
}

fn pull_request() -> Pr {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let files = dir.path().join("files");
    std::fs::create_dir_all(repo.join("app")).unwrap();
    std::fs::create_dir_all(&files).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("app/views.py"), BASE_VIEWS).unwrap();
    std::fs::write(repo.join("app/build.py"), OLD_DEBT).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    let base = rev(&repo, "HEAD");
    git(&repo, &["checkout", "-qb", "feature"]);
    std::fs::write(repo.join("app/views.py"), HEAD_VIEWS).unwrap();
    git(&repo, &["commit", "-qam", "head"]);
    let head = rev(&repo, "HEAD");
    let payload = format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,"base":{{"ref":"main","sha":"{base}"}},"head":{{"ref":"feature","sha":"{head}"}}}}}}"#
    );
    std::fs::write(files.join("event.json"), payload).unwrap();
    Pr {
        _dir: dir,
        repo,
        files,
        base,
        head,
    }
}

fn run_action(pr: &Pr, event: &str, inputs: &[(&str, &str)]) -> (Output, String, String) {
    let output = pr.files.join("output");
    let summary = pr.files.join("summary.md");
    std::fs::write(&output, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(&pr.repo)
        .env("FAULTLINE_BIN", env!("CARGO_BIN_EXE_faultline"))
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", pr.files.join("event.json"))
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", &pr.repo)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_SHA", &pr.head)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("NO_COLOR", "1");
    for (name, value) in inputs {
        cmd.env(format!("INPUT_{}", name.to_uppercase()), value);
    }
    let out = cmd.output().expect("run the action script");
    (
        out,
        std::fs::read_to_string(output).unwrap(),
        std::fs::read_to_string(summary).unwrap(),
    )
}

fn outputs(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn pull_request_reports_only_the_new_finding_and_fails_on_low() {
    let pr = pull_request();
    let (out, output, summary) = run_action(&pr, "pull_request", &[("fail-on", "low")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{stdout}");
    let a = annotations[0];
    assert!(
        a.starts_with("::warning file=app/views.py,line=9,endLine=9,"),
        "{a}"
    );
    assert!(
        a.contains("title=faultline blocking-call/sleep (medium)::"),
        "{a}"
    );
    assert!(a.contains("time.sleep()"), "{a}");
    assert!(
        !stdout.contains("open"),
        "the fixed finding is not annotated: {stdout}"
    );
    assert!(
        !stdout.contains("subprocess"),
        "old debt is not annotated: {stdout}"
    );

    let o = outputs(&output);
    assert_eq!(o["new"], "1", "{output}");
    assert_eq!(o["fixed"], "1", "{output}");
    assert_eq!(o["total"], "2", "{output}");
    assert_eq!(o["highest-severity"], "medium", "{output}");
    assert_eq!(o["sarif"], "", "{output}");

    assert!(summary.contains(&pr.base[..12]), "{summary}");
    assert!(summary.contains("**1 new**"), "{summary}");
    assert!(
        summary.contains(&format!(
            "[app/views.py:9](https://github.com/acme/shop/blob/{}/app/views.py#L9)",
            pr.head
        )),
        "{summary}"
    );
    assert!(summary.contains("| medium | 1 |"), "{summary}");
    assert!(summary.contains("| blocking-call | 1 |"), "{summary}");
    assert!(summary.contains("### Fixed"), "{summary}");
    assert!(summary.contains("blocking-call/file-io"), "{summary}");
    assert!(!summary.contains("subprocess"), "{summary}");
}

#[test]
fn pull_request_passes_with_fail_on_critical_and_writes_sarif() {
    let pr = pull_request();
    let (out, output, _) = run_action(
        &pr,
        "pull_request",
        &[("fail-on", "critical"), ("sarif", "faultline.sarif")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = outputs(&output);
    assert_eq!(o["new"], "1");
    assert_eq!(o["sarif"], "faultline.sarif");
    let sarif = std::fs::read_to_string(pr.repo.join("faultline.sarif")).unwrap();
    assert!(sarif.contains("\"2.1.0\""), "{sarif}");
    // Every finding is in the SARIF file: code scanning diffs analyses itself.
    assert!(sarif.contains("blocking-call/subprocess"), "{sarif}");
}

#[test]
fn push_reports_everything() {
    let pr = pull_request();
    let (out, output, summary) = run_action(&pr, "push", &[("fail-on", "none")]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("::")).count(), 2);
    assert!(stdout.contains("::error file=app/build.py"), "{stdout}");
    let o = outputs(&output);
    assert_eq!(o["new"], "2");
    assert_eq!(o["highest-severity"], "high");
    assert!(!summary.contains("### Fixed"), "{summary}");
}

#[test]
fn a_faultline_crash_is_reported_as_such() {
    let pr = pull_request();
    let (out, _, _) = run_action(&pr, "push", &[("args", "--no-such-flag")]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error title=faultline failed::"),
        "{stdout}"
    );
    assert!(stdout.contains("This is not a finding"), "{stdout}");
}

/// A checkout like actions/checkout's default on a pull request: a shallow
/// clone (depth 1) of the merge commit (or of the head), without the base.
fn shallow_checkout(pr: &Pr, merge: bool) -> PathBuf {
    git(
        &pr.repo,
        &["config", "uploadpack.allowAnySHA1InWant", "true"],
    );
    let what = if merge {
        git(&pr.repo, &["checkout", "-q", "--detach", &pr.base]);
        git(
            &pr.repo,
            &["merge", "-q", "--no-ff", "feature", "-m", "merge"],
        );
        git(&pr.repo, &["branch", "pr-merge"]);
        "pr-merge"
    } else {
        "feature"
    };
    let work = pr.files.join("work");
    let url = format!("file://{}", pr.repo.display());
    git(
        &pr.files,
        &["clone", "-q", "--depth=1", "--branch", what, &url, "work"],
    );
    work
}

fn run_in(pr: &Pr, workspace: &Path, inputs: &[(&str, &str)]) -> (Output, String) {
    let moved = Pr {
        _dir: tempfile::tempdir().unwrap(),
        repo: workspace.to_path_buf(),
        files: pr.files.clone(),
        base: pr.base.clone(),
        head: pr.head.clone(),
    };
    let (out, output, _) = run_action(&moved, "pull_request", inputs);
    (out, output)
}

#[test]
fn shallow_merge_commit_checkout_fetches_the_base() {
    let pr = pull_request();
    let work = shallow_checkout(&pr, true);
    let (out, output) = run_in(&pr, &work, &[("fail-on", "critical")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("fetching it"), "{stderr}");
    let o = outputs(&output);
    assert_eq!(
        (o["new"].as_str(), o["fixed"].as_str()),
        ("1", "1"),
        "{stderr}"
    );
}

#[test]
fn shallow_head_checkout_fetches_the_history_to_the_fork_point() {
    let pr = pull_request();
    let work = shallow_checkout(&pr, false);
    let (out, output) = run_in(&pr, &work, &[("fail-on", "critical")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let o = outputs(&output);
    assert_eq!(
        (o["new"].as_str(), o["fixed"].as_str()),
        ("1", "1"),
        "{stderr}"
    );
}

#[test]
fn unreachable_base_falls_back_to_everything_with_a_warning() {
    let pr = pull_request();
    let work = shallow_checkout(&pr, false);
    git(&work, &["remote", "set-url", "origin", "/nonexistent/repo"]);
    let (out, output) = run_in(&pr, &work, &[("fail-on", "none")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("::warning title=faultline::Could not find the merge base"),
        "{stdout}"
    );
    assert_eq!(outputs(&output)["new"], "2", "{stdout}");
}

#[test]
fn annotations_are_capped_at_fifty_with_a_pointer_to_the_rest() {
    let pr = pull_request();
    let mut many = String::from("import time\n\n\nasync def retry():\n");
    for _ in 0..60 {
        many.push_str("    time.sleep(1)\n");
    }
    std::fs::write(pr.repo.join("app/many.py"), many).unwrap();
    // Properties are escaped: `,` and `:` in a file name.
    std::fs::write(pr.repo.join("app/a,b:c.py"), HEAD_VIEWS).unwrap();
    let (out, output, summary) = run_action(
        &pr,
        "push",
        &[
            ("fail-on", "none"),
            ("args", "--select blocking-call/sleep"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 51, "{stdout}");
    // Sorted by priority (the files changed more often first), then path:
    // the escaped file name is among the first annotations.
    assert!(
        lines[..3]
            .iter()
            .any(|l| l.starts_with("::warning file=app/a%2Cb%3Ac.py,line=9,")),
        "{stdout}"
    );
    assert!(
        lines[50].contains("12 more findings are not annotated")
            && lines[50].contains("job summary"),
        "{}",
        lines[50]
    );
    assert_eq!(outputs(&output)["new"], "62");
    assert_eq!(
        summary
            .matches("| medium | `blocking-call/sleep` |")
            .count(),
        62
    );
}

#[test]
fn a_subdirectory_path_keeps_repository_relative_locations() {
    let pr = pull_request();
    let (out, output, summary) = run_action(
        &pr,
        "pull_request",
        &[
            ("path", "app"),
            ("fail-on", "none"),
            ("sarif", "reports/faultline.sarif"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("::warning file=app/views.py,line=9,"),
        "{stdout}"
    );
    assert!(summary.contains("/app/views.py#L9)"), "{summary}");
    assert_eq!(outputs(&output)["new"], "1");
    let sarif = std::fs::read_to_string(pr.repo.join("reports/faultline.sarif")).unwrap();
    assert!(sarif.contains("\"app/views.py\""), "{sarif}");
}

#[test]
fn push_with_a_committed_baseline_reports_only_what_is_not_in_it() {
    let pr = pull_request();
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["baseline", "."])
        .current_dir(&pr.repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::write(
        pr.repo.join("app/jobs.py"),
        "import time\n\n\nasync def poll():\n    time.sleep(5)\n",
    )
    .unwrap();
    let (out, output, summary) = run_action(&pr, "push", &[("fail-on", "medium")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{stdout}");
    assert!(
        annotations[0].contains("file=app/jobs.py,line=5"),
        "{stdout}"
    );
    let o = outputs(&output);
    assert_eq!(
        (o["new"].as_str(), o["total"].as_str()),
        ("1", "3"),
        "{output}"
    );
    assert!(
        summary.contains("baseline `.faultline-baseline.json`"),
        "{summary}"
    );
}
