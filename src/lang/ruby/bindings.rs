//! Names a loop binds per iteration: the parameters of an iterating block
//! (`orders.each do |o|`, `each_with_object({}) { |o, memo| }`,
//! `each_pair { |(k, v)| }`) and the pattern of a `for` loop
//! (`for a, b in pairs`). Destructured parameters bind their own names.

use super::fields::fields;
use crate::lang::tree;
use tree_sitter::Node;

/// Iterating methods whose block takes the accumulator first
/// (`inject { |sum, o| }`): the element is listed first anyway.
const ACCUMULATOR_FIRST: &[&str] = &["inject", "reduce"];

/// The names bound by the parameters of `block`, passed to the iterating
/// method `method`: the element's names first, in order; block-local
/// variables (`|o; tmp|`) and `&blk` left out.
pub fn block_bindings(block: Node, method: &str, src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let Some(params) = block.child_by_field_id(fields().parameters) else {
        return names;
    };
    let locals = fields().locals;
    let mut accumulator = None;
    let mut cursor = params.walk();
    let mut more = cursor.goto_first_child();
    while more {
        let is_local = cursor.field_id().is_some_and(|f| f.get() == locals);
        let param = cursor.node();
        more = cursor.goto_next_sibling();
        if is_local || !param.is_named() || param.kind() == "comment" {
            continue;
        }
        if accumulator.is_none() && ACCUMULATOR_FIRST.contains(&method) {
            accumulator = Some(param);
            continue;
        }
        push_names(param, src, &mut names);
    }
    if let Some(param) = accumulator {
        push_names(param, src, &mut names);
    }
    names
}

/// The names a `for` pattern binds.
pub fn bound_names(pattern: Node, src: &str) -> Vec<String> {
    let mut names = Vec::new();
    push_names(pattern, src, &mut names);
    names
}

/// The names declared by a parameter or assignment target, in source order
/// (walked without recursion; default values are not looked into).
fn push_names(node: Node, src: &str, out: &mut Vec<String>) {
    tree::walk(node, |n| match n.kind() {
        "identifier" | "instance_variable" | "class_variable" | "global_variable" => {
            out.push(tree::text(n, src).to_string());
            false
        }
        "optional_parameter" | "keyword_parameter" => {
            if let Some(name) = n.child_by_field_id(fields().name) {
                out.push(tree::text(name, src).to_string());
            }
            false
        }
        "destructured_parameter"
        | "splat_parameter"
        | "hash_splat_parameter"
        | "left_assignment_list"
        | "destructured_left_assignment"
        | "rest_assignment" => true,
        _ => false,
    });
}
