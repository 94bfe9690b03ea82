//! Which relation paths a query chain loads eagerly, read from the
//! arguments of its eager-loading calls: Django `select_related("customer")`,
//! `prefetch_related("items", Prefetch("tags"))`, `"customer__address"`;
//! Rails `includes(:author, comments: [:user, { likes: :user }])`, also
//! `preload` and `eager_load`.

use crate::facts::{ArgValue, Call, FileFacts};
use crate::orm::Orm;

/// A path of relation names from the loop's item: `["customer", "address"]`.
pub type RelPath = Vec<String>;

/// How deep nested eager-load hashes are read.
const MAX_DEPTH: usize = 6;

/// What a query chain loads with its rows.
#[derive(Debug, Default, Clone)]
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
        Orm::Prisma | Orm::SqlAlchemy | Orm::TypeOrm | Orm::Sequelize => false,
    }
}

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
        Orm::Prisma | Orm::SqlAlchemy | Orm::TypeOrm | Orm::Sequelize => false,
    }
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
