//! Resolution: what a call invokes, spelled for catalogs and the call graph.
//!
//! Ruby has no imports to follow. A constant is itself (`Admin::User` →
//! `Admin.User`); a receiver-less call is a call on `self`, which resolves
//! to `module.Class.m` when the class defines `m` in this file; a local or
//! instance variable assigned from a call has that call as its type
//! (`u = User.find(1); u.orders` → `User.find().orders`). In a resolved
//! spelling every call in the receiver chain is written with `()`, because
//! in Ruby every `.name` is a call.

use super::chain::{self, constant_path, Chain, Root};
use super::scope::SelfKind;
use super::walker::Walker;
use tree_sitter::Node;

impl<'a> Walker<'a> {
    /// A receiver-less call of `name` (or `self.name`) from the current
    /// frame: the class's own method, a method defined at the top of the
    /// file, a class method on the class (`where` in `def self.recent` →
    /// `User.where`), or else the bare name (`puts`, `render`).
    pub(super) fn resolve_bare(&self, name: &str) -> String {
        let self_kind = self.frame().self_kind;
        if let Some(class) = self.class() {
            let own = match self_kind {
                SelfKind::Instance => &class.instance_methods,
                _ => &class.singleton_methods,
            };
            if own.contains(&name) {
                return format!("{}.{name}", class.qname);
            }
        }
        if self.top_defs.contains(&name) {
            return if self.module.is_empty() {
                name.to_string()
            } else {
                format!("{}.{name}", self.module)
            };
        }
        match self.class() {
            Some(class) if self_kind == SelfKind::Class => format!("{}.{name}", class.constant),
            _ => name.to_string(),
        }
    }

    /// The resolved callee of a chain, or None when its root is unknown (a
    /// parameter, an untyped variable, a literal).
    pub(super) fn resolve_chain(&self, chain: &Chain) -> Option<String> {
        let segments = chain.segments.as_slice();
        // `out` is a callee when `is_call`, else a value (`User`, `User.find()`).
        let (mut out, mut is_call, rest) = match chain.root {
            Root::Implicit | Root::SelfRef => {
                let (first, rest) = segments.split_first()?;
                match self.self_class_constant(chain.root, first.name, rest) {
                    Some(constant) => (constant, false, rest),
                    None => (self.resolve_bare(first.name), true, rest),
                }
            }
            Root::Ident(name) => (self.variable_or_call(name)?, false, segments),
            Root::Ivar(name) => (self.variable_type(name)?, false, segments),
            Root::Const(node) => (constant_path(node, self.src)?, false, segments),
            Root::Other(_) | Root::Deeper(_) => return None,
        };
        for segment in rest {
            if is_call {
                out.push_str("()");
            }
            out.push('.');
            out.push_str(segment.name);
            is_call = true;
        }
        Some(out)
    }

    /// `self.class.where(...)` in an instance method: the class constant.
    fn self_class_constant(
        &self,
        root: Root,
        first: &str,
        rest: &[chain::Segment],
    ) -> Option<String> {
        let applies = root == Root::SelfRef
            && first == "class"
            && !rest.is_empty()
            && self.frame().self_kind == SelfKind::Instance;
        applies
            .then(|| self.class().map(|c| c.constant.clone()))
            .flatten()
    }

    /// A variable's type, or for a bare method call its resolved call.
    fn variable_or_call(&self, name: &str) -> Option<String> {
        match self.locals.lookup(self.frame().visible_start, name) {
            Some(ty) => ty.clone(),
            None => Some(format!("{}()", self.resolve_bare(name))),
        }
    }

    fn variable_type(&self, name: &str) -> Option<String> {
        self.locals
            .lookup(self.frame().visible_start, name)
            .cloned()
            .flatten()
    }

    /// The resolved spelling of an expression's value: a call's resolved
    /// callee with `()`, a constant, a typed variable.
    pub(super) fn resolve_value(&self, node: Node<'a>) -> Option<String> {
        let mut node = node;
        while node.kind() == "parenthesized_statements" && node.named_child_count() == 1 {
            node = node.named_child(0)?;
        }
        match node.kind() {
            "call" => {
                let chain = chain::read(node, self.src, &mut self.cursor.borrow_mut());
                self.resolve_chain(&chain).map(|r| format!("{r}()"))
            }
            "identifier" => self.variable_or_call(self.text(node)),
            "instance_variable" => self.variable_type(self.text(node)),
            "constant" | "scope_resolution" => constant_path(node, self.src),
            "self" if self.frame().self_kind == SelfKind::Class => {
                self.class().map(|c| c.constant.clone())
            }
            _ => None,
        }
    }
}
