//! Definitions: functions, methods, lambdas, classes and their decorators.

use super::chain::Chain;
use super::kinds::{self, Field, Kind, NodeExt};
use super::scope::{self, Binding, Scope, ScopeKind};
use super::{handlers, Action, Body, ClassInfo, Decorator, Exit, Extractor, Frame, Trigger};
use crate::facts::{ArgValue, CallId, Class, Function, FunctionId, FunctionKind};
use crate::lang::tree;
use std::collections::HashMap;
use tree_sitter::Node;

/// Longest qualified-name prefix kept for nested definitions.
const MAX_QNAME: usize = 512;

impl<'s, 't> Extractor<'s, 't> {
    /// A `decorated_definition`: remember its decorators for the definition.
    pub(super) fn decorated(&mut self, node: Node<'t>) {
        let Some(definition) = node.field(Field::Definition) else {
            return;
        };
        let mut list = Vec::new();
        let mut cursor = self.take_cursor(node);
        for decorator in node.named_children(&mut cursor) {
            if decorator.kind() != "decorator" {
                continue;
            }
            let Some(mut expr) = decorator.named_child(0) else {
                continue;
            };
            let mut call = None;
            if expr.is(Kind::Call) {
                call = Some(self.pending.wait(expr));
                if let Some(function) = expr.field(Field::Function) {
                    expr = function;
                }
            }
            let chain = Chain::read(expr, self.text);
            let written = match &chain {
                Some(chain) => chain.written(self.text),
                None => tree::compact(expr, self.text, 200),
            };
            let resolved = chain.and_then(|chain| self.resolve(&chain));
            list.push(Decorator {
                written,
                resolved,
                call,
            });
        }
        self.put_cursor(cursor);
        self.decorators = Some((definition.id(), list));
    }

    fn take_decorators(&mut self, node: Node) -> Vec<Decorator> {
        match self.decorators.take() {
            Some((id, list)) if id == node.id() => list,
            other => {
                self.decorators = other;
                Vec::new()
            }
        }
    }

    /// The call facts of decorators written as calls (the walk went through
    /// the decorators before the definition).
    fn decorator_calls(&self, decorators: &[Decorator]) -> Vec<CallId> {
        decorators
            .iter()
            .filter_map(|d| d.call.and_then(|p| self.pending.call_id(p)))
            .collect()
    }

    /// A `def`, `async def` or `lambda`.
    pub(super) fn function(&mut self, node: Node<'t>, lambda: bool) {
        let span = self.span(node);
        let id = self.facts.functions.len() as FunctionId;
        let parent = self.frame().func;
        let class = if lambda { None } else { self.scope().class };
        let decorators = self.take_decorators(node);
        let (name, qname) = if lambda {
            let local = format!("<lambda>@{}", span.line);
            ("<lambda>", self.qualify(&self.frame().qname, &local))
        } else {
            let name = node
                .field(Field::Name)
                .map_or("", |n| tree::text(n, self.text));
            (name, self.qualify(self.prefix(), name))
        };
        let is_async = !lambda && node.child(0).is_some_and(|c| c.kind() == "async");
        let passed_to = if lambda {
            self.pending.reached_lambda(node, id);
            self.take_lambda(node)
        } else {
            None
        };
        let receiver = class.and_then(|c| self.receiver(c, &decorators));
        let (params, first, inert) = self.parameters(node, receiver);
        let handler = if lambda {
            None
        } else {
            self.handler(name, is_async, &decorators, class, parent, first)
        };
        let kind = match (lambda, class) {
            (true, _) => FunctionKind::Closure,
            (false, Some(_)) => FunctionKind::Method,
            (false, None) => FunctionKind::Function,
        };
        let decorator_calls = self.decorator_calls(&decorators);
        self.facts.functions.push(Function {
            decorator_calls,
            name: name.to_string(),
            qname: qname.clone(),
            kind,
            span,
            is_async,
            decorators: decorators.into_iter().map(|d| d.written).collect(),
            parent,
            class: class.map(|c| self.classes[c].name.clone()),
            handler: handler.map(str::to_string),
            passed_to,
            returns: Vec::new(),
        });
        if !lambda {
            self.bind(name, Binding::Path(qname.clone()));
        }
        if let Some(body) = node.field(Field::Body) {
            let frame = Frame {
                func: Some(id),
                qname: qname.clone(),
                loops: Vec::new(),
                globals: Vec::new(),
            };
            self.bodies.push(Body {
                scope: params,
                frame,
                prefix: qname,
            });
            self.triggers.push(Trigger {
                node: body.id(),
                action: Action::Body,
            });
            self.exits.push((node.id(), Exit::DropBody(body.id())));
        }
        if let (true, Some(params)) = (inert, node.field(Field::Parameters)) {
            self.skip(node, params);
        }
    }

