//! Items: modules, the names they declare (`use`, `fn`, `struct`, `type`),
//! functions and methods with their attributes, structs and enums.

use super::scope::{Layer, LayerKind};
use super::visit::Extractor;
use crate::facts::{Class, Function, FunctionKind, Import};
use proc_macro2::Span as TokenSpan;
use std::collections::HashMap;
use syn::parse::ParseStream;
use syn::visit::{self, Visit};
use syn::{
    Attribute, Block, FnArg, Ident, Item, Path, Signature, Stmt, Token, UseTree, Visibility,
};

/// Attribute names that mark a request handler (actix-web, Rocket).
const ROUTE_ATTRIBUTES: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "route", "routes", "catch",
];

/// Attributes whose keys are reported too (`diesel(table_name = ..)` →
/// `diesel`, `diesel::table_name`).
const KEYED_ATTRIBUTES: &[&str] = &["diesel", "sea_orm", "cached"];

impl Extractor<'_> {
    /// Walks the items of a module (a file or an inline `mod`).
    pub(super) fn module(&mut self, module: &str, items: &[Item]) {
        self.scopes
            .push_layer(Layer::new(LayerKind::Module, module));
        let prefix = std::mem::replace(&mut self.prefix, module.to_string());
        self.declare(items.iter());
        for item in items {
            self.item(item);
        }
        self.prefix = prefix;
        self.scopes.pop_layer();
    }

    /// Declares the items of a block in a new layer, if it has any; returns
    /// whether a layer was pushed.
    pub(super) fn block_items(&mut self, stmts: &[Stmt]) -> bool {
        let items = || {
            stmts.iter().filter_map(|s| match s {
                Stmt::Item(item) if !matches!(item, Item::Macro(_) | Item::Impl(_)) => Some(item),
                _ => None,
            })
        };
        if items().next().is_none() {
            return false;
        }
        let module = self.scopes.module().to_string();
        self.scopes
            .push_layer(Layer::new(LayerKind::Block, &module));
        self.declare(items());
        true
    }

    /// Declares names, imports, type aliases and struct fields, in that
    /// order (imports may name items; aliases and fields use imports).
    fn declare<'a>(&mut self, items: impl Iterator<Item = &'a Item> + Clone) {
        for item in items.clone() {
            if let Some(ident) = item_name(item) {
                let name = ident.to_string();
                let qname = format!("{}.{name}", self.prefix);
                self.scopes.add_item(name, qname);
            }
        }
        for item in items.clone() {
            match item {
                Item::Use(u) => self.declare_use(u),
                Item::ExternCrate(e) => self.declare_extern_crate(e),
                _ => {}
            }
        }
        for item in items.clone() {
            if let Item::Type(alias) = item {
                if let Some(ty) = self.scopes.resolve_type(&alias.ty) {
                    self.scopes.add_alias(alias.ident.to_string(), ty);
                }
            }
        }
        for item in items {
            if let Item::Struct(s) = item {
                let fields: HashMap<String, String> = s
                    .fields
                    .iter()
                    .filter_map(|f| {
                        Some((
                            f.ident.as_ref()?.to_string(),
                            self.scopes.resolve_type(&f.ty)?,
                        ))
                    })
                    .collect();
                if !fields.is_empty() {
                    self.scopes.add_fields(s.ident.to_string(), fields);
                }
            }
        }
    }

    /// Declares (and records) every binding of a `use` tree, walking it
    /// without recursion.
    fn declare_use(&mut self, item: &syn::ItemUse) {
        let mut stack: Vec<(Vec<&Ident>, &UseTree)> = vec![(Vec::new(), &item.tree)];
        while let Some((mut path, tree)) = stack.pop() {
            match tree {
                UseTree::Path(p) => {
                    path.push(&p.ident);
                    stack.push((path, &p.tree));
                }
                UseTree::Name(n) => {
                    if n.ident != "self" {
                        path.push(&n.ident);
                    }
                    let local = path.last().map(|i| i.to_string()).unwrap_or_default();
                    self.bind_use(local, &path, item.leading_colon.is_some(), n.ident.span());
                }
                UseTree::Rename(r) => {
                    if r.ident != "self" {
                        path.push(&r.ident);
                    }
                    self.bind_use(
                        r.rename.to_string(),
                        &path,
                        item.leading_colon.is_some(),
                        r.rename.span(),
                    );
                }
                UseTree::Glob(g) => {
                    self.bind_use(
                        "*".to_string(),
                        &path,
                        item.leading_colon.is_some(),
                        g.star_token.spans[0],
                    );
                }
                UseTree::Group(g) => {
                    for tree in g.items.iter().rev() {
                        stack.push((path.clone(), tree));
                    }
                }
            }
        }
    }

    fn bind_use(&mut self, local: String, path: &[&Ident], external: bool, at: TokenSpan) {
        let target = if external {
            path.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(".")
        } else {
            self.scopes.resolve_use(path)
        };
        self.push_import(&local, &target, at);
        self.scopes.add_import(local, target);
    }

    fn push_import(&mut self, local: &str, target: &str, at: TokenSpan) {
        let target = if local == "*" {
            format!("{target}.*")
        } else {
            target.to_string()
        };
        self.facts.imports.push(Import {
            target,
            local: local.to_string(),
            span: self.lines.span(at, at),
        });
    }

    fn declare_extern_crate(&mut self, e: &syn::ItemExternCrate) {
        let target = if e.ident == "self" {
            super::scope::crate_root(&self.facts.module).to_string()
        } else {
            e.ident.to_string()
        };
        let (local, at) = match &e.rename {
            Some((_, rename)) => (rename.to_string(), rename.span()),
            None => (e.ident.to_string(), e.ident.span()),
        };
        self.push_import(&local, &target, at);
        self.scopes.add_import(local, target);
    }

    /// Walks one item.
    pub(super) fn item(&mut self, item: &Item) {
        match item {
            Item::Fn(f) => {
                let qname = format!("{}.{}", self.prefix, f.sig.ident);
                let item = FnItem {
                    attrs: &f.attrs,
                    vis: &f.vis,
                    sig: &f.sig,
                    block: &f.block,
                };
                self.function(item, qname, FunctionKind::Function, None);
            }
            Item::Impl(i) => {
                let name = type_name(&i.self_ty);
                self.impl_body(name, |this| {
                    i.items.iter().for_each(|item| this.visit_impl_item(item))
                });
            }
            Item::Trait(t) => {
                let name = Some(t.ident.to_string());
                self.impl_body(name, |this| {
                    t.items.iter().for_each(|item| this.visit_trait_item(item))
                });
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    let module = format!("{}.{}", self.scopes.module(), m.ident);
                    self.module(&module, items);
                }
            }
            Item::Struct(s) => {
                let end = match &s.fields {
                    syn::Fields::Named(f) => f.brace_token.span.close(),
                    _ => s.semi_token.map_or(s.ident.span(), |t| t.spans[0]),
                };
                self.class(
                    &s.attrs,
                    &s.ident,
                    vis_start(&s.vis).unwrap_or(s.struct_token.span),
                    end,
                );
                self.struct_fields(&s.ident, &s.fields);
            }
            Item::Static(s) => {
                let start = vis_start(&s.vis).unwrap_or(s.static_token.span);
                let end = s.semi_token.spans[0];
                self.static_item(&s.attrs, start, &s.ident, &s.ty, &s.expr, end);
            }
            Item::Const(c) => {
                let start = vis_start(&c.vis).unwrap_or(c.const_token.span);
                let end = c.semi_token.spans[0];
                self.static_item(&c.attrs, start, &c.ident, &c.ty, &c.expr, end);
            }
            Item::Enum(e) => {
                let start = vis_start(&e.vis).unwrap_or(e.enum_token.span);
                self.class(&e.attrs, &e.ident, start, e.brace_token.span.close());
            }
            Item::Union(u) => {
                let start = vis_start(&u.vis).unwrap_or(u.union_token.span);
                self.class(&u.attrs, &u.ident, start, u.fields.brace_token.span.close());
            }
            Item::Use(_) | Item::ExternCrate(_) => {}
            Item::Macro(m) => {
                if m.ident.is_none() {
                    self.macro_statement(&m.mac, false);
                }
            }
            other => visit::visit_item(self, other),
        }
    }

    /// Walks the body of `impl T` / `trait T` with `Self` = `module.T`.
    fn impl_body(&mut self, name: Option<String>, walk: impl FnOnce(&mut Self)) {
        let self_type = name
            .as_ref()
            .map(|n| format!("{}.{n}", self.scopes.module()));
        let old_self = self.scopes.set_self_type(self_type);
        let old_class = std::mem::replace(&mut self.class, name);
        walk(self);
        self.class = old_class;
        self.scopes.set_self_type(old_self);
    }

    /// A method of the current `impl` or `trait`.
    pub(super) fn method(&mut self, item: FnItem) {
        let class = self.class.clone();
        let qname = match &class {
            Some(class) => format!("{}.{class}.{}", self.scopes.module(), item.sig.ident),
            None => format!("{}.{}", self.prefix, item.sig.ident),
        };
        self.function(item, qname, FunctionKind::Method, class);
    }

    fn function(&mut self, item: FnItem, qname: String, kind: FunctionKind, class: Option<String>) {
        let FnItem {
            attrs,
            vis,
            sig,
            block,
        } = item;
        let start = vis_start(vis).unwrap_or_else(|| sig_start(sig));
        let function = Function {
            decorator_calls: Vec::new(),
            name: sig.ident.to_string(),
            qname,
            kind,
            span: self.lines.span(start, block.brace_token.span.close()),
            is_async: sig.asyncness.is_some(),
            decorators: decorators(attrs, &["doc"]),
            parent: self.func,
            class,
            handler: self.attribute_handler(attrs),
            passed_to: None,
            returns: Vec::new(),
        };
        let floor = self.scopes.raise_floor();
        let frame = self.begin_function(function, Vec::new());
        for input in &sig.inputs {
            if let FnArg::Typed(typed) = input {
                self.bind_typed(&typed.pat, &typed.ty);
            }
        }
        self.visit_block(block);
        self.end_function(frame);
        self.scopes.restore_floor(floor);
    }

    /// The framework of a route attribute (`#[get("/")]`, `#[actix_web::post]`).
    fn attribute_handler(&self, attrs: &[Attribute]) -> Option<String> {
        attrs.iter().find_map(|attr| {
            let path = attr.path();
            let last = path.segments.last()?.ident.to_string();
            if !ROUTE_ATTRIBUTES.contains(&last.as_str()) {
                return None;
            }
            let resolved = self.scopes.resolve(path).callee().unwrap_or_default();
            let framework = if resolved.starts_with("actix_web.") {
                "actix"
            } else if resolved.starts_with("rocket.") {
                "rocket"
            } else if path.segments.len() > 1 {
                return None;
            } else if self.scopes.imports_from("rocket") {
                "rocket"
            } else {
                "actix"
            };
            Some(framework.to_string())
        })
    }

    fn class(&mut self, attrs: &[Attribute], ident: &Ident, start: TokenSpan, end: TokenSpan) {
        let bases = attrs
            .iter()
            .filter(|a| a.path().is_ident("derive"))
            .filter_map(|a| {
                a.parse_args_with(syn::punctuated::Punctuated::<Path, Token![,]>::parse_terminated)
                    .ok()
            })
            .flatten()
            .filter_map(|p| self.scopes.resolve(&p).callee())
            .collect();
        self.facts.classes.push(Class {
            decorator_calls: Vec::new(),
            name: ident.to_string(),
            qname: format!("{}.{ident}", self.prefix),
            bases,
            decorators: decorators(attrs, &["doc", "derive"]),
            span: self.lines.span(start, end),
        });
    }
}

