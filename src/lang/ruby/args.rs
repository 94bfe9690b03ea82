//! Call arguments: `has_many :orders, dependent: :destroy` →
//! `[Str("orders"), dependent: Str("destroy")]`.

use super::chain::constant_path;
use super::fields::fields;
use super::strings::{self, MAX_ARG};
use crate::facts::{Arg, ArgValue};
use crate::lang::tree;
use tree_sitter::{Node, TreeCursor};

/// A closure passed as an argument, to be named once it is walked.
#[derive(Debug, Clone, Copy)]
pub struct PendingClosure {
    /// The `lambda` / `block` / `do_block` node.
    pub node: usize,
    /// Index of its [`ArgValue::Closure`] in the call's arguments.
    pub index: usize,
}

/// The arguments of `call`, in order; a block comes last. Closures get a
/// placeholder id, listed in `closures` for the walker to fill in.
pub fn read<'a>(
    call: Node<'a>,
    src: &str,
    closures: &mut Vec<PendingClosure>,
    cursor: &mut TreeCursor<'a>,
) -> Vec<Arg> {
    let mut args = Vec::new();
    if let Some(list) = call.child_by_field_id(fields().arguments) {
        for node in list.named_children(cursor) {
            match node.kind() {
                "pair" => args.push(pair(node, src, args.len(), closures)),
                "hash" => {
                    let mut inner = node.walk();
                    for child in node.named_children(&mut inner) {
                        args.push(match child.kind() {
                            "pair" => pair(child, src, args.len(), closures),
                            _ => positional(other(child, src)),
                        });
                    }
                }
                "lambda" => {
                    closures.push(PendingClosure {
                        node: node.id(),
                        index: args.len(),
                    });
                    args.push(positional(ArgValue::Closure(u32::MAX)));
                }
                "comment" => {}
                _ => args.push(positional(value(node, src))),
            }
        }
    }
    if let Some(block) = call.child_by_field_id(fields().block) {
        closures.push(PendingClosure {
            node: block.id(),
            index: args.len(),
        });
        args.push(positional(ArgValue::Closure(u32::MAX)));
    }
    args
}

fn positional(value: ArgValue) -> Arg {
    Arg {
        keyword: None,
        value,
    }
}

/// `key: value`, `:key => value`, `"key" => value` are keyword arguments;
/// other keys make the pair an `Other` value. A lambda value
/// (`if: -> { ... }`) is a closure passed to the call.
fn pair(node: Node, src: &str, index: usize, closures: &mut Vec<PendingClosure>) -> Arg {
    let key = node.child_by_field_id(fields().key);
    let keyword = key.and_then(|k| match k.kind() {
        "string" => strings::content(k, src, None),
        _ => strings::symbol(k, src),
    });
    match (keyword, node.child_by_field_id(fields().value)) {
        (Some(keyword), Some(v)) if v.kind() == "lambda" => {
            closures.push(PendingClosure {
                node: v.id(),
                index,
            });
            Arg {
                keyword: Some(keyword),
                value: ArgValue::Closure(u32::MAX),
            }
        }
        (Some(keyword), Some(v)) => Arg {
            keyword: Some(keyword),
            value: value(v, src),
        },
        // Ruby 3.1 shorthand `f(x:)` passes the local or method `x`.
        (Some(keyword), None) => Arg {
            value: ArgValue::Path(keyword.clone()),
            keyword: Some(keyword),
        },
        _ => positional(other(node, src)),
    }
}

/// An argument value.
pub fn value(node: Node, src: &str) -> ArgValue {
    let text = || tree::text(node, src).to_string();
    match node.kind() {
        "simple_symbol" | "delimited_symbol" => strings::symbol(node, src)
            .map(|s| ArgValue::Str(strings::truncate(&s, MAX_ARG).to_string()))
            .unwrap_or_else(|| other(node, src)),
        "string" | "chained_string" => strings::content(node, src, None)
            .map(|s| ArgValue::Str(strings::truncate(&s, MAX_ARG).to_string()))
            .unwrap_or_else(|| other(node, src)),
        "integer" | "float" | "rational" | "complex" => ArgValue::Number(text()),
        "nil" => ArgValue::Null,
        "true" => ArgValue::Bool(true),
        "false" => ArgValue::Bool(false),
        "identifier" | "instance_variable" | "class_variable" | "global_variable" | "self" => {
            ArgValue::Path(text())
        }
        "constant" | "scope_resolution" => constant_path(node, src)
            .map(ArgValue::Path)
            .unwrap_or_else(|| other(node, src)),
        _ => other(node, src),
    }
}

/// Source text, truncated.
fn other(node: Node, src: &str) -> ArgValue {
    ArgValue::Other(strings::truncate(tree::text(node, src), MAX_ARG).to_string())
}
