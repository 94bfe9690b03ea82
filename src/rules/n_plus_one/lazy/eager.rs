//! Which relation paths a query chain loads eagerly, read from the
//! arguments of its eager-loading calls: Django `select_related("customer")`,
//! `prefetch_related("items", Prefetch("tags"))`, `"customer__address"`;
//! Rails `includes(:author, comments: [:user, { likes: :user }])`, also
//! `preload` and `eager_load`; SQLAlchemy `options(joinedload(Order.customer),
//! selectinload(Order.items).joinedload(Item.product))`, string paths
//! (`joinedload("items.product")`) and `Load(Order)` chains; Sequelize
//! `findAll({ include: [Customer, { model: User, as: "buyer" }] })`.

use crate::facts::{ArgValue, Call, FileFacts};
use crate::orm::values::{as_str, map_get, model_name};
use crate::orm::Orm;

/// A path of relation names from the loop's item: `["customer", "address"]`.
pub type RelPath = Vec<String>;

/// How deep nested eager-load hashes are read.
const MAX_DEPTH: usize = 6;

/// What a query chain loads with its rows.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Eager {
    /// Relation paths loaded (each prefix of a path is loaded too).
    pub paths: Vec<RelPath>,
    /// Django `select_related()` without arguments: every forward to-one
    /// relation, at any depth.
    pub all_to_one: bool,
    /// Paths loaded by a query of their own (`Prefetch("lines",
    /// queryset=..)`): what that query loads beneath them is not read, so
    /// everything beneath counts as loaded.
    pub opaque: Vec<RelPath>,
}

impl Eager {
    /// Whether `path` (or a longer path through it) is loaded.
    pub fn loads(&self, path: &[&str]) -> bool {
        let within = |p: &RelPath| p.iter().zip(path).all(|(a, b)| a == b);
        self.paths
            .iter()
            .any(|p| p.len() >= path.len() && within(p))
            || self
                .opaque
                .iter()
                .any(|p| p.len() < path.len() && within(p))
    }

    /// The paths under `prefix`, with the prefix removed: what a query
    /// over `order.lines` loads when the orders were loaded with
    /// `prefetch_related("lines__product")`.
    pub fn under(&self, prefix: &[String]) -> Eager {
        let strip = |paths: &[RelPath], keep_empty: bool| -> Vec<RelPath> {
            paths
                .iter()
                .filter(|p| (p.len() > prefix.len() || keep_empty) && p.starts_with(prefix))
                .map(|p| p[prefix.len()..].to_vec())
                .collect()
        };
        Eager {
            paths: strip(&self.paths, false),
            all_to_one: false,
            opaque: strip(&self.opaque, true),
        }
    }

    /// Add what another call loads.
    pub fn extend(&mut self, other: Eager) {
        self.all_to_one |= other.all_to_one;
        self.paths.extend(other.paths);
        self.opaque.extend(other.opaque);
    }
}

/// The eager-loading methods of an ORM.
pub fn is_eager_call(orm: Orm, name: &str) -> bool {
    match orm {
        Orm::Django => matches!(name, "select_related" | "prefetch_related"),
        Orm::Rails => matches!(name, "includes" | "preload" | "eager_load"),
        Orm::SqlAlchemy => name == "options",
        // The finders whose rows a loop iterates; their `include` loads.
        Orm::Sequelize => matches!(name, "findAll" | "findAndCountAll"),
        // A finder's `relations`, a query builder's joins that select.
        Orm::TypeOrm => TYPEORM_FINDERS.contains(&name) || TYPEORM_JOINS.contains(&name),
        Orm::Prisma => false,
    }
}

/// TypeORM finders whose rows a loop iterates.
pub const TYPEORM_FINDERS: &[&str] = &["find", "findBy", "getMany"];

/// TypeORM query builder joins that load the relation into the rows.
const TYPEORM_JOINS: &[&str] = &[
    "leftJoinAndSelect",
    "innerJoinAndSelect",
    "leftJoinAndMapOne",
    "leftJoinAndMapMany",
    "innerJoinAndMapOne",
    "innerJoinAndMapMany",
];

