//! Rails ActiveRecord models: classes that inherit `ApplicationRecord` or
//! `ActiveRecord::Base` (or another model: single-table inheritance shares
//! the parent's table). The table is the pluralized snake_case class name
//! unless `self.table_name = "..."` says otherwise; relations come from the
//! class-body calls `belongs_to`, `has_many`, `has_one` and
//! `has_and_belongs_to_many` with their `class_name:`, `foreign_key:` and
//! `through:` options.

use super::naming::{camel_case, pluralize, singularize, snake_case};
use super::values::{as_str, interpolated, kwarg, positional};
use super::{source, Entity, Loading, Orm, Relation, RelationKind};
use crate::facts::{ArgValue, Call, Class};
use crate::model::ParsedFile;

/// Direct ActiveRecord bases.
fn is_record_base(base: &str) -> bool {
    matches!(
        base,
        "ApplicationRecord" | "ActiveRecord.Base" | "ActiveRecord::Base"
    )
}

/// The Rails models of one Ruby file (their bases are resolved across
/// files by [`inherit`]).
pub fn entities(index: u32, file: &ParsedFile) -> Vec<Entity> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for class in &facts.classes {
        let Some(base) = class.bases.first() else {
            continue;
        };
        // A class whose base is not a model is kept if it is one by
        // inheritance; `inherit` drops the rest.
        let mut entity = Entity::of_class(
            Orm::Rails,
            index,
            &file.path,
            class,
            default_table(&class.name),
        );
        entity.is_abstract = base == "ActiveRecord.Base" && class.name == "ApplicationRecord";
        let mut explicit_table = false;
        for call in body_calls(facts.calls.iter(), class) {
            if let Some(rel) = relation(call, &class.name, &file.path) {
                entity.relations.push(rel);
            } else if call.name == "table_name=" || call.callee == "self.table_name=" {
                if let Some(t) = positional(call, 0).and_then(table_name_text) {
                    entity.table = t;
                    explicit_table = true;
                }
            } else if call.name == "abstract_class=" {
                entity.is_abstract = true;
            }
        }
        for assign in &facts.assigns {
            let inside = class.span.start <= assign.span.start && assign.span.end <= class.span.end;
            if inside && assign.target == "self.table_name" {
                if let Some(t) = assign.value.as_ref().and_then(table_name_text) {
                    entity.table = t;
                    explicit_table = true;
                }
            }
            if inside && assign.target == "self.abstract_class" {
                entity.is_abstract = true;
            }
        }
        // A model of a model takes its table from the base (`inherit`).
        // (`\u{1}inherit:Base\u{1}explicit_table`).
        if !is_record_base(base) {
            let explicit = if explicit_table {
                entity.table.as_str()
            } else {
                ""
            };
            entity.table = format!("{INHERIT}{base}\u{1}{explicit}");
        }
        out.push(entity);
    }
    out
}

/// Prefix of a table name still to be taken from a base class.
/// A `self.table_name = ...` value: a literal, or
/// `"#{table_name_prefix}users#{table_name_suffix}"` with the configured
/// prefix and suffix (empty by default) left out.
fn table_name_text(value: &ArgValue) -> Option<String> {
    let text = match value {
        ArgValue::Str(t) => t.clone(),
        other => interpolated(other, |code| match code {
            "table_name_prefix" | "table_name_suffix" => String::new(),
            _ => "#".to_string(),
        })?,
    };
    let ok = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    ok.then(|| text.to_lowercase())
}

const INHERIT: &str = "\u{1}inherit:";

/// The table Rails gives a model by default: `Admin::User` and `User` → `users`.
pub fn default_table(class: &str) -> String {
    let last = class.rsplit([':', '.']).next().unwrap_or(class);
    pluralize(&snake_case(last))
}

/// Calls written in the class body (not inside its methods).
fn body_calls<'a>(
    calls: impl Iterator<Item = &'a Call>,
    class: &'a Class,
) -> impl Iterator<Item = &'a Call> {
    calls.filter(move |c| {
        c.function.is_none() && class.span.start <= c.span.start && c.span.end <= class.span.end
    })
}

/// `belongs_to :customer`, `has_many :line_items, foreign_key: :order_ref`.
fn relation(call: &Call, owner: &str, path: &str) -> Option<Relation> {
    let kind = match call.name.as_str() {
        "belongs_to" | "has_one" => RelationKind::ToOne,
        "has_many" => RelationKind::ToMany,
        "has_and_belongs_to_many" => RelationKind::ManyToMany,
        _ => return None,
    };
    if call.callee.contains('.') {
        return None;
    }
    let name = positional(call, 0).and_then(as_str)?.to_string();
    let through = kwarg(call, "through").is_some();
    let kind = if through && kind == RelationKind::ToMany {
        RelationKind::ManyToMany
    } else {
        kind
    };
    let target = kwarg(call, "class_name")
        .and_then(as_str)
        .map(|c| c.trim_start_matches("::").replace("::", "."))
        .unwrap_or_else(|| {
            if call.name == "has_many" || call.name == "has_and_belongs_to_many" {
                camel_case(&singularize(&name))
            } else {
                camel_case(&name)
            }
        });
    let owner_fk = format!(
        "{}_id",
        snake_case(owner.rsplit([':', '.']).next().unwrap_or(owner))
    );
    let fk_on_self = call.name == "belongs_to";
    let fk_column = kwarg(call, "foreign_key")
        .and_then(as_str)
        .map(str::to_string)
        .or_else(|| match call.name.as_str() {
            "belongs_to" => Some(format!("{name}_id")),
            "has_many" | "has_one" if !through => Some(owner_fk),
            _ => None,
        });
    Some(Relation {
        name,
        kind,
        target,
        target_index: None,
        fk_column,
        fk_on_self,
        related_name: None,
        loading: Loading::Lazy,
        source: source(path, call.span),
    })
}

/// Resolve single-table inheritance: a model whose base is another model
/// shares its table; a class whose base is no model is dropped.
pub fn inherit(list: &mut Vec<Entity>) {
    // Resolved models by class name: (table, abstract). Each round resolves
    // one more level of the inheritance chains.
    let mut resolved: std::collections::HashMap<String, (String, bool)> = list
        .iter()
        .filter(|e| e.orm == Orm::Rails && !e.table.starts_with(INHERIT))
        .map(|e| (e.name.clone(), (e.table.clone(), e.is_abstract)))
        .collect();
    for _ in 0..16 {
        let mut changed = false;
        for e in list.iter_mut().filter(|e| e.orm == Orm::Rails) {
            let Some((base, explicit)) = e
                .table
                .strip_prefix(INHERIT)
                .and_then(|rest| rest.split_once('\u{1}'))
            else {
                continue;
            };
            let short = base.rsplit('.').next().unwrap_or(base);
            let Some((parent_table, parent_abstract)) = resolved.get(short) else {
                continue;
            };
            e.table = if !explicit.is_empty() {
                explicit.to_string()
            } else if *parent_abstract {
                default_table(&e.name)
            } else {
                e.sti = true;
                parent_table.clone()
            };
            resolved.insert(e.name.clone(), (e.table.clone(), e.is_abstract));
            changed = true;
        }
        if !changed {
            break;
        }
    }
    list.retain(|e| {
        !(e.orm == Orm::Rails && (e.table.starts_with(INHERIT) || e.name == "ApplicationRecord"))
    });
}
