//! Name bindings: what a local name stands for, per scope.
//!
//! A binding is either a dotted prefix that the rest of a chain is appended
//! to (an import target `requests`, a definition `shop.views.helper`, or a
//! local type `requests.Session()`), the instance of an enclosing class
//! (`self`, `cls`), or a known-unknown value that shadows outer names.

use rustc_hash::FxHashMap;

/// Longest prefix a binding may hold; longer ones become [`Binding::Unknown`]
/// so that `x = x.f()` repeated many times cannot grow without bound.
const MAX_PREFIX: usize = 400;

/// Scopes are looked up for every call: a fast hash for short identifier keys.
type Names = FxHashMap<String, Binding>;

/// What a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Binding {
    /// A dotted prefix: `requests`, `shop.utils.f`, `requests.Session()`.
    Path(String),
    /// The instance (or class) of the class at this index of the extractor's
    /// class list: the first parameter of a method.
    SelfOf(usize),
    /// Bound to something the extractor cannot name (a parameter, a literal).
    Unknown,
}

impl Binding {
    /// A path binding, or `Unknown` when there is none or it is too long.
    pub(super) fn path(prefix: Option<String>) -> Binding {
        match prefix {
            Some(p) if !p.is_empty() && p.len() <= MAX_PREFIX => Binding::Path(p),
            _ => Binding::Unknown,
        }
    }
}

/// What kind of block a scope belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScopeKind {
    Module,
    Class,
    Function,
    Comprehension,
}

/// The names bound in one scope.
#[derive(Debug)]
pub(super) struct Scope {
    pub(super) kind: ScopeKind,
    /// For class scopes: the index of the class in the extractor's list.
    pub(super) class: Option<usize>,
    names: Names,
}

impl Scope {
    pub(super) fn new(kind: ScopeKind) -> Scope {
        Scope {
            kind,
            class: None,
            names: Names::default(),
        }
    }

    /// The scope of the body of the class at `index`.
    pub(super) fn of_class(index: usize) -> Scope {
        Scope {
            class: Some(index),
            ..Scope::new(ScopeKind::Class)
        }
    }

    pub(super) fn bind(&mut self, name: &str, binding: Binding) {
        match self.names.get_mut(name) {
            Some(slot) => *slot = binding,
            None => {
                self.names.insert(name.to_string(), binding);
            }
        }
    }
}

/// The binding of `name` seen from the innermost scope: class scopes are
/// only visible from their own body, as in Python.
pub(super) fn lookup<'a>(scopes: &'a [Scope], name: &str) -> Option<&'a Binding> {
    let last = scopes.len().saturating_sub(1);
    scopes
        .iter()
        .enumerate()
        .rev()
        .filter(|(i, s)| s.kind != ScopeKind::Class || *i == last)
        .find_map(|(_, s)| s.names.get(name))
}

/// Whether `name`, seen from the innermost scope, is a module-level name
/// (bound at the top level and not shadowed).
pub(super) fn is_module_level(scopes: &[Scope], name: &str) -> bool {
    let last = scopes.len().saturating_sub(1);
    scopes
        .iter()
        .enumerate()
        .rev()
        .filter(|(i, s)| s.kind != ScopeKind::Class || *i == last)
        .find(|(_, s)| s.names.contains_key(name))
        .is_some_and(|(_, s)| s.kind == ScopeKind::Module)
}

/// The package a relative import with `level` dots starts from, for a file
/// whose module is `module` (`is_package`: the file is an `__init__.py`,
/// whose module is the package itself).
pub(super) fn relative_base(module: &str, is_package: bool, level: usize) -> &str {
    let mut base = if is_package { module } else { parent(module) };
    for _ in 1..level {
        base = parent(base);
    }
    base
}

fn parent(module: &str) -> &str {
    module.rfind('.').map_or("", |i| &module[..i])
}

/// `a` + `.` + `b`, leaving out the dot when either side is empty.
pub(super) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}.{b}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_imports_start_at_the_package() {
        assert_eq!(relative_base("shop.views", false, 1), "shop");
        assert_eq!(relative_base("shop.api.views", false, 2), "shop");
        assert_eq!(relative_base("shop.api", true, 1), "shop.api");
        assert_eq!(relative_base("shop.api", true, 2), "shop");
        assert_eq!(relative_base("tool", false, 1), "");
        assert_eq!(relative_base("tool", false, 3), "");
    }

    #[test]
    fn class_scopes_are_hidden_from_nested_functions() {
        let mut module = Scope::new(ScopeKind::Module);
        module.bind("x", Binding::Path("m.x".into()));
        let mut class = Scope::new(ScopeKind::Class);
        class.bind("x", Binding::Unknown);
        let function = Scope::new(ScopeKind::Function);
        let mut scopes = vec![module, class];
        assert_eq!(lookup(&scopes, "x"), Some(&Binding::Unknown));
        scopes.push(function);
        assert_eq!(lookup(&scopes, "x"), Some(&Binding::Path("m.x".into())));
    }
}
