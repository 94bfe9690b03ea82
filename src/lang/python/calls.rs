//! Calls: callee, resolution, arguments, `await`.

use super::chain::{self, Chain, Link, Root};
use super::scope::{self, Binding};
use super::strings;
use super::Extractor;
use crate::facts::{Arg, ArgValue, Call, CallId};
use crate::lang::tree;
use tree_sitter::Node;

/// Longest argument text kept, in characters.
const MAX_ARG: usize = 200;

/// How deep `await (((f())))` parentheses are looked through.
const MAX_PARENS: usize = 16;

impl Extractor<'_> {
    /// A call expression.
    pub(super) fn call(&mut self, node: Node) {
        let id = self.facts.calls.len() as CallId;
        let function = node.child_by_field_name("function");
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
                let callee = tree::compact(f, self.text, MAX_ARG);
                (callee.clone(), callee, None)
            }
            (None, None) => (String::new(), String::new(), None),
        };
        let awaited = self.awaited == Some(node.id());
        let args = self.args(node.child_by_field_name("arguments"), id);
        let frame = self.frame();
        let call = Call {
            callee,
            resolved,
            name,
            span: tree::span(node, self.text),
            function: frame.func,
            loops: frame.loops.clone(),
            awaited,
            args,
        };
        self.facts.calls.push(call);
    }

    /// An `await`: remember its operand if it is a call.
    pub(super) fn await_operand(&mut self, node: Node) {
        let mut operand = node.named_child(0);
        for _ in 0..MAX_PARENS {
            match operand {
                Some(inner) if inner.kind() == "parenthesized_expression" => {
                    operand = inner.named_child(0);
                }
                _ => break,
            }
        }
        if let Some(call) = operand.filter(|n| n.kind() == "call") {
            self.awaited = Some(call.id());
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

    /// `self.m` → `module.Class.m`; `self.attr.rest` → the attribute's type
    /// followed by `rest`, when the attribute was assigned from a call.
    fn resolve_self(&self, class: usize, links: &[Link]) -> Option<String> {
        let class = self.classes.get(class)?;
        let Some((Link::Attr(attr), rest)) = links.split_first() else {
            return None;
        };
        match (class.attrs.get(*attr), rest.is_empty()) {
            (Some(Binding::Path(prefix)), _) => Some(chain::append(prefix.clone(), rest)),
            (_, true) => Some(format!("{}.{attr}", class.qname)),
            _ => None,
        }
    }

    /// Resolve an expression read as a chain.
    pub(super) fn resolve_node(&self, node: Node) -> Option<String> {
        Chain::read(node, self.text).and_then(|chain| self.resolve(&chain))
    }

    fn args(&mut self, node: Option<Node>, call: CallId) -> Vec<Arg> {
        let Some(node) = node else {
            return Vec::new();
        };
        if node.kind() == "generator_expression" {
            return vec![Arg {
                keyword: None,
                value: ArgValue::Other(tree::compact(node, self.text, MAX_ARG)),
            }];
        }
        let mut args = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            let (keyword, value) = match child.kind() {
                "comment" => continue,
                "keyword_argument" => {
                    let Some(value) = child.child_by_field_name("value") else {
                        continue;
                    };
                    let keyword = child
                        .child_by_field_name("name")
                        .map(|n| tree::text(n, self.text).to_string());
                    (keyword, value)
                }
                _ => (None, child),
            };
            let value = self.arg_value(value, call, args.len());
            args.push(Arg { keyword, value });
        }
        args
    }

    fn arg_value(&mut self, node: Node, call: CallId, index: usize) -> ArgValue {
        match node.kind() {
            "string" => match strings::plain(node, self.text) {
                Some(s) => ArgValue::Str(truncate(s)),
                None => self.other(node),
            },
            "integer" | "float" => ArgValue::Number(tree::text(node, self.text).to_string()),
            "none" => ArgValue::Null,
            "true" => ArgValue::Bool(true),
            "false" => ArgValue::Bool(false),
            "lambda" => {
                self.lambdas.push((node.id(), call, index));
                // Replaced by the lambda's id when the walk reaches it.
                ArgValue::Closure(u32::MAX)
            }
            "identifier" | "attribute" => match self.resolve_node(node) {
                Some(path) => ArgValue::Path(path),
                None => ArgValue::Path(tree::compact(node, self.text, MAX_ARG)),
            },
            _ => self.other(node),
        }
    }

    fn other(&self, node: Node) -> ArgValue {
        ArgValue::Other(tree::compact(node, self.text, MAX_ARG))
    }
}

fn truncate(s: String) -> String {
    match s.char_indices().nth(MAX_ARG) {
        Some((end, _)) => s[..end].to_string(),
        None => s,
    }
}
