//! The pipeline: walk → read → parse and extract facts (in parallel, one
//! file at a time, trees dropped) → project model → rules → rank.

use crate::classify::{classify, FileRole};
use crate::config::PathRules;
use crate::facts::Language;
use crate::finding::{Finding, Severity};
use crate::lang::{self, SourceFile};
use crate::layout::Layout;
use crate::model::{Model, ParsedFile};
use crate::register::{self, Churn, Register};
use crate::rules::{self, RuleContext, Selection};
use crate::source::{self, SkipReason};
use crate::suppress::{self, Suppressed, Suppression};
use crate::walk::{self, WalkOptions, WalkedFile};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Default cap on file size: generated bundles and data dumps are larger.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Stack size of the parsing threads: room for parsers that recurse.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// What to scan and how.
#[derive(Clone)]
pub struct ScanOptions {
    /// Directory or file to scan.
    pub root: PathBuf,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Files larger than this are skipped.
    pub max_file_size: u64,
    /// Also walk node_modules, target, venv, ...
    pub include_deps: bool,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Which rules run.
    pub selection: Selection,
    /// Parse files and stop: no facts, no rules (the benchmark's baseline).
    pub parse_only: bool,
    /// Severities pinned per rule id (configuration).
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Window for change frequency from git history, in days (0: do not
    /// read git history).
    pub churn_window_days: u32,
    /// Excluded paths and extra test paths (configuration).
    pub paths: PathRules,
}

impl ScanOptions {
    /// Options with defaults for a root.
    pub fn new(root: impl Into<PathBuf>) -> ScanOptions {
        ScanOptions {
            root: root.into(),
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            include_deps: false,
            follow_links: false,
            selection: Selection::default(),
            parse_only: false,
            severity_overrides: BTreeMap::new(),
            churn_window_days: crate::register::churn::DEFAULT_WINDOW_DAYS,
            paths: PathRules::default(),
        }
    }
}

/// A file that was not analysed, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    /// Relative path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// A file that was analysed only in part.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Note {
    /// Relative path.
    pub path: String,
    /// What happened.
    pub message: String,
}

/// Everything a scan produced.
#[derive(Debug)]
pub struct ScanReport {
    /// Findings, ranked (highest priority first).
    pub findings: Vec<Finding>,
    /// Files analysed (fully or in part).
    pub files_scanned: usize,
    /// Lines in the analysed files.
    pub lines_scanned: usize,
    /// Files not analysed.
    pub skipped: Vec<Skipped>,
    /// Files analysed in part, and other non-fatal problems.
    pub notes: Vec<Note>,
    /// Findings silenced by inline suppressions (not in `findings`).
    pub suppressed: Vec<Suppressed>,
    /// Suppression comments without a reason, naming unknown rules, or
    /// suppressing nothing.
    pub suppression_problems: Vec<suppress::Problem>,
    /// The findings grouped by root cause and ranked.
    pub register: Register,
    /// Set when the report was compared with a baseline: what was hidden.
    pub baseline: Option<crate::baseline::Comparison>,
    /// Wall time.
    pub elapsed: Duration,
}

/// A fatal error: nothing could be scanned.
#[derive(Debug)]
pub struct ScanError(pub String);

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScanError {}

/// Progress callback: (files done, files in all).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// The files of a project, read, parsed and turned into facts.
struct Extracted {
    parsed: Vec<ParsedFile>,
    skipped: Vec<Skipped>,
    notes: Vec<Note>,
    suppressions: Vec<Suppression>,
    lines_scanned: usize,
    files_scanned: usize,
    pool: rayon::ThreadPool,
}

