//! What the walker knows about where it is: the enclosing classes and
//! functions (frames), and the local variables in scope with their types.

use crate::facts::{FunctionId, LoopId};

/// What `self` is in a frame, which decides how a receiver-less call
/// resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfKind {
    /// Top level: the main object.
    Main,
    /// A class or module body, a `def self.m`, a `class << self` body.
    Class,
    /// An instance method.
    Instance,
}

/// What opened a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The file.
    Program,
    /// A `class` or `module` body.
    ClassBody,
    /// A `class << self` body: its `def`s are singleton methods.
    SingletonBody,
    /// A method or a closure.
    Function,
}

/// One lexical frame: the file, a class body, a method or a closure.
#[derive(Debug)]
pub struct Frame {
    /// What opened it.
    pub role: Role,
    /// The innermost function (None at top level and in class bodies).
    pub function: Option<FunctionId>,
    /// Qualified name that closures defined here are named after.
    pub qname: String,
    /// The qualified name of the innermost named function, class or file.
    pub named: String,
    /// Loops around the current position, within this function.
    pub loops: Vec<LoopId>,
    /// What `self` is.
    pub self_kind: SelfKind,
    /// Index of the innermost class in the walker's class stack.
    pub class: Option<usize>,
    /// Index in [`Locals`] where this frame's variables start.
    pub locals_start: usize,
    /// Index in [`Locals`] from which variables are visible here (blocks see
    /// their enclosing method's variables; `def` and `class` do not).
    pub visible_start: usize,
}

/// A class or module being walked.
#[derive(Debug)]
pub struct ClassCtx<'a> {
    /// Name as written (`Admin::UsersController`).
    pub name: &'a str,
    /// Qualified name (`app/models/user.Shop.User`).
    pub qname: String,
    /// The constant path, dotted (`Shop.User`): the receiver of its class
    /// methods.
    pub constant: String,
    /// A Rails controller: its public instance methods are actions.
    pub controller: bool,
    /// Whether `def`s here are public (until `private` / `protected`).
    pub public: bool,
    /// Instance methods defined directly in the body.
    pub instance_methods: Vec<&'a str>,
    /// Singleton methods (`def self.m`, `class << self`) defined in the body.
    pub singleton_methods: Vec<&'a str>,
}

/// Local variables (and instance variables, written with their `@`) in
/// scope, innermost last, each with the resolved type of the value last
/// assigned to it when that is known.
#[derive(Debug, Default)]
pub struct Locals<'a> {
    vars: Vec<(&'a str, Option<String>)>,
}

impl<'a> Locals<'a> {
    /// Number of variables: where a new frame's variables will start.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Forget the variables of a frame that ends.
    pub fn truncate(&mut self, start: usize) {
        self.vars.truncate(start);
    }

    /// The variable `name` visible from `visible`: `Some(type)` when it is a
    /// variable.
    pub fn lookup(&self, visible: usize, name: &str) -> Option<&Option<String>> {
        self.vars
            .get(visible..)?
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, ty)| ty)
    }

    /// Declare a parameter: a new variable, shadowing any outer one.
    pub fn declare(&mut self, name: &'a str) {
        self.vars.push((name, None));
    }

    /// Assign `name` (an outer variable visible from `visible` is updated,
    /// as Ruby does; otherwise a new variable is created).
    pub fn assign(&mut self, visible: usize, name: &'a str, ty: Option<String>) {
        let found = self
            .vars
            .get_mut(visible..)
            .and_then(|vars| vars.iter_mut().rev().find(|(n, _)| *n == name));
        match found {
            Some(var) => var.1 = ty,
            None => self.vars.push((name, ty)),
        }
    }
}
