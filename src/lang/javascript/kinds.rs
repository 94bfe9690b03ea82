//! Node kinds the extractor cares about, looked up by kind id so the walk
//! does one table read per node instead of string comparisons.

use crate::facts::Language;
use std::sync::OnceLock;

/// What a syntax node is, as far as the extractor cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Anything else: just descend.
    Other,
    /// `function f() {}` (also generators).
    FunctionDeclaration,
    /// `function () {}` as an expression (also generators).
    FunctionExpression,
    /// `() => {}`.
    Arrow,
    /// A method in a class body or object literal.
    Method,
    /// `class X {}` as a declaration or expression.
    Class,
    /// The `{ ... }` of a class.
    ClassBody,
    /// `@Decorator(...)`.
    Decorator,
    /// `f()`, also tagged templates.
    Call,
    /// `new X()`.
    New,
    /// `for (;;)`.
    For,
    /// `for (x of xs)`, `for (k in o)`, `for await`.
    ForIn,
    /// `while`.
    While,
    /// `do ... while`.
    Do,
    /// `x = value` in a declaration.
    Declarator,
    /// `x = value` as an expression.
    Assignment,
    /// `x += value`, `x ??= value` and the other compound assignments.
    AugmentedAssignment,
    /// `x++`, `--x`.
    Update,
    /// A prefix operator: `delete x[k]`, `!x`, `typeof x`, `-x`.
    Unary,
    /// An array literal.
    Array,
    /// `'...'`.
    String,
    /// `` `...` ``.
    Template,
    /// `import ... from '...'` (handled before the walk).
    Import,
    /// `catch (e)`.
    Catch,
    /// Type-only syntax (annotations, interfaces, aliases): skipped.
    TypeOnly,
    /// `a.b`.
    Member,
    /// `a[b]`.
    Subscript,
    /// `(x)`, `x!`, `x as T`, `x satisfies T`, `<T>x`: transparent wrappers.
    Wrapper,
    /// `await x`.
    Await,
    /// A plain name.
    Identifier,
    /// `this`.
    This,
    /// `super`.
    Super,
    /// The `import` of a dynamic `import('x')`.
    ImportKeyword,
    /// The argument list of a call.
    Arguments,
    /// An object literal.
    Object,
    /// `key: value` in an object literal.
    Pair,
    /// `export ...`.
    Export,
    /// `const` / `let` / `var` declarations.
    Declaration,
    /// A public class field (`x = 1;`).
    Field,
    /// The top of the tree.
    Program,
}

/// Field names the extractor reads, looked up by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// `alias`.
    Alias,
    /// `argument`.
    Argument,
    /// `arguments`.
    Arguments,
    /// `body`.
    Body,
    /// `constructor`.
    Constructor,
    /// `declaration`.
    Declaration,
    /// `function`.
    Function,
    /// `index`.
    Index,
    /// `initializer`.
    Initializer,
    /// `key`.
    Key,
    /// `left`.
    Left,
    /// `name`.
    Name,
    /// `object`.
    Object,
    /// `parameter`.
    Parameter,
    /// `parameters`.
    Parameters,
    /// `pattern`.
    Pattern,
    /// `property`.
    Property,
    /// `right`.
    Right,
    /// `source`.
    Source,
    /// `type`.
    Type,
    /// `value`.
    Value,
}

const FIELD_NAMES: [&str; 21] = [
    "alias",
    "argument",
    "arguments",
    "body",
    "constructor",
    "declaration",
    "function",
    "index",
    "initializer",
    "key",
    "left",
    "name",
    "object",
    "parameter",
    "parameters",
    "pattern",
    "property",
    "right",
    "source",
    "type",
    "value",
];

/// A kind-id → [`Kind`] table and the field ids of one grammar.
pub(super) struct KindTable {
    kinds: Vec<Kind>,
    fields: [u16; FIELD_NAMES.len()],
}

