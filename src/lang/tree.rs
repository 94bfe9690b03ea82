//! Helpers shared by the tree-sitter extractors: parsing with a clear error,
//! spans, node text, and an iterative (stack-safe) pre-order walk.

use crate::facts::{FileNote, Span};
use std::cell::Cell;
use tree_sitter::{Language, Node, Parser, Tree};

/// Parse `text` with `language`.
pub fn parse(text: &str, language: &Language, name: &str) -> Result<Tree, String> {
    let mut parser = Parser::new();
    parser
        .set_language(language)
        .map_err(|e| format!("cannot load the {name} grammar: {e}"))?;
    parser
        .parse(text, None)
        .ok_or_else(|| format!("the {name} parser gave up on this file"))
}

/// The span of a node. Columns are counted in characters.
pub fn span(node: Node, text: &str) -> Span {
    let start = node.start_byte();
    let pos = node.start_position();
    let line_start = start - pos.column.min(start);
    let column = text
        .get(line_start..start)
        .map_or(pos.column, |s| s.chars().count());
    Span {
        start: start as u32,
        end: node.end_byte() as u32,
        line: pos.row as u32 + 1,
        column: column as u32 + 1,
        end_line: node.end_position().row as u32 + 1,
    }
}

/// Spans in linear time for a walker that asks in source order. [`span`]
/// counts the characters from the start of the line to find a column, which
/// is quadratic on one very long line holding many nodes (minified or
/// generated code, deep nesting); this counts on from the previous span.
/// Remembers the last position a span was computed for.
#[derive(Debug, Default)]
pub struct Columns {
    /// (byte offset, row, 0-based character column) of the last start.
    last: Cell<(usize, usize, usize)>,
}

impl Columns {
    /// The span of `node`; cheap when nodes come in source order.
    pub fn span(&self, node: Node, src: &str) -> Span {
        let start = node.start_byte();
        let pos = node.start_position();
        let (byte, row, column) = self.last.get();
        let counted = if pos.row == row && start >= byte {
            src.get(byte..start).map(|s| column + s.chars().count())
        } else {
            None
        };
        let Some(column) = counted else {
            let span = span(node, src);
            self.last
                .set((start, pos.row, (span.column as usize).saturating_sub(1)));
            return span;
        };
        self.last.set((start, pos.row, column));
        Span {
            start: start as u32,
            end: node.end_byte() as u32,
            line: pos.row as u32 + 1,
            column: column as u32 + 1,
            end_line: node.end_position().row as u32 + 1,
        }
    }
}

/// The source text of a node.
pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The text of a node with whitespace removed, truncated to `max` bytes on a
/// character boundary.
pub fn compact(node: Node, src: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text(node, src).chars() {
        if out.len() >= max {
            break;
        }
        if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// `text` with every run of whitespace turned into one space and the ends
/// trimmed, stopping once `max` bytes are kept (on a character boundary):
/// how an expression is quoted back in a message (`await User.findAll()`).
pub fn collapsed(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars() {
        if out.len() >= max {
            break;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// A tree visitor with enter and leave events.
pub trait Visitor<'t> {
    /// Called before a node's children; return whether to visit them.
    fn enter(&mut self, node: Node<'t>) -> bool;
    /// Called after a node's children (also when they were skipped).
    fn leave(&mut self, _node: Node<'t>) {}
}

/// Visits every node in pre-order without recursion, so deeply nested input
/// cannot overflow the stack.
pub fn visit<'t>(root: Node<'t>, visitor: &mut impl Visitor<'t>) {
    let mut cursor = root.walk();
    let mut descend = visitor.enter(cursor.node());
    loop {
        if descend && cursor.goto_first_child() {
            descend = visitor.enter(cursor.node());
            continue;
        }
        visitor.leave(cursor.node());
        loop {
            if cursor.goto_next_sibling() {
                descend = visitor.enter(cursor.node());
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            visitor.leave(cursor.node());
        }
    }
}

/// [`visit`] with only an enter callback.
pub fn walk<'t>(root: Node<'t>, enter: impl FnMut(Node<'t>) -> bool) {
    struct Enter<F>(F);
    impl<'t, F: FnMut(Node<'t>) -> bool> Visitor<'t> for Enter<F> {
        fn enter(&mut self, node: Node<'t>) -> bool {
            (self.0)(node)
        }
    }
    visit(root, &mut Enter(enter));
}

/// A note naming the first syntax error in the tree, if there is one.
pub fn syntax_note(root: Node, src: &str, language: &str) -> Option<FileNote> {
    if !root.has_error() {
        return None;
    }
    let mut first: Option<Node> = None;
    let mut count = 0usize;
    walk(root, |node| {
        if node.is_error() || node.is_missing() {
            count += 1;
            if first.is_none() {
                first = Some(node);
            }
            return false;
        }
        node.has_error()
    });
    let node = first?;
    let at = span(node, src);
    Some(FileNote {
        message: format!(
            "{language} syntax error at line {}, column {} ({} error{} in all); the rest of the file was analysed",
            at.line,
            at.column,
            count,
            if count == 1 { "" } else { "s" }
        ),
    })
}
