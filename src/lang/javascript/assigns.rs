//! Assignment facts: declarations and stores at module level (including
//! `module.exports.x =` / `exports.x =`), class properties with their
//! decorators and types, and inside functions stores to plain names,
//! `this.x`, and subscripts of either.

use super::kinds::{Field, Kind};
use super::resolve::first_named;
use super::walker::Walker;
use crate::facts::{ArgValue, Assign, AssignOp, AssignScope, Span};
use crate::lang::tree;
use tree_sitter::Node;

/// Longest target, key or type text kept.
const MAX_TEXT: usize = 200;

/// Where a stored name lives and what it resolves to.
struct Target {
    text: String,
    resolved: Option<String>,
    scope: AssignScope,
}

impl<'a, 't> Walker<'a, 't> {
    /// `const x = v`, `let { a, b } = v`: one fact per declared name; a
    /// destructured name's value is a path into what `v` resolves to
    /// (`pg.Pool().query().rows` for `const { rows } = await pool.query()`),
    /// or none.
    pub(super) fn declarator_assigns(&mut self, decl: Node<'t>) {
        let Some(name) = self.field(decl, Field::Name) else {
            return;
        };
        let statement = self.ancestor(0).unwrap_or(decl);
        let span = self.span(statement);
        if self.kind(name) == Kind::Identifier {
            let target = self.name_target(self.text_of(name), true);
            let value = self.field(decl, Field::Value).map(|v| self.value(v));
            let annotation = self
                .field(decl, Field::Type)
                .and_then(|t| self.annotation(t));
            let mut assign = self.assign(target, AssignOp::Bind, value, span);
            assign.annotation = annotation;
            self.facts.assigns.push(assign);
            return;
        }
        let base = self
            .field(decl, Field::Value)
            .and_then(|v| self.resolve_value(self.unwrap(v)));
        for name in self.pattern_names(name) {
            let text = self.text_of(name);
            let key = name
                .parent()
                .filter(|p| p.kind() == "pair_pattern")
                .and_then(|p| self.field(p, Field::Key))
                .map_or(text, |k| self.text_of(k));
            let value = base.as_ref().map(|b| ArgValue::Path(format!("{b}.{key}")));
            let target = self.name_target(text, true);
            let assign = self.assign(target, AssignOp::Bind, value, span);
            self.facts.assigns.push(assign);
        }
    }

    /// `x = v`, `x ??= v`, `x += v`, `this.x = v`, `cache[k] = v`,
    /// `exports.x = v`, `[a, b] = v` (names without a value).
    pub(super) fn assignment_assigns(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (
            self.field(node, Field::Left),
            self.field(node, Field::Right),
        ) else {
            return;
        };
        let op = if self.kind(node) == Kind::Assignment {
            AssignOp::Bind
        } else {
            let operator = self.text.get(left.end_byte()..right.start_byte());
            match operator.map(str::trim) {
                Some("??=" | "||=") => AssignOp::OrBind,
                _ => AssignOp::Augmented,
            }
        };
        let statement = self.statement_of(node);
        let span = self.span(statement);
        if matches!(left.kind(), "object_pattern" | "array_pattern") {
            for name in self.pattern_names(left) {
                let target = self.name_target(self.text_of(name), false);
                let assign = self.assign(target, op, None, span);
                self.facts.assigns.push(assign);
            }
            return;
        }
        let Some((target, key)) = self.store_target(node, left) else {
            return;
        };
        let op = if key.is_some() {
            AssignOp::Subscript
        } else {
            op
        };
        let value = Some(self.value(right));
        let mut assign = self.assign(target, op, value, span);
        assign.key = key;
        self.facts.assigns.push(assign);
    }

    /// `x++`, `this.count--`, `hits[k]++`: an augmented store without a
    /// written value.
    pub(super) fn update_assigns(&mut self, node: Node<'t>) {
        let Some(operand) = self.field(node, Field::Argument) else {
            return;
        };
        let Some((target, key)) = self.store_target(node, operand) else {
            return;
        };
        let op = if key.is_some() {
            AssignOp::Subscript
        } else {
            AssignOp::Augmented
        };
        let statement = self.statement_of(node);
        let span = self.span(statement);
        let mut assign = self.assign(target, op, None, span);
        assign.key = key;
        self.facts.assigns.push(assign);
    }

    /// `delete cache[k]`, `delete this.cache[k]`: a keyed removal, with no
    /// value.
    pub(super) fn delete_assigns(&mut self, node: Node<'t>) {
        let Some(operand) = self.field(node, Field::Argument) else {
            return;
        };
        let operator = self.text.get(node.start_byte()..operand.start_byte());
        if operator.map(str::trim) != Some("delete") || self.kind(operand) != Kind::Subscript {
            return;
        }
        let Some((target, key)) = self.store_target(node, operand) else {
            return;
        };
        let span = self.span(self.statement_of(node));
        let mut assign = self.assign(target, AssignOp::Evict, None, span);
        assign.key = key;
        self.facts.assigns.push(assign);
    }

    /// What a store writes to, and the key for a subscript store: a plain
    /// name, `this.x`, a module export, or a subscript of a name or `this.x`.
    fn store_target(&self, node: Node<'t>, left: Node<'t>) -> Option<(Target, Option<String>)> {
        match self.kind(left) {
            Kind::Identifier => Some((self.name_target(self.text_of(left), false), None)),
            Kind::Member => Some((self.member_target(node, left)?, None)),
            Kind::Subscript => {
                let container = self.field(left, Field::Object)?;
                let target = match self.kind(container) {
                    Kind::Identifier => self.name_target(self.text_of(container), false),
                    Kind::Member => self.this_target(container)?,
                    _ => return None,
                };
                let key = self
                    .field(left, Field::Index)
                    .map(|i| tree::compact(i, self.text, MAX_TEXT));
                Some((target, key))
            }
            _ => None,
        }
    }

