//! Name resolution: `use` trees, module-relative paths (`crate::`, `self::`,
//! `super::`), items defined in the file, `Self`, and the types of local
//! variables. Paths come out dotted: `std::fs::read` → `std.fs.read`.

use std::collections::HashMap;
use syn::{Ident, Path, Type};

/// Names that come from the standard prelude: never taken from a glob import.
const PRELUDE: &[&str] = &[
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
    "drop",
    "std",
    "core",
    "alloc",
];

/// Generic types seen through when typing a variable: `Arc<Mutex<Conn>>` is
/// typed as `Conn`, whose methods are reached through `.lock()` and deref.
const WRAPPERS: &[&str] = &[
    "Arc",
    "Box",
    "Data",
    "Extension",
    "Mutex",
    "MutexGuard",
    "Option",
    "Pin",
    "Rc",
    "Ref",
    "RefCell",
    "RefMut",
    "Result",
    "RwLock",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "State",
];

/// What a scope layer is: a module (names from outer layers are not visible
/// in it) or a block with items of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// A file or an inline `mod`.
    Module,
    /// A block that declares items or `use`s.
    Block,
}

/// Names declared in one module or block.
#[derive(Debug)]
pub struct Layer {
    kind: LayerKind,
    /// The module these names live in (`crate.db`).
    module: String,
    /// Local name → dotted target.
    imports: HashMap<String, String>,
    /// Targets of glob imports (without the trailing `*`).
    globs: Vec<String>,
    /// Item name → qualified name.
    items: HashMap<String, String>,
    /// Type alias name → resolved type.
    aliases: HashMap<String, String>,
    /// Struct name → field name → resolved field type.
    fields: HashMap<String, HashMap<String, String>>,
}

impl Layer {
    /// An empty layer for `module`.
    pub fn new(kind: LayerKind, module: &str) -> Layer {
        Layer {
            kind,
            module: module.to_string(),
            imports: HashMap::new(),
            globs: Vec::new(),
            items: HashMap::new(),
            aliases: HashMap::new(),
            fields: HashMap::new(),
        }
    }
}

/// A local variable and what it holds, when known.
#[derive(Debug)]
struct Local {
    name: String,
    ty: Option<String>,
}

/// How a path resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A local variable, with its type when known.
    Local(Option<String>),
    /// An item, import, module-relative path or `Self`.
    Known(String),
    /// Nothing in scope: the path as written, dotted (an external crate,
    /// `std`, a prelude name, or an unknown name).
    Unknown(String),
}

impl Resolution {
    /// The resolved spelling for a callee: unknown names stand for
    /// themselves, locals for their type.
    pub fn callee(self) -> Option<String> {
        match self {
            Resolution::Local(ty) => ty,
            Resolution::Known(s) | Resolution::Unknown(s) => Some(s),
        }
    }

    /// The resolved spelling for the root of a receiver chain: a single
    /// unknown name is an unknown object.
    pub fn value(self) -> Option<String> {
        match self {
            Resolution::Local(ty) => ty,
            Resolution::Known(s) => Some(s),
            Resolution::Unknown(s) => s.contains('.').then_some(s),
        }
    }
}

/// Every scope visible at one point of the walk.
#[derive(Debug)]
pub struct Scopes {
    /// `crate` or `crates/x#crate`.
    root: String,
    layers: Vec<Layer>,
    locals: Vec<Local>,
    /// Locals below this index belong to an enclosing `fn` item and are not
    /// visible.
    floor: usize,
    /// `module.T` inside `impl T` / `trait T`.
    self_type: Option<String>,
}

impl Scopes {
    /// Scopes for a file of `module`.
    pub fn new(module: &str) -> Scopes {
        Scopes {
            root: crate_root(module).to_string(),
            layers: Vec::new(),
            locals: Vec::new(),
            floor: 0,
            self_type: None,
        }
    }

    /// The innermost module.
    pub fn module(&self) -> &str {
        self.layers
            .last()
            .map_or(self.root.as_str(), |l| l.module.as_str())
    }

    /// Enters a module or block layer.
    pub fn push_layer(&mut self, layer: Layer) {
        self.layers.push(layer);
    }

    /// Leaves the innermost layer.
    pub fn pop_layer(&mut self) {
        self.layers.pop();
    }

    /// Declares an item of the innermost layer.
    pub fn add_item(&mut self, name: String, qname: String) {
        if let Some(layer) = self.layers.last_mut() {
            layer.items.insert(name, qname);
        }
    }

