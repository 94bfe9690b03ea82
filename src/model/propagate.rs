//! Transitive facts over the call graph: "this function (through the
//! functions it calls) blocks / queries". Shortest witness chains, cycles
//! handled.

use super::{CallRef, FnRef};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// Why a function has the property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach<L> {
    /// It does the thing itself, at this site.
    Direct(L),
    /// It calls (at this call) a function that has the property.
    Via(CallRef, FnRef),
}

/// Spread a property from `seeds` to every function that calls one of them,
/// directly or through other functions. `edges` are `(caller, call, callee)`.
/// Breadth-first, so each function's witness chain is a shortest one.
pub fn propagate<L: Copy>(
    seeds: impl IntoIterator<Item = (FnRef, L)>,
    edges: &[(FnRef, CallRef, FnRef)],
) -> FxHashMap<FnRef, Reach<L>> {
    let mut callers: FxHashMap<FnRef, Vec<(FnRef, CallRef)>> = FxHashMap::default();
    for &(caller, call, callee) in edges {
        callers.entry(callee).or_default().push((caller, call));
    }
    let mut reached: FxHashMap<FnRef, Reach<L>> = FxHashMap::default();
    let mut queue = VecDeque::new();
    for (f, site) in seeds {
        if let std::collections::hash_map::Entry::Vacant(slot) = reached.entry(f) {
            slot.insert(Reach::Direct(site));
            queue.push_back(f);
        }
    }
    while let Some(f) = queue.pop_front() {
        for &(caller, call) in callers.get(&f).map(Vec::as_slice).unwrap_or(&[]) {
            if let std::collections::hash_map::Entry::Vacant(slot) = reached.entry(caller) {
                slot.insert(Reach::Via(call, f));
                queue.push_back(caller);
            }
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: u32) -> FnRef {
        FnRef { file: 0, func: n }
    }
    fn c(n: u32) -> CallRef {
        CallRef { file: 0, call: n }
    }

    #[test]
    fn chains_and_cycles() {
        // 0 -> 1 -> 2 (seed), 3 <-> 4 (cycle, no seed), 2 -> 0 (cycle through the seed)
        let edges = [
            (f(0), c(0), f(1)),
            (f(1), c(1), f(2)),
            (f(3), c(2), f(4)),
            (f(4), c(3), f(3)),
            (f(2), c(4), f(0)),
        ];
        let reached = propagate([(f(2), 'x')], &edges);
        assert_eq!(reached[&f(2)], Reach::Direct('x'));
        assert_eq!(reached[&f(1)], Reach::Via(c(1), f(2)));
        assert_eq!(reached[&f(0)], Reach::Via(c(0), f(1)));
        assert!(!reached.contains_key(&f(3)));
        assert!(!reached.contains_key(&f(4)));
    }
}
