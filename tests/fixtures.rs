//! The fixture harness: every file (or directory) under `fixtures/<family>/<rule>/`
//! is scanned as a project of its own, and its inline marks are checked both ways:
//! every `expect:` line has that finding, no finding of the unit's family (or of
//! a rule the unit marks) lacks an `expect:` (`todo-expect:` and `todo-ok:` mark known gaps and are not enforced).

mod common;

use common::{fixture_units, marks, scan_path};
use std::collections::BTreeSet;

#[test]
fn every_fixture_matches_its_marks() {
    let units = fixture_units();
    assert!(!units.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    for (id, unit) in &units {
        let marks = marks(unit);
        let report = scan_path(unit);
        // A unit speaks for its own family: a blocking-call fixture does not
        // have to mark the missing indexes of the models it happens to use.
        let family = id.split('/').next().unwrap_or(id);
        let found: BTreeSet<(String, String, u32)> = report
            .findings
            .iter()
            .filter(|f| f.family == family || marks.iter().any(|m| m.rule == f.rule))
            .map(|f| (f.rule.clone(), f.path.clone(), f.span.line))
            .collect();
        let with = |kind: &str| -> BTreeSet<(String, String, u32)> {
            marks
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| (m.rule.clone(), m.path.clone(), m.line))
                .collect()
        };
        let expected = with("expect");
        let tolerated: BTreeSet<_> = with("todo-expect")
            .union(&with("todo-ok"))
            .cloned()
            .collect();
        let name = unit.strip_prefix(common::repo()).unwrap_or(unit).display();
        for (rule, path, line) in expected.difference(&found) {
            failures.push(format!("{name}: {path}:{line}: expected {rule}, not found"));
        }
        for key @ (rule, path, line) in found.difference(&expected) {
            if !tolerated.contains(key) {
                let message = report
                    .findings
                    .iter()
                    .find(|f| (&f.rule, &f.path, f.span.line) == (rule, path, *line))
                    .map(|f| f.message.as_str())
                    .unwrap_or("");
                failures.push(format!(
                    "{name}: {path}:{line}: unexpected {rule}: {message}"
                ));
            }
        }
        for skipped in &report.skipped {
            failures.push(format!(
                "{name}: {} was skipped: {}",
                skipped.path, skipped.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn marks_parse_from_every_comment_style() {
    use common::marks_on_line;
    assert_eq!(
        marks_on_line("    time.sleep(1)  # expect: blocking-call/sleep"),
        vec![("expect".into(), "blocking-call/sleep".into())]
    );
    assert_eq!(
        marks_on_line("fs.readFileSync(p); // ok: blocking-call/file-io, blocking-call/sleep"),
        vec![
            ("ok".into(), "blocking-call/file-io".into()),
            ("ok".into(), "blocking-call/sleep".into())
        ]
    );
    assert_eq!(
        marks_on_line("SELECT 1; -- todo-expect: missing-index/x"),
        vec![("todo-expect".into(), "missing-index/x".into())]
    );
    assert!(marks_on_line("url = 'http://example.com'  # a comment").is_empty());
}
