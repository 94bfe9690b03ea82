//! Assignments as facts:
//! - `static` and `const` items, and the statics declared by
//!   `thread_local! { static X: T = v; }` and
//!   `lazy_static! { static ref X: T = v; }` (their decorators start with
//!   `thread_local` / `lazy_static`): [`AssignScope::Module`], resolved
//!   like the item (`crate.cache.USERS`), wherever they are declared;
//! - struct fields: [`AssignScope::Class`] with the struct as class, the
//!   field attributes as decorators, no value (tuple fields are named
//!   `0`, `1`, ...);
//! - `let` bindings: [`AssignScope::Local`], one per name the pattern
//!   binds; only a plain name (`let x`, `let mut x: T`) gets the value.
//!
//! Annotations are the types as written, whitespace removed
//! (`LazyLock<Mutex<HashMap<String,User>>>`).

use super::bindings::pattern_names;
use super::items::{decorators, vis_start};
use super::visit::Extractor;
use crate::facts::{ArgValue, Assign, AssignOp, AssignScope, Span};
use proc_macro2::Span as TokenSpan;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Macro, Pat, Token, Type, Visibility};

/// Longest annotation kept.
const MAX_TYPE: usize = 200;

/// Macros whose bodies declare statics.
const STATIC_MACROS: &[&str] = &["thread_local", "lazy_static"];

/// A `static` declared in a macro body.
struct Declared {
    attrs: Vec<Attribute>,
    start: TokenSpan,
    ident: Ident,
    ty: Type,
    expr: Expr,
    end: Option<TokenSpan>,
}

impl Extractor<'_> {
    /// A `static` or `const` item.
    pub(super) fn static_item(
        &mut self,
        attrs: &[Attribute],
        start: TokenSpan,
        ident: &Ident,
        ty: &Type,
        expr: &Expr,
        end: TokenSpan,
    ) {
        let span = self.lines.span(start, end);
        self.push_static(decorators(attrs, &["doc"]), span, ident, ty, expr);
    }

    /// Whether `mac` declares statics (`thread_local!`, `lazy_static!`);
    /// if so, records them.
    pub(super) fn static_macro(&mut self, mac: &Macro, name: &str) -> bool {
        if !STATIC_MACROS.contains(&name) {
            return false;
        }
        for d in mac.parse_body_with(declarations).unwrap_or_default() {
            let end = d.end.unwrap_or_else(|| super::lines::last_token(&d.expr));
            let span = self.lines.span(d.start, end);
            let mut decorators = vec![name.to_string()];
            decorators.extend(self::decorators(&d.attrs, &["doc"]));
            self.push_static(decorators, span, &d.ident, &d.ty, &d.expr);
        }
        true
    }

    fn push_static(
        &mut self,
        decorators: Vec<String>,
        span: Span,
        ident: &Ident,
        ty: &Type,
        expr: &Expr,
    ) {
        let value = self.evaluate(expr, 0).0;
        self.facts.assigns.push(Assign {
            target: ident.to_string(),
            resolved: Some(format!("{}.{ident}", self.prefix)),
            scope: AssignScope::Module,
            op: AssignOp::Bind,
            key: None,
            value: Some(value),
            annotation: Some(self.lines.type_text(ty, MAX_TYPE)),
            decorators,
            decorator_calls: Vec::new(),
            function: self.func,
            class: None,
            loops: self.loops.clone(),
            span,
        });
    }

    /// The fields of a struct named `name`.
    pub(super) fn struct_fields(&mut self, name: &Ident, fields: &syn::Fields) {
        for (i, field) in fields.iter().enumerate() {
            let target = field
                .ident
                .as_ref()
                .map_or_else(|| i.to_string(), Ident::to_string);
            let start = vis_start(&field.vis)
                .or_else(|| field.ident.as_ref().map(Ident::span))
                .unwrap_or_else(|| field.ty.span());
            let span = self.lines.span(start, field.ty.span());
            let annotation = self.lines.type_text(&field.ty, MAX_TYPE);
            self.facts.assigns.push(Assign {
                resolved: Some(format!("{}.{name}.{target}", self.prefix)),
                target,
                scope: AssignScope::Class,
                op: AssignOp::Bind,
                key: None,
                value: None,
                annotation: Some(annotation),
                decorators: decorators(&field.attrs, &["doc"]),
                decorator_calls: Vec::new(),
                function: self.func,
                class: Some(name.to_string()),
                loops: self.loops.clone(),
                span,
            });
        }
    }

    /// A `let` statement, its value already walked.
    pub(super) fn let_assigns(
        &mut self,
        local: &syn::Local,
        pat: &Pat,
        annotation: Option<&Type>,
        value: Option<ArgValue>,
    ) {
        let mut names = Vec::new();
        pattern_names(pat, &mut names);
        let single = is_plain_name(pat);
        let span = self
            .lines
            .span(local.let_token.span, local.semi_token.spans[0]);
        let annotation = annotation.map(|t| self.lines.type_text(t, MAX_TYPE));
        for target in names {
            self.facts.assigns.push(Assign {
                target,
                resolved: None,
                scope: AssignScope::Local,
                op: AssignOp::Bind,
                key: None,
                value: value.clone().filter(|_| single),
                annotation: annotation.clone().filter(|_| single),
                decorators: Vec::new(),
                decorator_calls: Vec::new(),
                function: self.func,
                class: self.class.clone(),
                loops: self.loops.clone(),
                span,
            });
        }
    }
}

/// `x`, `mut x`, `ref x`: a pattern that binds its whole value to one name.
fn is_plain_name(pat: &Pat) -> bool {
    matches!(pat, Pat::Ident(ident) if ident.subpat.is_none())
}

/// `[#[attr]] [pub] static [ref] NAME: Type = [const] value;`, repeated.
fn declarations(input: ParseStream) -> syn::Result<Vec<Declared>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let static_token: Token![static] = input.parse()?;
        if input.peek(Token![ref]) {
            input.parse::<Token![ref]>()?;
        }
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        input.parse::<Token![=]>()?;
        if input.peek(Token![const]) && input.peek2(syn::token::Brace) {
            input.parse::<Token![const]>()?;
        }
        let expr: Expr = input.parse()?;
        let end = if input.peek(Token![;]) {
            Some(input.parse::<Token![;]>()?.spans[0])
        } else {
            None
        };
        out.push(Declared {
            start: vis_start(&vis).unwrap_or(static_token.span),
            attrs,
            ident,
            ty,
            expr,
            end,
        });
    }
    Ok(out)
}
