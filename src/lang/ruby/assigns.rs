//! Assignments as facts: constants, class variables, instance variables and
//! locals, with `||=` as [`AssignOp::OrBind`], `+=` and the other operators
//! as [`AssignOp::Augmented`], and `x[k] = v` / `@@cache[k] ||= v` as
//! [`AssignOp::Subscript`] on the container. Setters (`user.name = v`) are
//! calls, not assignments.
//!
//! Where the target lives, and its resolved spelling (the sigils dropped,
//! like method names: `module.Class.name`):
//! - a constant: in the class body around it ([`AssignScope::Class`],
//!   `module.Shop.User.LIMIT`) or the file (`Module`, `module.LIMIT`);
//! - `@@x`: the class (`Class`, `module.Class.x`);
//! - `@x`: the class when `self` is the class (a `def self.m`, a
//!   `class << self` body, the class body: `Class`), the instance in an
//!   instance method (`Local`), both resolved `module.Class.x`; at the top
//!   of a file `Module`, `module.x`;
//! - `$x`: `Module`, resolved as written (`$redis`): globals belong to no
//!   module;
//! - a local variable: `Local`, unresolved, also at the top of a file;
//! - the constant of `CONST[k] = v`: the constant this file defines that
//!   Ruby would find from here (`module.Class.CONST`), else the constant as
//!   written (`ENV`), `Module`.

use super::chain::constant_path;
use super::fields::fields;
use super::scope::SelfKind;
use super::strings::MAX_ARG;
use super::values::{Owner, Slot};
use super::walker::Walker;
use crate::facts::{Assign, AssignOp, AssignScope};
use crate::lang::tree;
use tree_sitter::Node;

impl<'a> Walker<'a> {
    /// An `assignment` or `operator_assignment`: one fact per target.
    pub(super) fn enter_assignment(&mut self, node: Node<'a>) {
        let f = fields();
        let Some(left) = node.child_by_field_id(f.left) else {
            return;
        };
        let right = node.child_by_field_id(f.right);
        let op = match node.child_by_field_id(f.operator).map(|o| self.text(o)) {
            None => AssignOp::Bind,
            Some("||=") => AssignOp::OrBind,
            Some(_) => AssignOp::Augmented,
        };
        let start = self.pending.len();
        if left.kind() == "left_assignment_list" {
            // `a, b = 1, 2`: each target gets its value when the right side
            // lists them.
            let values: Vec<Node> = match right {
                Some(r) if r.kind() == "right_assignment_list" => {
                    let mut cursor = r.walk();
                    let values = r.named_children(&mut cursor).collect();
                    values
                }
                _ => Vec::new(),
            };
            let mut cursor = left.walk();
            for (i, target) in left.named_children(&mut cursor).enumerate() {
                self.push_assign(node, target, op, values.get(i).copied());
            }
        } else {
            self.push_assign(node, left, op, right);
        }
        self.order_pending(start);
    }

    /// Records `target op value` if the target is a variable or constant
    /// (or a subscript of one).
    fn push_assign(
        &mut self,
        node: Node<'a>,
        target: Node<'a>,
        op: AssignOp,
        value: Option<Node<'a>>,
    ) {
        let (container, op, key) = if target.kind() == "element_reference" {
            let Some(object) = target.child_by_field_id(fields().object) else {
                return;
            };
            (
                object,
                AssignOp::Subscript,
                Some(self.subscript_key(target)),
            )
        } else {
            (target, op, None)
        };
        let target_scope = if key.is_some() {
            self.container_scope(container)
        } else {
            self.target_scope(container)
        };
        let Some((scope, resolved)) = target_scope else {
            return;
        };
        if let (Some(name), true) = (
            &resolved,
            matches!(container.kind(), "constant" | "scope_resolution"),
        ) {
            if key.is_none() {
                self.constants.insert(name.clone());
            }
        }
        let index = self.facts.assigns.len();
        let frame = self.frame();
        self.facts.assigns.push(Assign {
            target: tree::compact(container, self.src, MAX_ARG),
            resolved,
            scope,
            op,
            key,
            value: None,
            annotation: None,
            decorators: Vec::new(),
            decorator_calls: Vec::new(),
            function: frame.function,
            class: self.class().map(|c| c.name.to_string()),
            loops: frame.loops.clone(),
            span: self.span(node),
        });
        if let Some(v) = value {
            let value = self.value(v, Slot::new(Owner::Assign(index)));
            if let Some(assign) = self.facts.assigns.get_mut(index) {
                assign.value = Some(value);
            }
        }
    }

    /// Where a target lives and its resolved name; None for targets that
    /// are not variables or constants (setters, `a.b[k]`).
    fn target_scope(&self, target: Node) -> Option<(AssignScope, Option<String>)> {
        let class = self.class();
        let owner = class.map_or(self.module, |c| c.qname.as_str());
        let text = self.text(target);
        let in_class = || {
            if class.is_some() {
                AssignScope::Class
            } else {
                AssignScope::Module
            }
        };
        Some(match target.kind() {
            "identifier" => (AssignScope::Local, None),
            "constant" | "scope_resolution" => {
                let path = constant_path(target, self.src)?;
                (in_class(), Some(Self::qualify(owner, &path)))
            }
            "class_variable" => (
                in_class(),
                Some(Self::qualify(owner, text.trim_start_matches('@'))),
            ),
            "instance_variable" => {
                let scope = match self.frame().self_kind {
                    SelfKind::Instance => AssignScope::Local,
                    SelfKind::Class => in_class(),
                    SelfKind::Main => AssignScope::Module,
                };
                (
                    scope,
                    Some(Self::qualify(owner, text.trim_start_matches('@'))),
                )
            }
            "global_variable" => (AssignScope::Module, Some(text.to_string())),
            _ => return None,
        })
    }

    /// Where the container of `x[k] = v` lives: a constant is looked up
    /// like Ruby does, in the enclosing classes, then the file, among the
    /// constants this file defines (`CACHE[k] = v` in a method of the class
    /// that defines `CACHE`); one defined elsewhere (`ENV`) is spelled as
    /// written. Other containers are targets as usual.
    fn container_scope(&self, container: Node) -> Option<(AssignScope, Option<String>)> {
        if !matches!(container.kind(), "constant" | "scope_resolution") {
            return self.target_scope(container);
        }
        let path = constant_path(container, self.src)?;
        let classes = self
            .frame()
            .class
            .and_then(|i| self.classes.get(..=i))
            .unwrap_or_default();
        let defined = classes
            .iter()
            .rev()
            .map(|c| (AssignScope::Class, Self::qualify(&c.qname, &path)))
            .chain([(AssignScope::Module, Self::qualify(self.module, &path))])
            .find(|(_, name)| self.constants.contains(name));
        Some(match defined {
            Some((scope, name)) => (scope, Some(name)),
            None => (AssignScope::Module, Some(path)),
        })
    }

    /// The subscript of `x[k]` as written, whitespace removed (`k`; `a,b`
    /// for `x[a, b]`).
    fn subscript_key(&self, target: Node) -> String {
        let object = target.child_by_field_id(fields().object).map(|o| o.id());
        let mut key = String::new();
        let mut cursor = target.walk();
        for child in target.named_children(&mut cursor) {
            if Some(child.id()) == object || child.kind() == "comment" {
                continue;
            }
            if !key.is_empty() {
                key.push(',');
            }
            key.push_str(&tree::compact(child, self.src, MAX_ARG));
        }
        key
    }
}
