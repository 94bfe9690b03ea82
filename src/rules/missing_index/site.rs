//! Query sites: a place in the code that reads a table by some columns, in
//! whatever stack wrote it (raw SQL, Django, Rails, Prisma, Knex...), reduced to
//! what an index decides: which columns are compared how, and the order
//! and limit.

use crate::facts::{Call, FunctionId, Span};
use crate::orm::Entity;

/// How a column is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmp {
    /// `=`, `IN`, `IS`.
    Eq,
    /// `<`, `>`, `BETWEEN`.
    Range,
    /// A join condition on this column.
    Join,
    /// `LIKE '%x'`, `__contains`, `contains:`: no b-tree serves it.
    LeadingWildcard,
    /// A function of the column (`lower`): only an expression index with
    /// the same function serves it.
    Function(String),
}

/// One compared column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pred {
    /// The column (lower-case).
    pub column: String,
    /// How.
    pub cmp: Cmp,
}

/// Which stack wrote the query (drives the fix's idiom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// Raw SQL in a string or a `.sql` file.
    Sql,
    /// Django QuerySet.
    Django,
    /// Rails ActiveRecord.
    Rails,
    /// Prisma Client.
    Prisma,
    /// SQLAlchemy (`session.query(Model).filter_by(..)`).
    SqlAlchemy,
    /// TypeORM (`repository.find({ where })`).
    TypeOrm,
    /// Sequelize (`User.findAll({ where })`).
    Sequelize,
    /// Knex (`knex("users").where({ email })`).
    Knex,
}

/// A query against one table.
#[derive(Debug, Clone)]
pub struct Site {
    /// File index in the model.
    pub file: u32,
    /// Where the query is.
    pub span: Span,
    /// The enclosing function.
    pub function: Option<FunctionId>,
    /// Enclosing loops; None for SQL in a string, whose loops are those of
    /// the call it is passed to (found only when a finding needs them).
    pub loop_depth: Option<u32>,
    /// The table (lower-case).
    pub table: String,
    /// Which stack.
    pub stack: Stack,
    /// The ORM entity queried, when known (index in `Entities::list`).
    pub entity: Option<usize>,
    /// Compared columns (only conditions joined by `AND`).
    pub preds: Vec<Pred>,
    /// `ORDER BY` columns, in order.
    pub order_by: Vec<String>,
    /// Whether the query is limited (`LIMIT`, `.first`, `take:`).
    pub limited: bool,
    /// The query as written, shortened (for messages and fingerprints).
    pub text: String,
}

impl Site {
    /// A query site at an ORM call on `entity` (its index in
    /// `Entities::list`), before its conditions, order and limit are read.
    pub fn at_call(file: u32, call: &Call, stack: Stack, index: usize, entity: &Entity) -> Site {
        Site {
            file,
            span: call.span,
            function: call.function,
            loop_depth: Some(call.loops.len() as u32),
            table: entity.table.clone(),
            stack,
            entity: Some(index),
            preds: Vec::new(),
            order_by: Vec::new(),
            limited: false,
            text: shorten(&call.callee),
        }
    }
}

/// Shorten a query for a message: one line, at most 80 characters.
pub fn shorten(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 80 {
        let cut: String = one.chars().take(77).collect();
        format!("{cut}...")
    } else {
        one
    }
}
