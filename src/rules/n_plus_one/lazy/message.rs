//! Messages for lazy relation reads: what loads per item, the count at
//! scale, and the eager load in the ORM's own idiom (`select_related`,
//! `prefetch_related`, `annotate(Count(..))`, `includes`, `counter_cache`,
//! `options(joinedload(..))`, `selectinload(..)`, `lazy="selectin"`).

use super::item::Catalog;
use super::{Kind, Lazy, LAZY_RELATION};
use crate::facts::{FunctionId, Span};
use crate::finding::{Finding, Setting, CAUSE_SEPARATOR};
use crate::orm::naming::{pluralize, snake_case};
use crate::orm::{Loading, Orm, RelationKind};
use crate::rules::n_plus_one::{named, severity};
use crate::rules::RuleContext;

/// The finding for one lazy read.
#[allow(clippy::too_many_arguments)]
pub fn finding(
    ctx: &RuleContext,
    catalog: &Catalog,
    file: u32,
    span: Span,
    function: Option<FunctionId>,
    lazy: &Lazy,
    setting: Setting,
) -> Finding {
    let model = ctx.model;
    let facts = &model.file(file).facts;
    let iterable = facts
        .loops
        .get(lazy.lp as usize)
        .and_then(|l| l.iterable.as_deref())
        .unwrap_or("the loop");
    let orm = catalog.entity(lazy.item).orm;
    let item = words(&catalog.entity(lazy.item).name);
    let items = pluralize(&item);
    let target = lazy
        .relation
        .target_index
        .map(|t| catalog.entity(t).name.as_str())
        .unwrap_or_else(|| match lazy.relation.target.as_str() {
            // `settings.AUTH_USER_MODEL`
            t if t.ends_with("AUTH_USER_MODEL") => "User",
            // `security_manager.user_model`: the attribute names the class.
            t => t.rsplit('.').next().unwrap_or(t),
        });
    let targets = pluralize(&words(target));
    let root = lazy.text.split('.').next().unwrap_or("");
    let rel = &lazy.relation.name;
    let to_one = lazy.relation.kind == RelationKind::ToOne;
    let what = match (lazy.kind, to_one) {
        (Kind::Count, _) if lazy.loaded => format!(
            "`{}` runs one COUNT query per {item} of `{iterable}` even though the {targets} are preloaded (`count` always asks the database)",
            lazy.text
        ),
        (Kind::Count, _) => format!(
            "`{}` runs one COUNT query per {item} of `{iterable}`",
            lazy.text
        ),
        (Kind::Load, _) if lazy.loaded => format!(
            "`{}` runs one query per {item} of `{iterable}` even though the query includes the {targets} (an association getter always asks the database)",
            lazy.text
        ),
        (Kind::Load, true) => format!(
            "`{}` loads one {target} per {item} of `{iterable}`, lazily",
            lazy.text
        ),
        (Kind::Load, false) => format!(
            "`{}` loads the {targets} of each {item} of `{iterable}` with its own query",
            lazy.text
        ),
    };
    let depth = setting.loop_depth.max(1);
    let count = match depth {
        1 => format!("10,000 {items} → 10,001 queries"),
        2 => "100 × 100 items → 10,000 queries".to_string(),
        _ => "100 × 100 × 100 items → 1,000,000 queries".to_string(),
    };
    // Items reached through an outer loop's items load with that loop's query.
    let (source, hops, from) = match &lazy.origin {
        Some(origin) => (
            facts
                .loops
                .get(origin.lp as usize)
                .and_then(|l| l.iterable.as_deref())
                .unwrap_or(iterable),
            [origin.hops.as_slice(), &lazy.hops].concat(),
            origin.entity,
        ),
        None => (iterable, lazy.hops.clone(), lazy.item),
    };
    let on = if lazy.origin.is_some() {
        format!("the query of the outer loop (`{source}`)")
    } else {
        format!("the query the loop iterates (`{source}`)")
    };
    // The related rows' key to the item, for a query over all of them.
    let key = lazy
        .relation
        .fk_column
        .as_deref()
        .map_or_else(|| format!("{target}.<key>"), |k| format!("{target}.{k}"));
    let fix = match (orm, lazy.kind, to_one) {
        (Orm::SqlAlchemy, Kind::Count, _) => format!(
            "count them for every {item} in one query before the loop: `session.execute(select({key}, func.count()).group_by({key}))` into a dict"
        ),
        (Orm::SqlAlchemy, Kind::Load, _) if lazy.relation.loading == Loading::Query => {
            let (_, _, owner) = loader_option(catalog, from, &hops);
            format!(
                "query them once for all the {items} before the loop: `select({target}).where({key}.in_(ids))`, grouped by `{key}`; or declare `{owner}.{rel}` a loaded relationship (`lazy=\"selectin\"`) instead of a query attribute"
            )
        }
        (Orm::SqlAlchemy, Kind::Load, _) => {
            let (option, how, owner) = loader_option(catalog, from, &hops);
            let awaited = !lazy.text.contains(".awaitable_attrs.")
                && function
                    .and_then(|f| facts.functions.get(f as usize))
                    .is_some_and(|f| f.is_async);
            let async_note = if awaited {
                "; under an `AsyncSession` this lazy load raises `MissingGreenlet` instead"
            } else {
                ""
            };
            format!(
                "load them with the {items}: add `.options({option})` ({how}) to {on}, or declare `lazy=\"selectin\"` on the `{owner}.{rel}` relationship to load it with every query{async_note}"
            )
        }
        (Orm::Sequelize, _, _) => sequelize_fix(catalog, lazy, from, root, on),
        (Orm::TypeOrm, _, _) => format!(
            "load them with the {items}: add `relations: [\"{path}\"]` to the find options of {on} (on a query builder, `.leftJoinAndSelect(\"{root}.{rel}\", \"{rel}\")`), then `await {root}.{rel}` reads the loaded rows",
            path = hops.join(".")
        ),
        (Orm::Rails, Kind::Count, _) if lazy.loaded => format!(
            "use `{root}.{rel}.size`, which counts the preloaded rows, or keep a `counter_cache`"
        ),
        (Orm::Rails, Kind::Count, _) => {
            let cache = match (&lazy.relation.fk_column, lazy.relation.kind) {
                (Some(fk), RelationKind::ToMany) => format!(
                    "keep the count on the row: `belongs_to :{}, counter_cache: true` in {target} (with a `{rel}_count` column), then `{root}.{rel}.size` reads it; or ",
                    fk.strip_suffix("_id").unwrap_or(fk)
                ),
                _ => String::new(),
            };
            format!(
                "{cache}add `includes({})` to {on} and use `{root}.{rel}.size`",
                rails_path(&hops)
            )
        }
        (Orm::Rails, Kind::Load, _) => format!(
            "load them with the {items}: add `includes({})` to {on}",
            rails_path(&hops)
        ),
        (_, Kind::Count, _) => {
            let lookup = hops.join("__");
            let annotate = if hops.len() == 1 {
                format!(
                    "annotate {on}: `.annotate({rel}_count=Count(\"{}\"))` and read `{root}.{rel}_count` (one query); or ",
                    query_name(rel, target)
                )
            } else {
                String::new()
            };
            format!(
                "{annotate}add `.prefetch_related(\"{lookup}\")` to {on}, after which `count()` reads the prefetched rows"
            )
        }
        (_, Kind::Load, true) if hops.len() == 1 || lazy.origin.is_none() => format!(
            "load them with the {items}: add `.select_related(\"{}\")` to {on} (one JOIN)",
            hops.join("__")
        ),
        (_, Kind::Load, _) => format!(
            "load them with the {items}: add `.prefetch_related(\"{}\")` to {on} (one more query for all of them)",
            hops.join("__")
        ),
    };
    let fix = match &lazy.relation.fk_column {
        Some(column) if lazy.key_only => {
            format!("read the key from the row itself: `{root}.{column}` needs no query; or {fix}")
        }
        _ => fix,
    };
    let mut finding = ctx.finding(LAZY_RELATION, file, span);
    finding.severity = severity(finding.severity, setting);
    finding.message = format!("{what} (N+1): {count}.");
    finding.fix = fix;
    finding.setting = setting;
    finding.anchor = lazy.text.clone();
    finding.scope = function
        .and_then(|f| named(facts, f))
        .and_then(|f| facts.functions.get(f as usize))
        .map(|f| f.qname.clone());
    finding.cause = [
        model.file(file).path.as_str(),
        finding.scope.as_deref().unwrap_or(""),
        &format!("{iterable}: {}", lazy.hops.join(".")),
    ]
    .join(CAUSE_SEPARATOR);
    finding
}

