//! Hostile input: the scan completes, names every file it skipped or only
//! partly analysed, never panics, never overflows the stack, and exits with
//! the contract's code. Inputs are generated into a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .output()
        .expect("run faultline")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn nested(open: &str, close: &str, depth: usize, prefix: &str, suffix: &str) -> String {
    format!(
        "{prefix}{}1{}{suffix}",
        open.repeat(depth),
        close.repeat(depth)
    )
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "a panic reached the user:\n{stderr}"
    );
    assert!(
        !stderr.contains("internal error"),
        "an internal error:\n{stderr}"
    );
    assert!(!stderr.contains("overflow"), "a stack overflow:\n{stderr}");
}

#[test]
fn hostile_inputs_are_survived_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    const DEEP: usize = 100_000;
    write(
        d,
        "binary.py",
        b"\x7fELF\x00\x00\x01\x02async def f(): pass",
    );
    write(
        d,
        "latin1.py",
        b"# caf\xe9\nimport time\nasync def f():\n    time.sleep(1)\n",
    );
    write(
        d,
        "bom.py",
        b"\xEF\xBB\xBFimport time\nasync def f():\n    time.sleep(1)\n",
    );
    write(
        d,
        "crlf.py",
        "import time\r\nasync def f():\r\n    time.sleep(1)\r\n",
    );
    write(
        d,
        "broken.py",
        "def f(:\n    return [1, 2\nasync def g():\n    pass\n",
    );
    write(d, "empty.py", "");
    write(d, "empty.rs", "");
    write(d, "broken.rs", "fn main( { let x = ; }");
    write(d, "broken.js", "function f( { return ]; }");
    write(d, "broken.ts", "const x: = <>;");
    write(d, "broken.tsx", "const x = <div><span></div>;");
    write(d, "broken.rb", "def f(\n  end end end");
    write(d, "broken.sql", "CREATE TABLE (;;; SELECT FROM WHERE");
    write(d, "deep.py", nested("(", ")", DEEP, "x = ", "\n"));
    write(d, "deep_list.py", nested("[", "]", DEEP, "x = ", "\n"));
    write(d, "deep.js", nested("(", ")", DEEP, "const x = ", ";\n"));
    write(d, "deep.ts", nested("[", "]", DEEP, "const x = ", ";\n"));
    write(d, "deep.rb", nested("(", ")", DEEP, "x = ", "\n"));
    write(
        d,
        "deep.rs",
        nested("(", ")", DEEP, "fn main() { let x = ", "; }\n"),
    );
    write(
        d,
        "deep_block.rs",
        nested("{", "}", DEEP, "fn main() ", "\n"),
    );
    write(d, "deep.sql", nested("(", ")", DEEP, "SELECT ", ";\n"));
    let big_line = "x = 1\n".repeat(50 * 1024 * 1024 / 6 + 1);
    write(d, "generated.py", big_line);
    #[cfg(unix)]
    {
        std::fs::create_dir_all(d.join("loop")).unwrap();
        std::os::unix::fs::symlink(d.join("loop"), d.join("loop/again")).unwrap();
        std::os::unix::fs::symlink(d.join("missing.py"), d.join("dangling.py")).unwrap();
    }

    let out = faultline(&[
        "scan",
        d.to_str().unwrap(),
        "--format",
        "json",
        "--follow-links",
    ]);
    assert_no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |name: &str| {
        skipped
            .iter()
            .find(|(p, _)| p.contains(name))
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{name} not reported as skipped: {skipped:?}"))
    };
    assert!(reason("binary.py").contains("binary"));
    assert!(reason("generated.py").contains("larger than"));
    assert!(reason("broken.rs").contains("line"));
    #[cfg(unix)]
    {
        assert!(reason("loop").contains("loop"), "{skipped:?}");
        reason("dangling.py");
    }
    // Every skipped file is named on stderr too.
    for (path, _) in &skipped {
        assert!(
            stderr.contains(path.as_str()),
            "{path} not named on stderr:\n{stderr}"
        );
    }
    // Syntax errors are recovered from and reported as notes naming the file.
    let notes = report["notes"].as_array().unwrap();
    for name in [
        "broken.py",
        "broken.js",
        "broken.rb",
        "broken.sql",
        "latin1.py",
    ] {
        assert!(
            notes.iter().any(|n| n["path"].as_str() == Some(name)),
            "{name}: no note in {notes:?}"
        );
    }
    // The rest was analysed: BOM, CRLF and Latin-1 files still find their sleep.
    let findings = report["findings"].as_array().unwrap();
    for name in ["bom.py", "crlf.py", "latin1.py"] {
        let f = findings
            .iter()
            .find(|f| f["path"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("{name}: no finding in {findings:?}"));
        assert_eq!(f["line"], if name == "latin1.py" { 4 } else { 3 }, "{name}");
    }
    let summary = &report["summary"];
    assert_eq!(
        summary["files_skipped"].as_u64().unwrap() as usize,
        skipped.len()
    );
}

#[test]
fn a_large_file_under_a_raised_cap_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("import time\n");
    for i in 0..200_000 {
        text.push_str(&format!("def f{i}(x):\n    return x + {i}\n"));
    }
    text.push_str("async def g():\n    time.sleep(1)\n");
    write(dir.path(), "big.py", &text);
    let out = faultline(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
        "--max-file-size",
        "64MB",
    ]);
    assert_no_panic(&out);
    let report = json(&out);
    assert_eq!(report["summary"]["files_skipped"], 0);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
}
