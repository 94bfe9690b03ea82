//! Module-level bindings read before the walk: imports and function and
//! class declarations are visible in the whole file (hoisted), and functions
//! usually use module-level constants declared further down.

use super::kinds::{Field, Kind};
use super::resolve::{module_ref, unquote};
use super::scope::Binding;
use super::walker::Walker;
use crate::facts::Import;
use crate::lang::tree;
use tree_sitter::Node;

impl<'a, 't> Walker<'a, 't> {
    /// Read the top-level statements for module-level bindings.
    pub(super) fn hoist(&mut self, root: Node<'t>) {
        let mut cursor = root.walk();
        let top: Vec<Node<'t>> = root.named_children(&mut cursor).collect();
        for &stmt in &top {
            self.find_default_name(stmt);
        }
        for &stmt in &top {
            self.hoist_declaration(stmt);
        }
        for &stmt in &top {
            let decl = match self.kind(stmt) {
                Kind::Export => self.field(stmt, Field::Declaration),
                _ => Some(stmt),
            };
            if let Some(decl) = decl.filter(|d| self.kind(*d) == Kind::Declaration) {
                let mut cursor = decl.walk();
                let declarators: Vec<Node<'t>> = decl.named_children(&mut cursor).collect();
                for d in declarators {
                    if self.kind(d) == Kind::Declarator {
                        self.bind_declarator(d);
                    }
                }
            }
        }
    }

    /// Learn which local name is the module's default export.
    fn find_default_name(&mut self, stmt: Node<'t>) {
        match self.kind(stmt) {
            Kind::Export if self.field(stmt, Field::Source).is_none() => {
                if self.is_default_export(stmt) {
                    let named = self
                        .field(stmt, Field::Value)
                        .filter(|v| self.kind(*v) == Kind::Identifier)
                        .or_else(|| {
                            self.field(stmt, Field::Declaration)
                                .and_then(|d| self.field(d, Field::Name))
                        });
                    if let Some(n) = named {
                        self.default_name = Some(self.text_of(n).to_string());
                    }
                    return;
                }
                let mut cursor = stmt.walk();
                let clause = stmt
                    .named_children(&mut cursor)
                    .find(|c| c.kind() == "export_clause");
                let Some(clause) = clause else { return };
                let mut cursor = clause.walk();
                for spec in clause.named_children(&mut cursor) {
                    let alias = self.field(spec, Field::Alias).map(|a| self.text_of(a));
                    if alias == Some("default") {
                        if let Some(name) = self.field(spec, Field::Name) {
                            self.default_name = Some(self.text_of(name).to_string());
                        }
                    }
                }
            }
            _ if stmt.kind() == "expression_statement" => {
                let Some(assign) = super::resolve::first_named(stmt) else {
                    return;
                };
                if self.kind(assign) != Kind::Assignment {
                    return;
                }
                let left = self.field(assign, Field::Left);
                let right = self.field(assign, Field::Right);
                if let (Some(left), Some(right)) = (left, right) {
                    if tree::compact(left, self.text, 40) == "module.exports"
                        && self.kind(right) == Kind::Identifier
                    {
                        self.default_name = Some(self.text_of(right).to_string());
                    }
                }
            }
            _ => {}
        }
    }

    /// Bind imports and declared functions and classes.
    fn hoist_declaration(&mut self, stmt: Node<'t>) {
        match self.kind(stmt) {
            Kind::Import => self.import_statement(stmt),
            Kind::Export => {
                if let Some(source) = self.field(stmt, Field::Source) {
                    self.re_exports(stmt, source);
                } else if let Some(decl) = self.field(stmt, Field::Declaration) {
                    self.hoist_declaration(decl);
                }
            }
            Kind::FunctionDeclaration | Kind::Class => {
                if let Some(name) = self.field(stmt, Field::Name) {
                    let name = self.text_of(name);
                    let qname = self.member_qname(name);
                    self.bind(name, Binding::Known(qname));
                }
            }
            _ => {}
        }
    }

    /// `import d, { a as b } from 'm'`, `import * as ns from 'm'`,
    /// `import x = require('m')`.
    fn import_statement(&mut self, stmt: Node<'t>) {
        let mut cursor = stmt.walk();
        let children: Vec<Node<'t>> = stmt.named_children(&mut cursor).collect();
        let source = self.field(stmt, Field::Source);
        for child in children {
            match child.kind() {
                "import_clause" => {
                    let Some(source) = source else { continue };
                    let module = module_ref(unquote(self.text_of(source)), self.module);
                    self.import_clause(child, &module.target, module.relative, stmt);
                }
                "import_require_clause" => {
                    let source = self.field(child, Field::Source);
                    let local = super::resolve::first_named(child);
                    if let (Some(source), Some(local)) = (source, local) {
                        let module = module_ref(unquote(self.text_of(source)), self.module);
                        let local = self.text_of(local);
                        self.push_import(module.target.clone(), local, stmt);
                        self.bind(local, module.binding());
                    }
                }
                _ => {}
            }
        }
    }

    fn import_clause(&mut self, clause: Node<'t>, target: &str, relative: bool, stmt: Node) {
        let mut cursor = clause.walk();
        let parts: Vec<Node<'t>> = clause.named_children(&mut cursor).collect();
        for part in parts {
            match part.kind() {
                "identifier" => {
                    let full = if relative {
                        format!("{target}.default")
                    } else {
                        target.to_string()
                    };
                    self.import_binding(full, self.text_of(part), stmt);
                }
                "namespace_import" => {
                    if let Some(local) = super::resolve::first_named(part) {
                        self.import_binding(target.to_string(), self.text_of(local), stmt);
                    }
                }
                "named_imports" => {
                    let mut cursor = part.walk();
                    let specs: Vec<Node<'t>> = part.named_children(&mut cursor).collect();
                    for spec in specs {
                        let Some(name) = self.field(spec, Field::Name) else {
                            continue;
                        };
                        let local = self.field(spec, Field::Alias).unwrap_or(name);
                        let full = format!("{target}.{}", unquote(self.text_of(name)));
                        self.import_binding(full, self.text_of(local), stmt);
                    }
                }
                _ => {}
            }
        }
    }

    fn import_binding(&mut self, target: String, local: &'a str, stmt: Node) {
        self.bind(local, Binding::Known(target.clone()));
        self.push_import(target, local, stmt);
    }

    /// `export { a as b } from './x'`: recorded as imports bound to the
    /// exported name, so a module that re-exports can be followed.
    fn re_exports(&mut self, stmt: Node<'t>, source: Node<'t>) {
        let module = module_ref(unquote(self.text_of(source)), self.module);
        let mut cursor = stmt.walk();
        let clause = stmt
            .named_children(&mut cursor)
            .find(|c| c.kind() == "export_clause");
        let Some(clause) = clause else { return };
        let mut cursor = clause.walk();
        let specs: Vec<Node<'t>> = clause.named_children(&mut cursor).collect();
        for spec in specs {
            let Some(name) = self.field(spec, Field::Name) else {
                continue;
            };
            let exported = self.field(spec, Field::Alias).unwrap_or(name);
            let target = format!("{}.{}", module.target, unquote(self.text_of(name)));
            self.facts.imports.push(Import {
                target,
                local: unquote(self.text_of(exported)).to_string(),
                span: self.span(stmt),
            });
        }
    }
}
