//! Classes and decorators: class facts, field types learnt from the class
//! body, and decorator names.

use super::kinds::{Field, Kind};
use super::resolve::Use;
use super::scope::Binding;
use super::walker::{ClassCtx, Walker};
use crate::facts::Class;
use crate::lang::tree;
use tree_sitter::Node;

impl<'a, 't> Walker<'a, 't> {
    /// Decorators of a method or field, with those written as calls (as
    /// slots): TypeScript puts a method's before it in the class body,
    /// JavaScript inside the member node.
    pub(super) fn member_decorators(&mut self, node: Node<'t>) -> (Vec<String>, Vec<u32>) {
        let mut names = std::mem::take(&mut self.pending_decorators);
        let mut calls = std::mem::take(&mut self.pending_decorator_calls);
        self.own_decorators(node, &mut names, &mut calls);
        (names, calls)
    }

    /// The decorators that are children of `node`.
    fn own_decorators(&mut self, node: Node<'t>, names: &mut Vec<String>, calls: &mut Vec<u32>) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if self.kind(child) == Kind::Decorator {
                names.extend(self.decorator_name(child));
                calls.extend(self.decorator_call(child));
            }
        }
    }

    /// A decorator seen during the walk: TypeScript class-body decorators
    /// and those before `export class` wait for what they decorate (the
    /// others are read by their owner, which the walk entered first).
    pub(super) fn note_decorator(&mut self, node: Node<'t>) {
        let parent = self.ancestor(0).map(|p| self.kind(p));
        if matches!(parent, Some(Kind::ClassBody | Kind::Export)) {
            if let Some(name) = self.decorator_name(node) {
                self.pending_decorators.push(name);
            }
            if let Some(call) = self.decorator_call(node) {
                self.pending_decorator_calls.push(call);
            }
        }
    }

    /// The call a decorator makes (`@Entity("orders")`), as a slot.
    fn decorator_call(&mut self, node: Node<'t>) -> Option<u32> {
        let expr = self.unwrap(super::resolve::first_named(node)?);
        (self.kind(expr) == Kind::Call).then(|| self.slots.wait_for(expr))
    }

    /// `@Get(':id')` → `Get`; `@nest.Get()` → `nest.Get`.
    fn decorator_name(&self, node: Node) -> Option<String> {
        let mut expr = super::resolve::first_named(node)?;
        for _ in 0..8 {
            match self.kind(expr) {
                Kind::Call => expr = self.field(expr, Field::Function)?,
                Kind::Wrapper => expr = super::resolve::first_named(expr)?,
                _ => break,
            }
        }
        Some(tree::compact(expr, self.text, 200))
    }

    /// A class: record it and enter its context.
    pub(super) fn enter_class(&mut self, node: Node<'t>) {
        let parent = self.ancestor(0);
        let default_export = parent.is_some_and(|p| self.is_default_export(p));
        let own = self.field(node, Field::Name).map(|n| self.text_of(n));
        let declared = parent
            .filter(|p| self.kind(*p) == Kind::Declarator)
            .and_then(|p| self.field(p, Field::Name))
            .filter(|n| self.kind(*n) == Kind::Identifier)
            .map(|n| self.text_of(n));
        let exported = parent
            .filter(|p| self.kind(*p) == Kind::Assignment)
            .and_then(|p| self.exported_as(p));
        let name = declared
            .or(own)
            .or(exported.as_deref())
            .unwrap_or(if default_export { "default" } else { "<class>" })
            .to_string();
        let qname = match (default_export, &exported) {
            (true, _) => format!("{}.default", self.module),
            (false, Some(e)) => format!("{}.{e}", self.module),
            (false, None) => self.member_qname(&name),
        };
        let name = name.as_str();
        if !self.at_module_level() {
            self.bind(name, Binding::Known(qname.clone()));
        }
        let (mut decorators, mut decorator_calls) = (Vec::new(), Vec::new());
        if parent.is_some_and(|p| self.kind(p) == Kind::Export) {
            decorators = std::mem::take(&mut self.pending_decorators);
            decorator_calls = std::mem::take(&mut self.pending_decorator_calls);
        } else {
            self.pending_decorators.clear();
            self.pending_decorator_calls.clear();
        }
        self.own_decorators(node, &mut decorators, &mut decorator_calls);
        let bases = self.class_bases(node);
        self.facts.classes.push(Class {
            decorator_calls,
            name: name.to_string(),
            qname: qname.clone(),
            bases: bases.clone(),
            decorators: decorators.clone(),
            span: self.span(node),
        });
        let ctx = ClassCtx {
            qname,
            name: name.to_string(),
            decorators,
            base: bases.into_iter().next(),
            fields: Default::default(),
        };
        self.push_class(node, ctx);
    }

    /// The superclass of a class, resolved (or as written).
    fn class_bases(&self, node: Node<'t>) -> Vec<String> {
        let mut cursor = node.walk();
        let Some(heritage) = node
            .children(&mut cursor)
            .find(|c| c.kind() == "class_heritage")
        else {
            return Vec::new();
        };
        let mut expr = super::resolve::first_named(heritage);
        if let Some(clause) = expr.filter(|e| e.kind() == "extends_clause") {
            expr = self.field(clause, Field::Value);
        }
        let Some(expr) = expr else {
            return Vec::new();
        };
        let base = self
            .chain(expr, Use::Value)
            .resolved
            .unwrap_or_else(|| tree::compact(expr, self.text, 200));
        vec![base]
    }

    /// A class body: learn field types from field declarations and
    /// constructor parameter properties before the methods are walked.
    pub(super) fn enter_class_body(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let mut fields = Vec::new();
        for member in node.named_children(&mut cursor) {
            if self.kind(member) != Kind::Field {
                continue;
            }
            let Some(name) = self
                .field(member, Field::Name)
                .or_else(|| self.field(member, Field::Property))
            else {
                continue;
            };
            let typed = self
                .field(member, Field::Value)
                .filter(|v| matches!(self.kind(*v), Kind::New | Kind::Call))
                .and_then(|v| self.resolve_value(v))
                .or_else(|| {
                    self.field(member, Field::Type)
                        .and_then(|t| self.type_binding(t))
                });
            if let Some(t) = typed {
                fields.push((self.text_of(name).to_string(), t));
            }
        }
        if let Some(class) = self.classes.last_mut() {
            class.fields.extend(fields);
        }
    }
}
