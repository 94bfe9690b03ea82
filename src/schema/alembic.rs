//! Alembic revisions as a schema source, read from Python call facts: a
//! file whose calls resolve to `alembic.op.*` (`from alembic import op`).
//! Read in `upgrade()` (never `downgrade()`): `op.create_table` with
//! `sa.Column(.., primary_key=, unique=, index=, sa.ForeignKey(..))`,
//! `sa.PrimaryKeyConstraint`, `sa.UniqueConstraint`,
//! `sa.ForeignKeyConstraint` and `sa.Index`; `op.create_index` (`unique=`,
//! `postgresql_where=`, `postgresql_using=`, `sa.text(..)` expression
//! keys), `op.drop_index`, `op.add_column`, `op.drop_column`,
//! `op.alter_column(new_column_name=)`, `op.create_unique_constraint`,
//! `op.create_primary_key`, `op.create_foreign_key`, `op.drop_constraint`,
//! `op.drop_table`, `op.rename_table`, the same operations on
//! `with op.batch_alter_table("t") as batch_op:`, and DDL strings run with
//! `op.execute`.
//!
//! Order: revisions follow their `down_revision` chain ([`chain_order`]);
//! files outside any chain keep their path order.

use super::build::{in_down, Collected, FileOps};
use super::{normalize_name, Column, ForeignKey, Index, IndexKind, Key, Op, Source};
use crate::facts::{ArgValue, AssignScope, Call, FileFacts, Language, Span};
use crate::model::{Model, ParsedFile};
use crate::orm::values::{as_bool, as_str, kwarg, positional, str_list};
use std::collections::HashSet;

/// Whether a Python file is an Alembic revision: it names its `revision`
/// and calls `alembic.op` (helpers and tests that call `op` are not).
pub fn is_revision(file: &ParsedFile) -> bool {
    file.language == Language::Python
        && file
            .facts
            .assigns
            .iter()
            .any(|a| a.scope == AssignScope::Module && a.target == "revision")
        && file.facts.calls.iter().any(|c| {
            c.resolved
                .as_deref()
                .is_some_and(|r| r.starts_with("alembic.op."))
        })
}

/// The parameters of each `op.<name>` operation, in order, and which one
/// names the table (absent in the `batch_op.<name>` form, where the batch's
/// table is meant).
const OPERATIONS: &[(&str, &[&str], usize)] = &[
    ("create_table", &["table_name"], 0),
    ("drop_table", &["table_name"], 0),
    ("rename_table", &["old_table_name", "new_table_name"], 0),
    ("create_index", &["index_name", "table_name", "columns"], 1),
    ("drop_index", &["index_name", "table_name"], 1),
    ("add_column", &["table_name", "column"], 0),
    ("drop_column", &["table_name", "column_name"], 0),
    ("alter_column", &["table_name", "column_name"], 0),
    (
        "create_unique_constraint",
        &["constraint_name", "table_name", "columns"],
        1,
    ),
    (
        "create_primary_key",
        &["constraint_name", "table_name", "columns"],
        1,
    ),
    (
        "create_foreign_key",
        &[
            "constraint_name",
            "source_table",
            "referent_table",
            "local_cols",
            "remote_cols",
        ],
        1,
    ),
    ("drop_constraint", &["constraint_name", "table_name"], 1),
];

/// One operation call with its arguments read by parameter name.
struct Operation<'a> {
    facts: &'a FileFacts,
    call: &'a Call,
    params: &'a [&'a str],
    /// The table of the enclosing `batch_alter_table`, for `batch_op.*`.
    batch: Option<(String, usize)>,
}

