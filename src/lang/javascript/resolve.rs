//! Spelling and resolving receiver chains: `fs.promises.readFile`,
//! `require('fs').readFileSync`, `this.db.prepare().all`, and turning module
//! specifiers into module names.

use super::kinds::{Field, Kind};
use super::scope::Binding;
use super::walker::Walker;
use tree_sitter::Node;

/// Longest chain followed (segments plus wrappers); longer chains are cut
/// so that work per call stays bounded on machine-made input.
const MAX_STEPS: usize = 48;
/// Longest root text kept in a callee written as is (`[1, 2].map`).
const MAX_ROOT: usize = 32;

/// A callee as written and as resolved.
#[derive(Debug, Default)]
pub(super) struct Chain {
    /// As written, whitespace removed, inner arguments elided.
    pub callee: String,
    /// Resolved through bindings, when the root is known.
    pub resolved: Option<String>,
    /// The last name in the chain.
    pub name: String,
}

/// One step of a chain, outermost first.
#[derive(Debug, Clone, Copy)]
enum Seg<'t> {
    /// `.name` or `['name']`.
    Name(Node<'t>),
    /// `(...)`: a call or `new`, with the call node.
    Call(Node<'t>),
    /// `[expr]`: an index we cannot name.
    Opaque,
}

/// Where a chain starts.
#[derive(Debug, Clone, Copy)]
enum Root<'t> {
    Ident(Node<'t>),
    This,
    Super,
    Import,
    Other(Node<'t>),
    /// The chain was longer than [`MAX_STEPS`].
    TooLong,
}

/// Whether a chain is a callee (its own call is not part of it) or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// The function part of a call.
    Callee,
    /// An expression whose value is used.
    Value,
}

impl<'a, 't> Walker<'a, 't> {
    /// Split an expression into its root and segments (outermost first).
    fn segments(&self, node: Node<'t>) -> (Root<'t>, Vec<Seg<'t>>) {
        let mut segs = Vec::new();
        let mut cur = node;
        for _ in 0..MAX_STEPS {
            let next = match self.kind(cur) {
                Kind::Member => {
                    segs.push(match self.field(cur, Field::Property) {
                        Some(p) => Seg::Name(p),
                        None => Seg::Opaque,
                    });
                    self.field(cur, Field::Object)
                }
                Kind::Subscript => {
                    let index = self.field(cur, Field::Index);
                    segs.push(match index {
                        Some(i) if self.kind(i) == Kind::String => Seg::Name(i),
                        _ => Seg::Opaque,
                    });
                    self.field(cur, Field::Object)
                }
                Kind::Call => {
                    segs.push(Seg::Call(cur));
                    self.field(cur, Field::Function)
                }
                Kind::New => {
                    segs.push(Seg::Call(cur));
                    self.field(cur, Field::Constructor)
                }
                Kind::Wrapper | Kind::Await => first_named(cur),
                Kind::Identifier => return (Root::Ident(cur), segs),
                Kind::This => return (Root::This, segs),
                Kind::Super => return (Root::Super, segs),
                Kind::ImportKeyword => return (Root::Import, segs),
                _ => return (Root::Other(cur), segs),
            };
            match next {
                Some(n) => cur = n,
                None => return (Root::Other(cur), segs),
            }
        }
        (Root::TooLong, segs)
    }

    /// Spell and resolve the function part of a call.
    pub(super) fn chain(&self, node: Node<'t>, usage: Use) -> Chain {
        let (root, segs) = self.segments(node);
        let mut callee = match root {
            Root::Ident(n) => self.text_of(n).to_string(),
            Root::This => "this".to_string(),
            Root::Super => "super".to_string(),
            Root::Import => "import".to_string(),
            Root::Other(n) => root_text(self.text_of(n)),
            Root::TooLong => "…".to_string(),
        };
        let mut name = match root {
            Root::Ident(_) | Root::This | Root::Super | Root::Import => callee.clone(),
            _ => String::new(),
        };
        for seg in segs.iter().rev() {
            match seg {
                Seg::Name(n) => {
                    let text = self.name_text(*n);
                    callee.push('.');
                    callee.push_str(text);
                    name = text.to_string();
                }
                Seg::Call(_) => callee.push_str("()"),
                Seg::Opaque => callee.push_str("[]"),
            }
        }
        let resolved = self.resolve_segments(root, &segs, usage);
        Chain {
            callee,
            resolved,
            name,
        }
    }

    /// Resolve an expression used as a value (`require('x')`, `new Db()`,
    /// `fs.promises`, `prisma.user.findMany()`).
    pub(super) fn resolve_value(&self, node: Node<'t>) -> Option<String> {
        let (root, segs) = self.segments(node);
        self.resolve_segments(root, &segs, Use::Value)
    }

    /// The text of a name segment: a property, or a string index unquoted.
    fn name_text(&self, node: Node) -> &'a str {
        let text = self.text_of(node);
        if self.kind(node) == Kind::String {
            unquote(text)
        } else {
            text
        }
    }

    fn resolve_segments(&self, root: Root<'t>, segs: &[Seg<'t>], usage: Use) -> Option<String> {
        // Segments innermost first from here on.
        let mut rest = segs.iter().rev().peekable();
        let mut out = match root {
            Root::Ident(n) => {
                let name = self.text_of(n);
                if name == "require" && self.lookup("require").is_none() {
                    let Some(Seg::Call(call)) = rest.next() else {
                        return Some(name.to_string());
                    };
                    self.required_module(*call)?
                        .into_string(rest.peek().is_none(), usage)
                } else {
                    match self.lookup(name) {
                        None => name.to_string(),
                        Some(Binding::Unknown) => return None,
                        Some(Binding::Known(s)) => s.clone(),
                        Some(Binding::Module(m)) => {
                            let called = matches!(rest.peek(), Some(Seg::Call(_)))
                                || (rest.peek().is_none() && usage == Use::Callee);
                            if called {
                                format!("{m}.default")
                            } else {
                                m.clone()
                            }
                        }
                    }
                }
            }
            Root::Import => {
                let Some(Seg::Call(call)) = rest.next() else {
                    return None;
                };
                self.required_module(*call)?.target
            }
            Root::This => {
                let first = match rest.next() {
                    Some(Seg::Name(n)) => self.name_text(*n),
                    _ => return None,
                };
                let field = self
                    .current()
                    .class
                    .and_then(|c| self.classes.get(c))
                    .and_then(|c| c.fields.get(first));
                match (field, &self.current().this_q) {
                    (Some(t), _) => t.clone(),
                    (None, Some(q)) if !matches!(rest.peek(), Some(Seg::Name(_))) => {
                        format!("{q}.{first}")
                    }
                    _ => return None,
                }
            }
            Root::Super => {
                let class = self.current().class.and_then(|c| self.classes.get(c))?;
                class.base.clone()?
            }
            Root::Other(_) | Root::TooLong => return None,
        };
        for seg in rest {
            match seg {
                Seg::Name(n) => {
                    out.push('.');
                    out.push_str(self.name_text(*n));
                }
                Seg::Call(_) => out.push_str("()"),
                Seg::Opaque => return None,
            }
        }
        Some(out)
    }

    /// The module named by `require('x')` / `import('x')`.
    pub(super) fn required_module(&self, call: Node) -> Option<ModuleRef> {
        let args = self.field(call, Field::Arguments)?;
        let first = first_named(args)?;
        if self.kind(first) != Kind::String {
            return None;
        }
        Some(module_ref(unquote(self.text_of(first)), self.module))
    }
}

