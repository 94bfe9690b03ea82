//! The single pass over a Ruby tree: a visitor with a stack of frames
//! (file, class bodies, methods, blocks) that emits facts as it enters
//! nodes.

use super::args::{self, PendingClosure};
use super::chain::{self, constant_path, Chain};
use super::fields::{fields, kind, Kind};
use super::kinds::{identifier_role, is_controller_base, is_iterator, IdentRole};
use super::position::Columns;
use super::scope::{ClassCtx, Frame, Locals, Role, SelfKind};
use super::strings;
use crate::facts::{
    ArgValue, Call, CallId, Class, FileFacts, Function, FunctionId, FunctionKind, Import, Loop,
    LoopId, LoopKind, SqlText,
};
use crate::lang::tree::{self, Visitor};
use tree_sitter::Node;

/// Longest iterable text kept.
const MAX_ITERABLE: usize = 200;
/// Enclosing loops recorded per call at most; deeper loops are not added.
const MAX_LOOP_DEPTH: usize = 32;
/// A closure nested in closures whose name is longer than this is named
/// after its innermost named function instead, keeping names short in
/// deeply nested code.
const MAX_CLOSURE_PREFIX: usize = 256;

/// What to undo when the node that opened it is left.
#[derive(Debug, Clone, Copy)]
enum Pop {
    Frame,
    Class,
    Loop,
}

/// The extractor's state while walking one file.
pub struct Walker<'a> {
    pub(super) src: &'a str,
    pub(super) module: &'a str,
    pub(super) facts: FileFacts,
    /// Ancestors of the node being entered, itself included.
    path: Vec<Node<'a>>,
    /// The file's frame, below every other.
    base: Frame,
    frames: Vec<Frame>,
    pub(super) classes: Vec<ClassCtx<'a>>,
    pub(super) locals: Locals<'a>,
    /// Undo actions, keyed by the id of the node that pushed them.
    pops: Vec<(usize, Pop)>,
    /// Methods defined at the top level of the file.
    pub(super) top_defs: Vec<&'a str>,
    /// Closures passed to a call, not walked yet: the call, and the loop
    /// their body is (for an iterating call's block).
    closures: Vec<(PendingClosure, CallId, Option<LoopId>)>,
    /// `for` loops being walked, whose body activates the loop.
    for_loops: Vec<(usize, LoopId)>,
    /// The chain of the next call to be entered when it is the receiver of
    /// the last one (keyed by its node id).
    next_chain: Option<(usize, Chain<'a>)>,
    columns: Columns,
}

impl<'a> Walker<'a> {
    /// A walker for the file whose tree is `root`.
    pub fn new(src: &'a str, module: &'a str, root: Node<'a>) -> Self {
        let (top_defs, _) = defined_methods(Some(root), src);
        Walker {
            src,
            module,
            facts: FileFacts::default(),
            path: Vec::new(),
            base: Frame {
                role: Role::Program,
                function: None,
                qname: module.to_string(),
                named: module.to_string(),
                loops: Vec::new(),
                self_kind: SelfKind::Main,
                class: None,
                locals_start: 0,
                visible_start: 0,
            },
            frames: Vec::new(),
            classes: Vec::new(),
            locals: Locals::default(),
            pops: Vec::new(),
            top_defs,
            closures: Vec::new(),
            for_loops: Vec::new(),
            next_chain: None,
            columns: Columns::default(),
        }
    }

    /// The facts, once the walk is over.
    pub fn finish(self) -> FileFacts {
        self.facts
    }

    pub(super) fn frame(&self) -> &Frame {
        self.frames.last().unwrap_or(&self.base)
    }

