//! Knex migrations (and any other non-test file that builds a schema with
//! `knex.schema`) as a schema source, read from JavaScript/TypeScript call
//! facts. Read outside `down`: `knex.schema.createTable(name, (t) => ..)`,
//! `createTableIfNotExists`, `alterTable`/`table`, `dropTable`,
//! `dropTableIfExists`, `renameTable`, and DDL strings (`knex.raw`,
//! `knex.schema.raw`). In the table callback: column types
//! (`t.string("email")`, `t.increments()`, `t.timestamps()` ...) with
//! `.primary()`, `.unique()`, `.index()` and `.references("orgs.id")` /
//! `.references("id").inTable("orgs")`; `t.index([..])`, `t.unique([..])`,
//! `t.primary([..])`, `t.foreign(..).references(..)`, `t.dropIndex`,
//! `t.dropUnique`, `t.dropColumn(s)`, `t.renameColumn`, `t.dropTimestamps`.
//! Indexes get Knex's default names (`users_email_unique`,
//! `users_org_id_created_at_index`). `.references()` creates a constraint,
//! not an index: on Postgres the key stays unindexed.

use super::build::{in_down, Collected, FileOps};
use super::{normalize_name, Column, ForeignKey, Index, IndexKind, Key, Op, Source};
use crate::facts::{ArgValue, Call, FileFacts, FunctionKind, Span};
use crate::model::ParsedFile;
use crate::orm::values::{as_bool, as_str, map_get, positional, str_list};

/// `knex.schema.<method>` calls that name a table.
const SCHEMA_METHODS: &[&str] = &[
    "createTable",
    "createTableIfNotExists",
    "alterTable",
    "table",
    "dropTable",
    "dropTableIfExists",
    "renameTable",
];

/// Column types of the table builder (`t.string("email")`).
const TYPES: &[&str] = &[
    "increments",
    "bigIncrements",
    "integer",
    "bigInteger",
    "bigint",
    "tinyint",
    "smallint",
    "mediumint",
    "text",
    "string",
    "float",
    "double",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "dateTime",
    "time",
    "timestamp",
    "binary",
    "enum",
    "enu",
    "json",
    "jsonb",
    "uuid",
    "specificType",
    "geometry",
    "geography",
    "point",
];

/// Whether a call is `<knex>.schema.<method>` (chained schema calls and
/// `withSchema(..)` included).
fn schema_call(call: &Call) -> bool {
    let mut parts = call.callee.split('.');
    let root = parts.next().unwrap_or("");
    !root.contains('(')
        && parts.next() == Some("schema")
        && SCHEMA_METHODS.contains(&call.name.as_str())
}

/// Whether a file builds a schema with Knex.
pub fn is_migration(facts: &FileFacts) -> bool {
    facts.calls.iter().any(schema_call)
}

/// The ops of one file.
pub fn file_ops(file: &ParsedFile, at: &FileOps, out: &mut Collected) {
    let facts = &file.facts;
    let mut ops: Vec<(Span, Op)> = Vec::new();
    // A chain (`knex.schema.dropTable("t").createTable("t", ..)`) runs
    // its inner call first: order by start, then by length.
    let mut calls: Vec<&Call> = facts.calls.iter().filter(|c| schema_call(c)).collect();
    calls.sort_by_key(|c| (c.span.start, c.callee.len()));
    for call in calls {
        if in_down(facts, call.function) {
            continue;
        }
        let Some(table) = positional(call, 0).and_then(as_str).map(normalize_name) else {
            continue;
        };
        let mut push = |op| ops.push((call.span, op));
        match call.name.as_str() {
            "createTable" | "createTableIfNotExists" => push(Op::CreateTable {
                table: table.clone(),
                if_not_exists: call.name == "createTableIfNotExists",
            }),
            "dropTable" | "dropTableIfExists" => push(Op::DropTable {
                table: table.clone(),
            }),
            "renameTable" => {
                if let Some(to) = positional(call, 1).and_then(as_str) {
                    push(Op::RenameTable {
                        from: table.clone(),
                        to: normalize_name(to),
                    });
                }
            }
            _ => {}
        }
        if let Some(ArgValue::Closure(builder)) = positional(call, 1) {
            for chain in builder_chains(facts, *builder) {
                chain_ops(&table, &chain, &mut |span, op| ops.push((span, op)));
            }
        }
    }
    out.push_migration(at, facts, ops);
}