/// The parts of a `fn` item, method or trait method with a body.
pub(super) struct FnItem<'a> {
    /// Its attributes.
    pub attrs: &'a [Attribute],
    /// Its visibility.
    pub vis: &'a Visibility,
    /// Its signature.
    pub sig: &'a Signature,
    /// Its body.
    pub block: &'a Block,
}

/// The name an item declares in its module's namespace.
fn item_name(item: &Item) -> Option<&Ident> {
    Some(match item {
        Item::Fn(f) => &f.sig.ident,
        Item::Struct(s) => &s.ident,
        Item::Enum(e) => &e.ident,
        Item::Union(u) => &u.ident,
        Item::Trait(t) => &t.ident,
        Item::TraitAlias(t) => &t.ident,
        Item::Type(t) => &t.ident,
        Item::Const(c) => &c.ident,
        Item::Static(s) => &s.ident,
        Item::Mod(m) => &m.ident,
        _ => return None,
    })
}

/// The name of an `impl`'s self type (`impl<T> Repo<T>` → `Repo`).
fn type_name(ty: &syn::Type) -> Option<String> {
    let mut ty = ty;
    loop {
        ty = match ty {
            syn::Type::Reference(r) => &r.elem,
            syn::Type::Paren(p) => &p.elem,
            syn::Type::Group(g) => &g.elem,
            syn::Type::Path(p) => return p.path.segments.last().map(|s| s.ident.to_string()),
            _ => return None,
        };
    }
}

