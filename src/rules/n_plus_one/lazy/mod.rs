//! `n-plus-one/lazy-relation`: a relation read from each item of a loop
//! over a query that did not load it, so the ORM loads it lazily, one query
//! per item: `order.customer` in `for order in Order.objects.all()`,
//! Rails `post.author` in `Post.all.each`, SQLAlchemy `order.items` in
//! `for order in session.scalars(select(Order))`.
//!
//! 1. The loop's items ([`item`]): the model its query iterates and what the
//!    query loaded (`select_related`, `prefetch_related`, `includes`,
//!    `options(selectinload(..))`, ...). When either is unknown the loop is
//!    skipped. A Python loop is tried as Django, then as SQLAlchemy
//!    ([`statement`]).
//! 2. The chains read on the loop's binding: Python [`Access`] facts (with
//!    the call that continues them, `post.comments.all()`), Ruby calls
//!    (`post.author.name`, where an attribute read is a call).
//! 3. Each chain is walked along the model's relations; the first relation
//!    not loaded is the finding, once per loop and relation path. Reading a
//!    foreign key's column (`order.customer_id`) is no relation; a relation
//!    declared eager (SQLAlchemy `lazy="selectin"`) is loaded, one that never
//!    queries (`lazy="raise"`) is not judged, and one that is a query
//!    (`lazy="dynamic"`) queries where it is run (`order.items.count()`).
//!
//! [`Access`]: crate::facts::Access

mod eager;
mod item;
mod message;
mod statement;

use super::{setting, silent, FileView};
use crate::facts::{FileFacts, Language, LoopId};
use crate::finding::Finding;
use crate::orm::{Loading, Orm, Relation, RelationKind};
use crate::rules::RuleContext;
use item::{Catalog, Item};
use std::collections::{HashMap, HashSet};

/// Rule id.
pub const LAZY_RELATION: &str = "n-plus-one/lazy-relation";

/// How a relation read runs its query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// It loads the related rows (`order.customer`, `post.comments.all()`).
    Load,
    /// It counts them (`post.comments.count()`): Rails counts with a query
    /// even when they were preloaded.
    Count,
}

/// A lazy relation read found in a loop.
pub struct Lazy<'e> {
    /// The loop.
    pub lp: LoopId,
    /// Relations followed from the item, the last one not loaded.
    pub hops: Vec<String>,
    /// The relation not loaded.
    pub relation: &'e Relation,
    /// Index of the entity the loop iterates.
    pub item: usize,
    /// The read as written, up to the relation (and the counting call).
    pub text: String,
    /// How it queries.
    pub kind: Kind,
    /// The relation was loaded (a Rails `count` queries anyway).
    pub loaded: bool,
    /// See [`Item::origin`].
    pub origin: Option<item::Origin>,
    /// Only the related row's key is read (`order.customer.pk`): the
    /// foreign-key column holds it.
    pub key_only: bool,
}

/// Run the rule over every file the family views.
pub fn check(ctx: &RuleContext, views: &[Option<FileView>]) -> Vec<Finding> {
    if !ctx.enabled(LAZY_RELATION) {
        return Vec::new();
    }
    let model = ctx.model;
    let catalog = Catalog::new(model, ctx.entities());
    if catalog.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (fi, view) in views.iter().enumerate() {
        let Some(view) = view else { continue };
        let orms: &[Orm] = match model.files[fi].language {
            Language::Python => &[Orm::Django, Orm::SqlAlchemy],
            Language::Ruby => &[Orm::Rails],
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                &[Orm::Sequelize, Orm::TypeOrm]
            }
            _ => continue,
        };
        if silent(view.role) || view.facts.loops.is_empty() {
            continue;
        }
        for (lazy, span, function, loops) in file_lazies(&catalog, orms, fi as u32, view) {
            let data = view.loops.data_loops(&loops);
            let setting = setting(model, fi as u32, function, data.len());
            if setting.test {
                continue;
            }
            findings.push(message::finding(
                ctx, &catalog, fi as u32, span, function, &lazy, setting,
            ));
        }
    }
    findings
}

/// A read found in a file: what, where, in which function and loops.
type Found<'e> = (
    Lazy<'e>,
    crate::facts::Span,
    Option<crate::facts::FunctionId>,
    Vec<LoopId>,
);

