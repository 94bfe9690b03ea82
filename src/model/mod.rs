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
use crate::facts::{Call, FileFacts, Function, FunctionId, FunctionKind, Language};
use std::collections::HashMap;

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
    by_qname: HashMap<String, Option<FnRef>>,
}

impl Model {
    /// Join the files.
    pub fn new(mut files: Vec<ParsedFile>) -> Model {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut by_qname: HashMap<String, Option<FnRef>> = HashMap::new();
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
        Model { files, by_qname }
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
        let resolved = call.resolved.as_deref()?;
        if let Some(found) = self.by_qname.get(resolved) {
            return *found;
        }
        if self.file(file).language.family() == "javascript" {
            let (module, name) = resolved.rsplit_once('.')?;
            return self
                .by_qname
                .get(&format!("{module}/index.{name}"))
                .copied()
                .flatten();
        }
        None
    }

    /// The named function that runs the code of `func` when it is called:
    /// climbs out of closures for which `transparent` holds (closures that
    /// run as part of their parent). `None` when the climb stops at a
    /// closure that is not transparent, or at module top level.
    pub fn named_owner(
        &self,
        file: u32,
        mut func: Option<FunctionId>,
        transparent: impl Fn(&Function) -> bool,
    ) -> Option<FnRef> {
        let facts = &self.file(file).facts;
        while let Some(id) = func {
            let f = &facts.functions[id as usize];
            match f.kind {
                FunctionKind::Function | FunctionKind::Method => {
                    return Some(FnRef { file, func: id })
                }
                FunctionKind::Closure | FunctionKind::AsyncBlock => {
                    if f.is_async || !transparent(f) {
                        return None;
                    }
                    func = f.parent;
                }
            }
        }
        None
    }
}
