//! SQLAlchemy query sites: `filter_by(column=...)` on `session.query(Model)`,
//! `select(Model)` or Flask-SQLAlchemy's `Model.query`; chained
//! `filter_by` calls are one query. Expression filters
//! (`filter(Model.email == x)`, `where(...)`) are not read.

use super::site::{shorten, Cmp, Pred, Site, Stack};
use crate::facts::Call;
use crate::model::ParsedFile;
use crate::orm::values::positional;
use crate::orm::{Entities, Orm};

/// The entity a `filter_by` call filters.
fn entity_of(entities: &Entities, file: &ParsedFile, call: &Call) -> Option<usize> {
    let orm = |i: &usize| entities.list[*i].orm == Orm::SqlAlchemy;
    if let Some((model, _)) = call.callee.split_once(".query.") {
        return entities
            .index_of_name(model.rsplit('.').next().unwrap_or(model))
            .filter(orm);
    }
    let source = file.facts.calls.iter().find(|c| {
        matches!(c.name.as_str(), "query" | "select")
            && call.span.start <= c.span.start
            && c.span.end <= call.span.end
    })?;
    let model = match positional(source, 0)? {
        crate::facts::ArgValue::Path(p) => p.rsplit('.').next().unwrap_or(p),
        _ => return None,
    };
    entities.index_of_name(model).filter(orm)
}

/// The SQLAlchemy query sites of one Python file.
pub fn sites(file_index: u32, file: &ParsedFile, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    let filters: Vec<&Call> = file
        .facts
        .calls
        .iter()
        .filter(|c| c.name == "filter_by")
        .collect();
    // `a.filter_by(x=1).filter_by(y=2)` is one query on both: read at the
    // outermost `filter_by` of the chain, with the conditions of all.
    let within = |inner: &Call, outer: &Call| {
        inner.span.start == outer.span.start
            && outer
                .callee
                .strip_prefix(inner.callee.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("()"))
    };
    for &call in &filters {
        if filters
            .iter()
            .any(|o| o.callee.len() > call.callee.len() && within(call, o))
        {
            continue;
        }
        let Some(index) = entity_of(entities, file, call) else {
            continue;
        };
        let entity = &entities.list[index];
        let preds = filters
            .iter()
            .filter(|f| within(f, call))
            .flat_map(|f| f.args.iter())
            .filter_map(|a| a.keyword.as_deref())
            .filter_map(|k| entity.field(k).map(|f| f.column.clone()))
            .map(|column| Pred {
                column,
                cmp: Cmp::Eq,
            })
            .collect();
        out.push(Site {
            file: file_index,
            span: call.span,
            function: call.function,
            loop_depth: Some(call.loops.len() as u32),
            table: entity.table.clone(),
            stack: Stack::SqlAlchemy,
            entity: Some(index),
            preds,
            order_by: Vec::new(),
            limited: false,
            text: shorten(&call.callee),
        });
    }
    out
}
