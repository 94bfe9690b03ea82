//! Spans in linear time. `tree::span` counts the characters from the start
//! of the line to find a column, which is quadratic on one very long line
//! holding many nodes (minified or generated code, deeply nested
//! expressions). The walker enters nodes in source order, so the column of
//! the next node can be counted on from the previous one.

use crate::facts::Span;
use crate::lang::tree;
use std::cell::Cell;
use tree_sitter::Node;

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
            let span = tree::span(node, src);
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
