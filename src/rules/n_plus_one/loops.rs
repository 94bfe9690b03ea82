//! Which loops run once per row of data, and which of them run their
//! per-item work concurrently.
//!
//! A loop over data is a `for`/`for await` loop, a comprehension or an
//! iterating callback (`.map`, `.forEach`, `.each`) whose iterable is not a
//! literal, a `range` of literal bounds or an upper-case constant: those have
//! a size fixed in the code, not one that grows with the data; nor is a name
//! bound to a literal list or dict (`fields = ["a", "b"]`, in the function or
//! at module level). `while` loops are not counted (polling and paging loops
//! are how batching is written).

use super::catalog::Catalog;
use crate::facts::{ArgValue, FileFacts, FunctionId, FunctionKind, LoopId, LoopKind, Span};
use rustc_hash::{FxHashMap, FxHashSet};

/// Methods that add to a collection: a literal they are called on grows.
const GROWERS: &[&str] = &[
    "append",
    "extend",
    "update",
    "add",
    "insert",
    "setdefault",
    "push",
    "concat",
    "merge!",
    "unshift",
    "set",
];

/// What the family knows about one file's loops.
pub struct LoopInfo {
    /// Per loop: it iterates over data.
    pub data: Vec<bool>,
    /// Per loop: its iterations run concurrently (`Promise.all(xs.map(..))`).
    pub concurrent: Vec<bool>,
}

impl LoopInfo {
    /// Classify a file's loops.
    pub fn new(facts: &FileFacts, catalog: &Catalog) -> LoopInfo {
        // Names bound to literal collections: (function, name) and module names.
        // Non-empty: `rows = []` is filled later, and grows with the data.
        let literal = |v: &Option<ArgValue>| match v {
            Some(ArgValue::List(items)) => !items.is_empty(),
            Some(ArgValue::Map(entries)) => !entries.is_empty(),
            _ => false,
        };
        // A literal that is rebound or grown later (`pages = {page}`, then
        // `pages.update(more)`, `pages = list(pages)`) holds data.
        let grown: FxHashSet<(Option<FunctionId>, &str)> = facts
            .calls
            .iter()
            .filter_map(|c| {
                let (receiver, method) = c.callee.rsplit_once('.')?;
                GROWERS.contains(&method).then_some((c.function, receiver))
            })
            .collect();
        let mut bound: FxHashMap<(Option<FunctionId>, &str), usize> = FxHashMap::default();
        for a in &facts.assigns {
            *bound.entry((a.function, a.target.as_str())).or_default() += 1;
        }
        let changed = |a: &crate::facts::Assign| {
            let key = (a.function, a.target.as_str());
            bound.get(&key).is_some_and(|&n| n > 1) || grown.contains(&key)
        };
        let literals: Vec<(Option<FunctionId>, &str)> = facts
            .assigns
            .iter()
            .filter(|a| literal(&a.value) && !changed(a))
            .flat_map(|a| {
                [
                    Some((a.function, a.target.as_str())),
                    a.resolved.as_deref().map(|r| (None, r)),
                ]
            })
            .flatten()
            .collect();
        let bound_to_literal = |l: &crate::facts::Loop| {
            let named = |f: Option<FunctionId>, name: &str| {
                literals.iter().any(|&(g, n)| g == f && n == name)
            };
            l.iterable
                .as_deref()
                .is_some_and(|i| named(l.function, i) || named(None, i))
                || l.iterable_resolved
                    .as_deref()
                    .is_some_and(|r| named(None, r))
        };
        let data = facts
            .loops
            .iter()
            .map(|l| {
                l.kind != LoopKind::While
                    && l.iterable.as_deref().is_some_and(grows)
                    && !bound_to_literal(l)
            })
            .collect();
        // The calls that gather per-item work, by function: few per file.
        let gathers: Vec<(Option<FunctionId>, Span, usize)> = facts
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.resolved.as_deref().is_some_and(|r| catalog.concurrent(r)))
            .map(|(i, c)| (c.function, c.span, i))
            .collect();
        // Locals whose pending work a gather awaits later: `Promise.all(ps)`,
        // `asyncio.gather(*tasks)`, `join_all(futs)`.
        let gathered = |function: Option<FunctionId>, name: &str, after: u32| {
            gathers.iter().any(|&(f, span, index)| {
                f == function
                    && span.start >= after
                    && facts.calls[index].args.iter().any(|a| match &a.value {
                        ArgValue::Path(t) | ArgValue::Other(t) => {
                            t.trim_start_matches(['*', '.']) == name
                        }
                        _ => false,
                    })
            })
        };
        let concurrent = facts
            .loops
            .iter()
            .enumerate()
            .map(|(id, l)| {
                let inside = gathers.iter().any(|&(function, span, index)| {
                    function == l.function
                        && l.call != Some(index as u32)
                        && span.start <= l.span.start
                        && l.span.end <= span.end
                });
                let gathers_here = || gathers.iter().any(|&(f, _, _)| f == l.function);
                inside || (gathers_here() && collected(facts, id as LoopId, l, &gathered))
            })
            .collect();
        LoopInfo { data, concurrent }
    }

    /// The loops over data among `loops`, outermost first.
    pub fn data_loops(&self, loops: &[LoopId]) -> Vec<LoopId> {
        loops
            .iter()
            .copied()
            .filter(|&l| self.data.get(l as usize).copied().unwrap_or(false))
            .collect()
    }
}

