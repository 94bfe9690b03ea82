//! SQL DDL statements to schema [`Op`]s: `CREATE TABLE` (inline and
//! out-of-line `PRIMARY KEY`, `UNIQUE`, `REFERENCES`, MySQL `KEY`/`INDEX`
//! lines), `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS]` (multi-
//! column, partial, expression, `USING method`), `ALTER TABLE` (`ADD`/`DROP`
//! `COLUMN`/`CONSTRAINT`/`INDEX`, `RENAME`), `DROP INDEX`, `DROP TABLE`,
//! `ALTER INDEX ... RENAME`, MySQL `RENAME TABLE`, in the Postgres, MySQL
//! and SQLite dialects.
//!
//! Read with the tokenizer in [`super::tokens`] rather than the tree-sitter
//! grammar: DDL is where dialects differ most (`ENGINE=InnoDB`,
//! `USING btree`, backticks, prefix lengths), and a bounded token scan
//! accepts all of them.

use super::tokens::{compact, matching_paren, split_commas, tokenize, Tok, Token};
use super::{normalize_name, Column, Dialect, ForeignKey, Index, IndexKind, Key, Op, Source};
use crate::facts::Span;

/// What one DDL statement says.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Statement {
    /// The schema changes, in order.
    pub ops: Vec<Op>,
    /// `CREATE INDEX CONCURRENTLY` (Postgres: builds without blocking writes).
    pub concurrently: bool,
    /// A dialect this statement can only be written in.
    pub dialect: Option<Dialect>,
}

/// Read one statement. `source` is where it starts; facts inside take the
/// line of their own token (`line_of` maps a byte offset in `sql` to a line).
pub fn statement_ops(sql: &str, source: &Source) -> Statement {
    let toks = tokenize(sql);
    // Positions of facts inside the statement, from the statement's span.
    let at = |tok: &Token| {
        let before = sql.get(..tok.at).unwrap_or("");
        let newlines = before.bytes().filter(|b| *b == b'\n').count() as u32;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let chars = before.get(line_start..).map_or(0, |s| s.chars().count()) as u32;
        let base = source.span;
        Source::new(
            &source.path,
            Span {
                start: base.start + tok.at as u32,
                end: base.start + tok.end as u32,
                line: source.line + newlines,
                column: if newlines == 0 {
                    base.column + chars
                } else {
                    chars + 1
                },
                end_line: source.line + newlines,
            },
        )
    };
    let mut st = Statement {
        dialect: dialect_hint(sql, &toks),
        ..Statement::default()
    };
    let mut r = Reader {
        toks: &toks,
        pos: 0,
    };
    if r.eat("CREATE") {
        r.eat_seq(&["OR", "REPLACE"]);
        while r.eat_any(&["TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL"]) {}
        if r.eat("TABLE") {
            create_table(&mut r, &mut st, &at);
        } else {
            let unique = r.eat("UNIQUE");
            r.eat_any(&["CLUSTERED", "NONCLUSTERED", "FULLTEXT", "SPATIAL"]);
            if r.eat("INDEX") {
                create_index(&mut r, &mut st, unique, &at);
            }
        }
    } else if r.eat("ALTER") {
        if r.eat("TABLE") {
            alter_table(&mut r, &mut st, &at);
        } else if r.eat("INDEX") {
            r.eat_seq(&["IF", "EXISTS"]);
            if let (Some(from), true, true) = (r.name(), r.eat("RENAME"), r.eat("TO")) {
                if let Some(to) = r.name() {
                    st.ops.push(Op::RenameIndex { from, to });
                }
            }
        }
    } else if r.eat("DROP") {
        if r.eat("TABLE") {
            r.eat_seq(&["IF", "EXISTS"]);
            while let Some(table) = r.name() {
                st.ops.push(Op::DropTable { table });
                if !r.eat_punct(",") {
                    break;
                }
            }
        } else if r.eat("INDEX") {
            r.eat("CONCURRENTLY");
            r.eat_seq(&["IF", "EXISTS"]);
            let mut names = Vec::new();
            while let Some(name) = r.name() {
                names.push(name);
                if !r.eat_punct(",") {
                    break;
                }
            }
            let table = if r.eat("ON") { r.name() } else { None };
            st.ops.extend(names.into_iter().map(|name| Op::DropIndex {
                table: table.clone(),
                name,
            }));
        }
    } else if r.eat("RENAME") && r.eat("TABLE") {
        while let (Some(from), true) = (r.name(), r.eat("TO")) {
            let Some(to) = r.name() else { break };
            st.ops.push(Op::RenameTable { from, to });
            if !r.eat_punct(",") {
                break;
            }
        }
    }
    st
}