impl<'a> Operation<'a> {
    /// The argument for a parameter: by keyword, else by position (one
    /// earlier after the table in the batch form, which omits it).
    fn arg(&self, name: &str) -> Option<&'a ArgValue> {
        if let Some(v) = kwarg(self.call, name) {
            return Some(v);
        }
        let at = self.params.iter().position(|p| *p == name)?;
        match &self.batch {
            Some((_, table_at)) if at == *table_at => None,
            Some((_, table_at)) if at > *table_at => positional(self.call, at - 1),
            _ => positional(self.call, at),
        }
    }

    /// A name argument: a string, or `op.f("name")`.
    fn name(&self, param: &str) -> Option<String> {
        self.arg(param).and_then(|v| name_of(self.facts, v))
    }

    /// The table the operation changes.
    fn table(&self, table_at: usize) -> Option<String> {
        match &self.batch {
            Some((table, _)) => Some(table.clone()),
            None => self
                .name(self.params.get(table_at)?)
                .map(|t| normalize_name(&t)),
        }
    }
}

/// A string, or the string inside `op.f("...")` / `sa.text("...")`.
fn name_of(facts: &FileFacts, value: &ArgValue) -> Option<String> {
    match value {
        ArgValue::Str(s) => Some(s.clone()),
        ArgValue::Call(id) => {
            let call = facts.calls.get(*id as usize)?;
            match positional(call, 0)? {
                ArgValue::Str(s) if matches!(call.name.as_str(), "f" | "text" | "quoted_name") => {
                    Some(s.clone())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The ops of one Alembic revision.
pub fn file_ops(file: &ParsedFile, at: &FileOps, out: &mut Collected) {
    let facts = &file.facts;
    let mut ops: Vec<(Span, Op)> = Vec::new();
    for call in &facts.calls {
        if in_down(facts, call.function) {
            continue;
        }
        let resolved = call.resolved.as_deref().unwrap_or("");
        let batch = resolved.starts_with("alembic.op.batch_alter_table().");
        if !(batch || resolved.starts_with("alembic.op.")) {
            continue;
        }
        let Some(&(_, params, table_at)) = OPERATIONS.iter().find(|(n, ..)| *n == call.name) else {
            continue;
        };
        let batch = if batch {
            match batch_table(facts, call) {
                Some(t) => Some((t, table_at)),
                None => continue,
            }
        } else {
            None
        };
        let operation = Operation {
            facts,
            call,
            params,
            batch,
        };
        let table = operation.table(table_at);
        let mut push = |op| ops.push((call.span, op));
        operation_ops(&operation, table, &mut push);
    }
    out.push_migration(at, facts, ops);
}

/// The table of the `with op.batch_alter_table("t") as batch_op:` a
/// `batch_op.*` call is in: the nearest such call before it in the same
/// function.
pub fn batch_table(facts: &FileFacts, call: &Call) -> Option<String> {
    facts
        .calls
        .iter()
        .filter(|c| {
            c.function == call.function
                && c.span.start < call.span.start
                && c.name == "batch_alter_table"
                && c.resolved.as_deref() == Some("alembic.op.batch_alter_table")
        })
        .max_by_key(|c| c.span.start)
        .and_then(|c| positional(c, 0).or_else(|| kwarg(c, "table_name")))
        .and_then(|v| name_of(facts, v))
        .map(|t| normalize_name(&t))
}

/// The schema changes of one operation.
fn operation_ops(o: &Operation, table: Option<String>, push: &mut dyn FnMut(Op)) {
    let facts = o.facts;
    // `op.drop_index("ix_name")` may leave the table out.
    if matches!(o.call.name.as_str(), "drop_index" | "drop_constraint") {
        if let Some(name) = o.name("index_name").or_else(|| o.name("constraint_name")) {
            push(Op::DropIndex { table, name });
        }
        return;
    }
    let Some(table) = table else {
        return;
    };
    match o.call.name.as_str() {
        "create_table" => {
            push(Op::CreateTable {
                table: table.clone(),
                if_not_exists: kwarg(o.call, "if_not_exists").and_then(as_bool) == Some(true),
            });
            let mut primary: Vec<(String, Span)> = Vec::new();
            for item in o.call.args.iter().filter(|a| a.keyword.is_none()).skip(1) {
                let ArgValue::Call(id) = item.value else {
                    continue;
                };
                let Some(part) = facts.calls.get(id as usize) else {
                    continue;
                };
                if part.name == "Column" {
                    if let Some(name) = column_ops(facts, &table, part, push) {
                        if kwarg(part, "primary_key").and_then(as_bool) == Some(true) {
                            primary.push((name, part.span));
                        }
                    }
                } else {
                    constraint_op(facts, &table, part, push);
                }
            }
            if let Some((_, span)) = primary.first() {
                push(Op::AddIndex {
                    table,
                    index: index(
                        None,
                        primary
                            .iter()
                            .map(|(c, _)| Key::Column(c.clone()))
                            .collect(),
                        IndexKind::Primary,
                        Source::new("", *span),
                    ),
                });
            }
        }
        "drop_table" => push(Op::DropTable { table }),
        "rename_table" => {
            if let Some(to) = o.name("new_table_name") {
                push(Op::RenameTable {
                    from: table,
                    to: normalize_name(&to),
                });
            }
        }
        "create_index" | "create_unique_constraint" | "create_primary_key" => {
            let keys = o.arg("columns").map(|v| keys(facts, v)).unwrap_or_default();
            if keys.is_empty() {
                return;
            }
            let unique = kwarg(o.call, "unique").and_then(as_bool) == Some(true);
            let kind = match o.call.name.as_str() {
                "create_primary_key" => IndexKind::Primary,
                "create_unique_constraint" => IndexKind::Unique,
                _ if unique => IndexKind::Unique,
                _ => IndexKind::Plain,
            };
            let name = o.name("index_name").or_else(|| o.name("constraint_name"));
            let mut idx = index(name, keys, kind, Source::unplaced());
            idx.partial = ["postgresql_where", "sqlite_where"]
                .iter()
                .find_map(|k| kwarg(o.call, k))
                .and_then(|v| name_of(facts, v))
                .map(|w| w.to_lowercase());
            idx.method = kwarg(o.call, "postgresql_using")
                .and_then(as_str)
                .map(str::to_lowercase)
                .filter(|m| m != "btree");
            push(Op::AddIndex { table, index: idx });
        }
        "add_column" => {
            if let Some(ArgValue::Call(id)) = o.arg("column") {
                if let Some(column) = facts.calls.get(*id as usize) {
                    if column.name == "Column" {
                        column_ops(facts, &table, column, push);
                    }
                }
            }
        }
        "drop_column" => {
            if let Some(column) = o.name("column_name") {
                push(Op::DropColumn {
                    table,
                    column: column.to_lowercase(),
                });
            }
        }
        "alter_column" => {
            if let (Some(from), Some(to)) = (o.name("column_name"), o.name("new_column_name")) {
                push(Op::RenameColumn {
                    table,
                    from: from.to_lowercase(),
                    to: to.to_lowercase(),
                });
            }
        }
        "create_foreign_key" => {
            let (Some(to), Some(columns)) = (o.name("referent_table"), o.arg("local_cols")) else {
                return;
            };
            push(Op::AddForeignKey {
                table,
                key: ForeignKey {
                    name: o.name("constraint_name"),
                    columns: lower(str_list(columns)),
                    references: normalize_name(&to),
                    ref_columns: o
                        .arg("remote_cols")
                        .map(str_list)
                        .map(lower)
                        .unwrap_or_default(),
                    source: Source::unplaced(),
                },
            });
        }
        _ => {}
    }
}

fn lower(names: Vec<String>) -> Vec<String> {
    names.into_iter().map(|n| n.to_lowercase()).collect()
}

fn index(name: Option<String>, keys: Vec<Key>, kind: IndexKind, source: Source) -> Index {
    Index {
        name,
        keys,
        kind,
        partial: None,
        method: None,
        source,
    }
}

/// Index keys: column names, and `sa.text("lower(email)")` expressions.
fn keys(facts: &FileFacts, value: &ArgValue) -> Vec<Key> {
    let items: Vec<&ArgValue> = match value {
        ArgValue::List(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            ArgValue::Str(c) => out.push(Key::Column(c.to_lowercase())),
            ArgValue::Call(_) => match name_of(facts, item) {
                Some(e) => out.push(expression_key(&e)),
                None => return Vec::new(),
            },
            ArgValue::Other(_) => out.extend(str_list(item).iter().map(|c| expression_key(c))),
            _ => return Vec::new(),
        }
    }
    out
}

/// A key written as text: a bare column name, else an expression.
fn expression_key(text: &str) -> Key {
    let t = text.trim();
    if t.chars().all(|c| c.is_alphanumeric() || c == '_') {
        Key::Column(t.to_lowercase())
    } else {
        Key::Expression(
            t.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_lowercase(),
        )
    }
}

/// `sa.Column("email", sa.String(), index=True, unique=True,
/// sa.ForeignKey("orgs.id"))`: the column, its index and its foreign key,
/// each at the column's line. Returns the column's name.
fn column_ops(
    facts: &FileFacts,
    table: &str,
    column: &Call,
    push: &mut dyn FnMut(Op),
) -> Option<String> {
    let name = positional(column, 0)
        .or_else(|| kwarg(column, "name"))
        .and_then(as_str)?
        .to_lowercase();
    let source = Source::new("", column.span);
    let sql_type = column
        .args
        .iter()
        .filter(|a| a.keyword.is_none())
        .skip(1)
        .find_map(|a| match &a.value {
            ArgValue::Call(id) => facts
                .calls
                .get(*id as usize)
                .filter(|c| c.name != "ForeignKey")
                .map(|c| c.name.clone()),
            ArgValue::Path(p) => Some(p.rsplit('.').next().unwrap_or(p).to_string()),
            _ => None,
        })
        .or_else(|| kwarg(column, "type_").and_then(as_str).map(str::to_string));
    push(Op::AddColumn {
        table: table.to_string(),
        column: Column {
            name: name.clone(),
            sql_type,
            source: source.clone(),
        },
    });
    let flag = |k| kwarg(column, k).and_then(as_bool) == Some(true);
    let kind = if flag("unique") {
        Some(IndexKind::Unique)
    } else if flag("index") {
        Some(IndexKind::Plain)
    } else {
        None
    };
    if let Some(kind) = kind {
        // SQLAlchemy's default naming convention names `index=True` indexes
        // `ix_<table>_<column>`, which later revisions drop by name.
        let index_name = (kind == IndexKind::Plain).then(|| format!("ix_{table}_{name}"));
        push(Op::AddIndex {
            table: table.to_string(),
            index: index(
                index_name,
                vec![Key::Column(name.clone())],
                kind,
                source.clone(),
            ),
        });
    }
    for arg in column.args.iter().filter(|a| a.keyword.is_none()) {
        let ArgValue::Call(id) = arg.value else {
            continue;
        };
        let Some(fk) = facts
            .calls
            .get(id as usize)
            .filter(|c| c.name == "ForeignKey")
        else {
            continue;
        };
        if let Some((to, to_column)) = positional(fk, 0).and_then(as_str).and_then(target) {
            push(Op::AddForeignKey {
                table: table.to_string(),
                key: ForeignKey {
                    name: kwarg(fk, "name").and_then(as_str).map(str::to_string),
                    columns: vec![name.clone()],
                    references: to,
                    ref_columns: to_column.into_iter().collect(),
                    source: source.clone(),
                },
            });
        }
    }
    Some(name)
}

/// `"orgs.id"` → (`orgs`, `id`); `"public.orgs.id"` → the same.
fn target(text: &str) -> Option<(String, Option<String>)> {
    let mut parts: Vec<&str> = text.split('.').collect();
    let column = (parts.len() >= 2).then(|| parts.pop()).flatten();
    let table = parts.last()?;
    Some((normalize_name(table), column.map(str::to_lowercase)))
}

/// A table-level item of `op.create_table`: `sa.PrimaryKeyConstraint("id")`,
/// `sa.UniqueConstraint("a", "b", name=)`, `sa.ForeignKeyConstraint(["a"],
/// ["t.id"])`, `sa.Index("name", "a", unique=)`.
fn constraint_op(facts: &FileFacts, table: &str, part: &Call, push: &mut dyn FnMut(Op)) {
    let strings = |skip: usize| -> Vec<String> {
        part.args
            .iter()
            .filter(|a| a.keyword.is_none())
            .skip(skip)
            .flat_map(|a| str_list(&a.value))
            .map(|c| c.to_lowercase())
            .collect()
    };
    let name = kwarg(part, "name").and_then(|v| name_of(facts, v));
    let source = Source::new("", part.span);
    let (kind, columns, name) = match part.name.as_str() {
        "PrimaryKeyConstraint" => (IndexKind::Primary, strings(0), name),
        "UniqueConstraint" => (IndexKind::Unique, strings(0), name),
        "Index" => {
            let unique = kwarg(part, "unique").and_then(as_bool) == Some(true);
            let kind = if unique {
                IndexKind::Unique
            } else {
                IndexKind::Plain
            };
            let name = positional(part, 0).and_then(|v| name_of(facts, v));
            (kind, strings(1), name)
        }
        "ForeignKeyConstraint" => {
            let columns = positional(part, 0)
                .or_else(|| kwarg(part, "columns"))
                .map(str_list)
                .map(lower);
            let refs = positional(part, 1)
                .or_else(|| kwarg(part, "refcolumns"))
                .map(str_list)
                .unwrap_or_default();
            let Some((to, _)) = refs.first().and_then(|r| target(r)) else {
                return;
            };
            let ref_columns = refs
                .iter()
                .filter_map(|r| target(r).and_then(|(_, c)| c))
                .collect();
            push(Op::AddForeignKey {
                table: table.to_string(),
                key: ForeignKey {
                    name,
                    columns: columns.unwrap_or_default(),
                    references: to,
                    ref_columns,
                    source,
                },
            });
            return;
        }
        _ => return,
    };
    if columns.is_empty() {
        return;
    }
    push(Op::AddIndex {
        table: table.to_string(),
        index: index(
            name,
            columns.into_iter().map(Key::Column).collect(),
            kind,
            source,
        ),
    });
}

/// A revision's id and the ids it follows.
type Revision = (String, Vec<String>);

/// A revision's id and the ids it follows (`down_revision`: none, one, or
/// several for a merge point).
fn revision(facts: &FileFacts) -> Option<Revision> {
    let module = |name: &str| {
        facts
            .assigns
            .iter()
            .find(|a| a.scope == AssignScope::Module && a.target == name)
            .and_then(|a| a.value.as_ref())
    };
    let id = module("revision").and_then(as_str)?.to_string();
    let parents = module("down_revision").map(str_list).unwrap_or_default();
    Some((id, parents))
}

/// Reorder the Alembic revisions among `files` (already in path order) so
/// that each comes after the revisions it follows, keeping the places
/// they held. Revisions in a cycle, or without ids, keep path order.
pub fn chain_order(model: &Model, files: &mut [u32]) {
    let slots: Vec<usize> = (0..files.len())
        .filter(|&i| is_revision(model.file(files[i])))
        .collect();
    if slots.len() < 2 {
        return;
    }
    let revisions: Vec<(u32, Option<Revision>)> = slots
        .iter()
        .map(|&i| (files[i], revision(&model.file(files[i]).facts)))
        .collect();
    let known: HashSet<&str> = revisions
        .iter()
        .filter_map(|(_, r)| r.as_ref().map(|r| r.0.as_str()))
        .collect();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut ordered: Vec<u32> = Vec::new();
    let mut left: Vec<&(u32, Option<Revision>)> = revisions.iter().collect();
    while !left.is_empty() {
        // The first revision (in path order) whose parents are all placed.
        let ready = left.iter().position(|(_, r)| {
            r.as_ref().is_none_or(|(_, parents)| {
                parents
                    .iter()
                    .all(|p| placed.contains(p.as_str()) || !known.contains(p.as_str()))
            })
        });
        let (file, rev) = left.remove(ready.unwrap_or(0));
        if let Some((id, _)) = rev {
            placed.insert(id);
        }
        ordered.push(*file);
    }
    for (slot, file) in slots.into_iter().zip(ordered) {
        files[slot] = file;
    }
}
