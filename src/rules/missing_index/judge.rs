//! Judging one query site against its table's indexes: the lookup rules
//! (`unindexed-lookup`, `composite-unusable`), `order-limit`,
//! `leading-wildcard` and `function-on-column`. One finding per site and
//! rule; a site whose lookup is served is left alone by the ordering rule
//! (the index narrows the rows to sort).

use super::fix::{index_fix, stack_for, KeyCol};
use super::site::{Cmp, Site};
use super::{cause, placed, where_text};
use crate::finding::Finding;
use crate::orm::Entities;
use crate::rules::RuleContext;
use crate::schema::{Catalog, Key, Table};

/// Rows at which the cost numbers in messages are quoted.
const SCALE: &str = "at 1M rows a sequential scan costs ~10³× a B-tree lookup";

/// The findings for one site.
pub fn judge(
    ctx: &RuleContext,
    catalog: &Catalog,
    entities: &Entities,
    table: &Table,
    site: &Site,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // Columns the table does not have mean the mapping is wrong: say nothing.
    if super::reference_data(&table.name) {
        return Vec::new();
    }
    let known = |c: &str| table.column(c).is_some();
    // A boolean splits a table in two halves: no index makes that selective.
    let boolean = |c: &str| {
        table
            .column(c)
            .and_then(|c| c.sql_type.as_deref())
            .is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                t.starts_with("bool") || t.contains("booleanfield") || t == "tinyint(1)"
            })
    };
    let entity = site
        .entity
        .map(|i| &entities.list[i])
        .or_else(|| entities.by_table(&table.name).next());
    let stack = stack_for(site.stack, &table.origin);
    let fix = |keys: &[KeyCol]| index_fix(stack, catalog.dialect, &table.name, keys, entity);
    let loops = super::site_loops(ctx.model, site);
    let place = where_text(ctx, site.file, site.function, loops);
    let mut push = |rule: &str, columns: Vec<String>, message: String, fix: String| {
        if !ctx.enabled(rule) {
            return;
        }
        let mut f = ctx.finding(rule, site.file, site.span);
        placed(ctx, &mut f, site.file, site.function, loops, &table.name);
        f.message = message;
        f.fix = fix;
        f.anchor = format!("{} {}", table.name, columns.join(","));
        f.cause = cause(&table.name, &columns);
        out.push(f);
    };

    let mut lookup: Vec<&str> = Vec::new();
    for p in &site.preds {
        if matches!(p.cmp, Cmp::Eq | Cmp::Range | Cmp::Join)
            && known(&p.column)
            && !boolean(&p.column)
            && !lookup.contains(&p.column.as_str())
        {
            lookup.push(&p.column);
        }
    }
    // Equality first: it leads the suggested index.
    lookup.sort_by_key(|c| {
        site.preds.iter().find(|p| p.column == *c).map_or(2, |p| {
            if p.cmp == Cmp::Range {
                1
            } else {
                0
            }
        })
    });
    let served = lookup
        .iter()
        .any(|c| table.indexes_leading_with(c).next().is_some());
    if !lookup.is_empty() && !served {
        let cols: Vec<String> = lookup.iter().map(|c| c.to_string()).collect();
        let mut keys: Vec<KeyCol> = cols
            .iter()
            .map(|c| KeyCol {
                column: c.clone(),
                desc: false,
            })
            .collect();
        if site.limited {
            for o in site
                .order_by
                .iter()
                .filter(|o| known(o) && !cols.contains(o))
            {
                keys.push(KeyCol {
                    column: o.clone(),
                    desc: false,
                });
            }
        }
        let composite = table.indexes.iter().find(|i| {
            i.keys
                .iter()
                .skip(1)
                .any(|k| k.column().is_some_and(|c| lookup.contains(&c)))
        });
        let what = format!(
            "`{}` looks up `{}` by {}{place}",
            site.text,
            table.name,
            cols.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        match composite {
            Some(index) => {
                let leading = index.leading().unwrap_or("?");
                push(
                    "missing-index/composite-unusable",
                    cols.clone(),
                    format!(
                        "{what}, but the only index with {} starts with `{leading}` ({}), which the query does not filter on: the index cannot be used, so every run scans the table ({SCALE}).",
                        if cols.len() == 1 { "that column" } else { "those columns" },
                        index.keys.iter().map(key_text).collect::<Vec<_>>().join(", ")
                    ),
                    format!("Filter on `{leading}` too if the query allows it; otherwise {}", fix(&keys)),
                );
            }
            None => push(
                "missing-index/unindexed-lookup",
                cols.clone(),
                format!("{what} and no index starts with {}: every run scans the whole table ({SCALE}).",
                    if cols.len() == 1 { "it" } else { "any of them" }),
                capitalize(&fix(&keys)),
            ),
        }
    }

    // "Latest N": ORDER BY ... LIMIT with no filter.
    let order: Vec<&String> = site.order_by.iter().collect();
    if lookup.is_empty()
        && site.preds.is_empty()
        && site.limited
        && !order.is_empty()
        && order.iter().all(|o| known(o))
        && !table.indexes_leading_with(order[0]).any(|_| true)
    {
        let cols: Vec<String> = order.iter().map(|o| o.to_string()).collect();
        let keys: Vec<KeyCol> = cols
            .iter()
            .map(|c| KeyCol {
                column: c.clone(),
                desc: false,
            })
            .collect();
        push(
            "missing-index/order-limit",
            cols.clone(),
            format!(
                "`{}` takes the first rows of `{}` ordered by `{}`{place}, and no index starts with `{}`: the database reads and sorts the whole table to return a few rows ({SCALE}).",
                site.text,
                table.name,
                cols.join("`, `"),
                cols[0]
            ),
            capitalize(&fix(&keys)),
        );
    }

    // A served lookup narrows the rows first (a primary key, an indexed
    // column): a pattern or function on another column is then cheap. An
    // unserved one is already reported, and its fix comes first.
    for p in site.preds.iter().filter(|_| lookup.is_empty()) {
        if !known(&p.column) {
            continue;
        }
        match &p.cmp {
            Cmp::LeadingWildcard => {
                let trigram = table.indexes.iter().any(|i| {
                    !i.is_btree()
                        && i.keys.iter().any(|k| match k {
                            Key::Column(c) => c == &p.column,
                            Key::Expression(e) => e.contains(&p.column),
                        })
                });
                if !trigram {
                    let fix = match stack {
                        super::site::Stack::Django => format!("use a trigram index: `GinIndex(fields=[\"{}\"], opclasses=[\"gin_trgm_ops\"], name=...)` (django.contrib.postgres, `TrigramExtension`), or full-text search", p.column),
                        super::site::Stack::Rails => format!("add a trigram index: `add_index :{}, :{}, using: :gin, opclass: :gin_trgm_ops` (after `enable_extension \"pg_trgm\"`), or use full-text search", table.name, p.column),
                        _ => format!("`CREATE INDEX CONCURRENTLY idx_{t}_{c}_trgm ON {t} USING gin ({c} gin_trgm_ops);` (pg_trgm), or a full-text index", t = table.name, c = p.column),
                    };
                    push(
                        "missing-index/leading-wildcard",
                        vec![p.column.clone()],
                        format!(
                            "`{}` matches `{}.{}` against a pattern with a leading wildcard{place}: no B-tree index can serve `%...`, so every run scans the table ({SCALE}).",
                            site.text, table.name, p.column
                        ),
                        capitalize(&fix),
                    );
                }
            }
            Cmp::Function(f) if f == "lower" || f == "upper" => {
                let expr = format!("{f}({})", p.column);
                let citext = table
                    .column(&p.column)
                    .and_then(|c| c.sql_type.as_deref())
                    .is_some_and(|t| t.contains("citext"));
                if table.expression_index(&expr).is_none() && !citext {
                    let plain = table.indexes_leading_with(&p.column).next().is_some();
                    let fix = match stack {
                        super::site::Stack::Django => format!("add `models.Index({}(\"{}\"), name=\"{}_{}_{f}\")` to `Meta.indexes`, or use a case-insensitive collation", capitalize(f), p.column, table.name, p.column),
                        super::site::Stack::Rails => format!("add `add_index :{}, \"{expr}\"` (an expression index), or store it lower-cased", table.name),
                        super::site::Stack::Prisma => format!("add an expression index `CREATE INDEX ... ON {} ({expr})` in a migration (Prisma cannot declare one), or use a `citext` column", table.name),
                        super::site::Stack::SqlAlchemy => format!("add `Index(\"ix_{t}_{c}_{f}\", func.{f}({model}.{c}))` to `__table_args__` and generate the migration", t = table.name, c = p.column, model = entity.map_or("Model", |e| e.name.as_str())),
                        super::site::Stack::Sequelize => format!("add an expression index `queryInterface.addIndex(\"{}\", [sequelize.fn(\"{f}\", sequelize.col(\"{}\"))])` in a migration, or store it lower-cased", table.name, p.column),
                        super::site::Stack::TypeOrm => format!("add the expression index `CREATE INDEX ... ON \"{}\" ({expr})` in a TypeORM migration (`@Index` cannot declare one), or store it lower-cased", table.name),
                        super::site::Stack::Sql => format!("`CREATE INDEX CONCURRENTLY idx_{t}_{c}_{f} ON {t} ({expr});`", t = table.name, c = p.column),
                        super::site::Stack::Knex => format!("add the expression index in a migration: `knex.raw(\"CREATE INDEX CONCURRENTLY idx_{t}_{c}_{f} ON {t} ({expr})\")`", t = table.name, c = p.column),
                    };
                    push(
                        "missing-index/function-on-column",
                        vec![p.column.clone()],
                        format!(
                            "`{}` compares `{expr}` on `{}`{place}{}: only an index on the expression `{expr}` serves it, so every run scans the table ({SCALE}).",
                            site.text,
                            table.name,
                            if plain { ", and the plain index on the column does not help" } else { "" }
                        ),
                        capitalize(&fix),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

fn key_text(k: &Key) -> String {
    match k {
        Key::Column(c) => c.clone(),
        Key::Expression(e) => format!("({e})"),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
