//! Knex query sites: `knex("users").where({ email })`, `db("users").where(
//! "email", x)`, `where("created_at", ">", t)`, `whereIn`, `whereBetween`,
//! `andWhere`, `orderBy`, `first()`/`limit()`, and `knex.select(..).from(
//! "users")`, where `knex`/`db` is a Knex instance: `require("knex")(..)`
//! or `knex(..)` in the file, a TypeScript value typed `Knex` or
//! `Knex.Transaction`, or one another module exports (`module.exports =
//! knex(..)`, `export default knex(..)`, `export const db = knex(..)`).
//! Chains with `orWhere`, joins, raw conditions or callbacks keep only
//! what is certain: an `orWhere` drops every condition.

use super::chain::chains;
use super::site::{shorten, Cmp, Pred, Site, Stack};
use crate::facts::{ArgValue, AssignScope, Call};
use crate::model::{Model, ParsedFile};
use crate::orm::values::{as_str, map_get, positional};

/// The resolved spellings of Knex instances: `knex()` (an instance built
/// in the file) and the exports of modules that build one
/// (`src/db.default`, `src/db.db`).
pub fn instances(model: &Model) -> Vec<String> {
    let mut out: Vec<String> = ["knex()", "knex.Knex()", "knex.Knex.Transaction()"]
        .map(String::from)
        .to_vec();
    for file in &model.files {
        if file.language.family() != "javascript" {
            continue;
        }
        for a in file
            .facts
            .assigns
            .iter()
            .filter(|a| a.scope == AssignScope::Module)
        {
            let Some(ArgValue::Call(id)) = a.value else {
                continue;
            };
            let builds = file.facts.calls.get(id as usize).is_some_and(|c| {
                matches!(
                    c.resolved.as_deref(),
                    Some("knex" | "knex.default" | "knex.knex")
                )
            });
            if !builds {
                continue;
            }
            let name = match a.target.as_str() {
                "module.exports" | "exports.default" | "default" => "default",
                t => t.strip_prefix("exports.").unwrap_or(t),
            };
            out.push(format!("{}.{name}", file.facts.module));
        }
    }
    out
}

/// The instance a resolved callee starts from, if any.
fn on_instance<'a>(instances: &'a [String], resolved: &str) -> Option<&'a str> {
    instances
        .iter()
        .find(|i| {
            resolved
                .strip_prefix(i.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['(', '.']))
        })
        .map(String::as_str)
}

/// A column named in a condition, without its table qualifier; None when
/// it qualifies another table.
fn column(name: &str, table: &str) -> Option<String> {
    let name = name.to_lowercase();
    match name.split_once('.') {
        Some((t, c)) if t == table => Some(c.to_string()),
        Some(_) => None,
        None => Some(name),
    }
}

/// The Knex query sites of one JavaScript/TypeScript file.
pub fn sites(file_index: u32, file: &ParsedFile, instances: &[String]) -> Vec<Site> {
    let mut out = Vec::new();
    let member = |c: &Call| {
        c.resolved
            .as_deref()
            .is_some_and(|r| on_instance(instances, r).is_some())
    };
    for chain in chains(&file.facts, member) {
        let outer = chain[0];
        // The table: `knex("users")` or `.from("users")` / `.table("users")`.
        let table = chain.iter().find_map(|c| {
            let resolved = c.resolved.as_deref()?;
            let root = on_instance(instances, resolved)? == resolved;
            let names_table = root || matches!(c.name.as_str(), "from" | "table" | "into");
            match positional(c, 0) {
                Some(ArgValue::Str(t)) if names_table => Some(crate::schema::normalize_name(t)),
                _ => None,
            }
        });
        let Some(table) = table else {
            continue;
        };
        let mut site = Site {
            file: file_index,
            span: outer.span,
            function: outer.function,
            loop_depth: Some(outer.loops.len() as u32),
            table: table.clone(),
            stack: Stack::Knex,
            entity: None,
            preds: Vec::new(),
            order_by: Vec::new(),
            limited: false,
            text: shorten(&outer.callee),
        };
        let (mut certain, mut order_known) = (true, true);
        // Innermost call first: the order the chain was written in.
        for call in chain.iter().rev() {
            let arg = |n| positional(call, n);
            match call.name.as_str() {
                "where" | "andWhere" => match (arg(0), arg(1), arg(2)) {
                    (Some(ArgValue::Map(pairs)), None, None) => {
                        for (name, value) in pairs {
                            if !matches!(value, ArgValue::Map(_) | ArgValue::Closure(_)) {
                                if let Some(column) = column(name, &table) {
                                    site.preds.push(Pred {
                                        column,
                                        cmp: Cmp::Eq,
                                    });
                                }
                            }
                        }
                    }
                    (Some(ArgValue::Str(name)), Some(_), None) => {
                        if let Some(column) = column(name, &table) {
                            site.preds.push(Pred {
                                column,
                                cmp: Cmp::Eq,
                            });
                        }
                    }
                    (Some(ArgValue::Str(name)), Some(ArgValue::Str(op)), Some(_)) => {
                        let cmp = match op.to_lowercase().as_str() {
                            "=" | "in" => Some(Cmp::Eq),
                            "<" | ">" | "<=" | ">=" => Some(Cmp::Range),
                            _ => None,
                        };
                        if let (Some(column), Some(cmp)) = (column(name, &table), cmp) {
                            site.preds.push(Pred { column, cmp });
                        }
                    }
                    _ => {}
                },
                "whereIn" | "andWhereIn" | "whereBetween" => {
                    if let Some(column) = arg(0).and_then(as_str).and_then(|n| column(n, &table)) {
                        let cmp = if call.name == "whereBetween" {
                            Cmp::Range
                        } else {
                            Cmp::Eq
                        };
                        site.preds.push(Pred { column, cmp });
                    }
                }
                "orderBy" => match arg(0) {
                    Some(ArgValue::Str(name)) => match column(name, &table) {
                        Some(c) => site.order_by.push(c),
                        None => order_known = false,
                    },
                    Some(ArgValue::List(items)) => {
                        for item in items {
                            let name =
                                as_str(item).or_else(|| map_get(item, "column").and_then(as_str));
                            match name.and_then(|n| column(n, &table)) {
                                Some(c) => site.order_by.push(c),
                                None => order_known = false,
                            }
                        }
                    }
                    _ => order_known = false,
                },
                "first" | "limit" => site.limited = true,
                name if name.starts_with("orWhere")
                    || name.starts_with("orHaving")
                    || name.to_lowercase().contains("join") =>
                {
                    certain = false;
                }
                _ => {}
            }
        }
        if !certain {
            site.preds.clear();
        }
        if !certain || !order_known {
            site.order_by.clear();
        }
        out.push(site);
    }
    out
}
