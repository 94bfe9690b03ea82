//! SQLAlchemy declarative models: a class with `__tablename__ = "..."`;
//! columns are class-level `Column(...)` / `mapped_column(...)`
//! assignments (the column name is the first string argument, else the
//! attribute), with `primary_key=True`, `unique=True`, `index=True` and a
//! `ForeignKey("table.column")` argument; `relationship("Target")` is a
//! relation (to-one when this class holds the foreign key or
//! `uselist=False`, many-to-many with `secondary=`, else to-many);
//! `__table_args__` contributes `Index(...)`, `UniqueConstraint(...)` and
//! `PrimaryKeyConstraint(...)` (as a unique key).

use super::values::{as_bool, as_str, kwarg, positional};
use super::{source, Entity, EntityIndex, Field, Orm, Relation, RelationKind};
use crate::facts::{ArgValue, Assign, AssignScope, Call, FileFacts};
use crate::model::ParsedFile;

fn call_of<'a>(facts: &'a FileFacts, value: Option<&ArgValue>) -> Option<&'a Call> {
    match value? {
        ArgValue::Call(id) => facts.calls.get(*id as usize),
        _ => None,
    }
}

/// The SQLAlchemy models of one Python file.
pub fn entities(index: u32, file: &ParsedFile) -> Vec<Entity> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for class in &facts.classes {
        let mine: Vec<&Assign> = facts
            .assigns
            .iter()
            .filter(|a| {
                a.scope == AssignScope::Class
                    && a.class.as_deref() == Some(class.name.as_str())
                    && class.span.start <= a.span.start
                    && a.span.end <= class.span.end
            })
            .collect();
        let Some(table) = mine
            .iter()
            .find(|a| a.target == "__tablename__")
            .and_then(|a| a.value.as_ref())
            .and_then(as_str)
        else {
            continue;
        };
        let mut entity = Entity::of_class(
            Orm::SqlAlchemy,
            index,
            &file.path,
            class,
            table.to_lowercase(),
        );
        for a in &mine {
            let Some(call) = call_of(facts, a.value.as_ref()) else {
                continue;
            };
            let src = source(&file.path, a.span);
            match call.name.as_str() {
                "Column" | "mapped_column" => {
                    let column = positional(call, 0)
                        .and_then(|v| match v {
                            ArgValue::Str(s) => Some(s.to_lowercase()),
                            _ => None,
                        })
                        .unwrap_or_else(|| a.target.to_lowercase());
                    let flag = |k| kwarg(call, k).and_then(as_bool) == Some(true);
                    let fk = call
                        .args
                        .iter()
                        .filter_map(|arg| call_of(facts, Some(&arg.value)))
                        .find(|c| c.name == "ForeignKey")
                        .and_then(|c| positional(c, 0))
                        .and_then(as_str)
                        .and_then(|target| target.split_once('.'))
                        .map(|(table, _)| table.to_lowercase());
                    if let Some(target_table) = fk {
                        entity.relations.push(Relation {
                            name: a.target.clone(),
                            kind: RelationKind::ToOne,
                            target: format!("{TABLE}{target_table}"),
                            target_index: None,
                            fk_column: Some(column.clone()),
                            fk_on_self: true,
                            related_name: None,
                            source: src.clone(),
                        });
                    }
                    entity.fields.push(Field {
                        name: a.target.clone(),
                        column,
                        field_type: call.name.clone(),
                        primary: flag("primary_key"),
                        unique: flag("unique"),
                        indexed: flag("index"),
                        source: src,
                    });
                }
                "relationship" => {
                    let target = positional(call, 0)
                        .and_then(as_str)
                        .unwrap_or("")
                        .to_string();
                    let kind = if kwarg(call, "secondary").is_some() {
                        RelationKind::ManyToMany
                    } else if kwarg(call, "uselist").and_then(as_bool) == Some(false) {
                        RelationKind::ToOne
                    } else {
                        RelationKind::ToMany
                    };
                    entity.relations.push(Relation {
                        name: a.target.clone(),
                        kind,
                        target,
                        target_index: None,
                        fk_column: None,
                        fk_on_self: false,
                        related_name: kwarg(call, "back_populates")
                            .and_then(as_str)
                            .map(str::to_string),
                        source: src,
                    });
                }
                _ => {}
            }
        }
        if let Some(ArgValue::List(items)) = mine
            .iter()
            .find(|a| a.target == "__table_args__")
            .and_then(|a| a.value.as_ref())
        {
            for item in items {
                let Some(call) = call_of(facts, Some(item)) else {
                    continue;
                };
                // A primary key is unique too: lookups on it are served.
                let unique = matches!(
                    call.name.as_str(),
                    "UniqueConstraint" | "PrimaryKeyConstraint"
                ) || kwarg(call, "unique").and_then(as_bool) == Some(true);
                if !(unique || call.name == "Index") {
                    continue;
                }
                let given: Vec<&ArgValue> = call
                    .args
                    .iter()
                    .filter(|a| a.keyword.is_none())
                    .map(|a| &a.value)
                    .collect();
                let strings = |values: &[&ArgValue]| -> Vec<String> {
                    values
                        .iter()
                        .filter_map(|v| as_str(v))
                        .map(str::to_lowercase)
                        .collect()
                };
                // `Index("name", "a", "b")`: the first argument is the name,
                // also when it is not a plain string (`f"ix_{__tablename__}_a"`).
                let (name, columns) = match call.name.as_str() {
                    "Index" => match given.split_first() {
                        Some((name, cols)) => (as_str(name).map(str::to_lowercase), strings(cols)),
                        None => continue,
                    },
                    _ => (
                        kwarg(call, "name").and_then(as_str).map(str::to_string),
                        strings(&given),
                    ),
                };
                if columns.is_empty() {
                    continue;
                }
                entity.indexes.push(EntityIndex {
                    name,
                    columns,
                    unique,
                    source: source(&file.path, call.span),
                });
            }
        }
        out.push(entity);
    }
    out
}

