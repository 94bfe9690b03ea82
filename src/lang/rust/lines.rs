//! Positions: `proc-macro2` line/column pairs to [`Span`]s with byte
//! offsets, and the first/last token of an expression without re-tokenizing
//! it (`syn::spanned` walks the whole node, which is quadratic on chains).

use crate::facts::Span;
use proc_macro2::{LineColumn, Span as TokenSpan};
use syn::spanned::Spanned;
use syn::{Expr, Member, Path, Type};

/// Where each line starts, to turn (line, char column) into byte offsets.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    /// Index the lines of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            } else if b >= 0x80 {
                line_ascii = false;
            }
        }
        ascii.push(line_ascii);
        LineIndex {
            text,
            starts,
            ascii,
        }
    }

    /// Byte offset of a 1-based line and 0-based char column.
    pub fn offset(&self, at: LineColumn) -> usize {
        let line = at.line.max(1) - 1;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        if self.ascii[line] {
            return (start + at.column).min(end);
        }
        let line_text = &self.text[start..end];
        start
            + line_text
                .char_indices()
                .nth(at.column)
                .map_or(line_text.len(), |(i, _)| i)
    }

    /// The span from the start of `first` to the end of `last`.
    pub fn span(&self, first: TokenSpan, last: TokenSpan) -> Span {
        let (start, end) = (first.start(), last.end());
        let (from, to) = (self.offset(start), self.offset(end));
        Span {
            start: from as u32,
            end: to.max(from) as u32,
            line: start.line as u32,
            column: start.column as u32 + 1,
            end_line: end.line.max(start.line) as u32,
        }
    }

    /// The source text of a span.
    pub fn slice(&self, span: Span) -> &'a str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// The text of a type, whitespace removed, at most `max` bytes.
    pub fn type_text(&self, ty: &Type, max: usize) -> String {
        let whole = ty.span();
        compact(self.slice(self.span(whole, whole)), max)
    }

    /// The text of an expression, whitespace removed, at most `max` bytes.
    pub fn compact(&self, expr: &Expr, max: usize) -> String {
        let span = self.span(first_token(expr), last_token(expr));
        compact(self.slice(span), max)
    }
}

/// `text` without whitespace, cut at a char boundary after `max` bytes.
pub fn compact(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if out.len() >= max {
            break;
        }
        out.push(c);
    }
    out
}

/// The first token of an expression.
pub fn first_token(expr: &Expr) -> TokenSpan {
    let mut expr = expr;
    loop {
        expr = match expr {
            Expr::MethodCall(e) => &e.receiver,
            Expr::Call(e) => &e.func,
            Expr::Field(e) => &e.base,
            Expr::Try(e) => &e.expr,
            Expr::Await(e) => &e.base,
            Expr::Index(e) => &e.expr,
            Expr::Binary(e) => &e.left,
            Expr::Cast(e) => &e.expr,
            Expr::Assign(e) => &e.left,
            Expr::Range(e) => match &e.start {
                Some(start) => start,
                None => return range_span(&e.limits),
            },
            Expr::Path(e) => return path_start(e.qself.as_ref().map(|q| q.lt_token.span), &e.path),
            Expr::Struct(e) => {
                return path_start(e.qself.as_ref().map(|q| q.lt_token.span), &e.path)
            }
            Expr::Macro(e) => return path_start(None, &e.mac.path),
            Expr::Lit(e) => return e.lit.span(),
            Expr::Paren(e) => return e.paren_token.span.open(),
            Expr::Tuple(e) => return e.paren_token.span.open(),
            Expr::Array(e) => return e.bracket_token.span.open(),
            Expr::Repeat(e) => return e.bracket_token.span.open(),
            Expr::Block(e) => match &e.label {
                Some(label) => return label.name.apostrophe,
                None => return e.block.brace_token.span.open(),
            },
            Expr::Async(e) => return e.async_token.span,
            Expr::Unsafe(e) => return e.unsafe_token.span,
            Expr::If(e) => return e.if_token.span,
            Expr::Match(e) => return e.match_token.span,
            Expr::Reference(e) => return e.and_token.spans[0],
            Expr::Unary(e) => return unary_span(&e.op),
            Expr::Return(e) => return e.return_token.span,
            Expr::Let(e) => return e.let_token.span,
            Expr::Closure(e) => return closure_start(e),
            _ => return expr.span(),
        };
    }
}

