//! Prisma Client query sites: `prisma.post.findMany({ where: { authorId },
//! orderBy: { createdAt: "desc" }, take: 10 })`, `findFirst`, `count`,
//! `updateMany`, `deleteMany`. Operators `equals`, `in`, `lt`/`gt`...,
//! `contains`/`endsWith` (leading wildcard), `mode: "insensitive"`
//! (case-folding). Relation filters and `OR`/`NOT` are left out;
//! `findUnique` must name a unique field, so it is never a missing index.

use super::site::{Cmp, Pred, Site, Stack};
use crate::facts::{ArgValue, Call};
use crate::model::ParsedFile;
use crate::orm::values::{as_str, map_get, positional};
use crate::orm::{Entities, Entity, Orm};

const METHODS: &[&str] = &[
    "findMany",
    "findFirst",
    "findFirstOrThrow",
    "count",
    "updateMany",
    "deleteMany",
    "aggregate",
];

fn entity_of<'e>(entities: &'e Entities, call: &Call) -> Option<(usize, &'e Entity)> {
    if !METHODS.contains(&call.name.as_str()) {
        return None;
    }
    let mut parts = call.callee.rsplit('.');
    parts.next();
    let model = parts.next()?;
    let found = entities.list.iter().position(|e| {
        e.orm == Orm::Prisma && e.name.len() == model.len() && e.name.eq_ignore_ascii_case(model)
    })?;
    Some((found, &entities.list[found]))
}

fn column(entity: &Entity, field: &str) -> Option<String> {
    entity.field(field).map(|f| f.column.clone())
}

/// The Prisma query sites of one JavaScript/TypeScript file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    for call in &file.facts.calls {
        let Some((index, entity)) = entity_of(entities, call) else {
            continue;
        };
        let mut site = Site::at_call(file_index, call, Stack::Prisma, index, entity);
        site.limited = call.name.starts_with("findFirst");
        let args = positional(call, 0);
        if let Some(ArgValue::Map(filters)) = args.and_then(|a| map_get(a, "where")) {
            if !filters.iter().any(|(k, _)| k == "OR" || k == "NOT") {
                for (field, value) in filters {
                    let Some(column) = column(entity, field) else {
                        continue;
                    };
                    if let Some(cmp) = comparison(value) {
                        site.preds.push(Pred { column, cmp });
                    }
                }
            }
        }
        if let Some(order) = args.and_then(|a| map_get(a, "orderBy")) {
            let items = match order {
                ArgValue::List(items) => items.iter().collect(),
                one => vec![one],
            };
            for item in items {
                match item {
                    ArgValue::Map(pairs) if pairs.len() == 1 => match column(entity, &pairs[0].0) {
                        Some(c) if as_str(&pairs[0].1).is_some() => site.order_by.push(c),
                        _ => {
                            site.order_by.clear();
                            break;
                        }
                    },
                    _ => {
                        site.order_by.clear();
                        break;
                    }
                }
            }
        }
        site.limited |= args.is_some_and(|a| map_get(a, "take").is_some());
        out.push(site);
    }
    out
}

/// A field's filter value: a plain value is equality; an operator object
/// says which comparison.
fn comparison(value: &ArgValue) -> Option<Cmp> {
    let ArgValue::Map(ops) = value else {
        return Some(Cmp::Eq);
    };
    let insensitive = ops
        .iter()
        .any(|(k, v)| k == "mode" && as_str(v) == Some("insensitive"));
    let mut cmp = None;
    for (op, _) in ops {
        let this = match op.as_str() {
            "equals" | "in" => Cmp::Eq,
            "lt" | "lte" | "gt" | "gte" | "startsWith" => Cmp::Range,
            "contains" | "endsWith" | "search" => Cmp::LeadingWildcard,
            "mode" => continue,
            _ => return None,
        };
        cmp = Some(this);
    }
    match cmp? {
        Cmp::LeadingWildcard => Some(Cmp::LeadingWildcard),
        _ if insensitive => Some(Cmp::Function("lower".into())),
        other => Some(other),
    }
}
