//! Diesel query sites: a chain on a table of `table!`,
//! `users::table.filter(users::email.eq(x))` or, after `use
//! schema::users::dsl::*`, `users.filter(email.eq(x))`, read as one query
//! at its outermost call. The table and columns are named by the paths
//! themselves (the catalog knows them from the migrations' `up.sql`).
//! Conditions: `eq`/`eq_any`/`is_null`, `gt`/`ge`/`lt`/`le`/`between`,
//! `like`/`ilike` (a leading `%`), chained `filter`s and `.and(..)`;
//! `or_filter`, `.or(..)` and negations (`ne`, `ne_all`, `not_like`) give
//! no condition. `order(col.desc())`/`order_by`/`then_order_by`,
//! `limit(..)`/`first(..)`. A condition that cannot be read (`sql(..)`, a
//! boxed helper's result, a joined table's column) drops the query's
//! conditions and order. Chains on a query kept in a local are not read.

use super::chain::chains;
use super::site::{shorten, Cmp, Pred, Site, Stack};
use crate::facts::{ArgValue, Call, FileFacts};
use crate::model::ParsedFile;
use crate::orm::values::positional;

/// The calls a query chain is read from.
const METHODS: &[&str] = &[
    "filter",
    "or_filter",
    "order",
    "order_by",
    "then_order_by",
    "limit",
    "first",
    "inner_join",
    "left_join",
    "left_outer_join",
];

/// A callee or path as dotted segments (`posts::table` → `posts.table`),
/// resolved where imports tell.
fn dotted(call: &Call) -> String {
    call.resolved
        .clone()
        .unwrap_or_else(|| call.callee.replace("::", "."))
}

/// The table a query root names: `users::table`, `users::dsl::users`
/// (resolved `crate.schema.users.dsl.users`).
fn table_of_root(path: &str) -> Option<&str> {
    let segs: Vec<&str> = path.split('.').collect();
    match segs[..] {
        [.., table, "table"] => Some(table),
        [.., table, "dsl", same] if table == same => Some(table),
        _ => None,
    }
}

/// The table and column a column path names: `users::email`,
/// `users::dsl::email` (resolved `crate.schema.users.dsl.email`).
fn column_of(path: &str) -> Option<(&str, &str)> {
    let segs: Vec<&str> = path.split('.').collect();
    match segs[..] {
        [.., _, "table"] => None,
        [.., table, "dsl", column] if table != column => Some((table, column)),
        [.., table, column] if table != "dsl" => Some((table, column)),
        _ => None,
    }
}

/// The receiver of `x.method(..)` when it is itself a call (`col.gt(3)`
/// in `col.gt(3).and(..)`).
fn receiver<'a>(facts: &'a FileFacts, call: &Call) -> Option<&'a Call> {
    let text = call.callee.strip_suffix(call.name.as_str())?;
    let text = text.strip_suffix("().")?;
    facts
        .calls
        .iter()
        .find(|c| c.span.start == call.span.start && c.callee == text)
}

/// The conditions of one query.
struct Conditions<'a> {
    facts: &'a FileFacts,
    table: &'a str,
    preds: Vec<Pred>,
    unknown: bool,
}

impl Conditions<'_> {
    /// The column a method is called on, when it is one of the table's.
    fn column(&mut self, call: &Call) -> Option<String> {
        let text = dotted(call);
        let receiver = text.strip_suffix(call.name.as_str())?.strip_suffix('.')?;
        match column_of(receiver) {
            Some((table, column)) if table == self.table => Some(column.to_lowercase()),
            _ => None,
        }
    }

    /// One condition: a `filter` argument or a side of `.and(..)`.
    fn read(&mut self, value: &ArgValue, depth: usize) {
        let facts = self.facts;
        let Some(call) = (match value {
            ArgValue::Call(id) if depth < 8 => facts.calls.get(*id as usize),
            _ => None,
        }) else {
            self.unknown = true;
            return;
        };
        match call.name.as_str() {
            "and" => {
                match receiver(facts, call) {
                    Some(left) => self.method(left),
                    None => self.unknown = true,
                }
                if let Some(right) = positional(call, 0) {
                    self.read(right, depth + 1);
                }
            }
            "or" => {}
            _ => self.method(call),
        }
    }

    /// `users::email.eq(x)`, `posts::id.eq_any(ids)`, `name.like("%x")`.
    fn method(&mut self, call: &Call) {
        let Some(column) = self.column(call) else {
            self.unknown = true;
            return;
        };
        let leading = positional(call, 0).and_then(|v| match v {
            ArgValue::Str(s) => Some(s.starts_with(['%', '_'])),
            _ => None,
        });
        let cmp = match call.name.as_str() {
            "eq" | "eq_any" | "is_null" => Cmp::Eq,
            "gt" | "ge" | "lt" | "le" | "between" => Cmp::Range,
            "like" | "ilike" => match leading {
                Some(true) => Cmp::LeadingWildcard,
                Some(false) if call.name == "like" => Cmp::Range,
                _ => return,
            },
            "ne" | "ne_all" | "not_like" | "not_ilike" | "is_not_null" | "not_between" => return,
            _ => {
                self.unknown = true;
                return;
            }
        };
        self.preds.push(Pred { column, cmp });
    }
}

