//! What a loop iterates: the model of its items, and which relations were
//! loaded with them.
//!
//! The iterated expression, resolved like a callee (locals followed), is
//! walked from a model class: `shop.models.Order.objects.select_related()
//! .filter()` iterates `Order` rows; `shop.models.Order.objects.get().lines
//! .all()` iterates the `Line` rows of one order; Rails `Post.find().comments()`
//! the comments of a post. A loop over a relation of an outer loop's item
//! (`for c in post.comments.all()`) takes that item's model and what was
//! loaded beneath it. A SQLAlchemy session query names its model as an
//! argument instead (`session.scalars(select(Order))`): see [`statement`].
//! A chain that starts by calling a project function (Python: a function,
//! or a method through `self`) whose every `return` gives the same query
//! (`def paid(): return Order.objects.filter(paid=True)`) continues that
//! query, with what the helper loaded: see [`Catalog::returned`].
//! Anything else (a parameter, a helper with disagreeing or unknown
//! returns, `values()` rows, a model whose managers or scopes may load
//! relations on their own) is unknown, and the rule says nothing.

use super::eager::{is_eager_call, is_loader_chain, read_call, Eager, RelPath, TYPEORM_FINDERS};
use super::statement;
use crate::facts::{ArgValue, AssignScope, FileFacts, Language, Loop, LoopId, Span};
use crate::model::Model;
use crate::orm::{Entities, Entity, Loading, Orm, Relation, RelationKind};
use std::collections::HashMap;

/// Django's default manager names (a model's other managers are not
/// followed: they may filter or load on their own).
const DJANGO_MANAGERS: &[&str] = &["objects", "_default_manager", "_base_manager"];

/// The items of a loop.
#[derive(Debug, Clone)]
pub struct Item {
    /// Index of the items' entity in [`Entities::list`].
    pub entity: usize,
    /// What was loaded with each item.
    pub eager: Eager,
    /// The relation back to the row the items were reached from
    /// (`line.order` in `for line in order.lines.all()`): the ORM sets it
    /// from that row, no query.
    pub back: Option<String>,
    /// For items reached through an outer loop's item: that loop and the
    /// relations from its items (`posts`, `comments`), where the eager load
    /// belongs.
    pub origin: Option<Origin>,
}

/// An outer loop and the relations from its items to a nested loop's items.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The outer loop.
    pub lp: LoopId,
    /// Index of the entity its items are.
    pub entity: usize,
    /// The relations from its items to the nested loop's.
    pub hops: RelPath,
}

/// Where a walk along a query chain stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The model class (`Order`).
    Class,
    /// A query over rows of the entity.
    Query,
    /// One row.
    Instance,
    /// A to-many relation of a row (`order.lines`), not yet a query in Django.
    Related,
}

/// The result of a walk: the entity reached, the relations followed.
struct Walk {
    entity: usize,
    hops: RelPath,
    state: State,
    /// After a to-many hop, the relation back from its rows.
    back: Option<String>,
}

/// The project's entities, with what the rule needs to know about each.
pub struct Catalog<'e> {
    model: &'e Model,
    entities: &'e Entities,
    by_qname: HashMap<&'e str, usize>,
    by_name: HashMap<&'e str, Vec<usize>>,
    /// Per entity: its managers and scopes cannot load relations on their own.
    trusted: Vec<bool>,
    /// Per entity: the names of the methods its class defines (a class
    /// method in a query chain may return anything).
    methods: Vec<Vec<&'e str>>,
}