    /// `prefix.local`; under a prefix grown past [`MAX_QNAME`] by deep
    /// nesting, `module.local`, so nested names cannot grow quadratically.
    fn qualify(&self, prefix: &str, local: &str) -> String {
        if prefix.len() > MAX_QNAME {
            scope::join(self.module, local)
        } else {
            scope::join(prefix, local)
        }
    }

    /// The call a lambda is passed to as an argument.
    fn take_lambda(&mut self, node: Node) -> Option<CallId> {
        let pos = self.lambdas.iter().rposition(|(n, _)| *n == node.id())?;
        Some(self.lambdas.swap_remove(pos).1)
    }

    /// What the first parameter of a method of class `class` stands for:
    /// the instance (`self`), the class itself for a classmethod (`cls`, so
    /// `cls.objects.get()` is `module.Class.objects.get`), nothing for a
    /// staticmethod.
    fn receiver(&self, class: usize, decorators: &[Decorator]) -> Option<Binding> {
        let has = |name: &str| decorators.iter().any(|d| d.written == name);
        if has("staticmethod") {
            None
        } else if has("classmethod") {
            Some(Binding::Path(self.classes[class].qname.clone()))
        } else {
            Some(Binding::SelfOf(class))
        }
    }

    /// The scope of a function's parameters, the first parameter's name, and
    /// whether the parameters hold nothing for the walk (no call or closure
    /// in a default value). The first parameter of a method is bound to
    /// `receiver`.
    fn parameters(
        &mut self,
        node: Node<'t>,
        receiver: Option<Binding>,
    ) -> (Scope, Option<&'s str>, bool) {
        let mut receiver = receiver;
        let mut scope = Scope::new(ScopeKind::Function);
        let mut first = None;
        let Some(params) = node.field(Field::Parameters) else {
            return (scope, first, true);
        };
        let identifier = |n: &Node| n.is(Kind::Identifier);
        let mut inert = true;
        let mut cursor = self.take_cursor(params);
        for (i, param) in params.named_children(&mut cursor).enumerate() {
            inert = inert && self.is_inert_param(param);
            let (name, annotation) = match param.kind() {
                "identifier" => (Some(param), None),
                "typed_parameter" => (
                    param.named_child(0).filter(identifier),
                    param.field(Field::Type),
                ),
                "default_parameter" | "typed_default_parameter" => (
                    param.field(Field::Name).filter(identifier),
                    param.field(Field::Type),
                ),
                "list_splat_pattern" | "dictionary_splat_pattern" => {
                    (param.named_child(0).filter(identifier), None)
                }
                _ => (None, None),
            };
            let Some(name) = name else { continue };
            let name = tree::text(name, self.text);
            if i == 0 {
                first = Some(name);
            }
            let binding = match (i, receiver.take(), annotation) {
                (0, Some(receiver), _) => receiver,
                (_, _, Some(annotation)) => self.annotation(annotation),
                _ => Binding::Unknown,
            };
            scope.bind(name, binding);
        }
        self.put_cursor(cursor);
        (scope, first, inert)
    }

