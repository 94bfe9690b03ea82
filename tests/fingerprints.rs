//! Fingerprints and register ids on real files survive unrelated edits:
//! lines added above (in Python and above anonymous JavaScript handlers) and
//! a call reformatted over several lines.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

fn ids(root: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let report = common::scan_path(root);
    let findings = report
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .collect();
    let entries = report
        .register
        .entries
        .iter()
        .map(|e| e.id.clone())
        .collect();
    (findings, entries)
}

fn copy_dir(from: &Path, to: &Path) {
    for file in common::walk_files(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn ids_survive_lines_added_above_and_reformatting() {
    let demo = common::repo().join("examples/demo");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&demo, dir.path());
    let (before_findings, before_entries) = ids(dir.path());
    assert!(before_findings.len() >= 10);

    let views = dir.path().join("shop/views.py");
    edit(
        &views,
        "\n\nasync def order_detail",
        "\n\ndef unrelated():\n    return 42\n\n\nasync def order_detail",
    );
    edit(
        &views,
        "Order.objects.get(pk=pk)",
        "Order.objects.get(\n        pk=pk\n    )",
    );
    edit(
        &dir.path().join("api/server.js"),
        "const express",
        "// a comment\n// another\nconst express",
    );
    edit(
        &dir.path().join("inventory/src/handlers.rs"),
        "use axum::Json;",
        "use axum::Json;\n\n// spacing\n",
    );

    let (after_findings, after_entries) = ids(dir.path());
    assert_eq!(before_findings, after_findings);
    assert_eq!(before_entries, after_entries);
}
