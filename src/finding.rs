//! Findings: plain data produced by rules and read by every emitter.

use crate::facts::Span;
use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Minor or only in tests and scripts.
    Low,
    /// Hurts under load.
    Medium,
    /// Hurts at moderate scale.
    High,
    /// Takes a service down at scale.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse a lower-case name.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// One level up (critical stays critical).
    pub fn raised(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Separates the parts of a structured [`Finding::cause`]: file, enclosing
/// scope, and what was called. A control character, so it never occurs in
/// the code it names (Rust paths contain `::`).
pub const CAUSE_SEPARATOR: &str = "\u{1f}";

/// One step of the evidence behind a finding, e.g. a hop in a call chain.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// File, relative to the scan root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// What happens there (`load_config()` calls `open()`).
    pub note: String,
}

/// Where in the code a finding sits, as far as ranking cares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// Inside a recognised request handler (or called from one).
    pub request_path: bool,
    /// In a test file.
    pub test: bool,
    /// In a script, migration or startup code.
    pub script: bool,
    /// Number of enclosing loops over data.
    pub loop_depth: u32,
}

/// A finding: something a rule says is a scaling risk.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Rule id, `family/name`.
    pub rule: String,
    /// Family id.
    pub family: String,
    /// Severity after context adjustments.
    pub severity: Severity,
    /// File, relative to the scan root, `/`-separated.
    pub path: String,
    /// Where the finding points.
    pub span: Span,
    /// The message: what, where, why it hurts at scale, how to fix.
    pub message: String,
    /// The fix in the framework's idiom (shown as help).
    pub fix: String,
    /// Supporting locations (a call chain across files).
    pub evidence: Vec<Evidence>,
    /// Where it sits, for ranking.
    pub setting: Setting,
    /// A short, stable description of what was found (the callee or query),
    /// used for the fingerprint instead of line numbers.
    pub anchor: String,
    /// The qualified name of the enclosing function, if any.
    pub scope: Option<String>,
    /// What the finding is caused by, stable across edits: findings with the
    /// same rule and cause share one root cause (a blocking helper called
    /// from ten handlers is one cause with ten findings).
    pub cause: String,
    /// Stable identity that survives line shifts (set by ranking).
    pub fingerprint: String,
    /// Ranking score, higher first (set by ranking).
    pub priority: f64,
}
