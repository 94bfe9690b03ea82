//! Extractor for `.sql` files (migrations, schema dumps, query files), and
//! helpers for SQL found in strings of other languages.
//!
//! A file yields one [`SqlText`] per top-level statement, with its source
//! text and span; statements inside `BEGIN ... COMMIT` count as top level.
//! The grammar (`tree-sitter-sequel`) covers Postgres, MySQL and SQLite
//! well but not completely; a statement it cannot parse is still emitted
//! whole, and the file gets a syntax note.

mod split;
mod statement;

pub use statement::{
    looks_like_sql, normalize_placeholders, parse_statement, ParsedStatement, StatementKind,
};

use super::{tree, SourceFile};
use crate::facts::{FileFacts, SqlText};

/// The SQL grammar.
fn language() -> tree_sitter::Language {
    tree_sitter_sequel::LANGUAGE.into()
}

/// Extract one [`SqlText`] per statement, plus a note when the file has
/// syntax errors.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let parsed = tree::parse(src.text, &language(), "SQL")?;
    let root = parsed.root_node();
    let split = split::statements(root, src.text);
    let mut lines = split::LineCursor::new(src.text);
    let mut facts = FileFacts::default();
    for (start, end) in split.statements {
        facts.sql.push(SqlText {
            text: src.text.get(start..end).unwrap_or_default().to_string(),
            span: lines.span(start, end),
            function: None,
        });
    }
    if split.has_error {
        facts.notes.extend(tree::syntax_note(root, src.text, "SQL"));
    }
    Ok(facts)
}

/// Parse only.
pub fn parse(src: &SourceFile) -> Result<(), String> {
    tree::parse(src.text, &language(), "SQL").map(drop)
}

#[cfg(test)]
mod tests;
