//! The single pass over the tree: a [`Visitor`] that keeps the stacks of
//! enclosing functions, classes, loops and calls, and dispatches each node
//! kind to the module that handles it.

use super::handlers::FileRole;
use super::kinds::{Field, Kind, KindTable};
use super::scope::{Binding, Scope};
use super::values::Slots;
use super::SourceFile;
use crate::facts::{CallId, FileFacts, FunctionId, LoopId, Span};
use crate::lang::tree::{self, Visitor};
use std::collections::HashMap;
use tree_sitter::Node;

/// A function being walked (index 0 is the module itself).
#[derive(Debug, Default)]
pub(super) struct FnCtx {
    /// Its id; None for the module.
    pub id: Option<FunctionId>,
    /// Its qualified name (the module name for the module).
    pub qname: String,
    /// What `this.m` names: the class or object the function is a method of.
    pub this_q: Option<String>,
    /// The class whose fields `this.x` reads (index into `Walker::classes`).
    pub class: Option<usize>,
    /// Loops enclosing the current position inside this function.
    pub loops: Vec<ActiveLoop>,
    /// Local names.
    pub scope: Scope,
}

/// A loop that encloses the code from byte `from` on.
#[derive(Debug, Clone, Copy)]
pub(super) struct ActiveLoop {
    /// The loop.
    pub id: LoopId,
    /// Calls starting before this byte (the iterable of a `for ... of`) are
    /// not inside it.
    pub from: usize,
}

/// A class being walked.
#[derive(Debug, Default)]
pub(super) struct ClassCtx {
    /// Its qualified name.
    pub qname: String,
    /// Its name.
    pub name: String,
    /// Its decorators.
    pub decorators: Vec<String>,
    /// Its resolved superclass, if any.
    pub base: Option<String>,
    /// Known field types (`this.db` → `better-sqlite3()`).
    pub fields: HashMap<String, String>,
}

/// A call whose arguments are being walked.
#[derive(Debug)]
pub(super) struct OpenCall {
    /// The call node's id.
    pub node: usize,
    /// Its fact.
    pub id: CallId,
    /// The callback loop it starts (`items.map(x => ..)`).
    pub loop_id: Option<LoopId>,
    /// The framework when this call registers request handlers.
    pub route: Option<&'static str>,
    /// Start bytes of its inline function arguments.
    pub closures: Vec<usize>,
}

/// What to undo when leaving a node.
#[derive(Debug, Clone, Copy)]
enum Frame {
    Function,
    Class,
    Loop,
    Call,
}

/// The extraction state.
pub(super) struct Walker<'a, 't> {
    /// The file's text.
    pub text: &'a str,
    /// The file's module name.
    pub module: &'a str,
    /// Kind lookup for the file's grammar.
    pub kinds: &'static KindTable,
    /// What is being produced.
    pub facts: FileFacts,
    /// Enclosing functions; `fns[0]` is the module.
    pub fns: Vec<FnCtx>,
    /// Enclosing classes.
    pub classes: Vec<ClassCtx>,
    /// Enclosing calls.
    pub calls: Vec<OpenCall>,
    /// Ancestors of the current node (the node itself last once entered).
    pub stack: Vec<Node<'t>>,
    frames: Vec<(usize, Frame)>,
    /// Decorators seen before the member or class they decorate
    /// (TypeScript class-body and `export` decorators), waiting for it.
    pub pending_decorators: Vec<String>,
    /// Those of them written as calls, as slots (see [`Slots`]).
    pub pending_decorator_calls: Vec<u32>,
    /// Calls and functions referred to before the walk reaches them.
    pub slots: Slots,
    /// The local name exported as the module's default, if any.
    pub default_name: Option<String>,
    /// Project functions passed by name to a route registration.
    pub handler_refs: Vec<(String, &'static str)>,
    /// What the file is to a framework (a Next.js API route, ...).
    pub role: FileRole,
    /// The web framework the file imports, if any.
    pub framework: Option<&'static str>,
    /// Columns of spans, counted on from the previous one.
    columns: tree::Columns,
}

impl<'a, 't> Walker<'a, 't> {
    /// A walker for one file.
    pub(super) fn new(src: &SourceFile<'a>, kinds: &'static KindTable) -> Self {
        let module_ctx = FnCtx {
            qname: src.module.to_string(),
            ..FnCtx::default()
        };
        Walker {
            text: src.text,
            module: src.module,
            kinds,
            facts: FileFacts {
                module: src.module.to_string(),
                ..FileFacts::default()
            },
            fns: vec![module_ctx],
            classes: Vec::new(),
            calls: Vec::new(),
            stack: Vec::new(),
            frames: Vec::new(),
            pending_decorators: Vec::new(),
            pending_decorator_calls: Vec::new(),
            slots: Slots::default(),
            default_name: None,
            handler_refs: Vec::new(),
            role: FileRole::from_path(src.path),
            framework: None,
            columns: tree::Columns::default(),
        }
    }

    /// The kind of a node.
    pub(super) fn kind(&self, node: Node) -> Kind {
        self.kinds.of(node)
    }

