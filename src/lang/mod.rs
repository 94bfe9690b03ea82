//! Per-language extractors: source text in, [`FileFacts`] out.
//!
//! Each language lives in its own module and exposes `extract` (parse, walk
//! the tree once, return facts, drop the tree) and `parse` (parse only, used
//! by the benchmark's parse-only baseline). Failures to parse a whole file
//! are `Err(reason)`; recoverable problems go into [`FileFacts::notes`].

pub mod javascript;
pub mod prisma;
pub mod python;
pub mod ruby;
pub mod rust;
pub mod sql;
pub mod tree;

use crate::facts::{FileFacts, Language};

/// One file handed to an extractor.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    /// Path relative to the scan root, `/`-separated.
    pub path: &'a str,
    /// The file's text (BOM removed, invalid UTF-8 replaced).
    pub text: &'a str,
    /// Its language.
    pub language: Language,
    /// Its module name, computed by [`crate::layout`] from the project's files.
    pub module: &'a str,
}

/// Extract facts from a file.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let mut facts = match src.language {
        Language::Python => python::extract(src),
        Language::JavaScript | Language::TypeScript | Language::Tsx => javascript::extract(src),
        Language::Ruby => ruby::extract(src),
        Language::Rust => rust::extract(src),
        Language::Sql => sql::extract(src),
        Language::Prisma => prisma::extract(src),
    }?;
    facts.module = src.module.to_string();
    Ok(facts)
}

/// Parse a file and throw the tree away: the baseline the benchmark compares
/// a full scan against.
pub fn parse_only(src: &SourceFile) -> Result<(), String> {
    match src.language {
        Language::Python => python::parse(src),
        Language::JavaScript | Language::TypeScript | Language::Tsx => javascript::parse(src),
        Language::Ruby => ruby::parse(src),
        Language::Rust => rust::parse(src),
        Language::Sql => sql::parse(src),
        Language::Prisma => prisma::parse(src),
    }
}
