//! String literals: their content (f-string interpolations replaced by `?`)
//! and whether that content is SQL.

use super::kinds::{self, Field, Kind, NodeExt};
use super::Extractor;
use crate::facts::SqlText;
use crate::lang::tree;
use tree_sitter::Node;

/// Longest string content kept, in bytes.
const MAX_CONTENT: usize = 64 * 1024;

/// Most operands of a `+` chain read as one SQL text.
const MAX_PARTS: usize = 64;

/// Statement keywords a SQL text starts with.
const KEYWORDS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "ALTER", "DROP",
];

impl<'t> Extractor<'_, 't> {
    /// A string literal on its own. Returns whether it has interpolations
    /// (the only parts of a string worth walking into).
    pub(super) fn string(&mut self, node: Node<'t>) -> bool {
        if node.start_byte() < self.sql_until || !self.starts_like_sql(node) {
            return self.has_interpolation(node);
        }
        let mut text = String::new();
        let interpolated = content_into(node, self.text, &mut text);
        self.push_sql(node, text);
        interpolated
    }

    /// Implicitly concatenated literals (`"SELECT a " "FROM t"`), read as one.
    pub(super) fn concatenated_string(&mut self, node: Node) {
        if node.start_byte() < self.sql_until {
            return;
        }
        self.sql_until = node.end_byte();
        if !self.starts_like_sql(node) {
            return;
        }
        let mut text = String::new();
        literal_into(node, self.text, &mut text);
        self.push_sql(node, text);
    }

    fn has_interpolation(&mut self, node: Node<'t>) -> bool {
        if !may_interpolate(tree::text(node, self.text)) {
            return false;
        }
        let mut cursor = self.take_cursor(node);
        let found = node
            .children(&mut cursor)
            .any(|c| c.is(Kind::Interpolation));
        self.put_cursor(cursor);
        found
    }

    /// Whether a literal's source (prefix and quotes skipped) starts with a
    /// SQL keyword: a cheap test before copying its content.
    fn starts_like_sql(&self, node: Node) -> bool {
        starts_with_keyword(unquoted(tree::text(node, self.text)))
    }

    /// `"SELECT ... " + x + " FROM t"`: literals joined, other operands as `?`.
    pub(super) fn concatenation(&mut self, node: Node) {
        if node.start_byte() < self.sql_until || !is_plus(node) {
            return;
        }
        let mut parts = Vec::new();
        let mut current = node;
        while is_plus(current) {
            let (Some(left), Some(right)) =
                (current.field(Field::Left), current.field(Field::Right))
            else {
                return;
            };
            if parts.len() >= MAX_PARTS {
                return;
            }
            parts.push(right);
            current = left;
        }
        if !matches!(current.kind(), "string" | "concatenated_string") {
            return;
        }
        let mut text = String::new();
        literal_into(current, self.text, &mut text);
        if !starts_with_keyword(&text) {
            return;
        }
        for part in parts.iter().rev() {
            match part.kind() {
                "string" | "concatenated_string" => literal_into(*part, self.text, &mut text),
                _ => text.push('?'),
            }
        }
        if looks_like_sql(&text) {
            self.sql_until = node.end_byte();
            self.push_sql(node, text);
        }
    }

    fn push_sql(&mut self, node: Node, text: String) {
        if looks_like_sql(&text) {
            let sql = SqlText {
                text,
                span: self.span(node),
                function: self.frame().func,
            };
            self.facts.sql.push(sql);
        }
    }
}

fn is_plus(node: Node) -> bool {
    node.is(Kind::BinaryOperator)
        && node
            .field(Field::Operator)
            .is_some_and(|op| op.kind() == "+")
}

/// The content of a `string` or `concatenated_string`, appended to `out`.
fn literal_into(node: Node, src: &str, out: &mut String) {
    if node.kind() == "string" {
        content_into(node, src, out);
        return;
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.kind() == "string" {
            content_into(child, src, out);
        }
    }
}

fn starts_with_keyword(text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let word = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// The content of a `string` node without prefix and quotes, with
/// interpolations replaced by `?`, appended to `out`. Returns whether the
/// string had interpolations.
pub(super) fn content_into(node: Node, src: &str, out: &mut String) -> bool {
    let mut interpolated = false;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match kinds::of(child) {
            Kind::StringContent => push_capped(out, tree::text(child, src)),
            Kind::Interpolation => {
                interpolated = true;
                push_capped(out, "?");
            }
            _ => {}
        }
    }
    interpolated
}

