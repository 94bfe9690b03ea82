//! Emitters: turn a [`ScanReport`] into what a user or a tool reads.
//! Every emitter reads the same report; `miette` lives only in [`terminal`].

pub mod csv;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod terminal;

use crate::finding::Finding;
use crate::rules::meta;
use std::io::Write;
use std::path::Path;

/// The full message of a finding: what and where, why it hurts at scale,
/// and the fix.
pub fn full_message(finding: &Finding) -> String {
    let why = meta::get(&finding.rule).map_or("", |m| m.why.trim());
    let mut out = finding.message.clone();
    if !why.is_empty() {
        out.push(' ');
        out.push_str(why);
    }
    if !finding.fix.is_empty() {
        out.push_str(" Fix: ");
        out.push_str(finding.fix.trim_end_matches('.'));
        out.push('.');
    }
    out
}

/// Write `contents` to `path` atomically: a temporary file in the same
/// directory, renamed over the target, so readers never see half a file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
