//! Prisma models (from the facts of [`crate::lang::prisma`]): table =
//! `@@map("...")` or the model name; column = `@map("...")` or the field
//! name; `@id`/`@@id`, `@unique`/`@@unique`, `@@index`; a field whose type
//! is another model is a relation: with `@relation(fields: [...])` the
//! foreign key is on this model (to-one), a list type (`Post[]`) is
//! to-many, otherwise the foreign key is on the other side. Prisma adds no
//! index for relation scalars (`authorId`).

use super::values::{as_str, kwarg, positional, str_list};
use super::{source, Entity, EntityIndex, Field, Loading, Orm, Relation, RelationKind};
use crate::facts::{Assign, Call, FileFacts};
use crate::model::ParsedFile;

fn attr<'a>(facts: &'a FileFacts, ids: &[u32], name: &str) -> Option<&'a Call> {
    ids.iter()
        .filter_map(|&id| facts.calls.get(id as usize))
        .find(|c| c.name == name)
}

/// The Prisma models of one schema file.
pub fn entities(index: u32, file: &ParsedFile) -> Vec<Entity> {
    let facts = &file.facts;
    let models: Vec<&str> = facts.classes.iter().map(|c| c.name.as_str()).collect();
    let mut out = Vec::new();
    for class in &facts.classes {
        let fields: Vec<&Assign> = facts
            .assigns
            .iter()
            .filter(|a| a.class.as_deref() == Some(class.name.as_str()))
            .collect();
        let column = |name: &str| -> String {
            fields
                .iter()
                .find(|a| a.target == name)
                .and_then(|a| attr(facts, &a.decorator_calls, "map"))
                .and_then(|m| positional(m, 0))
                .and_then(as_str)
                .unwrap_or(name)
                .to_lowercase()
        };
        let table = attr(facts, &class.decorator_calls, "map")
            .and_then(|m| positional(m, 0))
            .and_then(as_str)
            .unwrap_or(&class.name)
            .to_lowercase();
        let mut entity = Entity::of_class(Orm::Prisma, index, &file.path, class, table);
        for a in &fields {
            let ty = a.annotation.as_deref().unwrap_or("");
            let base = ty.trim_end_matches(['?', '[', ']']);
            let src = source(&file.path, a.span);
            if models.contains(&base) {
                let relation = attr(facts, &a.decorator_calls, "relation");
                let fk: Vec<String> = relation
                    .and_then(|r| kwarg(r, "fields"))
                    .map(str_list)
                    .unwrap_or_default();
                let kind = if ty.ends_with("[]") {
                    RelationKind::ToMany
                } else {
                    RelationKind::ToOne
                };
                entity.relations.push(Relation {
                    name: a.target.clone(),
                    kind,
                    target: base.to_string(),
                    target_index: None,
                    fk_column: (!fk.is_empty())
                        .then(|| fk.iter().map(|f| column(f)).collect::<Vec<_>>().join(",")),
                    fk_on_self: !fk.is_empty(),
                    related_name: None,
                    loading: Loading::Lazy,
                    source: src,
                });
                continue;
            }
            entity.fields.push(Field {
                name: a.target.clone(),
                column: column(&a.target),
                field_type: ty.to_string(),
                primary: a.decorators.iter().any(|d| d == "id"),
                unique: a.decorators.iter().any(|d| d == "unique"),
                indexed: false,
                source: src,
            });
        }
        // `@@id`, `@@unique`, `@@index`.
        for call_id in &class.decorator_calls {
            let Some(call) = facts.calls.get(*call_id as usize) else {
                continue;
            };
            let unique = matches!(call.name.as_str(), "unique" | "id");
            if !(unique || call.name == "index") {
                continue;
            }
            let columns: Vec<String> = kwarg(call, "fields")
                .or_else(|| positional(call, 0))
                .map(str_list)
                .unwrap_or_default()
                .iter()
                .map(|f| column(f))
                .collect();
            if columns.is_empty() {
                continue;
            }
            entity.indexes.push(EntityIndex {
                name: kwarg(call, "map")
                    .or_else(|| kwarg(call, "name"))
                    .and_then(as_str)
                    .map(str::to_string),
                columns,
                unique,
                source: source(&file.path, call.span),
            });
        }
        out.push(entity);
    }
    back_references(&mut out);
    out
}

/// A to-many or key-less to-one relation learns its foreign-key column from
/// the target's relation back (`posts Post[]` ↔ `author User @relation(
/// fields: [authorId])` → `authorId`).
fn back_references(list: &mut [Entity]) {
    let mut found = Vec::new();
    for (ei, e) in list.iter().enumerate() {
        for (ri, r) in e
            .relations
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.fk_on_self)
        {
            let back = list.iter().find(|t| t.name == r.target).and_then(|t| {
                t.relations
                    .iter()
                    .find(|b| b.fk_on_self && b.target == e.name)
            });
            if let Some(back) = back {
                found.push((ei, ri, back.fk_column.clone()));
            }
        }
    }
    for (ei, ri, fk) in found {
        list[ei].relations[ri].fk_column = fk;
    }
}
