//! Sequelize query sites: `User.findOne({ where: { email } })`,
//! `Order.findAll({ where, order: [["createdAt", "DESC"]], limit: 10 })`,
//! `count`, `findAndCountAll`, `destroy`, `update(values, { where })`.
//! Operator objects (`{ [Op.gt]: x }`), `Op.or` and nested includes are
//! left out.

use super::site::{Cmp, Pred, Site, Stack};
use crate::facts::{ArgValue, Call};
use crate::model::ParsedFile;
use crate::orm::values::{as_str, map_get, positional};
use crate::orm::{Entities, Entity, Orm};

/// Finder methods and the position of their options argument.
const METHODS: &[(&str, usize)] = &[
    ("findOne", 0),
    ("findAll", 0),
    ("count", 0),
    ("findAndCountAll", 0),
    ("destroy", 0),
    ("update", 1),
];

fn entity_of<'e>(entities: &'e Entities, call: &Call) -> Option<(usize, &'e Entity, usize)> {
    let &(_, at) = METHODS.iter().find(|(m, _)| *m == call.name)?;
    let (model, method) = call.callee.rsplit_once('.')?;
    if model.contains(['.', '(']) || method != call.name {
        return None;
    }
    let found = entities
        .list
        .iter()
        .position(|e| e.orm == Orm::Sequelize && e.name == model)?;
    Some((found, &entities.list[found], at))
}

/// The Sequelize query sites of one JavaScript/TypeScript file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    for call in &file.facts.calls {
        let Some((index, entity, at)) = entity_of(entities, call) else {
            continue;
        };
        let options = positional(call, at);
        let mut site = Site::at_call(file_index, call, Stack::Sequelize, index, entity);
        site.limited =
            call.name == "findOne" || options.is_some_and(|o| map_get(o, "limit").is_some());
        if let Some(ArgValue::Map(filters)) = options.and_then(|o| map_get(o, "where")) {
            for (attr, value) in filters {
                let Some(f) = entity.field(attr) else {
                    continue;
                };
                // A plain value or a list (`IN`); operator objects are skipped.
                if !matches!(value, ArgValue::Map(_) | ArgValue::Closure(_)) {
                    site.preds.push(Pred {
                        column: f.column.clone(),
                        cmp: Cmp::Eq,
                    });
                }
            }
        }
        if let Some(ArgValue::List(order)) = options.and_then(|o| map_get(o, "order")) {
            for item in order {
                let attr = match item {
                    ArgValue::List(pair) => pair.first().and_then(as_str),
                    other => as_str(other),
                };
                match attr.and_then(|a| entity.field(a)) {
                    Some(f) => site.order_by.push(f.column.clone()),
                    None => {
                        site.order_by.clear();
                        break;
                    }
                }
            }
        }
        out.push(site);
    }
    out
}
