//! Local bindings: declarations, destructuring, assignments and `require`.

use super::kinds::{Field, Kind};
use super::resolve::{first_named, ModuleRef};
use super::scope::Binding;
use super::walker::Walker;
use crate::facts::Import;
use tree_sitter::Node;

/// Most wrappers (`await`, parentheses, `as T`) looked through.
const MAX_UNWRAP: usize = 16;

impl<'a, 't> Walker<'a, 't> {
    /// A declarator met by the walk. Module-level declarations were bound
    /// before the walk (see `hoist`), so only the others are bound here.
    pub(super) fn enter_declarator(&mut self, node: Node<'t>) {
        let hoisted = self.at_module_level()
            && self
                .ancestor(1)
                .is_some_and(|p| matches!(self.kind(p), Kind::Program | Kind::Export));
        if !hoisted {
            self.bind_declarator(node);
        }
    }

    /// Bind the names a declarator declares.
    pub(super) fn bind_declarator(&mut self, decl: Node<'t>) {
        let Some(name) = self.field(decl, Field::Name) else {
            return;
        };
        let value = self.field(decl, Field::Value);
        match self.kind(name) {
            Kind::Identifier => {
                let local = self.text_of(name);
                let binding = match value {
                    Some(v) => self.value_binding(v, local, decl),
                    None => self
                        .field(decl, Field::Type)
                        .and_then(|t| self.type_binding(t))
                        .map_or(Binding::Unknown, Binding::Known),
                };
                let binding = match (binding, self.field(decl, Field::Type)) {
                    (Binding::Unknown, Some(t)) => self
                        .type_binding(t)
                        .map_or(Binding::Unknown, Binding::Known),
                    (b, _) => b,
                };
                self.bind(local, binding);
            }
            _ if name.kind() == "object_pattern" => match value {
                Some(v) => self.destructure(name, v, decl),
                None => self.bind_pattern(name),
            },
            _ => self.bind_pattern(name),
        }
    }

    /// What a name declared with `value` is bound to.
    fn value_binding(&mut self, value: Node<'t>, local: &str, decl: Node) -> Binding {
        let value = self.unwrap(value);
        match self.kind(value) {
            Kind::FunctionExpression | Kind::Arrow | Kind::Class | Kind::Object => {
                Binding::Known(self.member_qname(local))
            }
            Kind::Call | Kind::New | Kind::Member | Kind::Identifier | Kind::Subscript => {
                if let Some((module, direct)) = self.required_in(value) {
                    let resolved = self.resolve_value(value);
                    // `require('debug')('app')` binds a value, not an import.
                    if let Some(target) = resolved.as_ref().filter(|t| !t.contains('(')) {
                        self.push_import(target.clone(), local, decl);
                    }
                    return if direct {
                        module.binding()
                    } else {
                        resolved.map_or(Binding::Unknown, Binding::Known)
                    };
                }
                if self.kind(value) == Kind::Identifier {
                    if let Some(b) = self.lookup(self.text_of(value)) {
                        return b.clone();
                    }
                }
                self.resolve_value(value)
                    .map_or(Binding::Unknown, Binding::Known)
            }
            _ => Binding::Unknown,
        }
    }

    /// `const { a, b: c } = value`: each name bound to a member of what
    /// `value` resolves to.
    fn destructure(&mut self, pattern: Node<'t>, value: Node<'t>, decl: Node) {
        let value = self.unwrap(value);
        let required = self.required_in(value).is_some();
        let Some(base) = self.resolve_value(value) else {
            self.bind_pattern(pattern);
            return;
        };
        let mut cursor = pattern.walk();
        for prop in pattern.named_children(&mut cursor) {
            let (key, local) = match prop.kind() {
                "shorthand_property_identifier_pattern" => (Some(prop), Some(prop)),
                "pair_pattern" => (self.field(prop, Field::Key), self.field(prop, Field::Value)),
                "object_assignment_pattern" => {
                    let left = self.field(prop, Field::Left);
                    (left, left)
                }
                _ => (None, None),
            };
            let (Some(key), Some(local)) = (key, local) else {
                self.bind_pattern(prop);
                continue;
            };
            if !matches!(
                local.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) {
                self.bind_pattern(local);
                continue;
            }
            let target = format!("{base}.{}", super::resolve::unquote(self.text_of(key)));
            let name = self.text_of(local);
            if required {
                self.push_import(target.clone(), name, decl);
            }
            self.bind(name, Binding::Known(target));
        }
    }

