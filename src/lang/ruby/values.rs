//! Values: call arguments and assigned values as [`ArgValue`]s. Literals
//! as themselves (symbols as strings without `:`), `[..]`, `%i[..]` and
//! `%w[..]` as lists, hashes as maps keyed like keyword arguments, calls
//! (a bare method name that is not a variable included) and lambdas as the
//! ids of their facts, containers nested deeper than [`MAX_VALUE_DEPTH`]
//! as text.
//!
//! A call or closure inside a value is entered by the walk only after the
//! value is read, so it has no id yet: it gets a placeholder, and a
//! [`Pending`] entry naming its node and where the placeholder is, filled
//! in when the walk enters that node. Pending entries form a stack: a
//! value's entries are pushed in reverse source order, and the walk enters
//! nodes in source order, so the next node to fill is always on top.

use super::chain::constant_path;
use super::fields::fields;
use super::strings::{self, MAX_ARG};
use super::walker::Walker;
use crate::facts::{ArgValue, CallId, LoopId, MAX_VALUE_DEPTH};
use crate::lang::tree;
use tree_sitter::Node;

/// Placeholder id of a call or closure not entered yet.
const UNFILLED: u32 = u32::MAX;

/// What holds a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Argument `.1` of call `.0`.
    Arg(CallId, usize),
    /// The value of assignment fact `.0`.
    Assign(usize),
}

/// Where a value sits: its owner, and the indices of the list elements or
/// map entries leading to it.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    owner: Owner,
    path: [u32; MAX_VALUE_DEPTH],
    len: usize,
}

impl Slot {
    /// The top of `owner`'s value.
    pub fn new(owner: Owner) -> Slot {
        Slot {
            owner,
            path: [0; MAX_VALUE_DEPTH],
            len: 0,
        }
    }

    /// Element `index` of the container at this slot; None when that would
    /// nest deeper than [`MAX_VALUE_DEPTH`].
    fn child(&self, index: usize) -> Option<Slot> {
        let mut child = *self;
        *child.path.get_mut(self.len)? = index as u32;
        child.len += 1;
        Some(child)
    }

    /// The call an argument belongs to.
    pub fn call(&self) -> Option<CallId> {
        match self.owner {
            Owner::Arg(call, _) => Some(call),
            Owner::Assign(_) => None,
        }
    }
}

/// A call, closure or bare name inside a value, waiting for its node to be
/// entered.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// The node's id.
    pub node: usize,
    /// Where its placeholder is.
    pub slot: Slot,
    /// For a call's block: the loop it is the body of.
    pub body_of: Option<LoopId>,
}

impl<'a> Walker<'a> {
    /// The value of `node`, which will sit at `slot`.
    pub(super) fn value(&mut self, node: Node<'a>, slot: Slot) -> ArgValue {
        let mut node = node;
        while node.kind() == "parenthesized_statements" && node.named_child_count() == 1 {
            match node.named_child(0) {
                Some(inner) => node = inner,
                None => break,
            }
        }
        let text = || tree::text(node, self.src).to_string();
        match node.kind() {
            "simple_symbol" | "delimited_symbol" | "string" | "chained_string" | "bare_string"
            | "bare_symbol" => self.literal(node),
            "integer" | "float" | "rational" | "complex" => ArgValue::Number(text()),
            "nil" => ArgValue::Null,
            "true" => ArgValue::Bool(true),
            "false" => ArgValue::Bool(false),
            "instance_variable" | "class_variable" | "global_variable" | "self" => {
                ArgValue::Path(text())
            }
            "identifier" => {
                let name = self.text(node);
                if self.is_variable(name) {
                    ArgValue::Path(name.to_string())
                } else {
                    self.placeholder(node, slot, ArgValue::Call(UNFILLED))
                }
            }
            "constant" | "scope_resolution" => constant_path(node, self.src)
                .map(ArgValue::Path)
                .unwrap_or_else(|| self.other(node)),
            "call" => self.placeholder(node, slot, ArgValue::Call(UNFILLED)),
            "lambda" => self.placeholder(node, slot, ArgValue::Closure(UNFILLED)),
            "array" | "string_array" | "symbol_array" => self.list(node, slot),
            "hash" => self.map(node, slot),
            _ => self.other(node),
        }
    }