    fn frame_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().unwrap_or(&mut self.base)
    }

    pub(super) fn class(&self) -> Option<&ClassCtx<'a>> {
        self.frame().class.and_then(|i| self.classes.get(i))
    }

    fn parent(&self) -> Option<Node<'a>> {
        self.path
            .len()
            .checked_sub(2)
            .and_then(|i| self.path.get(i))
            .copied()
    }

    fn ancestor_kind(&self, up: usize) -> Option<Kind> {
        let i = self.path.len().checked_sub(up + 1)?;
        self.path.get(i).map(|n| kind(*n))
    }

    fn span(&self, node: Node) -> crate::facts::Span {
        self.columns.span(node, self.src)
    }

    pub(super) fn text(&self, node: Node) -> &'a str {
        tree::text(node, self.src)
    }

    /// Open a frame for `node`. Blocks (`hard == false`) see the variables
    /// of the frame around them.
    fn push_frame(&mut self, node: Node, mut frame: Frame, hard: bool) {
        frame.locals_start = self.locals.len();
        frame.visible_start = if hard {
            frame.locals_start
        } else {
            self.frame().visible_start
        };
        self.frames.push(frame);
        self.pops.push((node.id(), Pop::Frame));
    }

    fn new_frame(&self, role: Role, function: Option<FunctionId>, qname: String) -> Frame {
        let frame = self.frame();
        Frame {
            role,
            function,
            named: qname.clone(),
            qname,
            loops: Vec::new(),
            self_kind: frame.self_kind,
            class: frame.class,
            locals_start: 0,
            visible_start: 0,
        }
    }

    fn qualify(prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    }

    // --- classes and modules -------------------------------------------

    fn enter_class(&mut self, node: Node<'a>) {
        let Some(name_node) = node.child_by_field_id(fields().name) else {
            return;
        };
        let name = self.text(name_node);
        let dotted = constant_path(name_node, self.src).unwrap_or_else(|| name.replace("::", "."));
        let outer = self.class();
        let qname = Self::qualify(outer.map_or(self.module, |c| c.qname.as_str()), &dotted);
        let constant = match outer {
            Some(c) if !name.starts_with("::") => format!("{}.{dotted}", c.constant),
            _ => dotted,
        };
        let bases: Vec<String> = node
            .child_by_field_id(fields().superclass)
            .and_then(|s| s.named_child(0))
            .and_then(|base| self.base_name(base))
            .into_iter()
            .collect();
        let controller = node.kind() == "class" && bases.iter().any(|b| is_controller_base(b));
        self.facts.classes.push(Class {
            name: name.to_string(),
            qname: qname.clone(),
            bases,
            decorators: Vec::new(),
            span: self.span(node),
        });
        let (instance_methods, singleton_methods) =
            defined_methods(node.child_by_field_id(fields().body), self.src);
        self.classes.push(ClassCtx {
            name,
            qname: qname.clone(),
            constant,
            controller,
            public: true,
            instance_methods,
            singleton_methods,
        });
        self.pops.push((node.id(), Pop::Class));
        let mut frame = self.new_frame(Role::ClassBody, None, qname);
        frame.self_kind = SelfKind::Class;
        frame.class = Some(self.classes.len() - 1);
        self.push_frame(node, frame, true);
    }

    /// A superclass: `ApplicationRecord`, `ActiveRecord::Base` →
    /// `ActiveRecord.Base`, `ActiveRecord::Migration[7.1]` →
    /// `ActiveRecord.Migration`, `Struct.new(:a)` → `Struct.new()`.
    fn base_name(&self, base: Node<'a>) -> Option<String> {
        match base.kind() {
            "element_reference" => base
                .child_by_field_id(fields().object)
                .and_then(|o| constant_path(o, self.src)),
            "call" => self.resolve_value(base),
            _ => constant_path(base, self.src),
        }
        .or_else(|| Some(tree::compact(base, self.src, MAX_ITERABLE)))
    }

    fn enter_singleton_class(&mut self, node: Node<'a>) {
        let qname = self.frame().qname.clone();
        let function = self.frame().function;
        let mut frame = self.new_frame(Role::SingletonBody, function, qname);
        frame.self_kind = SelfKind::Class;
        self.push_frame(node, frame, true);
    }

    // --- functions -------------------------------------------------------

    fn enter_method(&mut self, node: Node<'a>) {
        let name = node
            .child_by_field_id(fields().name)
            .map_or("", |n| self.text(n));
        let frame = self.frame();
        let singleton = node.kind() == "singleton_method" || frame.role == Role::SingletonBody;
        let in_class_body = frame.role == Role::ClassBody;
        let parent = frame.function;
        let class = self.class();
        let (kind, qname, class_name) = match class {
            Some(c) => (
                FunctionKind::Method,
                Self::qualify(&c.qname, name),
                Some(c.name),
            ),
            None => (
                FunctionKind::Function,
                Self::qualify(self.module, name),
                None,
            ),
        };
        let public = self
            .visibility_wrapper()
            .unwrap_or(class.is_some_and(|c| c.public));
        let is_action =
            class.is_some_and(|c| c.controller) && in_class_body && !singleton && public;
        let id = self.facts.functions.len() as FunctionId;
        self.facts.functions.push(Function {
            name: name.to_string(),
            qname: qname.clone(),
            kind,
            span: self.span(node),
            is_async: false,
            decorators: Vec::new(),
            parent,
            class: class_name.map(str::to_string),
            handler: is_action.then(|| "rails".to_string()),
            passed_to: None,
        });
        let mut frame = self.new_frame(Role::Function, Some(id), qname);
        frame.self_kind = if singleton {
            SelfKind::Class
        } else {
            SelfKind::Instance
        };
        self.push_frame(node, frame, true);
    }

    /// For `private def x` / `public def x`: whether the wrapper makes the
    /// method public.
    fn visibility_wrapper(&self) -> Option<bool> {
        if self.parent()?.kind() != "argument_list" {
            return None;
        }
        let call = self.path.get(self.path.len().checked_sub(3)?)?;
        if call.kind() != "call" || call.child_by_field_id(fields().receiver).is_some() {
            return None;
        }
        match self.text(call.child_by_field_id(fields().method)?) {
            "private" | "protected" => Some(false),
            "public" => Some(true),
            _ => None,
        }
    }

    /// A block, `do ... end` block or lambda: a closure.
    fn enter_closure(&mut self, node: Node<'a>) {
        let pending = self
            .closures
            .iter()
            .rposition(|(p, _, _)| p.node == node.id())
            .map(|i| self.closures.swap_remove(i));
        let span = self.span(node);
        let frame = self.frame();
        let prefix = if frame.qname.len() > MAX_CLOSURE_PREFIX {
            &frame.named
        } else {
            &frame.qname
        };
        let qname = format!("{prefix}.<lambda>@{}", span.line);
        let named = frame.named.clone();
        let parent = frame.function;
        let loops = match pending {
            Some((_, _, Some(loop_id))) if frame.loops.len() < MAX_LOOP_DEPTH => {
                let mut loops = frame.loops.clone();
                loops.push(loop_id);
                loops
            }
            Some((_, _, Some(_))) => frame.loops.clone(),
            _ => Vec::new(),
        };
        let id = self.facts.functions.len() as FunctionId;
        self.facts.functions.push(Function {
            name: "<lambda>".to_string(),
            qname: qname.clone(),
            kind: FunctionKind::Closure,
            span,
            is_async: false,
            decorators: Vec::new(),
            parent,
            class: None,
            handler: None,
            passed_to: pending.map(|(_, call, _)| call),
        });
        if let Some((p, call, _)) = pending {
            if let Some(arg) = self
                .facts
                .calls
                .get_mut(call as usize)
                .and_then(|c| c.args.get_mut(p.index))
            {
                arg.value = ArgValue::Closure(id);
            }
        }
        let mut frame = self.new_frame(Role::Function, Some(id), qname);
        frame.loops = loops;
        frame.named = named;
        self.push_frame(node, frame, false);
    }

    // --- calls -----------------------------------------------------------

    fn enter_call(&mut self, node: Node<'a>) {
        let chain = match self.next_chain.take() {
            Some((id, chain)) if id == node.id() => chain,
            _ => chain::read(node, self.src),
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
        let mut pending = Vec::new();
        let args = args::read(node, self.src, &mut pending);
        let id = self.push_call(node, callee, name, resolved, args);
        let receiver = node.child_by_field_id(fields().receiver);
        let loop_id = self.iteration(node, id, receiver);
        let block = node.child_by_field_id(fields().block).map(|b| b.id());
        for p in pending {
            let body_loop = loop_id.filter(|_| Some(p.node) == block);
            self.closures.push((p, id, body_loop));
        }
        if receiver.is_none() {
            self.receiverless_call(id);
        }
        self.next_chain = chain.into_receiver(self.src);
    }

    /// `x.y = 1`, `x.y ||= 2`: the call is a setter.
    fn is_assignment_target(&self, node: Node) -> bool {
        self.parent().is_some_and(|p| {
            matches!(p.kind(), "assignment" | "operator_assignment")
                && p.child_by_field_id(fields().left) == Some(node)
        })
    }

    fn push_call(
        &mut self,
        node: Node,
        callee: String,
        name: String,
        resolved: Option<String>,
        args: Vec<crate::facts::Arg>,
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
    fn iteration(
        &mut self,
        node: Node<'a>,
        call: CallId,
        receiver: Option<Node<'a>>,
    ) -> Option<LoopId> {
        let name = self.facts.calls.get(call as usize)?.name.as_str();
        let kind = match (name, receiver) {
            ("loop", None) => LoopKind::While,
            (name, _) if is_iterator(name) => LoopKind::Callback,
            _ => return None,
        };
        let has_block = node.child_by_field_id(fields().block).is_some() || has_block_argument(node);
        if !has_block {
            return None;
        }
        let iterable = receiver.map(|r| iterable_text(self.text(r)));
        let iterable_resolved = receiver.and_then(|r| self.resolve_value(r));
        Some(self.push_loop(node, kind, iterable, iterable_resolved, Some(call)))
    }

    fn push_loop(
        &mut self,
        node: Node,
        kind: LoopKind,
        iterable: Option<String>,
        iterable_resolved: Option<String>,
        call: Option<CallId>,
    ) -> LoopId {
        self.facts.loops.push(Loop {
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
    fn receiverless_call(&mut self, id: CallId) {
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

    fn push_import(&mut self, target: String, span: crate::facts::Span) {
        self.facts.imports.push(Import {
            local: target.clone(),
            target,
            span,
        });
    }

    /// `private` alone switches the default for the `def`s that follow;
    /// `private :a, :b` makes those methods non-public (no longer actions).
    fn set_visibility(&mut self, public: bool, names: &[String], default: bool) {
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
    fn enter_super(&mut self, node: Node) {
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

    // --- identifiers and variables ---------------------------------------

    fn enter_identifier(&mut self, node: Node<'a>) {
        let Some(parent) = self.parent() else {
            return;
        };
        let name = self.text(node);
        let visible = self.frame().visible_start;
        match identifier_role(parent, node) {
            IdentRole::Parameter => self.locals.declare(name),
            IdentRole::Binds => self.locals.assign(visible, name, None),
            IdentRole::Name => {}
            IdentRole::Expression => {
                if self.locals.lookup(visible, name).is_none() {
                    self.method_call_without_arguments(node, name);
                }
            }
        }
    }

    /// A bare identifier that is not a variable calls a method on `self`.
    fn method_call_without_arguments(&mut self, node: Node, name: &str) {
        let resolved = Some(self.resolve_bare(name));
        let id = self.push_call(
            node,
            name.to_string(),
            name.to_string(),
            resolved,
            Vec::new(),
        );
        self.receiverless_call(id);
    }

    /// After `x = value` / `@x ||= value`: the variable's type.
    fn type_assignment(&mut self, node: Node<'a>) {
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

    // --- loops -------------------------------------------------------------

    fn enter_for(&mut self, node: Node<'a>) {
        let value = node
            .child_by_field_id(fields().value)
            .and_then(|v| v.named_child(0));
        let iterable = value.map(|v| iterable_text(self.text(v)));
        let resolved = value.and_then(|v| self.resolve_value(v));
        let id = self.push_loop(node, LoopKind::For, iterable, resolved, None);
        self.for_loops.push((node.id(), id));
    }

    /// Calls in a `for` body run once per element; calls in its iterable
    /// run once.
    fn enter_do(&mut self, node: Node) {
        let Some(parent) = self.parent().filter(|p| kind(*p) == Kind::For) else {
            return;
        };
        if let Some(&(_, id)) = self.for_loops.iter().rev().find(|(n, _)| *n == parent.id()) {
            self.activate_loop(node, id);
        }
    }

    fn enter_while(&mut self, node: Node) {
        let id = self.push_loop(node, LoopKind::While, None, None, None);
        self.activate_loop(node, id);
    }

    fn activate_loop(&mut self, node: Node, id: LoopId) {
        let loops = &mut self.frame_mut().loops;
        if loops.len() < MAX_LOOP_DEPTH {
            loops.push(id);
            self.pops.push((node.id(), Pop::Loop));
        }
    }

    // --- strings -------------------------------------------------------------

    fn enter_string(&mut self, node: Node) {
        if let Some(text) = strings::sql(node, self.src) {
            self.facts.sql.push(SqlText {
                text,
                span: self.span(node),
                function: self.frame().function,
            });
        }
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn enter(&mut self, node: Node<'a>) -> bool {
        self.path.push(node);
        match kind(node) {
            Kind::Class | Kind::Module => self.enter_class(node),
            Kind::SingletonClass => self.enter_singleton_class(node),
            Kind::Method | Kind::SingletonMethod => self.enter_method(node),
            Kind::Block | Kind::DoBlock if self.ancestor_kind(1) != Some(Kind::Lambda) => {
                self.enter_closure(node)
            }
            Kind::Lambda => self.enter_closure(node),
            Kind::Call => self.enter_call(node),
            Kind::Super => self.enter_super(node),
            Kind::Identifier => {
                self.enter_identifier(node);
                return false;
            }
            Kind::Token => return false,
            Kind::For => self.enter_for(node),
            Kind::Do => self.enter_do(node),
            Kind::Loop => self.enter_while(node),
            Kind::String | Kind::ChainedString
                if self.ancestor_kind(1) != Some(Kind::ChainedString) =>
            {
                self.enter_string(node)
            }
            Kind::HeredocBody => self.enter_string(node),
            _ => {}
        }
        true
    }

    fn leave(&mut self, node: Node<'a>) {
        match kind(node) {
            Kind::Assignment | Kind::OperatorAssignment => self.type_assignment(node),
            Kind::For if self.for_loops.last().is_some_and(|(n, _)| *n == node.id()) => {
                self.for_loops.pop();
            }
            _ => {}
        }
        while let Some(&(id, pop)) = self.pops.last() {
            if id != node.id() {
                break;
            }
            self.pops.pop();
            match pop {
                Pop::Frame => {
                    if let Some(frame) = self.frames.pop() {
                        self.locals.truncate(frame.locals_start);
                    }
                }
                Pop::Class => {
                    self.classes.pop();
                }
                Pop::Loop => {
                    self.frame_mut().loops.pop();
                }
            }
        }
        self.path.pop();
    }
}

/// Method names defined directly in a body (also in `class << self` and as
/// `private def m`): (instance methods, singleton methods).
fn defined_methods<'a>(body: Option<Node<'a>>, src: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut instance = Vec::new();
    let mut singleton = Vec::new();
    let Some(body) = body else {
        return (instance, singleton);
    };
    let mut add = |def: Node<'a>, in_singleton_class: bool| {
        let singleton_def = match kind(def) {
            Kind::Method => in_singleton_class,
            Kind::SingletonMethod => true,
            _ => return,
        };
        let Some(name) = def.child_by_field_id(fields().name) else {
            return;
        };
        let name = tree::text(name, src);
        if singleton_def {
            singleton.push(name);
        } else {
            instance.push(name);
        }
    };
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        match kind(child) {
            Kind::Method | Kind::SingletonMethod => add(child, false),
            Kind::SingletonClass => {
                if let Some(inner) = child.child_by_field_id(fields().body) {
                    let mut c = inner.walk();
                    for def in inner.named_children(&mut c) {
                        add(def, true);
                    }
                }
            }
            Kind::Call => {
                let first = child
                    .child_by_field_id(fields().arguments)
                    .and_then(|list| list.named_child(0));
                if let Some(def) = first {
                    add(def, false);
                }
            }
            _ => {}
        }
    }
    (instance, singleton)
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

/// An iterable as written, whitespace runs collapsed, truncated.
fn iterable_text(text: &str) -> String {
    let mut out = String::new();
    for word in strings::truncate(text, MAX_ITERABLE * 4).split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() >= MAX_ITERABLE {
            break;
        }
    }
    strings::truncate(&out, MAX_ITERABLE).to_string()
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