/// A cursor over tokens.
struct Reader<'t> {
    toks: &'t [Token],
    pos: usize,
}

impl<'t> Reader<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn token(&self) -> Option<&'t Token> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, kw: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is(kw));
        self.pos += hit as usize;
        hit
    }

    fn eat_any(&mut self, kws: &[&str]) -> bool {
        kws.iter().any(|k| self.eat(k))
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_punct(p));
        self.pos += hit as usize;
        hit
    }

    /// Eat a keyword sequence only when all of it is there.
    fn eat_seq(&mut self, kws: &[&str]) -> bool {
        let hit = kws
            .iter()
            .enumerate()
            .all(|(i, k)| self.toks.get(self.pos + i).is_some_and(|t| t.tok.is(k)));
        if hit {
            self.pos += kws.len();
        }
        hit
    }

    /// A possibly qualified name (`public.orders`, `"A"."b"`), normalized.
    fn name(&mut self) -> Option<String> {
        let mut last = self.peek()?.ident()?;
        self.pos += 1;
        while self.peek().is_some_and(|t| t.is_punct("."))
            && self
                .toks
                .get(self.pos + 1)
                .is_some_and(|t| t.tok.ident().is_some())
        {
            last = self.toks[self.pos + 1].tok.ident().unwrap_or_default();
            self.pos += 2;
        }
        Some(normalize_name(&last))
    }

    /// A parenthesised group: the tokens inside, with the reader after `)`.
    fn group(&mut self) -> Option<&'t [Token]> {
        if !self.peek().is_some_and(|t| t.is_punct("(")) {
            return None;
        }
        let close = matching_paren(self.toks, self.pos);
        let inner = &self.toks[self.pos + 1..close.min(self.toks.len())];
        self.pos = close + 1;
        Some(inner)
    }

    fn rest(&self) -> &'t [Token] {
        self.toks.get(self.pos..).unwrap_or_default()
    }
}

/// The keys of a `(a, b DESC, lower(c), d(10))` list.
fn column_list(inner: &[Token]) -> Vec<Key> {
    split_commas(inner).into_iter().filter_map(key).collect()
}

/// One index key: a column (with ordering, opclass, collation or MySQL
/// prefix length after it) or an expression.
fn key(part: &[Token]) -> Option<Key> {
    let first = part.first()?;
    let name = first.tok.ident()?;
    let rest = &part[1..];
    let plain = match rest.first().map(|t| &t.tok) {
        None => true,
        // MySQL prefix length `name(10)`.
        Some(Tok::Punct(p)) if p == "(" => {
            rest.len() == 3 && matches!(rest[1].tok, Tok::Number(_)) && rest[2].tok.is_punct(")")
        }
        Some(Tok::Word(_)) => rest.iter().all(|t| match &t.tok {
            Tok::Word(_) | Tok::Quoted(_) => true,
            Tok::Punct(p) => p == ".",
            _ => false,
        }),
        _ => false,
    };
    if plain && !matches!(first.tok, Tok::Str(_)) {
        Some(Key::Column(normalize_name(&name)))
    } else {
        let expr = if part.first().is_some_and(|t| t.tok.is_punct("("))
            && matching_paren(part, 0) == part.len() - 1
        {
            &part[1..part.len() - 1]
        } else {
            part
        };
        let expr = strip_ordering(expr);
        Some(Key::Expression(compact(expr)))
    }
}

/// An expression key without a trailing `ASC`/`DESC`/`NULLS FIRST`.
fn strip_ordering(mut toks: &[Token]) -> &[Token] {
    while let Some(last) = toks.last() {
        if ["asc", "desc", "nulls", "first", "last"]
            .iter()
            .any(|k| last.tok.is(k))
        {
            toks = &toks[..toks.len() - 1];
        } else {
            break;
        }
    }
    toks
}

fn columns_of(keys: &[Key]) -> Vec<String> {
    keys.iter()
        .filter_map(|k| k.column().map(str::to_string))
        .collect()
}

fn create_table(r: &mut Reader, st: &mut Statement, at: &dyn Fn(&Token) -> Source) {
    let if_not_exists = r.eat_seq(&["IF", "NOT", "EXISTS"]);
    let Some(table) = r.name() else { return };
    st.ops.push(Op::CreateTable {
        table: table.clone(),
        if_not_exists,
    });
    let Some(body) = r.group() else { return };
    for element in split_commas(body) {
        table_element(&table, element, st, at);
    }
}

