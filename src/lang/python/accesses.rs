//! Attribute chains read on loop bindings (`order.customer.name` in
//! `for order in orders:`), the raw material of N+1 detection.
//!
//! The walk meets a chain at its outermost node and stops there, so each
//! chain is seen once, whole: a dotted name the walk enters, a dotted callee
//! (only its receiver is read: `post.comments` of `post.comments.all()`), a
//! dotted store target (`order.customer.name = x` reads `order.customer`),
//! and dotted names in subtrees the walk skips (arguments of simple calls,
//! simple assigned or returned values). Chains through a call or subscript
//! (`o.items.all().first`, `o.items[0].name`) are recorded up to it, where
//! the walk meets their inner dotted part.

use super::chain::Chain;
use super::kinds::{self, Field, Kind, NodeExt};
use super::{Action, Extractor, Trigger};
use crate::facts::Access;
use tree_sitter::Node;

impl<'t> Extractor<'_, 't> {
    /// A dotted name (`node`, an attribute whose objects are attributes
    /// down to a name) read here. Records it when its root is bound by an
    /// active loop of this function; with `receiver`, its last attribute is
    /// called or stored into, and only the rest is read. Returns whether the
    /// root is such a binding.
    pub(super) fn access(&mut self, node: Node<'t>, receiver: bool) -> bool {
        let loops = &self.frame().loops;
        if loops.is_empty() {
            return false;
        }
        let Some(chain) = Chain::read(node, self.text) else {
            return false;
        };
        let super::chain::Root::Name(root) = chain.root else {
            return false;
        };
        let bound = loops.iter().any(|id| {
            self.facts
                .loops
                .get(*id as usize)
                .is_some_and(|l| l.bindings.iter().any(|b| b == root))
        });
        if !bound {
            return false;
        }
        let (read, links) = match (receiver, node.field(Field::Object)) {
            (false, _) => (node, &chain.links[..]),
            (true, Some(object)) => (object, &chain.links[..chain.links.len().saturating_sub(1)]),
            (true, None) => return true,
        };
        if links.is_empty() {
            return true;
        }
        let access = Access {
            path: super::chain::append(root.to_string(), links),
            function: self.frame().func,
            loops: loops.clone(),
            awaited: !receiver && self.awaited == Some(node.id()),
            span: self.span(read),
        };
        self.facts.accesses.push(access);
        true
    }

    /// A dotted callee: read here, and skipped by the walk when rooted at a
    /// loop binding. The callee is the first child the walk enters, so the
    /// trigger always fires (an `absorb` of the call pushes its own trigger
    /// above, and that fires first, on the call itself).
    pub(super) fn callee_access(&mut self, callee: Node<'t>, walked: bool) {
        if self.access(callee, true) && walked {
            self.triggers.push(Trigger {
                node: callee.id(),
                action: Action::Skip,
            });
        }
    }

    /// The dotted arguments of a call the walk skips.
    pub(super) fn argument_accesses(&mut self, arguments: Node<'t>) {
        if self.frame().loops.is_empty() {
            return;
        }
        let mut cursor = self.take_cursor(arguments);
        for child in arguments.named_children(&mut cursor) {
            let value = match kinds::of(child) {
                Kind::KeywordArgument => child.field(Field::Value),
                _ => Some(child),
            };
            if let Some(value) = value.filter(|v| v.is(Kind::Attribute)) {
                self.access(value, false);
            }
        }
        self.put_cursor(cursor);
    }
}
