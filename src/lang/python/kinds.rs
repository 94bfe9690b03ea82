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
    AugmentedAssignment,
    DeleteStatement,
    Global,
    Return,
    NamedExpression,
    WithItem,
    String,
    ConcatenatedString,
    BinaryOperator,
    Comparison,
    // Not dispatched on by the walk, but tested often enough elsewhere that
    // comparing ids beats comparing names.
    Identifier,
    Attribute,
    Subscript,
    Parenthesized,
    StringContent,
    Interpolation,
    KeywordArgument,
    Comment,
    Integer,
    Float,
    None,
    True,
    False,
    List,
    Tuple,
    Set,
    Dictionary,
    ExpressionList,
    Pair,
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
                    "augmented_assignment" => Kind::AugmentedAssignment,
                    "delete_statement" => Kind::DeleteStatement,
                    "global_statement" => Kind::Global,
                    "return_statement" => Kind::Return,
                    "named_expression" => Kind::NamedExpression,
                    "with_item" => Kind::WithItem,
                    "string" => Kind::String,
                    "concatenated_string" => Kind::ConcatenatedString,
                    "binary_operator" => Kind::BinaryOperator,
                    "comparison_operator" => Kind::Comparison,
                    "identifier" => Kind::Identifier,
                    "attribute" => Kind::Attribute,
                    "subscript" => Kind::Subscript,
                    "parenthesized_expression" => Kind::Parenthesized,
                    "string_content" => Kind::StringContent,
                    "interpolation" => Kind::Interpolation,
                    "keyword_argument" => Kind::KeywordArgument,
                    "comment" => Kind::Comment,
                    "integer" => Kind::Integer,
                    "float" => Kind::Float,
                    "none" => Kind::None,
                    "true" => Kind::True,
                    "false" => Kind::False,
                    "list" => Kind::List,
                    "tuple" => Kind::Tuple,
                    "set" => Kind::Set,
                    "dictionary" => Kind::Dictionary,
                    "expression_list" => Kind::ExpressionList,
                    "pair" => Kind::Pair,
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

/// The fields the extractor reads, looked up by id (finding a child by
/// field name compares the name against every field of the grammar).
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    Alias,
    Arguments,
    Attribute,
    Body,
    Definition,
    Function,
    Key,
    Left,
    ModuleName,
    Name,
    Object,
    Operator,
    Parameters,
    Right,
    Superclasses,
    Type,
    Value,
}

const FIELD_NAMES: [&str; 17] = [
    "alias",
    "arguments",
    "attribute",
    "body",
    "definition",
    "function",
    "key",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "parameters",
    "right",
    "superclasses",
    "type",
    "value",
];

fn field_ids() -> &'static [u16; 17] {
    static IDS: OnceLock<[u16; 17]> = OnceLock::new();
    IDS.get_or_init(|| {
        let language = language();
        FIELD_NAMES.map(|name| language.field_id_for_name(name).map_or(0, |id| id.get()))
    })
}

/// Node helpers keyed by [`Kind`] and [`Field`].
pub(super) trait NodeExt<'t> {
    /// The child in a field.
    fn field(&self, field: Field) -> Option<Node<'t>>;
    /// Whether the node is of this kind.
    fn is(&self, kind: Kind) -> bool;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn field(&self, field: Field) -> Option<Node<'t>> {
        match field_ids()[field as usize] {
            0 => None,
            id => self.child_by_field_id(id),
        }
    }

    fn is(&self, kind: Kind) -> bool {
        of(*self) == kind
    }
}
