//! Call chains such as `File::open(p)?.read_to_string(&mut s)` or
//! `Command::new("git").arg("x").output().await`: flattened into links and
//! walked from the root outwards (no recursion along the chain), recording
//! each call with its written callee (`File::open()?.read_to_string`) and
//! resolved callee (`std.fs.File.open().read_to_string`).

use super::items::path_text;
use super::lines::first_token;
use super::visit::Extractor;
use crate::facts::{Arg, ArgValue, Call, CallId, LoopId, Span};
use proc_macro2::Span as TokenSpan;
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Token};

/// Methods that iterate with a closure on anything they are called on.
const LOOP_METHODS: &[&str] = &[
    "all",
    "any",
    "filter_map",
    "find_map",
    "flat_map",
    "fold",
    "for_each",
    "for_each_concurrent",
    "map_while",
    "max_by_key",
    "min_by_key",
    "position",
    "retain",
    "scan",
    "skip_while",
    "sort_by",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "take_while",
    "try_fold",
    "try_for_each",
    "try_for_each_concurrent",
];

/// Methods that iterate only on iterators and streams (`Option::map` and
/// `Result::and_then` do not): loops when the chain shows an iterator.
const ITERATOR_METHODS: &[&str] = &["and_then", "filter", "find", "inspect", "map", "then"];

/// Calls whose result is an iterator or stream.
const ITERATOR_SOURCES: &[&str] = &[
    "buffer_unordered",
    "buffered",
    "bytes",
    "chain",
    "char_indices",
    "chars",
    "chunks",
    "chunks_exact",
    "cloned",
    "copied",
    "drain",
    "entries",
    "enumerate",
    "filter",
    "filter_map",
    "flat_map",
    "flatten",
    "from_fn",
    "incoming",
    "into_iter",
    "into_keys",
    "into_par_iter",
    "into_stream",
    "into_values",
    "iter",
    "iter_mut",
    "keys",
    "lines",
    "par_bridge",
    "par_iter",
    "par_iter_mut",
    "peekable",
    "read_dir",
    "repeat",
    "repeat_with",
    "rev",
    "rsplit",
    "skip",
    "split",
    "split_whitespace",
    "splitn",
    "step_by",
    "successors",
    "take",
    "unfold",
    "values",
    "values_mut",
    "windows",
    "zip",
];

/// Methods that leave the type of their receiver as it is for typing
/// purposes (`File::open(p).unwrap().read()` reads a `File`).
const TRANSPARENT: &[&str] = &[
    "as_deref",
    "as_deref_mut",
    "as_mut",
    "as_ref",
    "borrow",
    "borrow_mut",
    "clone",
    "context",
    "expect",
    "lock",
    "map_err",
    "ok",
    "to_owned",
    "unwrap",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "with_context",
];

/// axum routing functions whose arguments are handlers.
const AXUM_ROUTES: &[&str] = &[
    "any", "delete", "get", "head", "options", "patch", "post", "put", "trace",
];

/// A chain walked so far: its written text (calls elided to `()`), what it
/// resolves to, and whether it is known to be an iterator.
pub(super) struct Chain {
    /// As written, whitespace removed, call arguments elided.
    pub text: String,
    /// Resolved through imports and local types, when known.
    pub resolved: Option<String>,
    /// The outermost call, when the chain ends in one (a trailing `?` or
    /// `.await` included): `a.b().c()?` → `c`; None for `a.b().field`.
    pub call: Option<CallId>,
    iterator: bool,
}