/// `order(posts::created_at.desc())`, `order((a.desc(), b))`,
/// `order_by(b)`: the columns; empty when one is not the table's.
fn order_columns(facts: &FileFacts, table: &str, call: &Call) -> Vec<String> {
    let items: Vec<&ArgValue> = match positional(call, 0) {
        Some(ArgValue::List(items)) => items.iter().collect(),
        Some(value) => vec![value],
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    for item in items {
        let path = match item {
            ArgValue::Path(p) => Some(p.replace("::", ".")),
            ArgValue::Call(id) => facts
                .calls
                .get(*id as usize)
                .filter(|c| matches!(c.name.as_str(), "desc" | "asc"))
                .and_then(|c| {
                    let text = dotted(c);
                    Some(
                        text.strip_suffix(c.name.as_str())?
                            .strip_suffix('.')?
                            .to_string(),
                    )
                }),
            _ => None,
        };
        match path.as_deref().and_then(column_of) {
            Some((t, column)) if t == table => out.push(column.to_lowercase()),
            _ => return Vec::new(),
        }
    }
    out
}

/// The Diesel query sites of one Rust file.
pub fn sites(file_index: u32, file: &ParsedFile) -> Vec<Site> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for chain in chains(facts, |c| METHODS.contains(&c.name.as_str())) {
        // The innermost call's receiver is the table.
        let inner = chain[chain.len() - 1];
        let text = dotted(inner);
        let Some(root) = text
            .strip_suffix(inner.name.as_str())
            .and_then(|r| r.strip_suffix('.'))
        else {
            continue;
        };
        let Some(table) = table_of_root(root) else {
            continue;
        };
        let outer = chain[0];
        let mut c = Conditions {
            facts,
            table,
            preds: Vec::new(),
            unknown: false,
        };
        let mut order = Vec::new();
        let mut limited = false;
        for call in chain.iter().rev() {
            match call.name.as_str() {
                "filter" => call.args.iter().for_each(|a| c.read(&a.value, 0)),
                "or_filter" => c.preds.clear(),
                "order" | "order_by" => order = order_columns(facts, table, call),
                "then_order_by" => order.extend(order_columns(facts, table, call)),
                "limit" | "first" => limited = true,
                _ => {}
            }
        }
        if c.unknown {
            c.preds.clear();
            order.clear();
        }
        out.push(Site {
            file: file_index,
            span: outer.span,
            function: outer.function,
            loop_depth: Some(outer.loops.len() as u32),
            table: table.to_lowercase(),
            stack: Stack::Sql,
            entity: None,
            preds: c.preds,
            order_by: order,
            limited,
            text: shorten(&outer.callee),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{column_of, table_of_root};

    #[test]
    fn roots_and_columns_name_their_table() {
        assert_eq!(table_of_root("crate.schema.posts.table"), Some("posts"));
        assert_eq!(table_of_root("crate.schema.users.dsl.users"), Some("users"));
        assert_eq!(table_of_root("crate.schema.users.dsl.email"), None);
        assert_eq!(table_of_root("users"), None);
        assert_eq!(
            column_of("crate.schema.users.dsl.email"),
            Some(("users", "email"))
        );
        assert_eq!(column_of("posts.author_id"), Some(("posts", "author_id")));
        assert_eq!(column_of("crate.schema.posts.table"), None);
        assert_eq!(column_of("email"), None);
    }
}
