//! Naming functions and classes from where they sit: declarations,
//! bound expressions, object-literal members, class members, exports.

use super::kinds::{Field, Kind};
use super::resolve::unquote;
use super::scope::Binding;
use super::walker::Walker;
use crate::facts::FunctionKind;
use crate::lang::tree;
use tree_sitter::Node;

/// Longest parent name a closure's name is built on.
const MAX_QNAME: usize = 160;

/// How a function is named and what `this` means inside it.
#[derive(Debug)]
pub(super) struct Naming {
    /// Name as written (`<lambda>` for anonymous functions).
    pub name: String,
    /// Qualified name.
    pub qname: String,
    /// What kind of definition.
    pub kind: FunctionKind,
    /// Enclosing class name, for methods.
    pub class: Option<String>,
    /// What `this.m` names inside it.
    pub this_q: Option<String>,
    /// The class context whose fields `this.x` reads.
    pub class_index: Option<usize>,
}

impl<'a, 't> Walker<'a, 't> {
    /// Name a function from its syntax and where it sits.
    pub(super) fn function_naming(&self, node: Node<'t>, kind: Kind) -> Naming {
        let own_name = self.field(node, Field::Name).map(|n| self.text_of(n));
        match kind {
            Kind::FunctionDeclaration => {
                let name = own_name.unwrap_or("default");
                let qname = if self.ancestor(0).is_some_and(|p| self.is_default_export(p)) {
                    format!("{}.default", self.module)
                } else {
                    self.member_qname(name)
                };
                self.named(name, qname, None)
            }
            Kind::Method => {
                let name = self
                    .field(node, Field::Name)
                    .map_or("<method>", |n| unquote(self.text_of(n)));
                match self.ancestor(0).map(|p| self.kind(p)) {
                    Some(Kind::ClassBody) => self.class_member(name),
                    _ => self.object_member(name, 0, node),
                }
            }
            _ => self.expression_naming(node, own_name),
        }
    }

    /// Name a function expression or arrow from its parent.
    fn expression_naming(&self, node: Node<'t>, own_name: Option<&str>) -> Naming {
        let Some(parent) = self.ancestor(0) else {
            return self.closure(node, own_name);
        };
        match self.kind(parent) {
            Kind::Declarator => {
                let name = self.field(parent, Field::Name);
                match name.filter(|n| self.kind(*n) == Kind::Identifier) {
                    Some(n) => {
                        let name = self.text_of(n);
                        self.named(name, self.member_qname(name), self.arrow_this(node))
                    }
                    None => self.closure(node, own_name),
                }
            }
            Kind::Pair => {
                let key = self
                    .field(parent, Field::Key)
                    .map(|k| unquote(self.text_of(k)));
                match key {
                    Some(key) => self.object_member(key, 1, node),
                    None => self.closure(node, own_name),
                }
            }
            Kind::Field => {
                let name = self
                    .field(parent, Field::Name)
                    .or_else(|| self.field(parent, Field::Property))
                    .map_or("<field>", |n| self.text_of(n));
                self.class_member(name)
            }
            Kind::Assignment => self.assigned_naming(node, parent, own_name),
            Kind::Export if self.is_default_export(parent) => {
                self.named("default", format!("{}.default", self.module), None)
            }
            _ => self.closure(node, own_name),
        }
    }

    /// Name a function assigned to a name or property.
    fn assigned_naming(&self, node: Node<'t>, assign: Node<'t>, own_name: Option<&str>) -> Naming {
        let Some(left) = self.field(assign, Field::Left) else {
            return self.closure(node, own_name);
        };
        if self.kind(left) == Kind::Identifier {
            let name = self.text_of(left);
            return self.named(name, self.member_qname(name), self.arrow_this(node));
        }
        let module = self.module;
        if let Some(name) = self.exported_as(assign) {
            return self.named(&name, format!("{module}.{name}"), None);
        }
        let target = tree::compact(left, self.text, 200);
        let last = target.rsplit('.').next().unwrap_or("").to_string();
        if let Some((class, method)) = target.split_once(".prototype.") {
            if !method.contains('.') {
                let class_q = match self.lookup(class) {
                    Some(Binding::Known(q)) => q.clone(),
                    _ => self.member_qname(class),
                };
                return Naming {
                    name: method.to_string(),
                    qname: format!("{class_q}.{method}"),
                    kind: FunctionKind::Method,
                    class: Some(class.to_string()),
                    this_q: Some(class_q),
                    class_index: None,
                };
            }
        }
        if let Some(field) = target.strip_prefix("this.").filter(|f| !f.contains('.')) {
            if let Some(q) = self.current().this_q.clone() {
                let class = self.current().class.and_then(|c| self.classes.get(c));
                return Naming {
                    name: field.to_string(),
                    qname: format!("{q}.{field}"),
                    kind: FunctionKind::Method,
                    class: class.map(|c| c.name.clone()),
                    this_q: Some(q),
                    class_index: self.current().class,
                };
            }
        }
        match self.resolve_value(left) {
            Some(q) if q.starts_with(module) && q.as_bytes().get(module.len()) == Some(&b'.') => {
                self.named(&last, q, None)
            }
            _ => self.closure(node, own_name),
        }
    }

