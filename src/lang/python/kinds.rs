//! Node kinds the Python extractor reacts to, looked up by kind id through a
//! table built once, so the walk never compares kind names per node.

use std::sync::OnceLock;
use tree_sitter::{Language, Node};

/// The node kinds the walk distinguishes; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Other,
    DecoratedDefinition,
    FunctionDefinition,
    Lambda,
    ClassDefinition,
    Call,
    Await,
    For,
    While,
    Comprehension,
    Import,
    ImportFrom,
    Assignment,
    NamedExpression,
    WithItem,
    String,
    ConcatenatedString,
    BinaryOperator,
}

/// The Python grammar.
pub(super) fn language() -> Language {
    tree_sitter_python::LANGUAGE.into()
}

fn table() -> &'static [Kind] {
    static TABLE: OnceLock<Vec<Kind>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let language = language();
        (0..language.node_kind_count())
            .map(|id| {
                let id = id as u16;
                if !language.node_kind_is_named(id) {
                    return Kind::Other;
                }
                match language.node_kind_for_id(id).unwrap_or("") {
                    "decorated_definition" => Kind::DecoratedDefinition,
                    "function_definition" => Kind::FunctionDefinition,
                    "lambda" => Kind::Lambda,
                    "class_definition" => Kind::ClassDefinition,
                    "call" => Kind::Call,
                    "await" => Kind::Await,
                    "for_statement" => Kind::For,
                    "while_statement" => Kind::While,
                    "list_comprehension"
                    | "set_comprehension"
                    | "dictionary_comprehension"
                    | "generator_expression" => Kind::Comprehension,
                    "import_statement" => Kind::Import,
                    "import_from_statement" | "future_import_statement" => Kind::ImportFrom,
                    "assignment" => Kind::Assignment,
                    "named_expression" => Kind::NamedExpression,
                    "with_item" => Kind::WithItem,
                    "string" => Kind::String,
                    "concatenated_string" => Kind::ConcatenatedString,
                    "binary_operator" => Kind::BinaryOperator,
                    _ => Kind::Other,
                }
            })
            .collect()
    })
}

/// The kind of a node.
pub(super) fn of(node: Node) -> Kind {
    table()
        .get(node.kind_id() as usize)
        .copied()
        .unwrap_or(Kind::Other)
}
