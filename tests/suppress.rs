//! Inline suppressions: what they silence and what they report.

mod reg;

use faultline::rules::Selection;
use faultline::suppress::{apply, extract};
use reg::*;

const VIEWS: &str = "\
import time

async def a():
    time.sleep(1)  # faultline: ignore[blocking-call/sleep] warm-up before the port opens

async def b():
    # faultline: ignore[sleep] polled by a test harness only
    time.sleep(2)

async def c():
    time.sleep(3)  # faultline: ignore[blocking-call/file-io] wrong rule

async def d():
    time.sleep(4)  # faultline: ignore[blocking-call]

# faultline: ignore[blocking-call/sleep] nothing below
x = 1
";

fn findings() -> Vec<faultline::finding::Finding> {
    ranked(vec![
        direct(
            "blocking-call/sleep",
            "views.py",
            4,
            "views.a",
            "time.sleep",
        ),
        direct(
            "blocking-call/sleep",
            "views.py",
            8,
            "views.b",
            "time.sleep",
        ),
        direct(
            "blocking-call/sleep",
            "views.py",
            11,
            "views.c",
            "time.sleep",
        ),
        direct(
            "blocking-call/sleep",
            "views.py",
            14,
            "views.d",
            "time.sleep",
        ),
    ])
}

#[test]
fn silences_on_the_line_and_from_the_line_above() {
    let suppressions = extract("views.py", VIEWS);
    assert_eq!(suppressions.len(), 5);
    let out = apply(findings(), &suppressions, &Selection::default());
    let kept: Vec<u32> = out.kept.iter().map(|f| f.span.line).collect();
    assert_eq!(kept, [11]);
    let silenced: Vec<u32> = out.suppressed.iter().map(|s| s.line).collect();
    assert_eq!(silenced, [4, 8, 14]);
    assert_eq!(out.suppressed[0].reason, "warm-up before the port opens");
    assert_eq!(out.suppressed[1].reason, "polled by a test harness only");
    assert!(!out.suppressed[0].fingerprint.is_empty());
}

#[test]
fn reports_missing_reasons_and_useless_suppressions() {
    let out = apply(
        findings(),
        &extract("views.py", VIEWS),
        &Selection::default(),
    );
    let problems: Vec<(u32, &str)> = out
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(problems[0].0, 11);
    assert!(problems[0].1.contains("suppresses nothing"));
    assert_eq!(problems[1].0, 14);
    assert!(problems[1].1.contains("no reason"));
    assert_eq!(problems[2].0, 16);
    assert!(problems[2].1.contains("suppresses nothing"));
}

#[test]
fn a_trailing_comment_does_not_reach_the_next_line() {
    let text = "time.sleep(1)  # faultline: ignore[sleep] boot only\ntime.sleep(2)\n";
    let f = ranked(vec![
        direct("blocking-call/sleep", "a.py", 1, "a", "time.sleep"),
        direct("blocking-call/sleep", "a.py", 2, "a", "time.sleep"),
    ]);
    let out = apply(f, &extract("a.py", text), &Selection::default());
    assert_eq!(out.kept.len(), 1);
    assert_eq!(out.kept[0].span.line, 2);
    assert!(out.problems.is_empty());
}

#[test]
fn unknown_rules_are_reported_and_disabled_rules_are_not_judged() {
    let text = "# faultline: ignore[no-such-rule] because\nx()\n\
                # faultline: ignore[blocking-call/sleep] tests only\ny()\n";
    let selection = Selection {
        select: Vec::new(),
        ignore: vec!["blocking-call/sleep".to_string()],
    };
    let out = apply(Vec::new(), &extract("a.py", text), &selection);
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    assert!(out.problems[0]
        .message
        .contains("unknown rule: no-such-rule"));
}

#[test]
fn a_suppression_without_brackets_is_reported() {
    let out = apply(
        Vec::new(),
        &extract("a.js", "foo(); // faultline: ignore because\n"),
        &Selection::default(),
    );
    assert_eq!(out.problems.len(), 1);
    assert!(out.problems[0].message.contains("names no rule"));
}