enum Link<'a> {
    Call(&'a syn::ExprCall),
    Method(&'a syn::ExprMethodCall),
    Field(&'a syn::ExprField),
    Try,
    Await,
    Index(&'a syn::ExprIndex),
}

impl Extractor<'_> {
    /// Walks a chain expression, recording its calls; returns the chain.
    pub(super) fn chain(&mut self, expr: &Expr) -> Chain {
        let mut links = Vec::new();
        let mut root = expr;
        loop {
            root = match root {
                Expr::MethodCall(e) => {
                    links.push(Link::Method(e));
                    &e.receiver
                }
                Expr::Call(e) => {
                    links.push(Link::Call(e));
                    &e.func
                }
                Expr::Field(e) => {
                    links.push(Link::Field(e));
                    &e.base
                }
                Expr::Try(e) => {
                    links.push(Link::Try);
                    &e.expr
                }
                Expr::Await(e) => {
                    links.push(Link::Await);
                    &e.base
                }
                Expr::Index(e) => {
                    links.push(Link::Index(e));
                    &e.expr
                }
                _ => break,
            };
        }
        let start = first_token(root);
        let mut chain = self.root(root, matches!(links.last(), Some(Link::Call(_))));
        for i in (0..links.len()).rev() {
            let awaited = i > 0 && matches!(links[i - 1], Link::Await);
            match links[i] {
                Link::Call(call) => {
                    let end = call.paren_token.span.close();
                    let name = last_segment(&chain.text).to_string();
                    let id = self.call_link(&mut chain, name, start, end, &call.args, awaited);
                    chain.call = Some(id);
                }
                Link::Method(call) => {
                    let end = call.paren_token.span.close();
                    chain.call = Some(self.method_link(&mut chain, call, start, end, awaited));
                }
                Link::Field(field) => {
                    let member = match &field.member {
                        syn::Member::Named(ident) => ident.to_string(),
                        syn::Member::Unnamed(index) => index.index.to_string(),
                    };
                    chain.resolved = chain
                        .resolved
                        .and_then(|owner| self.scopes.field_type(&owner, &member));
                    chain.text.push('.');
                    chain.text.push_str(&member);
                    chain.call = None;
                }
                Link::Try => chain.text.push('?'),
                Link::Await => chain.text.push_str(".await"),
                Link::Index(index) => {
                    self.visit_expr(&index.index);
                    chain.text.push_str("[]");
                    chain.resolved = None;
                    chain.call = None;
                }
            }
        }
        chain
    }

    /// The root of a chain: a path (a function name when `callee`, else a
    /// value), a macro, a parenthesised chain, or any other expression.
    fn root(&mut self, root: &Expr, callee: bool) -> Chain {
        let (text, resolved, iterator) = match root {
            Expr::Path(p) => {
                let resolution = self.scopes.resolve(&p.path);
                let resolved = if callee {
                    resolution.callee()
                } else {
                    resolution.value()
                };
                let text = match &p.qself {
                    Some(_) => format!("<_>::{}", path_text(&p.path)),
                    None => path_text(&p.path),
                };
                (text, resolved, false)
            }
            Expr::Macro(m) => {
                let call = self.macro_call(&m.mac, true);
                (call.text + "()", call.resolved.map(|r| r + "()"), false)
            }
            Expr::Paren(p) => {
                let inner = match &*p.expr {
                    Expr::Call(_)
                    | Expr::MethodCall(_)
                    | Expr::Field(_)
                    | Expr::Try(_)
                    | Expr::Await(_)
                    | Expr::Index(_) => self.chain(&p.expr),
                    other => {
                        let resolved = self.value_of(other);
                        Chain {
                            text: self.lines.compact(other, 40),
                            resolved,
                            call: None,
                            iterator: false,
                        }
                    }
                };
                (format!("({})", inner.text), inner.resolved, inner.iterator)
            }
            Expr::Struct(s) => {
                self.visit_expr_struct(s);
                let resolved = self.scopes.resolve(&s.path).value();
                (format!("{}{{}}", path_text(&s.path)), resolved, false)
            }
            other => {
                self.visit_expr(other);
                let iterator = matches!(other, Expr::Range(_) | Expr::Array(_) | Expr::Repeat(_));
                (self.lines.compact(other, 40), None, iterator)
            }
        };
        Chain {
            text,
            resolved,
            call: None,
            iterator,
        }
    }

    /// `f(args)`: the chain so far is the function.
    fn call_link(
        &mut self,
        chain: &mut Chain,
        name: String,
        start: TokenSpan,
        end: TokenSpan,
        args: &Punctuated<Expr, Token![,]>,
        awaited: bool,
    ) -> CallId {
        let span = self.lines.span(start, end);
        let id = self.record_call(
            chain.text.clone(),
            name,
            chain.resolved.clone(),
            span,
            awaited,
        );
        let args = self.args(args.iter(), id, None);
        self.register_routes(id, &args);
        self.facts.calls[id as usize].args = args;
        chain.iterator |= ITERATOR_SOURCES.contains(&self.facts.calls[id as usize].name.as_str());
        chain.text.push_str("()");
        if let Some(resolved) = &mut chain.resolved {
            resolved.push_str("()");
        }
        id
    }

    /// `receiver.method(args)`: the chain so far is the receiver.
    fn method_link(
        &mut self,
        chain: &mut Chain,
        call: &syn::ExprMethodCall,
        start: TokenSpan,
        end: TokenSpan,
        awaited: bool,
    ) -> CallId {
        let method = call.method.to_string();
        let span = self.lines.span(start, end);
        let callee = format!("{}.{method}", chain.text);
        let resolved = chain.resolved.as_ref().map(|r| format!("{r}.{method}"));
        let id = self.record_call(callee, method.clone(), resolved, span, awaited);
        let iterates = call.args.iter().any(|a| matches!(a, Expr::Closure(_)))
            && (LOOP_METHODS.contains(&method.as_str())
                || (chain.iterator && ITERATOR_METHODS.contains(&method.as_str())));
        let body_of = iterates.then(|| {
            let iterable = truncate(&chain.text, 200);
            self.push_callback_loop(span, iterable, chain.resolved.clone(), id)
        });
        let args = self.args(call.args.iter(), id, body_of);
        self.register_routes(id, &args);
        self.facts.calls[id as usize].args = args;
        chain.iterator |= iterates || ITERATOR_SOURCES.contains(&method.as_str());
        chain.text.push('.');
        chain.text.push_str(&method);
        chain.text.push_str("()");
        if !TRANSPARENT.contains(&method.as_str()) {
            if let Some(resolved) = &mut chain.resolved {
                resolved.push('.');
                resolved.push_str(&method);
                resolved.push_str("()");
            }
        }
        id
    }

    /// Records a call (its arguments are filled in by the caller).
    pub(super) fn record_call(
        &mut self,
        callee: String,
        name: String,
        resolved: Option<String>,
        span: Span,
        awaited: bool,
    ) -> CallId {
        let id = self.facts.calls.len() as CallId;
        self.facts.calls.push(Call {
            callee,
            resolved,
            name,
            span,
            function: self.func,
            loops: self.loops.clone(),
            awaited,
            args: Vec::new(),
        });
        id
    }

    /// Walks the arguments of call `call`; closures among them are passed
    /// to it (and are the body of loop `body_of`, if any).
    pub(super) fn args<'e>(
        &mut self,
        args: impl Iterator<Item = &'e Expr>,
        call: CallId,
        body_of: Option<LoopId>,
    ) -> Vec<Arg> {
        args.map(|arg| Arg {
            keyword: None,
            value: self.passed(arg, call, body_of, 0),
        })
        .collect()
    }

    /// Notes functions named as handlers by an axum router (`get(list)`,
    /// `.route("/", post(create))`) or actix-web (`web::get().to(index)`).
    fn register_routes(&mut self, call: CallId, args: &[Arg]) {
        let call = &self.facts.calls[call as usize];
        let Some(resolved) = call.resolved.as_deref() else {
            return;
        };
        let name = resolved.rsplit('.').next().unwrap_or_default();
        let framework = if resolved.starts_with("axum.") && AXUM_ROUTES.contains(&name) {
            "axum"
        } else if resolved.starts_with("actix_web.") && name == "to" {
            "actix"
        } else {
            return;
        };
        for arg in args {
            if let ArgValue::Path(path) = &arg.value {
                self.routes.push((path.clone(), framework));
            }
        }
    }
}

/// The last `.`- or `::`-separated segment of a callee.
fn last_segment(text: &str) -> &str {
    text.rsplit(['.', ':']).next().unwrap_or(text)
}

/// At most `max` bytes of `text`, cut at a char boundary.
pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