    /// The child of `node` in `field`.
    pub(super) fn field(&self, node: Node<'t>, field: Field) -> Option<Node<'t>> {
        self.kinds.field(node, field)
    }

    /// The span of a node (linear time on minified one-line files).
    pub(super) fn span(&self, node: Node) -> Span {
        self.columns.span(node, self.text)
    }

    /// The source text of a node.
    pub(super) fn text_of(&self, node: Node) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// The `n`-th ancestor of the node being entered (0: its parent).
    pub(super) fn ancestor(&self, n: usize) -> Option<Node<'t>> {
        self.stack.len().checked_sub(n + 1).map(|i| self.stack[i])
    }

    /// The innermost function context.
    pub(super) fn current(&self) -> &FnCtx {
        self.fns.last().expect("the module context is never popped")
    }

    /// The innermost function context, mutably.
    pub(super) fn current_mut(&mut self) -> &mut FnCtx {
        self.fns
            .last_mut()
            .expect("the module context is never popped")
    }

    /// Whether the walk is at module level (in no function).
    pub(super) fn at_module_level(&self) -> bool {
        self.fns.len() == 1
    }

    /// The binding of a name, innermost scope first.
    pub(super) fn lookup(&self, name: &str) -> Option<&Binding> {
        self.fns.iter().rev().find_map(|f| f.scope.get(name))
    }

    /// Bind a name in the innermost scope.
    pub(super) fn bind(&mut self, name: &str, binding: Binding) {
        self.current_mut().scope.bind(name, binding);
    }

    /// Rebind an assigned name where it was declared (innermost scope if
    /// it was never declared).
    pub(super) fn rebind(&mut self, name: &str, binding: Binding) {
        let slot = self.fns.iter_mut().rev().find(|f| f.scope.has(name));
        match slot {
            Some(f) => f.scope.bind(name, binding),
            None => self.bind(name, binding),
        }
    }

    /// Remember to undo something when leaving `node`.
    fn push_frame(&mut self, node: Node, frame: Frame) {
        self.frames.push((node.id(), frame));
    }

    /// Enter a function context (undone when leaving `node`).
    pub(super) fn push_function(&mut self, node: Node, ctx: FnCtx) {
        self.fns.push(ctx);
        self.push_frame(node, Frame::Function);
    }

    /// Enter a class context (undone when leaving `node`).
    pub(super) fn push_class(&mut self, node: Node, ctx: ClassCtx) {
        self.classes.push(ctx);
        self.push_frame(node, Frame::Class);
    }

    /// Enter a loop of the current function (undone when leaving `node`).
    pub(super) fn push_loop(&mut self, node: Node, active: ActiveLoop) {
        self.current_mut().loops.push(active);
        self.push_frame(node, Frame::Loop);
    }

    /// Enter a call's arguments (undone when leaving `node`).
    pub(super) fn push_call(&mut self, node: Node, call: OpenCall) {
        self.calls.push(call);
        self.push_frame(node, Frame::Call);
    }

    /// The loops of the current function enclosing byte `at`, outermost
    /// first.
    pub(super) fn loops_at(&self, at: usize) -> Vec<LoopId> {
        self.current()
            .loops
            .iter()
            .filter(|l| l.from <= at)
            .map(|l| l.id)
            .collect()
    }

    /// The facts, with handlers named by reference marked and slots filled.
    pub(super) fn finish(mut self) -> FileFacts {
        self.mark_referenced_handlers();
        self.slots.fill(&mut self.facts, self.text);
        self.facts
    }
}

impl<'t> Visitor<'t> for Walker<'_, 't> {
    fn enter(&mut self, node: Node<'t>) -> bool {
        let descend = match self.kind(node) {
            Kind::TypeOnly | Kind::Import => false,
            Kind::Decorator => {
                self.note_decorator(node);
                true
            }
            Kind::FunctionDeclaration | Kind::FunctionExpression | Kind::Arrow | Kind::Method => {
                self.enter_function(node);
                true
            }
            Kind::Field => {
                self.enter_field(node);
                true
            }
            Kind::Class => {
                self.enter_class(node);
                true
            }
            Kind::ClassBody => {
                self.enter_class_body(node);
                true
            }
            Kind::Call | Kind::New => {
                self.enter_call(node);
                true
            }
            Kind::For | Kind::ForIn | Kind::While | Kind::Do => {
                self.enter_loop(node);
                true
            }
            Kind::Declarator => {
                self.declarator_assigns(node);
                self.enter_declarator(node);
                true
            }
            Kind::Assignment => {
                self.assignment_assigns(node);
                self.enter_assignment(node);
                true
            }
            Kind::AugmentedAssignment => {
                self.assignment_assigns(node);
                true
            }
            Kind::Update => {
                self.update_assigns(node);
                true
            }
            Kind::Unary => {
                self.delete_assigns(node);
                true
            }
            Kind::Member => {
                self.enter_member(node);
                true
            }
            Kind::Catch => {
                self.enter_catch(node);
                true
            }
            Kind::String => {
                self.enter_string(node);
                false
            }
            Kind::Template => {
                self.enter_template(node);
                true
            }
            _ => true,
        };
        self.stack.push(node);
        descend
    }

    fn leave(&mut self, node: Node<'t>) {
        self.stack.pop();
        let id = node.id();
        while let Some(&(frame_node, frame)) = self.frames.last() {
            if frame_node != id {
                break;
            }
            self.frames.pop();
            match frame {
                Frame::Function => {
                    self.fns.pop();
                }
                Frame::Class => {
                    self.classes.pop();
                }
                Frame::Loop => {
                    self.current_mut().loops.pop();
                }
                Frame::Call => {
                    self.calls.pop();
                }
            }
        }
    }
}