/// The loops around code whose own recorded loops are `own`, in `function`:
/// `own` when the extractor recorded any; otherwise, inside a closure, the
/// loops around the call the closure is passed to (and that call's own
/// iteration, when it iterates), so `for x in xs: retry(lambda: q(x))` and a
/// Rust closure in a `for` body count as in the loop.
pub fn enclosing(facts: &FileFacts, own: &[LoopId], function: Option<FunctionId>) -> Vec<LoopId> {
    if !own.is_empty() {
        return own.to_vec();
    }
    let mut current = function;
    while let Some(id) = current {
        let Some(f) = facts.functions.get(id as usize) else {
            break;
        };
        if !matches!(f.kind, FunctionKind::Closure | FunctionKind::AsyncBlock) {
            break;
        }
        if let Some(call) = f
            .passed_to
            .and_then(|p| facts.calls.get(p as usize).map(|c| (p, c)))
        {
            let mut loops = call.1.loops.clone();
            if let Some(l) = facts.loops.iter().position(|l| l.call == Some(call.0)) {
                loops.push(l as LoopId);
            }
            if !loops.is_empty() {
                return loops;
            }
        }
        current = f.parent;
    }
    Vec::new()
}

/// The loops around loop `id` (not itself), outermost first.
pub fn around_loop(facts: &FileFacts, id: LoopId) -> Vec<LoopId> {
    let Some(this) = facts.loops.get(id as usize) else {
        return Vec::new();
    };
    if let Some(call) = this.call.and_then(|c| facts.calls.get(c as usize)) {
        return enclosing(facts, &call.loops, call.function);
    }
    let mut outer: Vec<LoopId> = facts
        .loops
        .iter()
        .enumerate()
        .filter(|&(i, l)| {
            i as LoopId != id
                && l.function == this.function
                && l.span.start <= this.span.start
                && this.span.end <= l.span.end
                && l.span != this.span
        })
        .map(|(i, _)| i as LoopId)
        .collect();
    outer.sort_by_key(|&i| facts.loops[i as usize].span.start);
    if outer.is_empty() {
        enclosing(facts, &[], this.function)
    } else {
        outer
    }
}

/// Whether an iterable's size grows with data: not a literal, a literal
/// range, or a constant.
fn grows(iterable: &str) -> bool {
    let mut text = iterable.trim();
    // `enumerate(xs)`, `sorted(CHOICES)`, `Object.entries(obj)`: the inner value decides.
    for wrapper in [
        "enumerate(",
        "sorted(",
        "reversed(",
        "list(",
        "tuple(",
        "set(",
        "zip(",
        "Object.entries(",
        "Object.keys(",
        "Object.values(",
    ] {
        if let Some(inner) = text.strip_prefix(wrapper) {
            text = inner.trim_start();
            break;
        }
    }
    if text.starts_with(['[', '{', '"', '\'', '`'])
        || ["%w", "%i", "%W", "%I"].iter().any(|p| text.starts_with(p))
    {
        return false;
    }
    // A parenthesised tuple `(a, b)`, but not `(await rows)`.
    if let Some(inner) = text.strip_prefix('(') {
        if inner.contains(',') && !inner.trim_start().starts_with("await") {
            return false;
        }
    }
    if literal_range(text) {
        return false;
    }
    let root = text
        .trim_start_matches("self.")
        .trim_start_matches("this.")
        .trim_start_matches("Self::")
        .trim_start_matches("cls.")
        .trim_start_matches('@')
        .trim_start_matches('&');
    let root_name: &str = root
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let constant = root_name.len() >= 2
        && root_name.chars().any(|c| c.is_ascii_uppercase())
        && root_name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    // Model metadata, registries of model classes (`apps.get_models()`,
    // `get_indexed_models()`) and settings have a size fixed by the code.
    let fixed = constant
        || matches!(root_name, "settings" | "kwargs")
        || root.contains("._meta.")
        || root.starts_with("_meta.")
        || root.ends_with("models()");
    !fixed
}