/// Whether a literal's prefix makes it an f-string (or a t-string), the
/// only kinds with interpolations.
fn may_interpolate(source: &str) -> bool {
    source
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .any(|b| matches!(b, b'f' | b'F' | b't' | b'T'))
}

/// The content of a `string` node, if it has no interpolations.
pub(super) fn plain(node: Node, src: &str) -> Option<String> {
    let source = tree::text(node, src);
    if !may_interpolate(source) {
        if let Some(content) = literal_content(source) {
            return Some(content.to_string());
        }
    }
    let mut out = String::new();
    (!content_into(node, src, &mut out)).then_some(out)
}

/// The text between the quotes of a literal without interpolations
/// (`r"a\b"` → `a\b`), if it is well formed.
fn literal_content(source: &str) -> Option<&str> {
    let body = source.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| body.starts_with(q))?;
    body.strip_prefix(quote)?.strip_suffix(quote)
}

/// Whether a string literal holds nothing for the walk: no interpolation
/// and no SQL.
pub(super) fn is_inert(node: Node, src: &str) -> bool {
    let source = tree::text(node, src);
    !may_interpolate(source) && !starts_with_keyword(unquoted(source))
}

/// A literal's source with its prefix and opening quotes skipped.
fn unquoted(source: &str) -> &str {
    source
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim_start_matches(['"', '\''])
}

fn push_capped(out: &mut String, s: &str) {
    if out.len() + s.len() <= MAX_CONTENT {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if out.len() + c.len_utf8() > MAX_CONTENT {
            return;
        }
        out.push(c);
    }
}

/// Whether `text` reads as a SQL statement: it starts (after whitespace and
/// parentheses) with a statement keyword, in one case (`SELECT`, `select`, not
/// `Select`), followed by the words that statement needs (`INSERT INTO`,
/// `DELETE FROM`, `UPDATE ... SET`, `SELECT ... FROM` ...).
pub(super) fn looks_like_sql(text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let mut words = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(400);
    let Some(first) = words.next() else {
        return false;
    };
    let upper = first.bytes().all(|b| !b.is_ascii_lowercase());
    let lower = first.bytes().all(|b| !b.is_ascii_uppercase());
    if !(upper || lower) || !text.starts_with(first) {
        return false;
    }
    let is = |word: &str, keyword: &str| word.eq_ignore_ascii_case(keyword);
    let rest: Vec<&str> = words.collect();
    let next_is = |keywords: &[&str]| {
        rest.iter()
            .take(3)
            .any(|w| keywords.iter().any(|k| is(w, k)))
    };
    let has = |keyword: &str| rest.iter().any(|w| is(w, keyword));
    let after = text[first.len()..].trim_start();
    match first.to_ascii_uppercase().as_str() {
        "SELECT" => has("FROM") || after.starts_with(|c: char| c.is_ascii_digit() || c == '*'),
        "INSERT" => next_is(&["INTO"]),
        "UPDATE" => has("SET"),
        "DELETE" => next_is(&["FROM"]),
        "WITH" => {
            has("AS")
                && ["SELECT", "INSERT", "UPDATE", "DELETE"]
                    .iter()
                    .any(|k| has(k))
        }
        "CREATE" | "ALTER" | "DROP" => next_is(&[
            "TABLE",
            "INDEX",
            "VIEW",
            "SEQUENCE",
            "SCHEMA",
            "DATABASE",
            "TRIGGER",
            "FUNCTION",
            "PROCEDURE",
            "EXTENSION",
            "TYPE",
            "DOMAIN",
            "CONSTRAINT",
            "COLUMN",
        ]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_sql;

    #[test]
    fn sql_needs_its_second_keyword() {
        assert!(looks_like_sql("SELECT id FROM orders WHERE id = ?"));
        assert!(looks_like_sql("  (select * from t)"));
        assert!(looks_like_sql("SELECT 1"));
        assert!(looks_like_sql("INSERT INTO t VALUES (%s)"));
        assert!(looks_like_sql("INSERT OR REPLACE INTO t VALUES (1)"));
        assert!(looks_like_sql("UPDATE t SET a = 1"));
        assert!(looks_like_sql("DELETE FROM t"));
        assert!(looks_like_sql("CREATE UNIQUE INDEX i ON t (a)"));
        assert!(looks_like_sql("DROP TABLE IF EXISTS t"));
        assert!(looks_like_sql("WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(!looks_like_sql("Select the rows you want"));
        assert!(!looks_like_sql("Delete the object from the cache"));
        assert!(!looks_like_sql("update the records"));
        assert!(!looks_like_sql("selected items from the list"));
        assert!(!looks_like_sql("create a new user"));
        assert!(!looks_like_sql(""));
    }
}
