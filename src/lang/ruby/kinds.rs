//! Ruby vocabulary the extractor recognises: iterating methods, Rails
//! controller bases, and the syntactic role of an identifier.

use super::fields::fields;
use tree_sitter::Node;

/// Whether `name`, called with a block, runs the block once per element
/// (or per batch, or `n` times): a callback loop.
pub fn is_iterator(name: &str) -> bool {
    matches!(
        name,
        "each"
            | "each_with_index"
            | "each_with_object"
            | "each_slice"
            | "each_cons"
            | "each_key"
            | "each_value"
            | "each_pair"
            | "each_entry"
            | "map"
            | "map!"
            | "flat_map"
            | "collect"
            | "collect!"
            | "collect_concat"
            | "filter_map"
            | "select"
            | "select!"
            | "filter"
            | "filter!"
            | "reject"
            | "reject!"
            | "find"
            | "detect"
            | "find_all"
            | "find_index"
            | "find_each"
            | "find_in_batches"
            | "in_batches"
            | "sum"
            | "count"
            | "times"
            | "upto"
            | "downto"
            | "step"
            | "inject"
            | "reduce"
            | "group_by"
            | "partition"
            | "index_by"
            | "sort_by"
            | "min_by"
            | "max_by"
            | "uniq"
            | "to_h"
            | "any?"
            | "all?"
            | "none?"
            | "one?"
            | "zip"
    )
}

/// Whether a class with this (resolved) superclass is a Rails controller.
/// Besides the framework bases, a superclass named `*Controller` counts:
/// apps put shared behaviour in `Admin::BaseController < ApplicationController`.
pub fn is_controller_base(base: &str) -> bool {
    matches!(
        base,
        "ApplicationController" | "ActionController.Base" | "ActionController.API"
    ) || base.ends_with("Controller")
}

/// What an identifier is, from its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentRole {
    /// It declares a parameter: a new variable of the method or block.
    Parameter,
    /// It assigns a local variable (assignment target, pattern, `rescue =>`).
    Binds,
    /// It is part of another construct's syntax (a method name).
    Name,
    /// It is an expression: a local variable read, or a call to a method on
    /// `self` without arguments.
    Expression,
}

/// The role of `node` (an `identifier`) under `parent`.
pub fn identifier_role(parent: Node, node: Node) -> IdentRole {
    let f = fields();
    let is = |field: u16| parent.child_by_field_id(field) == Some(node);
    let binds_if = |yes: bool| {
        if yes {
            IdentRole::Binds
        } else {
            IdentRole::Expression
        }
    };
    match parent.kind() {
        "method_parameters"
        | "block_parameters"
        | "lambda_parameters"
        | "splat_parameter"
        | "hash_splat_parameter"
        | "block_parameter"
        | "destructured_parameter" => IdentRole::Parameter,
        "optional_parameter" | "keyword_parameter" if is(f.name) => IdentRole::Parameter,
        "left_assignment_list"
        | "rest_assignment"
        | "destructured_left_assignment"
        | "exception_variable"
        | "array_pattern"
        | "find_pattern"
        | "hash_pattern"
        | "alternative_pattern"
        | "keyword_pattern"
        | "parenthesized_pattern" => IdentRole::Binds,
        "as_pattern" => binds_if(is(f.name)),
        "assignment" | "operator_assignment" => binds_if(is(f.left)),
        "for" | "in_clause" | "match_pattern" | "test_pattern" => binds_if(is(f.pattern)),
        "call" if is(f.method) => IdentRole::Name,
        "method" | "singleton_method" if is(f.name) => IdentRole::Name,
        "alias" | "undef" | "setter" => IdentRole::Name,
        _ => IdentRole::Expression,
    }
}
