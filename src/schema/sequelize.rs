//! Sequelize migrations (sequelize-cli, umzug) as a schema source, read
//! from JavaScript/TypeScript call facts on the query interface
//! (`queryInterface.*`, `qi.*`, `context.queryInterface.*`) outside
//! `down`: `createTable(name, { col: { type, primaryKey, unique,
//! references: { model, key } } })`, `addColumn`, `removeColumn`,
//! `renameColumn`, `renameTable`, `dropTable`, `addIndex(table, [..] |
//! { fields }, { unique, name, where, using })`, `removeIndex`,
//! `addConstraint` (unique, primary key, foreign key; the v4 and v5+
//! signatures), `removeConstraint`, and DDL strings run with
//! `queryInterface.sequelize.query`. Index names default to Sequelize's
//! (`users_org_id_created_at`). Like Knex, a `references` key creates no
//! index.

use super::build::{in_down, Collected, FileOps};
use super::{normalize_name, Column, ForeignKey, Index, IndexKind, Key, Op, Source};
use crate::facts::{ArgValue, Call, FileFacts, Span};
use crate::model::ParsedFile;
use crate::orm::values::{as_bool, as_str, map_get, positional, str_list};

const METHODS: &[&str] = &[
    "createTable",
    "dropTable",
    "renameTable",
    "addColumn",
    "removeColumn",
    "renameColumn",
    "addIndex",
    "removeIndex",
    "addConstraint",
    "removeConstraint",
];

/// Whether a call is a query-interface schema change.
fn interface_call(call: &Call) -> bool {
    let Some((receiver, _)) = call.callee.rsplit_once('.') else {
        return false;
    };
    let last = receiver.rsplit('.').next().unwrap_or(receiver);
    !receiver.contains('(')
        && (last.eq_ignore_ascii_case("queryInterface") || last == "qi")
        && METHODS.contains(&call.name.as_str())
}

/// Whether a file is a Sequelize migration.
pub fn is_migration(facts: &FileFacts) -> bool {
    facts.calls.iter().any(interface_call)
}

/// The ops of one migration.
pub fn file_ops(file: &ParsedFile, at: &FileOps, out: &mut Collected) {
    let facts = &file.facts;
    let mut ops: Vec<(Span, Op)> = Vec::new();
    for call in facts.calls.iter().filter(|c| interface_call(c)) {
        if in_down(facts, call.function) {
            continue;
        }
        let Some(table) = positional(call, 0).and_then(table_name) else {
            continue;
        };
        call_ops(facts, call, &table, &mut |op| ops.push((call.span, op)));
    }
    out.push_migration(at, facts, ops);
}

/// `"Users"`, or `{ tableName: "Users", schema }`.
fn table_name(value: &ArgValue) -> Option<String> {
    as_str(value)
        .or_else(|| map_get(value, "tableName").and_then(as_str))
        .map(normalize_name)
}

