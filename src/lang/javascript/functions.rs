//! Functions, methods, closures and classes: their names, decorators,
//! parameters, and the contexts the walk enters for them.

use super::kinds::{Field, Kind};
use super::literals::is_function;
use super::resolve::{unquote, Use};
use super::scope::{Binding, Scope};
use super::walker::{ActiveLoop, ClassCtx, FnCtx, Walker};
use crate::facts::{ArgValue, Class, Function, FunctionId, FunctionKind};
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
    /// A function-like node: record it and enter its context.
    pub(super) fn enter_function(&mut self, node: Node<'t>) {
        let kind = self.kind(node);
        let naming = self.function_naming(node, kind);
        if kind == Kind::FunctionDeclaration && !self.at_module_level() {
            let known = Binding::Known(naming.qname.clone());
            self.bind(&naming.name, known);
        }
        let decorators = if kind == Kind::Method {
            self.method_decorators(node)
        } else {
            Vec::new()
        };
        let id = self.facts.functions.len() as FunctionId;
        let passed_to = self.passed_to(node, id);
        let handler = self
            .handler_for(node, &naming, &decorators)
            .map(str::to_string);
        let inherited = self.inherited_loops(node, passed_to.is_some());
        self.facts.functions.push(Function {
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

    /// Name a function from its syntax and where it sits.
    fn function_naming(&self, node: Node<'t>, kind: Kind) -> Naming {
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

    /// The call a function expression is passed to as an argument; its
    /// argument value is set to this function.
    fn passed_to(&mut self, node: Node<'t>, id: FunctionId) -> Option<u32> {
        if !is_function(self.kind(node)) {
            return None;
        }
        let open = self.open_call_of_argument(0)?;
        let call = &self.calls[open];
        let index = call
            .closures
            .iter()
            .find(|(start, _)| *start == node.start_byte())
            .map(|(_, i)| *i)?;
        let call_id = call.id;
        let arg = self
            .facts
            .calls
            .get_mut(call_id as usize)
            .and_then(|c| c.args.get_mut(index))?;
        arg.value = ArgValue::Closure(id);
        Some(call_id)
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

    /// Decorators of a method: TypeScript puts them before the method in
    /// the class body, JavaScript inside the method node.
    fn method_decorators(&mut self, node: Node<'t>) -> Vec<String> {
        let mut decorators = std::mem::take(&mut self.pending_decorators);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if self.kind(child) == Kind::Decorator {
                decorators.extend(self.decorator_name(child));
            }
        }
        decorators
    }

    /// A decorator seen during the walk: TypeScript class-body decorators
    /// wait for the member they decorate.
    pub(super) fn note_decorator(&mut self, node: Node<'t>) {
        if self.ancestor(0).map(|p| self.kind(p)) == Some(Kind::ClassBody) {
            if let Some(name) = self.decorator_name(node) {
                self.pending_decorators.push(name);
            }
        }
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
        self.pending_decorators.clear();
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
        let mut decorators = Vec::new();
        for holder in [parent.filter(|p| self.kind(*p) == Kind::Export), Some(node)]
            .into_iter()
            .flatten()
        {
            let mut cursor = holder.walk();
            for child in holder.children(&mut cursor) {
                if self.kind(child) == Kind::Decorator {
                    decorators.extend(self.decorator_name(child));
                }
            }
        }
        let bases = self.class_bases(node);
        self.facts.classes.push(Class {
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

fn join_keys(base: String, keys: &[&str]) -> String {
    let mut out = base;
    for key in keys.iter().rev() {
        out.push('.');
        out.push_str(key);
    }
    out
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
