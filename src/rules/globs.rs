//! Catalog globs, shared by the families whose catalogs are data
//! (`rules/catalogs/<family>/<language>.toml`): patterns over resolved
//! callees, compiled once into a [`GlobSet`].

use globset::{Candidate, Glob, GlobSet};

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
