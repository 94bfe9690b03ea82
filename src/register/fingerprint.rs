//! Stable identities: what a finding or a register entry is, named without
//! line numbers or whitespace, so that unrelated edits keep the id.
//!
//! - A finding's fingerprint hashes its rule, file, enclosing function
//!   (qualified name) and anchor (what was called or queried), plus its rank
//!   among findings identical in all of those, counted in source order: two
//!   identical `time.sleep(1)` calls in one function get different
//!   fingerprints, and adding lines above, reformatting or moving the
//!   function within its file changes none of the inputs.
//! - An entry's id hashes its rule and root cause (see
//!   [`crate::finding::Finding::cause`]), so it stays the same while any of
//!   its locations come and go.
//!
//! Whitespace is removed from every input before hashing, so a call split
//! over lines by a formatter hashes like the one-line original.

use xxhash_rust::xxh3::xxh3_64;

/// `s` without whitespace and without the source positions that name
/// anonymous functions (`app.<lambda>@12` and `<lambda>@12:7` become
/// `app.<lambda>`), so neither reformatting nor lines added above change it.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '@' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars
                .peek()
                .is_some_and(|d| d.is_ascii_digit() || *d == ':')
            {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn hash_parts(parts: &[&str]) -> u64 {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(normalize(part).as_bytes());
        bytes.push(0);
    }
    xxh3_64(&bytes)
}

/// The fingerprint shared by findings that are identical in rule, file,
/// scope and anchor (before numbering them).
pub fn finding_base(rule: &str, path: &str, scope: Option<&str>, anchor: &str) -> u64 {
    hash_parts(&[rule, path, scope.unwrap_or(""), anchor])
}

/// The fingerprint of the `n`-th (0-based, source order) finding with this
/// base, as 16 hex digits.
pub fn numbered(base: u64, n: u32) -> String {
    format!(
        "{:016x}",
        xxh3_64(&[base.to_le_bytes(), u64::from(n).to_le_bytes()].concat())
    )
}

/// A register entry's id: its rule and root cause, as 16 hex digits.
pub fn entry_id(rule: &str, cause: &str) -> String {
    format!("{:016x}", hash_parts(&["entry", rule, cause]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_does_not_matter() {
        assert_eq!(
            finding_base("r", "a.py", Some("m.f"), "requests.get"),
            finding_base("r", "a.py", Some("m.f"), "requests\n    .get")
        );
        assert_eq!(entry_id("r", "a::b"), entry_id("r", " a :: b "));
    }

    #[test]
    fn closure_positions_do_not_matter() {
        assert_eq!(
            finding_base("r", "a.js", Some("api/server.<lambda>@10"), "execSync"),
            finding_base("r", "a.js", Some("api/server.<lambda>@12"), "execSync")
        );
        assert_eq!(
            normalize("m.<lambda>@12:7.<closure>@3"),
            "m.<lambda>.<closure>"
        );
        assert_eq!(normalize("user@example"), "user@example");
    }

    #[test]
    fn every_part_counts() {
        let base = finding_base("r", "a.py", Some("m.f"), "x");
        assert_ne!(base, finding_base("r2", "a.py", Some("m.f"), "x"));
        assert_ne!(base, finding_base("r", "b.py", Some("m.f"), "x"));
        assert_ne!(base, finding_base("r", "a.py", Some("m.g"), "x"));
        assert_ne!(base, finding_base("r", "a.py", None, "x"));
        assert_ne!(numbered(base, 0), numbered(base, 1));
        assert_eq!(numbered(base, 0).len(), 16);
        // Parts are separated: moving a character between parts changes the hash.
        assert_ne!(
            finding_base("r", "ab", None, "c"),
            finding_base("r", "a", None, "bc")
        );
    }
}