/// Read one eager-loading call into `eager`. False when an argument cannot
/// be read (a variable, a splat): then what is loaded is unknown.
pub fn read_call(orm: Orm, facts: &FileFacts, call: &Call, eager: &mut Eager) -> bool {
    match orm {
        Orm::Django => django(facts, call, eager),
        Orm::Rails => call.args.iter().all(|arg| {
            let prefix: RelPath = arg.keyword.iter().cloned().collect();
            if arg.keyword.is_some() {
                eager.paths.push(prefix.clone());
            }
            rails_value(&arg.value, &prefix, 0, eager)
        }),
        Orm::SqlAlchemy => call
            .args
            .iter()
            .all(|arg| arg.keyword.is_none() && loader(facts, &arg.value, &[], 0, eager)),
        Orm::Sequelize => match call.args.first().map(|a| &a.value) {
            Some(options @ ArgValue::Map(_)) => match map_get(options, "include") {
                Some(ArgValue::List(items)) => items.iter().all(|i| include(facts, i, eager)),
                Some(one) => include(facts, one, eager),
                None => true,
            },
            // `findAll()`, or options in a variable (unknown).
            None => true,
            Some(_) => false,
        },
        Orm::TypeOrm => typeorm(call, eager),
        Orm::Prisma => false,
    }
}

/// TypeORM: `find({ relations: ["customer", "lines.product"] })`, `{
/// relations: { customer: true, lines: { product: true } } }`, `findBy(..)`
/// (loads none), or a join that selects, `leftJoinAndSelect("order.customer",
/// "customer")` (the relation of the query's alias; a join from a joined
/// alias is taken as loading that relation too, which errs on the quiet
/// side). `join: {..}` options and options not written in place are unknown.
fn typeorm(call: &Call, eager: &mut Eager) -> bool {
    if TYPEORM_JOINS.contains(&call.name.as_str()) {
        let Some(ArgValue::Str(path)) = call.args.first().map(|a| &a.value) else {
            return false;
        };
        let Some((_, relation)) = path.split_once('.') else {
            return false;
        };
        eager.paths.push(vec![relation.to_string()]);
        return true;
    }
    if call.name == "findBy" {
        return true;
    }
    let options = call
        .args
        .iter()
        .rev()
        .map(|a| &a.value)
        .find(|v| matches!(v, ArgValue::Map(_)));
    // `find()`; options in a variable are unknown.
    let Some(options) = options else {
        return call.args.is_empty();
    };
    if map_get(options, "join").is_some() {
        return false;
    }
    match map_get(options, "relations") {
        None => true,
        Some(ArgValue::List(items)) => items.iter().all(|i| match i {
            ArgValue::Str(s) => {
                eager.paths.push(s.split('.').map(str::to_string).collect());
                true
            }
            _ => false,
        }),
        Some(map @ ArgValue::Map(_)) => relation_map(map, &[], 0, eager),
        Some(_) => false,
    }
}

/// `{ customer: true, lines: { product: true } }` under `prefix`.
fn relation_map(map: &ArgValue, prefix: &[String], depth: usize, eager: &mut Eager) -> bool {
    let ArgValue::Map(pairs) = map else {
        return false;
    };
    if depth > MAX_DEPTH {
        return false;
    }
    pairs.iter().all(|(key, value)| {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        match value {
            ArgValue::Bool(false) => true,
            ArgValue::Bool(true) => {
                eager.paths.push(path);
                true
            }
            inner @ ArgValue::Map(_) => {
                eager.paths.push(path.clone());
                relation_map(inner, &path, depth + 1, eager)
            }
            _ => false,
        }
    })
}

/// One Sequelize `include` entry: a model (`Customer`), an association name
/// (`"buyer"`), `{ model, as }`, `{ association }`, or `{ all: true }`
/// (everything). Names are kept lower-case, as accessors capitalise them.
/// The model's own name stands for its association without an alias.
fn include(facts: &FileFacts, entry: &ArgValue, eager: &mut Eager) -> bool {
    let name = match entry {
        ArgValue::Path(_) | ArgValue::Call(_) => model_name(facts, entry),
        ArgValue::Str(s) => Some(s.as_str()),
        ArgValue::Map(_) if map_get(entry, "all").is_some() => {
            eager.opaque.push(Vec::new());
            return true;
        }
        ArgValue::Map(_) => ["as", "association"]
            .iter()
            .find_map(|k| map_get(entry, k).and_then(as_str))
            .or_else(|| map_get(entry, "model").and_then(|m| model_name(facts, m))),
        _ => None,
    };
    let Some(name) = name else { return false };
    eager.paths.push(vec![name.to_lowercase()]);
    true
}

