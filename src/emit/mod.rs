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
/// A target that exists and is not a regular file (`/dev/null`, a FIFO, a
/// terminal) is written in place: renaming over it would replace the device.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(contents);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"report").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
    }

    #[test]
    fn regular_files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old contents that are longer").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }
}
