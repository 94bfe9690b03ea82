//! The ad-hoc cache catalogs (`rules/catalogs/adhoc-cache/<language>.toml`):
//! what builds an unbounded map, how code stores into one or evicts from it,
//! which calls fetch fresh data beyond the query and blocking catalogs, the
//! memoising decorators, and the framework caches whose writes can be
//! eternal. Data, not code: adding a container type or a cache API is one
//! entry and one fixture line.

use crate::facts::{Arg, ArgValue};
use crate::rules::globs::{first_match, glob};
use globset::{GlobSet, GlobSetBuilder};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::sync::OnceLock;

/// A method that stores a value in the container it is called on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Write {
    /// Method names.
    pub methods: Vec<String>,
    /// Position of the key argument; none when the key is given earlier in
    /// the chain (`entry(k).or_insert_with(..)`).
    pub key: Option<usize>,
    /// Position of the stored value.
    pub value: usize,
    /// Position of an optional time-to-live argument: a write that gives
    /// one expires (node-cache `set(key, value, ttl)`).
    #[serde(default)]
    pub ttl: Option<usize>,
    /// The container holds keys only (a set's `add(key)`): the key is what
    /// is stored.
    #[serde(default)]
    pub keys_only: bool,
}

/// Calls that fetch fresh data, beyond the query and blocking catalogs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    kind: Fresh,
    calls: Vec<String>,
}

/// Where fresh data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fresh {
    /// A database (or a data store such as Redis).
    Database,
    /// Another service over the network.
    Network,
}

impl Fresh {
    /// "the database", "the network".
    pub fn noun(self) -> &'static str {
        match self {
            Fresh::Database => "the database",
            Fresh::Network => "the network",
        }
    }
}

/// Memoising decorators (Python) and attributes (Rust).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Memo {
    /// Decorators that never bound their keys.
    pub unbounded: Vec<String>,
    /// Decorators bounded by a size argument.
    pub sized: Vec<String>,
    /// The size argument's keyword; for an attribute (Rust `#[cached(size
    /// = 100)]`) also the key that bounds an otherwise unbounded memo.
    pub size_keyword: String,
    /// Attribute keys that expire entries (`#[cached(time = 60)]`): such a
    /// memo is not reported.
    #[serde(default)]
    pub expiry_keywords: Vec<String>,
    /// The fix for a memoised function that reads changing data.
    pub fix: String,
    /// The fix for a memoised method.
    pub fix_method: String,
}

/// Functions that return a memoised version of the function they are given
/// (JavaScript: `lodash.memoize(fn)`, `memoizee(fn, { max })`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wrappers {
    /// Resolved callees that memoise their first argument.
    pub calls: Vec<String>,
    /// Option keys that bound the number of entries.
    pub size_keys: Vec<String>,
    /// Option keys that expire entries (or replace the store, which then
    /// decides): a wrapper given one is not reported.
    pub expiry_keys: Vec<String>,
    /// The option that bounds it, for messages: `max`.
    pub size_hint: String,
    /// The fix for a memoised function that reads changing data.
    pub fix: String,
}

impl Wrappers {
    /// Whether a resolved callee is a memoising wrapper.
    pub fn wraps(&self, resolved: &str) -> bool {
        self.calls.iter().any(|c| c == resolved)
    }
}

/// When a framework cache write keeps its value forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forever {
    /// The expiry argument is given as `None`/`nil` (Django's `timeout=None`).
    Null,
    /// No expiry argument is given (Rails' default store never expires).
    Absent,
}

/// A framework cache API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// For messages: `Django's cache`, `Rails.cache`.
    pub name: String,
    /// Globs over resolved callees that store a value.
    pub writes: Vec<String>,
    /// Globs over resolved callees that delete or refresh keys.
    pub deletes: Vec<String>,
    /// Keywords that set the expiry.
    pub expiry_keywords: Vec<String>,
    /// Position of the expiry argument, when it can be positional.
    pub expiry_position: Option<usize>,
    /// What an eternal write looks like.
    pub forever: Forever,
    /// Position of the stored value (a block or closure argument counts too).
    pub value_position: usize,
    /// Whether a key that is not a plain string may change with the record
    /// it names (Rails expands a record or an array key to
    /// `cache_key_with_version`), so such writes are never reported.
    #[serde(default)]
    pub versioned_keys: bool,
    /// Resolved setters that configure the store; one given an expiry
    /// keyword (`config.cache_store = :redis_cache_store, { expires_in:
    /// 1.hour }`) sets a default expiry for every write.
    #[serde(default)]
    pub store_config: Vec<String>,
    /// The fix in the framework's idiom.
    pub fix: String,
}

