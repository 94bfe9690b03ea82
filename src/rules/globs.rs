//! Catalog globs, shared by the families whose catalogs are data
//! (`rules/catalogs/<family>/<language>.toml`): patterns over resolved
//! callees, compiled once into a [`GlobSet`].

use globset::{Candidate, Glob, GlobSet, GlobSetBuilder};

/// Compile one catalog pattern. Catalogs are written in each language's own
/// spelling; resolved callees use `.` between path segments everywhere, so
/// `std::fs::read` is matched as `std.fs.read`.
/// An empty alternative (`{,()}`) never matches in globset, so it is an error.
pub fn glob(pattern: &str) -> Result<Glob, String> {
    if pattern.contains("{,") || pattern.contains(",}") || pattern.contains(",,") {
        return Err(format!("bad glob {pattern:?}: empty alternative"));
    }
    Glob::new(&pattern.replace("::", ".")).map_err(|e| format!("bad glob {pattern:?}: {e}"))
}

/// The smallest owner of any pattern in `set` that matches `text`:
/// `owners[i]` is the entry pattern `i` came from, so the first listed entry
/// wins.
pub fn first_match(set: &GlobSet, owners: &[usize], text: &str) -> Option<usize> {
    if set.is_empty() {
        return None;
    }
    let candidate = Candidate::new(text);
    set.matches_candidate(&candidate)
        .into_iter()
        .map(|i| owners[i])
        .min()
}

/// A set of patterns with no owners (offload APIs, cache reads...).
pub fn set<'a>(patterns: impl IntoIterator<Item = &'a String>) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(glob(pattern)?);
    }
    builder.build().map_err(|e| e.to_string())
}

/// A catalog's call and iterable patterns, each matched back to the entry
/// it was listed in (the first listed entry wins).
pub struct EntryGlobs {
    calls: GlobSet,
    call_entry: Vec<usize>,
    iterables: GlobSet,
    iterable_entry: Vec<usize>,
}

impl EntryGlobs {
    /// Compile `(calls, iterables)` patterns per entry, in entry order.
    pub fn compile<'a>(
        entries: impl IntoIterator<Item = (&'a [String], &'a [String])>,
    ) -> Result<EntryGlobs, String> {
        let mut calls = GlobSetBuilder::new();
        let mut call_entry = Vec::new();
        let mut iterables = GlobSetBuilder::new();
        let mut iterable_entry = Vec::new();
        for (i, (call_patterns, iterable_patterns)) in entries.into_iter().enumerate() {
            for pattern in call_patterns {
                calls.add(glob(pattern)?);
                call_entry.push(i);
            }
            for pattern in iterable_patterns {
                iterables.add(glob(pattern)?);
                iterable_entry.push(i);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| e.to_string());
        Ok(EntryGlobs {
            calls: build(calls)?,
            call_entry,
            iterables: build(iterables)?,
            iterable_entry,
        })
    }

    /// The entry a callee matches.
    pub fn call(&self, text: &str) -> Option<usize> {
        first_match(&self.calls, &self.call_entry, text)
    }

    /// The entry an iterated expression matches.
    pub fn iterable(&self, text: &str) -> Option<usize> {
        first_match(&self.iterables, &self.iterable_entry, text)
    }
}
