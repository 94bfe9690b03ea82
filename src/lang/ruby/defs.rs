//! Definitions: classes and modules, methods, blocks and lambdas.

use super::chain::constant_path;
use super::fields::{fields, kind, Kind};
use super::kinds::is_controller_base;
use super::scope::{ClassCtx, Role, SelfKind};
use super::walker::{Pop, Walker, MAX_ITERABLE};
use crate::facts::{ArgValue, Class, Function, FunctionId, FunctionKind};
use crate::lang::tree;
use tree_sitter::Node;

/// Enclosing loops recorded per call at most; deeper loops are not added.
pub(super) const MAX_LOOP_DEPTH: usize = 32;
/// A closure nested in closures whose name is longer than this is named
/// after its innermost named function instead, keeping names short in
/// deeply nested code.
const MAX_CLOSURE_PREFIX: usize = 256;

impl<'a> Walker<'a> {
    pub(super) fn enter_class(&mut self, node: Node<'a>) {
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
            decorator_calls: Vec::new(),
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
    pub(super) fn base_name(&self, base: Node<'a>) -> Option<String> {
        match base.kind() {
            "element_reference" => base
                .child_by_field_id(fields().object)
                .and_then(|o| constant_path(o, self.src)),
            "call" => self.resolve_value(base),
            _ => constant_path(base, self.src),
        }
        .or_else(|| Some(tree::compact(base, self.src, MAX_ITERABLE)))
    }

    pub(super) fn enter_singleton_class(&mut self, node: Node<'a>) {
        let qname = self.frame().qname.clone();
        let function = self.frame().function;
        let mut frame = self.new_frame(Role::SingletonBody, function, qname);
        frame.self_kind = SelfKind::Class;
        self.push_frame(node, frame, true);
    }

    pub(super) fn enter_method(&mut self, node: Node<'a>) {
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
            decorator_calls: Vec::new(),
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
            returns: Vec::new(),
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
    pub(super) fn visibility_wrapper(&self) -> Option<bool> {
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
    pub(super) fn enter_closure(&mut self, node: Node<'a>) {
        let pending = self.take_pending(node);
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
        let loops = match pending.and_then(|p| p.body_of) {
            Some(loop_id) if frame.loops.len() < MAX_LOOP_DEPTH => {
                let mut loops = frame.loops.clone();
                loops.push(loop_id);
                loops
            }
            Some(_) => frame.loops.clone(),
            None => Vec::new(),
        };
        let id = self.facts.functions.len() as FunctionId;
        self.facts.functions.push(Function {
            decorator_calls: Vec::new(),
            name: "<lambda>".to_string(),
            qname: qname.clone(),
            kind: FunctionKind::Closure,
            span,
            is_async: false,
            decorators: Vec::new(),
            parent,
            class: None,
            handler: None,
            passed_to: pending.and_then(|p| p.slot.call()),
            returns: Vec::new(),
        });
        if let Some(p) = pending {
            self.fill(p.slot, ArgValue::Closure(id));
        }
        let mut frame = self.new_frame(Role::Function, Some(id), qname);
        frame.loops = loops;
        frame.named = named;
        self.push_frame(node, frame, false);
    }
}

/// Method names defined directly in a body (also in `class << self` and as
/// `private def m`): (instance methods, singleton methods).
pub(super) fn defined_methods<'a>(
    body: Option<Node<'a>>,
    src: &'a str,
) -> (Vec<&'a str>, Vec<&'a str>) {
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
