//! Django QuerySet sites: `Model.objects.filter(email=..)`, `.get(..)`,
//! `.order_by("-created_at")`, `.first()`/`.latest(..)`, with `__` lookups
//! (`__in`, `__gt`, `__iexact`, `__icontains` ...). Lookups that traverse a
//! relation (`customer__email`) and `Q` objects are left out, and so are
//! chains on a queryset a local holds that was filtered where it was built.

use super::chain::chains;
use super::site::{Cmp, Pred, Site, Stack};
use crate::facts::Call;
use crate::model::ParsedFile;
use crate::orm::values::as_str;
use crate::orm::{Entities, Entity, Orm};

/// The entity a `Model.objects...` chain starts at.
fn entity_of<'e>(entities: &'e Entities, call: &Call) -> Option<(usize, &'e Entity)> {
    let text = call.resolved.as_deref().unwrap_or(&call.callee);
    let (model, _) = text.split_once(".objects.")?;
    let index = entities
        .index_of_qname(model)
        .or_else(|| entities.index_of_name(model.rsplit('.').next().unwrap_or(model)))
        .filter(|&i| entities.list[i].orm == Orm::Django)?;
    Some((index, &entities.list[index]))
}

/// `email__iexact` → column and comparison; None for lookups no index
/// question applies to (`__isnull`, relation traversal, unknown fields).
fn lookup(entity: &Entity, key: &str) -> Option<Pred> {
    let mut parts = key.split("__");
    let name = parts.next()?;
    let column = if name == "pk" {
        entity.fields.iter().find(|f| f.primary)?.column.clone()
    } else if let Some(f) = entity.field(name) {
        f.column.clone()
    } else {
        entity
            .fields
            .iter()
            .find(|f| f.column == name)
            .map(|f| f.column.clone())?
    };
    let cmp = match parts.next() {
        None | Some("exact") | Some("in") => Cmp::Eq,
        Some("gt" | "gte" | "lt" | "lte" | "range" | "startswith") => Cmp::Range,
        // Django compiles case-insensitive lookups to `UPPER(col)`.
        Some("iexact" | "istartswith") => Cmp::Function("upper".into()),
        Some("contains" | "icontains" | "endswith" | "iendswith") => Cmp::LeadingWildcard,
        Some("id" | "pk") if entity.field(name).is_some_and(|f| f.column != name) => Cmp::Eq,
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Pred { column, cmp })
}

const FILTERS: &[&str] = &[
    "filter",
    "get",
    "aget",
    "get_or_create",
    "aget_or_create",
    "first",
    "last",
];

/// Whether a chain on a queryset kept in a local (`posts =
/// Post.objects.filter(author=a)`, then `posts.order_by(..).first()`)
/// inherits conditions it does not show: its resolved callee carries the
/// local's calls before the ones written here.
fn filtered_elsewhere(call: &Call) -> bool {
    let Some(resolved) = call.resolved.as_deref() else {
        return false;
    };
    if call.callee.contains(".objects.") {
        return false;
    }
    let Some((_, rest)) = resolved.split_once(".objects.") else {
        return false;
    };
    let written = call.callee.split('.').count().saturating_sub(1);
    let segments: Vec<&str> = rest.split('.').collect();
    segments[..segments.len().saturating_sub(written)]
        .iter()
        .map(|s| s.trim_end_matches("()"))
        .any(|name| name == "exclude" || FILTERS.contains(&name))
}

/// The Django query sites of one file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    let member = |c: &Call| entity_of(entities, c).is_some();
    for chain in chains(&file.facts, member) {
        let outer = chain[0];
        let Some((index, entity)) = entity_of(entities, outer) else {
            continue;
        };
        if filtered_elsewhere(outer) {
            continue;
        }
        let mut site = Site::at_call(file_index, outer, Stack::Django, index, entity);
        let mut negated = false;
        for call in &chain {
            match call.name.as_str() {
                name if FILTERS.contains(&name) => {
                    for arg in &call.args {
                        let Some(key) = &arg.keyword else { continue };
                        if key == "defaults" {
                            continue;
                        }
                        if let Some(p) = lookup(entity, key) {
                            site.preds.push(p);
                        }
                    }
                    site.limited |= matches!(name, "first" | "last");
                }
                "exclude" => negated = true,
                "order_by" => {
                    site.order_by = order_columns(entity, call);
                }
                "latest" | "earliest" => {
                    site.order_by = order_columns(entity, call);
                    site.limited = true;
                }
                _ => {}
            }
        }
        if negated {
            site.preds.clear();
        }
        out.push(site);
    }
    out
}

/// `order_by("-created_at", "id")` → columns; empty when one is not a
/// plain field.
fn order_columns(entity: &Entity, call: &Call) -> Vec<String> {
    let mut out = Vec::new();
    for arg in call.args.iter().filter(|a| a.keyword.is_none()) {
        let Some(name) = as_str(&arg.value) else {
            return Vec::new();
        };
        let name = name.trim_start_matches('-');
        match entity.field(name).or_else(|| {
            (name == "pk")
                .then(|| entity.fields.iter().find(|f| f.primary))
                .flatten()
        }) {
            Some(f) if !name.contains("__") => out.push(f.column.clone()),
            _ => return Vec::new(),
        }
    }
    out
}