    /// Declares an import (`local` → dotted `target`) in the innermost layer.
    pub fn add_import(&mut self, local: String, target: String) {
        if let Some(layer) = self.layers.last_mut() {
            if local == "*" {
                layer.globs.push(target);
            } else if local != "_" {
                layer.imports.insert(local, target);
            }
        }
    }

    /// Declares a type alias of the innermost layer.
    pub fn add_alias(&mut self, name: String, ty: String) {
        if let Some(layer) = self.layers.last_mut() {
            layer.aliases.insert(name, ty);
        }
    }

    /// Declares the typed fields of a struct of the innermost layer.
    pub fn add_fields(&mut self, name: String, fields: HashMap<String, String>) {
        if let Some(layer) = self.layers.last_mut() {
            layer.fields.insert(name, fields);
        }
    }

    /// Whether any visible import comes from `krate`.
    pub fn imports_from(&self, krate: &str) -> bool {
        self.visible().any(|layer| {
            layer
                .imports
                .values()
                .chain(layer.globs.iter())
                .any(|t| t == krate || t.strip_prefix(krate).is_some_and(|r| r.starts_with('.')))
        })
    }

    /// Sets `module.T` for `impl T`; returns the previous value.
    pub fn set_self_type(&mut self, ty: Option<String>) -> Option<String> {
        std::mem::replace(&mut self.self_type, ty)
    }

    /// A mark to restore with [`Scopes::end_block`].
    pub fn mark(&self) -> usize {
        self.locals.len()
    }

    /// Forgets the locals bound since `mark`.
    pub fn end_block(&mut self, mark: usize) {
        self.locals.truncate(mark.max(self.floor));
    }

    /// Hides the current locals (entering a `fn` item); returns the old floor.
    pub fn raise_floor(&mut self) -> usize {
        std::mem::replace(&mut self.floor, self.locals.len())
    }

    /// Restores a floor returned by [`Scopes::raise_floor`].
    pub fn restore_floor(&mut self, floor: usize) {
        self.locals.truncate(self.floor);
        self.floor = floor;
    }

    /// Binds a local variable.
    pub fn bind(&mut self, name: String, ty: Option<String>) {
        self.locals.push(Local { name, ty });
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.locals[self.floor..]
            .iter()
            .rev()
            .find(|l| l.name == name)
    }

    /// The layers visible from here, innermost first, up to the innermost module.
    fn visible(&self) -> impl Iterator<Item = &Layer> {
        let start = self
            .layers
            .iter()
            .rposition(|l| l.kind == LayerKind::Module)
            .unwrap_or(0);
        self.layers[start..].iter().rev()
    }

    /// What a name declared in scope stands for (item or import).
    fn declared(&self, name: &str) -> Option<&str> {
        self.visible().find_map(|layer| {
            layer
                .items
                .get(name)
                .or_else(|| layer.imports.get(name))
                .map(String::as_str)
        })
    }

    /// What a glob import gives for `name`: a glob of a module of this file
    /// (`use super::*` in an inline `mod tests`) is looked up exactly;
    /// otherwise the one non-prelude glob in scope, if there is exactly one.
    fn glob_target(&self, name: &str) -> Option<String> {
        if PRELUDE.contains(&name) {
            return None;
        }
        let mut candidate = None;
        let mut count = 0;
        for glob in self.visible().flat_map(|layer| layer.globs.iter()) {
            let outer = self
                .layers
                .iter()
                .rev()
                .find(|l| l.kind == LayerKind::Module && l.module == *glob);
            if let Some(layer) = outer {
                if let Some(target) = layer.items.get(name).or_else(|| layer.imports.get(name)) {
                    return Some(target.clone());
                }
                continue;
            }
            if glob.ends_with(".prelude") || glob == "std" || glob == "core" {
                continue;
            }
            count += 1;
            candidate = Some(glob);
        }
        (count == 1).then(|| format!("{}.{name}", candidate.unwrap_or(&String::new())))
    }

    /// Resolves a path used in an expression or type.
    pub fn resolve(&self, path: &Path) -> Resolution {
        let mut segments = path.segments.iter().map(|s| &s.ident);
        let Some(first) = segments.next() else {
            return Resolution::Unknown(String::new());
        };
        let first_name = first.to_string();
        if path.leading_colon.is_some() {
            return Resolution::Unknown(join(first_name, segments));
        }
        if path.segments.len() == 1 {
            if first_name == "self" {
                return Resolution::Local(self.self_type.clone());
            }
            if let Some(local) = self.local(&first_name) {
                return Resolution::Local(local.ty.clone());
            }
        }
        // A glob may bring in a function, value or type, but a lowercase
        // path root is more likely an external crate than a glob's module.
        let globs = path.segments.len() == 1 || first_name.starts_with(char::is_uppercase);
        match self.base(&first_name, &mut segments, globs) {
            Some(base) => Resolution::Known(join(base, segments)),
            None => Resolution::Unknown(join(first_name, segments)),
        }
    }