/// The calls of the table callback, one chain per statement, root call
/// first: `t.integer("org_id").references("id").inTable("orgs")` is
/// `[integer, references, inTable]`.
fn builder_chains(facts: &FileFacts, builder: u32) -> Vec<Vec<&Call>> {
    let is_builder = facts
        .functions
        .get(builder as usize)
        .is_some_and(|f| f.kind == FunctionKind::Closure);
    if !is_builder {
        return Vec::new();
    }
    let mut calls: Vec<&Call> = facts
        .calls
        .iter()
        .filter(|c| c.function == Some(builder))
        .filter(|c| {
            let root = c.callee.split('.').next().unwrap_or("");
            !root.contains('(') && c.callee.contains('.')
        })
        .collect();
    calls.sort_by_key(|c| (c.span.start, c.callee.len()));
    let mut chains: Vec<Vec<&Call>> = Vec::new();
    for call in calls {
        match chains.last_mut() {
            Some(chain) if chain[0].span.start == call.span.start => chain.push(call),
            _ => chains.push(vec![call]),
        }
    }
    chains
}

/// Column or key names: `"a"` or `["a", "b"]`, lower-cased.
fn names(value: Option<&ArgValue>) -> Vec<String> {
    value
        .map(str_list)
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.to_lowercase())
        .collect()
}

fn index(name: String, columns: &[String], kind: IndexKind) -> Index {
    Index {
        name: Some(name),
        keys: columns.iter().cloned().map(Key::Column).collect(),
        kind,
        partial: None,
        method: None,
        source: Source::unplaced(),
    }
}

/// Knex's default index name: `<table>_<columns>_<kind>`.
fn default_name(table: &str, columns: &[String], suffix: &str) -> String {
    format!("{table}_{}_{suffix}", columns.join("_"))
}

