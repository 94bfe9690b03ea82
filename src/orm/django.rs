//! Django models: classes deriving `django.db.models.Model` (or another
//! model), fields as class-level assignments of `models.*Field(...)` calls,
//! and `class Meta` (`db_table`, `abstract`, `app_label`, `indexes`,
//! `unique_together`, `index_together`, `constraints`).
//!
//! Table: `Meta.db_table`, else `<app_label>_<modelname>` where the app
//! label is the package holding `models.py` (or `models/`). Django indexes
//! every `ForeignKey` and `OneToOneField` (unique) unless `db_index=False`;
//! reverse relations are added to the target (`related_name`, else
//! `<model>_set`).

use super::values::{as_bool, as_str, kwarg, positional, str_groups, str_list};
use super::{source, Entity, EntityIndex, Field, Loading, Orm, Relation, RelationKind};
use crate::facts::{ArgValue, Assign, Call, Class, FileFacts};
use crate::model::ParsedFile;
use rustc_hash::FxHashMap;

/// Whether a resolved base is Django's model base.
fn is_model_base(base: &str) -> bool {
    base == "django.db.models.Model"
        || base == "models.Model"
        || base.ends_with("django.db.models.base.Model")
}

/// Prefix of a base still to be resolved by [`inherit`].
const PENDING: &str = "\u{1}base:";

/// The Django models of one Python file.
pub fn entities(index: u32, file: &ParsedFile) -> Vec<Entity> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for class in &facts.classes {
        if class.bases.is_empty() || class.name == "Meta" {
            continue;
        }
        let direct = class.bases.iter().any(|b| is_model_base(b));
        let meta = facts
            .classes
            .iter()
            .find(|m| m.name == "Meta" && within(&m.span, &class.span) && m.span != class.span);
        let mut entity = Entity::of_class(Orm::Django, index, &file.path, class, String::new());
        for assign in class_assigns(facts, class, meta) {
            field(facts, assign, &file.path, &mut entity);
        }
        let mut app_label = app_label(&file.path);
        let mut db_table = None;
        if let Some(meta) = meta {
            for assign in facts.assigns.iter().filter(|a| within(&a.span, &meta.span)) {
                meta_option(
                    facts,
                    assign,
                    &file.path,
                    &mut entity,
                    &mut app_label,
                    &mut db_table,
                );
            }
        }
        entity.table = match db_table {
            Some(t) => t,
            None => format!("{app_label}_{}", class.name.to_lowercase()),
        };
        if !entity.fields.iter().any(|f| f.primary) && !entity.is_abstract {
            entity.fields.insert(
                0,
                Field {
                    name: "id".into(),
                    column: "id".into(),
                    field_type: "AutoField".into(),
                    primary: true,
                    unique: true,
                    indexed: true,
                    source: entity.source.clone(),
                },
            );
        }
        if !direct {
            // Maybe a model through another model: `inherit` decides.
            entity.qname = format!("{PENDING}{}\u{1}{}", class.bases.join(","), class.qname);
        }
        out.push(entity);
    }
    out
}

fn within(inner: &crate::facts::Span, outer: &crate::facts::Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Class-level assignments of the class itself (not of `Meta`).
fn class_assigns<'a>(
    facts: &'a FileFacts,
    class: &'a Class,
    meta: Option<&'a Class>,
) -> impl Iterator<Item = &'a Assign> {
    super::class_assigns(facts, class)
        .filter(move |a| !meta.is_some_and(|m| within(&a.span, &m.span)))
}

/// The app a models file belongs to: the directory holding `models.py`
/// or the `models/` package (`shop/models.py`, `src/shop/models/order.py`
/// → `shop`); else the file's directory.
fn app_label(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let at = parts
        .iter()
        .rposition(|p| *p == "models" || *p == "models.py")
        .unwrap_or(parts.len().saturating_sub(1));
    at.checked_sub(1)
        .and_then(|i| parts.get(i))
        .map_or_else(|| "app".to_string(), |p| p.to_string())
}

/// The call a value is.
pub(crate) fn value_call<'a>(facts: &'a FileFacts, value: Option<&ArgValue>) -> Option<&'a Call> {
    match value? {
        ArgValue::Call(id) => facts.calls.get(*id as usize),
        _ => None,
    }
}

/// Read one field assignment.
fn field(facts: &FileFacts, assign: &Assign, path: &str, entity: &mut Entity) {
    if let Some(call) = value_call(facts, assign.value.as_ref()) {
        field_of_call(&assign.target, call, source(path, assign.span), entity);
    }
}

