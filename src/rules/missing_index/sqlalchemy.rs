//! SQLAlchemy query sites: a chain on `session.query(Model)`, `select(Model)`
//! or Flask-SQLAlchemy's `Model.query`, read as one query at its outermost
//! call. Conditions: `filter_by(column=..)` and expression filters,
//! `filter(User.email == x)` / `where(..)` (several arguments and `and_(..)`
//! are `AND`; `or_(..)`, `not_(..)` and `!=` give no condition, like SQL
//! `OR`), `User.id.in_(ids)`, ranges and `between`, `like`/`ilike`/
//! `contains`/`endswith` (a leading wildcard), `func.lower(User.email) == x`
//! (a function of the column); `order_by(User.created_at.desc())`,
//! `desc(..)`; `limit(..)`/`first()`. `join(Order, Order.user_id == User.id)`
//! is also a join-key lookup on the joined table. A condition that cannot be
//! read (`text(..)`, a helper's result, `~cond`) may filter on anything: the
//! query's conditions are then dropped. Chains on a statement kept in a
//! local (`stmt = select(User)`, then `stmt.where(..)`) are not read.

use super::chain::chains;
use super::site::{shorten, Cmp, Pred, Site, Stack};
use crate::facts::{ArgValue, Call, FileFacts};
use crate::model::ParsedFile;
use crate::orm::values::positional;
use crate::orm::{Entities, Orm};

/// The SQLAlchemy entity a dotted path names (`User`, `app.models.User`).
fn entity_named(entities: &Entities, path: &str) -> Option<usize> {
    let orm = |i: &usize| entities.list[*i].orm == Orm::SqlAlchemy;
    entities
        .index_of_qname(path)
        .filter(orm)
        .or_else(|| entities.index_of_name(path.rsplit('.').next().unwrap_or(path)))
        .filter(orm)
}

/// The entity and column a path to a mapped attribute names
/// (`User.email`, resolved `app.models.User.email`; a renamed
/// `Column("email_address")` maps to its column).
fn column_of(entities: &Entities, path: &str) -> Option<(usize, String)> {
    let (model, attr) = path.rsplit_once('.')?;
    let index = entity_named(entities, model)?;
    let field = entities.list[index].field(attr)?;
    Some((index, field.column.clone()))
}

/// The entity a chain queries: the model given to `query(..)`/`select(..)`
/// (or one of its columns, `select(User.id)`), or `Model.query`.
fn entity_of(entities: &Entities, chain: &[&Call]) -> Option<usize> {
    if let Some((model, _)) = chain[0].callee.split_once(".query.") {
        return entity_named(entities, model);
    }
    let source = chain
        .iter()
        .rev()
        .find(|c| matches!(c.name.as_str(), "query" | "select"))?;
    match positional(source, 0)? {
        ArgValue::Path(p) => {
            entity_named(entities, p).or_else(|| column_of(entities, p).map(|(i, _)| i))
        }
        _ => None,
    }
}

/// The conditions of one query, by entity.
struct Conditions<'a> {
    facts: &'a FileFacts,
    entities: &'a Entities,
    preds: Vec<(usize, Pred)>,
    /// The entities conditions name.
    mentioned: Vec<usize>,
    /// A condition that could not be read.
    unknown: bool,
}

impl<'a> Conditions<'a> {
    fn push(&mut self, entity: usize, column: String, cmp: Cmp) {
        self.mentioned.push(entity);
        self.preds.push((entity, Pred { column, cmp }));
    }

    fn column(&self, value: &ArgValue) -> Option<(usize, String)> {
        match value {
            ArgValue::Path(p) => column_of(self.entities, p),
            _ => None,
        }
    }

