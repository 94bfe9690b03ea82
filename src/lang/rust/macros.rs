//! Macro invocations: recorded as calls (`sqlx::query!`), and the bodies of
//! expression-like macros (`vec!`, `println!`, `assert!`, `tokio::select!`)
//! parsed so the calls inside them are seen. A body that does not parse is
//! skipped silently.

use super::items::path_text;
use super::lines::path_start;
use super::scope::Resolution;
use super::visit::Extractor;
use crate::facts::CallId;
use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, Macro, MacroDelimiter, Pat, Token};

/// Macros whose bodies are not expressions to evaluate.
const OPAQUE: &[&str] = &[
    "concat_idents",
    "macro_rules",
    "parse_quote",
    "parse_quote_spanned",
    "quote",
    "quote_spanned",
    "stringify",
];

/// sqlx macros whose first string argument is a query.
const QUERY_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_as_unchecked",
    "query_scalar",
    "query_scalar_unchecked",
    "query_unchecked",
];

/// A recorded macro call.
pub(super) struct MacroCall {
    /// Its call fact.
    pub id: CallId,
    /// `sqlx::query!`
    pub text: String,
    /// `sqlx.query!`
    pub resolved: Option<String>,
}

impl Extractor<'_> {
    /// Records a macro invocation; with `body`, parses and walks its
    /// arguments.
    pub(super) fn macro_call(&mut self, mac: &Macro, body: bool) -> MacroCall {
        let bare = macro_name(mac);
        let call = self.record_macro(mac, &bare);
        if body && !OPAQUE.contains(&bare.as_str()) {
            let exprs = body_exprs(mac, &bare);
            let is_sqlx = call.text.starts_with("sqlx::")
                || call
                    .resolved
                    .as_deref()
                    .is_some_and(|r| r.starts_with("sqlx."));
            if is_sqlx && QUERY_MACROS.contains(&bare.as_str()) {
                self.query_text(&exprs);
            }
            let args = self.args(exprs.iter(), call.id, None);
            self.facts.calls[call.id as usize].args = args;
        }
        call
    }

    /// A macro in statement or item position: a call, whose body is walked
    /// when `body`, or declares statics (`thread_local!`).
    pub(super) fn macro_statement(&mut self, mac: &Macro, body: bool) {
        let bare = macro_name(mac);
        if self.static_macro(mac, &bare) {
            self.record_macro(mac, &bare);
        } else {
            self.macro_call(mac, body);
        }
    }

    /// Records a macro invocation as a call, without arguments.
    pub(super) fn record_macro(&mut self, mac: &Macro, bare: &str) -> MacroCall {
        let text = path_text(&mac.path) + "!";
        let resolved = match self.scopes.resolve(&mac.path) {
            Resolution::Local(_) => None,
            other => other.callee(),
        }
        .map(|r| r + "!");
        let span = self
            .lines
            .span(path_start(None, &mac.path), mac.delimiter.span().close());
        let id = self.record_call(
            text.clone(),
            format!("{bare}!"),
            resolved.clone(),
            span,
            false,
        );
        MacroCall { id, text, resolved }
    }

    /// The query string of a `sqlx::query!`-style macro, SQL-looking or not.
    fn query_text(&mut self, exprs: &[Expr]) {
        let literal = exprs.iter().take(2).find_map(|e| match e {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s),
            _ => None,
        });
        if let Some(literal) = literal {
            let span = self.lines.span(literal.span(), literal.span());
            self.push_sql(&literal.value(), span);
        }
    }
}

/// The last segment of a macro's path: `sqlx::query` → `query`.
pub(super) fn macro_name(mac: &Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The elements of a list-like body (`vec![a, b]`); None for `vec![x; n]`
/// or a body that is not comma-separated expressions.
pub(super) fn list_body(mac: &Macro) -> Option<Vec<Expr>> {
    mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()
        .map(|list| list.into_iter().collect())
}

/// The expressions in a macro body: comma-separated expressions, `select!`
/// arms, `vec![x; n]`, or (for bracketed bodies that do not parse as a
/// whole, like `info!(target: "x", "{}", f())`) each comma-separated piece
/// that parses.
fn body_exprs(mac: &Macro, name: &str) -> Vec<Expr> {
    if name == "select" {
        return mac.parse_body_with(select_arms).unwrap_or_default();
    }
    if let Ok(list) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        return list.into_iter().collect();
    }
    if let Ok(repeat) = mac.parse_body_with(repeat_body) {
        return repeat;
    }
    if matches!(mac.delimiter, MacroDelimiter::Brace(_)) {
        return Vec::new();
    }
    pieces(mac.tokens.clone())
        .into_iter()
        .filter_map(|piece| syn::parse2::<Expr>(piece).ok())
        .collect()
}

/// `x; n` in `vec![x; n]`.
fn repeat_body(input: ParseStream) -> syn::Result<Vec<Expr>> {
    let value: Expr = input.parse()?;
    input.parse::<Token![;]>()?;
    let count: Expr = input.parse()?;
    Ok(vec![value, count])
}

/// The arms of `tokio::select!` / `futures::select!`: `pat = future (, if
/// cond)? => handler`, `else => handler`, after an optional `biased;`.
fn select_arms(input: ParseStream) -> syn::Result<Vec<Expr>> {
    let mut out = Vec::new();
    if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "biased" {
        input.parse::<syn::Ident>()?;
        input.parse::<Token![;]>()?;
    }
    while !input.is_empty() {
        if input.peek(Token![else]) || (input.peek(syn::Ident::peek_any) && input.peek2(Token![=>]))
        {
            input.parse::<TokenTree>()?;
        } else {
            Pat::parse_multi(input)?;
            input.parse::<Token![=]>()?;
            out.push(Expr::parse_without_eager_brace(input)?);
            if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                out.push(Expr::parse_without_eager_brace(input)?);
            }
        }
        input.parse::<Token![=>]>()?;
        out.push(Expr::parse_with_earlier_boundary_rule(input)?);
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(out)
}

/// Splits a token stream at its top-level commas.
fn pieces(tokens: TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let mut piece = Vec::new();
    for token in tokens {
        if matches!(&token, TokenTree::Punct(p) if p.as_char() == ',') {
            out.push(piece.drain(..).collect());
        } else {
            piece.push(token);
        }
    }
    if !piece.is_empty() {
        out.push(piece.into_iter().collect());
    }
    out
}
