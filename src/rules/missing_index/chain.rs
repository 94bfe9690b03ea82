//! ORM query chains: `Order.objects.filter(..).order_by(..).first()` is
//! several call facts, one per method; a chain is read as one query at
//! its outermost call.

use crate::facts::{Call, FileFacts};

/// The calls of each chain in a file, outermost call first, for calls that
/// `member` accepts (e.g. rooted at a model).
pub fn chains(facts: &FileFacts, member: impl Fn(&Call) -> bool) -> Vec<Vec<&Call>> {
    let calls: Vec<&Call> = facts.calls.iter().filter(|c| member(c)).collect();
    let inside = |inner: &Call, outer: &Call| {
        outer.span.start <= inner.span.start
            && inner.span.end <= outer.span.end
            && outer
                .callee
                .strip_prefix(inner.callee.as_str())
                .is_some_and(|rest| rest.starts_with("()") || rest.is_empty())
    };
    let mut out = Vec::new();
    for (i, outer) in calls.iter().enumerate() {
        let nested = calls
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && inside(outer, other) && other.callee != outer.callee);
        if nested {
            continue;
        }
        let mut chain: Vec<&Call> = vec![outer];
        chain.extend(
            calls
                .iter()
                .enumerate()
                .filter(|(j, c)| *j != i && inside(c, outer) && c.callee != outer.callee)
                .map(|(_, c)| *c),
        );
        out.push(chain);
    }
    out
}
