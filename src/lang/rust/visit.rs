//! The walk: one pass over a `syn` tree that fills [`FileFacts`].
//!
//! Items, functions and classes are in `items.rs`, call chains in
//! `chain.rs`, macros in `macros.rs`; this file holds the walker's state,
//! the `syn::visit::Visit` dispatch, loops and local variables.

use super::items::FnItem;
use super::lines::{closure_start, last_token, LineIndex};
use super::scope::Scopes;
use super::sql;
use crate::facts::{
    FileFacts, Function, FunctionId, FunctionKind, Loop, LoopId, LoopKind, Span, SqlText,
};
use syn::visit::{self, Visit};
use syn::{Block, Expr, ExprAsync, ExprClosure, Pat};

/// The walker's state.
pub struct Extractor<'src> {
    /// Positions in the source.
    pub(super) lines: LineIndex<'src>,
    /// Names in scope.
    pub(super) scopes: Scopes,
    /// What was found so far.
    pub(super) facts: FileFacts,
    /// The innermost function.
    pub(super) func: Option<FunctionId>,
    /// Qualified-name prefix of items and closures defined here: the
    /// innermost function's qname, or the module.
    pub(super) prefix: String,
    /// The type name of the enclosing `impl` / `trait`.
    pub(super) class: Option<String>,
    /// Loops enclosing the current point within the current function.
    pub(super) loops: Vec<LoopId>,
    /// Functions named as request handlers by a router in this file
    /// (qname, framework).
    pub(super) routes: Vec<(String, &'static str)>,
}

/// What to restore when leaving a function.
pub(super) struct Frame {
    func: Option<FunctionId>,
    prefix: String,
    loops: Vec<LoopId>,
    mark: usize,
}

impl<'src> Extractor<'src> {
    /// A walker for a file of `module`.
    pub fn new(text: &'src str, module: &str) -> Self {
        Extractor {
            lines: LineIndex::new(text),
            scopes: Scopes::new(module),
            facts: FileFacts {
                module: module.to_string(),
                ..FileFacts::default()
            },
            func: None,
            prefix: module.to_string(),
            class: None,
            loops: Vec::new(),
            routes: Vec::new(),
        }
    }

    /// Walks a whole file.
    pub fn file(&mut self, file: &syn::File) {
        let module = self.facts.module.clone();
        self.module(&module, &file.items);
    }

    /// The facts, with router-registered handlers marked.
    pub fn finish(mut self) -> FileFacts {
        for function in &mut self.facts.functions {
            if function.handler.is_none() {
                if let Some((_, framework)) = self.routes.iter().find(|(q, _)| *q == function.qname)
                {
                    function.handler = Some((*framework).to_string());
                }
            }
        }
        self.facts
    }

    /// Records a function and makes it the current one; `loops` are the
    /// loops its body runs in (a callback loop's closure).
    pub(super) fn begin_function(&mut self, function: Function, loops: Vec<LoopId>) -> Frame {
        let id = self.facts.functions.len() as FunctionId;
        let prefix = std::mem::replace(&mut self.prefix, function.qname.clone());
        self.facts.functions.push(function);
        Frame {
            func: self.func.replace(id),
            prefix,
            loops: std::mem::replace(&mut self.loops, loops),
            mark: self.scopes.mark(),
        }
    }

    /// Leaves the function entered by the matching [`Self::begin_function`].
    pub(super) fn end_function(&mut self, frame: Frame) {
        self.func = frame.func;
        self.prefix = frame.prefix;
        self.loops = frame.loops;
        self.scopes.end_block(frame.mark);
    }

    /// An anonymous function of kind `kind` defined here.
    fn anonymous(&mut self, kind: FunctionKind, span: Span, is_async: bool) -> Function {
        let name = match kind {
            FunctionKind::AsyncBlock => "<async>",
            _ => "<closure>",
        };
        Function {
            decorator_calls: Vec::new(),
            name: name.to_string(),
            qname: format!("{}.{name}@{}", self.prefix, span.line),
            kind,
            span,
            is_async,
            decorators: Vec::new(),
            parent: self.func,
            class: None,
            handler: None,
            passed_to: None,
            returns: Vec::new(),
        }
    }

    /// A closure; `passed_to` is the call it is an argument of, `body_of`
    /// the callback loop it is the body of.
    pub(super) fn closure(
        &mut self,
        closure: &ExprClosure,
        passed_to: Option<crate::facts::CallId>,
        body_of: Option<LoopId>,
    ) -> FunctionId {
        let span = self
            .lines
            .span(closure_start(closure), last_token(&closure.body));
        let is_async = closure.asyncness.is_some() || matches!(*closure.body, Expr::Async(_));
        let mut function = self.anonymous(FunctionKind::Closure, span, is_async);
        function.passed_to = passed_to;
        let loops = match body_of {
            Some(id) => self.loops.iter().copied().chain([id]).collect(),
            None => Vec::new(),
        };
        if let Some(id) = body_of {
            self.bind_loop(id, closure.inputs.iter());
        }
        let id = self.facts.functions.len() as FunctionId;
        let frame = self.begin_function(function, loops);
        for input in &closure.inputs {
            self.bind_param(input);
        }
        match &*closure.body {
            Expr::Async(block) => {
                let inherited = self.loops.clone();
                self.async_block(block, None, inherited);
            }
            body => self.visit_expr(body),
        }
        self.end_function(frame);
        id
    }

