//! Bindings: imports, assignments, `with ... as`, annotations, and the
//! pre-scan of module-level names.

use super::kinds::{Field, NodeExt};
use super::scope::{self, Binding};
use super::{handlers, Extractor};
use crate::facts::Import;
use crate::lang::tree;
use tree_sitter::Node;

/// How far `a = b = (await (f()))` is looked through for the value.
const MAX_UNWRAP: usize = 16;

impl<'s, 't> Extractor<'s, 't> {
    /// Bind the module's top-level names before the walk: imports,
    /// definitions and assignments, also inside top-level `if`/`try`/`with`
    /// blocks, so functions see names defined below them.
    pub(super) fn prescan(&mut self, root: Node<'t>) {
        tree::walk(root, |node| match node.kind() {
            "module"
            | "block"
            | "expression_statement"
            | "decorated_definition"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "try_statement"
            | "except_clause"
            | "finally_clause"
            | "with_statement"
            | "for_statement"
            | "while_statement" => true,
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                let pairs = self.imports_of(node);
                for (target, local) in &pairs {
                    self.note_framework(target);
                    if let Some((name, binding)) = import_binding(target, local) {
                        self.scopes[0].bind(name, binding);
                    }
                }
                self.prescanned.push((node.id(), pairs));
                false
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = node.field(Field::Name) {
                    let name = tree::text(name, self.text);
                    let qname = scope::join(self.module, name);
                    self.scopes[0].bind(name, Binding::Path(qname));
                }
                false
            }
            "assignment" => {
                if let Some((name, binding)) = self.assignment_binding(node) {
                    self.scopes[0].bind(name, binding);
                }
                false
            }
            _ => false,
        });
    }

    fn note_framework(&mut self, target: &str) {
        if self.framework.is_none() {
            self.framework = handlers::framework_of(target).filter(|f| *f != "django");
        }
    }

    /// An import statement: record its bindings as facts and, inside a
    /// function or class, bind them.
    pub(super) fn import(&mut self, node: Node<'t>) {
        let span = self.span(node);
        let prescanned = match self.prescanned.get_mut(self.next_prescanned) {
            Some((id, pairs)) if *id == node.id() => Some(std::mem::take(pairs)),
            _ => None,
        };
        let pairs = match prescanned {
            Some(pairs) => {
                self.next_prescanned += 1;
                pairs
            }
            None => self.imports_of(node),
        };
        for (target, local) in pairs {
            if let Some((name, binding)) = import_binding(&target, &local) {
                self.bind(name, binding);
            }
            self.facts.imports.push(Import {
                target,
                local,
                span,
            });
        }
    }

    /// The (target, local) pairs of an import statement. `import a.b`
    /// gives (`a.b`, `a.b`): the dotted name `a.b` now names module `a.b`.
    /// Relative imports are resolved against this file's package.
    fn imports_of(&mut self, node: Node<'t>) -> Vec<(String, String)> {
        let from = match node.kind() {
            "import_from_statement" => node.field(Field::ModuleName).map(|m| self.module_name(m)),
            "future_import_statement" => Some("__future__".to_string()),
            _ => None,
        };
        let module_node = node.field(Field::ModuleName).map(|m| m.id());
        let mut pairs = Vec::new();
        let mut wildcard = false;
        let mut cursor = self.take_cursor(node);
        for name in node.named_children(&mut cursor) {
            if Some(name.id()) == module_node {
                continue;
            }
            let (target, local) = match name.kind() {
                "wildcard_import" => {
                    wildcard = true;
                    continue;
                }
                "comment" => continue,
                "aliased_import" => {
                    let target = name
                        .field(Field::Name)
                        .map_or(String::new(), |n| tree::compact(n, self.text, 400));
                    let alias = name
                        .field(Field::Alias)
                        .map_or(String::new(), |n| tree::text(n, self.text).to_string());
                    (target, alias)
                }
                _ => {
                    let dotted = tree::compact(name, self.text, 400);
                    (dotted.clone(), dotted)
                }
            };
            let target = match &from {
                Some(module) => scope::join(module, &target),
                None => target,
            };
            pairs.push((target, local));
        }
        self.put_cursor(cursor);
        if let (true, Some(module)) = (wildcard, &from) {
            pairs.push((scope::join(module, "*"), "*".to_string()));
        }
        pairs
    }

    /// The module an `import ... from` names, relative imports resolved.
    fn module_name(&self, node: Node) -> String {
        if node.kind() != "relative_import" {
            return tree::compact(node, self.text, 400);
        }
        let mut level = 0;
        let mut rest = String::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "import_prefix" => level = tree::text(child, self.text).matches('.').count(),
                _ => rest = tree::compact(child, self.text, 400),
            }
        }
        let base = scope::relative_base(self.module, self.is_package, level);
        scope::join(base, &rest)
    }

    /// On leaving an assignment, walrus or `with` item: bind its target.
    pub(super) fn bind_node(&mut self, node: Node) {
        match node.kind() {
            "assignment" => self.assign(node),
            "named_expression" => {
                let name = node.field(Field::Name);
                let value = node.field(Field::Value);
                if let (Some(name), Some(value)) = (name, value) {
                    let binding = self.value_binding(value);
                    self.bind(tree::text(name, self.text), binding);
                }
            }
            _ => self.with_item(node),
        }
    }

    fn assign(&mut self, node: Node) {
        let Some(left) = node.field(Field::Left) else {
            return;
        };
        match left.kind() {
            "identifier" => {
                if let Some((name, binding)) = self.assignment_binding(node) {
                    if let Some(class) = self.scope().class {
                        self.set_attr(class, name, binding.clone());
                    }
                    self.bind(name, binding);
                }
            }
            "attribute" => self.assign_attribute(node, left),
            _ => self.bind_targets(left),
        }
    }

    /// `self.x = requests.Session()` in a method types `self.x` for the class.
    fn assign_attribute(&mut self, node: Node, left: Node) {
        let object = left.field(Field::Object);
        let attr = left.field(Field::Attribute);
        let (Some(object), Some(attr)) = (object, attr) else {
            return;
        };
        if object.kind() != "identifier" {
            return;
        }
        let Some(Binding::SelfOf(class)) =
            scope::lookup(&self.scopes, tree::text(object, self.text)).cloned()
        else {
            return;
        };
        let value = self.assigned_value(node);
        if value.is_some_and(|v| v.kind() == "none") {
            return;
        }
        let binding = self.typed_binding(value, node.field(Field::Type));
        self.set_attr(class, tree::text(attr, self.text), binding);
    }

    /// Record an attribute's type; two different types make it unknown.
    fn set_attr(&mut self, class: usize, attr: &str, binding: Binding) {
        let Some(class) = self.classes.get_mut(class) else {
            return;
        };
        match class.attrs.get_mut(attr) {
            Some(old) if *old != binding => *old = Binding::Unknown,
            Some(_) => {}
            None => {
                class.attrs.insert(attr.to_string(), binding);
            }
        }
    }

    /// The name an assignment to a plain name binds, and to what.
    fn assignment_binding(&self, node: Node) -> Option<(&'s str, Binding)> {
        let left = node.field(Field::Left)?;
        if left.kind() != "identifier" {
            return None;
        }
        let value = self.assigned_value(node);
        let binding = self.typed_binding(value, node.field(Field::Type));
        Some((tree::text(left, self.text), binding))
    }

    /// The value of `a = b = value`.
    pub(super) fn assigned_value<'n>(&self, node: Node<'n>) -> Option<Node<'n>> {
        let mut value = node.field(Field::Right)?;
        for _ in 0..MAX_UNWRAP {
            if value.kind() != "assignment" {
                break;
            }
            value = value.field(Field::Right)?;
        }
        Some(value)
    }

    /// The binding of an annotated or plain value: the annotation says
    /// more than the value when it names a class.
    fn typed_binding(&self, value: Option<Node>, annotation: Option<Node>) -> Binding {
        match annotation.map(|a| self.annotation(a)) {
            Some(Binding::Unknown) | None => {
                value.map_or(Binding::Unknown, |v| self.value_binding(v))
            }
            Some(typed) => typed,
        }
    }

    /// `with X(...) as v` / `async with`: `v` gets the type of `X(...)`.
    fn with_item(&mut self, node: Node) {
        let Some(value) = node.field(Field::Value) else {
            return;
        };
        if value.kind() != "as_pattern" {
            return;
        }
        let expr = value.named_child(0);
        let Some(target) = value.field(Field::Alias) else {
            return;
        };
        match target.named_child(0) {
            Some(name) if name.kind() == "identifier" => {
                let binding = expr.map_or(Binding::Unknown, |e| self.value_binding(e));
                self.bind(tree::text(name, self.text), binding);
            }
            _ => self.bind_targets(target),
        }
    }

    /// What a name assigned from `node` stands for: the resolved chain of a
    /// call (`requests.Session()`), name or attribute, through `await` and
    /// parentheses; a copy of another name's binding.
    pub(super) fn value_binding(&self, node: Node) -> Binding {
        let mut node = node;
        for _ in 0..MAX_UNWRAP {
            match node.kind() {
                "await" | "parenthesized_expression" => match node.named_child(0) {
                    Some(inner) => node = inner,
                    None => return Binding::Unknown,
                },
                _ => break,
            }
        }
        match node.kind() {
            "identifier" => {
                let name = tree::text(node, self.text);
                scope::lookup(&self.scopes, name)
                    .cloned()
                    .unwrap_or_else(|| Binding::Path(name.to_string()))
            }
            "attribute" | "call" | "subscript" => Binding::path(self.resolve_node(node)),
            _ => Binding::Unknown,
        }
    }

    /// The binding an annotation gives: an instance of the annotated class
    /// (`s: requests.Session` → `requests.Session()`), looking through
    /// `Optional[X]` and `X | None`.
    pub(super) fn annotation(&self, node: Node) -> Binding {
        let mut node = node;
        for _ in 0..MAX_UNWRAP {
            node = match node.kind() {
                "type" => match node.named_child(0) {
                    Some(inner) => inner,
                    None => return Binding::Unknown,
                },
                "generic_type" | "subscript" if self.is_optional(node) => {
                    match optional_inner(node) {
                        Some(inner) => inner,
                        None => return Binding::Unknown,
                    }
                }
                "union_type" | "binary_operator" => match node.named_child(0) {
                    Some(inner) => inner,
                    None => return Binding::Unknown,
                },
                _ => break,
            };
        }
        match node.kind() {
            "identifier" | "attribute" => {
                Binding::path(self.resolve_node(node).map(|path| path + "()"))
            }
            _ => Binding::Unknown,
        }
    }

    fn is_optional(&self, node: Node) -> bool {
        node.named_child(0)
            .is_some_and(|n| tree::text(n, self.text).ends_with("Optional"))
    }
}

/// The `X` of `Optional[X]`.
fn optional_inner(node: Node) -> Option<Node> {
    let last = node.named_child(node.named_child_count().checked_sub(1)?)?;
    match last.kind() {
        "type_parameter" => last.named_child(0),
        _ => Some(last),
    }
}

/// The name an import binds and what it stands for: `import a.b` binds
/// `a` to `a`; `from m import x as y` binds `y` to `m.x`.
fn import_binding<'a>(target: &str, local: &'a str) -> Option<(&'a str, Binding)> {
    if local == "*" || local.is_empty() {
        return None;
    }
    match local.split_once('.') {
        Some((first, _)) => Some((first, Binding::Path(first.to_string()))),
        None => Some((local, Binding::Path(target.to_string()))),
    }
}
