//! Values as rules see them: call arguments and assigned values converted to
//! [`ArgValue`] (literals element by element, calls and inline functions as
//! the ids of their facts).
//!
//! A value is converted when the walk enters its owner (the call, the
//! declaration, the assignment), before the calls and functions inside it
//! are reached. Those are written with a placeholder, a *slot*, that the
//! walk fills when it reaches the node; [`Walker::finish`] swaps each slot
//! for the id it got. Decorator calls, met before the calls they name, use
//! the same slots.

use super::kinds::Kind;
use super::literals::{is_function, truncate};
use super::resolve::{unquote, Use};
use super::scope::Binding;
use super::walker::Walker;
use crate::facts::{ArgValue, CallId, FileFacts, MAX_VALUE_DEPTH};
use crate::lang::tree;
use std::collections::HashMap;
use tree_sitter::Node;

/// Longest value text kept.
const MAX_TEXT: usize = 200;
/// Most wrappers (`await`, parentheses, `as T`) looked through.
const MAX_UNWRAP: usize = 16;

/// Calls and functions referred to before the walk reaches them.
#[derive(Debug, Default)]
pub(super) struct Slots {
    /// Node id → slot, for nodes not reached yet.
    waiting: HashMap<usize, u32>,
    /// Per slot: the id the node got, and its byte range (its text is the
    /// value when the walk never reaches it).
    filled: Vec<(Option<u32>, usize, usize)>,
}

impl Slots {
    /// The slot of a call or function node (one per node: `a = b = f()`
    /// names `f()` twice).
    pub(super) fn wait_for(&mut self, node: Node) -> u32 {
        let next = self.filled.len() as u32;
        let slot = *self.waiting.entry(node.id()).or_insert(next);
        if slot == next {
            self.filled.push((None, node.start_byte(), node.end_byte()));
        }
        slot
    }

    /// The walk reached `node`, which got fact id `id`.
    pub(super) fn reached(&mut self, node: Node, id: u32) {
        if self.waiting.is_empty() {
            return;
        }
        if let Some(slot) = self.waiting.remove(&node.id()) {
            if let Some(entry) = self.filled.get_mut(slot as usize) {
                entry.0 = Some(id);
            }
        }
    }

    /// Replace every slot in the facts with its id.
    pub(super) fn fill(&self, facts: &mut FileFacts, text: &str) {
        if self.filled.is_empty() {
            return;
        }
        for call in &mut facts.calls {
            for arg in &mut call.args {
                self.fill_value(&mut arg.value, text, 0);
            }
        }
        for assign in &mut facts.assigns {
            if let Some(value) = &mut assign.value {
                self.fill_value(value, text, 0);
            }
            self.fill_ids(&mut assign.decorator_calls);
        }
        for function in &mut facts.functions {
            self.fill_ids(&mut function.decorator_calls);
        }
        for class in &mut facts.classes {
            self.fill_ids(&mut class.decorator_calls);
        }
    }

    fn fill_ids(&self, ids: &mut Vec<CallId>) {
        ids.retain_mut(|slot| match self.filled.get(*slot as usize) {
            Some((Some(id), _, _)) => {
                *slot = *id;
                true
            }
            _ => false,
        });
    }

    /// Values nest at most [`MAX_VALUE_DEPTH`] deep, so this recursion is
    /// bounded.
    fn fill_value(&self, value: &mut ArgValue, text: &str, depth: usize) {
        let slot = match value {
            ArgValue::Call(slot) | ArgValue::Closure(slot) => *slot,
            ArgValue::List(items) if depth < MAX_VALUE_DEPTH => {
                for item in items {
                    self.fill_value(item, text, depth + 1);
                }
                return;
            }
            ArgValue::Map(entries) if depth < MAX_VALUE_DEPTH => {
                for (_, item) in entries {
                    self.fill_value(item, text, depth + 1);
                }
                return;
            }
            _ => return,
        };
        match self.filled.get(slot as usize) {
            Some((Some(id), _, _)) => match value {
                ArgValue::Call(s) | ArgValue::Closure(s) => *s = *id,
                _ => {}
            },
            Some((None, start, end)) => {
                let source = text.get(*start..*end).unwrap_or("");
                *value = ArgValue::Other(compact_text(source));
            }
            None => {}
        }
    }
}

impl<'a, 't> Walker<'a, 't> {
    /// Convert a call argument or an assigned value.
    pub(super) fn value(&mut self, node: Node<'t>) -> ArgValue {
        self.value_at(node, 0)
    }