    fn call(&self, value: &ArgValue) -> Option<&'a Call> {
        match value {
            ArgValue::Call(id) => self.facts.calls.get(*id as usize),
            _ => None,
        }
    }

    /// `col.method(..)`: the column and the method.
    fn method_on_column(&self, call: &Call) -> Option<(usize, String)> {
        let text = call.resolved.as_deref().unwrap_or(&call.callee);
        let receiver = text.strip_suffix(call.name.as_str())?.strip_suffix('.')?;
        column_of(self.entities, receiver)
    }

    /// `func.lower(col)`: the function's name and the column.
    fn function_of_column(&self, call: &Call) -> Option<(String, usize, String)> {
        let text = call.resolved.as_deref().unwrap_or(&call.callee);
        if !(text.starts_with("func.") || text.starts_with("sqlalchemy.func.")) {
            return None;
        }
        let (entity, column) = self.column(positional(call, 0)?)?;
        Some((call.name.to_lowercase(), entity, column))
    }

    /// One condition (an argument of `filter`/`where`/`and_`).
    fn read(&mut self, value: &ArgValue, depth: usize) {
        match value {
            ArgValue::Compare(left, op, right) => self.compare(left, op, right),
            ArgValue::Path(_) => match self.column(value) {
                // `filter(User.active)`: the column is true.
                Some((entity, column)) => self.push(entity, column, Cmp::Eq),
                None => self.unknown = true,
            },
            ArgValue::Bool(true) => {}
            ArgValue::Call(_) if depth < 4 => {
                let Some(call) = self.call(value) else {
                    self.unknown = true;
                    return;
                };
                match call.name.as_str() {
                    "and_" => call
                        .args
                        .iter()
                        .for_each(|a| self.read(&a.value, depth + 1)),
                    "or_" | "not_" => {}
                    _ => self.method(call),
                }
            }
            _ => self.unknown = true,
        }
    }

    /// `left op right`, either side the column.
    fn compare(&mut self, left: &ArgValue, op: &str, right: &ArgValue) {
        let cmp = match op {
            "==" | "is" => Cmp::Eq,
            "<" | ">" | "<=" | ">=" => Cmp::Range,
            // `!=`, `is not`: no index narrows a negation.
            _ => return,
        };
        match (self.column(left), self.column(right)) {
            // `Order.user_id == User.id`: a join, or a correlated subquery;
            // a side that is not a primary key is looked up per row of the
            // other (a primary key declared in `__table_args__` is not
            // known here: both sides are then lookups).
            (Some(a), Some(b)) => {
                self.mentioned.extend([a.0, b.0]);
                for (entity, column) in [a.clone(), b.clone()] {
                    let primary = self.entities.list[entity]
                        .fields
                        .iter()
                        .any(|f| f.primary && f.column == column);
                    if !primary && a.0 != b.0 {
                        self.push(entity, column, Cmp::Join);
                    }
                }
            }
            (Some((entity, column)), None) | (None, Some((entity, column))) => {
                self.push(entity, column, cmp)
            }
            (None, None) => {
                let function = [left, right]
                    .iter()
                    .find_map(|v| self.call(v).and_then(|c| self.function_of_column(c)));
                match function {
                    Some((name, entity, column)) => self.push(entity, column, Cmp::Function(name)),
                    None => self.unknown = true,
                }
            }
        }
    }

    /// `User.id.in_(ids)`, `User.name.like("%x")`, `User.age.between(a, b)`.
    fn method(&mut self, call: &Call) {
        let Some((entity, column)) = self.method_on_column(call) else {
            self.unknown = true;
            return;
        };
        let leading = |call: &Call| match positional(call, 0)? {
            ArgValue::Str(s) => Some(s.starts_with(['%', '_'])),
            // `f"%{term}%"`, `"%" + term`: the text the pattern starts with.
            ArgValue::Other(text) => {
                let text = text.trim_start_matches(['f', 'F', 'r', 'R']);
                let quoted = text.strip_prefix(['"', '\''])?;
                Some(quoted.starts_with('%'))
            }
            _ => None,
        };
        let cmp = match call.name.as_str() {
            "in_" | "is_" => Cmp::Eq,
            "between" | "startswith" => Cmp::Range,
            "istartswith" => Cmp::Function("lower".into()),
            "contains" | "icontains" | "endswith" | "iendswith" => Cmp::LeadingWildcard,
            "like" | "ilike" => match leading(call) {
                Some(true) => Cmp::LeadingWildcard,
                Some(false) if call.name == "like" => Cmp::Range,
                // A pattern not known, or `ilike` without a leading
                // wildcard (no b-tree serves ILIKE): nothing to say.
                _ => return,
            },
            // Negations and relationship tests (`any`, `has`: a subquery).
            "not_in" | "notin_" | "is_not" | "isnot" | "not_like" | "notlike" | "not_ilike"
            | "notilike" | "any" | "has" => return,
            _ => {
                self.unknown = true;
                return;
            }
        };
        self.push(entity, column, cmp);
    }
}

