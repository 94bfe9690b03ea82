//! Rails schema sources: `db/schema.rb` (a snapshot) and `db/migrate/*.rb`
//! (migrations, in timestamp order), read from Ruby call facts:
//! `create_table` / `change_table` blocks (`t.string`, `t.references`,
//! `t.belongs_to`, `t.index`, `t.timestamps`, `t.remove`, `t.remove_index`),
//! `add_index`, `remove_index`, `add_column`, `remove_column`,
//! `rename_column`, `rename_table`, `drop_table`, `add_reference`,
//! `add_foreign_key`. `references` adds an index unless `index: false`.

use super::build::{evidence, in_down, Collected, FileOps};
use super::{normalize_name, Column, ForeignKey, Index, IndexKind, Key, Op, Phase, Source};
use crate::facts::{ArgValue, Call, FileFacts, FunctionKind};
use crate::model::ParsedFile;
use crate::orm::naming::{pluralize, singularize};
use crate::orm::values::{as_bool, as_str, kwarg, positional, str_list};

/// Whether a Ruby file is a Rails schema source, and which phase.
pub fn phase(path: &str) -> Option<Phase> {
    if path == "db/schema.rb" || path.ends_with("/db/schema.rb") {
        Some(Phase::Snapshot)
    } else if path.contains("db/migrate/") {
        Some(Phase::Migration)
    } else {
        None
    }
}

/// Column types `t.<type>` declares.
const TYPES: &[&str] = &[
    "string",
    "text",
    "integer",
    "bigint",
    "float",
    "decimal",
    "numeric",
    "datetime",
    "time",
    "date",
    "binary",
    "boolean",
    "json",
    "jsonb",
    "uuid",
    "timestamp",
    "timestamptz",
    "citext",
    "inet",
    "cidr",
    "macaddr",
    "hstore",
    "bigserial",
    "serial",
    "money",
    "xml",
    "virtual",
    "enum",
    "ltree",
    "interval",
    "bit",
    "tsvector",
    "daterange",
    "tsrange",
    "int4range",
    "numrange",
    "point",
    "blob",
    "mediumtext",
    "longtext",
    "tinytext",
];

/// The ops of one Rails schema file.
pub fn file_ops(file: &ParsedFile, at: &FileOps, out: &mut Collected) {
    let facts = &file.facts;
    let mut ops: Vec<(crate::facts::Span, Op)> = Vec::new();
    for call in &facts.calls {
        if in_down(facts, call.function) {
            continue;
        }
        let span = call.span;
        let mut push = |op| ops.push((span, op));
        if let Some(table) = block_table(facts, call) {
            block_op(call, &table, &mut push);
            continue;
        }
        if call.function.is_some_and(|f| in_block(facts, f)) || call.callee.contains('.') {
            continue;
        }
        top_level_op(call, &mut push);
        if call.name == "enable_extension" {
            if let Some(ArgValue::Str(ext)) = positional(call, 0) {
                if ext == "plpgsql" || ext == "pg_trgm" || ext == "pgcrypto" {
                    out.evidence.extend(evidence(
                        "postgres",
                        format!("{}: enable_extension \"{ext}\"", file.path),
                        2,
                    ));
                }
            }
        }
    }
    out.push_file(at, ops);
}

/// Whether a function is a block passed to `create_table`/`change_table`.
fn in_block(facts: &FileFacts, f: u32) -> bool {
    table_block(facts, f).is_some()
}

/// The table a `create_table`/`change_table` block builds.
fn table_block(facts: &FileFacts, f: u32) -> Option<String> {
    let func = facts.functions.get(f as usize)?;
    if func.kind != FunctionKind::Closure {
        return None;
    }
    let owner = facts.calls.get(func.passed_to? as usize)?;
    if !matches!(owner.name.as_str(), "create_table" | "change_table") {
        return None;
    }
    table_name(positional(owner, 0)?)
}

/// A call on the block's table builder: `t.string "email"`.
fn block_table(facts: &FileFacts, call: &Call) -> Option<String> {
    let (receiver, _) = call.callee.split_once('.')?;
    if receiver.contains(['(', '.']) {
        return None;
    }
    table_block(facts, call.function?)
}

fn table_name(value: &ArgValue) -> Option<String> {
    as_str(value).map(normalize_name)
}

/// A column whose source [`Op::fill_source`] sets.
fn source_less_column(name: &str, sql_type: &str) -> Column {
    Column {
        name: name.to_string(),
        sql_type: Some(sql_type.to_string()),
        source: Source::unplaced(),
    }
}