/// Read one field, `name = models.CharField(..)` in a model or
/// `("name", models.CharField(..))` in a migration's `CreateModel`, into
/// `entity`'s fields and relations.
pub(crate) fn field_of_call(
    name: &str,
    call: &Call,
    src: crate::schema::Source,
    entity: &mut Entity,
) {
    let field_type = call.name.as_str();
    if !(field_type.ends_with("Field") || field_type == "ForeignKey") {
        return;
    }
    let name = name.to_string();
    let flag = |k: &str| kwarg(call, k).and_then(as_bool);
    let relation = match field_type {
        "ForeignKey" => Some(RelationKind::ToOne),
        "OneToOneField" => Some(RelationKind::ToOne),
        "ManyToManyField" => Some(RelationKind::ManyToMany),
        _ => None,
    };
    if let Some(kind) = relation {
        let target = kwarg(call, "to")
            .or_else(|| positional(call, 0))
            .and_then(as_str)
            .map(|t| {
                if t == "self" {
                    entity.name.clone()
                } else {
                    t.to_string()
                }
            })
            .unwrap_or_default();
        let fk_column = (kind == RelationKind::ToOne).then(|| {
            kwarg(call, "db_column")
                .and_then(as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}_id"))
        });
        if let Some(column) = &fk_column {
            entity.fields.push(Field {
                name: name.clone(),
                column: column.clone(),
                field_type: field_type.to_string(),
                primary: flag("primary_key") == Some(true),
                unique: field_type == "OneToOneField" || flag("unique") == Some(true),
                indexed: flag("db_index") != Some(false),
                source: src.clone(),
            });
        }
        let related_name = kwarg(call, "related_name")
            .and_then(as_str)
            .map(str::to_string);
        entity.relations.push(Relation {
            name,
            kind,
            target: target.rsplit('.').next().unwrap_or(&target).to_string(),
            target_index: None,
            fk_column,
            fk_on_self: kind == RelationKind::ToOne,
            related_name,
            loading: Loading::Lazy,
            source: src,
        });
        return;
    }
    let column = kwarg(call, "db_column")
        .and_then(as_str)
        .map(str::to_string)
        .unwrap_or_else(|| name.clone());
    entity.fields.push(Field {
        name,
        column,
        field_type: field_type.to_string(),
        primary: flag("primary_key") == Some(true),
        unique: flag("unique") == Some(true),
        // `SlugField` is indexed unless told otherwise.
        indexed: match flag("db_index") {
            Some(explicit) => explicit,
            None => field_type == "SlugField",
        },
        source: src,
    });
}

/// Read one `Meta` option.
fn meta_option(
    facts: &FileFacts,
    assign: &Assign,
    path: &str,
    entity: &mut Entity,
    app_label: &mut String,
    db_table: &mut Option<String>,
) {
    let Some(value) = &assign.value else { return };
    let option = MetaOption {
        key: &assign.target,
        value,
        at: source(path, assign.span),
    };
    meta_value(facts, &option, path, entity, app_label, db_table);
}

/// A `Meta` option (or a migration's `options={..}` entry) and where it is.
pub(crate) struct MetaOption<'a> {
    /// `db_table`, `indexes`, `unique_together`...
    pub key: &'a str,
    /// Its value.
    pub value: &'a ArgValue,
    /// Where it is written.
    pub at: crate::schema::Source,
}

/// Read one `Meta` option's value into the entity, its app label and table.
pub(crate) fn meta_value(
    facts: &FileFacts,
    option: &MetaOption,
    path: &str,
    entity: &mut Entity,
    app_label: &mut String,
    db_table: &mut Option<String>,
) {
    let (value, src) = (option.value, option.at.clone());
    match option.key {
        "db_table" => *db_table = as_str(value).map(str::to_lowercase),
        "app_label" => {
            if let Some(l) = as_str(value) {
                *app_label = l.to_string();
            }
        }
        "abstract" => entity.is_abstract = as_bool(value) == Some(true),
        "managed" => entity.unmanaged = as_bool(value) == Some(false),
        "unique_together" | "index_together" => {
            for group in str_groups(value) {
                entity.indexes.push(EntityIndex {
                    name: None,
                    columns: group,
                    unique: option.key == "unique_together",
                    source: src.clone(),
                });
            }
        }
        "indexes" | "constraints" => {
            let ArgValue::List(items) = value else { return };
            for item in items {
                let Some(call) = value_call(facts, Some(item)) else {
                    continue;
                };
                let unique = call.name == "UniqueConstraint";
                if !(unique || call.name == "Index") {
                    continue;
                }
                let Some(fields) = kwarg(call, "fields") else {
                    continue;
                };
                let columns: Vec<String> = str_list(fields)
                    .into_iter()
                    .map(|f| f.trim_start_matches('-').to_string())
                    .collect();
                if columns.is_empty() || kwarg(call, "condition").is_some() {
                    continue;
                }
                entity.indexes.push(EntityIndex {
                    name: kwarg(call, "name").and_then(as_str).map(str::to_string),
                    columns,
                    unique,
                    source: source(path, call.span),
                });
            }
        }
        _ => {}
    }
}