/// One element of a `CREATE TABLE` body or an `ALTER TABLE ... ADD`.
fn table_element(
    table: &str,
    element: &[Token],
    st: &mut Statement,
    at: &dyn Fn(&Token) -> Source,
) {
    let Some(first) = element.first() else { return };
    let mut r = Reader {
        toks: element,
        pos: 0,
    };
    let source = at(first);
    let constraint = if r.eat("CONSTRAINT") { r.name() } else { None };
    let index = |keys: Vec<Key>, kind: IndexKind, name: Option<String>| Op::AddIndex {
        table: table.to_string(),
        index: Index {
            name,
            keys,
            kind,
            partial: None,
            method: None,
            source: source.clone(),
        },
    };
    if r.eat_seq(&["PRIMARY", "KEY"]) {
        if let Some(inner) = r.group() {
            st.ops
                .push(index(column_list(inner), IndexKind::Primary, constraint));
        }
    } else if r.eat("UNIQUE") {
        r.eat_any(&["KEY", "INDEX"]);
        let name = if r.peek().is_some_and(|t| t.ident().is_some()) {
            r.name()
        } else {
            constraint
        };
        if let Some(inner) = r.group() {
            st.ops
                .push(index(column_list(inner), IndexKind::Unique, name));
        }
    } else if r.eat_seq(&["FOREIGN", "KEY"]) {
        if r.peek().is_some_and(|t| t.ident().is_some()) {
            r.name();
        }
        if let Some(inner) = r.group() {
            let columns = columns_of(&column_list(inner));
            if let Some(key) = references(&mut r, columns, constraint, source.clone()) {
                st.ops.push(Op::AddForeignKey {
                    table: table.to_string(),
                    key,
                });
            }
        }
    } else if r.eat_any(&["KEY", "INDEX"]) {
        let name = if r.peek().is_some_and(|t| t.ident().is_some()) {
            r.name()
        } else {
            None
        };
        if let Some(inner) = r.group() {
            st.ops
                .push(index(column_list(inner), IndexKind::Plain, name));
        }
    } else if r.eat_any(&["CHECK", "EXCLUDE", "LIKE", "FULLTEXT", "SPATIAL", "PERIOD"])
        || constraint.is_some()
    {
    } else {
        column_definition(table, &mut r, st, source);
    }
}

/// `name type [constraints]`.
fn column_definition(table: &str, r: &mut Reader, st: &mut Statement, source: Source) {
    let Some(name) = r.peek().and_then(Tok::ident) else {
        return;
    };
    r.pos += 1;
    let name = normalize_name(&name);
    let type_start = r.pos;
    while r.peek().is_some_and(|t| {
        ![
            "primary",
            "unique",
            "references",
            "not",
            "null",
            "default",
            "constraint",
            "check",
            "generated",
            "collate",
            "auto_increment",
            "autoincrement",
            "comment",
        ]
        .iter()
        .any(|k| t.is(k))
    }) {
        if r.peek().is_some_and(|t| t.is_punct("(")) {
            r.group();
        } else {
            r.pos += 1;
        }
    }
    let sql_type = compact(&r.toks[type_start..r.pos]);
    st.ops.push(Op::AddColumn {
        table: table.to_string(),
        column: Column {
            name: name.clone(),
            sql_type: (!sql_type.is_empty()).then_some(sql_type),
            source: source.clone(),
        },
    });
    let one = |kind| Op::AddIndex {
        table: table.to_string(),
        index: Index {
            name: None,
            keys: vec![Key::Column(name.clone())],
            kind,
            partial: None,
            method: None,
            source: source.clone(),
        },
    };
    while r.peek().is_some() {
        if r.eat_seq(&["PRIMARY", "KEY"]) {
            st.ops.push(one(IndexKind::Primary));
        } else if r.eat("UNIQUE") {
            r.eat("KEY");
            st.ops.push(one(IndexKind::Unique));
        } else if r.peek().is_some_and(|t| t.is("REFERENCES")) {
            if let Some(key) = references(r, vec![name.clone()], None, source.clone()) {
                st.ops.push(Op::AddForeignKey {
                    table: table.to_string(),
                    key,
                });
            }
        } else if r.peek().is_some_and(|t| t.is_punct("(")) {
            r.group();
        } else {
            r.pos += 1;
        }
    }
}

/// `REFERENCES table [(cols)]`.
fn references(
    r: &mut Reader,
    columns: Vec<String>,
    name: Option<String>,
    source: Source,
) -> Option<ForeignKey> {
    if !r.eat("REFERENCES") {
        return None;
    }
    let references = r.name()?;
    let ref_columns = r
        .group()
        .map(|inner| columns_of(&column_list(inner)))
        .unwrap_or_default();
    Some(ForeignKey {
        name,
        columns,
        references,
        ref_columns,
        source,
    })
}

