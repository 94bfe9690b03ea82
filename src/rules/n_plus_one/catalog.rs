//! The query catalogs (`rules/catalogs/n-plus-one/<language>.toml`): which
//! classes are ORM models, clients or sessions (`[[models]]`), which calls
//! run a query (`[[query]]`), and which calls run per-item work
//! concurrently (`[[concurrent]]`). Data, not code: adding a query method is
//! one entry and one fixture line.

use crate::rules::globs::{self, EntryGlobs};
use globset::GlobSet;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Classes that stand for one ORM concept (a model, a session, a client).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelKind {
    /// The ORM, for reports (`django`, `prisma`).
    pub orm: String,
    /// What these classes, and project classes deriving from them, are
    /// written as in query globs (`<django>`).
    pub token: String,
    /// Resolved names of the library's classes (or factory calls, ending in
    /// `()`), exactly as callees spell them.
    pub classes: Vec<String>,
}

/// A group of calls that run a query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// The ORM or driver, for messages (`Django ORM`, `Prisma`).
    pub orm: String,
    /// Globs over resolved callees, model classes written as their token.
    #[serde(default)]
    pub calls: Vec<String>,
    /// Globs over the resolved iterable of loops: iterating it runs a query.
    #[serde(default)]
    pub iterables: Vec<String>,
    /// Only when the call is awaited (query builders run when awaited).
    #[serde(default)]
    pub awaited: bool,
    /// Calls that return plain data, not a query builder: a matching callee
    /// with one of them in its receiver chain (`in_bulk(ids).get(id)`, a
    /// dict lookup) is no query.
    #[serde(default)]
    pub results: Vec<String>,
    /// The first argument is the SQL text. Executed from a variable with no
    /// parameters (`for statement in sql_list: cursor.execute(statement)`),
    /// it runs a list of different statements, not one query per item.
    #[serde(default)]
    pub sql_first: bool,
    /// Completes "`CALLEE` ...": what the call does.
    pub what: String,
    /// The batched form in the ORM's own idiom.
    pub fix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Concurrent {
    calls: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Memo {
    calls: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    helper_fix: String,
    #[serde(default)]
    batch_lookups: Vec<String>,
    #[serde(default)]
    memo: Vec<Memo>,
    #[serde(default)]
    models: Vec<ModelKind>,
    #[serde(default)]
    query: Vec<Query>,
    #[serde(default)]
    concurrent: Vec<Concurrent>,
}

/// One language's catalog, compiled.
pub struct Catalog {
    /// The model kinds.
    pub models: Vec<ModelKind>,
    /// The query groups.
    pub queries: Vec<Query>,
    /// How to batch a querying project helper (`{helper}` placeholder).
    pub helper_fix: String,
    /// Keyword suffixes of a filter over many keys at once (Django
    /// `pk__in=`): a query built with one runs once per batch, which is
    /// the fix, not once per item.
    pub batch_lookups: Vec<String>,
    globs: EntryGlobs,
    concurrent: GlobSet,
    memo: GlobSet,
    /// Method names query globs end with: a call named otherwise is no
    /// query, which spares most calls the glob match.
    names: HashSet<String>,
    /// Some awaited-only glob ends in a wildcard (`knex()()*`).
    any_name_awaited: bool,
    /// Some other glob ends in a wildcard.
    any_name: bool,
}

impl Catalog {
    /// Whether a call reads a cache: a function that makes it is a
    /// read-through cache (`cache.get(key)` first, the query on a miss), so
    /// calling it per item does not query per item.
    pub fn memo(&self, resolved: &str) -> bool {
        self.memo.is_match(resolved)
    }

    /// Whether a call with this resolved callee may be a query, judged by its
    /// last segment alone (cheap; [`Catalog::query_call`] decides).
    pub fn may_query(&self, resolved: &str, awaited: bool) -> bool {
        if self.any_name || (awaited && self.any_name_awaited) {
            return true;
        }
        let name = resolved.rsplit('.').next().unwrap_or(resolved);
        self.names.contains(name)
    }

    /// The query group a canonical callee belongs to, if it runs a query.
    pub fn query_call(&self, canonical: &str, awaited: bool) -> Option<&Query> {
        let entry = self.globs.call(canonical)?;
        let query = &self.queries[entry];
        let on_result = || {
            let receiver = canonical.rsplit_once('.').map_or("", |(r, _)| r);
            query.results.iter().any(|name| {
                receiver.match_indices(name.as_str()).any(|(i, _)| {
                    receiver[..i].ends_with('.') && receiver[i + name.len()..].starts_with("()")
                })
            })
        };
        ((awaited || !query.awaited) && !on_result()).then_some(query)
    }

    /// The query group a canonical iterable belongs to, if iterating it runs a
    /// query.
    pub fn query_iterable(&self, canonical: &str) -> Option<&Query> {
        self.globs.iterable(canonical).map(|i| &self.queries[i])
    }

    /// Whether a call runs the work built in its arguments concurrently
    /// (`Promise.all`, `asyncio.gather`, `join_all`).
    pub fn concurrent(&self, resolved: &str) -> bool {
        self.concurrent.is_match(resolved)
    }
}

/// Compile one catalog file.
pub fn compile(text: &str) -> Result<Catalog, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let globs = EntryGlobs::compile(
        file.query
            .iter()
            .map(|q| (q.calls.as_slice(), q.iterables.as_slice())),
    )?;
    let mut names = HashSet::new();
    let (mut any_name, mut any_name_awaited) = (false, false);
    for query in &file.query {
        for pattern in &query.calls {
            let last = last_segment(pattern);
            let alternatives = last
                .strip_prefix('{')
                .and_then(|l| l.strip_suffix('}'))
                .unwrap_or(last);
            if alternatives.contains(['*', '[', '{', '}']) {
                if query.awaited {
                    any_name_awaited = true;
                } else {
                    any_name = true;
                }
            } else {
                names.extend(alternatives.split(',').map(str::to_string));
            }
        }
    }
    let concurrent = globs::set(file.concurrent.iter().flat_map(|c| &c.calls))?;
    let memo = globs::set(file.memo.iter().flat_map(|m| &m.calls))?;
    Ok(Catalog {
        names,
        any_name,
        any_name_awaited,
        memo,
        models: file.models,
        queries: file.query,
        helper_fix: file.helper_fix,
        batch_lookups: file.batch_lookups,
        globs,
        concurrent,
    })
}

