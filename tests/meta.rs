//! Meta-tests: the conventions every rule follows, checked so nobody has to
//! remember them.

mod common;

use faultline::rules::{meta, FAMILY_CHECKS};
use std::collections::HashSet;

#[test]
fn rules_are_well_formed() {
    let rules = meta::all();
    assert!(!rules.is_empty());
    let mut ids = HashSet::new();
    for (path, _) in meta::files()
        .iter()
        .filter(|(p, _)| !p.starts_with("catalogs/"))
    {
        let id = path.strip_suffix(".toml").expect("toml");
        let rule = meta::get(id).unwrap_or_else(|| panic!("rules/{path}: id must be {id}"));
        assert!(ids.insert(rule.id.clone()), "duplicate id {}", rule.id);
        assert_eq!(
            rule.id.split('/').next(),
            Some(rule.family.as_str()),
            "{id}: family"
        );
        assert!(
            meta::FAMILIES.contains(&rule.family.as_str()),
            "{id}: unknown family"
        );
        assert!(
            FAMILY_CHECKS.iter().any(|(f, _)| *f == rule.family),
            "{id}: family {} has no logic in src/rules",
            rule.family
        );
        assert!(!rule.languages.is_empty(), "{id}: languages");
        for lang in &rule.languages {
            assert!(
                ["python", "javascript", "ruby", "rust", "sql", "prisma"].contains(&lang.as_str()),
                "{id}: unknown language {lang}"
            );
        }
        assert!((0.0..=1.0).contains(&rule.confidence), "{id}: confidence");
        assert!(rule.effort_minutes > 0, "{id}: effort");
        assert!(
            rule.why.chars().any(|c| c.is_ascii_digit()),
            "{id}: `why` must say how it hurts at scale with a number"
        );
        let d = &rule.docs;
        for (section, text) in [
            ("what", &d.what),
            ("why", &d.why),
            ("example_bad", &d.example_bad),
            ("example_good", &d.example_good),
            ("remediation", &d.remediation),
        ] {
            assert!(text.trim().len() > 20, "{id}: docs.{section} is empty");
        }
    }
}

#[test]
fn every_rule_has_positive_and_negative_fixtures() {
    let units = common::fixture_units();
    for rule in meta::all() {
        let mine: Vec<_> = units.iter().filter(|(id, _)| *id == rule.id).collect();
        assert!(
            !mine.is_empty(),
            "{}: no fixtures in fixtures/{}/",
            rule.id,
            rule.id
        );
        let marks: Vec<_> = mine
            .iter()
            .flat_map(|(_, unit)| common::marks(unit))
            .collect();
        for kind in ["expect", "ok"] {
            assert!(
                marks.iter().any(|m| m.kind == kind && m.rule == rule.id),
                "{}: no `{kind}:` line for it in its fixtures",
                rule.id
            );
        }
    }
    for (id, unit) in &units {
        assert!(
            meta::get(id).is_some(),
            "{}: fixtures for an unknown rule",
            unit.display()
        );
    }
}

#[test]
fn blocking_catalogs_compile_and_name_real_rules() {
    let mut count = 0;
    for (language, text) in meta::catalog_files("blocking") {
        faultline::rules::compile_blocking_catalog(text)
            .unwrap_or_else(|e| panic!("catalogs/blocking/{language}.toml: {e}"));
        let value: toml::Value = toml::from_str(text).expect("toml");
        for entry in value
            .get("blocking")
            .and_then(|b| b.as_array())
            .into_iter()
            .flatten()
        {
            count += 1;
            let rule = entry["rule"].as_str().expect("rule");
            let id = format!("blocking-call/{rule}");
            let meta = meta::get(&id)
                .unwrap_or_else(|| panic!("catalogs/blocking/{language}.toml: unknown rule {id}"));
            assert!(
                meta.languages.iter().any(|l| l == language),
                "{id} does not list {language} in its languages"
            );
            assert!(!entry["fix"].as_str().unwrap_or("").is_empty());
        }
    }
    assert!(count > 0, "no blocking catalog entries");
}
