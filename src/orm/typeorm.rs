//! TypeORM entities (TypeScript classes decorated `@Entity`): table =
//! `@Entity("name")` / `@Entity({ name })`, else the class name in
//! snake_case (TypeORM's default naming strategy); column = `@Column({ name
//! })` or the property name. `@PrimaryColumn`/`@PrimaryGeneratedColumn`
//! are the key, `@Column({ unique: true })` and `@Unique([...])` unique,
//! `@Index()` on a property or `@Index([...])` on the class an index. A
//! `@ManyToOne`/`@OneToOne` with `@JoinColumn` keeps its foreign key on
//! this table, in the column `@JoinColumn({ name })` or `<property>Id`;
//! TypeORM adds no index for it. Every relation decorator (`@OneToMany`,
//! `@ManyToMany` too) is a relation to the entity its type names, lazy when
//! typed `Promise<..>` or declared `lazy: true`, eager with `eager: true`,
//! else loaded only when a query asks for it.

use super::naming::snake_case;
use super::values::{as_bool, as_str, map_get, positional, str_list};
use super::{source, Entity, EntityIndex, Field, Loading, Orm, Relation, RelationKind};
use crate::facts::{ArgValue, Assign, Call, FileFacts};
use crate::model::ParsedFile;

/// The calls of these decorator ids.
fn decorators<'a>(facts: &'a FileFacts, ids: &'a [u32]) -> impl Iterator<Item = &'a Call> {
    ids.iter().filter_map(|&id| facts.calls.get(id as usize))
}

fn find<'a>(facts: &'a FileFacts, ids: &'a [u32], name: &str) -> Option<&'a Call> {
    decorators(facts, ids).find(|c| c.name == name)
}

/// `@X("name")` or `@X({ name: "name" })`.
fn name_option(call: &Call) -> Option<&str> {
    positional(call, 0).and_then(|v| match v {
        ArgValue::Map(_) => map_get(v, "name").and_then(as_str),
        other => as_str(other),
    })
}

/// An option of the decorator's options object (first or second argument).
fn option<'a>(call: &'a Call, key: &str) -> Option<&'a ArgValue> {
    call.args.iter().find_map(|a| map_get(&a.value, key))
}

const COLUMNS: &[&str] = &[
    "Column",
    "PrimaryColumn",
    "PrimaryGeneratedColumn",
    "CreateDateColumn",
    "UpdateDateColumn",
    "DeleteDateColumn",
    "VersionColumn",
];

/// The relation decorators, and how many rows each reaches.
const RELATIONS: &[(&str, RelationKind)] = &[
    ("ManyToOne", RelationKind::ToOne),
    ("OneToOne", RelationKind::ToOne),
    ("OneToMany", RelationKind::ToMany),
    ("ManyToMany", RelationKind::ManyToMany),
];

/// The entity a relation property's type names: `Customer`, `Customer |
/// null`, `Promise<Customer>`, `Line[]`, `Promise<Line[]>`.
fn relation_target(annotation: &str) -> String {
    let mut t = annotation.trim();
    if let Some(inner) = t.strip_prefix("Promise<").and_then(|i| i.strip_suffix('>')) {
        t = inner.trim();
    }
    let t = t
        .split('|')
        .map(str::trim)
        .find(|p| !matches!(*p, "null" | "undefined"))
        .unwrap_or("");
    t.trim_end_matches(['?', ' '])
        .trim_end_matches("[]")
        .to_string()
}