/// A module named by a specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ModuleRef {
    /// Its name: a package (`fs`, `@koa/router`) or a project module path.
    pub target: String,
    /// Whether it is a project module (a relative specifier).
    pub relative: bool,
}

impl ModuleRef {
    /// How a chain rooted at `require('x')` starts: calling a project
    /// module calls its `module.exports`, named `<module>.default`.
    fn into_string(self, nothing_follows: bool, usage: Use) -> String {
        if self.relative && nothing_follows && usage == Use::Callee {
            return format!("{}.default", self.target);
        }
        self.target
    }

    /// The binding a `require` of this module gives a local name.
    pub(super) fn binding(&self) -> Binding {
        if self.relative {
            Binding::Module(self.target.clone())
        } else {
            Binding::Known(self.target.clone())
        }
    }
}

/// Resolve a module specifier written in module `module`: `node:` is
/// stripped, relative paths are joined to the module's directory and lose a
/// script extension; package names stay as written.
pub(super) fn module_ref(spec: &str, module: &str) -> ModuleRef {
    let spec = spec.strip_prefix("node:").unwrap_or(spec);
    let relative = spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../");
    if !relative {
        return ModuleRef {
            target: spec.to_string(),
            relative: false,
        };
    }
    let mut parts: Vec<&str> = module.split('/').collect();
    parts.pop();
    for piece in spec.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return ModuleRef {
                        target: spec.to_string(),
                        relative: false,
                    };
                }
            }
            p => parts.push(p),
        }
    }
    let mut target = parts.join("/");
    for ext in [".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"] {
        if let Some(stem) = target.strip_suffix(ext) {
            target.truncate(stem.len());
            break;
        }
    }
    ModuleRef {
        target,
        relative: true,
    }
}

/// The first named child that is not a comment.
pub(super) fn first_named(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|c| c.kind() != "comment");
    found
}

/// A string literal's content without its quotes.
pub(super) fn unquote(text: &str) -> &str {
    let mut chars = text.chars();
    match (chars.next(), chars.next_back()) {
        (Some(a), Some(b)) if a == b && matches!(a, '\'' | '"' | '`') => chars.as_str(),
        _ => text,
    }
}

/// An unnamed root written as is: whitespace removed, shortened.
fn root_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if out.len() >= MAX_ROOT {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}