/// The lazy relation reads of one file, first per loop and relation path.
fn file_lazies<'e>(
    catalog: &Catalog<'e>,
    orms: &[Orm],
    file: u32,
    view: &FileView,
) -> Vec<Found<'e>> {
    let facts = view.facts;
    let mut items: Vec<Option<Item>> = Vec::with_capacity(facts.loops.len());
    for (li, l) in facts.loops.iter().enumerate() {
        let one = l.bindings.len() == 1 && !rebound(facts, li as LoopId, &l.bindings[0]);
        let item = if one || symbol_proc(facts, l).is_some() {
            orms.iter()
                .find_map(|&orm| catalog.item(orm, file, facts, li as LoopId, &items))
        } else {
            None
        };
        items.push(item);
    }
    if items.iter().all(Option::is_none) {
        return Vec::new();
    }
    // The longest call starting at each offset inside a loop: the chain
    // an access continues into (`post.comments` → `post.comments.all`).
    let mut longest: HashMap<u32, &str> = HashMap::new();
    for call in facts.calls.iter().filter(|c| !c.loops.is_empty()) {
        let entry = longest.entry(call.span.start).or_insert(&call.callee);
        if call.callee.len() > entry.len() {
            *entry = &call.callee;
        }
    }
    // (chain, span, function, loops), in source order: calls for a Rails
    // attribute read and a Sequelize getter, accesses for Python and
    // TypeORM (`await order.customer`).
    let calls = orms
        .iter()
        .any(|o| matches!(o, Orm::Rails | Orm::Sequelize));
    let accesses = !orms.contains(&Orm::Rails);
    let mut chains: Vec<(&str, crate::facts::Span, Option<u32>, &[LoopId])> = Vec::new();
    if calls {
        chains.extend(
            facts
                .calls
                .iter()
                .filter(|c| {
                    !c.loops.is_empty() && longest.get(&c.span.start) == Some(&c.callee.as_str())
                })
                .map(|c| (c.callee.as_str(), c.span, c.function, c.loops.as_slice())),
        );
    }
    if accesses {
        chains.extend(facts.accesses.iter().map(|a| {
            let chain = longest
                .get(&a.span.start)
                .copied()
                .filter(|c| {
                    c.strip_prefix(a.path.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
                })
                .unwrap_or(&a.path);
            (chain, a.span, a.function, a.loops.as_slice())
        }));
    }
    chains.sort_by_key(|c| c.1.start);
    let mut seen: HashSet<(LoopId, Vec<String>)> = HashSet::new();
    let mut out = Vec::new();
    for (chain, span, function, loops) in chains {
        let mut segs = chain.split('.').map(|s| s.trim_end_matches("()"));
        let Some(root) = segs.next() else { continue };
        // The innermost loop binding the root.
        let Some(&lp) = loops.iter().rev().find(|&&l| {
            facts
                .loops
                .get(l as usize)
                .is_some_and(|l| l.bindings.len() == 1 && l.bindings[0] == root)
        }) else {
            continue;
        };
        if !view.loops.data.get(lp as usize).copied().unwrap_or(false) {
            continue;
        }
        let Some(item) = items.get(lp as usize).and_then(Option::as_ref) else {
            continue;
        };
        let segs: Vec<&str> = segs.collect();
        // The chain is what a loop iterates (`for e in order.events`).
        let iterated = facts.loops.iter().any(|l| {
            l.iterable
                .as_deref()
                .map(item::elide_args)
                .is_some_and(|it| {
                    it.strip_prefix(chain)
                        .is_some_and(|rest| rest.is_empty() || rest == "()")
                })
                && item::within(span, l.span)
        });
        let Some(mut lazy) = walk(catalog, item, &segs, iterated) else {
            continue;
        };
        lazy.lp = lp;
        lazy.text = format!("{root}.{}", lazy.text);
        if seen.insert((lp, lazy.hops.clone())) {
            out.push((lazy, span, function, loops.to_vec()));
        }
    }
    // Ruby symbol-to-proc: `posts.map(&:author)` reads `author` per post.
    for (li, l) in facts.loops.iter().enumerate() {
        let lp = li as LoopId;
        let (Some(name), Some(item)) = (symbol_proc(facts, l), items[li].as_ref()) else {
            continue;
        };
        let Some(call) = l.call.and_then(|c| facts.calls.get(c as usize)) else {
            continue;
        };
        if !view.loops.data.get(li).copied().unwrap_or(false) {
            continue;
        }
        let Some(mut lazy) = walk(catalog, item, &[name], false) else {
            continue;
        };
        lazy.lp = lp;
        lazy.text = format!("{}(&:{name})", call.name);
        if seen.insert((lp, lazy.hops.clone())) {
            let mut loops = call.loops.clone();
            loops.push(lp);
            out.push((lazy, call.span, call.function, loops));
        }
    }
    out
}

