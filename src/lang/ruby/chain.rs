//! Receiver chains: `User.where(active: true).first` is a call `first` on
//! the call `where` on the constant `User`. A chain is read from the
//! outermost call down to its root, without recursion and at most
//! [`MAX_SEGMENTS`] calls deep. The walker enters a call's receiver right
//! after the call, so [`Chain::into_receiver`] derives the receiver's chain
//! from the call's instead of reading it again: long chains cost linear
//! time overall.

use super::fields::{fields, kind, Kind};
use crate::lang::tree;
use tree_sitter::{Node, TreeCursor};

/// Calls read per chain; longer chains keep their outer calls only and
/// have no resolution.
pub const MAX_SEGMENTS: usize = 16;
/// Longest callee text kept.
const MAX_CALLEE: usize = 300;

/// What a chain starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root<'a> {
    /// No receiver: the first segment is a call on `self`.
    Implicit,
    /// `self`.
    SelfRef,
    /// An identifier: a local variable, or a method call on `self`.
    Ident(&'a str),
    /// An instance variable (`@user`).
    Ivar(&'a str),
    /// A constant path, as written (`User`, `Admin::User`, `::User`).
    Const(Node<'a>),
    /// Anything else (a literal, a parenthesised expression).
    Other(Node<'a>),
    /// The chain goes on below this call, which was not read (more than
    /// [`MAX_SEGMENTS`] calls).
    Deeper(Node<'a>),
}

/// One call in a chain.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// `.`, `&.`, `::`, or empty for a receiver-less call.
    pub op: &'a str,
    /// The method name (`call` for `x.()`).
    pub name: &'a str,
    /// Written with arguments, parentheses or a block.
    pub args: bool,
    /// The call node.
    pub node: Node<'a>,
    /// Its receiver, if any.
    pub receiver: Option<Node<'a>>,
    /// Its block (`{ ... }` or `do ... end`), if any.
    pub block: Option<Node<'a>>,
}

/// A call's receiver chain, root first.
#[derive(Debug)]
pub struct Chain<'a> {
    /// What the chain starts from.
    pub root: Root<'a>,
    /// The calls, innermost first; the last one is the call itself.
    pub segments: Vec<Segment<'a>>,
}

/// Read the chain of the `call` node `call` (`cursor`: any cursor on the
/// tree, reused to save allocations).
pub fn read<'a>(call: Node<'a>, src: &'a str, cursor: &mut TreeCursor<'a>) -> Chain<'a> {
    let mut chain = Chain {
        root: Root::Deeper(call),
        segments: Vec::new(),
    };
    chain.read_below(src, MAX_SEGMENTS, cursor);
    chain.segments.reverse();
    chain
}

impl<'a> Chain<'a> {
    /// Read up to `budget` calls from a `Deeper` root down, appending them
    /// to `segments` outermost first.
    fn read_below(&mut self, src: &'a str, budget: usize, cursor: &mut TreeCursor<'a>) {
        let Root::Deeper(mut node) = self.root else {
            return;
        };
        for _ in 0..budget {
            if kind(node) != Kind::Call {
                self.root = root_of(node, src);
                return;
            }
            cursor.reset(node);
            let (segment, receiver) = segment(cursor, src);
            self.segments.push(segment);
            match receiver {
                Some(receiver) => node = receiver,
                None => {
                    self.root = Root::Implicit;
                    return;
                }
            }
        }
        self.root = if kind(node) == Kind::Call {
            Root::Deeper(node)
        } else {
            root_of(node, src)
        };
    }

    /// The chain of this call's receiver, when the receiver is a call: the
    /// same chain without its last segment (and one more segment read at
    /// the bottom of a chain that was cut).
    pub fn into_receiver(
        mut self,
        src: &'a str,
        cursor: &mut TreeCursor<'a>,
    ) -> Option<(usize, Chain<'a>)> {
        self.segments.pop();
        let receiver = self.segments.last()?.node.id();
        if let Root::Deeper(_) = self.root {
            self.segments.reverse();
            self.read_below(src, 1, cursor);
            self.segments.reverse();
        }
        Some((receiver, self))
    }
}

/// The segment of the call at `cursor`, and its receiver: one pass over
/// the call's children (looking fields up one by one costs more).
fn segment<'a>(cursor: &mut TreeCursor<'a>, src: &'a str) -> (Segment<'a>, Option<Node<'a>>) {
    let f = fields();
    let mut segment = Segment {
        op: "",
        name: "call",
        args: false,
        node: cursor.node(),
        receiver: None,
        block: None,
    };
    let mut more = cursor.goto_first_child();
    while more {
        let field = cursor.field_id().map_or(0, |id| id.get());
        let child = cursor.node();
        if field == f.receiver {
            segment.receiver = Some(child);
        } else if field == f.operator {
            segment.op = tree::text(child, src);
        } else if field == f.method {
            segment.name = tree::text(child, src);
        } else if field == f.arguments {
            segment.args = true;
        } else if field == f.block {
            segment.args = true;
            segment.block = Some(child);
        }
        more = cursor.goto_next_sibling();
    }
    (segment, segment.receiver)
}

/// Classify an expression that is not a call.
pub fn root_of<'a>(node: Node<'a>, src: &'a str) -> Root<'a> {
    match node.kind() {
        "identifier" => Root::Ident(tree::text(node, src)),
        "instance_variable" => Root::Ivar(tree::text(node, src)),
        "self" => Root::SelfRef,
        "constant" => Root::Const(node),
        "scope_resolution" if constant_path(node, src).is_some() => Root::Const(node),
        _ => Root::Other(node),
    }
}

/// A constant path written with dots: `Admin::User` → `Admin.User`,
/// `::User` → `User`; None when a part is not a constant.
pub fn constant_path(node: Node, src: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut node = node;
    loop {
        match node.kind() {
            "constant" => {
                parts.push(tree::text(node, src));
                break;
            }
            "scope_resolution" => {
                parts.push(tree::text(node.child_by_field_id(fields().name)?, src));
                match node.child_by_field_id(fields().scope) {
                    Some(scope) => node = scope,
                    None => break,
                }
            }
            _ => return None,
        }
        if parts.len() > MAX_SEGMENTS {
            return None;
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

impl<'a> Chain<'a> {
    /// The callee as written, whitespace removed, inner arguments elided:
    /// `User.where().first`, `user&.orders`, `Admin::User.find`.
    pub fn callee(&self, src: &str) -> String {
        let mut out = match self.root {
            Root::Implicit => String::new(),
            Root::SelfRef => "self".to_string(),
            Root::Ident(name) | Root::Ivar(name) => name.to_string(),
            Root::Const(node) | Root::Other(node) => tree::compact(node, src, MAX_CALLEE),
            // A chain too long to spell: its last calls only.
            Root::Deeper(_) => "…".to_string(),
        };
        let last = self.segments.len().saturating_sub(1);
        for (i, segment) in self.segments.iter().enumerate() {
            out.push_str(segment.op);
            out.push_str(segment.name);
            if i < last && segment.args {
                out.push_str("()");
            }
        }
        out
    }

    /// The method called: the last segment's name.
    pub fn name(&self) -> &str {
        self.segments.last().map_or("", |s| s.name)
    }

    /// The call itself: the last segment.
    pub fn call(&self) -> Option<&Segment<'a>> {
        self.segments.last()
    }
}