    /// A string or symbol literal; with interpolation, its text.
    fn literal(&self, node: Node) -> ArgValue {
        let content = match node.kind() {
            "simple_symbol" | "delimited_symbol" => strings::symbol(node, self.src),
            _ => strings::content(node, self.src, None),
        };
        match content {
            Some(s) => ArgValue::Str(strings::truncate(&s, MAX_ARG).to_string()),
            None => self.other(node),
        }
    }

    fn list(&mut self, node: Node<'a>, slot: Slot) -> ArgValue {
        let mut items = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "comment" {
                continue;
            }
            let Some(at) = slot.child(items.len()) else {
                return self.other(node);
            };
            items.push(self.value(child, at));
        }
        ArgValue::List(items)
    }

    /// A hash: `key: v`, `:key => v`, `"key" => v` keyed by the name;
    /// other keys by their text; `**splat`s skipped.
    fn map(&mut self, node: Node<'a>, slot: Slot) -> ArgValue {
        let mut entries = Vec::new();
        let mut cursor = node.walk();
        for pair in node.named_children(&mut cursor) {
            if pair.kind() != "pair" {
                continue;
            }
            let Some(at) = slot.child(entries.len()) else {
                return self.other(node);
            };
            let key = pair.child_by_field_id(fields().key);
            let name = key
                .and_then(|k| self.hash_key(k))
                .or_else(|| key.map(|k| tree::compact(k, self.src, MAX_ARG)))
                .unwrap_or_default();
            let value = match pair.child_by_field_id(fields().value) {
                Some(v) => self.value(v, at),
                // Ruby 3.1 shorthand `{x:}` holds the local or method `x`.
                None => ArgValue::Path(name.clone()),
            };
            entries.push((name, value));
        }
        ArgValue::Map(entries)
    }

    /// The name of a hash key written as a symbol or string: `key:`,
    /// `:key`, `"key"`.
    pub(super) fn hash_key(&self, key: Node) -> Option<String> {
        match key.kind() {
            "string" => strings::content(key, self.src, None),
            _ => strings::symbol(key, self.src),
        }
    }

    /// A value whose id is known once the walk enters `node`.
    fn placeholder(&mut self, node: Node, slot: Slot, value: ArgValue) -> ArgValue {
        self.pending.push(Pending {
            node: node.id(),
            slot,
            body_of: None,
        });
        value
    }

    /// Source text, truncated.
    pub(super) fn other(&self, node: Node) -> ArgValue {
        ArgValue::Other(strings::truncate(self.text(node), MAX_ARG).to_string())
    }

    /// Whether `name` is a variable here (else a bare name calls a method).
    pub(super) fn is_variable(&self, name: &str) -> bool {
        self.locals
            .lookup(self.frame().visible_start, name)
            .is_some()
    }

    /// Puts the entries pushed since `start` in the order the walk will
    /// meet their nodes (see the module docs).
    pub(super) fn order_pending(&mut self, start: usize) {
        if let Some(added) = self.pending.get_mut(start..) {
            added.reverse();
        }
    }

    /// The pending entry for `node`, if it is the one the walk awaits.
    pub(super) fn take_pending(&mut self, node: Node) -> Option<Pending> {
        if self.pending.last()?.node == node.id() {
            self.pending.pop()
        } else {
            None
        }
    }

    /// Replaces the placeholder at `slot` with `value`.
    pub(super) fn fill(&mut self, slot: Slot, value: ArgValue) {
        let mut at = match slot.owner {
            Owner::Arg(call, index) => self
                .facts
                .calls
                .get_mut(call as usize)
                .and_then(|c| c.args.get_mut(index))
                .map(|a| &mut a.value),
            Owner::Assign(index) => self
                .facts
                .assigns
                .get_mut(index)
                .and_then(|a| a.value.as_mut()),
        };
        for &i in slot.path.get(..slot.len).unwrap_or_default() {
            at = at.and_then(|v| match v {
                ArgValue::List(items) => items.get_mut(i as usize),
                ArgValue::Map(entries) => entries.get_mut(i as usize).map(|e| &mut e.1),
                _ => None,
            });
        }
        if let Some(v) = at {
            *v = value;
        }
    }
}