impl Framework {
    /// Whether a write with these arguments keeps its value forever.
    pub fn forever(&self, args: &[Arg]) -> bool {
        let keyword = args.iter().find(|a| {
            a.keyword
                .as_deref()
                .is_some_and(|k| self.expiry_keywords.iter().any(|e| e == k))
        });
        let positional = self
            .expiry_position
            .and_then(|p| args.iter().filter(|a| a.keyword.is_none()).nth(p));
        let given = keyword.or(positional);
        match self.forever {
            Forever::Null => given.is_some_and(|a| a.value == ArgValue::Null),
            Forever::Absent => given.is_none(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    containers: Vec<String>,
    #[serde(default)]
    annotations: Vec<String>,
    evictions: Vec<String>,
    size_checks: Vec<String>,
    materialise: Vec<String>,
    fix_growth: String,
    fix_shared: String,
    fix_process: String,
    #[serde(default)]
    writes: Vec<Write>,
    #[serde(default)]
    sources: Vec<Source>,
    memo: Option<Memo>,
    wrappers: Option<Wrappers>,
    #[serde(default)]
    singletons: Vec<String>,
    #[serde(default)]
    lazy: Vec<String>,
    #[serde(default)]
    once_inits: Vec<String>,
    #[serde(default)]
    framework: Vec<Framework>,
}

/// One language's catalog, compiled.
pub struct Catalog {
    /// Methods that take entries out of a container.
    pub evictions: Vec<String>,
    /// Functions that measure a container passed to them.
    pub size_checks: Vec<String>,
    /// Calls that evaluate the query they are given.
    pub materialise: Vec<String>,
    /// Fix for a cache that only grows (pure values).
    pub fix_growth: String,
    /// Fix for a per-process cache of changing data.
    pub fix_shared: String,
    /// Fix for a process-wide memoised value.
    pub fix_process: String,
    /// Store methods.
    pub writes: Vec<Write>,
    /// Memoising decorators.
    pub memo: Option<Memo>,
    /// Memoising wrapper functions.
    pub wrappers: Option<Wrappers>,
    /// Resolved class decorators of classes their framework instantiates
    /// once per process (NestJS `@Injectable()`).
    pub singletons: Vec<String>,
    /// Resolved constructors of a value computed by their closure on first
    /// use (`std.sync.LazyLock.new`).
    pub lazy: Vec<String>,
    /// Methods that fill a once-cell with their closure's value on first
    /// call (`get_or_init`).
    pub once_inits: Vec<String>,
    /// Framework caches.
    pub frameworks: Vec<Framework>,
    containers: GlobSet,
    annotations: GlobSet,
    sources: GlobSet,
    source_owner: Vec<usize>,
    source_kind: Vec<Fresh>,
    framework_writes: GlobSet,
    framework_write_owner: Vec<usize>,
    framework_deletes: GlobSet,
    framework_delete_owner: Vec<usize>,
}

impl Catalog {
    /// Whether a resolved constructor builds an unbounded map.
    pub fn container_call(&self, resolved: &str) -> bool {
        self.containers.is_match(resolved)
    }

    /// Whether a declared type (whitespace removed) is a writable map.
    pub fn container_type(&self, annotation: &str) -> bool {
        self.annotations.is_match(annotation)
    }

    /// The fresh data a resolved callee fetches, if the catalog lists it.
    pub fn source(&self, resolved: &str) -> Option<Fresh> {
        first_match(&self.sources, &self.source_owner, resolved).map(|i| self.source_kind[i])
    }

    /// The store method called `name`, if any.
    pub fn write(&self, name: &str) -> Option<&Write> {
        self.writes
            .iter()
            .find(|w| w.methods.iter().any(|m| m == name))
    }

    /// The framework cache a resolved callee writes to.
    pub fn framework_write(&self, resolved: &str) -> Option<&Framework> {
        first_match(
            &self.framework_writes,
            &self.framework_write_owner,
            resolved,
        )
        .map(|i| &self.frameworks[i])
    }

    /// The framework cache a resolved callee deletes from.
    pub fn framework_delete(&self, resolved: &str) -> Option<&Framework> {
        first_match(
            &self.framework_deletes,
            &self.framework_delete_owner,
            resolved,
        )
        .map(|i| &self.frameworks[i])
    }
}

/// The patterns of several groups, each with the index of its group.
fn owned<'a>(groups: impl Iterator<Item = &'a Vec<String>>) -> (Vec<&'a String>, Vec<usize>) {
    let mut patterns = Vec::new();
    let mut owners = Vec::new();
    for (i, group) in groups.enumerate() {
        for p in group {
            patterns.push(p);
            owners.push(i);
        }
    }
    (patterns, owners)
}

/// Compile one catalog file.
pub fn compile(text: &str) -> Result<Catalog, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let set = |patterns: &mut dyn Iterator<Item = &String>| -> Result<GlobSet, String> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            builder.add(glob(p)?);
        }
        builder.build().map_err(|e| e.to_string())
    };
    let (source_patterns, source_owner) = owned(file.sources.iter().map(|s| &s.calls));
    let source_kind = file.sources.iter().map(|s| s.kind).collect();
    let (write_patterns, framework_write_owner) = owned(file.framework.iter().map(|f| &f.writes));
    let (delete_patterns, framework_delete_owner) =
        owned(file.framework.iter().map(|f| &f.deletes));
    Ok(Catalog {
        containers: set(&mut file.containers.iter())?,
        annotations: set(&mut file.annotations.iter())?,
        sources: set(&mut source_patterns.into_iter())?,
        source_owner,
        source_kind,
        framework_writes: set(&mut write_patterns.into_iter())?,
        framework_write_owner,
        framework_deletes: set(&mut delete_patterns.into_iter())?,
        framework_delete_owner,
        evictions: file.evictions,
        size_checks: file.size_checks,
        materialise: file.materialise,
        fix_growth: file.fix_growth,
        fix_shared: file.fix_shared,
        fix_process: file.fix_process,
        writes: file.writes,
        memo: file.memo,
        wrappers: file.wrappers,
        singletons: file.singletons,
        lazy: file.lazy,
        once_inits: file.once_inits,
        frameworks: file.framework,
    })
}