    /// The name an assignment exports its value as: `default` for
    /// `module.exports = ..`, `x` for `exports.x = ..` / `module.exports.x = ..`.
    pub(super) fn exported_as(&self, assign: Node<'t>) -> Option<String> {
        let left = self.field(assign, Field::Left)?;
        if self.kind(left) != Kind::Member {
            return None;
        }
        let target = tree::compact(left, self.text, 200);
        if target == "module.exports" {
            return Some("default".to_string());
        }
        target
            .strip_prefix("module.exports.")
            .or_else(|| target.strip_prefix("exports."))
            .filter(|rest| !rest.contains('.'))
            .map(str::to_string)
    }

    /// A method of the innermost class.
    fn class_member(&self, name: &str) -> Naming {
        let index = self.classes.len().checked_sub(1);
        let class = index.and_then(|i| self.classes.get(i));
        let class_q = class.map_or_else(|| self.module.to_string(), |c| c.qname.clone());
        Naming {
            name: name.to_string(),
            qname: format!("{class_q}.{name}"),
            kind: FunctionKind::Method,
            class: class.map(|c| c.name.clone()),
            this_q: Some(class_q),
            class_index: index,
        }
    }

    /// A method of an object literal, `depth` levels above the function (0
    /// for a method, 1 for `key: function`). Named objects give
    /// `module.object.key`; others make the function a closure.
    fn object_member(&self, name: &str, depth: usize, node: Node<'t>) -> Naming {
        match self.object_qname(depth) {
            Some(object) => Naming {
                name: name.to_string(),
                qname: format!("{object}.{name}"),
                kind: FunctionKind::Method,
                class: None,
                this_q: Some(object),
                class_index: None,
            },
            None => {
                let mut closure = self.closure(node, Some(name));
                closure.name = name.to_string();
                closure
            }
        }
    }

    /// The qualified name of the object literal at ancestor `depth`, when it
    /// is bound to a name (`const api = {..}`, `module.exports = {..}`,
    /// `export default {..}`), with the keys of enclosing objects.
    fn object_qname(&self, depth: usize) -> Option<String> {
        let mut keys: Vec<&str> = Vec::new();
        let mut at = depth;
        for _ in 0..8 {
            if self.kind(self.ancestor(at)?) != Kind::Object {
                return None;
            }
            let parent = self.ancestor(at + 1)?;
            match self.kind(parent) {
                Kind::Pair => {
                    keys.push(unquote(self.text_of(self.field(parent, Field::Key)?)));
                    at += 2;
                }
                Kind::Wrapper => at += 1,
                Kind::Declarator => {
                    let name = self.field(parent, Field::Name)?;
                    if self.kind(name) != Kind::Identifier {
                        return None;
                    }
                    let base = self.member_qname(self.text_of(name));
                    return Some(join_keys(base, &keys));
                }
                Kind::Export if self.is_default_export(parent) => {
                    return Some(join_keys(format!("{}.default", self.module), &keys));
                }
                Kind::Assignment => {
                    let left = tree::compact(self.field(parent, Field::Left)?, self.text, 200);
                    let base = if left == "module.exports" {
                        self.module.to_string()
                    } else if let Some(name) = left.strip_prefix("exports.") {
                        format!("{}.{name}", self.module)
                    } else {
                        return None;
                    };
                    return Some(join_keys(base, &keys));
                }
                _ => return None,
            }
        }
        None
    }

    /// A named free function (declaration or bound expression).
    fn named(&self, name: &str, qname: String, this_q: Option<String>) -> Naming {
        Naming {
            name: name.to_string(),
            qname,
            kind: FunctionKind::Function,
            class: None,
            this_q,
            class_index: None,
        }
    }

    /// An anonymous function: `parent.<lambda>@LINE`.
    fn closure(&self, node: Node<'t>, own_name: Option<&str>) -> Naming {
        let line = node.start_position().row + 1;
        let parent = &self.current().qname;
        // Deeply nested closures would make names quadratic in size: past a
        // length, they are named from the module with the column added.
        let qname = if parent.len() <= MAX_QNAME {
            format!("{parent}.<lambda>@{line}")
        } else {
            let column = node.start_position().column + 1;
            format!("{}.<lambda>@{line}:{column}", self.module)
        };
        Naming {
            name: own_name.unwrap_or("<lambda>").to_string(),
            qname,
            kind: FunctionKind::Closure,
            class: None,
            this_q: self.arrow_this(node),
            class_index: if self.kind(node) == Kind::Arrow {
                self.current().class
            } else {
                None
            },
        }
    }

    /// What `this` is inside an arrow function: its parent's `this`.
    fn arrow_this(&self, node: Node) -> Option<String> {
        (self.kind(node) == Kind::Arrow)
            .then(|| self.current().this_q.clone())
            .flatten()
    }

    /// The qualified name a name declared here gets: `module.name` at
    /// module level (`module.default` for the default export), else
    /// `function.name`.
    pub(super) fn member_qname(&self, name: &str) -> String {
        if self.at_module_level() {
            if self.default_name.as_deref() == Some(name) {
                format!("{}.default", self.module)
            } else {
                format!("{}.{name}", self.module)
            }
        } else {
            format!("{}.{name}", self.current().qname)
        }
    }

    /// Whether a node is `export default ...`.
    pub(super) fn is_default_export(&self, node: Node) -> bool {
        if self.kind(node) != Kind::Export {
            return false;
        }
        let mut cursor = node.walk();
        let found = node.children(&mut cursor).any(|c| c.kind() == "default");
        found
    }
}
fn join_keys(base: String, keys: &[&str]) -> String {
    let mut out = base;
    for key in keys.iter().rev() {
        out.push('.');
        out.push_str(key);
    }
    out
}