/// `range(3)`, `range(1, 10)`, `0..3`, `1..=12`, `(1..5)`: bounds written as
/// numbers.
fn literal_range(text: &str) -> bool {
    let numeric = |s: &str| {
        let s = s.trim();
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || c == '_' || c == '-')
    };
    if let Some(args) = text
        .strip_prefix("range(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return args.split(',').all(numeric);
    }
    let inner = text.trim_start_matches('(').trim_end_matches(')');
    let inner = inner.strip_suffix(".each").unwrap_or(inner);
    match inner.split_once("..") {
        Some((a, b)) => {
            let b = b.trim_start_matches(['=', '.']);
            numeric(a) && numeric(b)
        }
        None => false,
    }
}

/// Whether a loop's per-item work is started without waiting and gathered
/// after it: the loop builds a local that a gather awaits
/// (`const ps = xs.map(async (x) => ..); await Promise.all(ps)`, `tasks =
/// [fetch(x) for x in xs]; await asyncio.gather(*tasks)`), or its body pushes
/// un-awaited calls into one (`ps.push(db.find(x))`). Work awaited in the loop
/// itself (`ps.push(await db.find(x))`) runs one item at a time.
fn collected(
    facts: &FileFacts,
    id: LoopId,
    l: &crate::facts::Loop,
    gathered: &dyn Fn(Option<FunctionId>, &str, u32) -> bool,
) -> bool {
    let in_loop = |loops: &[LoopId], function: Option<FunctionId>| {
        function == l.function && loops.contains(&id)
    };
    let waits = facts
        .calls
        .iter()
        .any(|c| c.awaited && in_loop(&c.loops, c.function));
    if waits {
        return false;
    }
    let built = facts.assigns.iter().any(|a| {
        a.function == l.function
            && a.scope == crate::facts::AssignScope::Local
            && a.span.start <= l.span.start
            && l.span.end <= a.span.end
            && gathered(l.function, &a.target, a.span.end)
    });
    built
        || facts.calls.iter().any(|c| {
            let pushes =
                matches!(c.name.as_str(), "push" | "append") && in_loop(&c.loops, c.function);
            let pending = c.args.iter().any(|a| match a.value {
                ArgValue::Call(inner) => !facts.calls[inner as usize].awaited,
                _ => false,
            });
            pushes
                && pending
                && c.callee
                    .rsplit_once('.')
                    .is_some_and(|(list, _)| gathered(l.function, list, l.span.end))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_fixed_iterables() {
        for data in [
            "orders",
            "Order.objects.all()",
            "self.items",
            "ids.iter()",
            "&ids",
            "(await prisma.post.findMany())",
            "enumerate(rows)",
            "range(len(rows))",
            "0..n",
            "@posts",
        ] {
            assert!(grows(data), "{data} grows");
        }
        for fixed in [
            "[1, 2, 3]",
            "(\"a\", \"b\")",
            "%w[a b]",
            "range(3)",
            "range(1, 10)",
            "0..3",
            "1..=12",
            "CHOICES",
            "STATUSES.items()",
            "self.FIELDS",
            "Self::VARIANTS.iter()",
            "settings.INSTALLED_APPS",
            "apps.get_models()",
            "get_indexed_models()",
            "kwargs.items()",
            "self._meta.fields",
            "enumerate([a, b])",
            "{\"a\": 1}",
        ] {
            assert!(!grows(fixed), "{fixed} is fixed");
        }
    }
}
