//! Splitting a parsed SQL file into its top-level statements.
//!
//! Statements are the text between top-level `;` separators, so a statement
//! the grammar could not parse (a dialect extension such as `PRAGMA` or
//! `LOCK TABLES`) still comes out whole instead of as error fragments.
//! Separators are found among the children of the program, of
//! `BEGIN ... COMMIT` transactions and blocks, and of top-level error nodes;
//! nothing else is descended into.

use crate::facts::Span;
use tree_sitter::Node;

/// The statements of a file and whether its syntax errors matter.
#[derive(Debug, Default)]
pub struct Split {
    /// Byte ranges of the statements, in order, trimmed of whitespace and
    /// surrounding comments.
    pub statements: Vec<(usize, usize)>,
    /// The tree has an error other than an empty statement (`;;`).
    pub has_error: bool,
}

/// Find the top-level statements under `root`.
pub fn statements(root: Node, src: &str) -> Split {
    let mut splitter = Splitter {
        src,
        boundary: 0,
        trailing_comment: None,
        split: Split::default(),
    };
    crate::lang::tree::visit(root, &mut splitter);
    splitter.flush(root.end_byte());
    splitter.split
}

struct Splitter<'s> {
    src: &'s str,
    /// Where the statement being collected starts (before trimming).
    boundary: usize,
    /// Start of a comment that follows the statement's content.
    trailing_comment: Option<usize>,
    split: Split,
}

impl Splitter<'_> {
    fn is_blank(&self, from: usize, to: usize) -> bool {
        self.src.get(from..to).is_none_or(|s| s.trim().is_empty())
    }

    /// End the statement collected so far at `end`.
    fn flush(&mut self, end: usize) {
        let end = self.trailing_comment.take().map_or(end, |c| c.min(end));
        if let Some(raw) = self.src.get(self.boundary..end) {
            let trimmed = raw.trim_start();
            let start = self.boundary + (raw.len() - trimmed.len());
            let trimmed = trimmed.trim_end();
            if !trimmed.is_empty() && !is_transaction_control(trimmed) {
                self.split.statements.push((start, start + trimmed.len()));
            }
        }
    }
}

impl<'t> crate::lang::tree::Visitor<'t> for Splitter<'_> {
    fn enter(&mut self, node: Node<'t>) -> bool {
        if node.is_error() {
            if !only_separators(node) {
                self.split.has_error = true;
            }
            return true;
        }
        match node.kind() {
            "program" | "transaction" | "block" => true,
            ";" => {
                self.flush(node.start_byte());
                self.boundary = node.end_byte();
                false
            }
            "comment" | "marginalia" => {
                if self.is_blank(self.boundary, node.start_byte()) {
                    self.boundary = node.end_byte();
                } else if self.trailing_comment.is_none() {
                    self.trailing_comment = Some(node.start_byte());
                }
                false
            }
            _ => {
                if node.has_error() || node.is_missing() {
                    self.split.has_error = true;
                }
                self.trailing_comment = None;
                false
            }
        }
    }
}

/// An error node made of `;` only: empty statements, which every dialect
/// accepts but the grammar does not.
fn only_separators(node: Node) -> bool {
    let mut cursor = node.walk();
    let all = node.children(&mut cursor).all(|c| c.kind() == ";");
    all && node.child_count() > 0
}

/// `BEGIN`, `COMMIT`, `START TRANSACTION`, `ROLLBACK WORK`, `END`: no
/// statement worth reporting.
fn is_transaction_control(text: &str) -> bool {
    text.len() < 40
        && text.split_whitespace().all(|w| {
            [
                "begin",
                "commit",
                "rollback",
                "end",
                "start",
                "transaction",
                "work",
            ]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
        })
}

/// Turns increasing byte offsets into spans in one forward pass over the
/// text, so a file with many statements costs O(file size).
pub struct LineCursor<'s> {
    src: &'s str,
    pos: usize,
    line: u32,
    column: u32,
}

impl<'s> LineCursor<'s> {
    /// A cursor at the start of `src`.
    pub fn new(src: &'s str) -> Self {
        LineCursor {
            src,
            pos: 0,
            line: 1,
            column: 1,
        }
    }

    /// Move to `to` (not before the current position) and return its line
    /// and column.
    fn advance(&mut self, to: usize) -> (u32, u32) {
        let bytes = self.src.as_bytes();
        let to = to.min(bytes.len());
        for &b in bytes.get(self.pos..to).unwrap_or_default() {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.pos = self.pos.max(to);
        (self.line, self.column)
    }

    /// The span of `start..end`; ranges must come in increasing order.
    pub fn span(&mut self, start: usize, end: usize) -> Span {
        let (line, column) = self.advance(start);
        let (end_line, _) = self.advance(end.saturating_sub(1).max(start));
        Span {
            start: start as u32,
            end: end as u32,
            line,
            column,
            end_line,
        }
    }
}