/// SQLAlchemy loader options that load a relation with the rows (or make
/// reading it never query: `raiseload`, `noload`).
const LOADERS: &[&str] = &[
    "joinedload",
    "selectinload",
    "subqueryload",
    "immediateload",
    "contains_eager",
    "raiseload",
    "noload",
];

/// Options that name a path without loading it.
const PATH_ONLY: &[&str] = &["lazyload", "defaultload"];

/// Column options, which load no relation.
const COLUMN_OPTIONS: &[&str] = &[
    "load_only",
    "defer",
    "undefer",
    "undefer_group",
    "with_expression",
    "with_loader_criteria",
];

/// Whether a call (by its callee) is a loader option or a chain of them,
/// rather than a query's `options(..)`.
pub fn is_loader_chain(callee: &str) -> bool {
    callee.split('.').any(|s| {
        let name = s.trim_end_matches("()");
        LOADERS.contains(&name) || PATH_ONLY.contains(&name) || name == "Load"
    })
}

/// One SQLAlchemy loader option under `prefix`: `joinedload(Order.customer)`,
/// `selectinload(Order.items).joinedload(Item.product)`,
/// `defaultload(Order.items).options(joinedload(Item.product))`. False when
/// it cannot be read (a variable, a wildcard `"*"`, an unknown helper).
fn loader(
    facts: &FileFacts,
    value: &ArgValue,
    prefix: &[String],
    depth: usize,
    eager: &mut Eager,
) -> bool {
    let ArgValue::Call(id) = value else {
        return false;
    };
    if depth > MAX_DEPTH {
        return false;
    }
    let Some(chain) = call_chain(facts, *id) else {
        return false;
    };
    let mut path = prefix.to_vec();
    for (i, call) in chain.into_iter().enumerate() {
        let name = call.name.as_str();
        if COLUMN_OPTIONS.contains(&name) || (i == 0 && name == "Load") {
            continue;
        }
        if name == "options" {
            if !call
                .args
                .iter()
                .all(|a| loader(facts, &a.value, &path, depth + 1, eager))
            {
                return false;
            }
            continue;
        }
        let loads = LOADERS.contains(&name);
        if !loads && !PATH_ONLY.contains(&name) {
            return false;
        }
        for arg in call.args.iter().filter(|a| a.keyword.is_none()) {
            match &arg.value {
                // `Order.customer`, resolved or not: the attribute is last.
                ArgValue::Path(p) => path.push(p.rsplit('.').next().unwrap_or(p).to_string()),
                ArgValue::Str(s) if !s.contains('*') => {
                    path.extend(s.split('.').map(str::to_string));
                }
                _ => return false,
            }
        }
        if loads {
            eager.paths.push(path.clone());
        }
    }
    true
}

/// The calls of a method chain ending in call `id`, first call first:
/// `selectinload(..).joinedload(..)` → `selectinload`, `…joinedload`.
fn call_chain(facts: &FileFacts, id: u32) -> Option<Vec<&Call>> {
    let mut chain = vec![facts.calls.get(id as usize)?];
    while chain.len() <= MAX_DEPTH {
        let last = chain[chain.len() - 1];
        let Some(receiver) = last
            .callee
            .strip_suffix(last.name.as_str())
            .and_then(|r| r.strip_suffix("()."))
        else {
            break;
        };
        let Some(inner) = facts
            .calls
            .iter()
            .find(|c| c.span.start == last.span.start && c.callee == receiver)
        else {
            break;
        };
        chain.push(inner);
    }
    chain.reverse();
    Some(chain)
}

fn django(facts: &FileFacts, call: &Call, eager: &mut Eager) -> bool {
    if call.name == "select_related" && call.args.is_empty() {
        eager.all_to_one = true;
        return true;
    }
    call.args
        .iter()
        .all(|arg| match (&arg.keyword, &arg.value) {
            (None, ArgValue::Str(lookup)) => {
                eager.paths.push(split_lookup(lookup));
                true
            }
            (None, ArgValue::Call(id)) => {
                let Some(prefetch) = facts.calls.get(*id as usize) else {
                    return false;
                };
                if prefetch.name != "Prefetch" {
                    return false;
                }
                let lookup = prefetch
                    .args
                    .iter()
                    .find_map(|a| match (&a.keyword, &a.value) {
                        (None, ArgValue::Str(s)) => Some(s),
                        (Some(k), ArgValue::Str(s)) if k == "lookup" => Some(s),
                        _ => None,
                    });
                let Some(lookup) = lookup else { return false };
                let mut path = split_lookup(lookup);
                let own_query = prefetch
                    .args
                    .iter()
                    .any(|a| a.keyword.as_deref() == Some("queryset"));
                // `to_attr` stores the rows under another name: the relation
                // itself stays unloaded.
                if let Some(to_attr) =
                    prefetch
                        .args
                        .iter()
                        .find_map(|a| match (&a.keyword, &a.value) {
                            (Some(k), ArgValue::Str(s)) if k == "to_attr" => Some(s),
                            _ => None,
                        })
                {
                    path.pop();
                    path.push(to_attr.clone());
                }
                if own_query {
                    eager.opaque.push(path.clone());
                }
                eager.paths.push(path);
                true
            }
            _ => false,
        })
}

