//! The project model: every file's facts, joined.
//!
//! Built once after all files are extracted. It indexes functions by
//! qualified name so a call resolved in one file finds its definition in
//! another, and answers the questions rules ask across files: what does
//! this call invoke, which function runs this closure, which functions
//! (transitively) do something.

mod propagate;

pub use propagate::{propagate, Reach};

use crate::classify::FileRole;
use crate::facts::{ArgValue, Call, FileFacts, Function, FunctionId, FunctionKind, Language};
use rustc_hash::{FxHashMap, FxHashSet};

/// A file after extraction: its facts and what the pipeline knows about it.
#[derive(Debug)]
pub struct ParsedFile {
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    /// Language.
    pub language: Language,
    /// Role (source, test, script, migration).
    pub role: FileRole,
    /// Number of lines.
    pub lines: usize,
    /// The facts.
    pub facts: FileFacts,
}

/// A function somewhere in the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnRef {
    /// Index into [`Model::files`].
    pub file: u32,
    /// Index into that file's functions.
    pub func: FunctionId,
}

/// A call somewhere in the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallRef {
    /// Index into [`Model::files`].
    pub file: u32,
    /// Index into that file's calls.
    pub call: u32,
}

/// The joined project.
pub struct Model {
    /// All parsed files, sorted by path.
    pub files: Vec<ParsedFile>,
    /// Named functions by qualified name; `None` when a name is defined twice
    /// (ambiguous names are never resolved: precision first).
    by_qname: FxHashMap<String, Option<FnRef>>,
    /// Functions registered as request handlers by reference, possibly from
    /// another file (`get(handlers::stock)`, `router.get("/x", users.show)`).
    route_targets: FxHashSet<FnRef>,
}

impl Model {
    /// Join the files.
    pub fn new(mut files: Vec<ParsedFile>) -> Model {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut by_qname: FxHashMap<String, Option<FnRef>> = FxHashMap::default();
        for (file_index, file) in files.iter().enumerate() {
            for (func_index, func) in file.facts.functions.iter().enumerate() {
                if !matches!(func.kind, FunctionKind::Function | FunctionKind::Method) {
                    continue;
                }
                let here = FnRef {
                    file: file_index as u32,
                    func: func_index as u32,
                };
                by_qname
                    .entry(func.qname.clone())
                    .and_modify(|slot| {
                        if *slot != Some(here) {
                            *slot = None
                        }
                    })
                    .or_insert(Some(here));
            }
        }
        let mut model = Model {
            files,
            by_qname,
            route_targets: FxHashSet::default(),
        };
        model.route_targets = model.find_route_targets();
        model
    }

    /// Functions passed by reference to a route registration: a call named
    /// like an HTTP method (or `route`) whose first argument is a route
    /// (`app.get("/users", users.list)`), middleware (`app.use(auth)`), or an
    /// axum/actix routing call
    /// (`get(handlers::stock)`, `web::get().to(index)`).
    fn find_route_targets(&self) -> FxHashSet<FnRef> {
        const VERBS: &[&str] = &[
            "get", "post", "put", "patch", "delete", "del", "all", "head", "options", "any",
            "route", "use",
        ];
        let mut targets = FxHashSet::default();
        for (_, call) in self.calls() {
            let resolved = call.resolved.as_deref().unwrap_or("");
            // A route string: `/users`, `*`, `:id` patterns; `use` takes middleware alone.
            let route_first = matches!(
                call.args.first().map(|a| &a.value),
                Some(ArgValue::Str(p)) if p.starts_with('/') || p.starts_with('*')
            ) || (call.name == "use" && call.callee.contains('.'));
            let routing = resolved.starts_with("axum.routing.")
                || (resolved.starts_with("actix_web.web.") && call.name == "to");
            if !(routing || (route_first && VERBS.contains(&call.name.as_str()))) {
                continue;
            }
            for arg in &call.args {
                if let ArgValue::Path(target) = &arg.value {
                    if let Some(Some(f)) = self.by_qname.get(target.as_str()) {
                        targets.insert(*f);
                    }
                }
            }
        }
        targets
    }

    /// The framework of a request handler: the extractor's word for it, or
    /// `route` for a function registered as a handler by reference.
    pub fn handler(&self, f: FnRef) -> Option<&str> {
        self.function(f)
            .handler
            .as_deref()
            .or_else(|| self.route_targets.contains(&f).then_some("route"))
    }

    /// The file at an index.
    pub fn file(&self, index: u32) -> &ParsedFile {
        &self.files[index as usize]
    }

    /// A function's facts.
    pub fn function(&self, f: FnRef) -> &Function {
        &self.files[f.file as usize].facts.functions[f.func as usize]
    }

    /// A call's facts.
    pub fn call(&self, c: CallRef) -> &Call {
        &self.files[c.file as usize].facts.calls[c.call as usize]
    }

    /// Every call in the project.
    pub fn calls(&self) -> impl Iterator<Item = (CallRef, &Call)> {
        self.files.iter().enumerate().flat_map(|(fi, file)| {
            file.facts.calls.iter().enumerate().map(move |(ci, call)| {
                (
                    CallRef {
                        file: fi as u32,
                        call: ci as u32,
                    },
                    call,
                )
            })
        })
    }

    /// The project function a call invokes, when its resolved callee names
    /// exactly one named function (JavaScript: also `dir/index`).
    pub fn callee(&self, file: u32, call: &Call) -> Option<FnRef> {
        self.named(file, call.resolved.as_deref()?)
    }

    /// The project function a resolved name, used in `file`, names: exactly
    /// one named function (`Service().run` is the method `Service.run`;
    /// JavaScript: also `dir/index`).
    pub fn named(&self, file: u32, resolved: &str) -> Option<FnRef> {
        if let Some(found) = self.by_qname.get(resolved) {
            return *found;
        }
        let (receiver, name) = resolved.rsplit_once('.')?;
        // A method called on an instance: `Service().run` (Python, JS) or
        // `Type.new().run` (Rust) is the method `Service.run` / `Type.run`.
        if let Some(class) = receiver
            .strip_suffix(".new()")
            .or_else(|| receiver.strip_suffix("()"))
        {
            if let Some(found) = self.by_qname.get(&format!("{class}.{name}")) {
                return *found;
            }
        }
        if self.file(file).language.family() == "javascript" {
            return self
                .by_qname
                .get(&format!("{receiver}/index.{name}"))
                .copied()
                .flatten();
        }
        None
    }
}