fn index(keys: Vec<String>, call: &Call, kind: IndexKind) -> Index {
    let unique = kwarg(call, "unique").and_then(as_bool) == Some(true);
    Index {
        name: kwarg(call, "name").and_then(as_str).map(str::to_string),
        keys: keys
            .into_iter()
            .map(|k| Key::Column(k.to_lowercase()))
            .collect(),
        kind: if unique && kind == IndexKind::Plain {
            IndexKind::Unique
        } else {
            kind
        },
        partial: kwarg(call, "where").and_then(as_str).map(str::to_lowercase),
        method: kwarg(call, "using")
            .and_then(as_str)
            .map(str::to_lowercase)
            .filter(|m| m != "btree"),
        source: Source::unplaced(),
    }
}

/// `t.references :user` / `add_reference :orders, :user`: the column(s),
/// the default index, and the foreign key when asked for.
fn reference(table: &str, name: &str, call: &Call, push: &mut dyn FnMut(Op)) {
    let column = format!("{name}_id");
    let polymorphic = kwarg(call, "polymorphic").and_then(as_bool) == Some(true);
    let mut keys = vec![column.clone()];
    if polymorphic {
        let kind_col = format!("{name}_type");
        push(Op::AddColumn {
            table: table.to_string(),
            column: source_less_column(&kind_col, "string"),
        });
        keys.insert(0, kind_col);
    }
    push(Op::AddColumn {
        table: table.to_string(),
        column: source_less_column(&column, "bigint"),
    });
    let index_opt = kwarg(call, "index");
    if index_opt.and_then(as_bool) != Some(false) {
        let mut idx = index(keys, call, IndexKind::ForeignKeyDefault);
        if let Some(ArgValue::Map(opts)) = index_opt {
            if opts
                .iter()
                .any(|(k, v)| k == "unique" && as_bool(v) == Some(true))
            {
                idx.kind = IndexKind::Unique;
            }
        }
        idx.name = None;
        push(Op::AddIndex {
            table: table.to_string(),
            index: idx,
        });
    }
    let fk = kwarg(call, "foreign_key");
    if fk.is_some_and(|v| as_bool(v) != Some(false)) && !polymorphic {
        let to = match fk {
            Some(ArgValue::Map(opts)) => opts
                .iter()
                .find(|(k, _)| k == "to_table")
                .and_then(|(_, v)| as_str(v))
                .map(normalize_name),
            _ => None,
        }
        .unwrap_or_else(|| pluralize(name));
        push(Op::AddForeignKey {
            table: table.to_string(),
            key: ForeignKey {
                name: None,
                columns: vec![column],
                references: to,
                ref_columns: Vec::new(),
                source: Source::unplaced(),
            },
        });
    }
}

