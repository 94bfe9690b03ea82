//! Raw SQL query sites: `SELECT`, `UPDATE` and `DELETE` statements read
//! with the schema tokenizer (placeholders of every driver are tokens of
//! their own), at the outermost query level only: the tables of `FROM` and
//! `JOIN` with their aliases, the `AND`-joined conditions of `WHERE` and
//! `JOIN ... ON`, `ORDER BY` columns and `LIMIT`. Subqueries and CTE
//! bodies are skipped; a `WHERE` with a top-level `OR` gives no conditions
//! (an index on one branch does not serve the other).

use super::site::{Cmp, Pred};
use crate::schema::normalize_name;
use crate::schema::tokens::{split_commas, tokenize, Tok, Token};

/// A condition or ordering column, with the alias or table it was
/// qualified with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified<T> {
    /// `o` in `o.user_id`, lower-case.
    pub qualifier: Option<String>,
    /// The rest.
    pub item: T,
}

/// One statement, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Tables with their alias (the table name when none).
    pub tables: Vec<(String, String)>,
    /// CTE names (not tables).
    pub ctes: Vec<String>,
    /// Conditions.
    pub preds: Vec<Qualified<Pred>>,
    /// Join conditions as pairs of sides.
    pub joins: Vec<(Qualified<String>, Qualified<String>)>,
    /// `ORDER BY` columns (empty when one is an expression).
    pub order_by: Vec<Qualified<String>>,
    /// `LIMIT`, `FETCH FIRST`, `TOP`.
    pub limited: bool,
}

/// Clause keywords that end a `WHERE`/`ON`/`FROM` part.
const ENDS: &[&str] = &[
    "where",
    "group",
    "order",
    "limit",
    "having",
    "returning",
    "for",
    "union",
    "intersect",
    "except",
    "offset",
    "fetch",
    "window",
    "join",
    "inner",
    "left",
    "right",
    "full",
    "cross",
    "natural",
    "on",
    "set",
    "using",
    "lateral",
    "straight_join",
];

/// Read a query statement; None for anything else.
pub fn read(sql: &str) -> Option<Query> {
    let toks = tokenize(sql);
    // Depth of each token: only depth-0 tokens are the outer query.
    let mut depth = 0usize;
    let mut top: Vec<&Token> = Vec::with_capacity(toks.len());
    let mut q = Query::default();
    let mut i = 0;
    if toks.first().is_some_and(|t| t.tok.is("WITH")) {
        // `WITH a AS (...), b AS (...) SELECT`: remember the names, skip bodies.
        i = 1;
        if toks.get(i).is_some_and(|t| t.tok.is("RECURSIVE")) {
            i += 1;
        }
        while let Some(t) = toks.get(i) {
            if let Some(name) = t.tok.ident() {
                q.ctes.push(normalize_name(&name));
            }
            let open = toks[i..].iter().position(|t| t.tok.is_punct("("))?;
            i = crate::schema::tokens::matching_paren(&toks, i + open) + 1;
            if toks.get(i).is_some_and(|t| t.tok.is_punct(",")) {
                i += 1;
            } else {
                break;
            }
        }
    }
    // Every token with its depth; clause boundaries count only at depth 0.
    let mut depths: Vec<usize> = Vec::with_capacity(toks.len());
    for t in &toks[i.min(toks.len())..] {
        if t.tok.is_punct(")") {
            depth = depth.saturating_sub(1);
        }
        top.push(t);
        depths.push(depth);
        if t.tok.is_punct("(") {
            depth += 1;
        }
    }
    let top = Toks {
        toks: &top,
        depths: &depths,
    };
    let first = top.toks.first()?;
    let from = || top.find(0, |t| t.is("FROM"));
    let from_at = if first.tok.is("SELECT") || first.tok.is("DELETE") {
        from()? + 1
    } else if first.tok.is("UPDATE") {
        1
    } else {
        return None;
    };
    let mut pos = from_at;
    // FROM / UPDATE target list: `a`, `a x`, `a AS x`, `a, b`.
    let from_end = top.clause_end(pos);
    for part in top.split(pos, from_end, |t| t.is_punct(",")) {
        if let Some(t) = table_ref(part) {
            q.tables.push(t);
        }
    }
    pos = from_end;
    let n = top.toks.len();
    while pos < n {
        let t = &top.toks[pos].tok;
        if top.depths[pos] > 0 {
            pos += 1;
        } else if t.is("JOIN") || t.is("STRAIGHT_JOIN") {
            let end = top.clause_end(pos + 1);
            if let Some(tr) = table_ref(&top.toks[pos + 1..end]) {
                q.tables.push(tr);
            }
            pos = end;
        } else if t.is("ON") || t.is("WHERE") {
            let end = top.clause_end(pos + 1);
            conditions(&top, pos + 1, end, &mut q, t.is("ON"));
            pos = end;
        } else if t.is("ORDER") && top.toks.get(pos + 1).is_some_and(|b| b.tok.is("BY")) {
            let end = top.clause_end(pos + 2);
            q.order_by = order_by(&top.toks[pos + 2..end]);
            pos = end;
        } else {
            if t.is("LIMIT") || t.is("FETCH") || t.is("TOP") {
                q.limited = true;
            }
            pos += 1;
        }
    }
    Some(q)
}

