//! Finding the files to scan: a parallel walk that honours `.gitignore` and
//! `.ignore`, skips dependency and build directories, and reports what it
//! could not enter.

use crate::facts::Language;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories skipped unless `--include-deps` is given: dependencies,
/// virtual environments, build output and VCS metadata.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "target",
    "vendor",
    "dist",
    "build",
    ".git",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    "bower_components",
    ".next",
];

/// A file the walk found, in a language faultline reads.
#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Absolute or root-joined path to open.
    pub path: PathBuf,
    /// Path relative to the scan root, `/`-separated.
    pub rel: String,
    /// Its language.
    pub language: Language,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to scan, sorted by relative path.
    pub files: Vec<WalkedFile>,
    /// Paths that could not be walked, with the reason.
    pub errors: Vec<(String, String)>,
}

/// Walk options.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Also walk dependency and build directories.
    pub include_deps: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Worker threads.
    pub threads: usize,
}

/// Walk `root` (a directory or a single file).
pub fn walk(root: &Path, options: &WalkOptions) -> Walked {
    let found = Mutex::new(Walked::default());
    let include_deps = options.include_deps;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(options.follow_links)
        .threads(options.threads)
        .require_git(false)
        .filter_entry(move |entry| {
            include_deps
                || entry.depth() == 0
                || !entry.file_type().is_some_and(|t| t.is_dir())
                || !entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| DEFAULT_EXCLUDED_DIRS.contains(&name))
        });
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file()) {
                        if let Some(language) = Language::from_path(entry.path()) {
                            let rel = relative(root, entry.path());
                            let file = WalkedFile {
                                path: entry.into_path(),
                                rel,
                                language,
                            };
                            found.lock().expect("walk lock").files.push(file);
                        }
                    }
                }
                Err(err) => {
                    let (path, message) = describe_walk_error(root, &err);
                    found
                        .lock()
                        .expect("walk lock")
                        .errors
                        .push((path, message));
                }
            }
            WalkState::Continue
        })
    });
    let mut walked = found.into_inner().expect("walk lock");
    walked.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    walked.errors.sort();
    walked
}

/// `root/a/b.py` → `a/b.py`; a single-file root gives its file name.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel,
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn describe_walk_error(root: &Path, err: &ignore::Error) -> (String, String) {
    match err {
        ignore::Error::WithPath { path, err } => (relative(root, path), err.to_string()),
        ignore::Error::WithDepth { err, .. } => describe_walk_error(root, err),
        ignore::Error::Loop { child, .. } => (
            relative(root, child),
            "symbolic link loop; not followed".to_string(),
        ),
        other => (String::new(), other.to_string()),
    }
}
