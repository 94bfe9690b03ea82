//! Field ids of the Ruby grammar, looked up once: `child_by_field_name`
//! searches the grammar's field names on every call.

use std::sync::OnceLock;

/// The ids of the fields the extractor reads.
#[derive(Debug)]
pub struct Fields {
    pub arguments: u16,
    pub block: u16,
    pub body: u16,
    pub key: u16,
    pub left: u16,
    pub locals: u16,
    pub method: u16,
    pub name: u16,
    pub object: u16,
    pub operator: u16,
    pub parameters: u16,
    pub pattern: u16,
    pub receiver: u16,
    pub right: u16,
    pub scope: u16,
    pub superclass: u16,
    pub value: u16,
}

/// The field ids (0, which matches no child, for a name the grammar lacks).
pub fn fields() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let language = super::language();
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |f| f.get());
        Fields {
            arguments: id("arguments"),
            block: id("block"),
            body: id("body"),
            key: id("key"),
            left: id("left"),
            locals: id("locals"),
            method: id("method"),
            name: id("name"),
            object: id("object"),
            operator: id("operator"),
            parameters: id("parameters"),
            pattern: id("pattern"),
            receiver: id("receiver"),
            right: id("right"),
            scope: id("scope"),
            superclass: id("superclass"),
            value: id("value"),
        }
    })
}

/// The node kinds the walker dispatches on; everything else is `Other`.
/// Comparing kind ids is much cheaper than comparing kind names, which
/// tree-sitter converts from C strings on every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Assignment,
    Block,
    Call,
    ChainedString,
    Class,
    Do,
    DoBlock,
    For,
    HeredocBody,
    Identifier,
    Lambda,
    Method,
    Module,
    OperatorAssignment,
    SingletonClass,
    SingletonMethod,
    String,
    Super,
    Loop,
    /// An anonymous token (keyword, punctuation): a leaf.
    Token,
    Other,
}

/// The [`Kind`] of a node (anonymous tokens such as the `for` keyword are
/// `Token`).
pub fn kind(node: tree_sitter::Node) -> Kind {
    static KINDS: OnceLock<Vec<Kind>> = OnceLock::new();
    let table = KINDS.get_or_init(|| {
        let language = super::language();
        (0..language.node_kind_count() as u16)
            .map(|id| {
                if !language.node_kind_is_named(id) {
                    return Kind::Token;
                }
                language
                    .node_kind_for_id(id)
                    .map_or(Kind::Other, kind_named)
            })
            .collect()
    });
    table
        .get(node.kind_id() as usize)
        .copied()
        .unwrap_or(Kind::Other)
}

fn kind_named(name: &str) -> Kind {
    match name {
        "assignment" => Kind::Assignment,
        "block" => Kind::Block,
        "call" => Kind::Call,
        "chained_string" => Kind::ChainedString,
        "class" => Kind::Class,
        "do" => Kind::Do,
        "do_block" => Kind::DoBlock,
        "for" => Kind::For,
        "heredoc_body" => Kind::HeredocBody,
        "identifier" => Kind::Identifier,
        "lambda" => Kind::Lambda,
        "method" => Kind::Method,
        "module" => Kind::Module,
        "operator_assignment" => Kind::OperatorAssignment,
        "singleton_class" => Kind::SingletonClass,
        "singleton_method" => Kind::SingletonMethod,
        "string" => Kind::String,
        "super" => Kind::Super,
        "while" | "until" | "while_modifier" | "until_modifier" => Kind::Loop,
        _ => Kind::Other,
    }
}
