//! Extractor for javascript (being written).

use super::SourceFile;
use crate::facts::FileFacts;

/// Extract facts.
pub fn extract(_src: &SourceFile) -> Result<FileFacts, String> {
    Ok(FileFacts::default())
}

/// Parse only.
pub fn parse(_src: &SourceFile) -> Result<(), String> {
    Ok(())
}