/// An index name given as a string or `{ indexName: ".." }`.
fn given_name(value: Option<&ArgValue>) -> Option<String> {
    match value? {
        ArgValue::Str(s) => Some(s.clone()),
        map @ ArgValue::Map(_) => map_get(map, "indexName")
            .and_then(as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// `.references("orgs.id")` or `.references("id").inTable("orgs")`.
fn foreign_key(table: &str, columns: Vec<String>, chain: &[&Call]) -> Option<Op> {
    let refs = chain.iter().find(|c| c.name == "references")?;
    let target = positional(refs, 0).and_then(as_str)?;
    let in_table = chain
        .iter()
        .find(|c| c.name == "inTable")
        .and_then(|c| positional(c, 0))
        .and_then(as_str);
    let (to, column) = match (in_table, target.rsplit_once('.')) {
        (Some(t), _) => (t, target),
        (None, Some((t, c))) => (t, c),
        (None, None) => return None,
    };
    Some(Op::AddForeignKey {
        table: table.to_string(),
        key: ForeignKey {
            name: None,
            columns,
            references: normalize_name(to),
            ref_columns: vec![column.to_lowercase()],
            source: Source::unplaced(),
        },
    })
}

/// The ops of one builder statement.
fn chain_ops(table: &str, chain: &[&Call], push: &mut dyn FnMut(Span, Op)) {
    let root = chain[0];
    let span = root.span;
    let mut push = |op| push(span, op);
    let modifier = |name: &str| chain[1..].iter().find(|c| c.name == name);
    let arg = |n| positional(root, n);
    match root.name.as_str() {
        "timestamps" => {
            let camel = arg(2).and_then(as_bool) == Some(true);
            for c in if camel {
                ["createdat", "updatedat"]
            } else {
                ["created_at", "updated_at"]
            } {
                push(Op::AddColumn {
                    table: table.to_string(),
                    column: column(c, "timestamp"),
                });
            }
        }
        "dropTimestamps" => {
            for c in ["created_at", "updated_at"] {
                push(Op::DropColumn {
                    table: table.to_string(),
                    column: c.to_string(),
                });
            }
        }
        "index" | "unique" | "primary" => {
            let columns = names(arg(0));
            if columns.is_empty() {
                return;
            }
            let (kind, suffix) = match root.name.as_str() {
                "unique" => (IndexKind::Unique, "unique"),
                "primary" => (IndexKind::Primary, "pkey"),
                _ => (IndexKind::Plain, "index"),
            };
            let name = given_name(arg(1)).unwrap_or_else(|| match kind {
                IndexKind::Primary => format!("{table}_pkey"),
                _ => default_name(table, &columns, suffix),
            });
            push(Op::AddIndex {
                table: table.to_string(),
                index: index(name, &columns, kind),
            });
        }
        "foreign" => {
            if let Some(op) = foreign_key(table, names(arg(0)), chain) {
                push(op);
            }
        }
        "dropIndex" | "dropUnique" => {
            let columns = names(arg(0));
            match given_name(arg(1)) {
                Some(name) => push(Op::DropIndex {
                    table: Some(table.to_string()),
                    name,
                }),
                None if !columns.is_empty() => push(Op::DropIndexOn {
                    table: table.to_string(),
                    columns,
                }),
                None => {}
            }
        }
        "dropColumn" | "dropColumns" => {
            for a in root.args.iter() {
                for c in names(Some(&a.value)) {
                    push(Op::DropColumn {
                        table: table.to_string(),
                        column: c,
                    });
                }
            }
        }
        "renameColumn" => {
            if let (Some(from), Some(to)) = (arg(0).and_then(as_str), arg(1).and_then(as_str)) {
                push(Op::RenameColumn {
                    table: table.to_string(),
                    from: from.to_lowercase(),
                    to: to.to_lowercase(),
                });
            }
        }
        ty if TYPES.contains(&ty) => {
            let increments = matches!(ty, "increments" | "bigIncrements");
            let name = match arg(0).and_then(as_str) {
                Some(n) => n.to_lowercase(),
                None if increments => "id".to_string(),
                None => return,
            };
            let sql_type = if ty == "specificType" {
                arg(1).and_then(as_str).unwrap_or(ty)
            } else {
                ty
            };
            push(Op::AddColumn {
                table: table.to_string(),
                column: column(&name, sql_type),
            });
            let columns = vec![name];
            let not_primary = arg(1)
                .and_then(|o| map_get(o, "primaryKey"))
                .and_then(as_bool)
                == Some(false);
            if (increments && !not_primary) || modifier("primary").is_some() {
                push(Op::AddIndex {
                    table: table.to_string(),
                    index: index(format!("{table}_pkey"), &columns, IndexKind::Primary),
                });
            }
            for (suffix, kind) in [("unique", IndexKind::Unique), ("index", IndexKind::Plain)] {
                if let Some(m) = modifier(suffix) {
                    let name = given_name(positional(m, 0))
                        .unwrap_or_else(|| default_name(table, &columns, suffix));
                    push(Op::AddIndex {
                        table: table.to_string(),
                        index: index(name, &columns, kind),
                    });
                }
            }
            if let Some(op) = foreign_key(table, columns, chain) {
                push(op);
            }
        }
        _ => {}
    }
}

fn column(name: &str, sql_type: &str) -> Column {
    Column {
        name: name.to_string(),
        sql_type: Some(sql_type.to_string()),
        source: Source::unplaced(),
    }
}