/// The statement's tokens with their parenthesis depth.
struct Toks<'a, 't> {
    toks: &'a [&'t Token],
    depths: &'a [usize],
}

impl<'a, 't> Toks<'a, 't> {
    /// The first depth-0 token from `from` on that `hit` accepts.
    fn find(&self, from: usize, hit: impl Fn(&Tok) -> bool) -> Option<usize> {
        (from..self.toks.len()).find(|&i| self.depths[i] == 0 && hit(&self.toks[i].tok))
    }

    /// Where the clause starting at `from` ends: the next depth-0 clause
    /// keyword, or the end.
    fn clause_end(&self, from: usize) -> usize {
        self.find(from, |t| ENDS.iter().any(|e| t.is(e)))
            .unwrap_or(self.toks.len())
    }

    /// `from..to` split at depth-0 tokens that `sep` accepts.
    fn split(&self, from: usize, to: usize, sep: impl Fn(&Tok) -> bool) -> Vec<&'a [&'t Token]> {
        let mut out = Vec::new();
        let mut start = from;
        for i in from..to.min(self.toks.len()) {
            if self.depths[i] == 0 && sep(&self.toks[i].tok) {
                out.push(&self.toks[start..i]);
                start = i + 1;
            }
        }
        out.push(&self.toks[start.min(to)..to.min(self.toks.len())]);
        out
    }
}

/// `schema.table [AS] alias`.
fn table_ref(part: &[&Token]) -> Option<(String, String)> {
    let first = part.first()?;
    if first.tok.is_punct("(") {
        return None;
    }
    let mut name = first.tok.ident()?;
    let mut schema = None;
    let mut i = 1;
    while part.get(i).is_some_and(|t| t.tok.is_punct(".")) {
        schema = Some(name);
        name = part.get(i + 1)?.tok.ident()?;
        i += 2;
    }
    // Catalog views and placeholders are no application tables.
    let system = schema.as_deref().is_some_and(|s| {
        [
            "information_schema",
            "pg_catalog",
            "sys",
            "mysql",
            "performance_schema",
        ]
        .contains(&s)
    }) || name.starts_with("pg_")
        || name.starts_with("sqlite_")
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if system {
        return None;
    }
    if part.get(i).is_some_and(|t| t.tok.is("AS")) {
        i += 1;
    }
    let table = normalize_name(&name);
    let alias = part
        .get(i)
        .and_then(|t| t.tok.ident())
        .filter(|a| !ENDS.contains(&a.as_str()))
        .map_or_else(|| table.clone(), |a| normalize_name(&a));
    Some((table, alias))
}