/// The compiled catalogs, by language family. Panics at first use if an
/// embedded catalog is malformed; the tests below make that a test failure.
pub fn catalogs() -> &'static FxHashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<FxHashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        crate::rules::meta::catalog_files("adhoc-cache")
            .map(|(language, text)| {
                let catalog = compile(text)
                    .unwrap_or_else(|e| panic!("rules/catalogs/adhoc-cache/{language}.toml: {e}"));
                (language, catalog)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(keyword: Option<&str>, value: ArgValue) -> Arg {
        Arg {
            keyword: keyword.map(str::to_string),
            value,
        }
    }

    #[test]
    fn embedded_catalogs_compile() {
        let all = catalogs();
        for family in ["python", "javascript", "ruby", "rust"] {
            assert!(all.contains_key(family), "{family}");
        }
        let py = &all["python"];
        assert!(py.container_call("collections.defaultdict"));
        assert!(!py.container_call("cachetools.TTLCache"));
        assert_eq!(py.source("httpx.AsyncClient().get"), Some(Fresh::Network));
        assert!(py.write("setdefault").is_some());
        assert!(all["rust"].container_type("LazyLock<Mutex<FxHashMap<String,User>>>"));
        assert!(!all["rust"].container_type("FxHashMap<String,User>"));
    }

    #[test]
    fn eternal_writes_per_framework() {
        let all = catalogs();
        let django = all["python"]
            .framework_write("django.core.cache.cache.set")
            .unwrap();
        let k = || arg(None, ArgValue::Path("k".into()));
        assert!(django.forever(&[k(), k(), arg(None, ArgValue::Null)]));
        assert!(django.forever(&[k(), k(), arg(Some("timeout"), ArgValue::Null)]));
        assert!(!django.forever(&[k(), k()]));
        assert!(!django.forever(&[k(), k(), arg(None, ArgValue::Number("60".into()))]));
        let rails = all["ruby"].framework_write("Rails.cache().fetch").unwrap();
        assert!(rails.forever(&[arg(None, ArgValue::Str("k".into()))]));
        assert!(!rails.forever(&[
            arg(None, ArgValue::Str("k".into())),
            arg(Some("expires_in"), ArgValue::Call(3))
        ]));
        assert!(all["ruby"]
            .framework_delete("Rails.cache().delete")
            .is_some());
    }
}