impl<'e> Catalog<'e> {
    /// Index the entities of a project.
    pub fn new(model: &'e Model, entities: &'e Entities) -> Catalog<'e> {
        let mut by_qname = HashMap::new();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in entities.list.iter().enumerate() {
            by_qname.insert(e.qname.as_str(), i);
            by_name.entry(e.name.as_str()).or_default().push(i);
        }
        let mut classes: Classes = HashMap::new();
        for (fi, file) in model.files.iter().enumerate() {
            if file.language == Language::Python {
                for (ci, class) in file.facts.classes.iter().enumerate() {
                    classes.insert(class.qname.as_str(), (fi, ci));
                }
            }
        }
        let trusted = entities
            .list
            .iter()
            .map(|e| trusted(model, &classes, e))
            .collect();
        let methods = entities
            .list
            .iter()
            .map(|e| {
                model
                    .files
                    .get(e.file as usize)
                    .map(|f| {
                        f.facts
                            .functions
                            .iter()
                            .filter(|f| f.class.as_deref() == Some(e.name.as_str()))
                            .map(|f| f.name.as_str())
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        Catalog {
            model,
            entities,
            by_qname,
            by_name,
            trusted,
            methods,
        }
    }

    /// The entity at `index`.
    pub fn entity(&self, index: usize) -> &'e Entity {
        &self.entities.list[index]
    }

    /// Whether the entity's class defines a method of this name.
    pub fn defines(&self, entity: usize, method: &str) -> bool {
        self.methods[entity].contains(&method)
    }

    /// Whether the project declares no entity of an ORM with lazy relations
    /// (all but Prisma).
    pub fn is_empty(&self) -> bool {
        !self.entities.list.iter().any(|e| e.orm != Orm::Prisma)
    }

    /// The entity a resolved name (`shop.models.Order`, Rails `Post`)
    /// stands for.
    fn lookup(&self, orm: Orm, name: &str) -> Option<usize> {
        if let Some(&i) = self.by_qname.get(name) {
            return (self.entity(i).orm == orm).then_some(i);
        }
        let (module, short) = name.rsplit_once('.').unwrap_or(("", name));
        let candidates: Vec<usize> = self
            .by_name
            .get(short)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                let e = self.entity(i);
                e.orm == orm
                    && match orm {
                        // Re-exported from a models package: `shop.models.Order`
                        // for `shop.models.order.Order`.
                        Orm::Django | Orm::SqlAlchemy => {
                            !module.is_empty()
                                && e.qname.starts_with(module)
                                && e.qname[module.len()..].starts_with('.')
                        }
                        // A JavaScript module path (`models.Order` for
                        // `models/index.js`) is not the model's file: the
                        // class name, when one model has it.
                        Orm::Sequelize | Orm::TypeOrm => true,
                        // Ruby constants are global.
                        _ => module.is_empty() || e.qname.ends_with(name),
                    }
            })
            .collect();
        match candidates.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Walk a resolved chain (`shop.models.Order.objects.get().lines.all()`)
    /// from the longest prefix naming an entity.
    fn walk_resolved(&self, orm: Orm, resolved: &str) -> Option<Walk> {
        let first_call = resolved.find('(').unwrap_or(resolved.len());
        let head = &resolved[..first_call];
        let mut ends: Vec<usize> = head.match_indices('.').map(|(i, _)| i).collect();
        ends.push(head.len());
        for &end in ends.iter().rev() {
            let Some(entity) = self.lookup(orm, &resolved[..end]) else {
                continue;
            };
            let rest = resolved[end..].trim_start_matches('.');
            let start = match orm {
                Orm::Django | Orm::SqlAlchemy => State::Class,
                _ => State::Query,
            };
            return self.walk(orm, entity, start, segments(rest));
        }
        None
    }

    /// Walk segments (`objects`, `filter()`, `lines`) from an entity.
    fn walk<'s>(
        &self,
        orm: Orm,
        entity: usize,
        state: State,
        segs: impl Iterator<Item = &'s str>,
    ) -> Option<Walk> {
        let mut w = Walk {
            entity,
            hops: Vec::new(),
            state,
            back: None,
        };
        for seg in segs {
            let (name, call) = match seg.strip_suffix("()") {
                Some(name) => (name, true),
                None => (seg, false),
            };
            w.state = match (w.state, call) {
                (State::Class, false) if orm == Orm::Django && DJANGO_MANAGERS.contains(&name) => {
                    State::Query
                }
                // Flask-SQLAlchemy `Order.query`.
                (State::Class, false) if orm == Orm::SqlAlchemy && name == "query" => State::Query,
                (State::Query | State::Related, true)
                    if !self.methods[w.entity].contains(&name) =>
                {
                    query_method(orm, name)?
                }
                (State::Instance, _) if orm == Orm::Rails || !call => {
                    let owner = self.entity(w.entity);
                    let rel = owner.related(name)?;
                    if matches!(rel.loading, Loading::Never | Loading::Unknown) {
                        return None;
                    }
                    w.entity = rel.target_index?;
                    w.hops.push(name.to_string());
                    w.back = back(orm, rel, owner, self.entity(w.entity));
                    match rel.kind {
                        RelationKind::ToOne => State::Instance,
                        RelationKind::ToMany | RelationKind::ManyToMany => State::Related,
                    }
                }
                _ => return None,
            };
        }
        Some(w)
    }