/// A call inside a `create_table`/`change_table` block.
fn block_op(call: &Call, table: &str, push: &mut dyn FnMut(Op)) {
    let names: Vec<String> = call
        .args
        .iter()
        .filter(|a| a.keyword.is_none())
        .filter_map(|a| as_str(&a.value))
        .map(str::to_lowercase)
        .collect();
    match call.name.as_str() {
        "references" | "belongs_to" => {
            for n in &names {
                reference(table, n, call, push);
            }
        }
        "index" => {
            let keys = positional(call, 0).map(str_list).unwrap_or_default();
            if !keys.is_empty() {
                push(Op::AddIndex {
                    table: table.to_string(),
                    index: index(keys, call, IndexKind::Plain),
                });
            }
        }
        "timestamps" => {
            for c in ["created_at", "updated_at"] {
                push(Op::AddColumn {
                    table: table.to_string(),
                    column: source_less_column(c, "datetime"),
                });
            }
        }
        "remove" => {
            for c in names {
                push(Op::DropColumn {
                    table: table.to_string(),
                    column: c,
                });
            }
        }
        "remove_index" => remove_index(table, call, 0, push),
        "rename" => {
            if let [from, to] = names.as_slice() {
                push(Op::RenameColumn {
                    table: table.to_string(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
        // `t.column "name", :type`: one column, its type second.
        "column" => {
            if let [name, rest @ ..] = names.as_slice() {
                let ty = rest.first().map_or("", String::as_str);
                push(Op::AddColumn {
                    table: table.to_string(),
                    column: source_less_column(name, ty),
                });
                column_index(table, name, call, push);
            }
        }
        ty if TYPES.contains(&ty) => {
            for n in &names {
                push(Op::AddColumn {
                    table: table.to_string(),
                    column: source_less_column(n, ty),
                });
                column_index(table, n, call, push);
            }
        }
        _ => {}
    }
}

/// `t.string :email, index: true` / `index: { unique: true }`, or
/// `unique: true` on a column.
fn column_index(table: &str, column: &str, call: &Call, push: &mut dyn FnMut(Op)) {
    let unique_opt = |v: &ArgValue| match v {
        ArgValue::Map(opts) => opts
            .iter()
            .any(|(k, v)| k == "unique" && as_bool(v) == Some(true)),
        _ => false,
    };
    let kind = match kwarg(call, "index") {
        Some(v) if unique_opt(v) => Some(IndexKind::Unique),
        Some(ArgValue::Map(_)) => Some(IndexKind::Plain),
        Some(v) if as_bool(v) == Some(true) => Some(IndexKind::Plain),
        _ => None,
    };
    if let Some(kind) = kind {
        let mut idx = index(vec![column.to_string()], call, kind);
        idx.kind = kind;
        idx.name = None;
        push(Op::AddIndex {
            table: table.to_string(),
            index: idx,
        });
    }
}

/// `remove_index :orders, :user_id`, `remove_index :orders, column: [..]`,
/// `remove_index :orders, name: "x"`; `first` is the position of the
/// column argument.
fn remove_index(table: &str, call: &Call, first: usize, push: &mut dyn FnMut(Op)) {
    if let Some(name) = kwarg(call, "name").and_then(as_str) {
        push(Op::DropIndex {
            table: Some(table.to_string()),
            name: name.to_string(),
        });
        return;
    }
    let columns = kwarg(call, "column")
        .or_else(|| positional(call, first))
        .map(str_list)
        .unwrap_or_default();
    if !columns.is_empty() {
        push(Op::DropIndexOn {
            table: table.to_string(),
            columns: columns.into_iter().map(|c| c.to_lowercase()).collect(),
        });
    }
}

/// A top-level migration or schema statement.
fn top_level_op(call: &Call, push: &mut dyn FnMut(Op)) {
    let Some(table) = positional(call, 0).and_then(table_name) else {
        return;
    };
    let arg = |n| positional(call, n).and_then(as_str).map(str::to_lowercase);
    match call.name.as_str() {
        "create_table" => {
            push(Op::CreateTable {
                table: table.clone(),
                if_not_exists: kwarg(call, "if_not_exists").and_then(as_bool) == Some(true),
            });
            let id = kwarg(call, "id");
            if id.and_then(as_bool) != Some(false) {
                let pk = kwarg(call, "primary_key").map(str_list).unwrap_or_default();
                let pk = if pk.is_empty() {
                    vec!["id".to_string()]
                } else {
                    pk
                };
                if pk == ["id"] {
                    push(Op::AddColumn {
                        table: table.clone(),
                        column: source_less_column("id", "bigint"),
                    });
                }
                let mut idx = index(pk, call, IndexKind::Primary);
                idx.name = None;
                idx.partial = None;
                push(Op::AddIndex { table, index: idx });
            }
        }
        "drop_table" => push(Op::DropTable { table }),
        "rename_table" => {
            if let Some(to) = arg(1) {
                push(Op::RenameTable { from: table, to });
            }
        }
        "add_column" => {
            if let (Some(c), ty) = (arg(1), arg(2)) {
                push(Op::AddColumn {
                    table: table.clone(),
                    column: source_less_column(&c, ty.as_deref().unwrap_or("")),
                });
                column_index(&table, &c, call, push);
            }
        }
        "remove_column" => {
            if let Some(column) = arg(1) {
                push(Op::DropColumn { table, column });
            }
        }
        "rename_column" => {
            if let (Some(from), Some(to)) = (arg(1), arg(2)) {
                push(Op::RenameColumn { table, from, to });
            }
        }
        "add_index" => {
            let keys = positional(call, 1).map(str_list).unwrap_or_default();
            if !keys.is_empty() {
                push(Op::AddIndex {
                    table,
                    index: index(keys, call, IndexKind::Plain),
                });
            }
        }
        "remove_index" => remove_index(&table, call, 1, push),
        "add_reference" | "add_belongs_to" => {
            if let Some(name) = arg(1) {
                reference(&table, &name, call, push);
            }
        }
        "add_foreign_key" => {
            if let Some(to) = arg(1) {
                let column = kwarg(call, "column")
                    .and_then(as_str)
                    .map(str::to_lowercase)
                    .unwrap_or_else(|| format!("{}_id", singularize(&to)));
                push(Op::AddForeignKey {
                    table,
                    key: ForeignKey {
                        name: kwarg(call, "name").and_then(as_str).map(str::to_string),
                        columns: vec![column],
                        references: normalize_name(&to),
                        ref_columns: Vec::new(),
                        source: Source::unplaced(),
                    },
                });
            }
        }
        _ => {}
    }
}