/// Attribute paths as written (`tokio::main`), skipping `skip`; keyed
/// attributes also report their keys (`diesel::table_name`).
pub(super) fn decorators(attrs: &[Attribute], skip: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs {
        let name = path_text(attr.path());
        if skip.contains(&name.as_str()) {
            continue;
        }
        if KEYED_ATTRIBUTES.contains(&name.as_str()) {
            if let Ok(keys) = attr.parse_args_with(attribute_keys) {
                out.extend(keys.into_iter().map(|k| format!("{name}::{k}")));
            }
        }
        out.push(name);
    }
    out
}

/// The keys of `key = value, key(..), key` attribute arguments.
fn attribute_keys(input: ParseStream) -> syn::Result<Vec<String>> {
    let mut keys = Vec::new();
    while !input.is_empty() {
        let key = input.call(Path::parse_mod_style)?;
        keys.push(path_text(&key));
        while !input.is_empty() && !input.peek(Token![,]) {
            input.parse::<proc_macro2::TokenTree>()?;
        }
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(keys)
}

/// A path as written, generic arguments left out: `std::fs::read`.
pub(super) fn path_text(path: &Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&segment.ident.to_string());
    }
    out
}

pub(super) fn vis_start(vis: &Visibility) -> Option<TokenSpan> {
    match vis {
        Visibility::Public(p) => Some(p.span),
        Visibility::Restricted(r) => Some(r.pub_token.span),
        Visibility::Inherited => None,
    }
}

fn sig_start(sig: &Signature) -> TokenSpan {
    if let Some(t) = &sig.constness {
        return t.span;
    }
    if let Some(t) = &sig.asyncness {
        return t.span;
    }
    if let Some(t) = &sig.unsafety {
        return t.span;
    }
    if let Some(abi) = &sig.abi {
        return abi.extern_token.span;
    }
    sig.fn_token.span
}
