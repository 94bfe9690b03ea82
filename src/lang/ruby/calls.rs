//! Calls, arguments, loops, variables and SQL strings.

use super::bindings::{block_bindings, bound_names};
use super::chain;
use super::defs::MAX_LOOP_DEPTH;
use super::fields::{fields, kind, Kind};
use super::kinds::{identifier_role, is_iterator, IdentRole};
use super::scope::Role;
use super::strings;
use super::walker::{Pop, Walker, MAX_ITERABLE};
use crate::facts::{Arg, ArgValue, Call, CallId, Import, Loop, LoopId, LoopKind, Span, SqlText};
use crate::lang::tree;
use tree_sitter::Node;

impl<'a> Walker<'a> {
    pub(super) fn enter_call(&mut self, node: Node<'a>) {
        let chain = match self.next_chain.take() {
            Some((id, chain)) if id == node.id() => chain,
            _ => chain::read(node, self.src, &mut self.cursor.borrow_mut()),
        };
        let mut callee = chain.callee(self.src);
        let mut name = chain.name().to_string();
        let mut resolved = self.resolve_chain(&chain);
        if self.is_assignment_target(node) {
            callee.push('=');
            name.push('=');
            if let Some(r) = resolved.as_mut() {
                r.push('=');
            }
        }
        let id = self.push_call(node, callee, name, resolved, Vec::new());
        if let Some(p) = self.take_pending(node) {
            self.fill(p.slot, ArgValue::Call(id));
        }
        let receiver = chain.call().and_then(|c| c.receiver);
        let block = chain.call().and_then(|c| c.block);
        let loop_id = self.iteration(node, id, receiver, block);
        let args = self.read_args(node, id, loop_id.filter(|_| block.is_some()));
        if let Some(call) = self.facts.calls.get_mut(id as usize) {
            call.args = args;
        }
        if receiver.is_none() {
            self.receiverless_call(id);
        }
        self.next_chain = chain.into_receiver(self.src, &mut self.cursor.borrow_mut());
    }

    /// `x.y = 1`, `x.y ||= 2`: the call is a setter.
    pub(super) fn is_assignment_target(&self, node: Node) -> bool {
        self.parent().is_some_and(|p| {
            matches!(kind(p), Kind::Assignment | Kind::OperatorAssignment)
                && p.child_by_field_id(fields().left) == Some(node)
        })
    }

    pub(super) fn push_call(
        &mut self,
        node: Node,
        callee: String,
        name: String,
        resolved: Option<String>,
        args: Vec<Arg>,
    ) -> CallId {
        let frame = self.frame();
        let call = Call {
            callee,
            resolved,
            name,
            span: self.span(node),
            function: frame.function,
            loops: frame.loops.clone(),
            awaited: false,
            args,
        };
        self.facts.calls.push(call);
        (self.facts.calls.len() - 1) as CallId
    }

    /// A loop for `items.each do ... end`, `items.map(&:name)`, `loop do`.
    pub(super) fn iteration(
        &mut self,
        node: Node<'a>,
        call: CallId,
        receiver: Option<Node<'a>>,
        block: Option<Node<'a>>,
    ) -> Option<LoopId> {
        let name = self.facts.calls.get(call as usize)?.name.as_str();
        let kind = match (name, receiver) {
            ("loop", None) => LoopKind::While,
            (name, _) if is_iterator(name) => LoopKind::Callback,
            _ => return None,
        };
        if block.is_none() && !has_block_argument(node) {
            return None;
        }
        let bindings = block.map_or_else(Vec::new, |b| block_bindings(b, name, self.src));
        let iterable = receiver.map(|r| tree::collapsed(self.text(r), MAX_ITERABLE));
        let iterable_resolved = receiver.and_then(|r| self.resolve_value(r));
        let id = self.push_loop(node, kind, iterable, iterable_resolved, Some(call));
        if let Some(l) = self.facts.loops.get_mut(id as usize) {
            l.bindings = bindings;
        }
        Some(id)
    }

    pub(super) fn push_loop(
        &mut self,
        node: Node,
        kind: LoopKind,
        iterable: Option<String>,
        iterable_resolved: Option<String>,
        call: Option<CallId>,
    ) -> LoopId {
        self.facts.loops.push(Loop {
            bindings: Vec::new(),
            kind,
            span: self.span(node),
            iterable,
            iterable_resolved,
            function: self.frame().function,
            call,
        });
        (self.facts.loops.len() - 1) as LoopId
    }