/// The Sequelize fix: include the association in the finder and read the
/// included property (`order.Customer`), not the getter, which queries
/// even then; a count is the included rows' `length`.
fn sequelize_fix(catalog: &Catalog, lazy: &Lazy, from: usize, root: &str, on: String) -> String {
    let rel = &lazy.relation.name;
    let target = lazy.relation.target.as_str();
    let read = match lazy.kind {
        Kind::Count => format!("`{root}.{rel}.length`"),
        Kind::Load => format!("`{root}.{rel}`"),
    };
    if lazy.loaded {
        return format!("read the included rows instead: {read} needs no query");
    }
    let model = &catalog.entity(from).name;
    format!(
        "load them with the {items}: include them in {on}, `{model}.findAll({{ include: [{{ model: {target}, as: '{rel}' }}] }})`, then read {read} instead of calling the getter, which queries even then",
        items = pluralize(&words(&catalog.entity(lazy.item).name)),
    )
}

/// `OrderLine` → `order line`.
fn words(class: &str) -> String {
    snake_case(class).replace('_', " ")
}

/// SQLAlchemy loader option for a path from `from`'s rows, and what it
/// costs: `joinedload(Order.customer)` (a JOIN) for many-to-one,
/// `selectinload(Order.items)` (one more query) for collections, chained
/// along the path: `selectinload(Order.items).joinedload(Item.product)`;
/// and the class declaring the last relation.
fn loader_option<'e>(
    catalog: &Catalog<'e>,
    from: usize,
    hops: &[String],
) -> (String, &'static str, &'e str) {
    let mut entity = Some(catalog.entity(from));
    let mut parts = Vec::new();
    let mut collections = false;
    let mut owner = "";
    for hop in hops {
        owner = entity.map_or("?", |e| e.name.as_str());
        let relation = entity.and_then(|e| e.related(hop));
        let to_one = relation.is_some_and(|r| r.kind == RelationKind::ToOne);
        collections |= !to_one;
        let loader = if to_one { "joinedload" } else { "selectinload" };
        parts.push(format!("{loader}({owner}.{hop})"));
        entity = relation
            .and_then(|r| r.target_index)
            .map(|t| catalog.entity(t));
    }
    let how = if collections {
        "one more query per collection, for all rows"
    } else {
        "one JOIN"
    };
    (parts.join("."), how, owner)
}

