//! Values: how an argument or an assigned value was written, as an
//! [`ArgValue`] (one conversion for both). Literals are read in place; lists,
//! tuples, sets and dicts element by element down to [`MAX_VALUE_DEPTH`];
//! a call or lambda as the id of its fact.
//!
//! A call or lambda gets its fact only when the walk reaches it, after the
//! value holding it was read. Until then the value holds a placeholder id
//! for a [`Slot`]; the walk fills the slot when it reaches the node, and
//! [`Extractor::finish`](super::Extractor) swaps placeholders for ids.

use super::kinds::{self, Field, Kind, NodeExt};
use super::{strings, Extractor};
use crate::facts::{ArgValue, CallId, FunctionId, MAX_VALUE_DEPTH};
use crate::lang::tree;
use rustc_hash::FxHashMap;
use tree_sitter::Node;

/// Longest text kept for a value, in characters.
pub(super) const MAX_TEXT: usize = 200;

/// Literals with more elements than this are kept as text, so a generated
/// table cannot turn into millions of values.
const MAX_ELEMENTS: usize = 1_000;

/// How deep `((x))` parentheses are looked through.
const MAX_PARENS: usize = 16;

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy)]
enum Slot<'t> {
    /// The walk has not reached this call or lambda yet.
    Waiting(Node<'t>),
    /// The call fact of the node.
    Call(CallId),
    /// The function fact of the lambda.
    Closure(FunctionId),
}

/// Calls and lambdas read inside values before the walk reached them.
#[derive(Default)]
pub(super) struct Pending<'t> {
    slots: Vec<Slot<'t>>,
    /// Node id → slot, for nodes the walk has yet to reach.
    waiting: FxHashMap<usize, u32>,
}

impl<'t> Pending<'t> {
    /// The placeholder id for `node`, shared by every value that holds it.
    pub(super) fn wait(&mut self, node: Node<'t>) -> u32 {
        let slot = *self.waiting.entry(node.id()).or_insert_with(|| {
            self.slots.push(Slot::Waiting(node));
            (self.slots.len() - 1) as u32
        });
        u32::MAX - slot
    }

    /// The walk reached `node`, whose fact has id `id`.
    pub(super) fn reached_call(&mut self, node: Node, id: CallId) {
        self.reached(node, Slot::Call(id));
    }

    /// The walk reached the lambda `node`, whose function has id `id`.
    pub(super) fn reached_lambda(&mut self, node: Node, id: FunctionId) {
        self.reached(node, Slot::Closure(id));
    }

    fn reached(&mut self, node: Node, slot: Slot<'t>) {
        if self.waiting.is_empty() {
            return;
        }
        if let Some(index) = self.waiting.remove(&node.id()) {
            self.slots[index as usize] = slot;
        }
    }

    /// The call id behind a placeholder, once the walk has reached it.
    pub(super) fn call_id(&self, placeholder: u32) -> Option<CallId> {
        match self.slot(placeholder)? {
            Slot::Call(id) => Some(id),
            _ => None,
        }
    }

    fn slot(&self, placeholder: u32) -> Option<Slot<'t>> {
        self.slots.get((u32::MAX - placeholder) as usize).copied()
    }

    /// Whether any value holds a placeholder.
    pub(super) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Replace the placeholders in `value` (built at most
    /// [`MAX_VALUE_DEPTH`] deep, so the recursion is bounded).
    pub(super) fn fill(&self, value: &mut ArgValue, src: &str) {
        let placeholder = match value {
            ArgValue::List(items) => {
                items.iter_mut().for_each(|item| self.fill(item, src));
                return;
            }
            ArgValue::Map(pairs) => {
                pairs.iter_mut().for_each(|(_, item)| self.fill(item, src));
                return;
            }
            ArgValue::Compare(left, _, right) => {
                self.fill(left, src);
                self.fill(right, src);
                return;
            }
            ArgValue::Call(id) | ArgValue::Closure(id) => *id,
            _ => return,
        };
        match self.slot(placeholder) {
            Some(Slot::Call(id)) => *value = ArgValue::Call(id),
            Some(Slot::Closure(id)) => *value = ArgValue::Closure(id),
            Some(Slot::Waiting(node)) => *value = other(node, src),
            None => {}
        }
    }
}

