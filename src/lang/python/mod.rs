//! Python extractor: one walk over a tree-sitter-python tree, keeping a
//! context stack (scopes with their bindings, enclosing functions with their
//! loops, classes), turned into [`FileFacts`].
//!
//! Before the walk, a cheap pre-scan of the module's top-level statements
//! binds imports, definitions and module-level assignments, so a function
//! can call a helper defined below it. During the walk, every construct that
//! opens a context pushes an `Exit` tagged with its node id, undone when the
//! walk leaves that node; a `Trigger` does something when the walk enters a
//! given descendant (a loop's body becomes active, a function's scope starts
//! at its body).
//!
//! Walking is most of the cost beyond parsing, so subtrees whose facts are
//! read in place are not walked: dotted names, strings without
//! interpolation, calls whose callee is a dotted name and whose arguments are
//! names or literals, parameters without calls in their defaults, and simple
//! assignments and returns of such values. (Dotted names in them that are
//! attribute chains on loop bindings are recorded where they are read.)
//!
//! Values (arguments, assigned values) are read when the walk enters their
//! statement or call; a call or lambda inside one gets its fact later, when
//! the walk reaches it, so the value holds a placeholder until `finish`.

mod accesses;
mod assigns;
mod bindings;
mod calls;
mod chain;
mod defs;
#[cfg(test)]
mod fact_tests;
mod handlers;
mod kinds;
mod loops;
mod scope;
mod strings;
#[cfg(test)]
mod tests;
mod values;

use super::SourceFile;
use crate::facts::{ArgValue, AssignOp, CallId, FileFacts, FunctionId, LoopId};
use crate::lang::tree::{self, Visitor};
use kinds::{Field, Kind, NodeExt};
use scope::{Binding, Scope, ScopeKind};
use std::collections::HashMap;
use tree_sitter::{Node, TreeCursor};

/// Extract facts from a Python file.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let tree = tree::parse(src.text, &kinds::language(), "Python")?;
    let root = tree.root_node();
    let mut extractor = Extractor::new(src, root);
    extractor.prescan(root);
    tree::visit(root, &mut extractor);
    let mut facts = extractor.finish();
    facts
        .notes
        .extend(tree::syntax_note(root, src.text, "Python"));
    Ok(facts)
}

/// Parse a Python file and drop the tree.
pub fn parse(src: &SourceFile) -> Result<(), String> {
    tree::parse(src.text, &kinds::language(), "Python").map(drop)
}

/// A function being walked (or the module top level).
struct Frame {
    /// None at module top level.
    func: Option<FunctionId>,
    /// Qualified name of the function (the module at top level).
    qname: String,
    /// Loops of this function enclosing the current node, outermost first.
    loops: Vec<LoopId>,
    /// Names declared `global` in this function.
    globals: Vec<String>,
}

/// A class seen in the file.
struct ClassInfo {
    /// Name as written.
    name: String,
    /// Qualified name.
    qname: String,
    /// Resolved bases.
    bases: Vec<String>,
    /// Types of instance attributes assigned from calls (`self.s = requests.Session()`).
    attrs: HashMap<String, Binding>,
}

/// A function whose body the walk has not reached yet: what to push when
/// it does (parameters and defaults belong to the enclosing scope).
struct Body {
    scope: Scope,
    frame: Frame,
    prefix: String,
}

/// What to undo when the walk leaves the node that pushed it.
#[derive(Debug, Clone, Copy)]
enum Exit {
    /// Leave a function's body: its scope, frame and name prefix.
    Function,
    /// Forget a function body the walk never reached.
    DropBody(usize),
    /// Leave a class body: its scope and name prefix.
    Class,
    /// Leave a comprehension's scope.
    Scope,
    /// Leave a loop's active region.
    Loop,
    /// Re-enter a comprehension's loop after its outermost iterable.
    Unhide(LoopId),
    /// Forget a trigger that never fired.
    DropTrigger(usize),
    /// Apply the binding of an assignment, walrus or `with ... as`.
    Bind,
}

/// Something to do when the walk enters a given node.
#[derive(Debug, Clone, Copy)]
struct Trigger {
    node: usize,
    action: Action,
}