    /// The items of loop `li`, given the items of the loops before it.
    pub fn item(
        &self,
        orm: Orm,
        file: u32,
        facts: &FileFacts,
        li: LoopId,
        earlier: &[Option<Item>],
    ) -> Option<Item> {
        let l = facts.loops.get(li as usize)?;
        let (walk, mut eager, origin) = match l.iterable_resolved.as_deref() {
            Some(resolved) if orm == Orm::SqlAlchemy => {
                let (walk, eager) = self.statement(file, facts, li, resolved)?;
                (walk, eager, None)
            }
            Some(resolved) if orm == Orm::TypeOrm => {
                let (walk, eager) = self.typeorm(facts, li, resolved)?;
                (walk, eager, None)
            }
            None if orm == Orm::TypeOrm => return None,
            Some(resolved) => match self.walk_resolved(orm, resolved) {
                Some(walk) => {
                    let eager = self.resolved_eager(orm, facts, li, resolved, &walk.hops)?;
                    (walk, eager, None)
                }
                None => {
                    let (walk, loaded) = self.returned(orm, file, resolved, 0)?;
                    let mut eager = self.resolved_eager(orm, facts, li, resolved, &walk.hops)?;
                    eager.extend(loaded);
                    (walk, eager, None)
                }
            },
            None => self.nested(orm, facts, l, earlier)?,
        };
        let done = match orm {
            Orm::Rails | Orm::SqlAlchemy => matches!(walk.state, State::Query | State::Related),
            _ => walk.state == State::Query,
        };
        if !done || !self.trusted[walk.entity] || self.entity(walk.entity).is_abstract {
            return None;
        }
        eager.paths.dedup();
        Some(Item {
            entity: walk.entity,
            eager,
            back: walk.back,
            origin,
        })
    }

    /// The rows of a chain that starts by calling a project function
    /// (`shop.queries.paid_orders().select_related()`, `shop.views.OrderList
    /// .get_queryset()`) whose every `return` gives a query over the same
    /// rows, loading the same relations, and what the helper loaded (not
    /// through a decorator other than `staticmethod`/`classmethod`). A
    /// returned query may itself start from a helper, [`MAX_HELPERS`] deep.
    /// The chain past the helper's call must stay on the rows (no relation
    /// hops): what it loads is read by [`Catalog::resolved_eager`].
    fn returned(&self, orm: Orm, file: u32, resolved: &str, depth: usize) -> Option<(Walk, Eager)> {
        let open = resolved.find("()")?;
        let (head, rest) = (&resolved[..open], &resolved[open + 2..]);
        let helper = self.model.named(file, head)?;
        let function = self.model.function(helper);
        // A decorator may return something else than the body does.
        let plain = |d: &String| matches!(d.as_str(), "staticmethod" | "classmethod");
        if !function.decorators.iter().all(plain) {
            return None;
        }
        let facts = &self.model.file(helper.file).facts;
        let mut agreed: Option<(Walk, Eager)> = None;
        for value in &function.returns {
            let ArgValue::Call(id) = value else {
                return None;
            };
            let call = facts.calls.get(*id as usize)?;
            let chain = format!("{}()", call.resolved.as_deref()?);
            let (walk, mut eager) = match self.walk_resolved(orm, &chain) {
                Some(walk) => (walk, Eager::default()),
                None if depth < MAX_HELPERS => {
                    self.returned(orm, helper.file, &chain, depth + 1)?
                }
                None => return None,
            };
            if !walk.hops.is_empty() || walk.state != State::Query {
                return None;
            }
            // The eager loads written in the returned chain.
            for c in &facts.calls {
                if c.function != Some(helper.func)
                    || !within(c.span, call.span)
                    || !is_eager_call(orm, &c.name)
                {
                    continue;
                }
                let own = c.resolved.as_deref().map(|r| format!("{r}()"));
                if own.is_some_and(|own| extends(&chain, &own))
                    && !read_call(orm, facts, c, &mut eager)
                {
                    return None;
                }
            }
            eager.paths.sort();
            eager.paths.dedup();
            eager.opaque.sort();
            match &agreed {
                Some((w, e)) if w.entity != walk.entity || *e != eager => return None,
                Some(_) => {}
                None => agreed = Some((walk, eager)),
            }
        }
        let (base, eager) = agreed?;
        let walk = self.walk(orm, base.entity, base.state, segments(rest))?;
        walk.hops.is_empty().then_some((walk, eager))
    }

