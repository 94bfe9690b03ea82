//! The fix for a missing index, in the idiom of the stack that owns the
//! table: a Rails migration line, a Django `Meta.indexes` entry, a Prisma
//! `@@index`, a TypeORM `@Index`, a Sequelize `indexes` entry, a Knex migration, or SQL DDL (`CONCURRENTLY` on Postgres).

use super::site::Stack;
use crate::orm::Entity;
use crate::schema::Dialect;

/// One index key to suggest: a column, descending or not.
#[derive(Debug, Clone)]
pub struct KeyCol {
    /// Column name.
    pub column: String,
    /// Descending order (for `ORDER BY ... DESC`).
    pub desc: bool,
}

/// Which idiom to write the fix in: the ORM that wrote the query, else the
/// one that defines the table.
pub fn stack_for(site: Stack, table_origin: &str) -> Stack {
    match (site, table_origin) {
        (Stack::Sql, "rails") => Stack::Rails,
        (Stack::Sql, "django") => Stack::Django,
        (Stack::Sql, "prisma") => Stack::Prisma,
        (Stack::Sql, "sqlalchemy") => Stack::SqlAlchemy,
        (Stack::Sql, "typeorm") => Stack::TypeOrm,
        (Stack::Sql, "sequelize" | "sequelize-migrations") => Stack::Sequelize,
        (Stack::Sql, "alembic") => Stack::SqlAlchemy,
        (Stack::Sql, "knex") => Stack::Knex,
        (s, _) => s,
    }
}

/// The attribute name of a column in an entity (`customer_id` →
/// `customer` in Django, `authorId` in Prisma).
fn field_name(entity: Option<&Entity>, column: &str) -> String {
    entity
        .and_then(|e| {
            e.relations
                .iter()
                .find(|r| r.fk_on_self && r.fk_column.as_deref() == Some(column))
                .map(|r| r.name.clone())
                .filter(|_| matches!(e.orm, crate::orm::Orm::Django | crate::orm::Orm::TypeOrm))
                .or_else(|| {
                    e.fields
                        .iter()
                        .find(|f| f.column.eq_ignore_ascii_case(column))
                        .map(|f| f.name.clone())
                })
        })
        .unwrap_or_else(|| column.to_string())
}

/// The fix: where to write it and what.
pub fn index_fix(
    stack: Stack,
    dialect: Dialect,
    table: &str,
    keys: &[KeyCol],
    entity: Option<&Entity>,
) -> String {
    let cols: Vec<&str> = keys.iter().map(|k| k.column.as_str()).collect();
    match stack {
        Stack::Rails => {
            let list = if cols.len() == 1 {
                format!(":{}", cols[0])
            } else {
                format!(
                    "[{}]",
                    cols.iter()
                        .map(|c| format!(":{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            if dialect == Dialect::Postgres {
                format!(
                    "add a migration with `add_index :{table}, {list}, algorithm: :concurrently` (and `disable_ddl_transaction!`)"
                )
            } else {
                format!("add a migration with `add_index :{table}, {list}`")
            }
        }
        Stack::Django => {
            let model = entity.map_or("the model", |e| e.name.as_str());
            let fields: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "\"{}{}\"",
                        if k.desc { "-" } else { "" },
                        field_name(entity, &k.column)
                    )
                })
                .collect();
            format!(
                "add `models.Index(fields=[{}])` to `{model}.Meta.indexes` and run `makemigrations`",
                fields.join(", ")
            )
        }
        Stack::Prisma => {
            let model = entity.map_or("the model", |e| e.name.as_str());
            let fields: Vec<String> = keys
                .iter()
                .map(|k| {
                    let name = field_name(entity, &k.column);
                    if k.desc {
                        format!("{name}(sort: Desc)")
                    } else {
                        name
                    }
                })
                .collect();
            format!(
                "add `@@index([{}])` to `model {model}` and run `prisma migrate dev`",
                fields.join(", ")
            )
        }
        Stack::TypeOrm => {
            let model = entity.map_or("the entity", |e| e.name.as_str());
            let fields: Vec<String> = keys.iter().map(|k| field_name(entity, &k.column)).collect();
            let place = match fields.as_slice() {
                [one] => format!("add `@Index()` above `{one}` in `class {model}`"),
                _ => format!(
                    "add `@Index([{}])` to `class {model}`",
                    fields
                        .iter()
                        .map(|f| format!("\"{f}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let concurrently = if dialect == Dialect::Postgres {
                " (on a large Postgres table, edit it to `CREATE INDEX CONCURRENTLY` with `transaction = false`)"
            } else {
                ""
            };
            format!("{place} and generate the migration with `typeorm migration:generate`{concurrently}")
        }
        Stack::Sequelize => {
            let model = entity.map_or("the model", |e| e.name.as_str());
            let quoted: Vec<String> = keys
                .iter()
                .map(|k| format!("\"{}\"", field_name(entity, &k.column)))
                .collect();
            // Sequelize quotes identifiers: an attribute without `field` keeps
            // its case (`createdAt`), the catalog's names are lower-cased.
            let columns: Vec<String> = cols
                .iter()
                .map(|c| {
                    let name = field_name(entity, c);
                    if name.to_lowercase() == *c {
                        format!("\"{name}\"")
                    } else {
                        format!("\"{c}\"")
                    }
                })
                .collect();
            format!(
                "add `{{ fields: [{}] }}` to `{model}`'s `indexes` option and a migration `queryInterface.addIndex(\"{table}\", [{}]{})`",
                quoted.join(", "),
                columns.join(", "),
                if dialect == Dialect::Postgres {
                    ", { concurrently: true }"
                } else {
                    ""
                }
            )
        }
        Stack::SqlAlchemy => {
            let model = entity.map_or("the model", |e| e.name.as_str());
            let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
            format!(
                "add `Index(\"ix_{table}_{}\", {})` to `{model}.__table_args__` (or `index=True` on a single column) and generate the migration: `op.create_index(\"ix_{table}_{}\", \"{table}\", [{}]{})`",
                cols.join("_"),
                quoted.join(", "),
                cols.join("_"),
                quoted.join(", "),
                if dialect == Dialect::Postgres {
                    ", postgresql_concurrently=True"
                } else {
                    ""
                }
            )
        }
        Stack::Knex => {
            let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
            let build = format!(
                "add a migration: `knex.schema.alterTable(\"{table}\", (t) => t.index([{}]))`",
                quoted.join(", ")
            );
            if dialect == Dialect::Postgres {
                format!(
                    "{build}, or on a large table `knex.raw(\"CREATE INDEX CONCURRENTLY {table}_{}_index ON {table} ({})\")` in a migration with `exports.config = {{ transaction: false }}`",
                    cols.join("_"),
                    cols.join(", ")
                )
            } else {
                build
            }
        }
        Stack::Sql => {
            let name = format!("idx_{table}_{}", cols.join("_"));
            let list: Vec<String> = keys
                .iter()
                .map(|k| format!("{}{}", k.column, if k.desc { " DESC" } else { "" }))
                .collect();
            let concurrently = if dialect == Dialect::Postgres {
                "CONCURRENTLY "
            } else {
                ""
            };
            format!(
                "`CREATE INDEX {concurrently}{name} ON {table} ({});`",
                list.join(", ")
            )
        }
    }
}
