//! Receiver chains: `Order.objects.filter(x=1).first` read as a root name and
//! a list of links, so callees can be written (`Order.objects.filter().first`)
//! and resolved (root looked up, links appended) without recursion.

use super::kinds::{self, Field, Kind, NodeExt};
use crate::lang::tree;
use tree_sitter::Node;

/// Chains longer than this are not analysed (the callee is kept as text).
const MAX_LINKS: usize = 48;

/// One step along a chain, read left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Link<'s> {
    /// `.name`
    Attr(&'s str),
    /// `(...)`, arguments elided.
    Call,
    /// `[...]`, index elided.
    Index,
}

/// Where a chain starts.
#[derive(Debug, Clone, Copy)]
pub(super) enum Root<'t, 's> {
    /// A plain name.
    Name(&'s str),
    /// Any other expression (a literal, a parenthesised expression ...).
    Other(Node<'t>),
}

/// An expression read as a root followed by links.
#[derive(Debug)]
pub(super) struct Chain<'t, 's> {
    pub(super) root: Root<'t, 's>,
    pub(super) links: Vec<Link<'s>>,
}

impl<'t, 's> Chain<'t, 's> {
    /// Read `node` as a chain; None when it is longer than [`MAX_LINKS`].
    pub(super) fn read(node: Node<'t>, src: &'s str) -> Option<Chain<'t, 's>> {
        let mut links = Vec::new();
        let mut node = node;
        let root = loop {
            if links.len() > MAX_LINKS {
                return None;
            }
            let (link, next) = match kinds::of(node) {
                Kind::Identifier => break Root::Name(tree::text(node, src)),
                Kind::Attribute => match node.field(Field::Attribute) {
                    Some(attr) => (Link::Attr(tree::text(attr, src)), Field::Object),
                    None => break Root::Other(node),
                },
                Kind::Call => (Link::Call, Field::Function),
                Kind::Subscript => (Link::Index, Field::Value),
                _ => break Root::Other(node),
            };
            match node.field(next) {
                Some(inner) => {
                    links.push(link);
                    node = inner;
                }
                None => break Root::Other(node),
            }
        };
        links.reverse();
        Some(Chain { root, links })
    }

    /// The chain as written, whitespace removed, arguments and indexes elided.
    pub(super) fn written(&self, src: &str) -> String {
        let root = match self.root {
            Root::Name(name) => name.to_string(),
            Root::Other(node) => tree::compact(node, src, 100),
        };
        append(root, &self.links)
    }

    /// The last name along the chain: the function or method called.
    pub(super) fn name(&self) -> &'s str {
        let last_attr = self.links.iter().rev().find_map(|link| match link {
            Link::Attr(name) => Some(*name),
            _ => None,
        });
        match (last_attr, &self.root) {
            (Some(name), _) => name,
            (None, Root::Name(name)) => name,
            (None, Root::Other(_)) => "",
        }
    }
}

/// Whether an expression is a dotted name (`a.b.c`): nothing in it to walk.
pub(super) fn is_plain_path(node: Node) -> bool {
    let mut node = node;
    for _ in 0..=MAX_LINKS {
        match kinds::of(node) {
            Kind::Identifier => return true,
            Kind::Attribute => match node.field(Field::Object) {
                Some(object) => node = object,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

/// `prefix` followed by the written `links`.
pub(super) fn append(prefix: String, links: &[Link]) -> String {
    let mut out = prefix;
    for link in links {
        match link {
            Link::Attr(name) => {
                out.push('.');
                out.push_str(name);
            }
            Link::Call => out.push_str("()"),
            Link::Index => out.push_str("[]"),
        }
    }
    out
}
