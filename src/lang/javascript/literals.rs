//! String and template literals: SQL texts, and argument values.

use super::kinds::{Field, Kind};
use super::resolve::unquote;
use super::walker::Walker;
use crate::facts::{Arg, ArgValue, SqlText};
use tree_sitter::Node;

/// Longest argument text kept.
const MAX_ARG: usize = 200;

impl<'a, 't> Walker<'a, 't> {
    /// A string literal: record it if it holds SQL.
    pub(super) fn enter_string(&mut self, node: Node<'t>) {
        let text = unquote(self.text_of(node));
        if looks_like_sql(text) {
            self.push_sql(node, text.to_string());
        }
    }

    /// A template literal: record it (with `${...}` as `?`) if it holds SQL.
    pub(super) fn enter_template(&mut self, node: Node<'t>) {
        let raw = unquote(self.text_of(node));
        if !looks_like_sql(raw) {
            return;
        }
        let text = self.template_text(node);
        self.push_sql(node, text);
    }

    /// A template's text with each substitution replaced by `?`.
    pub(super) fn template_text(&self, node: Node) -> String {
        let start = node.start_byte() + 1;
        let end = node.end_byte().saturating_sub(1).max(start);
        let mut out = String::new();
        let mut at = start;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "template_substitution" {
                out.push_str(self.text.get(at..child.start_byte()).unwrap_or(""));
                out.push('?');
                at = child.end_byte();
            }
        }
        out.push_str(self.text.get(at..end).unwrap_or(""));
        out
    }

    fn push_sql(&mut self, node: Node, text: String) {
        let span = self.span(node);
        let function = self.current().id;
        self.facts.sql.push(SqlText {
            text,
            span,
            function,
        });
    }

    /// The arguments of a call node, and its inline function arguments.
    pub(super) fn call_args(&mut self, call: Node<'t>) -> (Vec<Arg>, Vec<Node<'t>>) {
        let mut args = Vec::new();
        let mut closures = Vec::new();
        let Some(list) = self.field(call, Field::Arguments) else {
            return (args, closures);
        };
        if self.kind(list) == Kind::Template {
            let value = ArgValue::Str(truncate(self.template_text(list)));
            args.push(Arg {
                keyword: None,
                value,
            });
            return (args, closures);
        }
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            if arg.kind() == "comment" {
                continue;
            }
            if is_function(self.kind(arg)) {
                closures.push(arg);
            }
            let value = self.value(arg);
            args.push(Arg {
                keyword: None,
                value,
            });
        }
        (args, closures)
    }
}

impl<'t> Walker<'_, 't> {
    /// The function `f` of a call `f.bind(...)`.
    pub(super) fn bound_function(&self, call: Node<'t>) -> Option<Node<'t>> {
        let function = self.field(call, Field::Function)?;
        if self.kind(function) != Kind::Member {
            return None;
        }
        let property = self.field(function, Field::Property)?;
        if self.text_of(property) != "bind" {
            return None;
        }
        self.field(function, Field::Object)
    }
}

/// Whether a kind is an inline function.
pub(super) fn is_function(kind: Kind) -> bool {
    matches!(kind, Kind::Arrow | Kind::FunctionExpression)
}

/// A string cut to the longest argument text kept.
pub(super) fn truncate(mut s: String) -> String {
    if s.len() > MAX_ARG {
        let mut end = MAX_ARG;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// Whether a string's content is SQL: it starts (after whitespace and
/// parentheses) with a statement keyword, written all upper or all lower
/// case, followed by the clauses that statement needs (`SELECT ... FROM`,
/// `INSERT INTO`, `UPDATE ... SET`, `DELETE FROM`, `CREATE TABLE`, ...).
/// Prose such as "Select a file from the list" is capitalised, so it is not.
pub(super) fn looks_like_sql(text: &str) -> bool {
    let body = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let word_end = body
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(body.len());
    let (word, rest) = body.split_at(word_end);
    if word.len() < 4 || !rest.starts_with(|c: char| c.is_whitespace()) {
        return false;
    }
    let upper = word.bytes().all(|b| b.is_ascii_uppercase());
    let lower = word.bytes().all(|b| b.is_ascii_lowercase());
    if !upper && !lower {
        return false;
    }
    let needs: &[&[&str]] = match word.to_ascii_uppercase().as_str() {
        "SELECT" | "DELETE" => &[&["FROM"]],
        "INSERT" => &[&["INTO"]],
        "UPDATE" => &[&["SET"]],
        "WITH" => &[&["AS"], &["SELECT", "INSERT", "UPDATE", "DELETE"]],
        "CREATE" | "ALTER" | "DROP" => &[&["TABLE", "INDEX", "VIEW", "SCHEMA", "SEQUENCE", "TYPE"]],
        _ => return false,
    };
    let words = || {
        rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .take(64)
    };
    needs
        .iter()
        .all(|any_of| words().any(|w| any_of.iter().any(|n| w.eq_ignore_ascii_case(n))))
}
