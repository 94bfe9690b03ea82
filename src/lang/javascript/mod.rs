//! JavaScript, TypeScript and TSX extractor.
//!
//! One extractor serves the three grammars (they differ only in type syntax
//! and where decorators sit). A file is parsed once, its top-level statements
//! are read first for hoisted bindings (imports, function and class
//! declarations, module-level constants), then the tree is walked once with
//! [`tree::visit`] while a context stack tracks the enclosing functions,
//! classes, loops and calls.
//!
//! Naming: the module is the file path without extension (`src/routes/users`);
//! functions are `module.name`, methods `module.Class.method`, object-literal
//! methods `module.object.method`, default exports `module.default`, and
//! anonymous functions `parent.<lambda>@LINE`.

mod access;
mod assigns;
mod bind;
mod calls;
mod classes;
mod functions;
mod handlers;
mod hoist;
mod kinds;
mod literals;
mod naming;
mod resolve;
mod scope;
mod values;
mod walker;

#[cfg(test)]
mod tests;

use super::{tree, SourceFile};
use crate::facts::{FileFacts, Language};

/// The grammar for a file and a name for messages.
fn grammar(language: Language) -> (tree_sitter::Language, &'static str) {
    match language {
        Language::TypeScript => (
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            "TypeScript",
        ),
        Language::Tsx => (tree_sitter_typescript::LANGUAGE_TSX.into(), "TSX"),
        _ => (tree_sitter_javascript::LANGUAGE.into(), "JavaScript"),
    }
}

/// Extract facts from a JavaScript, TypeScript or TSX file.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let (language, name) = grammar(src.language);
    let parsed = tree::parse(src.text, &language, name)?;
    let root = parsed.root_node();
    let mut walker = walker::Walker::new(src, kinds::table(src.language));
    walker.hoist(root);
    tree::visit(root, &mut walker);
    let mut facts = walker.finish();
    facts.notes.extend(tree::syntax_note(root, src.text, name));
    Ok(facts)
}

/// Parse only (the benchmark's baseline).
pub fn parse(src: &SourceFile) -> Result<(), String> {
    let (language, name) = grammar(src.language);
    tree::parse(src.text, &language, name).map(drop)
}
#[cfg(test)]
mod fact_tests;
