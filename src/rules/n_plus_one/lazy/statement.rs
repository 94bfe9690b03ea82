//! SQLAlchemy statements a loop iterates. A session query is written with
//! its model as an argument (`session.query(Order)`, `select(Order)`), so
//! the model is read from the calls that build the statement, not from the
//! chain the loop iterates: the iterable's own calls, the assignments of the
//! local it starts from (`orders = session.scalars(stmt).all()`), and of the
//! locals passed to those calls (`stmt = select(Order).options(..)`, an
//! argument the extractor wrote as the local's type,
//! `sqlalchemy.select().options()`, which is joined to the assignment whose
//! call has that type).
//!
//! The iterated chain must give rows of that one model: `query(X)` followed
//! only by methods that keep the rows (`filter`, `order_by`, `options`, ...,
//! `all`), or `scalars()` followed by `all`/`unique`/`fetchall`
//! (`session.scalars(select(X))`, `session.execute(select(X)).scalars()`,
//! `await session.stream_scalars(..)`). `with_entities`, `first`, `count`,
//! `execute(..)` without `scalars()` (tuples) and the like are not rows.

use super::item::within;
use crate::facts::{ArgValue, Call, FileFacts, LoopId, Span};
use std::collections::HashSet;

/// Legacy `Query` methods that return a query over the same rows, and
/// `all()`.
pub const QUERY_METHODS: &[&str] = &[
    "filter",
    "filter_by",
    "where",
    "order_by",
    "join",
    "outerjoin",
    "options",
    "limit",
    "offset",
    "slice",
    "distinct",
    "group_by",
    "having",
    "select_from",
    "execution_options",
    "yield_per",
    "populate_existing",
    "with_for_update",
    "params",
    "enable_eagerloads",
    "autoflush",
    "correlate",
    "reset_joinpoint",
    "all",
];

/// `ScalarResult` methods that keep the rows.
const SCALAR_METHODS: &[&str] = &["all", "unique", "fetchall", "yield_per"];

/// How many names are followed back from the iterable.
const MAX_LOCALS: usize = 16;

/// Whether a resolved iterable chain gives the rows of a session query.
pub fn rows(resolved: &str) -> bool {
    let segs: Vec<&str> = resolved.split('.').collect();
    let Some(at) = segs
        .iter()
        .rposition(|s| matches!(*s, "query()" | "scalars()" | "stream_scalars()"))
    else {
        return false;
    };
    let keep = if segs[at] == "query()" {
        QUERY_METHODS
    } else {
        SCALAR_METHODS
    };
    segs[at + 1..].iter().all(|s| {
        s.strip_suffix("()")
            .is_some_and(|name| keep.contains(&name))
    })
}

/// The calls that build the statement loop `li` iterates, in file order.
pub fn calls(facts: &FileFacts, li: LoopId) -> Vec<&Call> {
    let Some(l) = facts.loops.get(li as usize) else {
        return Vec::new();
    };
    let mut ids: HashSet<usize> = HashSet::new();
    let mut add = |span: Span, skip_loop: bool, names: &mut Vec<String>| {
        for (i, c) in facts.calls.iter().enumerate() {
            if c.function != l.function
                || !within(c.span, span)
                || (skip_loop && c.loops.contains(&li))
                || !ids.insert(i)
            {
                continue;
            }
            names.extend(c.args.iter().filter_map(|a| path(&a.value)));
        }
    };
    let text = l.iterable.as_deref().unwrap_or("");
    let mut names = vec![text
        .trim_start_matches("await ")
        .split(['.', '(', '[', ' '])
        .next()
        .unwrap_or(text)
        .to_string()];
    add(l.span, true, &mut names);
    let mut seen = HashSet::new();
    while let Some(name) = names.pop() {
        if seen.len() >= MAX_LOCALS || !seen.insert(name.clone()) {
            continue;
        }
        let typed = |a: &&crate::facts::Assign| match &a.value {
            Some(ArgValue::Call(id)) => facts.calls.get(*id as usize).is_some_and(|c| {
                c.resolved.as_deref().and_then(|r| name.strip_prefix(r)) == Some("()")
            }),
            _ => false,
        };
        for a in facts.assigns.iter().filter(|a| {
            a.function == l.function && !a.loops.contains(&li) && (a.target == name || typed(a))
        }) {
            names.extend(a.value.as_ref().and_then(path));
            add(a.span, false, &mut names);
        }
    }
    let mut ids: Vec<usize> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.into_iter().map(|i| &facts.calls[i]).collect()
}

/// The one entity a statement selects, from its `query(X)` and `select(X)`
/// calls (`lookup` names a resolved path's entity). None when none does,
/// several do, or one selects an entity among other things (tuples).
pub fn selected(calls: &[&Call], lookup: impl Fn(&str) -> Option<usize>) -> Option<usize> {
    let mut found = None;
    for c in calls
        .iter()
        .filter(|c| matches!(c.name.as_str(), "query" | "select"))
    {
        let entities: Vec<Option<usize>> = c
            .args
            .iter()
            .filter(|a| a.keyword.is_none())
            .map(|a| match &a.value {
                ArgValue::Path(p) => lookup(p),
                _ => None,
            })
            .collect();
        match entities.as_slice() {
            [Some(e)] if found.is_none() || found == Some(*e) => found = Some(*e),
            [Some(_)] => return None,
            several if several.iter().any(Option::is_some) => return None,
            _ => {}
        }
    }
    found
}

/// A name or path argument or assigned value (`stmt`, or the type the
/// extractor gave it).
fn path(value: &ArgValue) -> Option<String> {
    match value {
        ArgValue::Path(p) => Some(p.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_session_queries() {
        assert!(rows("sqlalchemy.orm.Session().query().filter().all()"));
        assert!(rows("session.query().options().order_by()"));
        assert!(rows("sqlalchemy.orm.Session().scalars().all()"));
        assert!(rows("sqlalchemy.orm.Session().execute().scalars()"));
        assert!(rows(
            "sqlalchemy.ext.asyncio.AsyncSession().stream_scalars()"
        ));
        assert!(!rows("sqlalchemy.orm.Session().execute()"));
        assert!(!rows(
            "sqlalchemy.orm.Session().query().with_entities().all()"
        ));
        assert!(!rows("sqlalchemy.orm.Session().query().first()"));
        assert!(!rows("sqlalchemy.orm.Session().scalars().first()"));
        assert!(!rows("session.query().items"));
    }
}