    /// What the eager-loading calls of the iterated chain load: calls in
    /// the iterated expression, or in an assignment of the local it starts
    /// from, whose chain the iterable extends (`Order.objects
    /// .select_related()` for `….select_related().filter()`) or that extend
    /// it (`qs = qs.select_related()` after `qs = Order.objects.all()`, in
    /// case the local kept its first binding). None when one cannot be read.
    fn resolved_eager(
        &self,
        orm: Orm,
        facts: &FileFacts,
        li: LoopId,
        iterable: &str,
        hops: &[String],
    ) -> Option<Eager> {
        let l = facts.loops.get(li as usize)?;
        let text = l.iterable.as_deref().unwrap_or("");
        let root = text.split(['.', '(', '[', ' ']).next().unwrap_or(text);
        let bindings: Vec<Span> = facts
            .assigns
            .iter()
            .filter(|a| a.function == l.function && a.target == root)
            .map(|a| a.span)
            .collect();
        let mut eager = Eager::default();
        for call in &facts.calls {
            if call.function != l.function || !is_eager_call(orm, &call.name) {
                continue;
            }
            let in_iterable = within(call.span, l.span) && !call.loops.contains(&li);
            if !in_iterable && !bindings.iter().any(|&b| within(call.span, b)) {
                continue;
            }
            let Some(resolved) = call.resolved.as_deref() else {
                continue;
            };
            let receiver = resolved
                .strip_suffix(call.name.as_str())
                .and_then(|r| r.strip_suffix('.'))
                .unwrap_or("");
            let own = format!("{resolved}()");
            if !(extends(iterable, &own) || extends(receiver, iterable)) {
                continue;
            }
            let mut loaded = Eager::default();
            if !read_call(orm, facts, call, &mut loaded) {
                return None;
            }
            // Loaded at an outer level of the chain: `Order.objects
            // .prefetch_related("lines__product").get().lines.all()`.
            let at = self
                .walk_resolved(orm, receiver)
                .map(|w| w.hops)
                .unwrap_or_default();
            if hops.starts_with(&at) && at.len() < hops.len() {
                loaded = loaded.under(&hops[at.len()..]);
            }
            eager.extend(loaded);
        }
        Some(eager)
    }

    /// The rows of a SQLAlchemy query and what its options load:
    /// `session.scalars(select(Order).options(..))` (see [`statement`]), or
    /// a Flask-SQLAlchemy `Order.query.filter_by(..)` chain, also returned
    /// by a project helper (see [`Catalog::returned`]).
    ///
    /// [`statement`]: super::statement
    fn statement(
        &self,
        file: u32,
        facts: &FileFacts,
        li: LoopId,
        resolved: &str,
    ) -> Option<(Walk, Eager)> {
        let orm = Orm::SqlAlchemy;
        let (walked, mut eager) = match self.walk_resolved(orm, resolved) {
            Some(walk) => (Some(walk), Eager::default()),
            None => match self.returned(orm, file, resolved, 0) {
                Some((walk, eager)) => (Some(walk), eager),
                None => (None, Eager::default()),
            },
        };
        if walked.is_none() && !statement::rows(resolved) {
            return None;
        }
        let calls = statement::calls(facts, li);
        let walk = match walked {
            Some(walk) => walk,
            None => Walk {
                entity: statement::selected(&calls, |path| self.lookup(orm, path))?,
                hops: Vec::new(),
                state: State::Query,
                back: None,
            },
        };
        for call in calls
            .iter()
            .filter(|c| is_eager_call(orm, &c.name) && !is_loader_chain(&c.callee))
        {
            if !read_call(orm, facts, call, &mut eager) {
                return None;
            }
        }
        Some((walk, eager))
    }

