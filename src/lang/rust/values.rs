//! Values: an expression walked once, giving both what it is as an
//! [`ArgValue`] (for call arguments and assignments) and the type of its
//! value when known (for local variables). Literals as themselves, paths
//! resolved, `vec![..]`, array and tuple literals as lists, a call chain
//! ending in a call (`?` and `.await` after it allowed) or a macro as its
//! call fact, closures as their functions; containers nested deeper than
//! [`MAX_VALUE_DEPTH`] as text.

use super::chain::truncate;
use super::items::path_text;
use super::macros::{list_body, macro_name};
use super::scope::Resolution;
use super::visit::Extractor;
use crate::facts::{Arg, ArgValue, CallId, LoopId, MAX_VALUE_DEPTH};
use syn::visit::Visit;
use syn::{Expr, Lit};

/// Longest text kept for a value.
const MAX_TEXT: usize = 200;

impl Extractor<'_> {
    /// A value passed to call `call` (an argument, an element of
    /// `vec![..]`), `depth` containers deep: closures and async blocks are
    /// passed to the call, and are the body of loop `body_of`, if any.
    pub(super) fn passed(
        &mut self,
        arg: &Expr,
        call: CallId,
        body_of: Option<LoopId>,
        depth: usize,
    ) -> ArgValue {
        match arg {
            Expr::Closure(c) => ArgValue::Closure(self.closure(c, Some(call), body_of)),
            Expr::Async(a) => ArgValue::Closure(self.async_block(a, Some(call), Vec::new())),
            other => self.evaluate(other, depth).0,
        }
    }

    /// Walks `expr`, `depth` containers deep, recording what it holds;
    /// returns its value and its type when known (the resolved call it
    /// comes from, `std.process.Command.new()`, a typed variable, a struct
    /// literal's type).
    pub(super) fn evaluate(&mut self, expr: &Expr, depth: usize) -> (ArgValue, Option<String>) {
        match expr {
            Expr::Call(_)
            | Expr::MethodCall(_)
            | Expr::Field(_)
            | Expr::Try(_)
            | Expr::Await(_)
            | Expr::Index(_) => {
                let chain = self.chain(expr);
                let value = match chain.call {
                    Some(id) => ArgValue::Call(id),
                    None => self.text(expr),
                };
                (value, chain.resolved)
            }
            Expr::Path(p) => {
                let resolution = self.scopes.resolve(&p.path);
                let value = match &resolution {
                    _ if p.path.is_ident("None") => ArgValue::Null,
                    Resolution::Local(_) => ArgValue::Path(path_text(&p.path)),
                    other => {
                        ArgValue::Path(other.clone().callee().unwrap_or_else(|| path_text(&p.path)))
                    }
                };
                (value, resolution.value())
            }
            Expr::Lit(lit) => {
                self.visit_expr_lit(lit);
                let value = match &lit.lit {
                    Lit::Str(s) => ArgValue::Str(truncate(&s.value(), MAX_TEXT)),
                    Lit::Int(i) => ArgValue::Number(i.to_string()),
                    Lit::Float(f) => ArgValue::Number(f.to_string()),
                    Lit::Bool(b) => ArgValue::Bool(b.value),
                    _ => self.text(expr),
                };
                (value, None)
            }
            Expr::Reference(r) => {
                let (inner, ty) = self.evaluate(&r.expr, depth);
                let value = match inner {
                    ArgValue::List(_) => inner,
                    _ => self.text(expr),
                };
                (value, ty)
            }
            Expr::Paren(p) => self.evaluate(&p.expr, depth),
            // `{ Cell::new(false) }` (a `const { .. }` initializer) is its
            // tail expression.
            Expr::Block(b) if b.label.is_none() => match b.block.stmts.as_slice() {
                [syn::Stmt::Expr(tail, None)] => self.evaluate(tail, depth),
                _ => {
                    self.visit_expr(expr);
                    (self.text(expr), None)
                }
            },
            Expr::Group(g) => self.evaluate(&g.expr, depth),
            Expr::Struct(s) => {
                self.visit_expr_struct(s);
                (self.text(expr), self.scopes.resolve(&s.path).value())
            }
            Expr::Cast(c) => {
                self.visit_expr(&c.expr);
                (self.text(expr), self.scopes.resolve_type(&c.ty))
            }
            Expr::Macro(m) if depth < MAX_VALUE_DEPTH && macro_name(&m.mac) == "vec" => {
                match list_body(&m.mac) {
                    Some(items) => self.vec_macro(&m.mac, &items, depth),
                    None => self.macro_value(&m.mac),
                }
            }
            Expr::Macro(m) => self.macro_value(&m.mac),
            Expr::Array(a) if depth < MAX_VALUE_DEPTH => {
                let items = a.elems.iter().map(|e| self.evaluate(e, depth + 1).0);
                (ArgValue::List(items.collect()), None)
            }
            Expr::Tuple(t) if depth < MAX_VALUE_DEPTH && !t.elems.is_empty() => {
                let items = t.elems.iter().map(|e| self.evaluate(e, depth + 1).0);
                (ArgValue::List(items.collect()), None)
            }
            Expr::Closure(c) => (ArgValue::Closure(self.closure(c, None, None)), None),
            Expr::Async(a) => (
                ArgValue::Closure(self.async_block(a, None, Vec::new())),
                None,
            ),
            other => {
                self.visit_expr(other);
                (self.text(other), None)
            }
        }
    }

    /// `vec![a, b]`: a call fact whose arguments are its elements, and a
    /// list as the value.
    fn vec_macro(
        &mut self,
        mac: &syn::Macro,
        items: &[Expr],
        depth: usize,
    ) -> (ArgValue, Option<String>) {
        let call = self.record_macro(mac, "vec");
        let values: Vec<ArgValue> = items
            .iter()
            .map(|e| self.passed(e, call.id, None, depth + 1))
            .collect();
        self.facts.calls[call.id as usize].args = values
            .iter()
            .map(|v| Arg {
                keyword: None,
                value: v.clone(),
            })
            .collect();
        (ArgValue::List(values), call.resolved.map(|r| r + "()"))
    }

    /// Any other macro: its call fact.
    fn macro_value(&mut self, mac: &syn::Macro) -> (ArgValue, Option<String>) {
        let call = self.macro_call(mac, true);
        (ArgValue::Call(call.id), call.resolved.map(|r| r + "()"))
    }

    /// An expression as text, whitespace removed, truncated.
    fn text(&self, expr: &Expr) -> ArgValue {
        ArgValue::Other(self.lines.compact(expr, MAX_TEXT))
    }
}
