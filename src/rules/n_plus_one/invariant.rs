//! Loop-invariant queries: a query in a loop whose call (receiver chain and
//! arguments) never mentions a name the loops bind per iteration runs the
//! same statement every time, and the fix is to hoist it, not to batch it.

use crate::facts::{ArgValue, Call, FileFacts, LoopId};

/// How deep call values inside arguments are followed.
const MAX_DEPTH: usize = 4;

/// The names that change per iteration of `loops`: what they bind, and
/// locals assigned inside them (`customer = get(order.customer_id)`). None
/// when an extractor recorded no binding for one of them (then nothing is
/// known).
pub fn bindings<'a>(facts: &'a FileFacts, loops: &[LoopId]) -> Option<Vec<&'a str>> {
    let mut names = Vec::new();
    for &l in loops {
        let bound = &facts.loops.get(l as usize)?.bindings;
        if bound.is_empty() {
            return None;
        }
        names.extend(bound.iter().map(String::as_str));
    }
    names.extend(
        facts
            .assigns
            .iter()
            .filter(|a| a.loops.iter().any(|l| loops.contains(l)))
            .map(|a| a.target.as_str()),
    );
    Some(names)
}

/// Whether the call at `index` (with the calls of its receiver chain) never
/// mentions any of `names`.
pub fn invariant(facts: &FileFacts, index: usize, names: &[&str]) -> bool {
    let Some(call) = facts.calls.get(index) else {
        return false;
    };
    // The receiver chain: calls that start where this one does and end inside it.
    !facts
        .calls
        .iter()
        .filter(|c| {
            c.function == call.function
                && c.span.start == call.span.start
                && c.span.end <= call.span.end
        })
        .any(|c| call_mentions(facts, c, names, 0))
}

fn call_mentions(facts: &FileFacts, call: &Call, names: &[&str], depth: usize) -> bool {
    mentions(&call.callee, names)
        || call
            .args
            .iter()
            .any(|a| value_mentions(facts, &a.value, names, depth))
}

fn value_mentions(facts: &FileFacts, value: &ArgValue, names: &[&str], depth: usize) -> bool {
    match value {
        ArgValue::Str(_) | ArgValue::Number(_) | ArgValue::Null | ArgValue::Bool(_) => false,
        // A path resolved through a local bound to a call
        // (`models.Customer.objects.get()`) may hold a per-iteration value.
        ArgValue::Path(text) => text.contains('(') || mentions(text, names),
        ArgValue::Other(text) => mentions(text, names),
        ArgValue::List(items) => items.iter().any(|v| value_mentions(facts, v, names, depth)),
        ArgValue::Compare(left, _, right) => [left, right]
            .iter()
            .any(|v| value_mentions(facts, v, names, depth)),
        ArgValue::Map(entries) => entries
            .iter()
            .any(|(k, v)| mentions(k, names) || value_mentions(facts, v, names, depth)),
        ArgValue::Call(id) => match facts.calls.get(*id as usize) {
            Some(inner) if depth < MAX_DEPTH => call_mentions(facts, inner, names, depth + 1),
            _ => true,
        },
        // A closure may read anything: assume it uses the loop.
        ArgValue::Closure(_) => true,
    }
}

/// Whether `text` uses one of `names` as a whole identifier (`order` in
/// `order.id`, `[order]`, `{id: order}`; not in `orders`).
fn mentions(text: &str, names: &[&str]) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '@';
    names.iter().filter(|n| !n.is_empty()).any(|name| {
        text.match_indices(name).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + name.len()..].chars().next();
            !before.is_some_and(ident) && !after.is_some_and(ident)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn whole_identifiers_only() {
        assert!(mentions("order.id", &["order"]));
        assert!(mentions("{id:order}", &["order"]));
        assert!(mentions("Order.id==order.customer_id", &["order"]));
        assert!(!mentions("orders", &["order"]));
        assert!(!mentions("self.order_total", &["order"]));
        assert!(!mentions("Order", &["order"]));
    }
}
