//! The schema catalog: what tables, columns, keys and indexes the project's
//! database has, as far as the repository says, and where each fact came
//! from.
//!
//! Built once per project after extraction ([`build::build`]): every schema
//! source (SQL DDL files and migration directories, Rails `db/schema.rb` and
//! migrations, Alembic, Knex, Sequelize and Django migrations, Prisma schemas, ORM models) becomes a list
//! of [`Op`]s, and the ops are applied in order (migrations first, in their
//! own order, then snapshots such as `schema.rb` or model definitions, which
//! describe the current state and replace what migrations built for the
//! same table). A model says less than a dump: the indexes and foreign keys
//! migrations built on columns the model still has are kept (an index
//! written only in a migration exists all the same).
//!
//! Names are kept lower-case and unquoted, without a schema prefix
//! (`public.orders` → `orders`): unquoted SQL identifiers are
//! case-insensitive, and the rules compare names, not spellings.

pub mod alembic;
pub mod build;
mod ddl;
pub mod dialect;
pub mod django;
mod knex;
mod models;
mod rails;
mod render;
mod sequelize;
pub mod tokens;

pub use build::build;
pub use ddl::statement_ops;
pub use dialect::Dialect;
pub use render::{render_json, render_table};

use serde::Serialize;
use std::collections::BTreeMap;

/// Where a schema fact was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// File, relative to the scan root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The fact's text in the file (for findings that point at it).
    #[serde(skip)]
    pub span: crate::facts::Span,
}

impl Source {
    /// A fact at `span` of `path`.
    pub fn new(path: &str, span: crate::facts::Span) -> Source {
        Source {
            path: path.to_string(),
            line: span.line,
            span,
        }
    }

    /// A fact whose place [`Op::fill_source`] sets later.
    pub fn unplaced() -> Source {
        Source::new("", crate::facts::Span::default())
    }
}

/// One key of an index: a column, or an expression such as `lower(email)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Key {
    /// A plain column.
    Column(String),
    /// An expression, lower-cased with whitespace removed: `lower(email)`.
    Expression(String),
}

impl Key {
    /// The column, for a plain column key.
    pub fn column(&self) -> Option<&str> {
        match self {
            Key::Column(c) => Some(c),
            Key::Expression(_) => None,
        }
    }
}

/// What made an index exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexKind {
    /// The primary key.
    Primary,
    /// A unique constraint or unique index.
    Unique,
    /// A plain index.
    Plain,
    /// An index the framework or database adds for a foreign key by itself
    /// (Django `ForeignKey`, Rails `references`, MySQL InnoDB).
    ForeignKeyDefault,
}

/// An index (primary keys and unique constraints are indexes too).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    /// Its name, when one was given.
    pub name: Option<String>,
    /// Keys, in order.
    pub keys: Vec<Key>,
    /// Why it exists.
    pub kind: IndexKind,
    /// The `WHERE` of a partial index, as written.
    pub partial: Option<String>,
    /// The access method when not a b-tree (`gin`, `gist`, `hash`, ...).
    pub method: Option<String>,
    /// Where it was declared.
    pub source: Source,
}

impl Index {
    /// The leading column, when the first key is a plain column.
    pub fn leading(&self) -> Option<&str> {
        self.keys.first().and_then(Key::column)
    }

