//! Name bindings per function scope: what a local name stands for.

use rustc_hash::FxHashMap;

/// What a name is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Binding {
    /// Something we can spell: an import target (`fs`, `src/lib/db.query`),
    /// a project function or class (`src/app.main`), or a value's type
    /// written as the call that made it (`express()`, `better-sqlite3()`).
    Known(String),
    /// A relative module bound as a whole by `require('./x')`: calling it
    /// calls its `module.exports`, named `<module>.default`.
    Module(String),
    /// A parameter or a local whose value is unknown: it shadows any outer
    /// name and resolves to nothing.
    Unknown,
}

/// One function's (or the module's) bindings.
#[derive(Debug, Default)]
pub(super) struct Scope {
    names: FxHashMap<String, Binding>,
}

impl Scope {
    /// Bind `name` in this scope, replacing any earlier binding.
    pub(super) fn bind(&mut self, name: &str, binding: Binding) {
        match self.names.get_mut(name) {
            Some(slot) => *slot = binding,
            None => {
                self.names.insert(name.to_string(), binding);
            }
        }
    }

    /// The binding of `name` in this scope.
    pub(super) fn get(&self, name: &str) -> Option<&Binding> {
        self.names.get(name)
    }

    /// Whether `name` is declared here.
    pub(super) fn has(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }
}