    /// The expression statement an expression is, or the expression.
    fn statement_of(&self, node: Node<'t>) -> Node<'t> {
        self.ancestor(0)
            .filter(|p| p.kind() == "expression_statement")
            .unwrap_or(node)
    }

    /// A class property: `private cache = new Map<string, User>()`,
    /// `static instances = {}`, `@Column() email: string;`.
    pub(super) fn enter_field(&mut self, node: Node<'t>) {
        let (decorators, decorator_calls) = self.member_decorators(node);
        let Some(name) = self
            .field(node, Field::Name)
            .or_else(|| self.field(node, Field::Property))
        else {
            return;
        };
        let text = tree::compact(name, self.text, MAX_TEXT);
        let resolved = self.classes.last().map(|c| format!("{}.{text}", c.qname));
        let target = Target {
            text,
            resolved,
            scope: AssignScope::Class,
        };
        let value = self.field(node, Field::Value).map(|v| self.value(v));
        let annotation = self
            .field(node, Field::Type)
            .and_then(|t| self.annotation(t));
        let span = self.member_span(node);
        let mut assign = self.assign(target, AssignOp::Bind, value, span);
        assign.annotation = annotation;
        assign.decorators = decorators;
        assign.decorator_calls = decorator_calls;
        self.facts.assigns.push(assign);
    }

    /// A constructor parameter property (`private readonly orders:
    /// Repository<Order>`) declares a field, as a field declaration does:
    /// a class-level binding with its type as written, without a value.
    pub(super) fn parameter_property(&mut self, param: Node<'t>, name: &str) {
        let resolved = self.classes.last().map(|c| format!("{}.{name}", c.qname));
        let target = Target {
            text: name.to_string(),
            resolved,
            scope: AssignScope::Class,
        };
        let annotation = self
            .field(param, Field::Type)
            .and_then(|t| self.annotation(t));
        let mut assign = self.assign(target, AssignOp::Bind, None, self.span(param));
        assign.annotation = annotation;
        self.facts.assigns.push(assign);
    }

    /// Where a name stored to lives: a declaration at module level or an
    /// assignment to a module-level name not shadowed by a local or a
    /// parameter is the module's (`module.NAME`); others are locals.
    fn name_target(&self, name: &str, declared: bool) -> Target {
        let module_level = self.at_module_level()
            || (!declared && self.fns.iter().rposition(|f| f.scope.has(name)) == Some(0));
        let (scope, resolved) = if module_level {
            (AssignScope::Module, Some(format!("{}.{name}", self.module)))
        } else {
            (AssignScope::Local, None)
        };
        Target {
            text: name.to_string(),
            resolved,
            scope,
        }
    }

    /// A member stored to: `this.x` in a function, or a module export.
    fn member_target(&self, assign: Node<'t>, left: Node<'t>) -> Option<Target> {
        if !self.at_module_level() {
            return self.this_target(left);
        }
        let exported = self.exported_as(assign)?;
        Some(Target {
            text: tree::compact(left, self.text, MAX_TEXT),
            resolved: Some(format!("{}.{exported}", self.module)),
            scope: AssignScope::Module,
        })
    }

    /// `this.x` inside a function: the property of the class (or object)
    /// the function is a method of.
    fn this_target(&self, member: Node<'t>) -> Option<Target> {
        if self.at_module_level() {
            return None;
        }
        let object = self.field(member, Field::Object)?;
        if self.kind(object) != Kind::This {
            return None;
        }
        let property = self.text_of(self.field(member, Field::Property)?);
        let resolved = self
            .current()
            .this_q
            .as_ref()
            .map(|q| format!("{q}.{property}"));
        Some(Target {
            text: format!("this.{property}"),
            resolved,
            scope: AssignScope::Local,
        })
    }

    /// A fact for a store at the current position.
    fn assign(&self, target: Target, op: AssignOp, value: Option<ArgValue>, span: Span) -> Assign {
        Assign {
            target: target.text,
            resolved: target.resolved,
            scope: target.scope,
            op,
            key: None,
            value,
            annotation: None,
            decorators: Vec::new(),
            decorator_calls: Vec::new(),
            function: self.current().id,
            class: self.classes.last().map(|c| c.name.clone()),
            loops: self.loops_at(span.start as usize),
            span,
        }
    }

    /// A TypeScript type as written, whitespace removed (`Map<string,User>`).
    fn annotation(&self, node: Node<'t>) -> Option<String> {
        let ty = match node.kind() {
            "type_annotation" => first_named(node)?,
            _ => node,
        };
        Some(tree::compact(ty, self.text, MAX_TEXT))
    }

    /// A class member's span without its decorators, so that it points at
    /// the line that declares it.
    fn member_span(&self, node: Node<'t>) -> Span {
        let mut cursor = node.walk();
        let first = node
            .children(&mut cursor)
            .find(|c| self.kind(*c) != Kind::Decorator && c.kind() != "comment")
            .unwrap_or(node);
        let mut span = self.span(first);
        span.end = node.end_byte() as u32;
        span.end_line = node.end_position().row as u32 + 1;
        span
    }
}
