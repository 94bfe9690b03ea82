//! Snapshots of the terminal output as users see it (no colour, fixed
//! width), reviewed with `cargo insta review` when messages change.

mod common;

use faultline::emit::terminal::{diagnostics, summary, Style};
use std::path::Path;

const STYLE: Style = Style {
    color: false,
    width: 100,
};

fn render(rel: &str) -> String {
    let root = common::repo().join(rel);
    let report = common::scan_path(&root);
    let mut text = diagnostics(&report, &root, STYLE);
    // The summary's timing varies between runs.
    let line = summary(&report);
    let timing = line
        .find(" in ")
        .and_then(|i| line[i..].find('s').map(|j| i..i + j + 1));
    text.push_str(&match timing {
        Some(range) => format!("{}{}", &line[..range.start], &line[range.end..]),
        None => line,
    });
    text.push('\n');
    text
}

#[test]
fn demo_project() {
    insta::assert_snapshot!(render("examples/demo"));
}

#[test]
fn python_helper_chain_across_files() {
    let dir = "fixtures/blocking-call/file-io/python_helper_chain";
    assert!(Path::new(&common::repo().join(dir)).is_dir());
    insta::assert_snapshot!(render(dir));
}

#[test]
fn javascript_handlers() {
    insta::assert_snapshot!(render(
        "fixtures/blocking-call/subprocess/js_express_exec.js"
    ));
}