    /// An `async { }` block, run in `loops` (those of the closure it is the
    /// body of, if any).
    pub(super) fn async_block(
        &mut self,
        block: &ExprAsync,
        passed_to: Option<crate::facts::CallId>,
        loops: Vec<LoopId>,
    ) -> FunctionId {
        let span = self
            .lines
            .span(block.async_token.span, block.block.brace_token.span.close());
        let mut function = self.anonymous(FunctionKind::AsyncBlock, span, true);
        function.passed_to = passed_to;
        let id = self.facts.functions.len() as FunctionId;
        let frame = self.begin_function(function, loops);
        self.visit_block(&block.block);
        self.end_function(frame);
        id
    }

    /// Binds the names of a closure or function parameter.
    pub(super) fn bind_param(&mut self, pat: &Pat) {
        match pat {
            Pat::Type(typed) => self.bind_typed(&typed.pat, &typed.ty),
            other => self.bind_pattern(other, None),
        }
    }

    /// Binds `pat: ty`. `State(pool): State<PgPool>` binds `pool` as a `PgPool`.
    pub(super) fn bind_typed(&mut self, pat: &Pat, ty: &syn::Type) {
        if let (Pat::TupleStruct(wrapper), syn::Type::Path(path)) = (pat, ty) {
            if let (1, Some(Pat::Ident(inner)), Some(arg)) = (
                wrapper.elems.len(),
                wrapper.elems.first(),
                first_type_arg(&path.path),
            ) {
                let ty = self.scopes.resolve_type(arg);
                self.scopes.bind(inner.ident.to_string(), ty);
                return;
            }
        }
        let ty = self.scopes.resolve_type(ty);
        self.bind_pattern(pat, ty);
    }

    /// Binds every name in a pattern; a plain `name` pattern gets `ty`.
    pub(super) fn bind_pattern(&mut self, pat: &Pat, ty: Option<String>) {
        match pat {
            Pat::Ident(ident) => {
                self.scopes.bind(ident.ident.to_string(), ty);
                if let Some((_, sub)) = &ident.subpat {
                    self.bind_pattern(sub, None);
                }
            }
            Pat::Type(typed) => self.bind_typed(&typed.pat, &typed.ty),
            Pat::Reference(r) => self.bind_pattern(&r.pat, ty),
            Pat::Paren(p) => self.bind_pattern(&p.pat, ty),
            Pat::Or(or) => {
                if let Some(first) = or.cases.first() {
                    self.bind_pattern(first, None);
                }
            }
            Pat::Tuple(t) => t.elems.iter().for_each(|p| self.bind_pattern(p, None)),
            Pat::TupleStruct(t) => t.elems.iter().for_each(|p| self.bind_pattern(p, None)),
            Pat::Slice(s) => s.elems.iter().for_each(|p| self.bind_pattern(p, None)),
            Pat::Struct(s) => s
                .fields
                .iter()
                .for_each(|f| self.bind_pattern(&f.pat, None)),
            _ => {}
        }
    }

    /// Visits an expression and returns the type of its value when known
    /// (see [`Self::evaluate`]).
    pub(super) fn value_of(&mut self, expr: &Expr) -> Option<String> {
        self.evaluate(expr, 0).1
    }

    fn push_loop(
        &mut self,
        kind: LoopKind,
        span: Span,
        iterable: Option<(String, Option<String>)>,
    ) -> LoopId {
        let id = self.facts.loops.len() as LoopId;
        let (iterable, iterable_resolved) = match iterable {
            Some((text, resolved)) => (Some(text), resolved),
            None => (None, None),
        };
        self.facts.loops.push(Loop {
            bindings: Vec::new(),
            kind,
            span,
            iterable,
            iterable_resolved,
            function: self.func,
            call: None,
        });
        id
    }

    /// A callback loop: the iterating call `call` at `span`.
    pub(super) fn push_callback_loop(
        &mut self,
        span: Span,
        iterable: String,
        resolved: Option<String>,
        call: crate::facts::CallId,
    ) -> LoopId {
        let id = self.push_loop(LoopKind::Callback, span, Some((iterable, resolved)));
        self.facts.loops[id as usize].call = Some(call);
        id
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) {
        let resolved = self.value_of(&f.expr);
        let text = self.lines.compact(&f.expr, 200);
        let start = f
            .label
            .as_ref()
            .map_or(f.for_token.span, |l| l.name.apostrophe);
        let span = self.lines.span(start, f.body.brace_token.span.close());
        let id = self.push_loop(LoopKind::For, span, Some((text, resolved)));
        self.bind_loop(id, std::iter::once(&*f.pat));
        let mark = self.scopes.mark();
        self.bind_pattern(&f.pat, None);
        self.loops.push(id);
        self.visit_block(&f.body);
        self.loops.pop();
        self.scopes.end_block(mark);
    }