/// Prefix of a relation target given as a table name (`ForeignKey("users.id")`)
/// rather than a class; [`resolve_tables`] replaces it with the class.
const TABLE: &str = "\u{1}table:";

/// Name foreign-key targets by the class mapped to the table, and give
/// each `relationship` its foreign-key column and side.
pub fn resolve_tables(list: &mut [Entity]) {
    let by_table: std::collections::HashMap<String, String> = list
        .iter()
        .filter(|e| e.orm == Orm::SqlAlchemy)
        .map(|e| (e.table.clone(), e.name.clone()))
        .collect();
    for e in list.iter_mut().filter(|e| e.orm == Orm::SqlAlchemy) {
        for r in &mut e.relations {
            if let Some(table) = r.target.strip_prefix(TABLE) {
                r.target = by_table
                    .get(table)
                    .cloned()
                    .unwrap_or_else(|| table.to_string());
            }
        }
        // `relationship("User")` on a class holding a key to users: to-one.
        let keys: Vec<(String, Option<String>)> = e
            .relations
            .iter()
            .filter(|r| r.fk_on_self)
            .map(|r| (r.target.clone(), r.fk_column.clone()))
            .collect();
        for r in e
            .relations
            .iter_mut()
            .filter(|r| !r.fk_on_self && r.kind != RelationKind::ManyToMany)
        {
            if let Some((_, column)) = keys.iter().find(|(t, _)| *t == r.target) {
                r.kind = RelationKind::ToOne;
                r.fk_on_self = true;
                r.fk_column = column.clone();
            }
        }
    }
    // `orders = relationship("Order")`: the key is `Order`'s key to us.
    let keys: Vec<(String, String, Option<String>)> = list
        .iter()
        .filter(|e| e.orm == Orm::SqlAlchemy)
        .flat_map(|e| {
            e.relations
                .iter()
                .filter(|r| r.fk_on_self)
                .map(|r| (e.name.clone(), r.target.clone(), r.fk_column.clone()))
        })
        .collect();
    for e in list.iter_mut().filter(|e| e.orm == Orm::SqlAlchemy) {
        for r in e
            .relations
            .iter_mut()
            .filter(|r| !r.fk_on_self && r.fk_column.is_none())
        {
            if let Some((_, _, column)) = keys
                .iter()
                .find(|(from, to, _)| *from == r.target && *to == e.name)
            {
                r.fk_column = column.clone();
            }
        }
    }
}