/// The method a Ruby iteration calls on each element by symbol-to-proc:
/// `author` in `posts.map(&:author)`, `each(&:comments)`.
fn symbol_proc<'f>(facts: &'f FileFacts, l: &crate::facts::Loop) -> Option<&'f str> {
    if !l.bindings.is_empty() {
        return None;
    }
    let call = facts.calls.get(l.call? as usize)?;
    match &call.args.last()?.value {
        crate::facts::ArgValue::Other(text) => text
            .strip_prefix("&:")
            .filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_')),
        _ => None,
    }
}

/// Whether the loop's code assigns its binding (the item is replaced).
fn rebound(facts: &FileFacts, li: LoopId, name: &str) -> bool {
    facts
        .assigns
        .iter()
        .any(|a| a.target == name && a.loops.contains(&li))
}

/// Walk a chain read on an item (`customer`, `address`, `city`) along the
/// relations; the first one not loaded that queries when read as written
/// (`iterated`: a loop iterates the chain).
fn walk<'e>(catalog: &Catalog<'e>, item: &Item, segs: &[&str], iterated: bool) -> Option<Lazy<'e>> {
    let mut entity = catalog.entity(item.entity);
    let orm = entity.orm;
    match orm {
        // A model's own method of an accessor's name replaces it.
        Orm::Sequelize if catalog.defines(item.entity, segs.first()?) => return None,
        Orm::Sequelize => return getter(entity, item, segs.first()?),
        Orm::TypeOrm => return awaited(entity, item, segs.first()?),
        _ => {}
    }
    let mut hops: Vec<String> = Vec::new();
    let mut all_to_one = item.eager.all_to_one;
    for (i, &seg) in segs.iter().enumerate() {
        // `await order.awaitable_attrs.items` (`AsyncAttrs`) loads `items`.
        if orm == Orm::SqlAlchemy && seg == "awaitable_attrs" {
            continue;
        }
        let relation = entity.related(seg)?;
        if matches!(relation.loading, Loading::Never | Loading::Unknown) {
            return None;
        }
        // Set from the row the items belong to; what that row loaded is
        // not followed.
        if i == 0 && item.back.as_deref() == Some(seg) {
            return None;
        }
        hops.push(seg.to_string());
        let refs: Vec<&str> = hops.iter().map(String::as_str).collect();
        all_to_one &= relation.kind == RelationKind::ToOne && relation.fk_on_self;
        let loaded = all_to_one || item.eager.loads(&refs) || relation.loading == Loading::Eager;
        let next = segs.get(i + 1).copied();
        // A query attribute runs where the chain runs it: `items.filter().count()`.
        let run = (relation.loading == Loading::Query).then(|| run_query(&segs[i + 1..], iterated));
        let kind = match (relation.kind, orm) {
            _ if run.is_some() => Some(run.flatten()?.0),
            (RelationKind::ToOne, _) => (!loaded).then_some(Kind::Load),
            // Any read of a collection attribute loads it: `len(order.items)`,
            // iterating it, `order.items.append(..)`.
            (_, Orm::SqlAlchemy) => (!loaded).then_some(Kind::Load),
            (_, Orm::Django) => match next {
                Some("all" | "iterator") => (!loaded).then_some(Kind::Load),
                Some("count" | "exists") if !loaded => Some(Kind::Count),
                // A manager passed on, or filtered (which queries even when
                // prefetched, and is lazy until evaluated): not judged.
                _ => return None,
            },
            (_, _) => match next {
                Some("count") => Some(Kind::Count),
                None
                | Some(
                    "each" | "map" | "collect" | "flat_map" | "each_with_index"
                    | "each_with_object" | "to_a" | "size" | "length" | "empty?" | "any?" | "none?"
                    | "present?" | "blank?" | "first" | "last" | "sort_by" | "group_by"
                    | "index_by" | "sum" | "include?" | "select" | "reject" | "detect" | "min_by"
                    | "max_by",
                ) => (!loaded).then_some(Kind::Load),
                _ => return None,
            },
        };
        if let Some(kind) = kind {
            // The calls that query: `post.comments.count()`, `.all()`,
            // `order.items.filter().count()`.
            let upto = match run.flatten() {
                Some((_, at)) => i + 2 + at,
                None if kind == Kind::Count
                    || (orm == Orm::Django && relation.kind != RelationKind::ToOne) =>
                {
                    i + 2
                }
                None => i + 1,
            };
            let python = matches!(orm, Orm::Django | Orm::SqlAlchemy);
            let text = segs[..upto.min(segs.len())]
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    if python && j > i {
                        format!("{s}()")
                    } else {
                        s.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(".");
            return Some(Lazy {
                lp: 0,
                hops,
                relation,
                item: item.entity,
                text,
                kind,
                loaded: loaded && run.is_none(),
                origin: item.origin.clone(),
                key_only: relation.fk_on_self && matches!(next, Some("pk" | "id")),
            });
        }
        entity = catalog.entity(relation.target_index?);
    }
    None
}

