//! Module names for files, from the shape of the project.
//!
//! Extractors name functions `module.item`, and resolve imports to the same
//! spelling, so calls join across files with a map lookup. The module of a
//! file depends on the project around it (Python packages are directories
//! with an `__init__.py`; Rust modules start at a crate's `src/`), which is
//! why it is computed here, from the whole list of walked files, before any
//! file is parsed.

use crate::facts::Language;
use std::collections::HashSet;

/// What the project's file list says about its layout.
#[derive(Debug, Default)]
pub struct Layout {
    /// Directories (relative, `/`-separated, `""` for the root) that hold an `__init__.py`.
    python_packages: HashSet<String>,
}

impl Layout {
    /// Learn the layout from every walked file (relative `/`-separated paths).
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Layout {
        let mut python_packages = HashSet::new();
        for path in paths {
            if let Some(dir) = path.strip_suffix("__init__.py") {
                if dir.is_empty() || dir.ends_with('/') {
                    python_packages.insert(dir.trim_end_matches('/').to_string());
                }
            }
        }
        Layout { python_packages }
    }

    /// The module name of a file (see `crate::facts` for each language's scheme).
    pub fn module(&self, path: &str, language: Language) -> String {
        match language {
            Language::Python => self.python_module(path),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                strip_extension(path).to_string()
            }
            Language::Rust => rust_module(path),
            Language::Ruby | Language::Sql | Language::Prisma => strip_extension(path).to_string(),
        }
    }

    /// `pkg/sub/mod.py` → `pkg.sub.mod` when `pkg` and `pkg/sub` are packages;
    /// the module path starts at the outermost package directory.
    fn python_module(&self, path: &str) -> String {
        let stem = strip_extension(path);
        let (dir, file) = match stem.rfind('/') {
            Some(i) => (&stem[..i], &stem[i + 1..]),
            None => ("", stem),
        };
        let mut parts: Vec<&str> = Vec::new();
        if file != "__init__" {
            parts.push(file);
        }
        let mut dir = dir;
        while !dir.is_empty() && self.python_packages.contains(dir) {
            let (parent, name) = match dir.rfind('/') {
                Some(i) => (&dir[..i], &dir[i + 1..]),
                None => ("", dir),
            };
            parts.push(name);
            dir = parent;
        }
        parts.reverse();
        parts.join(".")
    }
}

fn strip_extension(path: &str) -> &str {
    match path.rfind('.') {
        Some(i) if !path[i..].contains('/') => &path[..i],
        _ => path,
    }
}

/// `src/db/pool.rs` → `crate.db.pool`; `src/lib.rs`, `src/main.rs` → `crate`;
/// `src/db/mod.rs` → `crate.db`. In a workspace the crate directory comes
/// first: `crates/store/src/db.rs` → `crates/store#crate.db`. Files outside a
/// `src/` (tests, examples, build scripts) are crates of their own:
/// `tests/api.rs` → `tests/api#crate`.
fn rust_module(path: &str) -> String {
    let stem = strip_extension(path);
    let (prefix, rest) = match stem
        .rfind("src/")
        .filter(|&i| i == 0 || stem[..i].ends_with('/'))
    {
        Some(i) => (stem[..i].trim_end_matches('/'), &stem[i + 4..]),
        None => return format!("{stem}#crate"),
    };
    let mut segments: Vec<&str> = rest.split('/').collect();
    if matches!(segments.last(), Some(&"mod")) {
        segments.pop();
    }
    if segments.len() == 1 && matches!(segments[0], "lib" | "main") {
        segments.clear();
    }
    if segments.first() == Some(&"bin") && !segments.is_empty() {
        // `src/bin/tool.rs` is a crate of its own.
        let name = segments[1..].join("/");
        let base = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        return format!("{base}src/bin/{name}#crate");
    }
    let root = if prefix.is_empty() {
        "crate".to_string()
    } else {
        format!("{prefix}#crate")
    };
    std::iter::once(root.as_str())
        .chain(segments)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_modules_start_at_the_outermost_package() {
        let layout = Layout::new(["shop/__init__.py", "shop/api/__init__.py", "manage.py"]);
        assert_eq!(
            layout.module("shop/api/views.py", Language::Python),
            "shop.api.views"
        );
        assert_eq!(
            layout.module("shop/api/__init__.py", Language::Python),
            "shop.api"
        );
        assert_eq!(layout.module("manage.py", Language::Python), "manage");
        assert_eq!(layout.module("scripts/tool.py", Language::Python), "tool");
    }

    #[test]
    fn rust_modules_follow_the_crate_layout() {
        assert_eq!(rust_module("src/lib.rs"), "crate");
        assert_eq!(rust_module("src/db/mod.rs"), "crate.db");
        assert_eq!(rust_module("src/db/pool.rs"), "crate.db.pool");
        assert_eq!(
            rust_module("crates/store/src/db.rs"),
            "crates/store#crate.db"
        );
        assert_eq!(rust_module("tests/api.rs"), "tests/api#crate");
        assert_eq!(rust_module("src/bin/tool.rs"), "src/bin/tool#crate");
    }

    #[test]
    fn javascript_modules_are_paths_without_extension() {
        let layout = Layout::default();
        assert_eq!(
            layout.module("src/lib/config.ts", Language::TypeScript),
            "src/lib/config"
        );
    }
}
