//! `missing-index/fk-without-index`: a foreign key whose columns lead no
//! index, where the database does not add one (Postgres, SQLite; MySQL's
//! InnoDB indexes every foreign key itself), and Rails `belongs_to`
//! columns without an index (with or without a constraint, on any
//! database: joins and `has_many` loads read them).

use super::fix::{index_fix, stack_for, KeyCol};
use super::site::Stack;
use super::{at_source, cause, placed};
use crate::finding::Finding;
use crate::orm::default_table;
use crate::orm::{Entities, Orm};
use crate::rules::RuleContext;
use crate::schema::{Catalog, Dialect, Source, Table};

const RULE: &str = "missing-index/fk-without-index";

/// The findings.
pub fn check(ctx: &RuleContext, catalog: &Catalog, entities: &Entities) -> Vec<Finding> {
    if !ctx.enabled(RULE) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    let checks_constraints = matches!(catalog.dialect, Dialect::Postgres | Dialect::Sqlite);
    for table in catalog.tables.values().filter(|t| t.columns_known) {
        for fk in &table.foreign_keys {
            if !checks_constraints || served(table, &fk.columns) {
                continue;
            }
            seen.push((table.name.clone(), fk.columns.clone()));
            if let Some(f) = finding(
                ctx,
                catalog,
                entities,
                table,
                &fk.columns,
                &fk.references,
                &fk.source,
            ) {
                out.push(f);
            }
        }
    }
    // Rails `belongs_to` columns, declared in the model.
    for entity in entities.list.iter().filter(|e| e.orm == Orm::Rails) {
        let Some(table) = catalog.table(&entity.table).filter(|t| t.columns_known) else {
            continue;
        };
        for rel in entity.relations.iter().filter(|r| r.fk_on_self) {
            let Some(column) = &rel.fk_column else {
                continue;
            };
            let columns = vec![column.to_lowercase()];
            if table.column(&columns[0]).is_none()
                || served(table, &columns)
                || seen.contains(&(table.name.clone(), columns.clone()))
            {
                continue;
            }
            seen.push((table.name.clone(), columns.clone()));
            let target = entities
                .target(rel)
                .map_or_else(|| default_table(&rel.target), |t| t.table.clone());
            if let Some(f) = finding(
                ctx,
                catalog,
                entities,
                table,
                &columns,
                &target,
                &rel.source,
            ) {
                out.push(f);
            }
        }
    }
    out
}

/// Whether an index starts with these columns (a polymorphic
/// `(x_type, x_id)` index serves `x_id`).
fn served(table: &Table, columns: &[String]) -> bool {
    if table.index_covering_prefix(columns).is_some() {
        return true;
    }
    columns.len() == 1
        && columns[0].ends_with("_id")
        && table.indexes.iter().any(|i| {
            i.keys.len() >= 2
                && i.keys[1].column() == Some(columns[0].as_str())
                && i.keys[0].column().is_some_and(|c| c.ends_with("_type"))
        })
}

fn finding(
    ctx: &RuleContext,
    catalog: &Catalog,
    entities: &Entities,
    table: &Table,
    columns: &[String],
    references: &str,
    source: &Source,
) -> Option<Finding> {
    let mut f = at_source(ctx, RULE, source)?;
    let file = ctx.model.files.iter().position(|p| p.path == source.path)? as u32;
    placed(ctx, &mut f, file, None, 0, &table.name);
    // A schema fact is not in a migration's deploy path: keep the default.
    if f.setting.script {
        f.severity = crate::rules::meta::get(RULE).map_or(f.severity, |m| m.severity);
        f.setting.script = false;
    }
    let entity = entities.by_table(&table.name).next();
    let stack = stack_for(
        match entity.map(|e| e.orm) {
            Some(Orm::Rails) => Stack::Rails,
            Some(Orm::Django) => Stack::Django,
            Some(Orm::Prisma) => Stack::Prisma,
            Some(Orm::SqlAlchemy) => Stack::SqlAlchemy,
            Some(Orm::TypeOrm) => Stack::TypeOrm,
            Some(Orm::Sequelize) => Stack::Sequelize,
            None => Stack::Sql,
        },
        &table.origin,
    );
    let keys: Vec<KeyCol> = columns
        .iter()
        .map(|c| KeyCol {
            column: c.clone(),
            desc: false,
        })
        .collect();
    let db = match catalog.dialect {
        Dialect::Unknown => "the database".to_string(),
        d => d.name().to_string(),
    };
    let child = &table.name;
    f.message = format!(
        "`{child}.{}` references `{references}` but no index starts with it, and {db} does not index foreign keys by itself: loading the `{child}` rows of one `{references}` row (a join or a has-many load) and every delete of a `{references}` row (the foreign-key check) scan all of `{child}` (at 1M rows a sequential scan costs ~10³× a B-tree lookup).",
        columns.join(", "),
    );
    f.fix = {
        let fix = index_fix(stack, catalog.dialect, &table.name, &keys, entity);
        let mut c = fix.chars();
        c.next()
            .map(|x| x.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    };
    f.anchor = format!("{} {}", table.name, columns.join(","));
    f.cause = cause(&table.name, columns);
    Some(f)
}