    fn is_inert_param(&self, param: Node) -> bool {
        let inert = |field| param.field(field).is_none_or(|n| self.is_inert(n));
        let inert_type = || {
            param
                .field(Field::Type)
                .is_none_or(|t| t.named_child(0).is_some_and(|n| self.is_inert(n)))
        };
        match param.kind() {
            "identifier"
            | "keyword_separator"
            | "positional_separator"
            | "list_splat_pattern"
            | "dictionary_splat_pattern"
            | "comment" => true,
            "typed_parameter" => inert_type(),
            "default_parameter" => inert(Field::Value),
            "typed_default_parameter" => inert(Field::Value) && inert_type(),
            _ => false,
        }
    }

    /// The framework of a request handler, if this function is one.
    fn handler(
        &self,
        name: &str,
        is_async: bool,
        decorators: &[Decorator],
        class: Option<usize>,
        parent: Option<FunctionId>,
        first_param: Option<&str>,
    ) -> Option<&'static str> {
        let routed = decorators.iter().find_map(|d| {
            handlers::route_decorator(&d.written, d.resolved.as_deref(), self.framework, is_async)
        });
        if routed.is_some() {
            return routed;
        }
        if let Some(class) = class {
            return handlers::view_method(name, &self.classes[class].bases);
        }
        (self.views_file && parent.is_none() && first_param == Some("request")).then_some("django")
    }

    /// A `class` definition.
    pub(super) fn class(&mut self, node: Node<'t>) {
        let span = self.span(node);
        let name = node
            .field(Field::Name)
            .map_or("", |n| tree::text(n, self.text));
        let qname = self.qualify(self.prefix(), name);
        let decorators = self.take_decorators(node);
        let bases = self.bases(node);
        let index = self.classes.len();
        self.classes.push(ClassInfo {
            name: name.to_string(),
            qname: qname.clone(),
            bases: bases.clone(),
            attrs: HashMap::new(),
        });
        let decorator_calls = self.decorator_calls(&decorators);
        self.facts.classes.push(Class {
            decorator_calls,
            name: name.to_string(),
            qname: qname.clone(),
            bases,
            decorators: decorators.into_iter().map(|d| d.written).collect(),
            span,
        });
        self.bind(name, Binding::Path(qname.clone()));
        self.scopes.push(Scope::of_class(index));
        self.prefixes.push(qname);
        self.exits.push((node.id(), Exit::Class));
    }

    /// A class's bases, resolved where possible (keyword arguments such as
    /// `metaclass=` left out).
    fn bases(&mut self, node: Node<'t>) -> Vec<String> {
        let Some(list) = node.field(Field::Superclasses) else {
            return Vec::new();
        };
        let mut cursor = self.take_cursor(list);
        let bases = list
            .named_children(&mut cursor)
            .filter(|base| !matches!(kinds::of(*base), Kind::KeywordArgument | Kind::Comment))
            .map(|base| match Chain::read(base, self.text) {
                Some(chain) => self
                    .resolve(&chain)
                    .unwrap_or_else(|| chain.written(self.text)),
                None => tree::compact(base, self.text, 200),
            })
            .collect();
        self.put_cursor(cursor);
        bases
    }

    /// Functions of this file registered as route handlers by reference
    /// (`app.router.add_get("/", index)`, `web.get("/", index)`,
    /// `Route("/", endpoint)`) are handlers too.
    pub(super) fn mark_registered_handlers(&mut self) {
        let mut marks: HashMap<&str, &'static str> = HashMap::new();
        for call in &self.facts.calls {
            let resolved = call.resolved.as_deref().unwrap_or(&call.callee);
            let Some(framework) = handlers::registration(&call.name, resolved) else {
                continue;
            };
            for arg in &call.args {
                if let ArgValue::Path(path) = &arg.value {
                    marks.entry(path).or_insert(framework);
                }
            }
        }
        if marks.is_empty() {
            return;
        }
        let found: Vec<(usize, &'static str)> = self
            .facts
            .functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.handler.is_none())
            .filter_map(|(i, f)| marks.get(f.qname.as_str()).map(|fw| (i, *fw)))
            .collect();
        for (i, framework) in found {
            self.facts.functions[i].handler = Some(framework.to_string());
        }
    }
}