impl<'t> Extractor<'_, 't> {
    /// How `node` was written, as an argument or an assigned value; `depth`
    /// is how many lists or dicts enclose it.
    pub(super) fn value(&mut self, node: Node<'t>, depth: usize) -> ArgValue {
        let mut node = node;
        for _ in 0..MAX_PARENS {
            if !node.is(Kind::Parenthesized) {
                break;
            }
            match node.named_child(0) {
                Some(inner) => node = inner,
                None => break,
            }
        }
        match kinds::of(node) {
            Kind::String => match strings::plain(node, self.text) {
                Some(s) => ArgValue::Str(truncate(&s).to_string()),
                None => other(node, self.text),
            },
            Kind::Integer | Kind::Float => {
                ArgValue::Number(tree::text(node, self.text).to_string())
            }
            Kind::None => ArgValue::Null,
            Kind::True => ArgValue::Bool(true),
            Kind::False => ArgValue::Bool(false),
            Kind::Lambda => ArgValue::Closure(self.pending.wait(node)),
            Kind::Call => ArgValue::Call(self.pending.wait(node)),
            Kind::Identifier | Kind::Attribute => match self.resolve_node(node) {
                Some(path) => ArgValue::Path(path),
                None => ArgValue::Path(tree::compact(node, self.text, MAX_TEXT)),
            },
            Kind::List | Kind::Tuple | Kind::Set | Kind::ExpressionList
                if self.expands(node, depth) =>
            {
                ArgValue::List(self.elements(node, depth))
            }
            Kind::Dictionary if self.expands(node, depth) => ArgValue::Map(self.pairs(node, depth)),
            Kind::Comparison if depth < MAX_VALUE_DEPTH => self
                .comparison(node, depth)
                .unwrap_or_else(|| other(node, self.text)),
            _ => other(node, self.text),
        }
    }

    /// Whether a literal is read element by element.
    fn expands(&self, node: Node, depth: usize) -> bool {
        depth < MAX_VALUE_DEPTH && node.named_child_count() <= MAX_ELEMENTS
    }

    fn elements(&mut self, node: Node<'t>, depth: usize) -> Vec<ArgValue> {
        let mut items = Vec::new();
        let mut cursor = self.take_cursor(node);
        for child in node.named_children(&mut cursor) {
            if !child.is(Kind::Comment) {
                items.push(self.value(child, depth + 1));
            }
        }
        self.put_cursor(cursor);
        items
    }

    /// `left op right`; None for a chained comparison (`a < b < c`).
    fn comparison(&mut self, node: Node<'t>, depth: usize) -> Option<ArgValue> {
        let mut cursor = self.take_cursor(node);
        let operands: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|c| !c.is(Kind::Comment))
            .collect();
        self.put_cursor(cursor);
        let [left, right] = operands[..] else {
            return None;
        };
        let between = self.text.get(left.end_byte()..right.start_byte())?;
        let op = between.split_whitespace().collect::<Vec<_>>().join(" ");
        let left = self.value(left, depth + 1);
        let right = self.value(right, depth + 1);
        Some(ArgValue::Compare(Box::new(left), op, Box::new(right)))
    }

    /// A dict's pairs: string keys unquoted, other keys as written;
    /// `**spread` left out.
    fn pairs(&mut self, node: Node<'t>, depth: usize) -> Vec<(String, ArgValue)> {
        let mut pairs = Vec::new();
        let mut cursor = self.take_cursor(node);
        for pair in node.named_children(&mut cursor) {
            if !pair.is(Kind::Pair) {
                continue;
            }
            let (Some(key), Some(value)) = (pair.field(Field::Key), pair.field(Field::Value))
            else {
                continue;
            };
            let plain = key
                .is(Kind::String)
                .then(|| strings::plain(key, self.text))
                .flatten();
            let key = match &plain {
                Some(s) => truncate(s),
                None => truncate(tree::text(key, self.text)),
            }
            .to_string();
            pairs.push((key, self.value(value, depth + 1)));
        }
        self.put_cursor(cursor);
        pairs
    }
}

/// A value kept as its source text.
pub(super) fn other(node: Node, src: &str) -> ArgValue {
    ArgValue::Other(truncate(tree::text(node, src)).to_string())
}

/// `s` cut to [`MAX_TEXT`] characters.
pub(super) fn truncate(s: &str) -> &str {
    match s.char_indices().nth(MAX_TEXT) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}