/// `order_by(User.created_at.desc(), desc(User.id), User.name)` → the
/// entity and columns; empty when one part is not a plain column.
fn order_columns(c: &Conditions, call: &Call) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for arg in &call.args {
        let column = c.column(&arg.value).or_else(|| {
            let inner = c.call(&arg.value)?;
            match inner.name.as_str() {
                "asc" | "desc" => c
                    .method_on_column(inner)
                    .or_else(|| c.column(positional(inner, 0)?)),
                _ => None,
            }
        });
        match column {
            Some(col) => out.push(col),
            None => return Vec::new(),
        }
    }
    out
}

/// The calls a query chain is read from (others in between, `options(..)`,
/// `distinct()`, are skipped over).
const METHODS: &[&str] = &[
    "query",
    "select",
    "filter",
    "filter_by",
    "where",
    "join",
    "outerjoin",
    "order_by",
    "limit",
    "first",
    "subquery",
    "cte",
    "exists",
    "scalar_subquery",
    "lateral",
];

/// The SQLAlchemy query sites of one Python file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    let member = |c: &Call| METHODS.contains(&c.name.as_str()) || c.callee.contains(".query.");
    for chain in chains(&file.facts, member) {
        let Some(me) = entity_of(entities, &chain) else {
            continue;
        };
        let outer = chain[0];
        let mut c = Conditions {
            facts: &file.facts,
            entities,
            preds: Vec::new(),
            mentioned: Vec::new(),
            unknown: false,
        };
        let mut order = Vec::new();
        let mut limited = false;
        // Entities the query reads: the queried one and the joined ones.
        let mut tables = vec![me];
        let mut subquery = false;
        let mut implicit = Vec::new();
        for call in chain.iter().rev() {
            match call.name.as_str() {
                // Part of another query, which decides how it runs.
                "subquery" | "cte" | "exists" | "scalar_subquery" | "lateral" => subquery = true,
                "filter_by" => {
                    let entity = &entities.list[me];
                    for key in call.args.iter().filter_map(|a| a.keyword.as_deref()) {
                        match entity.field(key) {
                            Some(f) => c.push(me, f.column.clone(), Cmp::Eq),
                            None => c.unknown = true,
                        }
                    }
                }
                "filter" | "where" => call.args.iter().for_each(|a| c.read(&a.value, 0)),
                "join" | "outerjoin" => {
                    let joined = positional(call, 0).and_then(|v| match v {
                        ArgValue::Path(p) => entity_named(entities, p),
                        _ => None,
                    });
                    if let Some(joined) = joined.filter(|j| !tables.contains(j)) {
                        tables.push(joined);
                    }
                    // `join(Tag)` along a relationship: the joined rows are
                    // found by a key not read here, so that table is no site.
                    match positional(call, 1) {
                        Some(on) => c.read(on, 0),
                        None => implicit.extend(joined),
                    }
                }
                "order_by" => order = order_columns(&c, call),
                "limit" | "first" => limited = true,
                _ => {}
            }
        }
        if subquery {
            continue;
        }
        // A condition on a table the query does not read: a correlated
        // subquery, driven by the outer query's rows.
        if c.mentioned.iter().any(|e| !tables.contains(e)) {
            c.unknown = true;
        }
        // A condition not read may use an index for the order too.
        if c.unknown {
            c.preds.clear();
            order.clear();
        }
        // A condition on a joined table (`join(Database).filter(Database.id
        // == x)`) lets the planner drive the query from that table: the
        // queried table's own conditions alone do not decide.
        let driven = c.preds.iter().any(|(e, p)| *e != me && p.cmp != Cmp::Join);
        for &entity in &tables {
            // The queried table drives the join otherwise: its join keys are
            // not looked up.
            let preds: Vec<Pred> = c
                .preds
                .iter()
                .filter(|(e, p)| *e == entity && !(entity == me && (driven || p.cmp == Cmp::Join)))
                .map(|(_, p)| p.clone())
                .collect();
            // A joined table is a site only for its join key or conditions.
            if entity != me && (preds.is_empty() || implicit.contains(&entity)) {
                continue;
            }
            let order_by = if order.iter().all(|(e, _)| *e == entity) {
                order.iter().map(|(_, col)| col.clone()).collect()
            } else {
                Vec::new()
            };
            out.push(Site {
                file: file_index,
                span: outer.span,
                function: outer.function,
                loop_depth: Some(outer.loops.len() as u32),
                table: entities.list[entity].table.clone(),
                stack: Stack::SqlAlchemy,
                entity: Some(entity),
                preds,
                order_by,
                limited,
                text: shorten(&outer.callee),
            });
        }
    }
    out
}
