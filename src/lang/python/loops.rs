//! Loops: `for`, `async for`, `while`, comprehensions and generator
//! expressions. A loop is active (listed in its calls' `loops`) only where
//! its code repeats: a `for` body (not its iterable), a `while` statement, a
//! comprehension's element, conditions and inner clauses (not its outermost
//! iterable).

use super::kinds::{Field, Kind, NodeExt};
use super::scope::{Binding, Scope, ScopeKind};
use super::{Action, Exit, Extractor, Trigger};
use crate::facts::{Loop, LoopId, LoopKind};
use crate::lang::tree;
use tree_sitter::Node;

/// Longest iterable text kept, in bytes.
const MAX_ITERABLE: usize = 200;

impl<'s, 't> Extractor<'s, 't> {
    /// A `for` or `async for` statement.
    pub(super) fn for_loop(&mut self, node: Node) {
        let kind = if node.child(0).is_some_and(|c| c.kind() == "async") {
            LoopKind::AsyncFor
        } else {
            LoopKind::For
        };
        let id = self.new_loop(node, kind, node.field(Field::Right));
        if let Some(target) = node.field(Field::Left) {
            let names = self.target_names(target);
            for name in &names {
                self.bind(name, Binding::Unknown);
            }
            self.facts.loops[id as usize].bindings = names.iter().map(|n| n.to_string()).collect();
        }
        if let Some(body) = node.field(Field::Body) {
            self.triggers.push(Trigger {
                node: body.id(),
                action: Action::PushLoop(id),
            });
            self.exits.push((node.id(), Exit::DropTrigger(body.id())));
        }
    }

    /// A `while` statement (its condition repeats too).
    pub(super) fn while_loop(&mut self, node: Node) {
        let id = self.new_loop(node, LoopKind::While, None);
        self.frame_mut().loops.push(id);
        self.exits.push((node.id(), Exit::Loop));
    }

    /// A list/set/dict comprehension or a generator expression.
    pub(super) fn comprehension(&mut self, node: Node<'t>) {
        let mut scope = Scope::new(ScopeKind::Comprehension);
        let mut first = None;
        let mut bindings = Vec::new();
        let mut cursor = self.take_cursor(node);
        for clause in node.named_children(&mut cursor) {
            if clause.kind() != "for_in_clause" {
                continue;
            }
            if first.is_none() {
                first = Some(clause);
            }
            if let Some(target) = clause.field(Field::Left) {
                for name in self.target_names(target) {
                    scope.bind(name, Binding::Unknown);
                    bindings.push(name.to_string());
                }
            }
        }
        self.put_cursor(cursor);
        let is_async = first.is_some_and(|c| c.child(0).is_some_and(|t| t.kind() == "async"));
        let kind = if is_async {
            LoopKind::AsyncFor
        } else {
            LoopKind::Comprehension
        };
        let iterable = first.and_then(|c| c.field(Field::Right));
        let id = self.new_loop(node, kind, iterable);
        self.facts.loops[id as usize].bindings = bindings;
        self.scopes.push(scope);
        self.exits.push((node.id(), Exit::Scope));
        self.frame_mut().loops.push(id);
        self.exits.push((node.id(), Exit::Loop));
        if let Some(iterable) = iterable {
            self.triggers.push(Trigger {
                node: iterable.id(),
                action: Action::Hide,
            });
            self.exits
                .push((node.id(), Exit::DropTrigger(iterable.id())));
        }
    }

    fn new_loop(&mut self, node: Node, kind: LoopKind, iterable: Option<Node>) -> LoopId {
        let id = self.facts.loops.len() as LoopId;
        let iterable_resolved = iterable.and_then(|it| self.resolve_iterable(it));
        let iterable = iterable.map(|it| tree::collapsed(tree::text(it, self.text), MAX_ITERABLE));
        self.facts.loops.push(Loop {
            bindings: Vec::new(),
            kind,
            span: self.span(node),
            iterable,
            iterable_resolved,
            function: self.frame().func,
            call: None,
        });
        id
    }

    /// An iterable resolved like a callee: a chain, or a local bound to one.
    fn resolve_iterable(&self, node: Node) -> Option<String> {
        match self.resolve_node(node) {
            Some(resolved) => Some(resolved),
            None => match self.value_binding(node) {
                Binding::Path(path) => Some(path),
                _ => None,
            },
        }
    }

    /// Bind every name in an assignment target pattern (`x`, `a, b`,
    /// `(k, (v, w))`) as unknown in the innermost scope.
    pub(super) fn bind_targets(&mut self, target: Node) {
        for name in self.target_names(target) {
            self.bind(name, Binding::Unknown);
        }
    }

    /// The names a target pattern binds, in order: `x`; `a, (b, *c)` →
    /// `a`, `b`, `c`.
    fn target_names(&self, target: Node) -> Vec<&'s str> {
        if target.is(Kind::Identifier) {
            return vec![tree::text(target, self.text)];
        }
        let mut names = Vec::new();
        tree::walk(target, |n| match n.kind() {
            "identifier" => {
                names.push(tree::text(n, self.text));
                false
            }
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "list_splat_pattern"
            | "parenthesized_expression"
            | "as_pattern_target" => true,
            _ => false,
        });
        names
    }
}
