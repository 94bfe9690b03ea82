//! Export formats: SARIF against the official schema, Markdown, GitHub
//! workflow commands, and the Jira and Linear CSV files against the columns
//! their importers read.

mod reg;

use faultline::emit;
use faultline::register::{self, BuildOptions};
use faultline::scan::ScanReport;
use reg::*;
use serde_json::Value;

fn report() -> ScanReport {
    let mut findings = sample();
    // A message with characters every format must escape.
    findings[0].message = "50% of \"requests\", a: b\nsecond line | pipe".to_string();
    let register = register::build(&findings, &BuildOptions::default());
    ScanReport {
        findings,
        files_scanned: 5,
        lines_scanned: 100,
        skipped: Vec::new(),
        notes: Vec::new(),
        suppressed: Vec::new(),
        suppression_problems: Vec::new(),
        register,
        baseline: None,
        elapsed: std::time::Duration::ZERO,
    }
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // The official schema's pattern for language tags (`run.language`,
    // `toolComponent.language`) has a stray `]` that the validator's
    // meta-schema check rejects as a regex. faultline writes neither; the
    // pattern is replaced in memory by the one the specification describes
    // (`en`, `en-US`) and everything else is used as published.
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn fix(v: &mut Value, n: &mut usize) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k == "pattern" && child == BROKEN {
                        *child = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                        *n += 1;
                    } else {
                        fix(child, n);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|c| fix(c, n)),
            _ => {}
        }
    }
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert!(fixed >= 1);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let validator = schema();
    let r = report();
    for root in [".", "svc", "/abs/path"] {
        let log: Value = serde_json::from_str(&emit::sarif::render(&r, root)).unwrap();
        let errs = errors(&validator, &log);
        assert!(errs.is_empty(), "{root}: {errs:#?}");
    }
    let empty = ScanReport {
        register: Default::default(),
        findings: Vec::new(),
        ..report()
    };
    let log: Value = serde_json::from_str(&emit::sarif::render(&empty, ".")).unwrap();
    assert!(errors(&validator, &log).is_empty());
    // The validator does reject broken logs.
    let mut broken = log.clone();
    broken["version"] = Value::from("2.0.0");
    assert!(!errors(&validator, &broken).is_empty());
    let mut broken = log;
    broken["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] =
        Value::from("fatal");
    assert!(!errors(&validator, &broken).is_empty());
}