/// The TypeORM entities of one TypeScript/JavaScript file.
pub fn entities(index: u32, file: &ParsedFile) -> Vec<Entity> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for class in &facts.classes {
        let Some(marker) = find(facts, &class.decorator_calls, "Entity").filter(|c| {
            c.resolved
                .as_deref()
                .is_some_and(|r| r.starts_with("typeorm"))
        }) else {
            continue;
        };
        let props: Vec<&Assign> = facts
            .assigns
            .iter()
            .filter(|a| a.class.as_deref() == Some(class.name.as_str()) && !a.decorators.is_empty())
            .collect();
        let mut entity = Entity::of_class(
            Orm::TypeOrm,
            index,
            &file.path,
            class,
            name_option(marker).map_or_else(|| snake_case(&class.name), str::to_lowercase),
        );
        for prop in &props {
            property(facts, prop, &file.path, &mut entity);
        }
        let column_of = |name: &str| -> String {
            entity
                .field(name)
                .map(|f| f.column.clone())
                .or_else(|| entity.relation(name).and_then(|r| r.fk_column.clone()))
                .unwrap_or_else(|| name.to_lowercase())
        };
        let mut indexes = Vec::new();
        for call in decorators(facts, &class.decorator_calls) {
            let unique = match call.name.as_str() {
                "Index" => option(call, "unique").and_then(as_bool) == Some(true),
                "Unique" => true,
                _ => continue,
            };
            // `@Index("name", ["a", "b"])` or `@Index(["a", "b"])`.
            let columns: Vec<String> = call
                .args
                .iter()
                .find(|a| matches!(a.value, ArgValue::List(_)))
                .map(|a| str_list(&a.value))
                .unwrap_or_default()
                .iter()
                .map(|c| column_of(c))
                .collect();
            if !columns.is_empty() {
                indexes.push(EntityIndex {
                    name: positional(call, 0).and_then(as_str).map(str::to_string),
                    columns,
                    unique,
                    source: source(&file.path, call.span),
                });
            }
        }
        entity.indexes = indexes;
        out.push(entity);
    }
    out
}

/// One decorated property: a column, or a relation (with its key column).
fn property(facts: &FileFacts, prop: &Assign, path: &str, entity: &mut Entity) {
    let ids = &prop.decorator_calls;
    let src = source(path, prop.span);
    let index = find(facts, ids, "Index");
    let index_unique = index.and_then(|c| option(c, "unique")).and_then(as_bool) == Some(true);
    let relation = RELATIONS
        .iter()
        .find_map(|(n, k)| find(facts, ids, n).map(|c| (c, *k)));
    if let Some((rel, kind)) = relation {
        let annotation = prop.annotation.as_deref().unwrap_or("");
        let option = |key: &str| option(rel, key).and_then(as_bool) == Some(true);
        // A `Promise<..>` type makes a relation lazy; TypeORM loads it when
        // the property is awaited. A plain one is loaded only when a query
        // asks (`relations`, a join) or declared `eager`.
        let loading = if option("lazy") || annotation.starts_with("Promise<") {
            Loading::Lazy
        } else if option("eager") {
            Loading::Eager
        } else {
            Loading::Never
        };
        let join = find(facts, ids, "JoinColumn");
        let owns_key = rel.name == "ManyToOne" || (rel.name == "OneToOne" && join.is_some());
        let column = owns_key.then(|| {
            join.and_then(name_option)
                .map_or_else(|| format!("{}Id", prop.target), str::to_string)
        });
        entity.relations.push(Relation {
            name: prop.target.clone(),
            kind,
            target: relation_target(annotation),
            target_index: None,
            fk_column: column.as_deref().map(str::to_lowercase),
            fk_on_self: owns_key,
            related_name: None,
            loading,
            source: src.clone(),
        });
        if let Some(column) = column {
            entity.fields.push(Field {
                name: prop.target.clone(),
                column: column.to_lowercase(),
                field_type: rel.name.clone(),
                primary: false,
                unique: rel.name == "OneToOne" || index_unique,
                indexed: index.is_some(),
                source: src,
            });
        }
        return;
    }
    let Some(col) = COLUMNS.iter().find_map(|n| find(facts, ids, n)) else {
        return;
    };
    let column = option(col, "name")
        .and_then(as_str)
        .unwrap_or(&prop.target)
        .to_lowercase();
    if entity.fields.iter().any(|f| f.column == column) {
        return;
    }
    entity.fields.push(Field {
        name: prop.target.clone(),
        column,
        field_type: prop.annotation.clone().unwrap_or_default(),
        primary: col.name.starts_with("Primary"),
        unique: option(col, "unique").and_then(as_bool) == Some(true) || index_unique,
        indexed: index.is_some(),
        source: src,
    });
}