#[derive(Debug, Clone, Copy)]
enum Action {
    /// Entering a loop's body: the loop becomes active.
    PushLoop(LoopId),
    /// Entering a comprehension's outermost iterable, which is evaluated
    /// once, outside the comprehension's loop.
    Hide,
    /// A subtree with nothing left to find (its facts were read already).
    Skip,
    /// A call read already on behalf of its parent: walk into it without
    /// reading it again.
    Read,
    /// Entering a function's body: its scope and frame become current.
    Body,
}

/// A decorator: as written (no `@`, no arguments) and resolved.
struct Decorator {
    written: String,
    resolved: Option<String>,
    /// When written as a call: the placeholder of its call fact.
    call: Option<u32>,
}

/// The walk's state.
struct Extractor<'s, 't> {
    text: &'s str,
    /// Columns of spans, counted on from the previous one.
    columns: tree::Columns,
    module: &'s str,
    /// The file is a package's `__init__`.
    is_package: bool,
    /// The file holds Django views (by its path).
    views_file: bool,
    /// The first web framework the file imports (not Django).
    framework: Option<&'static str>,
    facts: FileFacts,
    scopes: Vec<Scope>,
    frames: Vec<Frame>,
    /// Qualified-name prefixes of the enclosing definitions.
    prefixes: Vec<String>,
    classes: Vec<ClassInfo>,
    exits: Vec<(usize, Exit)>,
    triggers: Vec<Trigger>,
    /// The call node that is the operand of the innermost `await` seen.
    awaited: Option<usize>,
    /// Module-level imports read by the pre-scan, in walk order, with the
    /// index of the next one the walk will meet.
    prescanned: Vec<(usize, Vec<(String, String)>)>,
    next_prescanned: usize,
    /// Functions waiting for the walk to reach their body, innermost last.
    bodies: Vec<Body>,
    /// Decorators waiting for their definition node (by id).
    decorators: Option<(usize, Vec<Decorator>)>,
    /// Lambdas passed as arguments: (lambda node id, call).
    lambdas: Vec<(usize, CallId)>,
    /// Calls and lambdas read inside values before the walk reached them.
    pending: values::Pending<'t>,
    /// String literals starting before this byte were already read as part
    /// of a larger SQL text.
    sql_until: usize,
    /// A cursor for iterating children, reused (creating one allocates).
    cursor: Option<TreeCursor<'t>>,
}

impl<'s, 't> Extractor<'s, 't> {
    /// The span of a node (linear time on one long line).
    fn span(&self, node: tree_sitter::Node) -> crate::facts::Span {
        self.columns.span(node, self.text)
    }

    fn new(src: &SourceFile<'s>, root: Node<'t>) -> Extractor<'s, 't> {
        let file = src.path.rsplit('/').next().unwrap_or(src.path);
        Extractor {
            text: src.text,
            columns: tree::Columns::default(),
            module: src.module,
            is_package: file.starts_with("__init__."),
            views_file: handlers::is_views_file(src.path),
            framework: None,
            facts: FileFacts::default(),
            scopes: vec![Scope::new(ScopeKind::Module)],
            frames: vec![Frame {
                func: None,
                qname: src.module.to_string(),
                loops: Vec::new(),
                globals: Vec::new(),
            }],
            prefixes: vec![src.module.to_string()],
            classes: Vec::new(),
            exits: Vec::new(),
            triggers: Vec::new(),
            awaited: None,
            decorators: None,
            prescanned: Vec::new(),
            next_prescanned: 0,
            bodies: Vec::new(),
            lambdas: Vec::new(),
            pending: values::Pending::default(),
            sql_until: 0,
            cursor: Some(root.walk()),
        }
    }

    fn finish(mut self) -> FileFacts {
        if !self.pending.is_empty() {
            let values = self.facts.calls.iter_mut().flat_map(|c| &mut c.args);
            for arg in values {
                self.pending.fill(&mut arg.value, self.text);
            }
            for value in self
                .facts
                .assigns
                .iter_mut()
                .filter_map(|a| a.value.as_mut())
            {
                self.pending.fill(value, self.text);
            }
            let returns = self.facts.functions.iter_mut().flat_map(|f| &mut f.returns);
            for value in returns {
                self.pending.fill(value, self.text);
            }
        }
        self.mark_registered_handlers();
        self.facts.module = self.module.to_string();
        self.facts
    }

