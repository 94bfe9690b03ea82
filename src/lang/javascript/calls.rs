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
        let start = node.start_byte();
        let loops = self
            .current()
            .loops
            .iter()
            .filter(|l| l.from <= start)
            .map(|l| l.id)
            .collect();
        let loop_id = if !closures.is_empty() && CALLBACK_LOOPS.contains(&chain.name.as_str()) {
            self.callback_loop(node, function, id)
        } else {
            None
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
            closures,
        };
        self.push_call(node, open);
    }

    /// Whether the node being entered is the operand of `await`.
    fn is_awaited(&self) -> bool {
        for i in 0..16 {
            match self.ancestor(i).map(|a| self.kind(a)) {
                Some(Kind::Await) => return true,
                Some(Kind::Wrapper) => {}
                _ => return false,
            }
        }
        false
    }

    /// `items.map(x => ..)`: a callback loop over the receiver.
    fn callback_loop(
        &mut self,
        node: Node<'t>,
        function: Node<'t>,
        call: CallId,
    ) -> Option<LoopId> {
        if self.kind(function) != Kind::Member {
            return None;
        }
        let receiver = self.field(function, Field::Object)?;
        let id = self.facts.loops.len() as LoopId;
        self.facts.loops.push(Loop {
            bindings: Vec::new(),
            kind: LoopKind::Callback,
            span: self.span(node),
            iterable: Some(tree::compact(receiver, self.text, MAX_ITERABLE)),
            iterable_resolved: self.resolve_value(receiver),
            function: self.current().id,
            call: Some(call),
        });
        Some(id)
    }

    /// A loop statement: record it; calls after `from` are inside it.
    pub(super) fn enter_loop(&mut self, node: Node<'t>) {
        let kind = self.kind(node);
        let (loop_kind, iterable, from) = match kind {
            Kind::ForIn => {
                if let Some(left) = self.field(node, Field::Left) {
                    self.bind_pattern(left);
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
            bindings: Vec::new(),
            kind: loop_kind,
            span: self.span(node),
            iterable: iterable.map(|i| tree::compact(i, self.text, MAX_ITERABLE)),
            iterable_resolved: iterable.and_then(|i| self.resolve_value(i)),
            function: self.current().id,
            call: None,
        });
        self.push_loop(node, ActiveLoop { id, from });
    }
}
