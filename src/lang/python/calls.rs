//! Calls: callee, resolution, arguments, `await`.

use super::chain::{self, Chain, Link, Root};
use super::kinds::{self, Field, Kind, NodeExt};
use super::scope::{self, Binding};
use super::strings;
use super::values::{self, MAX_TEXT};
use super::Extractor;
use crate::facts::{Arg, Call, CallId};
use crate::lang::tree;
use tree_sitter::Node;

/// How deep `await (((f())))` parentheses are looked through.
const MAX_PARENS: usize = 16;

impl<'t> Extractor<'_, 't> {
    /// A call expression. Returns whether its subtree is worth walking: not
    /// when the callee is a dotted name and every argument a name or a
    /// literal (the arguments were read here already).
    pub(super) fn call(&mut self, node: Node<'t>) -> bool {
        let id = self.facts.calls.len() as CallId;
        let function = node.field(Field::Function);
        let chain = function.and_then(|f| Chain::read(f, self.text));
        let (callee, name, resolved) = match (&chain, function) {
            (Some(chain), _) => {
                let callee = chain.written(self.text);
                let name = match chain.name() {
                    "" => callee.clone(),
                    name => name.to_string(),
                };
                (callee, name, self.resolve(chain))
            }
            (None, Some(f)) => {
                let callee = tree::compact(f, self.text, MAX_TEXT);
                (callee.clone(), callee, None)
            }
            (None, None) => (String::new(), String::new(), None),
        };
        let plain_callee = chain.as_ref().is_some_and(|c| {
            matches!(c.root, Root::Name(_)) && c.links.iter().all(|l| matches!(l, Link::Attr(_)))
        });
        self.pending.reached_call(node, id);
        let awaited = self.awaited == Some(node.id());
        let arguments = node.field(Field::Arguments);
        let (args, inert) = self.args(arguments, id);
        let walked = !(plain_callee && inert);
        if let Some(callee) = function.filter(|f| plain_callee && f.is(Kind::Attribute)) {
            self.callee_access(callee, walked);
        }
        if let (false, Some(arguments)) = (walked, arguments) {
            self.argument_accesses(arguments);
        }
        let frame = self.frame();
        let call = Call {
            callee,
            resolved,
            name,
            span: self.span(node),
            function: frame.func,
            loops: frame.loops.clone(),
            awaited,
            args,
        };
        self.facts.calls.push(call);
        walked
    }

    /// An `await`: remember its operand if it is a call or a dotted name.
    pub(super) fn await_operand(&mut self, node: Node) {
        let mut operand = node.named_child(0);
        for _ in 0..MAX_PARENS {
            match operand {
                Some(inner) if inner.is(Kind::Parenthesized) => {
                    operand = inner.named_child(0);
                }
                _ => break,
            }
        }
        if let Some(operand) = operand.filter(|n| n.is(Kind::Call) || n.is(Kind::Attribute)) {
            self.awaited = Some(operand.id());
        }
    }

    /// What a chain resolves to (see `crate::facts`): its root looked up in
    /// the scopes, the links appended. Bare names nobody bound resolve to
    /// themselves (`open`); names bound to unknown values resolve to None.
    pub(super) fn resolve(&self, chain: &Chain) -> Option<String> {
        let Root::Name(name) = chain.root else {
            return None;
        };
        match scope::lookup(&self.scopes, name) {
            None => Some(chain::append(name.to_string(), &chain.links)),
            Some(Binding::Path(prefix)) => Some(chain::append(prefix.clone(), &chain.links)),
            Some(Binding::SelfOf(class)) => self.resolve_self(*class, &chain.links),
            Some(Binding::Unknown) => None,
        }
    }

    /// `self.m` → `module.Class.m`; `self.m().rest` → `module.Class.m()
    /// .rest` (a method's result); `self.attr.rest` → the attribute's type
    /// followed by `rest`, when the attribute was assigned from a call.
    fn resolve_self(&self, class: usize, links: &[Link]) -> Option<String> {
        let class = self.classes.get(class)?;
        let Some((Link::Attr(attr), rest)) = links.split_first() else {
            return None;
        };
        match (class.attrs.get(*attr), rest.first()) {
            (Some(Binding::Path(prefix)), _) => Some(chain::append(prefix.clone(), rest)),
            (None, Some(Link::Call)) | (_, None) => {
                Some(chain::append(format!("{}.{attr}", class.qname), rest))
            }
            _ => None,
        }
    }

    /// Resolve an expression read as a chain.
    pub(super) fn resolve_node(&self, node: Node) -> Option<String> {
        Chain::read(node, self.text).and_then(|chain| self.resolve(&chain))
    }

    /// The arguments of a call, and whether they are all inert (nothing in
    /// them for the walk to find).
    fn args(&mut self, node: Option<Node<'t>>, call: CallId) -> (Vec<Arg>, bool) {
        let Some(node) = node else {
            return (Vec::new(), true);
        };
        if node.is(Kind::Comprehension) {
            let arg = Arg {
                keyword: None,
                value: values::other(node, self.text),
            };
            return (vec![arg], false);
        }
        let mut inert = true;
        let mut args = Vec::new();
        let mut cursor = self.take_cursor(node);
        for child in node.named_children(&mut cursor) {
            let (keyword, value) = match kinds::of(child) {
                Kind::Comment => continue,
                Kind::KeywordArgument => {
                    let Some(value) = child.field(Field::Value) else {
                        continue;
                    };
                    let keyword = child
                        .field(Field::Name)
                        .map(|n| tree::text(n, self.text).to_string());
                    (keyword, value)
                }
                _ => (None, child),
            };
            inert = inert && self.is_inert(value);
            if value.is(Kind::Lambda) {
                self.lambdas.push((value.id(), call));
            }
            let value = self.value(value, 0);
            args.push(Arg { keyword, value });
        }
        self.put_cursor(cursor);
        (args, inert)
    }

    /// A name, dotted name or literal whose facts are all in its argument:
    /// no call, closure, loop or SQL text inside.
    pub(super) fn is_inert(&self, node: Node) -> bool {
        match kinds::of(node) {
            Kind::Identifier
            | Kind::Integer
            | Kind::Float
            | Kind::None
            | Kind::True
            | Kind::False => true,
            Kind::Attribute => chain::is_plain_path(node),
            Kind::String => strings::is_inert(node, self.text),
            _ => false,
        }
    }
}
