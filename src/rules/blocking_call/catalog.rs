//! The blocking-call catalogs (`rules/catalogs/blocking/<language>.toml`):
//! which calls block the thread they run on, and which calls run their
//! function arguments somewhere else. Data, not code: adding a blocking call
//! is one entry and one fixture line.

use crate::facts::Import;
use crate::finding::Severity;
use crate::rules::globs::{self, EntryGlobs};
use globset::GlobSet;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A group of calls that block in the same way.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule name within the family (`sleep`, `file-io`, ...).
    pub rule: String,
    /// Globs over resolved callees.
    #[serde(default)]
    pub calls: Vec<String>,
    /// Globs over the resolved iterable of synchronous loops.
    #[serde(default)]
    pub iterables: Vec<String>,
    /// Completes "`CALLEE` ...": what the call does.
    pub what: String,
    /// The fix in the stack's own idiom.
    pub fix: String,
    /// Overrides the rule's default severity.
    pub severity: Option<Severity>,
    /// Imports that make these calls asynchronous in the importing file: a
    /// trait bringing async methods of the same names into scope
    /// (`diesel_async.RunQueryDsl` for Diesel's `execute`/`load`), matched
    /// as the import target or its prefix.
    #[serde(default)]
    pub unless_imported: Vec<String>,
}

impl Entry {
    /// Whether a file's imports make this entry's calls asynchronous.
    pub fn excused_by(&self, imports: &[Import]) -> bool {
        imports.iter().any(|i| {
            self.unless_imported.iter().any(|u| {
                i.target == *u
                    || i.target
                        .strip_prefix(u.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Offload {
    calls: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// How to take a blocking project helper off the loop; `{helper}` is
    /// replaced by its name.
    helper_fix: Option<String>,
    #[serde(default)]
    blocking: Vec<Entry>,
    #[serde(default)]
    offload: Vec<Offload>,
}

/// One language's catalog, compiled.
pub struct Catalog {
    /// The entries.
    pub entries: Vec<Entry>,
    /// How to take a blocking helper off the loop (`{helper}` placeholder).
    pub helper_fix: String,
    globs: EntryGlobs,
    offload: GlobSet,
}

impl Catalog {
    /// The entry a resolved callee matches, if any (the first listed wins).
    pub fn blocking_call(&self, resolved: &str) -> Option<&Entry> {
        self.globs.call(resolved).map(|i| &self.entries[i])
    }

    /// The entry a synchronously iterated expression matches, if any.
    pub fn blocking_iterable(&self, resolved: &str) -> Option<&Entry> {
        self.globs.iterable(resolved).map(|i| &self.entries[i])
    }

    /// Whether a call runs its function arguments off the event loop.
    pub fn offloads(&self, resolved: &str) -> bool {
        self.offload.is_match(resolved)
    }
}

/// Compile one catalog file.
pub fn compile(text: &str) -> Result<Catalog, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let globs = EntryGlobs::compile(
        file.blocking
            .iter()
            .map(|e| (e.calls.as_slice(), e.iterables.as_slice())),
    )?;
    let offload = globs::set(file.offload.iter().flat_map(|o| &o.calls))?;
    Ok(Catalog {
        entries: file.blocking,
        helper_fix: file
            .helper_fix
            .unwrap_or_else(|| "run `{helper}` off the event loop, or make it asynchronous".into()),
        globs,
        offload,
    })
}

/// The compiled catalogs, by language family (`python`, `javascript`, `rust`).
/// Panics at first use if an embedded catalog is malformed; `tests/meta.rs`
/// makes that a test failure, never a user's.
pub fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        crate::rules::meta::catalog_files("blocking")
            .map(|(language, text)| {
                let catalog = compile(text)
                    .unwrap_or_else(|e| panic!("rules/catalogs/blocking/{language}.toml: {e}"));
                (language, catalog)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_resolved_callees() {
        let catalog = compile(
            r#"
            [[blocking]]
            rule = "sleep"
            calls = ["time.sleep", "std::thread::sleep"]
            what = "sleeps"
            fix = "await asyncio.sleep()"
            [[blocking]]
            rule = "sync-network"
            calls = ["requests.Session().*", "*.objects*.{get,first}"]
            what = "waits"
            fix = "use an async client"
            [[offload]]
            calls = ["asyncio.to_thread", "*.run_in_executor"]
            "#,
        )
        .unwrap();
        assert_eq!(catalog.blocking_call("time.sleep").unwrap().rule, "sleep");
        assert_eq!(
            catalog.blocking_call("std.thread.sleep").unwrap().rule,
            "sleep"
        );
        assert!(catalog.blocking_call("asyncio.sleep").is_none());
        assert!(catalog.blocking_call("requests.Session().get").is_some());
        assert!(catalog
            .blocking_call("shop.Order.objects.filter().first")
            .is_some());
        assert!(catalog.blocking_call("shop.Order.objects.filter").is_none());
        assert!(catalog.offloads("asyncio.get_running_loop().run_in_executor"));
        assert!(!catalog.offloads("asyncio.gather"));
    }
}
