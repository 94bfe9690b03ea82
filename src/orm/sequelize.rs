//! Sequelize models: `const User = sequelize.define("User", attributes,
//! options)` and `class User extends Model {}; User.init(attributes, {
//! sequelize, ... })`. Table = `tableName`, the model name with
//! `freezeTableName`, else the model name pluralized (Sequelize's
//! default); column = an attribute's `field` or its name; `primaryKey`,
//! `unique` and `options.indexes` (`{ fields, unique }`); an implicit `id`
//! key when none is declared, and `createdAt`/`updatedAt` unless
//! `timestamps: false`. Associations (`belongsTo`, `hasOne`, `hasMany`,
//! `belongsToMany`, on the model or on `this` in its static `associate`)
//! are relations named as Sequelize names their accessors: the `as` alias,
//! else the target model (plural for collections). `X.belongsTo(Y, {
//! foreignKey })` keeps the key on X's table; Sequelize adds no index for it.

use super::naming::pluralize;
use super::values::{as_bool, as_str, map_get, model_name, positional, str_list};
use super::{source, Entity, EntityIndex, Field, Loading, Orm, Relation, RelationKind};
use crate::facts::{ArgValue, Call, FileFacts};
use crate::model::ParsedFile;

/// The Sequelize models of one JavaScript/TypeScript file.
pub fn entities(index: u32, file: &ParsedFile) -> Vec<Entity> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for (id, call) in facts.calls.iter().enumerate() {
        if let Some(d) = declaration(facts, id, call) {
            out.push(entity(index, file, call, d));
        }
    }
    for call in &facts.calls {
        let Some(kind) = association_kind(&call.name) else {
            continue;
        };
        let Some(owner) = owner(facts, call) else {
            continue;
        };
        let Some(e) = out.iter_mut().find(|e| e.name == owner) else {
            continue;
        };
        let Some(target) = positional(call, 0).and_then(|v| model_name(facts, v)) else {
            continue;
        };
        let options = positional(call, 1);
        let column = options
            .and_then(|o| map_get(o, "foreignKey"))
            .and_then(|k| match k {
                ArgValue::Map(_) => map_get(k, "name").and_then(as_str),
                other => as_str(other),
            });
        let fk_on_self = call.name == "belongsTo";
        let src = source(&file.path, call.span);
        e.relations.push(Relation {
            name: association_name(kind, target, options.and_then(|o| map_get(o, "as"))),
            kind,
            target: target.to_string(),
            target_index: None,
            // Only a key the code names: Sequelize's default (`CustomerId`)
            // is not assumed.
            fk_column: column.map(str::to_lowercase),
            fk_on_self,
            related_name: None,
            loading: Loading::Lazy,
            source: src.clone(),
        });
        if let Some(column) = column.filter(|_| fk_on_self) {
            if e.field(column).is_none() {
                e.fields.push(Field {
                    name: column.to_string(),
                    column: column.to_lowercase(),
                    field_type: "belongsTo".into(),
                    primary: false,
                    unique: false,
                    indexed: false,
                    source: src,
                });
            }
        }
    }
    out
}

/// How many rows an association method declares: `belongsTo`/`hasOne`
/// one, `hasMany` many, `belongsToMany` many through a join table.
fn association_kind(method: &str) -> Option<RelationKind> {
    match method {
        "belongsTo" | "hasOne" => Some(RelationKind::ToOne),
        "hasMany" => Some(RelationKind::ToMany),
        "belongsToMany" => Some(RelationKind::ManyToMany),
        _ => None,
    }
}

/// The model an association call is made on: `Order.belongsTo(..)`,
/// `db.Order.belongsTo(..)`, or `this.belongsTo(..)` in a model's static
/// method (`static associate(models)`).
fn owner<'a>(facts: &'a FileFacts, call: &'a Call) -> Option<&'a str> {
    let receiver = call
        .callee
        .strip_suffix(call.name.as_str())?
        .strip_suffix('.')?;
    let last = receiver.rsplit('.').next().unwrap_or(receiver);
    if last != "this" {
        return Some(last);
    }
    facts
        .functions
        .get(call.function? as usize)?
        .class
        .as_deref()
}

/// The association's name, which its accessors are named for
/// (`getBuyer`, `countPosts`): the `as` alias (a string, or `{ singular,
/// plural }`), else the target model's name, plural for a collection.
fn association_name(kind: RelationKind, target: &str, alias: Option<&ArgValue>) -> String {
    let many = kind != RelationKind::ToOne;
    match alias {
        Some(a @ ArgValue::Map(_)) => map_get(a, if many { "plural" } else { "singular" })
            .and_then(as_str)
            .map(str::to_string),
        Some(a) => as_str(a).map(str::to_string),
        None => None,
    }
    .unwrap_or_else(|| {
        if many {
            pluralize(target)
        } else {
            target.to_string()
        }
    })
}