/// `customer__address` → `customer`, `address`.
fn split_lookup(lookup: &str) -> RelPath {
    lookup.split("__").map(str::to_string).collect()
}

/// A Rails eager-load value under `prefix`: `:user`, `[:user, :likes]`,
/// `{ likes: :user }`.
fn rails_value(value: &ArgValue, prefix: &[String], depth: usize, eager: &mut Eager) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let with = |name: &str| {
        let mut p = prefix.to_vec();
        p.push(name.to_string());
        p
    };
    match value {
        ArgValue::Str(name) => {
            eager.paths.push(with(name));
            true
        }
        ArgValue::List(items) => items
            .iter()
            .all(|v| rails_value(v, prefix, depth + 1, eager)),
        ArgValue::Map(entries) => entries.iter().all(|(key, v)| {
            let p = with(key);
            eager.paths.push(p.clone());
            rails_value(v, &p, depth + 1, eager)
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_prefixes_and_strips_hops() {
        let eager = Eager {
            paths: vec![vec!["lines".into(), "product".into()]],
            all_to_one: false,
            opaque: vec![vec!["tags".into()]],
        };
        assert!(eager.loads(&["tags", "owner"]));
        assert!(eager.under(&["tags".to_string()]).loads(&["owner"]));
        assert!(eager.loads(&["lines"]));
        assert!(eager.loads(&["lines", "product"]));
        assert!(!eager.loads(&["customer"]));
        let under = eager.under(&["lines".to_string()]);
        assert!(under.loads(&["product"]));
        assert!(!under.loads(&["lines"]));
    }

    #[test]
    fn sqlalchemy_loader_options() {
        let text = "from sqlalchemy.orm import Load, joinedload, raiseload, selectinload\n\
                    q = select(Order).options(\n\
                    \x20   joinedload(Order.customer).load_only(Customer.name),\n\
                    \x20   selectinload(Order.items).joinedload(Item.product),\n\
                    \x20   Load(Order).selectinload(Order.tags),\n\
                    \x20   joinedload(\"notes.author\"),\n\
                    )\n\
                    r = select(Order).options(raiseload(\"*\"))\n";
        let facts = crate::lang::extract(&crate::lang::SourceFile {
            path: "shop/views.py",
            text,
            language: crate::facts::Language::Python,
            module: "shop.views",
        })
        .expect("extracts");
        let options: Vec<&Call> = facts
            .calls
            .iter()
            .filter(|c| c.name == "options" && !is_loader_chain(&c.callee))
            .collect();
        assert_eq!(options.len(), 2);
        let mut eager = Eager::default();
        assert!(read_call(Orm::SqlAlchemy, &facts, options[0], &mut eager));
        for path in [
            &["customer"][..],
            &["items", "product"],
            &["tags"],
            &["notes", "author"],
        ] {
            assert!(eager.loads(path), "{path:?}");
        }
        assert!(!eager.loads(&["customer", "address"]));
        // A wildcard cannot be read as a path: what it loads is unknown.
        assert!(!read_call(
            Orm::SqlAlchemy,
            &facts,
            options[1],
            &mut Eager::default()
        ));
    }

    #[test]
    fn rails_nested_hashes() {
        let mut eager = Eager::default();
        let value = ArgValue::List(vec![
            ArgValue::Str("user".into()),
            ArgValue::Map(vec![("likes".into(), ArgValue::Str("user".into()))]),
        ]);
        assert!(rails_value(
            &value,
            &["comments".to_string()],
            0,
            &mut eager
        ));
        assert!(eager.loads(&["comments", "user"]));
        assert!(eager.loads(&["comments", "likes", "user"]));
        assert!(!rails_value(
            &ArgValue::Other("*ASSOCS".into()),
            &[],
            0,
            &mut eager
        ));
    }
}
