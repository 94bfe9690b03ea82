//! Functions, methods and closures: the context the walk enters for each,
//! their parameters, and the call a closure is passed to.

use super::kinds::{Field, Kind};
use super::literals::is_function;
use super::scope::{Binding, Scope};
use super::walker::{ActiveLoop, FnCtx, Walker};
use crate::facts::{Function, FunctionId};
use crate::lang::tree;
use tree_sitter::Node;

impl<'a, 't> Walker<'a, 't> {
    /// A function-like node: record it and enter its context.
    pub(super) fn enter_function(&mut self, node: Node<'t>) {
        let kind = self.kind(node);
        let naming = self.function_naming(node, kind);
        if kind == Kind::FunctionDeclaration && !self.at_module_level() {
            let known = Binding::Known(naming.qname.clone());
            self.bind(&naming.name, known);
        }
        let (decorators, decorator_calls) = if kind == Kind::Method {
            self.member_decorators(node)
        } else {
            (Vec::new(), Vec::new())
        };
        let id = self.facts.functions.len() as FunctionId;
        let passed_to = self.passed_to(node);
        self.slots.reached(node, id);
        let handler = self
            .handler_for(node, &naming, &decorators)
            .map(str::to_string);
        let inherited = self.inherited_loops(node, passed_to.is_some());
        self.facts.functions.push(Function {
            decorator_calls,
            name: naming.name,
            qname: naming.qname.clone(),
            kind: naming.kind,
            span: self.span(node),
            is_async: is_async(node),
            decorators,
            parent: self.current().id,
            class: naming.class,
            handler,
            passed_to,
            returns: Vec::new(),
        });
        let ctx = FnCtx {
            id: Some(id),
            qname: naming.qname,
            this_q: naming.this_q,
            class: naming.class_index,
            loops: inherited,
            scope: Scope::default(),
        };
        self.push_function(node, ctx);
        self.bind_parameters(node);
        self.hoist_body(node);
    }

    /// The call a function expression is passed to as an argument.
    fn passed_to(&self, node: Node<'t>) -> Option<u32> {
        if !is_function(self.kind(node)) {
            return None;
        }
        let call = &self.calls[self.open_call_of_argument(0)?];
        call.closures
            .contains(&node.start_byte())
            .then_some(call.id)
    }

    /// The open call (index into `calls`) whose argument list is ancestor
    /// `depth` of the node being entered.
    pub(super) fn open_call_of_argument(&self, depth: usize) -> Option<usize> {
        let args = self.ancestor(depth)?;
        if self.kind(args) != Kind::Arguments {
            return None;
        }
        let call = self.ancestor(depth + 1)?;
        self.calls.iter().rposition(|c| c.node == call.id())
    }

    /// Loops a callback closure runs in: the callback loop it is the body
    /// of, and the loops around that call.
    fn inherited_loops(&self, node: Node, passed: bool) -> Vec<ActiveLoop> {
        if !passed {
            return Vec::new();
        }
        let Some(open) = self.open_call_of_argument(0) else {
            return Vec::new();
        };
        let Some(loop_id) = self.calls[open].loop_id else {
            return Vec::new();
        };
        let start = node.start_byte();
        let mut loops: Vec<ActiveLoop> = self
            .current()
            .loops
            .iter()
            .filter(|l| l.from <= start)
            .map(|l| ActiveLoop { id: l.id, from: 0 })
            .collect();
        loops.push(ActiveLoop {
            id: loop_id,
            from: 0,
        });
        loops
    }

    /// Bind a function's parameters as unknown locals (or, with a TypeScript
    /// type naming an imported or local class, as instances of it).
    fn bind_parameters(&mut self, node: Node<'t>) {
        if let Some(p) = self.field(node, Field::Parameter) {
            self.bind_pattern(p);
            return;
        }
        let Some(params) = self.field(node, Field::Parameters) else {
            return;
        };
        let is_constructor = self.kind(node) == Kind::Method
            && self
                .field(node, Field::Name)
                .is_some_and(|n| self.text_of(n) == "constructor");
        let mut cursor = params.walk();
        for param in params.named_children(&mut cursor) {
            let pattern = self.field(param, Field::Pattern).unwrap_or(param);
            if is_constructor
                && is_parameter_property(param)
                && self.kind(pattern) == Kind::Identifier
            {
                let name = self.text_of(pattern).to_string();
                self.parameter_property(param, &name);
            }
            let typed = self
                .field(param, Field::Type)
                .and_then(|t| self.type_binding(t));
            match (typed, self.kind(pattern)) {
                (Some(t), Kind::Identifier) => {
                    let name = self.text_of(pattern);
                    if is_constructor && is_parameter_property(param) {
                        if let Some(class) = self.classes.last_mut() {
                            class.fields.insert(name.to_string(), t.clone());
                        }
                    }
                    self.bind(name, Binding::Known(t));
                }
                _ => self.bind_pattern(pattern),
            }
        }
    }

    /// Bind the function and class declarations of a function body, which
    /// are visible before their definitions.
    fn hoist_body(&mut self, node: Node<'t>) {
        let Some(body) = self.field(node, Field::Body) else {
            return;
        };
        let mut cursor = body.walk();
        let qname = self.current().qname.clone();
        for stmt in body.named_children(&mut cursor) {
            if matches!(self.kind(stmt), Kind::FunctionDeclaration | Kind::Class) {
                if let Some(name) = self.field(stmt, Field::Name) {
                    let name = self.text_of(name);
                    self.bind(name, Binding::Known(format!("{qname}.{name}")));
                }
            }
        }
    }

    /// The instance type a TypeScript annotation names, when the type is
    /// imported or defined in this file: `UsersService` → `src/users.UsersService()`.
    pub(super) fn type_binding(&self, annotation: Node) -> Option<String> {
        let mut ty = annotation;
        if ty.kind() == "type_annotation" {
            ty = super::resolve::first_named(ty)?;
        }
        if ty.kind() == "generic_type" {
            ty = self.field(ty, Field::Name)?;
        }
        let text = match ty.kind() {
            "type_identifier" | "nested_type_identifier" => tree::compact(ty, self.text, 200),
            _ => return None,
        };
        let (root, rest) = match text.split_once('.') {
            Some((root, rest)) => (root, Some(rest)),
            None => (text.as_str(), None),
        };
        let Some(Binding::Known(base)) = self.lookup(root) else {
            return None;
        };
        Some(match rest {
            Some(rest) => format!("{base}.{rest}()"),
            None => format!("{base}()"),
        })
    }
}
/// Whether a function node is `async`.
fn is_async(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .take_while(|c| !matches!(c.kind(), "formal_parameters" | "statement_block" | "=>"))
        .any(|c| c.kind() == "async");
    found
}

/// Whether a constructor parameter declares a field (`private readonly db: Db`).
fn is_parameter_property(param: Node) -> bool {
    let mut cursor = param.walk();
    let found = param
        .children(&mut cursor)
        .any(|c| matches!(c.kind(), "accessibility_modifier" | "readonly"));
    found
}
