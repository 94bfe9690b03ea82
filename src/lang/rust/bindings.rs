//! Names bound by patterns: per iteration of a loop (`for (k, v) in map`,
//! `.for_each(|(k, v)| ..)`), and by `let`.

use super::visit::Extractor;
use crate::facts::LoopId;
use syn::Pat;

/// Iterator adapters whose closure takes the accumulator first
/// (`fold(0, |sum, o| ..)`): the element is listed first anyway.
const ACCUMULATOR_FIRST: &[&str] = &["fold", "try_fold", "scan"];

impl Extractor<'_> {
    /// Sets the bindings of loop `id` from the patterns that bind its
    /// element (a `for` pattern, a closure's parameters), unless set.
    pub(super) fn bind_loop<'p>(&mut self, id: LoopId, patterns: impl Iterator<Item = &'p Pat>) {
        let accumulator_first = self.facts.loops[id as usize]
            .call
            .and_then(|c| self.facts.calls.get(c as usize))
            .is_some_and(|c| ACCUMULATOR_FIRST.contains(&c.name.as_str()));
        let Some(l) = self.facts.loops.get_mut(id as usize) else {
            return;
        };
        if !l.bindings.is_empty() {
            return;
        }
        let mut accumulator = Vec::new();
        for (i, pat) in patterns.enumerate() {
            if accumulator_first && i == 0 {
                pattern_names(pat, &mut accumulator);
            } else {
                pattern_names(pat, &mut l.bindings);
            }
        }
        l.bindings.append(&mut accumulator);
    }
}

/// The names a pattern binds, in order: `(k, v)` → `k`, `v`;
/// `Point { x, y: ref mut b }` → `x`, `b`; the first case of an `|`
/// pattern. Patterns nest no deeper than the brackets the parser accepted.
pub(super) fn pattern_names(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(ident) => {
            out.push(ident.ident.to_string());
            if let Some((_, sub)) = &ident.subpat {
                pattern_names(sub, out);
            }
        }
        Pat::Type(typed) => pattern_names(&typed.pat, out),
        Pat::Reference(r) => pattern_names(&r.pat, out),
        Pat::Paren(p) => pattern_names(&p.pat, out),
        Pat::Or(or) => {
            if let Some(first) = or.cases.first() {
                pattern_names(first, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pattern_names(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| pattern_names(p, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| pattern_names(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pattern_names(&f.pat, out)),
        _ => {}
    }
}
