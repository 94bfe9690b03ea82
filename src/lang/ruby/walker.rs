//! The single pass over a Ruby tree: a visitor with a stack of frames
//! (file, class bodies, methods, blocks) that emits facts as it enters
//! nodes.

use super::chain::Chain;
use super::defs::defined_methods;
use super::fields::{kind, Kind};
use super::scope::{ClassCtx, Frame, Locals, Role, SelfKind};
use super::values::Pending;
use crate::facts::{FileFacts, FunctionId, LoopId, Span};
use crate::lang::tree::Columns;
use crate::lang::tree::{self, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use tree_sitter::{Node, TreeCursor};

/// Longest iterable text kept.
pub(super) const MAX_ITERABLE: usize = 200;

/// What to do when the node that pushed it is left.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pop {
    /// A frame ends, with its variables.
    Frame,
    /// A class or module ends.
    Class,
    /// A loop body ends.
    Loop,
    /// A `for` statement ends.
    For,
    /// An assignment ends: its target gets the value's type.
    Assignment,
}

/// The extractor's state while walking one file.
pub struct Walker<'a> {
    pub(super) src: &'a str,
    pub(super) module: &'a str,
    pub(super) facts: FileFacts,
    /// Ancestors of the node being entered, itself included.
    pub(super) path: Vec<Node<'a>>,
    /// The file's frame, below every other.
    pub(super) base: Frame,
    pub(super) frames: Vec<Frame>,
    pub(super) classes: Vec<ClassCtx<'a>>,
    pub(super) locals: Locals<'a>,
    /// Undo actions, keyed by the id of the node that pushed them.
    pub(super) pops: Vec<(usize, Pop)>,
    /// Methods defined at the top level of the file.
    pub(super) top_defs: Vec<&'a str>,
    /// Calls, closures and bare names inside values read so far, not
    /// entered yet (see [`super::values`]).
    pub(super) pending: Vec<Pending>,
    /// Resolved names of the constants assigned so far.
    pub(super) constants: HashSet<String>,
    /// The argument nodes of the call being read (kept to reuse its memory).
    pub(super) arg_nodes: Vec<Node<'a>>,
    /// `for` loops being walked, whose body activates the loop.
    pub(super) for_loops: Vec<(usize, LoopId)>,
    /// The chain of the next call to be entered when it is the receiver of
    /// the last one (keyed by its node id).
    pub(super) next_chain: Option<(usize, Chain<'a>)>,
    pub(super) columns: Columns,
    /// A cursor on the tree, reused wherever children are read.
    pub(super) cursor: RefCell<TreeCursor<'a>>,
}

impl<'a> Walker<'a> {
    /// A walker for the file whose tree is `root`.
    pub fn new(src: &'a str, module: &'a str, root: Node<'a>) -> Self {
        let (top_defs, _) = defined_methods(Some(root), src);
        Walker {
            src,
            module,
            facts: FileFacts::default(),
            path: Vec::new(),
            base: Frame {
                role: Role::Program,
                function: None,
                qname: module.to_string(),
                named: module.to_string(),
                loops: Vec::new(),
                self_kind: SelfKind::Main,
                class: None,
                locals_start: 0,
                visible_start: 0,
            },
            frames: Vec::new(),
            classes: Vec::new(),
            locals: Locals::default(),
            pops: Vec::new(),
            top_defs,
            pending: Vec::new(),
            arg_nodes: Vec::new(),
            constants: HashSet::new(),
            for_loops: Vec::new(),
            next_chain: None,
            columns: Columns::default(),
            cursor: RefCell::new(root.walk()),
        }
    }

    /// The facts, once the walk is over.
    pub fn finish(self) -> FileFacts {
        self.facts
    }

    pub(super) fn frame(&self) -> &Frame {
        self.frames.last().unwrap_or(&self.base)
    }

    pub(super) fn frame_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().unwrap_or(&mut self.base)
    }

    pub(super) fn class(&self) -> Option<&ClassCtx<'a>> {
        self.frame().class.and_then(|i| self.classes.get(i))
    }

    pub(super) fn parent(&self) -> Option<Node<'a>> {
        self.path
            .len()
            .checked_sub(2)
            .and_then(|i| self.path.get(i))
            .copied()
    }

    pub(super) fn ancestor_kind(&self, up: usize) -> Option<Kind> {
        let i = self.path.len().checked_sub(up + 1)?;
        self.path.get(i).map(|n| kind(*n))
    }

    pub(super) fn span(&self, node: Node) -> Span {
        self.columns.span(node, self.src)
    }

    pub(super) fn text(&self, node: Node) -> &'a str {
        tree::text(node, self.src)
    }

    /// Open a frame for `node`. Blocks (`hard == false`) see the variables
    /// of the frame around them.
    pub(super) fn push_frame(&mut self, node: Node, mut frame: Frame, hard: bool) {
        frame.locals_start = self.locals.len();
        frame.visible_start = if hard {
            frame.locals_start
        } else {
            self.frame().visible_start
        };
        self.frames.push(frame);
        self.pops.push((node.id(), Pop::Frame));
    }

    pub(super) fn new_frame(
        &self,
        role: Role,
        function: Option<FunctionId>,
        qname: String,
    ) -> Frame {
        let frame = self.frame();
        Frame {
            role,
            function,
            named: qname.clone(),
            qname,
            loops: Vec::new(),
            self_kind: frame.self_kind,
            class: frame.class,
            locals_start: 0,
            visible_start: 0,
        }
    }

    pub(super) fn qualify(prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn enter(&mut self, node: Node<'a>) -> bool {
        self.path.push(node);
        match kind(node) {
            Kind::Class | Kind::Module => self.enter_class(node),
            Kind::SingletonClass => self.enter_singleton_class(node),
            Kind::Method | Kind::SingletonMethod => self.enter_method(node),
            Kind::Block | Kind::DoBlock if self.ancestor_kind(1) != Some(Kind::Lambda) => {
                self.enter_closure(node)
            }
            Kind::Lambda => self.enter_closure(node),
            Kind::Call => self.enter_call(node),
            Kind::Super => self.enter_super(node),
            Kind::Identifier => {
                self.enter_identifier(node);
                return false;
            }
            Kind::Token => return false,
            Kind::For => self.enter_for(node),
            Kind::Assignment | Kind::OperatorAssignment => {
                self.enter_assignment(node);
                self.pops.push((node.id(), Pop::Assignment));
            }
            Kind::Do => self.enter_do(node),
            Kind::Loop => self.enter_while(node),
            Kind::String | Kind::ChainedString
                if self.ancestor_kind(1) != Some(Kind::ChainedString) =>
            {
                self.enter_string(node)
            }
            Kind::HeredocBody => self.enter_string(node),
            _ => {}
        }
        true
    }

    fn leave(&mut self, node: Node<'a>) {
        while let Some(&(id, pop)) = self.pops.last() {
            if id != node.id() {
                break;
            }
            self.pops.pop();
            match pop {
                Pop::Frame => {
                    if let Some(frame) = self.frames.pop() {
                        self.locals.truncate(frame.locals_start);
                    }
                }
                Pop::Class => {
                    self.classes.pop();
                }
                Pop::Loop => {
                    self.frame_mut().loops.pop();
                }
                Pop::For => {
                    self.for_loops.pop();
                }
                Pop::Assignment => self.type_assignment(node),
            }
        }
        self.path.pop();
    }
}