/// Walk, read, parse and extract every file (in parallel).
fn extract_project(options: &ScanOptions, progress: Progress) -> Result<Extracted, ScanError> {
    if !options.root.exists() {
        return Err(ScanError(format!(
            "{}: no such file or directory",
            options.root.display()
        )));
    }
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let mut walked = walk::walk(
        &options.root,
        &WalkOptions {
            include_deps: options.include_deps,
            follow_links: options.follow_links,
            threads,
        },
    );
    walked.files.retain(|f| !options.paths.excluded(&f.rel));
    let layout = Layout::new(walked.files.iter().map(|f| f.rel.as_str()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| ScanError(format!("cannot start worker threads: {e}")))?;

    let total = walked.files.len() as u64;
    let done = AtomicU64::new(0);
    let outcomes: Vec<Outcome> = pool.install(|| {
        walked
            .files
            .par_iter()
            .map(|file| {
                let outcome = analyse(file, &layout, options);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                outcome
            })
            .collect()
    });

    let mut skipped: Vec<Skipped> = walked
        .errors
        .into_iter()
        .map(|(path, reason)| Skipped { path, reason })
        .collect();
    let mut notes = Vec::new();
    let mut parsed = Vec::new();
    let mut suppressions = Vec::new();
    let mut lines_scanned = 0;
    for outcome in outcomes {
        match outcome {
            Outcome::Parsed(file, found) => {
                suppressions.extend(found);
                lines_scanned += file.lines;
                notes.extend(file.facts.notes.iter().map(|n| Note {
                    path: file.path.clone(),
                    message: n.message.clone(),
                }));
                parsed.push(*file);
            }
            Outcome::ParsedOnly { lines } => lines_scanned += lines,
            Outcome::Skipped(s) => skipped.push(s),
        }
    }
    let files_scanned = walked
        .files
        .len()
        .saturating_sub(skipped.iter().filter(|s| !s.path.is_empty()).count());
    Ok(Extracted {
        parsed,
        skipped,
        notes,
        suppressions,
        lines_scanned,
        files_scanned,
        pool,
    })
}

/// The project model of a path, with the files that could not be read and
/// the notes on those read in part (for `faultline schema`).
pub fn project(options: &ScanOptions) -> Result<(Model, Vec<Skipped>, Vec<Note>), ScanError> {
    let extracted = extract_project(options, &|_, _| {})?;
    Ok((
        Model::new(extracted.parsed),
        extracted.skipped,
        extracted.notes,
    ))
}

/// Scan a project.
pub fn scan(options: &ScanOptions, progress: Progress) -> Result<ScanReport, ScanError> {
    let started = Instant::now();
    let Extracted {
        parsed,
        skipped,
        mut notes,
        suppressions,
        lines_scanned,
        files_scanned,
        pool,
    } = extract_project(options, progress)?;
    let mut suppressed = Vec::new();
    let mut suppression_problems = Vec::new();
    let mut churn = Churn::none();
    let findings = if options.parse_only {
        Vec::new()
    } else {
        let model = Model::new(parsed);
        let ctx = RuleContext {
            model: &model,
            selection: &options.selection,
            root: &options.root,
            notes: std::sync::Mutex::new(Vec::new()),
            entities: std::sync::OnceLock::new(),
        };
        let mut findings = pool.install(|| rules::run(&ctx));
        notes.extend(ctx.notes.into_inner().unwrap_or_default());
        for finding in &mut findings {
            if let Some(severity) = options.severity_overrides.get(&finding.rule) {
                finding.severity = *severity;
            }
        }
        // One `git log` per scan, and only when there is something to rank.
        churn = if options.churn_window_days > 0 && !findings.is_empty() {
            Churn::from_git(&options.root, options.churn_window_days)
        } else {
            Churn::none()
        };
        // Fingerprints are numbered before suppressions apply, so adding a
        // suppression does not change the identity of other findings.
        crate::rank::rank(&mut findings, &churn);
        let outcome = suppress::apply(findings, &suppressions, &options.selection);
        suppressed = outcome.suppressed;
        suppression_problems = outcome.problems;
        outcome.kept
    };
    let register = if options.parse_only {
        Register::default()
    } else {
        register::build(
            &findings,
            &register::BuildOptions {
                churn,
                severity_overrides: options.severity_overrides.clone(),
            },
        )
    };
    Ok(ScanReport {
        findings,
        files_scanned,
        lines_scanned,
        skipped,
        notes,
        suppressed,
        suppression_problems,
        register,
        baseline: None,
        elapsed: started.elapsed(),
    })
}

enum Outcome {
    Parsed(Box<ParsedFile>, Vec<Suppression>),
    ParsedOnly { lines: usize },
    Skipped(Skipped),
}

/// Read, parse and extract one file; every failure, a panic included,
/// becomes a skip that names the file.
fn analyse(file: &WalkedFile, layout: &Layout, options: &ScanOptions) -> Outcome {
    let skip = |reason: SkipReason| {
        Outcome::Skipped(Skipped {
            path: file.rel.clone(),
            reason: reason.to_string(),
        })
    };
    let text = match source::read(&file.path, options.max_file_size) {
        Ok(text) => text,
        Err(reason) => return skip(reason),
    };
    let module = layout.module(&file.rel, file.language);
    let src = SourceFile {
        path: &file.rel,
        text: &text.text,
        language: file.language,
        module: &module,
    };
    let lines = text.text.lines().count();
    let result = contain(|| {
        if options.parse_only {
            lang::parse_only(&src).map(|()| None)
        } else {
            lang::extract(&src).map(Some)
        }
    });
    match result {
        Ok(None) => Outcome::ParsedOnly { lines },
        Ok(Some(mut facts)) => {
            if text.lossy {
                facts.notes.push(crate::facts::FileNote {
                    message: "invalid UTF-8 was replaced; positions after it may be approximate"
                        .to_string(),
                });
            }
            let first_line = text.text.lines().next().unwrap_or("");
            let found = suppress::extract(&file.rel, &text.text);
            Outcome::Parsed(
                Box::new(ParsedFile {
                    path: file.rel.clone(),
                    language: file.language,
                    role: if options.paths.is_test(&file.rel) {
                        FileRole::Test
                    } else {
                        role(&file.rel, first_line, file.language)
                    },
                    lines,
                    facts,
                }),
                found,
            )
        }
        Err(reason) => skip(SkipReason::Unparsable(reason)),
    }
}

fn role(rel: &str, first_line: &str, language: Language) -> FileRole {
    let role = classify(rel, first_line);
    // A `bin/` directory holds Rust binaries, which are applications, not scripts.
    if language == Language::Rust && role == FileRole::Script && rel.contains("src/bin/") {
        FileRole::Source
    } else {
        role
    }
}

/// Run `f`, turning a panic into an error message.
fn contain<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(format!(
            "internal error while analysing this file ({}); please report it",
            panic_message(payload.as_ref())
        )),
    }
}

/// The message a panic carried, for reporting it as an error.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string())
}