    fn value_at(&mut self, node: Node<'t>, depth: usize) -> ArgValue {
        let node = self.stored_value(node);
        let kind = self.kind(node);
        match kind {
            Kind::String => ArgValue::Str(truncate(unquote(self.text_of(node)).to_string())),
            Kind::Template if node.named_child_count() == 0 => {
                ArgValue::Str(truncate(unquote(self.text_of(node)).to_string()))
            }
            _ if is_function(kind) => ArgValue::Closure(self.slots.wait_for(node)),
            // A function passed by name: a project module passed whole
            // (`app.get('*', require('./controller'))`) stands for its
            // exported function, `<module>.default`, as when it is called.
            Kind::Identifier => match self.text_of(node) {
                "undefined" => ArgValue::Null,
                name => ArgValue::Path(self.name_path(name)),
            },
            Kind::Member => match self.chain(node, Use::Callee).resolved {
                Some(path) => ArgValue::Path(path),
                None => ArgValue::Path(tree::compact(node, self.text, MAX_TEXT)),
            },
            Kind::Call if self.required_in(node).is_some_and(|(_, direct)| direct) => {
                match self.chain(node, Use::Callee).resolved {
                    Some(path) => ArgValue::Path(path),
                    None => ArgValue::Call(self.slots.wait_for(node)),
                }
            }
            // `this.list.bind(this)` is the function `this.list`.
            Kind::Call if self.bound_function(node).is_some() => {
                let target = self
                    .bound_function(node)
                    .and_then(|f| self.chain(f, Use::Callee).resolved);
                match target {
                    Some(path) => ArgValue::Path(path),
                    None => ArgValue::Call(self.slots.wait_for(node)),
                }
            }
            Kind::Call | Kind::New => ArgValue::Call(self.slots.wait_for(node)),
            Kind::Array if depth < MAX_VALUE_DEPTH => self.list(node, depth),
            Kind::Object if depth < MAX_VALUE_DEPTH => self.map(node, depth),
            _ => match node.kind() {
                "number" => ArgValue::Number(self.text_of(node).to_string()),
                "null" | "undefined" => ArgValue::Null,
                "true" => ArgValue::Bool(true),
                "false" => ArgValue::Bool(false),
                _ => ArgValue::Other(tree::compact(node, self.text, MAX_TEXT)),
            },
        }
    }

    /// `[a, b]`: spreads and comments are skipped.
    fn list(&mut self, node: Node<'t>, depth: usize) -> ArgValue {
        let mut items = Vec::new();
        let mut cursor = node.walk();
        for item in node.named_children(&mut cursor) {
            if matches!(item.kind(), "comment" | "spread_element") {
                continue;
            }
            items.push(self.value_at(item, depth + 1));
        }
        ArgValue::List(items)
    }

    /// `{ a: 1, 'b': x, [k]: v, id }`: methods, accessors and spreads are
    /// skipped.
    fn map(&mut self, node: Node<'t>, depth: usize) -> ArgValue {
        let mut entries = Vec::new();
        let mut cursor = node.walk();
        for member in node.named_children(&mut cursor) {
            match self.kind(member) {
                Kind::Pair => {
                    let (Some(key), Some(value)) = (
                        self.field(member, super::kinds::Field::Key),
                        self.field(member, super::kinds::Field::Value),
                    ) else {
                        continue;
                    };
                    let key = match key.kind() {
                        "string" => unquote(self.text_of(key)).to_string(),
                        "computed_property_name" => tree::compact(key, self.text, MAX_TEXT),
                        _ => self.text_of(key).to_string(),
                    };
                    entries.push((key, self.value_at(value, depth + 1)));
                }
                _ if member.kind() == "shorthand_property_identifier" => {
                    let name = self.text_of(member);
                    entries.push((name.to_string(), ArgValue::Path(self.name_path(name))));
                }
                _ => {}
            }
        }
        ArgValue::Map(entries)
    }

    /// A bare name as a value: what it is bound to, else the name (as a
    /// callee chain of one name resolves).
    fn name_path(&self, name: &str) -> String {
        match self.lookup(name) {
            Some(Binding::Known(target)) => target.clone(),
            Some(Binding::Module(module)) => format!("{module}.default"),
            Some(Binding::Unknown) | None => name.to_string(),
        }
    }

    /// What an expression evaluates to, looking through wrappers (see
    /// [`Walker::unwrap`]) and chained assignments (`a = b = new Map()`).
    fn stored_value(&self, node: Node<'t>) -> Node<'t> {
        let mut cur = node;
        for _ in 0..MAX_UNWRAP {
            let next = match self.kind(cur) {
                Kind::Wrapper | Kind::Await => super::resolve::first_named(cur),
                Kind::Assignment => self.field(cur, super::kinds::Field::Right),
                _ => None,
            };
            match next {
                Some(inner) => cur = inner,
                None => break,
            }
        }
        cur
    }

    /// Look through `await`, parentheses and type assertions.
    pub(super) fn unwrap(&self, node: Node<'t>) -> Node<'t> {
        let mut cur = node;
        for _ in 0..MAX_UNWRAP {
            match self.kind(cur) {
                Kind::Wrapper | Kind::Await => match super::resolve::first_named(cur) {
                    Some(inner) => cur = inner,
                    None => break,
                },
                _ => break,
            }
        }
        cur
    }
}

/// Source text with whitespace removed, shortened.
fn compact_text(source: &str) -> String {
    let mut out = String::new();
    for c in source.chars().filter(|c| !c.is_whitespace()) {
        if out.len() >= MAX_TEXT {
            break;
        }
        out.push(c);
    }
    out
}