    /// The rows of a TypeORM finder the loop iterates (directly or through
    /// a local): `Order.find(..)` on a `BaseEntity`, `repo.find(..)` where
    /// `repo` is `getRepository(Order)` (in the chain or a local's
    /// binding) or a field typed `Repository<Order>`, `manager.find(Order,
    /// ..)`, `repo.createQueryBuilder(..)…getMany()`; what its `relations`
    /// and joins load.
    fn typeorm(&self, facts: &FileFacts, li: LoopId, resolved: &str) -> Option<(Walk, Eager)> {
        let orm = Orm::TypeOrm;
        let l = facts.loops.get(li as usize)?;
        let iterable = l.iterable.as_deref().unwrap_or("");
        let root = |text: &str| -> String {
            text.split(['.', '(', '[', ' '])
                .next()
                .unwrap_or(text)
                .to_string()
        };
        // The spans the rows' query is written in: the iterable, and the
        // bindings of the locals it starts from. The iterable's text has
        // its spaces removed: `awaitrepo.find()` starts from `repo`, or
        // from `awaitrepo`.
        let mut spans = vec![l.span];
        let mut names = vec![root(iterable)];
        if let Some(rest) = iterable.strip_prefix("await") {
            names.push(root(rest));
        }
        let mut i = 0;
        while i < names.len() && i < MAX_LOCALS {
            let name = names[i].clone();
            for a in facts
                .assigns
                .iter()
                .filter(|a| a.function == l.function && a.target == name)
            {
                spans.push(a.span);
                if let Some(ArgValue::Call(id)) = &a.value {
                    if let Some(c) = facts.calls.get(*id as usize) {
                        let r = root(&c.callee);
                        if !names.contains(&r) {
                            names.push(r);
                        }
                    }
                }
            }
            i += 1;
        }
        let calls: Vec<&crate::facts::Call> = facts
            .calls
            .iter()
            .filter(|c| {
                c.function == l.function
                    && !c.loops.contains(&li)
                    && spans.iter().any(|&s| within(c.span, s))
            })
            .collect();
        let finder = calls.iter().find(|c| {
            TYPEORM_FINDERS.contains(&c.name.as_str())
                && c.resolved
                    .as_deref()
                    .is_some_and(|r| format!("{r}()") == resolved)
        })?;
        let entity = self
            .lookup(orm, resolved.strip_suffix(&format!(".{}()", finder.name))?)
            .or_else(|| {
                // `manager.find(Order, ..)`, `getRepository(Order)`.
                let model = |c: &crate::facts::Call| {
                    let v = crate::orm::values::positional(c, 0)?;
                    match v {
                        ArgValue::Path(p) => self.lookup(orm, p),
                        _ => None,
                    }
                };
                model(finder).or_else(|| {
                    calls
                        .iter()
                        .filter(|c| c.name == "getRepository")
                        .find_map(|c| model(c))
                })
            })
            .or_else(|| {
                // `this.orders.find()` with `orders: Repository<Order>`.
                let field = finder.callee.strip_prefix("this.")?.split('.').next()?;
                facts.assigns.iter().find_map(|a| {
                    let ty = a.annotation.as_deref()?;
                    let inner = ty.strip_prefix("Repository<")?.strip_suffix('>')?;
                    (a.target == field && a.class.is_some()).then(|| self.lookup(orm, inner))?
                })
            })?;
        let mut eager = Eager::default();
        for call in calls.iter().filter(|c| is_eager_call(orm, &c.name)) {
            let joins = !TYPEORM_FINDERS.contains(&call.name.as_str());
            if (joins || std::ptr::eq(*call, *finder)) && !read_call(orm, facts, call, &mut eager) {
                return None;
            }
        }
        let walk = Walk {
            entity,
            hops: Vec::new(),
            state: State::Query,
            back: None,
        };
        Some((walk, eager))
    }

    /// A loop over a relation of an outer loop's item: `for c in
    /// post.comments.all()` inside `for post in posts`.
    fn nested(
        &self,
        orm: Orm,
        facts: &FileFacts,
        l: &Loop,
        earlier: &[Option<Item>],
    ) -> Option<(Walk, Eager, Option<Origin>)> {
        let text = elide_args(l.iterable.as_deref()?);
        let (root, rest) = text.split_once('.')?;
        let (outer, item) = earlier.iter().enumerate().rev().find_map(|(i, item)| {
            let outer = facts.loops.get(i)?;
            let item = item.as_ref()?;
            (outer.bindings.len() == 1
                && outer.bindings[0] == root
                && outer.span.start <= l.span.start
                && l.span.end <= outer.span.end
                && outer.span != l.span)
                .then_some((i as LoopId, item))
        })?;
        let walk = self.walk(orm, item.entity, State::Instance, segments(rest))?;
        let mut eager = item.eager.under(&walk.hops);
        for call in &facts.calls {
            if call.function != l.function || !is_eager_call(orm, &call.name) {
                continue;
            }
            if extends(&text, &format!("{}()", call.callee)) {
                let mut loaded = Eager::default();
                if !read_call(orm, facts, call, &mut loaded) {
                    return None;
                }
                eager.extend(loaded);
            }
        }
        let origin = match &item.origin {
            Some(o) => Origin {
                hops: [o.hops.as_slice(), &walk.hops].concat(),
                ..o.clone()
            },
            None => Origin {
                lp: outer,
                entity: item.entity,
                hops: walk.hops.clone(),
            },
        };
        Some((walk, eager, Some(origin)))
    }
}

