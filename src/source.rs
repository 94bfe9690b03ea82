//! Reading source files safely: a size cap, a binary sniff, BOM removal and
//! lossy UTF-8 decoding, each problem reported with the file's name.

use std::io::Read;
use std::path::Path;

/// Why a file was not analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Larger than the size cap.
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The cap in bytes.
        cap: u64,
    },
    /// Looks binary (a NUL byte near the start).
    Binary,
    /// The file could not be read.
    Unreadable(String),
    /// The parser could not make sense of it, or the extractor failed.
    Unparsable(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::TooLarge { size, cap } => write!(
                f,
                "{} is larger than the {} cap (raise it with --max-file-size)",
                human_bytes(*size),
                human_bytes(*cap)
            ),
            SkipReason::Binary => write!(f, "binary file"),
            SkipReason::Unreadable(e) => write!(f, "cannot read: {e}"),
            SkipReason::Unparsable(e) => write!(f, "{e}"),
        }
    }
}

/// `1536` → `1.5 KB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A file's text, ready for an extractor.
#[derive(Debug)]
pub struct Text {
    /// The decoded text.
    pub text: String,
    /// Set when invalid UTF-8 had to be replaced.
    pub lossy: bool,
}

/// How many leading bytes are checked for NUL to call a file binary.
const SNIFF_LEN: usize = 8 * 1024;

/// Read a file with a size cap and a binary sniff.
pub fn read(path: &Path, cap: u64) -> Result<Text, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    let size = file
        .metadata()
        .map_err(|e| SkipReason::Unreadable(e.to_string()))?
        .len();
    if size > cap {
        return Err(SkipReason::TooLarge { size, cap });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read at most cap + 1 bytes: a file that grew after the size check is still capped.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > cap {
        return Err(SkipReason::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    decode(bytes)
}

/// Decode file bytes: reject binary, strip a UTF-8 BOM, replace invalid UTF-8.
pub fn decode(mut bytes: Vec<u8>) -> Result<Text, SkipReason> {
    if bytes[..bytes.len().min(SNIFF_LEN)].contains(&0) {
        return Err(SkipReason::Binary);
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Text { text, lossy: false }),
        Err(e) => Ok(Text {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_bom_and_invalid_utf8() {
        assert_eq!(decode(b"ab\0cd".to_vec()).unwrap_err(), SkipReason::Binary);
        let t = decode(b"\xEF\xBB\xBFx = 1".to_vec()).unwrap();
        assert_eq!(t.text, "x = 1");
        let t = decode(b"x = '\xff'".to_vec()).unwrap();
        assert!(t.lossy);
        assert!(t.text.contains('\u{FFFD}'));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(4 * 1024 * 1024), "4.0 MB");
    }
}
