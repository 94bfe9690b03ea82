//! Attribute chains read on a loop's binding inside the loop
//! (`post.author.name` in `for (const post of posts)` or
//! `posts.map(post => post.author)`).

use super::kinds::{Field, Kind};
use super::resolve::first_named;
use super::walker::Walker;
use crate::facts::Access;
use tree_sitter::Node;

/// Longest chain followed; longer ones are not recorded.
const MAX_SEGMENTS: usize = 32;

impl<'a, 't> Walker<'a, 't> {
    /// A member expression: record the chain it ends, unless it is part of
    /// a longer one. A callee or an assignment target records its receiver.
    pub(super) fn enter_member(&mut self, node: Node<'t>) {
        if self.current().loops.is_empty() {
            return;
        }
        let (chain, awaited) = match self.ancestor(0) {
            Some(parent) if self.extends(parent, node) => return,
            Some(parent) if self.uses_as_receiver(parent, node) => {
                match self.field(node, Field::Object) {
                    Some(object) if self.kind(object) == Kind::Member => (object, false),
                    _ => return,
                }
            }
            Some(parent)
                if self.kind(parent) == Kind::Wrapper
                    && self.ancestor(1).is_some_and(|g| self.extends(g, parent)) =>
            {
                return
            }
            _ => (node, self.is_awaited()),
        };
        let Some(path) = self.binding_path(chain) else {
            return;
        };
        let span = self.span(chain);
        let access = Access {
            path,
            function: self.current().id,
            loops: self.loops_at(chain.start_byte()),
            awaited,
            span,
        };
        self.facts.accesses.push(access);
    }

    /// Whether `parent` is a member expression with `child` as its object.
    fn extends(&self, parent: Node<'t>, child: Node<'t>) -> bool {
        self.kind(parent) == Kind::Member
            && self
                .field(parent, Field::Object)
                .is_some_and(|o| o.id() == child.id())
    }

    /// Whether `member` is called (`post.save()`) or stored to
    /// (`post.title = ..`): only its object is read.
    fn uses_as_receiver(&self, parent: Node<'t>, member: Node<'t>) -> bool {
        let slot = match self.kind(parent) {
            Kind::Call => Field::Function,
            Kind::New => Field::Constructor,
            Kind::Assignment | Kind::AugmentedAssignment => Field::Left,
            _ => return false,
        };
        self.field(parent, slot)
            .is_some_and(|n| n.id() == member.id())
    }

    /// `post.author.name` when `post` is bound by an enclosing loop of the
    /// current function (`?.`, `!` and parentheses dropped).
    fn binding_path(&self, chain: Node<'t>) -> Option<String> {
        let mut names = Vec::new();
        let mut cur = chain;
        let root = loop {
            if names.len() > MAX_SEGMENTS {
                return None;
            }
            match self.kind(cur) {
                Kind::Member => {
                    let property = self.field(cur, Field::Property)?;
                    names.push(self.text_of(property));
                    cur = self.field(cur, Field::Object)?;
                }
                Kind::Wrapper => cur = first_named(cur)?,
                Kind::Identifier => break self.text_of(cur),
                _ => return None,
            }
        };
        if !self.is_loop_binding(root, chain.start_byte()) {
            return None;
        }
        let mut path = root.to_string();
        for name in names.iter().rev() {
            path.push('.');
            path.push_str(name);
        }
        Some(path)
    }

    /// Whether `name` is bound by a loop of the current function enclosing
    /// byte `at`.
    fn is_loop_binding(&self, name: &str, at: usize) -> bool {
        self.current().loops.iter().any(|l| {
            l.from <= at
                && self
                    .facts
                    .loops
                    .get(l.id as usize)
                    .is_some_and(|lp| lp.bindings.iter().any(|b| b == name))
        })
    }
}
