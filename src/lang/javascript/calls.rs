//! Calls and loops.

use super::kinds::{Field, Kind};
use super::resolve::Use;
use super::walker::{ActiveLoop, OpenCall, Walker};
use crate::facts::{Call, CallId, Loop, LoopId, LoopKind};
use crate::lang::tree;
use tree_sitter::Node;

/// Array methods whose inline function argument runs once per element.
const CALLBACK_LOOPS: &[&str] = &[
    "map",
    "forEach",
    "flatMap",
    "filter",
    "reduce",
    "reduceRight",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
];
/// Longest iterable text kept.
const MAX_ITERABLE: usize = 200;

impl<'a, 't> Walker<'a, 't> {
    /// A call or `new`: record it, and open it for its arguments.
    pub(super) fn enter_call(&mut self, node: Node<'t>) {
        let function = match self.kind(node) {
            Kind::New => self.field(node, Field::Constructor),
            _ => self.field(node, Field::Function),
        };
        let Some(function) = function else { return };
        let chain = self.chain(function, Use::Callee);
        let (args, closures) = self.call_args(node);
        let id = self.facts.calls.len() as CallId;
        let loops = self.loops_at(node.start_byte());
        let loop_id = match closures.first() {
            Some(&callback) if CALLBACK_LOOPS.contains(&chain.name.as_str()) => {
                self.callback_loop(node, function, callback, &chain.name, id)
            }
            _ => None,
        };
        let route = self.route_framework(node, &chain, &args);
        if let Some(framework) = route {
            self.collect_handler_refs(node, framework);
        }
        let awaited = self.is_awaited();
        self.facts.calls.push(Call {
            callee: chain.callee,
            resolved: chain.resolved,
            name: chain.name,
            span: self.span(node),
            function: self.current().id,
            loops,
            awaited,
            args,
        });
        let open = OpenCall {
            node: node.id(),
            id,
            loop_id,
            route,
            closures: closures.iter().map(|c| c.start_byte()).collect(),
        };
        self.slots.reached(node, id);
        self.push_call(node, open);
    }

    /// Whether the node being entered is the operand of `await`.
    pub(super) fn is_awaited(&self) -> bool {
        for i in 0..16 {
            match self.ancestor(i).map(|a| self.kind(a)) {
                Some(Kind::Await) => return true,
                Some(Kind::Wrapper) => {}
                _ => return false,
            }
        }
        false
    }

    /// `items.map(x => ..)`: a callback loop over the receiver, binding the
    /// callback's item parameter (the second for `reduce`).
    fn callback_loop(
        &mut self,
        node: Node<'t>,
        function: Node<'t>,
        callback: Node<'t>,
        method: &str,
        call: CallId,
    ) -> Option<LoopId> {
        if self.kind(function) != Kind::Member {
            return None;
        }
        let receiver = self.field(function, Field::Object)?;
        let id = self.facts.loops.len() as LoopId;
        let item = usize::from(method.starts_with("reduce"));
        let bindings = self
            .parameter(callback, item)
            .map(|p| self.pattern_texts(p))
            .unwrap_or_default();
        self.facts.loops.push(Loop {
            bindings,
            kind: LoopKind::Callback,
            span: self.span(node),
            iterable: Some(tree::collapsed(
                tree::text(receiver, self.text),
                MAX_ITERABLE,
            )),
            iterable_resolved: self.resolve_value(receiver),
            function: self.current().id,
            call: Some(call),
        });
        Some(id)
    }

    /// The `index`-th parameter of a function node (an arrow's lone
    /// parameter is the first).
    fn parameter(&self, function: Node<'t>, index: usize) -> Option<Node<'t>> {
        if let Some(lone) = self.field(function, Field::Parameter) {
            return (index == 0).then_some(lone);
        }
        let params = self.field(function, Field::Parameters)?;
        let mut cursor = params.walk();
        let found = params
            .named_children(&mut cursor)
            .filter(|p| p.kind() != "comment")
            .nth(index);
        found
    }

    /// A loop statement: record it; calls after `from` are inside it.
    pub(super) fn enter_loop(&mut self, node: Node<'t>) {
        let kind = self.kind(node);
        let mut bindings = Vec::new();
        let (loop_kind, iterable, from) = match kind {
            Kind::ForIn => {
                if let Some(left) = self.field(node, Field::Left) {
                    self.bind_pattern(left);
                    bindings = self.pattern_texts(left);
                }
                let is_await = {
                    let mut cursor = node.walk();
                    let found = node
                        .children(&mut cursor)
                        .take(3)
                        .any(|c| c.kind() == "await");
                    found
                };
                let body_start = self
                    .field(node, Field::Body)
                    .map_or(node.start_byte(), |b| b.start_byte());
                let kind = if is_await {
                    LoopKind::AsyncFor
                } else {
                    LoopKind::For
                };
                (kind, self.field(node, Field::Right), body_start)
            }
            Kind::For => {
                let from = self
                    .field(node, Field::Initializer)
                    .map_or(node.start_byte(), |i| i.end_byte());
                (LoopKind::For, None, from)
            }
            _ => (LoopKind::While, None, node.start_byte()),
        };
        let id = self.facts.loops.len() as LoopId;
        self.facts.loops.push(Loop {
            bindings,
            kind: loop_kind,
            span: self.span(node),
            iterable: iterable.map(|i| tree::collapsed(tree::text(i, self.text), MAX_ITERABLE)),
            iterable_resolved: iterable.and_then(|i| self.resolve_value(i)),
            function: self.current().id,
            call: None,
        });
        self.push_loop(node, ActiveLoop { id, from });
    }
}