    fn while_loop(
        &mut self,
        label: Option<&syn::Label>,
        token: proc_macro2::Span,
        cond: Option<&Expr>,
        body: &Block,
    ) {
        let start = label.map_or(token, |l| l.name.apostrophe);
        let span = self.lines.span(start, body.brace_token.span.close());
        let id = self.push_loop(LoopKind::While, span, None);
        let mark = self.scopes.mark();
        self.loops.push(id);
        if let Some(cond) = cond {
            self.visit_expr(cond);
        }
        self.visit_block(body);
        self.loops.pop();
        self.scopes.end_block(mark);
    }

    /// Records a SQL text found in a string literal (once per literal).
    pub(super) fn push_sql(&mut self, text: &str, span: Span) {
        if self
            .facts
            .sql
            .last()
            .is_some_and(|s| s.span.start == span.start)
        {
            return;
        }
        self.facts.sql.push(SqlText {
            text: sql::placeholders(text),
            span,
            function: self.func,
        });
    }
}

/// The first type argument of a path's last segment (`State<T>` → `T`).
fn first_type_arg(path: &syn::Path) -> Option<&syn::Type> {
    let syn::PathArguments::AngleBracketed(args) = &path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

impl<'ast> Visit<'ast> for Extractor<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Call(_)
            | Expr::MethodCall(_)
            | Expr::Field(_)
            | Expr::Try(_)
            | Expr::Await(_)
            | Expr::Index(_) => {
                self.chain(expr);
            }
            Expr::Macro(m) => {
                self.macro_call(&m.mac, true);
            }
            Expr::Closure(c) => {
                self.closure(c, None, None);
            }
            Expr::Async(a) => {
                self.async_block(a, None, Vec::new());
            }
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => {
                self.while_loop(w.label.as_ref(), w.while_token.span, Some(&w.cond), &w.body)
            }
            Expr::Loop(l) => self.while_loop(l.label.as_ref(), l.loop_token.span, None, &l.body),
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_block(&mut self, block: &'ast Block) {
        let mark = self.scopes.mark();
        let layered = self.block_items(&block.stmts);
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        if layered {
            self.scopes.pop_layer();
        }
        self.scopes.end_block(mark);
    }

    fn visit_stmt_macro(&mut self, mac: &'ast syn::StmtMacro) {
        self.macro_statement(&mac.mac, true);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let (pat, annotation) = match &local.pat {
            Pat::Type(typed) => (&*typed.pat, Some(&*typed.ty)),
            other => (other, None),
        };
        let mut ty = annotation.and_then(|t| self.scopes.resolve_type(t));
        let mut value = None;
        if let Some(init) = &local.init {
            let (v, value_type) = self.evaluate(&init.expr, 0);
            ty = ty.or(value_type);
            value = Some(v);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        self.let_assigns(local, pat, annotation, value);
        self.bind_pattern(pat, ty);
    }

    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        self.visit_expr(&e.expr);
        self.bind_pattern(&e.pat, None);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let mark = self.scopes.mark();
        self.bind_pattern(&arm.pat, None);
        if let Some((_, guard)) = &arm.guard {
            self.visit_expr(guard);
        }
        self.visit_expr(&arm.body);
        self.scopes.end_block(mark);
    }

    fn visit_attribute(&mut self, _attr: &'ast syn::Attribute) {}

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        let span = self.lines.span(lit.span(), lit.span());
        if !sql::may_be_sql(self.lines.slice(span)) {
            return;
        }
        let value = lit.value();
        if sql::is_sql(&value) {
            self.push_sql(&value, span);
        }
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.item(item);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.method(FnItem {
            attrs: &f.attrs,
            vis: &f.vis,
            sig: &f.sig,
            block: &f.block,
        });
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.method(FnItem {
                attrs: &f.attrs,
                vis: &syn::Visibility::Inherited,
                sig: &f.sig,
                block,
            });
        }
    }

    fn visit_impl_item_macro(&mut self, m: &'ast syn::ImplItemMacro) {
        self.macro_call(&m.mac, false);
    }

    fn visit_type(&mut self, ty: &'ast syn::Type) {
        // Only array lengths and const generics hold expressions.
        if let syn::Type::Array(array) = ty {
            self.visit_expr(&array.len);
        }
    }

    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        for field in &e.fields {
            self.visit_expr(&field.expr);
        }
        if let Some(rest) = &e.rest {
            self.visit_expr(rest);
        }
    }

    fn visit_expr_path(&mut self, _e: &'ast syn::ExprPath) {}

    fn visit_expr_lit(&mut self, e: &'ast syn::ExprLit) {
        if let syn::Lit::Str(s) = &e.lit {
            self.visit_lit_str(s);
        }
    }

    fn visit_pat(&mut self, _pat: &'ast Pat) {}

    fn visit_span(&mut self, _span: &proc_macro2::Span) {}

    fn visit_ident(&mut self, _ident: &'ast proc_macro2::Ident) {}
}
