//! Witness chains: how a function reached a property found by
//! [`crate::model::propagate`], hop by hop down to the site that has it.
//! Families print them as "`a()` → `b()` → `site` at file:line".

use crate::finding::Evidence;
use crate::model::{CallRef, FnRef, Model, Reach};
use rustc_hash::FxHashMap;

/// One step down a chain.
pub enum Hop<L> {
    /// `function` calls another project function at `call`.
    Call(FnRef, CallRef),
    /// `function` contains the site.
    Site(FnRef, L),
}

/// The hops from `start` down to its site, or None when `start` does not
/// have the property. Never empty when Some.
pub fn chain<L: Copy>(start: FnRef, reached: &FxHashMap<FnRef, Reach<L>>) -> Option<Vec<Hop<L>>> {
    let mut hops = Vec::new();
    let mut current = start;
    // Breadth-first witnesses never loop, but stay defensive about depth.
    for _ in 0..64 {
        match reached.get(&current)? {
            Reach::Direct(site) => {
                hops.push(Hop::Site(current, *site));
                return Some(hops);
            }
            Reach::Via(call, next) => {
                hops.push(Hop::Call(current, *call));
                current = *next;
            }
        }
    }
    None
}

/// The function a chain starts in.
pub fn chain_start<L>(chain: &[Hop<L>]) -> Option<FnRef> {
    match chain.first()? {
        Hop::Call(f, _) | Hop::Site(f, _) => Some(*f),
    }
}

/// `s` with its first character in lower case (a catalog's fix sentence
/// continued after a semicolon).
pub fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a [`Hop::Call`] reads in a chain message (`` `b()` ``) and the
/// evidence step it adds ("`a` calls `b()`" at the call).
pub fn call_hop(model: &Model, from: FnRef, via: CallRef) -> (String, Evidence) {
    let c = model.call(via);
    let evidence = Evidence {
        path: model.file(via.file).path.clone(),
        line: c.span.line,
        note: format!("`{}` calls `{}()`", model.function(from).name, c.callee),
    };
    (format!("`{}()`", c.callee), evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::propagate;

    #[test]
    fn chains_walk_down_to_the_site() {
        let f = |n| FnRef { file: 0, func: n };
        let c = |n| CallRef { file: 0, call: n };
        let reached = propagate([(f(2), 'x')], &[(f(0), c(0), f(1)), (f(1), c(1), f(2))]);
        let hops = chain(f(0), &reached).unwrap();
        assert_eq!(hops.len(), 3);
        assert!(matches!(hops[2], Hop::Site(g, 'x') if g == f(2)));
        assert_eq!(chain_start(&hops), Some(f(0)));
        assert!(chain(f(3), &reached).is_none());
        assert_eq!(lowercase_first("Use X"), "use X");
    }
}
