//! Rails query sites: `Order.where(user_id: ..)`, `.where("email = ?", ..)`,
//! `.find_by(email: ..)`, `find_by_email(..)`, `.order(created_at: :desc)`,
//! `.limit(n)`/`.first`/`.take`. Chains start at a model constant;
//! association scopes (`user.orders.where`) are left out.

use super::chain::chains;
use super::site::{Cmp, Pred, Site, Stack};
use super::sql;
use crate::facts::{ArgValue, Call};
use crate::model::ParsedFile;
use crate::orm::values::{interpolated, positional};
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
        let mut site = Site::at_call(file_index, outer, Stack::Rails, index, entity);
        let mut negated = false;
        let mut unknown = false;
        for call in &chain {
            let name = call.name.as_str();
            match name {
                "where"
                | "find_by"
                | "find_by!"
                | "find_or_create_by"
                | "find_or_initialize_by" => {
                    // `where("lft >= :lft", lft: 1)`: after a fragment the
                    // keywords are its bind values, not columns.
                    let fragment = positional(call, 0);
                    for arg in call
                        .args
                        .iter()
                        .filter(|a| fragment.is_none() || a.keyword.is_none())
                    {
                        match (&arg.keyword, &arg.value) {
                            // `custom_fields: { field_format: "x" }`: a
                            // joined table's condition (see `fragment_preds`).
                            (Some(_), ArgValue::Map(_)) => unknown = true,
                            (Some(key), _) => site.preds.push(Pred {
                                column: column_of(entity, key),
                                cmp: Cmp::Eq,
                            }),
                            _ => {}
                        }
                    }
                    if let Some(fragment) = fragment {
                        match fragment_preds(fragment, entity) {
                            Some(preds) => site.preds.extend(preds),
                            // A condition we cannot read may filter on anything.
                            None => unknown = true,
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
        if entity.sti && !site.preds.is_empty() {
            site.preds.push(Pred {
                column: "type".to_string(),
                cmp: Cmp::Eq,
            });
        }
        if negated || unknown {
            site.preds.clear();
        }
        // A condition not read may use an index for the order too.
        if unknown {
            site.order_by.clear();
        }
        out.push(site);
    }
    out
}

/// The columns a `where` SQL fragment filters on: a literal, or a string
/// with interpolations (`"#{Project.table_name}.lft >= :lft"`, where
/// `#{Model.table_name}` names that model's table and any other
/// interpolation a value). Columns qualified by another table are left
/// out; None when the fragment cannot be read.
fn fragment_preds(fragment: &ArgValue, entity: &Entity) -> Option<Vec<Pred>> {
    let own = format!("{}.table_name", entity.name);
    let text = match fragment {
        ArgValue::Str(text) => text.clone(),
        other => interpolated(other, |code| {
            if code == own || code == "table_name" {
                entity.table.clone()
            } else if code.ends_with(".table_name") {
                "other_table".to_string()
            } else {
                "0".to_string()
            }
        })?,
    };
    let q = sql::read(&format!("SELECT * FROM t WHERE {text}"))?;
    let own = |qualifier: &Option<String>| {
        qualifier.is_none() || qualifier.as_deref() == Some(entity.table.as_str())
    };
    // A condition on another table (`changesets.repository_id = ?`, a
    // correlated `journalized_id = issues.id`) makes a join the planner may
    // drive from that table: this table's filters alone do not decide.
    let foreign = q.preds.iter().any(|p| !own(&p.qualifier))
        || q.joins
            .iter()
            .any(|(a, b)| !own(&a.qualifier) || !own(&b.qualifier));
    if foreign {
        return None;
    }
    Some(q.preds.into_iter().map(|p| p.item).collect())
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
