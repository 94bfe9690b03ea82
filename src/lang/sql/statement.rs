//! Questions about one SQL string found in application code: does it look
//! like SQL, does the grammar accept it, and what kind of statement is it.

use crate::lang::tree;
use tree_sitter::Node;

/// What a SQL statement does, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementKind {
    /// `SELECT`, `WITH ... SELECT`, `SELECT ... UNION ...`.
    Select,
    /// `INSERT`.
    Insert,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
    /// `CREATE TABLE`.
    CreateTable,
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex,
    /// `ALTER TABLE`.
    AlterTable,
    /// `DROP TABLE`.
    DropTable,
    /// `DROP INDEX`.
    DropIndex,
    /// Any other statement the grammar recognised.
    Other,
}

/// The outcome of [`parse_statement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedStatement {
    /// The grammar accepted the whole text without an error.
    pub clean: bool,
    /// The kind of the first statement, when the grammar recognised one
    /// (also in text that did not parse cleanly).
    pub kind: Option<StatementKind>,
}

/// Parse one SQL string, e.g. the text of a string literal in Python, JS or
/// Ruby. Bind placeholders the grammar does not know (`:name`, `%s`,
/// `%(name)s`) are read as `?` first; `?`, `$1` and `@name` are accepted as
/// they are. Never fails: a text the parser gives up on is not clean and
/// has no kind.
pub fn parse_statement(sql: &str) -> ParsedStatement {
    let text = normalize_placeholders(sql);
    let language = tree_sitter_sequel::LANGUAGE.into();
    let Ok(parsed) = tree::parse(&text, &language, "SQL") else {
        return ParsedStatement {
            clean: false,
            kind: None,
        };
    };
    let root = parsed.root_node();
    ParsedStatement {
        clean: !root.has_error(),
        kind: first_statement(root).map(statement_kind),
    }
}

/// The first `statement` node, looking only through the program,
/// transactions, blocks and error nodes that hold statements.
fn first_statement(root: Node) -> Option<Node> {
    let mut found = None;
    tree::walk(root, |node| {
        if found.is_some() {
            return false;
        }
        match node.kind() {
            "statement" => {
                found = Some(node);
                false
            }
            "program" | "transaction" | "block" | "ERROR" => true,
            _ => false,
        }
    });
    found
}

/// The kind of a `statement` node, from its first meaningful child.
fn statement_kind(statement: Node) -> StatementKind {
    let mut cursor = statement.walk();
    for child in statement.named_children(&mut cursor) {
        let kind = match child.kind() {
            "select" | "set_operation" => StatementKind::Select,
            "insert" => StatementKind::Insert,
            "update" => StatementKind::Update,
            "delete" => StatementKind::Delete,
            "create_table" => StatementKind::CreateTable,
            "create_index" => StatementKind::CreateIndex,
            "alter_table" => StatementKind::AlterTable,
            "drop_table" => StatementKind::DropTable,
            "drop_index" => StatementKind::DropIndex,
            "keyword_explain" | "keyword_analyze" | "keyword_verbose" | "keyword_with"
            | "keyword_recursive" | "cte" | "comment" | "marginalia" => continue,
            _ => StatementKind::Other,
        };
        return kind;
    }
    StatementKind::Other
}

/// Replace `:name`, `%s` and `%(name)s` placeholders with `?`, outside
/// quoted strings and identifiers. Postgres casts (`x::int`) are kept.
pub fn normalize_placeholders(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains([':', '%']) {
        return sql.into();
    }
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.char_indices().peekable();
    let mut prev = ' ';
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            out.push(c);
            prev = c;
            continue;
        }
        let rest = &sql[i + c.len_utf8()..];
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            ':' if prev != ':' && !rest.starts_with(':') && starts_identifier(rest) => {
                skip_identifier(&mut chars);
                out.push('?');
                prev = '?';
                continue;
            }
            '%' if rest.starts_with('s') => {
                chars.next();
                out.push('?');
                prev = '?';
                continue;
            }
            '%' if rest.starts_with('(') => {
                if let Some(close) = rest.find(")s") {
                    while chars.peek().is_some_and(|&(j, _)| j <= i + close + 2) {
                        chars.next();
                    }
                    out.push('?');
                    prev = '?';
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
        prev = c;
    }
    out.into()
}

fn starts_identifier(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn skip_identifier(chars: &mut std::iter::Peekable<std::str::CharIndices>) {
    while chars
        .peek()
        .is_some_and(|&(_, c)| c.is_alphanumeric() || c == '_')
    {
        chars.next();
    }
}

/// Whether a string from application code holds SQL: after whitespace and
/// `(`, a statement keyword in upper or lower case (not `Select`, which is
/// more often UI text) followed by what that statement needs: `SELECT ...
/// FROM` (or `SELECT *`, `SELECT 1`, `SELECT f(`), `INSERT INTO`, `UPDATE ...
/// SET`, `DELETE FROM`, `WITH x AS (`, `CREATE/ALTER/DROP TABLE|INDEX|...`.
pub fn looks_like_sql(text: &str) -> bool {
    let body = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let mut words = body.split(|c: char| c.is_whitespace() || c == '(' || c == ')');
    let Some(first) = words.next() else {
        return false;
    };
    let upper = first.bytes().all(|b| b.is_ascii_uppercase());
    let lower = first.bytes().all(|b| b.is_ascii_lowercase());
    if !(upper || lower) {
        return false;
    }
    let rest = &body[first.len()..];
    if !rest.starts_with(|c: char| c.is_whitespace() || c == '(') {
        return false;
    }
    let mut rest_words = words.filter(|w| !w.is_empty());
    let is = |w: Option<&str>, options: &[&str]| {
        w.is_some_and(|w| options.iter().any(|o| w.eq_ignore_ascii_case(o)))
    };
    match first.to_ascii_uppercase().as_str() {
        "SELECT" => select_looks_like_sql(rest),
        "INSERT" => is(rest_words.next(), &["INTO", "IGNORE", "OR"]),
        "UPDATE" => rest_words.take(8).any(|w| w.eq_ignore_ascii_case("SET")),
        "DELETE" => is(rest_words.next(), &["FROM"]),
        "WITH" => {
            let mut w = rest_words;
            let name = w.next();
            let name = if is(name, &["RECURSIVE"]) {
                w.next()
            } else {
                name
            };
            name.is_some() && w.take(12).any(|w| w.eq_ignore_ascii_case("AS"))
        }
        "CREATE" => rest_words.take(4).any(|w| is(Some(w), OBJECTS)),
        "ALTER" | "DROP" => is(rest_words.next(), OBJECTS),
        _ => false,
    }
}

const OBJECTS: &[&str] = &[
    "TABLE",
    "INDEX",
    "VIEW",
    "SEQUENCE",
    "TYPE",
    "FUNCTION",
    "TRIGGER",
    "SCHEMA",
    "EXTENSION",
    "DATABASE",
    "MATERIALIZED",
    "PROCEDURE",
];

/// `SELECT` followed by `*`, a number, a call, or a later `FROM`.
fn select_looks_like_sql(rest: &str) -> bool {
    let rest = rest.trim_start();
    if rest.starts_with(|c: char| c == '*' || c.is_ascii_digit()) {
        return true;
    }
    let first_token_is_call = rest
        .split_whitespace()
        .next()
        .is_some_and(|w| w.contains('(') && !w.starts_with('('));
    first_token_is_call
        || rest
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w.eq_ignore_ascii_case("FROM"))
}
