//! Rails query sites: `Order.where(user_id: ..)`, `.where("email = ?", ..)`,
//! `.find_by(email: ..)`, `find_by_email(..)`, `.order(created_at: :desc)`,
//! `.limit(n)`/`.first`/`.take`. Chains start at a model constant;
//! association scopes (`user.orders.where`) are left out.

use super::chain::chains;
use super::site::{shorten, Cmp, Pred, Site, Stack};
use super::sql;
use crate::facts::{ArgValue, Call};
use crate::model::ParsedFile;
use crate::orm::{Entities, Entity, Orm};

fn entity_of<'e>(entities: &'e Entities, call: &Call) -> Option<(usize, &'e Entity)> {
    let root = call.callee.split('.').next()?;
    if !root.starts_with(|c: char| c.is_ascii_uppercase()) || !call.callee.contains('.') {
        return None;
    }
    let short = root.rsplit("::").next().unwrap_or(root);
    let index = entities
        .index_of_name(short)
        .filter(|&i| entities.list[i].orm == Orm::Rails)?;
    Some((index, &entities.list[index]))
}

fn column_of(entity: &Entity, key: &str) -> String {
    entity
        .relation(key)
        .filter(|r| r.fk_on_self)
        .and_then(|r| r.fk_column.clone())
        .unwrap_or_else(|| key.to_lowercase())
}

/// The Rails query sites of one file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    for chain in chains(&file.facts, |c| entity_of(entities, c).is_some()) {
        let outer = chain[0];
        let Some((index, entity)) = entity_of(entities, outer) else {
            continue;
        };
        let mut site = Site {
            file: file_index,
            span: outer.span,
            function: outer.function,
            loop_depth: Some(outer.loops.len() as u32),
            table: entity.table.clone(),
            stack: Stack::Rails,
            entity: Some(index),
            preds: Vec::new(),
            order_by: Vec::new(),
            limited: false,
            text: shorten(&outer.callee),
        };
        let mut negated = false;
        for call in &chain {
            let name = call.name.as_str();
            match name {
                "where"
                | "find_by"
                | "find_by!"
                | "find_or_create_by"
                | "find_or_initialize_by" => {
                    for arg in &call.args {
                        match (&arg.keyword, &arg.value) {
                            (Some(key), value) => {
                                if matches!(value, ArgValue::Map(_)) {
                                    continue;
                                }
                                site.preds.push(Pred {
                                    column: column_of(entity, key),
                                    cmp: Cmp::Eq,
                                });
                            }
                            (None, ArgValue::Str(fragment)) if Some(arg) == call.args.first() => {
                                if let Some(q) =
                                    sql::read(&format!("SELECT * FROM t WHERE {fragment}"))
                                {
                                    site.preds.extend(
                                        q.preds
                                            .into_iter()
                                            .filter(|p| p.qualifier.is_none())
                                            .map(|p| p.item),
                                    );
                                }
                            }
                            _ => {}
                        }
                    }
                    site.limited |= name != "where";
                }
                "not" | "or" | "rewhere" => negated = true,
                "order" | "reorder" => site.order_by = order_columns(call),
                "limit" | "first" | "last" | "take" | "first!" | "last!" | "take!" => {
                    site.limited = true
                }
                _ => {
                    if let Some(column) = name.strip_prefix("find_by_") {
                        if !column.contains("_and_") && !column.is_empty() {
                            site.preds.push(Pred {
                                column: column.trim_end_matches('!').to_string(),
                                cmp: Cmp::Eq,
                            });
                            site.limited = true;
                        }
                    }
                }
            }
        }
        if negated {
            site.preds.clear();
        }
        out.push(site);
    }
    out
}

/// `order(:created_at)`, `order(created_at: :desc)`, `order("created_at
/// DESC")`; empty when one part is not a plain column.
fn order_columns(call: &Call) -> Vec<String> {
    let mut out = Vec::new();
    for arg in &call.args {
        match (&arg.keyword, &arg.value) {
            (Some(key), _) => out.push(key.to_lowercase()),
            (None, ArgValue::Str(text)) => {
                let Some(q) = sql::read(&format!("SELECT * FROM t ORDER BY {text}")) else {
                    return Vec::new();
                };
                if q.order_by.is_empty() {
                    return Vec::new();
                }
                out.extend(q.order_by.into_iter().map(|c| c.item));
            }
            _ => return Vec::new(),
        }
    }
    out
}