fn create_index(r: &mut Reader, st: &mut Statement, unique: bool, at: &dyn Fn(&Token) -> Source) {
    st.concurrently = r.eat("CONCURRENTLY");
    r.eat_seq(&["IF", "NOT", "EXISTS"]);
    let Some(start) = r.token() else { return };
    let name = if r.peek().is_some_and(|t| t.is("ON")) {
        None
    } else {
        r.name()
    };
    if !r.eat("ON") {
        return;
    }
    r.eat("ONLY");
    let Some(table) = r.name() else { return };
    let mut method = None;
    if r.eat("USING") {
        method = r.peek().and_then(Tok::ident);
        r.pos += 1;
    }
    let Some(inner) = r.group() else { return };
    let keys = column_list(inner);
    // MySQL writes `USING BTREE` after the key list.
    if r.eat("USING") {
        method = r.peek().and_then(Tok::ident);
        r.pos += 1;
    }
    let rest = r.rest();
    let partial = rest
        .iter()
        .position(|t| t.tok.is("WHERE"))
        .map(|i| compact(&rest[i + 1..]));
    if keys.is_empty() {
        return;
    }
    // A trigram or full-text opclass makes the method matter, not the keys.
    let method = method.filter(|m| m != "btree");
    st.ops.push(Op::AddIndex {
        table,
        index: Index {
            name,
            keys,
            kind: if unique {
                IndexKind::Unique
            } else {
                IndexKind::Plain
            },
            partial,
            method,
            source: at(start),
        },
    });
}

fn alter_table(r: &mut Reader, st: &mut Statement, at: &dyn Fn(&Token) -> Source) {
    r.eat_seq(&["IF", "EXISTS"]);
    r.eat("ONLY");
    let Some(table) = r.name() else { return };
    for action in split_commas(r.rest()) {
        let mut a = Reader {
            toks: action,
            pos: 0,
        };
        if a.eat("ADD") {
            a.eat("COLUMN");
            a.eat_seq(&["IF", "NOT", "EXISTS"]);
            table_element(&table, a.rest(), st, at);
        } else if a.eat("DROP") {
            if a.eat_any(&["CONSTRAINT", "INDEX", "KEY"]) {
                a.eat_seq(&["IF", "EXISTS"]);
                if let Some(name) = a.name() {
                    st.ops.push(Op::DropIndex {
                        table: Some(table.clone()),
                        name,
                    });
                }
            } else if a.eat_seq(&["PRIMARY", "KEY"]) || a.eat_seq(&["FOREIGN", "KEY"]) {
            } else {
                a.eat("COLUMN");
                a.eat_seq(&["IF", "EXISTS"]);
                if let Some(column) = a.name() {
                    st.ops.push(Op::DropColumn {
                        table: table.clone(),
                        column,
                    });
                }
            }
        } else if a.eat("RENAME") {
            if a.eat("TO") || a.eat("AS") {
                if let Some(to) = a.name() {
                    st.ops.push(Op::RenameTable {
                        from: table.clone(),
                        to,
                    });
                }
            } else if a.eat_any(&["INDEX", "KEY", "CONSTRAINT"]) {
                rename_pair(&mut a).into_iter().for_each(|(from, to)| {
                    st.ops.push(Op::RenameIndex { from, to });
                });
            } else {
                a.eat("COLUMN");
                if let Some((from, to)) = rename_pair(&mut a) {
                    st.ops.push(Op::RenameColumn {
                        table: table.clone(),
                        from,
                        to,
                    });
                }
            }
        }
    }
}

/// `a TO b`.
fn rename_pair(r: &mut Reader) -> Option<(String, String)> {
    let from = r.name()?;
    if !r.eat("TO") {
        return None;
    }
    Some((from, r.name()?))
}

/// A dialect only this statement's syntax belongs to.
fn dialect_hint(sql: &str, toks: &[Token]) -> Option<Dialect> {
    let word = |w: &str| toks.iter().any(|t| t.tok.is(w));
    if sql.contains('`') || word("AUTO_INCREMENT") || word("ENGINE") || word("UNSIGNED") {
        Some(Dialect::MySql)
    } else if word("CONCURRENTLY")
        || word("BIGSERIAL")
        || word("SERIAL")
        || word("TIMESTAMPTZ")
        || word("JSONB")
        || word("BYTEA")
        || toks.iter().any(|t| t.tok.is_punct("::"))
    {
        Some(Dialect::Postgres)
    } else if word("AUTOINCREMENT") || (word("WITHOUT") && word("ROWID")) {
        Some(Dialect::Sqlite)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