/// Rails eager-load argument for a path: `:author`, `comments: :user`,
/// `comments: { user: :profile }`.
fn rails_path(hops: &[String]) -> String {
    match hops {
        [] => String::new(),
        [one] => format!(":{one}"),
        [first, rest @ ..] => {
            let inner = rails_path(rest);
            if rest.len() > 1 {
                format!("{first}: {{ {inner} }}")
            } else {
                format!("{first}: {inner}")
            }
        }
    }
}

/// The name Django queries a relation by: a default reverse accessor
/// `comment_set` is queried as `comment`.
fn query_name<'a>(relation: &'a str, target: &str) -> &'a str {
    match relation.strip_suffix("_set") {
        Some(model) if model == target.to_lowercase() => model,
        _ => relation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eager_paths_in_each_idiom() {
        let hops = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(rails_path(&hops(&["author"])), ":author");
        assert_eq!(rails_path(&hops(&["comments", "user"])), "comments: :user");
        assert_eq!(
            rails_path(&hops(&["comments", "user", "profile"])),
            "comments: { user: :profile }"
        );
        assert_eq!(query_name("comment_set", "Comment"), "comment");
        assert_eq!(query_name("comments", "Comment"), "comments");
        assert_eq!(words("OrderLine"), "order line");
    }
}