#[test]
fn sarif_has_rules_help_fingerprints_levels_and_relative_uris() {
    let r = report();
    let log: Value = serde_json::from_str(&emit::sarif::render(&r, "svc")).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), faultline::rules::meta::all().len());
    let md = rules[0]["help"]["markdown"].as_str().unwrap();
    assert!(md.contains("## Why is this bad?") && md.contains("## How to fix it"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let first = &results[0];
    assert_eq!(first["ruleId"], "blocking-call/sync-network");
    assert_eq!(first["level"], "error");
    let idx = first["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], first["ruleId"]);
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert!(loc["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("svc/shop/"));
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    let fp = &first["partialFingerprints"];
    assert_eq!(fp["faultlineEntry/v1"], r.register.entries[0].id.as_str());
    assert_eq!(
        fp["faultlineFinding/v1"],
        r.register.entries[0].locations[0].fingerprint.as_str()
    );
    assert_eq!(
        first["relatedLocations"][0]["message"]["text"],
        "`exchange_rate` calls `requests.get`"
    );
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert!(
        levels.contains(&"note"),
        "the test-only sleep is low: {levels:?}"
    );
}

#[test]
fn markdown_has_summary_table_and_entries_by_priority() {
    let r = report();
    let md = emit::markdown::render(&r, ".");
    assert!(md.starts_with("# Scaling-risk register"));
    assert!(md.contains("| severity | entries |"));
    assert!(md.contains("| blocking-call | 3 |"));
    assert!(md.contains("## Entries by priority"));
    // Table order is priority order; pipes in titles are escaped.
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| 1 |") || l.starts_with("| 2 |") || l.starts_with("| 3 |"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].contains("sync-network") || rows[0].contains("HTTP") || rows[0].contains("network"),
        "{}",
        rows[0]
    );
    let first = md.find("### 1. ").unwrap();
    let second = md.find("### 2. ").unwrap();
    let body = &md[first..second];
    assert!(body.contains("**Locations (3)**"));
    assert!(body.contains("`shop/api.py:7`"));
    assert!(body.contains("**Evidence**"));
    assert!(body.contains("`shop/pricing.py:12`"));
    assert!(body.contains("**Fix.** Use the async API"));
    assert!(body.contains("estimated effort"));
    assert!(body.contains("**Why it hurts at scale.**"));
}

#[test]
fn github_annotations_escape_properties_and_data() {
    let r = report();
    let text = emit::github::render(&r, "svc");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    for l in &lines {
        assert!(
            l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "),
            "{l}"
        );
    }
    let with_message = lines
        .iter()
        .find(|l| l.contains("50%25 of"))
        .expect("the message with % is there, escaped");
    let (props, data) = with_message
        .split_once("::")
        .unwrap()
        .1
        .split_once("::")
        .unwrap();
    assert!(props.starts_with("error file=svc/shop/"), "{props}");
    assert!(props.contains(",line=") && props.contains(",endLine=") && props.contains(",col="));
    // Titles contain ':' and ',' only escaped; the message keeps ':' but not raw newlines.
    let title = props.split(",title=").nth(1).unwrap();
    assert!(!title.contains(':') && !title.contains(','), "{title}");
    assert!(data.contains("a: b%0Asecond line"), "{data}");
    assert!(!data.contains('\n') && !data.contains('\r'));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::notice file=svc/tests/test_views.py,line=9,")));
}

/// A small RFC 4180 reader, to check what an importer would read.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    assert!(!quoted, "unterminated quote");
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn jira_csv_has_the_importer_columns() {
    let r = report();
    let rows = parse_csv(&emit::csv::render_jira(&r));
    assert_eq!(
        rows[0],
        [
            "Summary",
            "Issue Type",
            "Priority",
            "Description",
            "Labels",
            "Labels",
            "Labels"
        ]
    );
    assert_eq!(rows.len(), 1 + r.register.entries.len());
    for (row, entry) in rows[1..].iter().zip(&r.register.entries) {
        assert_eq!(row.len(), 7);
        assert_eq!(row[0], entry.title);
        assert_eq!(row[1], "Task");
        assert!(["Highest", "High", "Medium", "Low"].contains(&row[2].as_str()));
        assert!(row[3].contains(&entry.id));
        assert_eq!(row[4], "faultline");
        assert_eq!(row[5], entry.family);
        assert_eq!(row[6], format!("faultline-{}", entry.id));
        for label in &row[4..] {
            assert!(!label.contains(' '), "Jira labels have no spaces");
        }
    }
    assert_eq!(rows[1][2], "Highest");
    // The description with quotes and newlines survives quoting.
    assert!(rows[1][3].contains("50% of \"requests\", a: b\nsecond line"));
}

#[test]
fn linear_csv_has_the_importer_columns() {
    let r = report();
    let rows = parse_csv(&emit::csv::render_linear(&r));
    assert_eq!(
        rows[0],
        ["Title", "Description", "Priority", "Status", "Labels"]
    );
    assert_eq!(rows.len(), 1 + r.register.entries.len());
    for (row, entry) in rows[1..].iter().zip(&r.register.entries) {
        assert_eq!(row[0], entry.title);
        // The names Linear's importer maps to priorities 1-4.
        assert!(["Urgent", "High", "Medium", "Low"].contains(&row[2].as_str()));
        assert_eq!(row[3], "Backlog");
        let labels: Vec<&str> = row[4].split(", ").collect();
        assert_eq!(
            labels,
            [
                "faultline",
                entry.family.as_str(),
                &format!("faultline-{}", entry.id)
            ]
        );
    }
    assert_eq!(rows[1][2], "Urgent");
}
