//! The register: grouping by root cause, priority, severity bands, totals,
//! and fingerprints that survive edits.

mod reg;

use faultline::finding::Severity;
use faultline::register::{self, BuildOptions, Churn};
use reg::*;
use std::collections::BTreeMap;

#[test]
fn one_entry_per_root_cause() {
    let findings = sample();
    let r = register::build(&findings, &BuildOptions::default());
    assert_eq!(r.entries.len(), 3);
    let helper = r
        .entries
        .iter()
        .find(|e| e.rule == "blocking-call/sync-network")
        .unwrap();
    assert_eq!(helper.locations.len(), 3);
    // Locations sorted by path and line; evidence deduplicated.
    let places: Vec<_> = helper
        .locations
        .iter()
        .map(|l| format!("{}:{}", l.path, l.line))
        .collect();
    assert_eq!(
        places,
        ["shop/api.py:7", "shop/views.py:20", "shop/views.py:41"]
    );
    assert_eq!(helper.evidence.len(), 1);
    assert!(helper.title.contains("`requests.get`"), "{}", helper.title);
    assert!(helper.title.contains("shop.pricing.exchange_rate"));
    assert!(!helper.why.is_empty());
    assert_eq!(helper.fix, "Use the async API");
    // Effort: the rule's minutes for one, plus a quarter per further location.
    let minutes = faultline::rules::meta::get("blocking-call/sync-network")
        .unwrap()
        .effort_minutes;
    assert_eq!(helper.effort_minutes, register::effort(minutes, 3));
    assert!(helper.effort_minutes > minutes);
    // Each location keeps its own fingerprint.
    let fps: std::collections::HashSet<_> =
        helper.locations.iter().map(|l| &l.fingerprint).collect();
    assert_eq!(fps.len(), 3);
}

#[test]
fn order_means_impact() {
    let r = register::build(&sample(), &BuildOptions::default());
    let rules: Vec<&str> = r.entries.iter().map(|e| e.rule.as_str()).collect();
    // A network call on three request paths first; a file read at startup
    // next; a sleep in a test last.
    assert_eq!(
        rules,
        [
            "blocking-call/sync-network",
            "blocking-call/file-io",
            "blocking-call/sleep"
        ]
    );
    // An entry's severity is its findings' highest.
    assert_eq!(r.entries[0].severity, Severity::Critical);
    assert_eq!(r.entries[2].severity, Severity::Low);
    for pair in r.entries.windows(2) {
        assert!(pair[0].priority >= pair[1].priority);
    }
}

#[test]
fn calls_in_nested_loops_outrank_single_ones() {
    let one = with_setting(
        direct("blocking-call/sync-db", "a.py", 3, "a.f", "cursor.execute"),
        true,
        false,
        1,
    );
    let two = with_setting(
        direct("blocking-call/sync-db", "a.py", 9, "a.g", "cursor.fetchone"),
        true,
        false,
        2,
    );
    let r = register::build(&ranked(vec![one, two]), &BuildOptions::default());
    assert_eq!(r.entries[0].locations[0].line, 9);
    assert!(r.entries[0].impact >= 50.0 * r.entries[1].impact);
}

#[test]
fn change_frequency_raises_priority() {
    let findings = ranked(vec![
        direct("blocking-call/sleep", "hot.py", 3, "hot.f", "time.sleep"),
        direct("blocking-call/sleep", "cold.py", 3, "cold.f", "time.sleep"),
    ]);
    let plain = register::build(&findings, &BuildOptions::default());
    assert_eq!(plain.entries[0].priority, plain.entries[1].priority);
    let options = BuildOptions {
        churn: Churn::from_counts(90, [("hot.py".to_string(), 7)]),
        ..BuildOptions::default()
    };
    let r = register::build(&findings, &options);
    assert_eq!(r.entries[0].locations[0].path, "hot.py");
    assert_eq!(r.entries[0].commits, 7);
    assert_eq!(r.entries[0].change_frequency, 2.5);
    assert!((r.entries[0].priority / r.entries[1].priority - 2.5).abs() < 0.01);
}

#[test]
fn severity_can_be_pinned_per_rule() {
    let mut overrides = BTreeMap::new();
    overrides.insert("blocking-call/sleep".to_string(), Severity::High);
    let options = BuildOptions {
        severity_overrides: overrides,
        ..BuildOptions::default()
    };
    let r = register::build(&sample(), &options);
    let sleep = r
        .entries
        .iter()
        .find(|e| e.rule == "blocking-call/sleep")
        .unwrap();
    assert_eq!(sleep.severity, Severity::High);
}

#[test]
fn totals_by_severity_family_and_effort() {
    let r = register::build(&sample(), &BuildOptions::default());
    let t = &r.totals;
    assert_eq!(t.entries, 3);
    assert_eq!(t.findings, 5);
    assert_eq!(t.by_family.get("blocking-call"), Some(&3));
    assert_eq!(t.by_severity.values().sum::<usize>(), 3);
    assert_eq!(t.by_severity.len(), 4);
    assert_eq!(
        t.effort_minutes,
        r.entries
            .iter()
            .map(|e| u64::from(e.effort_minutes))
            .sum::<u64>()
    );
}

#[test]
fn ids_survive_line_shifts_and_moves_within_a_file() {
    let before = register::build(&sample(), &BuildOptions::default());
    // The same code, 30 lines further down and with the handlers reordered.
    let shifted: Vec<_> = sample()
        .into_iter()
        .map(|mut f| {
            f.span.line += 30;
            f.span.end_line += 30;
            f.span.start += 3000;
            f.span.end += 3000;
            f.fingerprint.clear();
            f
        })
        .collect();
    let after = register::build(&ranked(shifted), &BuildOptions::default());
    let ids = |r: &register::Register| {
        let mut v: Vec<_> = r.entries.iter().map(|e| e.id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&before), ids(&after));
    let fps = |r: &register::Register| {
        let mut v: Vec<_> = r
            .entries
            .iter()
            .flat_map(|e| e.locations.iter().map(|l| l.fingerprint.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(fps(&before), fps(&after));
}

#[test]
fn identical_findings_in_one_file_stay_distinct() {
    let findings = ranked(vec![
        direct("blocking-call/sleep", "a.py", 3, "a.f", "time.sleep"),
        direct("blocking-call/sleep", "a.py", 5, "a.f", "time.sleep"),
    ]);
    assert_ne!(findings[0].fingerprint, findings[1].fingerprint);
    let r = register::build(&findings, &BuildOptions::default());
    let fps: Vec<_> = r.entries[0]
        .locations
        .iter()
        .map(|l| &l.fingerprint)
        .collect();
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0], fps[1]);
}

#[test]
fn a_finding_without_a_cause_is_its_own_entry() {
    let findings = ranked(vec![
        finding("blocking-call/sleep", "a.py", 3, "a.f", "time.sleep", ""),
        finding("blocking-call/sleep", "a.py", 5, "a.f", "time.sleep", ""),
    ]);
    let r = register::build(&findings, &BuildOptions::default());
    assert_eq!(r.entries.len(), 2);
    assert_ne!(r.entries[0].id, r.entries[1].id);
}
