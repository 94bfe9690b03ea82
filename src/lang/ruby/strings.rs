//! String literals, heredocs and symbols: their text, and whether they
//! hold SQL.

use crate::lang::sql::looks_like_sql;
use crate::lang::tree;
use tree_sitter::Node;

/// Longest literal text kept in an argument.
pub const MAX_ARG: usize = 200;

/// The text of a string-like node (`string`, `heredoc_body`,
/// `delimited_symbol`, `chained_string`): contents concatenated, common
/// escapes decoded, each `#{...}` replaced by `interpolation`; None when it
/// has an interpolation and `interpolation` is None.
pub fn content(node: Node, src: &str, interpolation: Option<&str>) -> Option<String> {
    let mut out = String::new();
    let mut parts = vec![node];
    if node.kind() == "chained_string" {
        let mut cursor = node.walk();
        parts = node.named_children(&mut cursor).collect();
    }
    for part in parts {
        let mut cursor = part.walk();
        for child in part.named_children(&mut cursor) {
            match child.kind() {
                "string_content" | "heredoc_content" => out.push_str(tree::text(child, src)),
                "escape_sequence" => push_escape(&mut out, tree::text(child, src)),
                "interpolation" => out.push_str(interpolation?),
                _ => {}
            }
        }
    }
    Some(out)
}

fn push_escape(out: &mut String, escape: &str) {
    match escape {
        "\\n" | "\\r" | "\\t" => out.push(' '),
        _ => match escape.strip_prefix('\\') {
            Some(c) if c.chars().count() == 1 => out.push_str(c),
            _ => out.push_str(escape),
        },
    }
}

/// The SQL held by a string-like node, with interpolations as `?`; None
/// when it does not look like SQL. Cheap for ordinary strings: the text is
/// only assembled when its first word is a statement keyword.
pub fn sql(node: Node, src: &str) -> Option<String> {
    let first = first_content(node, src)?;
    let word = first
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()?;
    let keyword = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "ALTER", "DROP",
    ]
    .iter()
    .any(|k| word.eq_ignore_ascii_case(k));
    if !keyword {
        return None;
    }
    let text = content(node, src, Some("?"))?;
    let text = text.trim();
    looks_like_sql(text).then(|| text.to_string())
}

/// The first literal piece of a string-like node.
fn first_content<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    let mut node = node;
    if node.kind() == "chained_string" {
        node = node.named_child(0)?;
    }
    let child = node.named_child(0)?;
    matches!(child.kind(), "string_content" | "heredoc_content").then(|| tree::text(child, src))
}

/// The first `max` bytes of `text` at most, cut on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// A symbol's name: `:orders` → `orders`, `:"a b"` → `a b`.
pub fn symbol(node: Node, src: &str) -> Option<String> {
    match node.kind() {
        "simple_symbol" => Some(tree::text(node, src).trim_start_matches(':').to_string()),
        "delimited_symbol" => content(node, src, None),
        "hash_key_symbol" => Some(tree::text(node, src).to_string()),
        _ => None,
    }
}