    /// `require`, `require_relative`, and visibility changes in a class body.
    pub(super) fn receiverless_call(&mut self, id: CallId) {
        let Some(call) = self.facts.calls.get(id as usize) else {
            return;
        };
        let first = match call.args.first().map(|a| &a.value) {
            Some(ArgValue::Str(s)) => Some(s.as_str()),
            _ => None,
        };
        match (call.name.as_str(), first) {
            ("require", Some(path)) => {
                let target = path.trim_end_matches(".rb").to_string();
                self.push_import(target, call.span);
            }
            ("require_relative", Some(path)) => {
                let target = relative_module(self.module, path);
                self.push_import(target, call.span);
            }
            ("private" | "protected" | "public", _) if self.frame().role == Role::ClassBody => {
                let public = call.name == "public";
                let names: Vec<String> = call
                    .args
                    .iter()
                    .filter_map(|a| match &a.value {
                        ArgValue::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect();
                self.set_visibility(public, &names, call.args.is_empty());
            }
            _ => {}
        }
    }

    pub(super) fn push_import(&mut self, target: String, span: Span) {
        self.facts.imports.push(Import {
            local: target.clone(),
            target,
            span,
        });
    }

    /// `private` alone switches the default for the `def`s that follow;
    /// `private :a, :b` makes those methods non-public (no longer actions).
    pub(super) fn set_visibility(&mut self, public: bool, names: &[String], default: bool) {
        let Some(index) = self.frame().class else {
            return;
        };
        let Some(class) = self.classes.get_mut(index) else {
            return;
        };
        if default {
            class.public = public;
            return;
        }
        if public {
            return;
        }
        let prefix = class.qname.as_str();
        for f in self.facts.functions.iter_mut() {
            let own = f
                .qname
                .strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('.'));
            if own.is_some_and(|n| names.iter().any(|m| m == n)) {
                f.handler = None;
            }
        }
    }

    /// `super` without arguments.
    pub(super) fn enter_super(&mut self, node: Node) {
        let in_call = self.parent().is_some_and(|p| {
            p.kind() == "call" && p.child_by_field_id(fields().method) == Some(node)
        });
        if !in_call {
            self.push_call(
                node,
                "super".to_string(),
                "super".to_string(),
                None,
                Vec::new(),
            );
        }
    }

    pub(super) fn enter_identifier(&mut self, node: Node<'a>) {
        let Some(parent) = self.parent() else {
            return;
        };
        let name = self.text(node);
        let visible = self.frame().visible_start;
        let value = match identifier_role(parent, node) {
            IdentRole::Parameter => {
                self.locals.declare(name);
                None
            }
            IdentRole::Binds => {
                self.locals.assign(visible, name, None);
                None
            }
            IdentRole::Name => None,
            IdentRole::Expression if self.is_variable(name) => {
                Some(ArgValue::Path(name.to_string()))
            }
            IdentRole::Expression => Some(ArgValue::Call(
                self.method_call_without_arguments(node, name),
            )),
        };
        if let Some(p) = self.take_pending(node) {
            self.fill(
                p.slot,
                value.unwrap_or_else(|| ArgValue::Path(name.to_string())),
            );
        }
    }

    /// A bare identifier that is not a variable calls a method on `self`.
    pub(super) fn method_call_without_arguments(&mut self, node: Node, name: &str) -> CallId {
        let resolved = Some(self.resolve_bare(name));
        let id = self.push_call(
            node,
            name.to_string(),
            name.to_string(),
            resolved,
            Vec::new(),
        );
        self.receiverless_call(id);
        id
    }

    /// After `x = value` / `@x ||= value`: the variable's type.
    pub(super) fn type_assignment(&mut self, node: Node<'a>) {
        let Some(left) = node.child_by_field_id(fields().left) else {
            return;
        };
        if !matches!(left.kind(), "identifier" | "instance_variable") {
            return;
        }
        let keeps_value = node.kind() == "assignment"
            || node
                .child_by_field_id(fields().operator)
                .is_some_and(|op| self.text(op) == "||=");
        let ty = node
            .child_by_field_id(fields().right)
            .filter(|_| keeps_value)
            .and_then(|r| self.resolve_value(r));
        let visible = self.frame().visible_start;
        self.locals.assign(visible, self.text(left), ty);
    }

    pub(super) fn enter_for(&mut self, node: Node<'a>) {
        let value = node
            .child_by_field_id(fields().value)
            .and_then(|v| v.named_child(0));
        let iterable = value.map(|v| tree::collapsed(self.text(v), MAX_ITERABLE));
        let resolved = value.and_then(|v| self.resolve_value(v));
        let id = self.push_loop(node, LoopKind::For, iterable, resolved, None);
        if let (Some(l), Some(pattern)) = (
            self.facts.loops.get_mut(id as usize),
            node.child_by_field_id(fields().pattern),
        ) {
            l.bindings = bound_names(pattern, self.src);
        }
        self.for_loops.push((node.id(), id));
        self.pops.push((node.id(), Pop::For));
    }

    /// Calls in a `for` body run once per element; calls in its iterable
    /// run once.
    pub(super) fn enter_do(&mut self, node: Node) {
        let Some(parent) = self.parent().filter(|p| kind(*p) == Kind::For) else {
            return;
        };
        if let Some(&(_, id)) = self.for_loops.iter().rev().find(|(n, _)| *n == parent.id()) {
            self.activate_loop(node, id);
        }
    }

    pub(super) fn enter_while(&mut self, node: Node) {
        let id = self.push_loop(node, LoopKind::While, None, None, None);
        self.activate_loop(node, id);
    }

    pub(super) fn activate_loop(&mut self, node: Node, id: LoopId) {
        let loops = &mut self.frame_mut().loops;
        if loops.len() < MAX_LOOP_DEPTH {
            loops.push(id);
            self.pops.push((node.id(), Pop::Loop));
        }
    }

    pub(super) fn enter_string(&mut self, node: Node) {
        if let Some(text) = strings::sql(node, self.src) {
            self.facts.sql.push(SqlText {
                text,
                span: self.span(node),
                function: self.frame().function,
            });
        }
    }
}

/// `items.map(&:name)`, `items.each(&block)`.
fn has_block_argument(node: Node) -> bool {
    node.child_by_field_id(fields().arguments)
        .is_some_and(|list| {
            let mut cursor = list.walk();
            let found = list
                .named_children(&mut cursor)
                .any(|a| a.kind() == "block_argument");
            found
        })
}

/// `require_relative "../lib/util"` in `app/models/user` → `app/lib/util`.
fn relative_module(module: &str, path: &str) -> String {
    let mut parts: Vec<&str> = module.split('/').collect();
    parts.pop();
    for segment in path.trim_end_matches(".rb").split('/') {
        match segment {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(segment),
        }
    }
    parts.join("/")
}