/// Sequelize's `underscore`: `Users_orgId` → `users_org_id`.
fn underscore(text: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

/// Index fields: names, or `{ name | attribute, order }` objects. None
/// when one is an expression (`sequelize.fn(..)`), which is not read.
fn fields(value: &ArgValue) -> Option<Vec<String>> {
    let items = match value {
        ArgValue::List(items) => items,
        ArgValue::Str(s) => return Some(vec![s.to_lowercase()]),
        _ => return None,
    };
    items
        .iter()
        .map(|item| {
            as_str(item)
                .or_else(|| {
                    map_get(item, "name")
                        .or_else(|| map_get(item, "attribute"))
                        .and_then(as_str)
                })
                .map(str::to_lowercase)
        })
        .collect()
}

fn index(name: Option<String>, columns: Vec<String>, kind: IndexKind) -> Index {
    Index {
        name,
        keys: columns.into_iter().map(Key::Column).collect(),
        kind,
        partial: None,
        method: None,
        source: Source::unplaced(),
    }
}

/// A column's definition: `Sequelize.STRING`, or `{ type, primaryKey,
/// unique, references }`.
fn column_ops(
    facts: &FileFacts,
    table: &str,
    name: &str,
    def: &ArgValue,
    push: &mut dyn FnMut(Op),
) {
    let name = map_get(def, "field")
        .and_then(as_str)
        .unwrap_or(name)
        .to_lowercase();
    let type_text = |v: &ArgValue| match v {
        ArgValue::Path(p) => Some(p.rsplit('.').next().unwrap_or(p).to_string()),
        ArgValue::Call(id) => facts.calls.get(*id as usize).map(|c| c.name.clone()),
        _ => None,
    };
    let sql_type = match def {
        ArgValue::Map(_) => map_get(def, "type").and_then(type_text),
        other => type_text(other),
    };
    push(Op::AddColumn {
        table: table.to_string(),
        column: Column {
            name: name.clone(),
            sql_type,
            source: Source::unplaced(),
        },
    });
    let flag = |k| map_get(def, k).and_then(as_bool) == Some(true);
    if flag("primaryKey") {
        push(Op::AddIndex {
            table: table.to_string(),
            index: index(None, vec![name.clone()], IndexKind::Primary),
        });
    }
    let unique = map_get(def, "unique");
    if flag("unique") || unique.is_some_and(|u| as_str(u).is_some()) {
        push(Op::AddIndex {
            table: table.to_string(),
            index: index(
                unique.and_then(as_str).map(str::to_string),
                vec![name.clone()],
                IndexKind::Unique,
            ),
        });
    }
    if let Some(refs) = map_get(def, "references") {
        if let Some(to) = map_get(refs, "model").and_then(table_name) {
            push(Op::AddForeignKey {
                table: table.to_string(),
                key: ForeignKey {
                    name: None,
                    columns: vec![name],
                    references: to,
                    ref_columns: map_get(refs, "key")
                        .and_then(as_str)
                        .map(|k| vec![k.to_lowercase()])
                        .unwrap_or_default(),
                    source: Source::unplaced(),
                },
            });
        }
    }
}

/// The ops of one query-interface call.
fn call_ops(facts: &FileFacts, call: &Call, table: &str, push: &mut dyn FnMut(Op)) {
    let arg = |n| positional(call, n);
    let text = |n| arg(n).and_then(as_str).map(str::to_lowercase);
    match call.name.as_str() {
        "createTable" => {
            push(Op::CreateTable {
                table: table.to_string(),
                if_not_exists: false,
            });
            if let Some(ArgValue::Map(columns)) = arg(1) {
                for (name, def) in columns {
                    column_ops(facts, table, name, def, push);
                }
            }
        }
        "dropTable" => push(Op::DropTable {
            table: table.to_string(),
        }),
        "renameTable" => {
            if let Some(to) = arg(1).and_then(table_name) {
                push(Op::RenameTable {
                    from: table.to_string(),
                    to,
                });
            }
        }
        "addColumn" => {
            if let (Some(name), Some(def)) = (arg(1).and_then(as_str), arg(2)) {
                column_ops(facts, table, name, def, push);
            }
        }
        "removeColumn" => {
            if let Some(column) = text(1) {
                push(Op::DropColumn {
                    table: table.to_string(),
                    column,
                });
            }
        }
        "renameColumn" => {
            if let (Some(from), Some(to)) = (text(1), text(2)) {
                push(Op::RenameColumn {
                    table: table.to_string(),
                    from,
                    to,
                });
            }
        }
        "addIndex" => {
            // `addIndex(table, [fields], options)` or `addIndex(table, { fields, .. })`.
            let (columns, options) = match arg(1) {
                Some(o @ ArgValue::Map(_)) => (map_get(o, "fields").and_then(fields), Some(o)),
                Some(list) => (fields(list), arg(2)),
                None => return,
            };
            let Some(columns) = columns.filter(|c| !c.is_empty()) else {
                return;
            };
            let option = |k| options.and_then(|o| map_get(o, k));
            let unique = option("unique").and_then(as_bool) == Some(true)
                || option("type")
                    .and_then(as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("unique"));
            let name = option("name")
                .and_then(as_str)
                .map(str::to_string)
                .unwrap_or_else(|| underscore(&format!("{table}_{}", columns.join("_"))));
            let mut idx = index(
                Some(name),
                columns,
                if unique {
                    IndexKind::Unique
                } else {
                    IndexKind::Plain
                },
            );
            idx.partial = option("where").map(|w| match w {
                ArgValue::Other(t) | ArgValue::Str(t) => t.to_lowercase(),
                _ => "(condition)".to_string(),
            });
            idx.method = option("using")
                .and_then(as_str)
                .map(str::to_lowercase)
                .filter(|m| m != "btree");
            push(Op::AddIndex {
                table: table.to_string(),
                index: idx,
            });
        }
        "removeIndex" => match arg(1) {
            Some(ArgValue::Str(name)) => push(Op::DropIndex {
                table: Some(table.to_string()),
                name: name.clone(),
            }),
            Some(list) => {
                if let Some(columns) = fields(list) {
                    push(Op::DropIndexOn {
                        table: table.to_string(),
                        columns,
                    });
                }
            }
            None => {}
        },
        "addConstraint" => {
            // v5+: `(table, { fields, type, name, references })`;
            // v4: `(table, [fields], { type, name, references })`.
            let (columns, options) = match arg(1) {
                Some(o @ ArgValue::Map(_)) => (map_get(o, "fields").map(str_list), o),
                Some(list) => match arg(2) {
                    Some(o) => (Some(str_list(list)), o),
                    None => return,
                },
                None => return,
            };
            let columns: Vec<String> = columns
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.to_lowercase())
                .collect();
            if columns.is_empty() {
                return;
            }
            let name = map_get(options, "name")
                .and_then(as_str)
                .map(str::to_string);
            let kind = map_get(options, "type")
                .and_then(as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            match kind.as_str() {
                "unique" | "primary key" => push(Op::AddIndex {
                    table: table.to_string(),
                    index: index(
                        name,
                        columns,
                        if kind == "unique" {
                            IndexKind::Unique
                        } else {
                            IndexKind::Primary
                        },
                    ),
                }),
                "foreign key" => {
                    let refs = map_get(options, "references");
                    let to = refs.and_then(|r| map_get(r, "table")).and_then(table_name);
                    if let Some(to) = to {
                        push(Op::AddForeignKey {
                            table: table.to_string(),
                            key: ForeignKey {
                                name,
                                columns,
                                references: to,
                                ref_columns: refs
                                    .and_then(|r| map_get(r, "field"))
                                    .and_then(as_str)
                                    .map(|f| vec![f.to_lowercase()])
                                    .unwrap_or_default(),
                                source: Source::unplaced(),
                            },
                        });
                    }
                }
                _ => {}
            }
        }
        "removeConstraint" => {
            if let Some(name) = arg(1).and_then(as_str) {
                push(Op::DropIndex {
                    table: Some(table.to_string()),
                    name: name.to_string(),
                });
            }
        }
        _ => {}
    }
}
