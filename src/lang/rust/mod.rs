//! Extractor for Rust, on `syn`.
//!
//! The text is first checked for nesting too deep to parse safely
//! ([`guard`]), then parsed with `syn::parse_file` and walked once
//! ([`visit`]). `syn` fails a whole file on a syntax error, which becomes an
//! `Err` naming the line and column.
//!
//! Besides functions, calls, loops and imports it records assignments
//! (`static`/`const` items, `thread_local!`/`lazy_static!` statics, struct
//! fields, `let` bindings: see [`assigns`]), the names loops bind
//! ([`bindings`]) and argument values as lists and call ids ([`values`]).
//! Field reads are not recorded as [`crate::facts::Access`] yet.

mod assigns;
mod bindings;
mod chain;
mod guard;
mod items;
mod lines;
mod macros;
mod scope;
mod sql;
mod values;
mod visit;

#[cfg(test)]
mod tests;

use super::SourceFile;
use crate::facts::FileFacts;

/// Extract facts.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let _spans = ForgetSpans;
    let file = parse_file(src.text)?;
    let mut extractor = visit::Extractor::new(src.text, src.module);
    extractor.file(&file);
    drop(file);
    Ok(extractor.finish())
}

/// Parse only.
pub fn parse(src: &SourceFile) -> Result<(), String> {
    let _spans = ForgetSpans;
    parse_file(src.text).map(drop)
}

fn parse_file(text: &str) -> Result<syn::File, String> {
    guard::check(text)?;
    syn::parse_file(text).map_err(|e| {
        let at = e.span().start();
        format!(
            "Rust syntax error at line {}, column {}: {e}; the file was skipped",
            at.line,
            at.column + 1
        )
    })
}

/// `proc-macro2` keeps every parsed text in a thread-local source map, so
/// that spans can tell their line and column. Dropping this forgets them
/// once a file is done, so memory and span offsets do not grow with the
/// number of files a thread parses.
struct ForgetSpans;

impl Drop for ForgetSpans {
    fn drop(&mut self) {
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}