/// A Sequelize association accessor called on an item: `getCustomer()`
/// loads, `countPosts()` counts, each with a query of its own, also when
/// the finder included the association (`loaded`: the getter does not read
/// the included rows, `order.Customer` does).
fn getter<'e>(entity: &'e crate::orm::Entity, item: &Item, method: &str) -> Option<Lazy<'e>> {
    let (kind, name) = if let Some(name) = method.strip_prefix("get") {
        (Kind::Load, name)
    } else {
        (Kind::Count, method.strip_prefix("count")?)
    };
    let relation = entity.relations.iter().find(|r| {
        (kind == Kind::Load || r.kind != RelationKind::ToOne) && accessor(&r.name) == name
    })?;
    let lower = relation.name.to_lowercase();
    // An include by model stands for the association without an alias.
    let unaliased = relation.name == relation.target
        || relation.name == crate::orm::naming::pluralize(&relation.target);
    let loaded = item.eager.loads(&[lower.as_str()])
        || (unaliased && item.eager.loads(&[relation.target.to_lowercase().as_str()]));
    Some(Lazy {
        lp: 0,
        hops: vec![relation.name.clone()],
        relation,
        item: item.entity,
        text: format!("{method}()"),
        kind,
        loaded,
        origin: item.origin.clone(),
        key_only: false,
    })
}

/// A TypeORM lazy relation (`Promise<Customer>`, `lazy: true`) read on an
/// item: awaiting it loads it with a query of its own unless the finder
/// loaded it (`relations`, a join that selects). Eager relations are
/// loaded; plain ones are never loaded on access.
fn awaited<'e>(entity: &'e crate::orm::Entity, item: &Item, seg: &str) -> Option<Lazy<'e>> {
    let relation = entity.related(seg)?;
    if relation.loading != Loading::Lazy || item.eager.loads(&[seg]) {
        return None;
    }
    Some(Lazy {
        lp: 0,
        hops: vec![seg.to_string()],
        relation,
        item: item.entity,
        text: seg.to_string(),
        kind: Kind::Load,
        loaded: false,
        origin: item.origin.clone(),
        key_only: false,
    })
}

/// The accessor suffix Sequelize makes of an association name: `buyer` →
/// `Buyer` (`getBuyer`).
fn accessor(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Where a chain after a query attribute runs it (`filter().all()`,
/// `count()`, or a loop iterating it, `for e in order.events.filter(..)`):
/// how, and the index of the running call (past the end for a loop). None
/// when it only builds the query, or passes it on.
fn run_query(rest: &[&str], iterated: bool) -> Option<(Kind, usize)> {
    for (at, &seg) in rest.iter().enumerate() {
        match seg {
            "count" => return Some((Kind::Count, at)),
            "all" | "first" | "one" | "one_or_none" | "scalar" | "get" => {
                return Some((Kind::Load, at))
            }
            _ if statement::QUERY_METHODS.contains(&seg) => {}
            _ => return None,
        }
    }
    iterated.then_some((Kind::Load, rest.len()))
}
