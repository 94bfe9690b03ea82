//! Command-line interface: argument parsing and the commands. `main.rs`
//! only calls [`run`] and turns its outcome into an exit code.

use crate::emit::{self, terminal};
use crate::finding::Severity;
use crate::rules::{meta, Selection};
use crate::scan::{self, ScanOptions, ScanReport};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Exit code: nothing at or above the --fail-on severity.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code: a finding reached the --fail-on severity.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage or fatal error.
pub const EXIT_ERROR: i32 = 2;

/// Finds the code that breaks when the product scales: N+1 queries, missing
/// indexes, blocking calls in async code, ad-hoc caches.
#[derive(Debug, Parser)]
#[command(name = "faultline", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a codebase and report scaling risks.
    Scan(ScanArgs),
    /// List every rule: id, family, default severity, languages.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Terminal)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule id (`blocking-call/sleep`) or its name alone (`sleep`).
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Terminal,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Diagnostics with source snippets, then a summary.
    Terminal,
    /// The JSON object of the output contract.
    Json,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding has this severity or higher.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Run only these rules or families (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    select: Vec<String>,
    /// Skip these rules or families (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    ignore: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Print only findings: no progress, no skipped-file messages, no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Skip files larger than this (bytes, or with KB/MB/GB).
    #[arg(long, value_name = "SIZE", default_value = "4MB", value_parser = parse_size)]
    max_file_size: u64,
    /// Also scan dependency and build directories (node_modules, venv, target, vendor, dist, build).
    #[arg(long)]
    include_deps: bool,
    /// Follow symbolic links (loops are detected and skipped).
    #[arg(long)]
    follow_links: bool,
    /// Parse files without extracting facts or running rules (benchmark baseline).
    #[arg(long, hide = true)]
    parse_only: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(&s.to_ascii_lowercase())
        .ok_or_else(|| format!("expected one of critical, high, medium, low; got {s:?}"))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t.as_str(), ""),
    };
    let n: u64 = digits.parse().map_err(|_| format!("not a size: {s:?}"))?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("unknown size unit in {s:?} (use KB, MB or GB)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size too large: {s:?}"))
}

/// Parse arguments and run; returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules { format } => {
            print!("{}", list_rules(format));
            EXIT_CLEAN
        }
        Command::Explain { rule } => match explain(&rule) {
            Ok(text) => {
                print!("{text}");
                EXIT_CLEAN
            }
            Err(e) => {
                eprintln!("faultline: {e}");
                EXIT_ERROR
            }
        },
    }
}

fn run_scan(args: ScanArgs) -> i32 {
    let selection = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let unknown = selection.unknown_names();
    if !unknown.is_empty() {
        eprintln!(
            "faultline: unknown rule or family: {} (see `faultline rules`)",
            unknown.join(", ")
        );
        return EXIT_ERROR;
    }
    let options = ScanOptions {
        root: args.path.clone(),
        threads: args.threads,
        max_file_size: args.max_file_size,
        include_deps: args.include_deps,
        follow_links: args.follow_links,
        selection,
        parse_only: args.parse_only,
    };
    let progress = ProgressBar::new(!args.quiet && std::io::stderr().is_terminal());
    let report = match scan::scan(&options, &|done, total| progress.update(done, total)) {
        Ok(report) => report,
        Err(e) => {
            progress.finish();
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    progress.finish();
    if !args.quiet {
        report_problems(&report);
    }
    let root = args.path.to_string_lossy().into_owned();
    let text = match args.format {
        Format::Json => emit::json::render(&report, &root),
        Format::Terminal => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            let style = terminal::Style {
                color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
                width: terminal_width(),
            };
            let mut text = terminal::render(&report, &args.path, style);
            if args.quiet {
                // The summary is the last line.
                let body_end = text.trim_end().rfind('\n').map_or(0, |i| i + 1);
                text.truncate(body_end);
            }
            text
        }
    };
    if let Some(path) = &args.output {
        if let Err(e) = emit::write_atomic(path, text.as_bytes()) {
            eprintln!("faultline: cannot write {}: {e}", path.display());
            return EXIT_ERROR;
        }
    } else {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        if stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .is_err()
        {
            // A closed pipe (`| head`) is not an error worth a message.
            return EXIT_ERROR;
        }
    }
    match args.fail_on {
        Some(threshold) if report.findings.iter().any(|f| f.severity >= threshold) => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}

/// Skipped files and partial parses go to stderr, each naming its file.
fn report_problems(report: &ScanReport) {
    for s in &report.skipped {
        if s.path.is_empty() {
            eprintln!("faultline: {}", s.reason);
        } else {
            eprintln!("faultline: skipped {}: {}", s.path, s.reason);
        }
    }
    for n in &report.notes {
        eprintln!("faultline: note: {}: {}", n.path, n.message);
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// A progress bar on stderr that appears only when the scan takes more than
/// a moment, and only on a terminal.
struct ProgressBar {
    enabled: bool,
    started: Instant,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl ProgressBar {
    const DELAY: Duration = Duration::from_millis(300);

    fn new(enabled: bool) -> ProgressBar {
        ProgressBar {
            enabled,
            started: Instant::now(),
            bar: std::sync::OnceLock::new(),
        }
    }

    fn update(&self, done: u64, total: u64) {
        if !self.enabled || self.started.elapsed() < Self::DELAY {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} scanning {pos}/{len} files {wide_bar} {elapsed}",
                )
                .expect("valid template"),
            );
            bar
        });
        bar.set_position(done);
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

fn list_rules(format: ListFormat) -> String {
    let rules = meta::all();
    match format {
        ListFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "family": r.family, "title": r.title,
                        "severity": r.severity, "languages": r.languages,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&list).expect("serialisable");
            s.push('\n');
            s
        }
        ListFormat::Terminal => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let mut out = String::new();
            for r in rules {
                out.push_str(&format!(
                    "{:width$}  {:8}  {:26}  {}\n",
                    r.id,
                    r.severity.as_str(),
                    r.languages.join(","),
                    r.title,
                ));
            }
            out
        }
    }
}

/// A rule's documentation as text.
fn explain(name: &str) -> Result<String, String> {
    let rule = meta::get(name)
        .or_else(|| {
            let matches: Vec<_> = meta::all()
                .iter()
                .filter(|r| r.id.rsplit('/').next() == Some(name))
                .collect();
            (matches.len() == 1).then(|| matches[0])
        })
        .ok_or_else(|| format!("no rule named {name:?} (see `faultline rules`)"))?;
    let d = &rule.docs;
    let mut out = format!(
        "{id}: {title}\n\nFamily: {family}   Default severity: {sev}   Languages: {langs}\n\n",
        id = rule.id,
        title = rule.title,
        family = rule.family,
        sev = rule.severity,
        langs = rule.languages.join(", "),
    );
    let section = |out: &mut String, title: &str, body: &str| {
        out.push_str(&format!("## {title}\n{}\n\n", body.trim_end()));
    };
    section(&mut out, "What it does", &d.what);
    section(&mut out, "Why is this bad?", &d.why);
    section(&mut out, "Example", &d.example_bad);
    section(&mut out, "Use instead", &d.example_good);
    section(&mut out, "How to fix it", &d.remediation);
    if !d.references.is_empty() {
        let refs: Vec<String> = d.references.iter().map(|r| format!("- {r}")).collect();
        section(&mut out, "References", &refs.join("\n"));
    }
    Ok(out)
}