    /// Whether a b-tree could serve lookups on this index's leading keys
    /// (not a GIN/GiST/hash index over something else).
    pub fn is_btree(&self) -> bool {
        self.method.as_deref().is_none_or(|m| m == "btree")
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Type as written, when known.
    pub sql_type: Option<String>,
    /// Where it was declared.
    pub source: Source,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignKey {
    /// Constraint name, when given.
    pub name: Option<String>,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references: String,
    /// The referenced columns (empty: the primary key).
    pub ref_columns: Vec<String>,
    /// Where it was declared.
    pub source: Source,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Name (lower-case, no schema prefix).
    pub name: String,
    /// Columns, in declaration order. Empty when only indexes on the table
    /// are known (see [`Table::columns_known`]).
    pub columns: Vec<Column>,
    /// Whether the column list is complete (the table's definition was seen).
    pub columns_known: bool,
    /// Indexes, primary key and unique constraints included.
    pub indexes: Vec<Index>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// Where the table was defined (or first mentioned).
    pub source: Source,
    /// Which source kind defined it: `sql`, `rails`, `prisma`, `django`...
    pub origin: String,
}

impl Table {
    /// An empty table.
    pub fn new(name: &str, source: Source, origin: &str) -> Table {
        Table {
            name: name.to_string(),
            columns: Vec::new(),
            columns_known: false,
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            source,
            origin: origin.to_string(),
        }
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// B-tree indexes whose leading key is this column.
    pub fn indexes_leading_with<'a>(&'a self, column: &'a str) -> impl Iterator<Item = &'a Index> {
        self.indexes
            .iter()
            .filter(move |i| i.is_btree() && i.leading() == Some(column))
    }

    /// Indexes that contain this column at a position other than the first.
    pub fn indexes_containing_later<'a>(
        &'a self,
        column: &'a str,
    ) -> impl Iterator<Item = &'a Index> {
        self.indexes
            .iter()
            .filter(move |i| i.keys.iter().skip(1).any(|k| k.column() == Some(column)))
    }

    /// An index whose leading keys are exactly these columns, in any order
    /// (a foreign key's columns are served by an index that starts with
    /// them).
    pub fn index_covering_prefix(&self, columns: &[String]) -> Option<&Index> {
        self.indexes.iter().find(|i| {
            i.is_btree()
                && i.keys.len() >= columns.len()
                && columns.iter().all(|c| {
                    i.keys[..columns.len()]
                        .iter()
                        .any(|k| k.column() == Some(c))
                })
        })
    }

    /// An index with this expression key first (`lower(email)`).
    pub fn expression_index(&self, expression: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| matches!(i.keys.first(), Some(Key::Expression(e)) if e == expression))
    }

    fn add_index(&mut self, index: Index) {
        if let Some(name) = &index.name {
            self.indexes.retain(|i| i.name.as_ref() != Some(name));
        }
        // The same keys declared twice (a model and its migration): keep one.
        if let Some(same) = self
            .indexes
            .iter_mut()
            .find(|i| i.keys == index.keys && i.partial == index.partial)
        {
            if index.kind == IndexKind::Primary
                || (index.kind == IndexKind::Unique && same.kind != IndexKind::Primary)
            {
                *same = index;
            }
            return;
        }
        self.indexes.push(index);
    }
}