/// The relation from a to-many relation's rows back to the row they
/// belong to: a Django reverse foreign key's field (`related_name` holds
/// it), a Rails `has_many`'s `belongs_to` (named for its foreign key), a
/// SQLAlchemy `back_populates`/`backref`, else the target's many-to-one on
/// the same key to `owner` (its lazy load finds the row in the session's
/// identity map, without a query).
fn back(orm: Orm, rel: &Relation, owner: &Entity, target: &Entity) -> Option<String> {
    if rel.kind != RelationKind::ToMany || rel.fk_on_self {
        return None;
    }
    match orm {
        Orm::Django => rel.related_name.clone(),
        Orm::SqlAlchemy => rel.related_name.clone().or_else(|| {
            target
                .relations
                .iter()
                .find(|r| {
                    r.kind == RelationKind::ToOne
                        && r.fk_on_self
                        && r.loading != Loading::Key
                        && r.target == owner.name
                        && r.fk_column.is_some()
                        && r.fk_column == rel.fk_column
                })
                .map(|r| r.name.clone())
        }),
        _ => rel
            .fk_column
            .as_deref()
            .and_then(|fk| fk.strip_suffix("_id"))
            .map(str::to_string),
    }
}

/// What a query method returns.
fn query_method(orm: Orm, name: &str) -> Option<State> {
    if orm == Orm::SqlAlchemy {
        // Flask-SQLAlchemy `Model.query`: a legacy `Query`, where anything
        // not known to keep the rows is not followed.
        return if statement::QUERY_METHODS.contains(&name) {
            Some(State::Query)
        } else if matches!(
            name,
            "first" | "one" | "one_or_none" | "get" | "first_or_404" | "get_or_404" | "one_or_404"
        ) {
            Some(State::Instance)
        } else {
            None
        };
    }
    if orm == Orm::Sequelize {
        return match name {
            "findAll" | "scope" | "unscoped" | "schema" => Some(State::Query),
            "findOne" | "findByPk" | "findOrCreate" | "create" | "build" => Some(State::Instance),
            _ => None,
        };
    }
    let (instance, not_rows): (&[&str], &[&str]) = match orm {
        Orm::Django => (
            &[
                "get",
                "first",
                "last",
                "earliest",
                "latest",
                "aget",
                "afirst",
                "alast",
                "aearliest",
                "alatest",
            ],
            &[
                "values",
                "values_list",
                "dates",
                "datetimes",
                "count",
                "exists",
                "aggregate",
                "in_bulk",
                "update",
                "delete",
                "create",
                "bulk_create",
                "get_or_create",
                "update_or_create",
                "explain",
                "raw",
                "acount",
                "aexists",
                "aaggregate",
            ],
        ),
        _ => (
            &[
                "find",
                "find_by",
                "find_by!",
                "first",
                "last",
                "take",
                "first!",
                "last!",
                "take!",
                "find_or_create_by",
                "find_or_create_by!",
                "find_or_initialize_by",
                "create",
                "create!",
                "new",
                "build",
            ],
            &[
                "pluck",
                "ids",
                "count",
                "sum",
                "average",
                "minimum",
                "maximum",
                "calculate",
                "exists?",
                "pick",
                "group",
                "update_all",
                "delete_all",
                "destroy_all",
                "strict_loading",
                "in_batches",
                "find_in_batches",
            ],
        ),
    };
    if instance.contains(&name) {
        Some(State::Instance)
    } else if not_rows.contains(&name) {
        None
    } else {
        Some(State::Query)
    }
}

/// How many locals a TypeORM finder's receiver is followed through
/// (`joined = repo.createQueryBuilder()…`, `repo = getRepository(Order)`).
const MAX_LOCALS: usize = 8;