/// Resolve models that derive from other models (abstract bases give their
/// fields; concrete bases are multi-table inheritance, a table of its own)
/// and drop classes that are no model at all.
pub fn inherit(list: &mut Vec<Entity>) {
    // Resolved models by qualified and by short name; each round resolves
    // the classes whose base was resolved before (one level of the chain).
    let mut resolved: FxHashMap<String, usize> = FxHashMap::default();
    let mut short_names: FxHashMap<String, usize> = FxHashMap::default();
    let mut pending: Vec<(usize, Vec<String>, String)> = Vec::new();
    for (i, e) in list
        .iter()
        .enumerate()
        .filter(|(_, e)| e.orm == Orm::Django)
    {
        match e
            .qname
            .strip_prefix(PENDING)
            .and_then(|r| r.split_once('\u{1}'))
        {
            Some((bases, qname)) => pending.push((
                i,
                bases.split(',').map(str::to_string).collect(),
                qname.to_string(),
            )),
            None => {
                resolved.insert(e.qname.clone(), i);
                short_names.entry(e.name.clone()).or_insert(i);
            }
        }
    }
    for _ in 0..16 {
        let mut next = Vec::new();
        let mut done = Vec::new();
        for (i, bases, qname) in pending {
            let parents: Vec<usize> = bases
                .iter()
                .filter_map(|b| {
                    let short = b.rsplit('.').next().unwrap_or(b);
                    resolved.get(b).or_else(|| short_names.get(short)).copied()
                })
                .collect();
            if parents.is_empty() {
                next.push((i, bases, qname));
                continue;
            }
            let abstract_parents: Vec<usize> = parents
                .into_iter()
                .filter(|p| list[*p].is_abstract)
                .collect();
            for p in abstract_parents {
                let fields: Vec<Field> = list[p]
                    .fields
                    .iter()
                    .filter(|f| !f.primary)
                    .cloned()
                    .collect();
                let relations = list[p].relations.clone();
                let e = &mut list[i];
                for f in fields {
                    if e.field(&f.name).is_none() {
                        e.fields.push(f);
                    }
                }
                e.relations.extend(relations);
            }
            list[i].qname = qname;
            done.push(i);
        }
        if done.is_empty() {
            break;
        }
        for i in done {
            resolved.insert(list[i].qname.clone(), i);
            short_names.entry(list[i].name.clone()).or_insert(i);
        }
        pending = next;
    }
    list.retain(|e| !(e.orm == Orm::Django && e.qname.starts_with(PENDING)));
}

/// Add to each target the reverse side of every foreign key and
/// many-to-many field (`customer.order_set`, or its `related_name`).
pub fn add_reverse_relations(list: &mut [Entity]) {
    let mut reverse = Vec::new();
    for e in list.iter().filter(|e| e.orm == Orm::Django) {
        for r in &e.relations {
            let related = r.related_name.clone();
            let Some(target) = r.target_index else {
                continue;
            };
            if r.fk_on_self || r.kind == RelationKind::ManyToMany {
                if related.as_deref().is_some_and(|n| n.ends_with('+')) {
                    continue;
                }
                let name = related.unwrap_or_else(|| format!("{}_set", e.name.to_lowercase()));
                reverse.push((
                    target,
                    Relation {
                        name,
                        kind: match r.kind {
                            RelationKind::ManyToMany => RelationKind::ManyToMany,
                            _ if r.fk_column.is_some()
                                && e.fields.iter().any(|f| f.name == r.name && f.unique) =>
                            {
                                RelationKind::ToOne
                            }
                            _ => RelationKind::ToMany,
                        },
                        target: e.name.clone(),
                        target_index: None,
                        fk_column: r.fk_column.clone(),
                        fk_on_self: false,
                        related_name: Some(r.name.clone()),
                        loading: Loading::Lazy,
                        source: r.source.clone(),
                    },
                ));
            }
        }
    }
    for (target, rel) in reverse {
        if let Some(t) = list.get_mut(target) {
            if t.relation(&rel.name).is_none() {
                t.relations.push(rel);
            }
        }
    }
}