/// One change to the schema, as read from a source.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Create (or replace) a table with these columns.
    CreateTable {
        /// The table.
        table: String,
        /// `CREATE TABLE IF NOT EXISTS`: keep an existing table.
        if_not_exists: bool,
    },
    /// Add a column.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: Column,
    },
    /// Drop a column (and the indexes and keys that use it).
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Rename a column.
    RenameColumn {
        /// The table.
        table: String,
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// Add an index (or primary key, or unique constraint).
    AddIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// Drop an index or constraint by name (on any table when `table` is None).
    DropIndex {
        /// The table, when the statement names it.
        table: Option<String>,
        /// The index or constraint name.
        name: String,
    },
    /// Drop the index over exactly these columns (Rails `remove_index :t, :c`).
    DropIndexOn {
        /// The table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// Rename an index.
    RenameIndex {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// Add a foreign key.
    AddForeignKey {
        /// The table.
        table: String,
        /// The key.
        key: ForeignKey,
    },
    /// Drop a table.
    DropTable {
        /// The table.
        table: String,
    },
    /// Rename a table.
    RenameTable {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
}

impl Op {
    /// Give facts built without a file (`path` empty) this source's file,
    /// and this source's place unless they have one of their own (a column
    /// of a `create_table` call on its own line).
    pub fn fill_source(&mut self, source: &Source) {
        let slot = match self {
            Op::AddColumn { column, .. } => &mut column.source,
            Op::AddIndex { index, .. } => &mut index.source,
            Op::AddForeignKey { key, .. } => &mut key.source,
            _ => return,
        };
        if slot.path.is_empty() {
            let span = if slot.line == 0 {
                source.span
            } else {
                slot.span
            };
            *slot = Source::new(&source.path, span);
        }
    }
}

/// Which source an op came from and whether it describes the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A migration: applied in order.
    Migration,
    /// A snapshot of the current state (`schema.rb`, `schema.prisma`,
    /// models): its tables replace what migrations built.
    Snapshot,
}

/// An op with where it came from.
#[derive(Debug, Clone)]
pub struct SourcedOp {
    /// The change.
    pub op: Op,
    /// Where it was written.
    pub source: Source,
    /// Which kind of source: `sql`, `rails`, `prisma`, `django`...
    pub origin: &'static str,
}

/// A table that queries use but no schema source defines.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownTable {
    /// The table name.
    pub name: String,
    /// One place that queries it.
    pub first_use: Source,
}

/// The project's schema.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    /// The database, as far as the project tells.
    pub dialect: Dialect,
    /// What told: `config/database.yml adapter: postgresql`.
    pub dialect_evidence: Option<String>,
    /// Tables by name.
    pub tables: BTreeMap<String, Table>,
}

impl Catalog {
    /// The table with this name (lower-case, no schema prefix).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Whether the database indexes this foreign key by itself: InnoDB
    /// creates an index for every foreign key that lacks one.
    pub fn indexes_foreign_keys(&self) -> bool {
        self.dialect == Dialect::MySql
    }

    /// Apply ops in order: migrations first, then snapshots (each snapshot
    /// table replaces what migrations built under its name).
    pub fn apply_all(&mut self, ops: &[SourcedOp], phases: &[Phase]) {
        let mut snapshot_tables: Vec<String> = Vec::new();
        let mut migrated: Vec<Table> = Vec::new();
        for phase in [Phase::Migration, Phase::Snapshot] {
            for (op, _) in ops.iter().zip(phases).filter(|(_, p)| **p == phase) {
                if phase == Phase::Snapshot {
                    if let Op::CreateTable { table, .. } = &op.op {
                        if !snapshot_tables.contains(table) {
                            snapshot_tables.push(table.clone());
                            let built = self.tables.remove(table);
                            if !matches!(op.origin, "sql" | "rails") {
                                migrated.extend(built);
                            }
                        }
                    }
                }
                self.apply(op);
            }
        }
        for old in migrated {
            let Some(t) = self.tables.get_mut(&old.name) else {
                continue;
            };
            let has = |t: &Table, c: &str| t.column(c).is_some();
            for index in old.indexes {
                let columns_kept = index
                    .keys
                    .iter()
                    .all(|k| k.column().is_none_or(|c| has(t, c)));
                if columns_kept && !t.indexes.iter().any(|i| i.keys == index.keys) {
                    t.indexes.push(index);
                }
            }
            for key in old.foreign_keys {
                if key.columns.iter().all(|c| has(t, c))
                    && !t.foreign_keys.iter().any(|f| f.columns == key.columns)
                {
                    t.foreign_keys.push(key);
                }
            }
        }
    }

    fn table_mut(&mut self, name: &str, source: &Source, origin: &str) -> &mut Table {
        self.tables
            .entry(name.to_string())
            .or_insert_with(|| Table::new(name, source.clone(), origin))
    }