/// How many helpers returning a helper's query are followed.
const MAX_HELPERS: usize = 4;

/// How many levels of project base classes are searched for managers.
const MAX_BASES: usize = 8;

/// Python classes by qualified name: (file, class index).
type Classes<'m> = HashMap<&'m str, (usize, usize)>;

/// Whether an entity's own code cannot load relations behind the query's
/// back. Django: every manager the model or its project base classes
/// declare is a plain `models.Manager()` (a custom manager may override
/// `get_queryset`). Rails: the model's file has no eager-loading call (a
/// `default_scope { includes(..) }` or a scope) and no `strict_loading`.
fn trusted(model: &Model, classes: &Classes, entity: &Entity) -> bool {
    match entity.orm {
        Orm::Django => return plain_managers(model, classes, &entity.qname, 0),
        // Loading is declared per relation (`lazy=`), read from the model.
        // A Sequelize getter queries whatever a scope included.
        Orm::SqlAlchemy | Orm::Sequelize | Orm::TypeOrm => return true,
        _ => {}
    }
    let Some(file) = model.files.get(entity.file as usize) else {
        return false;
    };
    !file.facts.calls.iter().any(|c| {
        is_eager_call(entity.orm, &c.name)
            || c.name.starts_with("strict_loading")
            || c.callee.starts_with("self.strict_loading")
    })
}

/// Whether the class `qname` and its project bases declare only plain
/// managers (library bases are taken as plain).
fn plain_managers(model: &Model, classes: &Classes, qname: &str, depth: usize) -> bool {
    let Some(&(fi, ci)) = classes.get(qname) else {
        return true;
    };
    if depth > MAX_BASES {
        return false;
    }
    let facts = &model.files[fi].facts;
    let class = &facts.classes[ci];
    let own = facts.assigns.iter().all(|a| {
        if a.scope != AssignScope::Class
            || a.class.as_deref() != Some(class.name.as_str())
            || !within(a.span, class.span)
        {
            return true;
        }
        let Some(ArgValue::Call(id)) = &a.value else {
            return true;
        };
        let Some(call) = facts.calls.get(*id as usize) else {
            return true;
        };
        let text = &call.callee;
        let managerish =
            text.contains("Manager") || text.contains("QuerySet") || text.ends_with("as_manager");
        !managerish
            || call.resolved.as_deref().is_some_and(|r| {
                r == "django.db.models.Manager" || r == "django.db.models.manager.Manager"
            })
    });
    own && class
        .bases
        .iter()
        .all(|b| b == qname || plain_managers(model, classes, b, depth + 1))
}

/// Whether `inner` lies within `outer`.
pub fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Whether `chain` is `prefix` or continues it past a `.`.
fn extends(chain: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && chain
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The segments of a chain with arguments elided: `objects`, `filter()`.
fn segments(chain: &str) -> impl Iterator<Item = &str> {
    chain.split('.').filter(|s| !s.is_empty())
}

/// `p.comments.filter(x=1).all()` → `p.comments.filter().all()`: argument
/// text dropped, so the chain reads like a callee.
pub fn elide_args(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                if depth == 0 {
                    out.push('(');
                }
                depth += 1;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push(')');
                }
            }
            _ if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_read_like_callees() {
        assert_eq!(
            elide_args("p.comments.filter(x=f(1)).all()"),
            "p.comments.filter().all()"
        );
        assert_eq!(elide_args("post.comments"), "post.comments");
        assert!(extends("a.b().c()", "a.b()"));
        assert!(extends("a.b()", "a.b()"));
        assert!(!extends("a.bc()", "a.b"));
    }

    #[test]
    fn query_methods() {
        assert_eq!(query_method(Orm::Django, "filter"), Some(State::Query));
        assert_eq!(query_method(Orm::Django, "get"), Some(State::Instance));
        assert_eq!(query_method(Orm::Django, "values"), None);
        assert_eq!(query_method(Orm::Rails, "where"), Some(State::Query));
        assert_eq!(query_method(Orm::Rails, "pluck"), None);
        assert_eq!(query_method(Orm::Sequelize, "findAll"), Some(State::Query));
        assert_eq!(
            query_method(Orm::Sequelize, "findByPk"),
            Some(State::Instance)
        );
        assert_eq!(query_method(Orm::Sequelize, "count"), None);
    }
}