    /// Resolves a path of identifiers used in a `use` tree.
    pub fn resolve_use(&self, path: &[&Ident]) -> String {
        let Some((first, rest)) = path.split_first() else {
            return String::new();
        };
        let first_name = first.to_string();
        let mut rest = rest.iter().copied();
        match self.base(&first_name, &mut rest, false) {
            Some(base) => join(base, rest),
            None => join(first_name, rest),
        }
    }

    /// The dotted base a path's first segment stands for; may consume more
    /// segments (`super::super`).
    fn base<'p>(
        &self,
        first: &str,
        rest: &mut impl Iterator<Item = &'p Ident>,
        globs: bool,
    ) -> Option<String> {
        match first {
            "crate" => Some(self.root.clone()),
            "self" => Some(self.module().to_string()),
            "Self" => self.self_type.clone(),
            "super" => {
                let mut module = parent(self.module(), &self.root).to_string();
                let mut peek = rest.next();
                while peek.is_some_and(|i| i == "super") {
                    module = parent(&module, &self.root).to_string();
                    peek = rest.next();
                }
                Some(match peek {
                    Some(ident) => format!("{module}.{ident}"),
                    None => module,
                })
            }
            _ => match self.declared(first) {
                Some(target) => Some(target.to_string()),
                None if globs => self.glob_target(first),
                None => None,
            },
        }
    }

    /// The type a variable of type `ty` is treated as: references,
    /// smart pointers, locks and `Option`/`Result` are seen through, type
    /// aliases followed, the path resolved (`&PgConnection` → `PgConnection`).
    pub fn resolve_type(&self, ty: &Type) -> Option<String> {
        let mut ty = ty;
        for _ in 0..16 {
            ty = match ty {
                Type::Reference(r) => &r.elem,
                Type::Paren(p) => &p.elem,
                Type::Group(g) => &g.elem,
                Type::Path(p) if p.qself.is_none() => match wrapped(&p.path) {
                    Some(inner) => inner,
                    None => return self.resolve_type_path(&p.path),
                },
                _ => return None,
            };
        }
        None
    }

    fn resolve_type_path(&self, path: &Path) -> Option<String> {
        if path.segments.len() == 1 && path.leading_colon.is_none() {
            let name = path.segments[0].ident.to_string();
            if let Some(alias) = self.visible().find_map(|l| l.aliases.get(&name)) {
                return Some(alias.clone());
            }
        }
        match self.resolve(path) {
            Resolution::Local(_) => None,
            Resolution::Known(s) | Resolution::Unknown(s) => Some(s),
        }
    }

    /// The type of field `field` of the struct named by the resolved type
    /// `owner` (`crate.api.App`), when the struct is declared in scope.
    pub fn field_type(&self, owner: &str, field: &str) -> Option<String> {
        let (module, name) = owner.rsplit_once('.')?;
        self.layers
            .iter()
            .rev()
            .filter(|l| l.module == module)
            .find_map(|l| l.fields.get(name)?.get(field).cloned())
    }
}