    /// Apply one op.
    pub fn apply(&mut self, sourced: &SourcedOp) {
        let source = &sourced.source;
        let origin = sourced.origin;
        match &sourced.op {
            Op::CreateTable {
                table,
                if_not_exists,
            } => {
                if *if_not_exists && self.tables.contains_key(table) {
                    return;
                }
                let mut fresh = Table::new(table, source.clone(), origin);
                fresh.columns_known = true;
                self.tables.insert(table.clone(), fresh);
            }
            Op::AddColumn { table, column } => {
                let t = self.table_mut(table, source, origin);
                t.columns.retain(|c| c.name != column.name);
                t.columns.push(column.clone());
            }
            Op::DropColumn { table, column } => {
                if let Some(t) = self.tables.get_mut(table) {
                    t.columns.retain(|c| &c.name != column);
                    t.indexes
                        .retain(|i| !i.keys.iter().any(|k| k.column() == Some(column)));
                    t.foreign_keys.retain(|f| !f.columns.contains(column));
                }
            }
            Op::RenameColumn { table, from, to } => {
                if let Some(t) = self.tables.get_mut(table) {
                    for c in t.columns.iter_mut().filter(|c| &c.name == from) {
                        c.name = to.clone();
                    }
                    for key in t.indexes.iter_mut().flat_map(|i| i.keys.iter_mut()) {
                        if matches!(key, Key::Column(c) if c == from) {
                            *key = Key::Column(to.clone());
                        }
                    }
                    for c in t
                        .foreign_keys
                        .iter_mut()
                        .flat_map(|f| f.columns.iter_mut())
                        .filter(|c| *c == from)
                    {
                        *c = to.clone();
                    }
                }
            }
            Op::AddIndex { table, index } => {
                self.table_mut(table, source, origin)
                    .add_index(index.clone());
            }
            Op::DropIndex { table, name } => {
                for (_, t) in self
                    .tables
                    .iter_mut()
                    .filter(|(n, _)| table.as_ref().is_none_or(|t| t == *n))
                {
                    t.indexes.retain(|i| i.name.as_ref() != Some(name));
                    t.foreign_keys.retain(|f| f.name.as_ref() != Some(name));
                }
            }
            Op::DropIndexOn { table, columns } => {
                if let Some(t) = self.tables.get_mut(table) {
                    if let Some(pos) = t.indexes.iter().position(|i| {
                        i.kind != IndexKind::Primary
                            && i.keys.len() == columns.len()
                            && i.keys
                                .iter()
                                .zip(columns)
                                .all(|(k, c)| k.column() == Some(c))
                    }) {
                        t.indexes.remove(pos);
                    }
                }
            }
            Op::RenameIndex { from, to } => {
                for i in self
                    .tables
                    .values_mut()
                    .flat_map(|t| t.indexes.iter_mut())
                    .filter(|i| i.name.as_ref() == Some(from))
                {
                    i.name = Some(to.clone());
                }
            }
            Op::AddForeignKey { table, key } => {
                let t = self.table_mut(table, source, origin);
                if !t.foreign_keys.iter().any(|f| f.columns == key.columns) {
                    t.foreign_keys.push(key.clone());
                }
            }
            Op::DropTable { table } => {
                self.tables.remove(table);
            }
            Op::RenameTable { from, to } => {
                if let Some(mut t) = self.tables.remove(from) {
                    t.name = to.clone();
                    self.tables.insert(to.clone(), t);
                }
            }
        }
    }
}

/// The catalog of a project, and the tables its queries use that no
/// schema source defines.
pub fn report(
    model: &crate::model::Model,
    root: Option<&std::path::Path>,
) -> (Catalog, Vec<UnknownTable>) {
    let entities = crate::orm::entities(model);
    let catalog = build(model, &entities, root);
    let unknown = crate::rules::missing_index::unknown_tables(model, &entities, &catalog);
    (catalog, unknown)
}

/// A name as the catalog keeps it: unquoted, lower-case, without a schema
/// prefix (`"public"."Orders"` → `orders`).
pub fn normalize_name(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
        .to_lowercase()
}

#[cfg(test)]
mod tests;