/// A column reference at `toks[i..]`: `col` or `q.col`; returns it and the
/// tokens used.
fn column_at(toks: &[&Token], i: usize) -> Option<(Qualified<String>, usize)> {
    let first = match &toks.get(i)?.tok {
        Tok::Word(_) | Tok::Quoted(_) => toks[i].tok.ident()?,
        _ => return None,
    };
    if toks.get(i + 1).is_some_and(|t| t.tok.is_punct(".")) {
        let second = toks.get(i + 2)?.tok.ident()?;
        return Some((
            Qualified {
                qualifier: Some(normalize_name(&first)),
                item: normalize_name(&second),
            },
            3,
        ));
    }
    if toks.get(i + 1).is_some_and(|t| t.tok.is_punct("(")) {
        return None;
    }
    if ["not", "exists", "case", "null", "true", "false"].contains(&first.as_str()) {
        return None;
    }
    Some((
        Qualified {
            qualifier: None,
            item: normalize_name(&first),
        },
        1,
    ))
}

/// `AND`-joined conditions of a `WHERE` or `ON` (tokens `from..to`).
fn conditions(top: &Toks, from: usize, to: usize, q: &mut Query, on: bool) {
    if top.find(from, |t| t.is("OR")).is_some_and(|i| i < to) {
        return;
    }
    let mut parts: Vec<&[&Token]> = Vec::new();
    let mut start = from;
    let mut between = false;
    for i in from..to {
        if top.depths[i] > 0 {
            continue;
        }
        let t = &top.toks[i].tok;
        if t.is("BETWEEN") {
            between = true;
        } else if t.is("AND") {
            if between {
                between = false;
                continue;
            }
            parts.push(&top.toks[start..i]);
            start = i + 1;
        }
    }
    parts.push(&top.toks[start.min(to)..to]);
    for part in parts {
        condition(part, q, on);
    }
}

fn condition(part: &[&Token], q: &mut Query, on: bool) {
    // `lower(col) = ?`, `upper(t.col) LIKE ?`.
    if let (Some(f), Some(open)) = (part.first(), part.get(1)) {
        if let (Tok::Word(name), true) = (&f.tok, open.tok.is_punct("(")) {
            let name = name.to_lowercase();
            if ["lower", "upper", "date", "trim", "coalesce"].contains(&name.as_str()) {
                if let Some((col, used)) = column_at(part, 2) {
                    if part.get(2 + used).is_some_and(|t| t.tok.is_punct(")")) {
                        q.preds.push(Qualified {
                            qualifier: col.qualifier,
                            item: Pred {
                                column: col.item,
                                cmp: Cmp::Function(name),
                            },
                        });
                    }
                }
            }
            return;
        }
    }
    let Some((col, used)) = column_at(part, 0) else {
        return;
    };
    let Some(op) = part.get(used) else { return };
    let rhs = part.get(used + 1);
    let cmp = match &op.tok {
        Tok::Punct(p) if p == "=" => {
            // `a.x = b.y`: a join.
            if let Some((other, n)) = column_at(part, used + 1) {
                if used + 1 + n == part.len() && (on || other.qualifier.is_some()) {
                    q.joins.push((col, other));
                    return;
                }
            }
            Cmp::Eq
        }
        Tok::Punct(p) if ["<", ">", "<=", ">="].contains(&p.as_str()) => Cmp::Range,
        Tok::Word(w) if w.eq_ignore_ascii_case("IN") || w.eq_ignore_ascii_case("IS") => Cmp::Eq,
        Tok::Word(w) if w.eq_ignore_ascii_case("BETWEEN") => Cmp::Range,
        Tok::Word(w) if w.eq_ignore_ascii_case("LIKE") || w.eq_ignore_ascii_case("ILIKE") => {
            match rhs.map(|t| &t.tok) {
                Some(Tok::Str(s)) if s.starts_with('%') || s.starts_with('_') => {
                    Cmp::LeadingWildcard
                }
                Some(Tok::Str(_)) if w.eq_ignore_ascii_case("LIKE") => Cmp::Range,
                Some(Tok::Str(_)) => Cmp::Function("lower".into()),
                _ => return,
            }
        }
        _ => return,
    };
    q.preds.push(Qualified {
        qualifier: col.qualifier,
        item: Pred {
            column: col.item,
            cmp,
        },
    });
}