/// The type argument of a wrapper type (`Arc<T>` → `T`).
fn wrapped(path: &Path) -> Option<&Type> {
    let last = path.segments.last()?;
    if !WRAPPERS.iter().any(|w| last.ident == w) {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn join<'p>(mut base: String, rest: impl Iterator<Item = &'p Ident>) -> String {
    for ident in rest {
        base.push('.');
        base.push_str(&ident.to_string());
    }
    base
}

/// `crate.a.b` → `crate`; `crates/x#crate.a` → `crates/x#crate`.
pub fn crate_root(module: &str) -> &str {
    if let Some(i) = module.find("#crate") {
        return &module[..i + "#crate".len()];
    }
    if module == "crate" || module.starts_with("crate.") {
        return "crate";
    }
    module
}

/// The parent module; the crate root is its own parent.
fn parent<'m>(module: &'m str, root: &str) -> &'m str {
    if module.len() <= root.len() {
        return module;
    }
    module.rsplit_once('.').map_or(module, |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Path {
        syn::parse_str(s).unwrap()
    }

    fn scopes() -> Scopes {
        let mut s = Scopes::new("crates/api#crate.routes.users");
        s.push_layer(Layer::new(
            LayerKind::Module,
            "crates/api#crate.routes.users",
        ));
        s.add_import("fs".into(), "std.fs".into());
        s.add_import("nap".into(), "std.thread.sleep".into());
        s.add_item("load".into(), "crates/api#crate.routes.users.load".into());
        s
    }

    #[test]
    fn module_relative_paths() {
        let s = scopes();
        let known = |p: &str| s.resolve(&path(p));
        assert_eq!(
            known("crate::db::q"),
            Resolution::Known("crates/api#crate.db.q".into())
        );
        assert_eq!(
            known("super::x"),
            Resolution::Known("crates/api#crate.routes.x".into())
        );
        assert_eq!(
            known("super::super::x"),
            Resolution::Known("crates/api#crate.x".into())
        );
        assert_eq!(
            known("self::load"),
            Resolution::Known("crates/api#crate.routes.users.load".into())
        );
        assert_eq!(known("fs::read"), Resolution::Known("std.fs.read".into()));
        assert_eq!(known("nap"), Resolution::Known("std.thread.sleep".into()));
        assert_eq!(
            known("load"),
            Resolution::Known("crates/api#crate.routes.users.load".into())
        );
        assert_eq!(
            known("std::fs::read"),
            Resolution::Unknown("std.fs.read".into())
        );
        assert_eq!(
            known("::std::fs::read"),
            Resolution::Unknown("std.fs.read".into())
        );
    }

    #[test]
    fn locals_shadow_imports_and_floors_hide_them() {
        let mut s = scopes();
        let mark = s.mark();
        s.bind("fs".into(), Some("crate.MyFs".into()));
        assert_eq!(
            s.resolve(&path("fs")),
            Resolution::Local(Some("crate.MyFs".into()))
        );
        let floor = s.raise_floor();
        assert_eq!(s.resolve(&path("fs")), Resolution::Known("std.fs".into()));
        s.restore_floor(floor);
        s.end_block(mark);
        assert_eq!(s.resolve(&path("fs")), Resolution::Known("std.fs".into()));
    }

    #[test]
    fn one_glob_resolves_unknown_names() {
        let mut s = scopes();
        s.add_import("*".into(), "diesel.prelude".into());
        assert_eq!(
            s.resolve(&path("users::table")),
            Resolution::Unknown("users.table".into())
        );
        s.add_import("*".into(), "crate.schema".into());
        assert_eq!(
            s.resolve(&path("users")),
            Resolution::Known("crate.schema.users".into())
        );
        assert_eq!(
            s.resolve(&path("users::table")),
            Resolution::Unknown("users.table".into())
        );
        assert_eq!(
            s.resolve(&path("Vec::new")),
            Resolution::Unknown("Vec.new".into())
        );
        assert_eq!(
            s.resolve(&path("tokio::fs::read")),
            Resolution::Unknown("tokio.fs.read".into())
        );
        assert_eq!(
            s.resolve(&path("User::find")),
            Resolution::Known("crate.schema.User.find".into())
        );
        s.add_import("*".into(), "crate.models".into());
        assert_eq!(
            s.resolve(&path("users")),
            Resolution::Unknown("users".into())
        );
    }

    #[test]
    fn globs_of_outer_modules_are_exact() {
        let mut s = scopes();
        s.add_import("Command".into(), "std.process.Command".into());
        s.push_layer(Layer::new(
            LayerKind::Module,
            "crates/api#crate.routes.users.tests",
        ));
        s.add_import("*".into(), "crates/api#crate.routes.users".into());
        let known = |p: &str| s.resolve(&path(p));
        assert_eq!(
            known("Command::new"),
            Resolution::Known("std.process.Command.new".into())
        );
        assert_eq!(
            known("load"),
            Resolution::Known("crates/api#crate.routes.users.load".into())
        );
        assert_eq!(known("other"), Resolution::Unknown("other".into()));
    }

    #[test]
    fn types_see_through_wrappers_and_aliases() {
        let mut s = scopes();
        s.add_import("Connection".into(), "rusqlite.Connection".into());
        s.add_alias("Db".into(), "r2d2.Pool".into());
        let ty = |t: &str| s.resolve_type(&syn::parse_str(t).unwrap());
        assert_eq!(
            ty("&Arc<Mutex<Connection>>").as_deref(),
            Some("rusqlite.Connection")
        );
        assert_eq!(ty("Db").as_deref(), Some("r2d2.Pool"));
        assert_eq!(ty("impl Fn()"), None);
    }

    #[test]
    fn crate_roots() {
        assert_eq!(crate_root("crate.a.b"), "crate");
        assert_eq!(crate_root("crates/x#crate.a"), "crates/x#crate");
        assert_eq!(crate_root("tests/api#crate"), "tests/api#crate");
    }
}