impl KindTable {
    /// The kind of a node.
    pub(super) fn of(&self, node: tree_sitter::Node) -> Kind {
        self.kinds
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Kind::Other)
    }

    /// The child of `node` in `field`.
    pub(super) fn field<'t>(
        &self,
        node: tree_sitter::Node<'t>,
        field: Field,
    ) -> Option<tree_sitter::Node<'t>> {
        let id = std::num::NonZeroU16::new(self.fields[field as usize])?;
        node.child_by_field_id(id.get())
    }

    fn build(language: &tree_sitter::Language) -> KindTable {
        let count = language.node_kind_count();
        let mut table = vec![Kind::Other; count];
        for (id, slot) in table.iter_mut().enumerate() {
            let Ok(id) = u16::try_from(id) else { break };
            if !language.node_kind_is_named(id) {
                continue;
            }
            if let Some(name) = language.node_kind_for_id(id) {
                *slot = kind_of_name(name);
            }
        }
        let mut fields = [0u16; FIELD_NAMES.len()];
        for (slot, name) in fields.iter_mut().zip(FIELD_NAMES) {
            *slot = language.field_id_for_name(name).map_or(0, |id| id.get());
        }
        KindTable {
            kinds: table,
            fields,
        }
    }
}

fn kind_of_name(name: &str) -> Kind {
    match name {
        "function_declaration" | "generator_function_declaration" => Kind::FunctionDeclaration,
        "function_expression" | "function" | "generator_function" => Kind::FunctionExpression,
        "arrow_function" => Kind::Arrow,
        "method_definition" => Kind::Method,
        "class_declaration" | "class" | "abstract_class_declaration" => Kind::Class,
        "class_body" => Kind::ClassBody,
        "decorator" => Kind::Decorator,
        "call_expression" => Kind::Call,
        "new_expression" => Kind::New,
        "for_statement" => Kind::For,
        "for_in_statement" => Kind::ForIn,
        "while_statement" => Kind::While,
        "do_statement" => Kind::Do,
        "variable_declarator" => Kind::Declarator,
        "assignment_expression" => Kind::Assignment,
        "augmented_assignment_expression" => Kind::AugmentedAssignment,
        "array" => Kind::Array,
        "update_expression" => Kind::Update,
        "unary_expression" => Kind::Unary,
        "string" => Kind::String,
        "template_string" => Kind::Template,
        "import_statement" => Kind::Import,
        "catch_clause" => Kind::Catch,
        "type_annotation"
        | "type_arguments"
        | "type_parameters"
        | "interface_declaration"
        | "type_alias_declaration"
        | "ambient_declaration"
        | "abstract_method_signature"
        | "method_signature"
        | "function_signature"
        | "index_signature"
        | "enum_declaration"
        | "implements_clause"
        | "comment" => Kind::TypeOnly,
        "member_expression" => Kind::Member,
        "subscript_expression" => Kind::Subscript,
        "parenthesized_expression"
        | "non_null_expression"
        | "as_expression"
        | "satisfies_expression"
        | "type_assertion" => Kind::Wrapper,
        "await_expression" => Kind::Await,
        "identifier" => Kind::Identifier,
        "this" => Kind::This,
        "super" => Kind::Super,
        "import" => Kind::ImportKeyword,
        "arguments" => Kind::Arguments,
        "object" => Kind::Object,
        "pair" => Kind::Pair,
        "export_statement" => Kind::Export,
        "lexical_declaration" | "variable_declaration" => Kind::Declaration,
        "field_definition" | "public_field_definition" => Kind::Field,
        "program" => Kind::Program,
        _ => Kind::Other,
    }
}

/// The table for a language's grammar (built once per process).
pub(super) fn table(language: Language) -> &'static KindTable {
    static JS: OnceLock<KindTable> = OnceLock::new();
    static TS: OnceLock<KindTable> = OnceLock::new();
    static TSX: OnceLock<KindTable> = OnceLock::new();
    let cell = match language {
        Language::TypeScript => &TS,
        Language::Tsx => &TSX,
        _ => &JS,
    };
    cell.get_or_init(|| KindTable::build(&super::grammar(language).0))
}