/// The last `.`-separated segment of a glob, keeping a `{..}` group whole.
fn last_segment(pattern: &str) -> &str {
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in pattern.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            '.' if depth == 0 => start = i + 1,
            _ => {}
        }
    }
    &pattern[start..]
}

/// The compiled catalogs, by language family. Panics at first use if an
/// embedded catalog is malformed; `tests/meta.rs` makes that a test failure.
pub fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        crate::rules::meta::catalog_files("n-plus-one")
            .map(|(language, text)| {
                let catalog = compile(text)
                    .unwrap_or_else(|e| panic!("rules/catalogs/n-plus-one/{language}.toml: {e}"));
                (language, catalog)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_match_canonical_callees() {
        let catalog = compile(
            r#"
            helper_fix = "batch `{helper}`"
            [[models]]
            orm = "django"
            token = "<django>"
            classes = ["django.db.models.Model"]
            [[query]]
            orm = "Django ORM"
            calls = ["<django>.objects.{get,count}", "<django>.objects.*.{get,count}"]
            results = ["in_bulk"]
            iterables = ["<django>.objects.*"]
            what = "runs a query"
            fix = "in_bulk"
            [[query]]
            orm = "Knex"
            calls = ["knex()()*"]
            awaited = true
            what = "runs a query"
            fix = "whereIn"
            [[concurrent]]
            calls = ["Promise.all"]
            "#,
        )
        .unwrap();
        assert!(catalog.query_call("<django>.objects.get", false).is_some());
        assert!(catalog
            .query_call("<django>.objects.filter().count", false)
            .is_some());
        assert!(catalog
            .query_call("<django>.objects.filter", false)
            .is_none());
        assert!(catalog
            .query_call("shop.Order.objects.get", false)
            .is_none());
        assert!(catalog.query_iterable("<django>.objects.all()").is_some());
        assert!(catalog
            .query_call("<django>.objects.in_bulk().get", false)
            .is_none());
        assert!(catalog.query_call("knex()().where", true).is_some());
        assert!(catalog.query_call("knex()().where", false).is_none());
        assert!(catalog.concurrent("Promise.all"));
        assert!(catalog.may_query("x.count", false));
        assert!(!catalog.may_query("x.filter", false));
        assert!(catalog.may_query("x.filter", true));
        assert_eq!(catalog.models[0].token, "<django>");
    }
}

#[cfg(test)]
mod embedded {
    #[test]
    fn embedded_catalogs_compile_and_use_declared_tokens() {
        let all = super::catalogs();
        for family in ["python", "javascript", "ruby", "rust"] {
            let catalog = &all[family];
            assert!(!catalog.queries.is_empty(), "{family}: no queries");
            for query in &catalog.queries {
                assert!(!query.fix.is_empty() && !query.what.is_empty());
                for pattern in query.calls.iter().chain(&query.iterables) {
                    let mut rest = pattern.as_str();
                    while let Some(start) = rest.find('<') {
                        let end = rest[start..].find('>').expect("closed token") + start;
                        let token = &rest[start..=end];
                        assert!(
                            catalog.models.iter().any(|m| m.token.starts_with(token)),
                            "{family}: {pattern} uses undeclared {token}"
                        );
                        rest = &rest[end..];
                    }
                }
            }
        }
    }
}