/// A model declaration's parts.
struct Declaration<'a> {
    /// The name code uses for the model (the bound variable or class).
    name: String,
    /// The model name Sequelize derives the table from.
    model: String,
    attributes: &'a [(String, ArgValue)],
    options: Option<&'a ArgValue>,
}

/// `define("User", attrs, opts)` (name: the variable it is bound to) or
/// `User.init(attrs, { sequelize })` on a class extending `Model`.
fn declaration<'a>(facts: &'a FileFacts, id: usize, call: &'a Call) -> Option<Declaration<'a>> {
    let attrs = |v: Option<&'a ArgValue>| match v {
        Some(ArgValue::Map(pairs)) => Some(pairs.as_slice()),
        _ => None,
    };
    match call.name.as_str() {
        "define" if call.callee.ends_with("sequelize.define") => {
            let model = positional(call, 0).and_then(as_str)?.to_string();
            let name = facts
                .assigns
                .iter()
                .find(|a| a.value == Some(ArgValue::Call(id as u32)))
                .map_or_else(|| model.clone(), |a| a.target.clone());
            Some(Declaration {
                name,
                model,
                attributes: attrs(positional(call, 1))?,
                options: positional(call, 2),
            })
        }
        "init" => {
            let options = positional(call, 1)?;
            map_get(options, "sequelize")?;
            let (class, _) = call.callee.split_once('.')?;
            let is_model = facts
                .classes
                .iter()
                .any(|c| c.name == class && c.bases.iter().any(|b| b.ends_with("Model")));
            if !is_model {
                return None;
            }
            Some(Declaration {
                name: class.to_string(),
                model: class.to_string(),
                attributes: attrs(positional(call, 0))?,
                options: Some(options),
            })
        }
        _ => None,
    }
}

fn entity(index: u32, file: &ParsedFile, call: &Call, d: Declaration) -> Entity {
    let Declaration {
        name,
        model,
        attributes,
        options,
    } = d;
    let option = |key: &str| options.and_then(|o| map_get(o, key));
    let table = option("tableName")
        .and_then(as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            if option("freezeTableName").and_then(as_bool) == Some(true) {
                model.clone()
            } else {
                pluralize(&model)
            }
        })
        .to_lowercase();
    let src = source(&file.path, call.span);
    let field = |name: &str, column: &str, primary: bool, unique: bool| Field {
        name: name.to_string(),
        column: column.to_lowercase(),
        field_type: String::new(),
        primary,
        unique,
        indexed: false,
        source: src.clone(),
    };
    let mut fields: Vec<Field> = attributes
        .iter()
        .map(|(attr, def)| {
            let get = |k: &str| map_get(def, k);
            field(
                attr,
                get("field").and_then(as_str).unwrap_or(attr),
                get("primaryKey").and_then(as_bool) == Some(true),
                get("unique").is_some_and(|u| as_bool(u) != Some(false)),
            )
        })
        .collect();
    if !fields.iter().any(|f| f.primary) {
        fields.insert(0, field("id", "id", true, false));
    }
    if option("timestamps").and_then(as_bool) != Some(false) {
        for t in ["createdAt", "updatedAt"] {
            if !fields.iter().any(|f| f.name == t) {
                fields.push(field(t, t, false, false));
            }
        }
    }
    let column = |n: &str| {
        fields
            .iter()
            .find(|f| f.name == n)
            .map_or_else(|| n.to_lowercase(), |f| f.column.clone())
    };
    let indexes = match option("indexes") {
        Some(ArgValue::List(list)) => list
            .iter()
            .filter_map(|ix| {
                let columns: Vec<String> = match map_get(ix, "fields")? {
                    ArgValue::List(items) => items
                        .iter()
                        .map(|i| match i {
                            ArgValue::Map(_) => map_get(i, "name")
                                .or_else(|| map_get(i, "attribute"))
                                .and_then(as_str)
                                .map(column),
                            other => as_str(other).map(column),
                        })
                        .collect::<Option<Vec<_>>>()?,
                    other => str_list(other).iter().map(|c| column(c)).collect(),
                };
                (!columns.is_empty()).then(|| EntityIndex {
                    name: map_get(ix, "name").and_then(as_str).map(str::to_string),
                    columns,
                    unique: map_get(ix, "unique").and_then(as_bool) == Some(true),
                    source: src.clone(),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    Entity {
        orm: Orm::Sequelize,
        name,
        qname: format!("{}.{model}", file.path),
        table,
        is_abstract: false,
        unmanaged: false,
        sti: false,
        fields,
        relations: Vec::new(),
        indexes,
        file: index,
        source: src,
    }
}
