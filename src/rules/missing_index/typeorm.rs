//! TypeORM query sites: `userRepository.findOne({ where: { email } })`,
//! `repo.find({ where, order: { createdAt: "DESC" }, take: 10 })`,
//! `findOneBy({ email })`, `manager.findOne(User, { where })`, and the
//! active-record `User.findOneBy(..)`. The entity is named by the receiver
//! (`User`, `userRepository`, `usersRepo`) or the `manager` argument.
//! Operators: `In`/`Equal` (equality), `LessThan`/`MoreThan`/`Between`
//! (range), `Like`/`ILike` with a leading `%` (leading wildcard), other
//! `ILike` (case-folding); `Not`, `Raw` and `where` arrays (OR) are left
//! out.

use super::site::{Cmp, Pred, Site, Stack};
use crate::facts::{ArgValue, Call, FileFacts};
use crate::model::ParsedFile;
use crate::orm::values::{as_str, map_get, positional};
use crate::orm::{Entities, Entity, Orm};

/// Methods whose options are `{ where, order, take }`.
const FIND: &[&str] = &[
    "find",
    "findOne",
    "findOneOrFail",
    "findAndCount",
    "count",
    "exists",
];
/// Methods whose argument is the `where` object itself.
const FIND_BY: &[&str] = &[
    "findBy",
    "findOneBy",
    "findOneByOrFail",
    "findAndCountBy",
    "countBy",
    "existsBy",
];

/// The entity a call queries, and the index of its options argument.
fn entity_of<'e>(entities: &'e Entities, call: &Call) -> Option<(usize, &'e Entity, usize)> {
    let name = call.name.as_str();
    if !FIND.contains(&name) && !FIND_BY.contains(&name) {
        return None;
    }
    let typeorm = |n: &str| {
        entities.list.iter().position(|e| {
            e.orm == Orm::TypeOrm && e.name.len() == n.len() && e.name.eq_ignore_ascii_case(n)
        })
    };
    let mut parts = call.callee.rsplit('.');
    parts.next();
    let receiver = parts.next()?;
    // `manager.findOne(User, {...})`.
    if let Some(ArgValue::Path(model)) = positional(call, 0) {
        let found = typeorm(model.rsplit('.').next().unwrap_or(model))?;
        return Some((found, &entities.list[found], 1));
    }
    let stem = ["Repository", "Repo"]
        .iter()
        .find_map(|s| receiver.strip_suffix(s))
        .unwrap_or(receiver);
    let found = typeorm(stem).or_else(|| stem.strip_suffix('s').and_then(typeorm))?;
    // The active-record form names the class itself (`User.findOneBy`).
    if stem == receiver && !receiver.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    Some((found, &entities.list[found], 0))
}

/// The TypeORM query sites of one JavaScript/TypeScript file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for call in &facts.calls {
        let Some((index, entity, at)) = entity_of(entities, call) else {
            continue;
        };
        let options = positional(call, at);
        let by = FIND_BY.contains(&call.name.as_str());
        let filters = if by {
            options
        } else {
            options.and_then(|o| map_get(o, "where"))
        };
        let mut site = Site::at_call(file_index, call, Stack::TypeOrm, index, entity);
        site.limited = call.name.starts_with("findOne")
            || options.is_some_and(|o| map_get(o, "take").is_some());
        if let Some(ArgValue::Map(filters)) = filters {
            for (field, value) in filters {
                let Some(f) = entity.field(field) else {
                    continue;
                };
                if let Some(cmp) = comparison(facts, value) {
                    site.preds.push(Pred {
                        column: f.column.clone(),
                        cmp,
                    });
                }
            }
        }
        if let Some(ArgValue::Map(order)) =
            options.filter(|_| !by).and_then(|o| map_get(o, "order"))
        {
            for (field, _) in order {
                match entity.field(field) {
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

/// A field's filter value: a plain value is equality, an operator call
/// (`LessThan(x)`) says which comparison, a nested object is a relation's
/// key (`{ customer: { id } }`).
fn comparison(facts: &FileFacts, value: &ArgValue) -> Option<Cmp> {
    match value {
        ArgValue::Map(pairs) => (pairs.len() == 1 && pairs[0].0 == "id").then_some(Cmp::Eq),
        ArgValue::Call(id) => {
            let op = facts.calls.get(*id as usize)?;
            let leading_wildcard = || {
                positional(op, 0)
                    .and_then(as_str)
                    .is_some_and(|p| p.starts_with('%'))
            };
            match op.name.as_str() {
                "In" | "Equal" => Some(Cmp::Eq),
                "LessThan" | "LessThanOrEqual" | "MoreThan" | "MoreThanOrEqual" | "Between" => {
                    Some(Cmp::Range)
                }
                "Like" | "ILike" if leading_wildcard() => Some(Cmp::LeadingWildcard),
                "Like" => Some(Cmp::Range),
                "ILike" => Some(Cmp::Function("lower".into())),
                _ => None,
            }
        }
        ArgValue::List(_) | ArgValue::Closure(_) => None,
        _ => Some(Cmp::Eq),
    }
}