    /// Bind every name a pattern declares as unknown.
    pub(super) fn bind_pattern(&mut self, pattern: Node<'t>) {
        for name in self.pattern_names(pattern) {
            let name = self.text_of(name);
            self.bind(name, Binding::Unknown);
        }
    }

    /// The names a pattern declares, in source order: `o`, `[k, v]`,
    /// `{ id, user: u, ...rest }`, with defaults and TypeScript parameter
    /// wrappers looked through.
    pub(super) fn pattern_names(&self, pattern: Node<'t>) -> Vec<Node<'t>> {
        let mut names = Vec::new();
        let mut work = vec![pattern];
        let mut budget = 10_000usize;
        while let Some(node) = work.pop() {
            budget = match budget.checked_sub(1) {
                Some(b) => b,
                None => break,
            };
            match node.kind() {
                "identifier" | "shorthand_property_identifier_pattern" => names.push(node),
                "object_pattern" | "array_pattern" | "rest_pattern" => {
                    let mut cursor = node.walk();
                    let start = work.len();
                    work.extend(node.named_children(&mut cursor));
                    work[start..].reverse();
                }
                "pair_pattern" => work.extend(self.field(node, Field::Value)),
                "assignment_pattern" | "object_assignment_pattern" => {
                    work.extend(self.field(node, Field::Left))
                }
                "required_parameter" | "optional_parameter" => {
                    work.extend(self.field(node, Field::Pattern))
                }
                _ => {}
            }
        }
        names
    }

    /// The names a pattern declares, as text.
    pub(super) fn pattern_texts(&self, pattern: Node<'t>) -> Vec<String> {
        self.pattern_names(pattern)
            .into_iter()
            .map(|n| self.text_of(n).to_string())
            .collect()
    }

    /// `x = value` / `this.x = value`.
    pub(super) fn enter_assignment(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (
            self.field(node, Field::Left),
            self.field(node, Field::Right),
        ) else {
            return;
        };
        match self.kind(left) {
            Kind::Identifier => {
                let name = self.text_of(left);
                let binding = self.value_binding(right, name, node);
                self.rebind(name, binding);
            }
            Kind::Member => {
                let object = self.field(left, Field::Object);
                if object.map(|o| self.kind(o)) != Some(Kind::This) {
                    return;
                }
                let Some(class) = self.current().class else {
                    return;
                };
                let field = self
                    .field(left, Field::Property)
                    .map(|p| self.text_of(p).to_string());
                let value = self.unwrap(right);
                let typed = matches!(self.kind(value), Kind::New | Kind::Call)
                    .then(|| self.resolve_value(value))
                    .flatten();
                if let (Some(field), Some(t), Some(ctx)) =
                    (field, typed, self.classes.get_mut(class))
                {
                    ctx.fields.insert(field, t);
                }
            }
            _ => {}
        }
    }

    /// `catch (e)`: `e` shadows outer names.
    pub(super) fn enter_catch(&mut self, node: Node<'t>) {
        if let Some(p) = self.field(node, Field::Parameter) {
            self.bind_pattern(p);
        }
    }

    /// The module an expression's chain starts from, when it starts with
    /// `require('x')` / `import('x')`; `direct` when it is that call itself.
    pub(super) fn required_in(&self, node: Node<'t>) -> Option<(ModuleRef, bool)> {
        let mut cur = node;
        let mut direct = true;
        for _ in 0..MAX_UNWRAP {
            match self.kind(cur) {
                Kind::Call => {
                    let function = self.field(cur, Field::Function)?;
                    let is_require = match self.kind(function) {
                        Kind::ImportKeyword => true,
                        Kind::Identifier => {
                            self.text_of(function) == "require" && self.lookup("require").is_none()
                        }
                        _ => false,
                    };
                    if is_require {
                        return self.required_module(cur).map(|m| (m, direct));
                    }
                    return None;
                }
                Kind::Member => {
                    direct = false;
                    cur = self.field(cur, Field::Object)?;
                }
                Kind::Wrapper | Kind::Await => cur = first_named(cur)?,
                _ => return None,
            }
        }
        None
    }

    /// Record an import binding.
    pub(super) fn push_import(&mut self, target: String, local: &str, at: Node) {
        self.note_framework(&target);
        self.facts.imports.push(Import {
            target,
            local: local.to_string(),
            span: self.span(at),
        });
    }
}
