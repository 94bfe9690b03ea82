//! Extractor for Ruby (Rails apps in particular).
//!
//! One pass over the tree (see [`walker`]) with a stack of frames: the file,
//! class and module bodies, methods, blocks and lambdas. What it records:
//! - functions: `def m` (a method inside a class or module, named
//!   `module.Class.m`; `def self.m` too), blocks and lambdas as closures
//!   (`parent.<lambda>@LINE`) with the call they are passed to; public
//!   instance methods of Rails controllers are `rails` handlers;
//! - calls: every method call, receiver-less calls in class bodies
//!   (`has_many :orders, dependent: :destroy`) included, with symbols as
//!   strings, `key: value` pairs as keyword arguments, arrays and hashes as
//!   lists and maps, calls and lambdas as their ids (see [`values`]); a
//!   block is the last argument; a bare identifier that is not a variable
//!   is a call too; setters are named `name=`;
//! - loops: `for`, `while`, `until`, `loop do`, and blocks of iterating
//!   methods (`each`, `map`, `find_each`, ...), with the names they bind
//!   (see [`bindings`]);
//! - assignments to constants and variables (see [`assigns`]). Attribute
//!   reads are method calls in Ruby (`order.customer` is a call), so no
//!   [`crate::facts::Access`] is recorded: rules read them as calls whose
//!   receiver is a loop binding;
//! - classes and modules with their superclass; `require` and
//!   `require_relative` as imports; SQL in strings and heredocs.
//!
//! Resolution is described in [`resolve`].

mod args;
mod assigns;
mod bindings;
mod calls;
mod chain;
mod defs;
mod fields;
mod kinds;
mod resolve;
mod scope;
mod strings;
mod values;
mod walker;

use super::{tree, SourceFile};
use crate::facts::FileFacts;

fn language() -> tree_sitter::Language {
    tree_sitter_ruby::LANGUAGE.into()
}

/// Extract facts from a Ruby file.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let parsed = tree::parse(src.text, &language(), "Ruby")?;
    let root = parsed.root_node();
    let mut walker = walker::Walker::new(src.text, src.module, root);
    tree::visit(root, &mut walker);
    let mut facts = walker.finish();
    facts
        .notes
        .extend(tree::syntax_note(root, src.text, "Ruby"));
    Ok(facts)
}

/// Parse only.
pub fn parse(src: &SourceFile) -> Result<(), String> {
    tree::parse(src.text, &language(), "Ruby").map(drop)
}

#[cfg(test)]
mod tests;
