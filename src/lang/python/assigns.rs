//! Assignments as facts: what is stored where. Module and class level
//! always; inside functions when the target is a plain name, `self.x` /
//! `cls.x`, or a subscript of either. (What a name stands for afterwards is
//! `bindings.rs`'s business.)

use super::kinds::{self, Field, Kind, NodeExt};
use super::scope::{self, Binding, ScopeKind};
use super::values::{truncate, MAX_TEXT};
use super::Extractor;
use crate::facts::{ArgValue, Assign, AssignOp, AssignScope};
use crate::lang::tree;
use tree_sitter::Node;

/// Most names read from one unpacking target (`a, (b, *c) = ...`).
const MAX_TARGETS: usize = 64;

/// Where an assignment stores, before it becomes a fact.
struct Target {
    written: String,
    resolved: Option<String>,
    op: AssignOp,
    key: Option<String>,
}

impl<'t> Extractor<'_, 't> {
    /// `x = v`, `x: T = v`, `x: T`, `a, b = v` (one fact per name, no
    /// value), `x += v` (`op` = `Augmented`; a subscript target stays
    /// `Subscript`). Called when the walk enters the statement, before
    /// anything in the value is read.
    pub(super) fn assign_facts(&mut self, node: Node<'t>, op: AssignOp) {
        let Some(left) = node.field(Field::Left) else {
            return;
        };
        let place = self.placement();
        if matches!(
            kinds::of(left),
            Kind::Identifier | Kind::Attribute | Kind::Subscript
        ) {
            let Some(target) = self.target(left, place) else {
                return;
            };
            let annotation = node
                .field(Field::Type)
                .map(|t| tree::compact(t, self.text, MAX_TEXT));
            let value = self.assigned_value(node).map(|v| self.value(v, 0));
            self.push_assign(node, target, op, place, value, annotation);
            return;
        }
        for element in unpacked(left) {
            if let Some(target) = self.target(element, place) {
                self.push_assign(node, target, op, place, None, None);
            }
        }
    }

    /// `del x[k]` (and each subscript of `del a[k], b[j]`): a keyed removal
    /// from the container, recorded as [`AssignOp::Evict`].
    pub(super) fn delete_facts(&mut self, node: Node<'t>) {
        let place = self.placement();
        let mut cursor = node.walk();
        let targets: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        for element in targets.into_iter().flat_map(unpacked) {
            if !element.is(Kind::Subscript) {
                continue;
            }
            if let Some(mut target) = self.target(element, place) {
                target.op = AssignOp::Evict;
                self.push_assign(node, target, AssignOp::Evict, place, None, None);
            }
        }
    }

    /// `x := v`: a local binding (module-level at the top level).
    pub(super) fn walrus_facts(&mut self, node: Node<'t>) {
        let (Some(name), Some(value)) = (node.field(Field::Name), node.field(Field::Value)) else {
            return;
        };
        let place = match self.placement() {
            AssignScope::Class => AssignScope::Local,
            place => place,
        };
        if let Some(target) = self.target(name, place) {
            let value = self.value(value, 0);
            self.push_assign(node, target, AssignOp::Bind, place, Some(value), None);
        }
    }

    /// `global a, b`: later stores to these names in this function are
    /// stores to the module's names.
    pub(super) fn global(&mut self, node: Node) {
        let mut cursor = node.walk();
        for name in node.named_children(&mut cursor) {
            if name.is(Kind::Identifier) {
                let name = tree::text(name, self.text).to_string();
                self.frame_mut().globals.push(name);
            }
        }
    }

    /// Where an assignment here stores.
    fn placement(&self) -> AssignScope {
        if self.scope().kind == ScopeKind::Class {
            AssignScope::Class
        } else if self.frame().func.is_none() {
            AssignScope::Module
        } else {
            AssignScope::Local
        }
    }

    /// The target `left` names, or None when it is not recorded here (an
    /// attribute of anything but `self`/`cls` inside a function, ...).
    fn target(&self, left: Node, place: AssignScope) -> Option<Target> {
        let target = |written: String, resolved| Target {
            written,
            resolved,
            op: AssignOp::Bind,
            key: None,
        };
        match kinds::of(left) {
            Kind::Identifier => {
                let name = tree::text(left, self.text);
                let resolved = match place {
                    AssignScope::Module => Some(scope::join(self.module, name)),
                    AssignScope::Class => self
                        .scope()
                        .class
                        .and_then(|c| self.classes.get(c))
                        .map(|c| scope::join(&c.qname, name)),
                    AssignScope::Local => {
                        self.is_global(name).then(|| scope::join(self.module, name))
                    }
                };
                Some(target(name.to_string(), resolved))
            }
            Kind::Attribute => {
                let written = tree::compact(left, self.text, MAX_TEXT);
                let resolved = match place {
                    AssignScope::Local => Some(self.receiver_attribute(left)?),
                    _ => self.resolve_node(left),
                };
                Some(target(written, resolved))
            }
            Kind::Subscript => {
                let container = left.field(Field::Value)?;
                let mut stored = match kinds::of(container) {
                    Kind::Identifier if place == AssignScope::Local => {
                        let name = tree::text(container, self.text);
                        let global =
                            self.is_global(name) || scope::is_module_level(&self.scopes, name);
                        target(
                            name.to_string(),
                            global.then(|| scope::join(self.module, name)),
                        )
                    }
                    Kind::Identifier | Kind::Attribute => self.target(container, place)?,
                    _ if place != AssignScope::Local => {
                        target(tree::compact(container, self.text, MAX_TEXT), None)
                    }
                    _ => return None,
                };
                stored.op = AssignOp::Subscript;
                stored.key = Some(subscript_key(left, container, self.text));
                Some(stored)
            }
            _ => None,
        }
    }

    /// `self.x` / `cls.x` (or `Class.x` for a class of this file) as
    /// `module.Class.x`.
    fn receiver_attribute(&self, node: Node) -> Option<String> {
        let object = node
            .field(Field::Object)
            .filter(|o| o.is(Kind::Identifier))?;
        let attr = tree::text(node.field(Field::Attribute)?, self.text);
        let class = match scope::lookup(&self.scopes, tree::text(object, self.text))? {
            Binding::SelfOf(class) => &self.classes.get(*class)?.qname,
            Binding::Path(path) if self.classes.iter().any(|c| c.qname == *path) => path,
            _ => return None,
        };
        Some(scope::join(class, attr))
    }

    /// Whether this function declared `name` global.
    fn is_global(&self, name: &str) -> bool {
        self.frame().globals.iter().any(|g| g == name)
    }

    fn push_assign(
        &mut self,
        node: Node,
        target: Target,
        op: AssignOp,
        scope: AssignScope,
        value: Option<ArgValue>,
        annotation: Option<String>,
    ) {
        let frame = self.frame();
        let class = match self.scope().class {
            Some(class) => self.classes.get(class).map(|c| c.name.clone()),
            None => frame
                .func
                .and_then(|f| self.facts.functions.get(f as usize))
                .and_then(|f| f.class.clone()),
        };
        let op = match (target.op, op) {
            (AssignOp::Bind, op) => op,
            (stored, _) => stored,
        };
        // A function's store to a module-level name (after `global`, or a
        // keyed store into a module container) lives at module level.
        let scope = match &target.resolved {
            Some(resolved)
                if scope == AssignScope::Local
                    && !target.written.contains('.')
                    && resolved
                        .strip_prefix(self.module)
                        .and_then(|r| r.strip_prefix('.'))
                        == Some(target.written.as_str()) =>
            {
                AssignScope::Module
            }
            _ => scope,
        };
        let assign = Assign {
            target: target.written,
            resolved: target.resolved,
            scope,
            op,
            key: target.key,
            value,
            annotation,
            decorators: Vec::new(),
            decorator_calls: Vec::new(),
            function: frame.func,
            class,
            loops: frame.loops.clone(),
            span: self.span(node),
        };
        self.facts.assigns.push(assign);
    }
}

/// The names, attributes and subscripts an unpacking target stores into,
/// in order.
fn unpacked(target: Node) -> Vec<Node> {
    let mut out = Vec::new();
    tree::walk(target, |node| match node.kind() {
        "identifier" | "attribute" | "subscript" => {
            if out.len() < MAX_TARGETS {
                out.push(node);
            }
            false
        }
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "tuple"
        | "list"
        | "list_splat_pattern"
        | "list_splat"
        | "parenthesized_expression"
        | "expression_list" => true,
        _ => false,
    });
    out
}

/// The key of `container[key]` as written, brackets and outer blanks left
/// out.
fn subscript_key(node: Node, container: Node, src: &str) -> String {
    let raw = src
        .get(container.end_byte()..node.end_byte())
        .unwrap_or("")
        .trim();
    let inner = raw.strip_prefix('[').unwrap_or(raw);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    truncate(inner.trim()).to_string()
}