    /// The reusable cursor, reset to `node`'s children by the iterators
    /// that take it. Put it back with [`Extractor::put_cursor`].
    fn take_cursor(&mut self, node: Node<'t>) -> TreeCursor<'t> {
        self.cursor.take().unwrap_or_else(|| node.walk())
    }

    fn put_cursor(&mut self, cursor: TreeCursor<'t>) {
        self.cursor = Some(cursor);
    }

    /// The innermost function frame (the module frame is never popped).
    fn frame(&self) -> &Frame {
        &self.frames[self.frames.len() - 1]
    }

    fn frame_mut(&mut self) -> &mut Frame {
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// The qualified-name prefix for a definition here.
    fn prefix(&self) -> &str {
        self.prefixes.last().map_or(self.module, String::as_str)
    }

    /// The innermost scope (the module scope is never popped).
    fn scope(&self) -> &Scope {
        &self.scopes[self.scopes.len() - 1]
    }

    /// Bind `name` in the innermost scope. Module-level bindings come from
    /// the pre-scan and are left alone here.
    fn bind(&mut self, name: &str, binding: Binding) {
        let last = self.scopes.len() - 1;
        let scope = &mut self.scopes[last];
        if scope.kind != ScopeKind::Module {
            scope.bind(name, binding);
        }
    }

    /// Have the walk skip `subtree` of `owner` (dropped with the owner).
    fn skip(&mut self, owner: Node, subtree: Node) {
        self.triggers.push(Trigger {
            node: subtree.id(),
            action: Action::Skip,
        });
        self.exits
            .push((owner.id(), Exit::DropTrigger(subtree.id())));
    }

    /// Read the value of `parent` (an assignment's right side, a returned
    /// value) now, so the walk can skip `parent` when nothing in it is left
    /// to find. Returns whether the walk still has to go into `parent`.
    fn absorb(&mut self, parent: Node, value: Node<'t>) -> bool {
        if self.is_inert(value) {
            if value.is(Kind::Attribute) {
                self.access(value, false);
            }
            return false;
        }
        if !value.is(Kind::Call) {
            return true;
        }
        if !self.call(value) {
            return false;
        }
        self.triggers.push(Trigger {
            node: value.id(),
            action: Action::Read,
        });
        self.exits
            .push((parent.id(), Exit::DropTrigger(value.id())));
        true
    }

    /// An assignment: with a plain target and a value read in place, bind
    /// it now and skip it; otherwise bind it when the walk leaves it.
    fn assignment(&mut self, node: Node<'t>) -> bool {
        let plain_target = node
            .field(Field::Left)
            .is_some_and(|left| chain::is_plain_path(left));
        let inert_type = node
            .field(Field::Type)
            .is_none_or(|t| t.named_child(0).is_some_and(|n| self.is_inert(n)));
        let value = node.field(Field::Right);
        let mut walked = true;
        if let (true, true, Some(value)) = (plain_target, inert_type, value) {
            walked = self.absorb(node, value);
        }
        if walked {
            self.exits.push((node.id(), Exit::Bind));
        } else {
            self.bind_node(node);
        }
        if let Some(left) = node.field(Field::Left).filter(|l| l.is(Kind::Attribute)) {
            self.stored(left, walked);
        }
        walked
    }

    /// A dotted store target (`order.customer.name = v` reads
    /// `order.customer`), skipped by the walk when rooted at a loop binding.
    /// The target is the first child the walk enters, so the trigger always
    /// fires (and is pushed last, above the value's).
    fn stored(&mut self, left: Node<'t>, walked: bool) {
        if chain::is_plain_path(left) && self.access(left, true) && walked {
            self.triggers.push(Trigger {
                node: left.id(),
                action: Action::Skip,
            });
        }
    }

    /// Run the trigger waiting for `node`, if any: `Some(descend)` when it
    /// decides for the walk, None when `node` is to be read as usual.
    fn fire_trigger(&mut self, node: Node) -> Option<bool> {
        let trigger = self.triggers.last().copied()?;
        if trigger.node != node.id() {
            return None;
        }
        self.triggers.pop();
        match trigger.action {
            Action::Skip => return Some(false),
            Action::Read => return Some(true),
            Action::Body => {
                if let Some(body) = self.bodies.pop() {
                    self.scopes.push(body.scope);
                    self.frames.push(body.frame);
                    self.prefixes.push(body.prefix);
                    self.exits.push((node.id(), Exit::Function));
                }
            }
            Action::PushLoop(id) => {
                self.frame_mut().loops.push(id);
                self.exits.push((node.id(), Exit::Loop));
            }
            Action::Hide => {
                if let Some(id) = self.frame_mut().loops.pop() {
                    self.exits.push((node.id(), Exit::Unhide(id)));
                }
            }
        }
        None
    }

    fn exit(&mut self, node: Node<'_>, exit: Exit) {
        match exit {
            Exit::Function => {
                self.scopes.pop();
                self.frames.pop();
                self.prefixes.pop();
            }
            Exit::Class => {
                self.scopes.pop();
                self.prefixes.pop();
            }
            Exit::Scope => {
                self.scopes.pop();
            }
            Exit::Loop => {
                self.frame_mut().loops.pop();
            }
            Exit::Unhide(id) => self.frame_mut().loops.push(id),
            Exit::DropBody(id) => {
                if self.triggers.last().is_some_and(|t| t.node == id) {
                    self.triggers.pop();
                    self.bodies.pop();
                }
            }
            Exit::DropTrigger(id) => {
                if self.triggers.last().is_some_and(|t| t.node == id) {
                    self.triggers.pop();
                }
            }
            Exit::Bind => self.bind_node(node),
        }
    }
}

impl<'t> Visitor<'t> for Extractor<'_, 't> {
    fn enter(&mut self, node: Node<'t>) -> bool {
        if let Some(descend) = self.fire_trigger(node) {
            return descend;
        }
        match kinds::of(node) {
            Kind::DecoratedDefinition => self.decorated(node),
            Kind::FunctionDefinition => self.function(node, false),
            Kind::Lambda => self.function(node, true),
            Kind::ClassDefinition => self.class(node),
            Kind::Call => return self.call(node),
            Kind::Await => self.await_operand(node),
            Kind::For => self.for_loop(node),
            Kind::While => self.while_loop(node),
            Kind::Comprehension => self.comprehension(node),
            Kind::Import | Kind::ImportFrom => {
                self.import(node);
                return false;
            }
            Kind::Assignment => {
                self.assign_facts(node, AssignOp::Bind);
                return self.assignment(node);
            }
            Kind::AugmentedAssignment => self.assign_facts(node, AssignOp::Augmented),
            Kind::DeleteStatement => self.delete_facts(node),
            Kind::Global => {
                self.global(node);
                return false;
            }
            Kind::Return => {
                let value = node.named_child(0);
                if let Some(func) = self.frame().func {
                    let returned = match value {
                        Some(value) => self.value(value, 0),
                        None => ArgValue::Null,
                    };
                    self.facts.functions[func as usize].returns.push(returned);
                }
                return match value {
                    Some(value) => self.absorb(node, value),
                    None => false,
                };
            }
            Kind::NamedExpression => {
                self.walrus_facts(node);
                self.exits.push((node.id(), Exit::Bind));
            }
            Kind::WithItem => self.exits.push((node.id(), Exit::Bind)),
            Kind::String => return self.string(node),
            Kind::ConcatenatedString => self.concatenated_string(node),
            Kind::BinaryOperator => self.concatenation(node),
            Kind::Comment => return false,
            Kind::Attribute => {
                let plain = chain::is_plain_path(node);
                if plain {
                    self.access(node, false);
                }
                return !plain;
            }
            _ => {}
        }
        true
    }

    fn leave(&mut self, node: Node<'t>) {
        while let Some(&(id, exit)) = self.exits.last() {
            if id != node.id() {
                break;
            }
            self.exits.pop();
            self.exit(node, exit);
        }
    }
}