/// `ORDER BY a, t.b DESC`: plain columns only; an expression makes the
/// list empty.
fn order_by(toks: &[&Token]) -> Vec<Qualified<String>> {
    let owned: Vec<Token> = toks.iter().map(|t| (*t).clone()).collect();
    let mut out = Vec::new();
    for part in split_commas(&owned) {
        let refs: Vec<&Token> = part.iter().collect();
        let Some((col, used)) = column_at(&refs, 0) else {
            return Vec::new();
        };
        let rest_ok = refs[used..].iter().all(|t| {
            ["asc", "desc", "nulls", "first", "last"]
                .iter()
                .any(|k| t.tok.is(k))
        });
        if !rest_ok {
            return Vec::new();
        }
        out.push(col);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preds(q: &Query) -> Vec<(Option<&str>, &str, Cmp)> {
        q.preds
            .iter()
            .map(|p| {
                (
                    p.qualifier.as_deref(),
                    p.item.column.as_str(),
                    p.item.cmp.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn select_with_alias_join_where_order_limit() {
        let q = read(
            "SELECT o.* FROM public.orders AS o JOIN users u ON u.id = o.user_id \
             WHERE o.status = $1 AND o.created_at > ? AND lower(u.email) = :email \
             AND o.id IN (SELECT x FROM y WHERE z = 1) ORDER BY o.created_at DESC LIMIT 10",
        )
        .expect("query");
        assert_eq!(
            q.tables,
            [
                ("orders".to_string(), "o".to_string()),
                ("users".into(), "u".into())
            ]
        );
        assert_eq!(
            preds(&q),
            [
                (Some("o"), "status", Cmp::Eq),
                (Some("o"), "created_at", Cmp::Range),
                (Some("u"), "email", Cmp::Function("lower".into())),
                (Some("o"), "id", Cmp::Eq),
            ]
        );
        assert_eq!(q.joins.len(), 1);
        assert_eq!(q.order_by[0].item, "created_at");
        assert!(q.limited);
    }

    #[test]
    fn like_patterns_or_and_other_statements() {
        let q = read("SELECT * FROM users WHERE name LIKE '%son' AND email ILIKE 'a%'").expect("q");
        assert_eq!(
            preds(&q),
            [
                (None, "name", Cmp::LeadingWildcard),
                (None, "email", Cmp::Function("lower".into()))
            ]
        );
        let q = read("SELECT * FROM users WHERE a = 1 OR b = 2").expect("q");
        assert!(q.preds.is_empty());
        let q = read("UPDATE orders SET state = 'x' WHERE user_id = %s").expect("q");
        assert_eq!(preds(&q), [(None, "user_id", Cmp::Eq)]);
        let q = read("DELETE FROM sessions WHERE expires_at < now()").expect("q");
        assert_eq!(preds(&q), [(None, "expires_at", Cmp::Range)]);
        let q = read(
            "WITH recent AS (SELECT * FROM events WHERE a = 1) SELECT * FROM recent WHERE b = 2",
        )
        .expect("q");
        assert_eq!(q.ctes, ["recent"]);
        assert_eq!(q.tables[0].0, "recent");
        assert!(read("INSERT INTO t VALUES (1)").is_none());
        assert!(read("CREATE INDEX i ON t (a)").is_none());
        for s in [
            "SELECT",
            "SELECT FROM",
            "SELECT * FROM (",
            "WITH a AS (",
            "UPDATE",
            "SELECT * FROM t WHERE ((((",
        ] {
            let _ = read(s);
        }
    }
}