/// The last token of an expression.
pub fn last_token(expr: &Expr) -> TokenSpan {
    let mut expr = expr;
    loop {
        expr = match expr {
            Expr::MethodCall(e) => return e.paren_token.span.close(),
            Expr::Call(e) => return e.paren_token.span.close(),
            Expr::Field(e) => return member_span(&e.member),
            Expr::Try(e) => return e.question_token.spans[0],
            Expr::Await(e) => return e.await_token.span,
            Expr::Index(e) => return e.bracket_token.span.close(),
            Expr::Binary(e) => &e.right,
            Expr::Assign(e) => &e.right,
            Expr::Unary(e) => &e.expr,
            Expr::Reference(e) => &e.expr,
            Expr::Closure(e) => &e.body,
            Expr::Let(e) => &e.expr,
            Expr::Cast(e) => return type_end(&e.ty),
            Expr::Range(e) => match &e.end {
                Some(end) => end,
                None => return range_span(&e.limits),
            },
            Expr::Return(e) => match &e.expr {
                Some(value) => value,
                None => return e.return_token.span,
            },
            Expr::If(e) => match &e.else_branch {
                Some((_, other)) => other,
                None => return e.then_branch.brace_token.span.close(),
            },
            Expr::Path(e) => return path_end(&e.path),
            Expr::Struct(e) => return e.brace_token.span.close(),
            Expr::Macro(e) => return e.mac.delimiter.span().close(),
            Expr::Lit(e) => return e.lit.span(),
            Expr::Paren(e) => return e.paren_token.span.close(),
            Expr::Tuple(e) => return e.paren_token.span.close(),
            Expr::Array(e) => return e.bracket_token.span.close(),
            Expr::Repeat(e) => return e.bracket_token.span.close(),
            Expr::Block(e) => return e.block.brace_token.span.close(),
            Expr::Async(e) => return e.block.brace_token.span.close(),
            Expr::Unsafe(e) => return e.block.brace_token.span.close(),
            Expr::Match(e) => return e.brace_token.span.close(),
            Expr::Loop(e) => return e.body.brace_token.span.close(),
            Expr::While(e) => return e.body.brace_token.span.close(),
            Expr::ForLoop(e) => return e.body.brace_token.span.close(),
            _ => return expr.span(),
        };
    }
}

/// The first token of a closure (`async`, `move` or `|`).
pub fn closure_start(e: &syn::ExprClosure) -> TokenSpan {
    if let Some(t) = &e.asyncness {
        return t.span;
    }
    if let Some(t) = &e.capture {
        return t.span;
    }
    e.or1_token.spans[0]
}

fn range_span(limits: &syn::RangeLimits) -> TokenSpan {
    match limits {
        syn::RangeLimits::HalfOpen(t) => t.spans[0],
        syn::RangeLimits::Closed(t) => t.spans[0],
    }
}

fn unary_span(op: &syn::UnOp) -> TokenSpan {
    match op {
        syn::UnOp::Deref(t) => t.spans[0],
        syn::UnOp::Not(t) => t.spans[0],
        syn::UnOp::Neg(t) => t.spans[0],
        other => other.span(),
    }
}

fn member_span(member: &Member) -> TokenSpan {
    match member {
        Member::Named(ident) => ident.span(),
        Member::Unnamed(index) => index.span,
    }
}

/// The first token of a path (its leading `::` or first segment).
pub fn path_start(qself: Option<TokenSpan>, path: &Path) -> TokenSpan {
    if let Some(span) = qself {
        return span;
    }
    if let Some(colon) = &path.leading_colon {
        return colon.spans[0];
    }
    path.segments
        .first()
        .map_or_else(TokenSpan::call_site, |s| s.ident.span())
}

/// The last token of a path (its last identifier or generic `>`).
pub fn path_end(path: &Path) -> TokenSpan {
    let Some(last) = path.segments.last() else {
        return TokenSpan::call_site();
    };
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => args.gt_token.spans[0],
        syn::PathArguments::Parenthesized(args) => args.paren_token.span.close(),
        syn::PathArguments::None => last.ident.span(),
    }
}

fn type_end(ty: &Type) -> TokenSpan {
    match ty {
        Type::Path(p) => path_end(&p.path),
        other => other.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> Expr {
        syn::parse_str(src).unwrap()
    }

    #[test]
    fn offsets_count_chars_on_non_ascii_lines() {
        let text = "ab\n\u{e9}\u{e9}x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(LineColumn { line: 2, column: 2 }), 7);
        assert_eq!(index.offset(LineColumn { line: 1, column: 1 }), 1);
        assert_eq!(index.offset(LineColumn { line: 9, column: 0 }), text.len());
    }

    #[test]
    fn expression_bounds() {
        let text = "a.b(1)?.c(x + y).await";
        let e = expr(text);
        let index = LineIndex::new(text);
        assert_eq!(index.compact(&e, 200), "a.b(1)?.c(x+y).await");
        let text = "|x| x.f(|| 1)";
        let index = LineIndex::new(text);
        assert_eq!(index.compact(&expr(text), 200), "|x|x.f(||1)");
        assert_eq!(compact("a b c", 2), "ab");
    }
}
