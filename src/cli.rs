//! Command-line interface: argument parsing and the commands. `main.rs`
//! only calls [`run`] and turns its outcome into an exit code.

use crate::baseline::Baseline;
use crate::config;
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
    /// Write the current register to .faultline-baseline.json (atomically),
    /// for `scan --baseline`.
    Baseline {
        #[command(flatten)]
        input: InputArgs,
        /// Where to write it (default: PATH/.faultline-baseline.json).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Create one tracker issue per register entry not already there
    /// (credentials from the environment; see the README).
    Push {
        /// The tracker.
        #[arg(value_enum)]
        tracker: TrackerKind,
        #[command(flatten)]
        input: InputArgs,
        /// Print the plan (what exists, what would be created) and create nothing.
        #[arg(long)]
        dry_run: bool,
        /// Push only entries not in this baseline file.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
    },
    /// Print the schema catalog faultline built (tables, columns, keys,
    /// indexes, each with the file and line it came from).
    Schema {
        #[command(flatten)]
        input: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Terminal)]
        format: ListFormat,
    },
    /// Write a commented default faultline.toml.
    Init {
        /// Directory to write it in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing faultline.toml.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TrackerKind {
    /// Jira Cloud (JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT).
    Jira,
    /// Linear (LINEAR_API_KEY, LINEAR_TEAM, LINEAR_API_URL).
    Linear,
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
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// The register as a Markdown document.
    Markdown,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// A CSV file for Jira's CSV importer.
    JiraCsv,
    /// A CSV file for Linear's CSV importer.
    LinearCsv,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding has this severity or higher.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Print only findings: no progress, no skipped-file messages, no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Report only register entries (and new locations of entries) not in
    /// this baseline file (see `faultline baseline`).
    #[arg(long, value_name = "FILE", conflicts_with = "diff_base")]
    baseline: Option<PathBuf>,
    /// Report only entries introduced since the merge base of HEAD and
    /// GITREF (scanned in a temporary git worktree).
    #[arg(long, value_name = "GITREF")]
    diff_base: Option<String>,
}

/// What to scan and how: shared by `scan` and `baseline`.
#[derive(Debug, clap::Args)]
struct InputArgs {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Run only these rules or families (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    select: Vec<String>,
    /// Skip these rules or families (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE|FAMILY")]
    ignore: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    threads: usize,
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
    /// Read the configuration from FILE (faultline.toml or pyproject.toml)
    /// instead of discovering it from PATH upwards.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    no_config: bool,
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
        Command::Init { dir, force } => init(&dir, force),
        Command::Schema { input, format } => schema(&input, format),
        Command::Baseline { input, output } => write_baseline(&input, output),
        Command::Push {
            tracker,
            input,
            dry_run,
            baseline,
        } => push(tracker, &input, dry_run, baseline.as_deref()),
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
    let (options, fail_on) = match prepare(&args.input) {
        Ok((options, fail_on)) => (options, args.fail_on.or(fail_on)),
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    let known = match (&args.baseline, &args.diff_base) {
        (Some(path), _) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("faultline: {e}");
                return EXIT_ERROR;
            }
        },
        (None, Some(git_ref)) => match crate::baseline::from_git_ref(&options, git_ref) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("faultline: --diff-base {git_ref}: {e}");
                return EXIT_ERROR;
            }
        },
        (None, None) => None,
    };
    let progress = ProgressBar::new(!args.quiet && std::io::stderr().is_terminal());
    let mut report = match scan::scan(&options, &|done, total| progress.update(done, total)) {
        Ok(report) => report,
        Err(e) => {
            progress.finish();
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    progress.finish();
    if let Some(known) = &known {
        report.baseline = Some(crate::baseline::filter(&mut report, known));
    }
    if !args.quiet {
        report_problems(&report);
    }
    let root = args.input.path.to_string_lossy().into_owned();
    let text = match args.format {
        Format::Json => emit::json::render(&report, &root),
        Format::Sarif => emit::sarif::render(&report, &root),
        Format::Markdown => emit::markdown::render(&report, &root),
        Format::Github => emit::github::render(&report, &root),
        Format::JiraCsv => emit::csv::render_jira(&report),
        Format::LinearCsv => emit::csv::render_linear(&report),
        Format::Terminal => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            let style = terminal::Style {
                color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
                width: terminal_width(),
            };
            let mut text = terminal::diagnostics(&report, &args.input.path, style);
            if !args.quiet {
                text.push_str(&terminal::summary(&report));
                text.push('\n');
                if !report.findings.is_empty() {
                    text.push_str(&crate::register::summary_line(&report.register));
                    text.push('\n');
                }
                if let Some(c) = &report.baseline {
                    text.push_str(&format!(
                        "Baseline: {} new entr{}, {} with new locations; {} known hidden; {} fixed.\n",
                        c.new,
                        if c.new == 1 { "y" } else { "ies" },
                        c.grown,
                        c.known,
                        c.fixed
                    ));
                }
                if !report.suppressed.is_empty() {
                    let n = report.suppressed.len();
                    text.push_str(&format!(
                        "{n} finding{} suppressed inline.\n",
                        if n == 1 { "" } else { "s" }
                    ));
                }
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
    match fail_on {
        Some(threshold) if report.findings.iter().any(|f| f.severity >= threshold) => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}

/// Scan options from the configuration file and the flags (flags win), and
/// the `--fail-on` threshold.
fn prepare(args: &InputArgs) -> Result<(ScanOptions, Option<Severity>), String> {
    let loaded = match &args.config {
        Some(path) => {
            if !path.is_file() {
                return Err(format!("{}: no such configuration file", path.display()));
            }
            let loaded = config::load(path)?;
            if loaded.path.is_none() {
                return Err(format!("{}: has no [tool.faultline] table", path.display()));
            }
            loaded
        }
        None if args.no_config => config::Loaded::default(),
        None => config::discover(&args.path)?,
    };
    let file = &loaded.config;
    let pick = |flag: &Vec<String>, from_file: &Vec<String>| {
        if flag.is_empty() {
            from_file.clone()
        } else {
            flag.clone()
        }
    };
    let selection = Selection {
        select: pick(&args.select, &file.select),
        ignore: pick(&args.ignore, &file.ignore),
    };
    let unknown = selection.unknown_names();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown rule or family: {} (see `faultline rules`)",
            unknown.join(", ")
        ));
    }
    let paths = config::PathRules::new(&file.exclude, &file.test_paths, &args.path, loaded.base())?;
    let options = ScanOptions {
        root: args.path.clone(),
        threads: args.threads,
        max_file_size: args.max_file_size,
        include_deps: args.include_deps,
        follow_links: args.follow_links,
        selection,
        parse_only: args.parse_only,
        severity_overrides: file.severity.clone(),
        churn_window_days: file
            .change_window_days
            .unwrap_or(crate::register::churn::DEFAULT_WINDOW_DAYS),
        paths,
    };
    Ok((options, file.fail_on))
}

/// `faultline baseline`: scan and write the register's ids and fingerprints.
fn write_baseline(input: &InputArgs, output: Option<PathBuf>) -> i32 {
    let (options, _) = match prepare(input) {
        Ok(prepared) => prepared,
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    let report = match scan::scan(&options, &|_, _| {}) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    report_problems(&report);
    let path = output.unwrap_or_else(|| {
        let dir = if input.path.is_file() {
            input.path.parent().map(PathBuf::from).unwrap_or_default()
        } else {
            input.path.clone()
        };
        dir.join(crate::baseline::FILE_NAME)
    });
    let baseline = Baseline::from_register(&report.register);
    if let Err(e) = emit::write_atomic(&path, baseline.render().as_bytes()) {
        eprintln!("faultline: cannot write {}: {e}", path.display());
        return EXIT_ERROR;
    }
    eprintln!(
        "faultline: wrote {} ({} entr{}, {} locations)",
        path.display(),
        baseline.entries.len(),
        if baseline.entries.len() == 1 {
            "y"
        } else {
            "ies"
        },
        baseline
            .entries
            .iter()
            .map(|e| e.locations.len())
            .sum::<usize>()
    );
    EXIT_CLEAN
}

/// `faultline push`: scan, then create the missing tracker issues.
fn push(
    kind: TrackerKind,
    input: &InputArgs,
    dry_run: bool,
    baseline: Option<&std::path::Path>,
) -> i32 {
    use crate::push::{self, Tracker};
    let mut tracker: Box<dyn Tracker> = match kind {
        TrackerKind::Jira => match crate::push::jira::Jira::from_env() {
            Ok(t) => Box::new(t),
            Err(e) if dry_run => return push_plan_offline(input, baseline, "Jira", &e),
            Err(e) => {
                eprintln!("faultline: push jira: {e} (set JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT)");
                return EXIT_ERROR;
            }
        },
        TrackerKind::Linear => match crate::push::linear::Linear::from_env() {
            Ok(t) => Box::new(t),
            Err(e) if dry_run => return push_plan_offline(input, baseline, "Linear", &e),
            Err(e) => {
                eprintln!("faultline: push linear: {e} (set LINEAR_API_KEY and LINEAR_TEAM)");
                return EXIT_ERROR;
            }
        },
    };
    let entries = match push_entries(input, baseline) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    let outcome = push::run(tracker.as_mut(), &entries, dry_run);
    print!("{}", outcome.render(tracker.name(), dry_run));
    if outcome.ok() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

/// The register entries to push.
fn push_entries(
    input: &InputArgs,
    baseline: Option<&std::path::Path>,
) -> Result<Vec<crate::register::Entry>, String> {
    let (options, _) = prepare(input)?;
    let mut report = scan::scan(&options, &|_, _| {}).map_err(|e| e.to_string())?;
    report_problems(&report);
    if let Some(path) = baseline {
        let known = Baseline::load(path)?;
        crate::baseline::filter(&mut report, &known);
    }
    Ok(report.register.entries)
}

/// A dry run without credentials: every entry would be created.
fn push_plan_offline(
    input: &InputArgs,
    baseline: Option<&std::path::Path>,
    tracker: &str,
    why: &str,
) -> i32 {
    let entries = match push_entries(input, baseline) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    let outcome = crate::push::Outcome {
        actions: entries
            .iter()
            .map(|e| {
                (
                    e.id.clone(),
                    e.title.clone(),
                    crate::push::Action::WouldCreate,
                )
            })
            .collect(),
        stopped: None,
    };
    print!("{}", outcome.render(tracker, true));
    eprintln!("faultline: {tracker} was not asked what exists already ({why})");
    EXIT_CLEAN
}

/// `faultline schema`: build the catalog and print it.
fn schema(input: &InputArgs, format: ListFormat) -> i32 {
    let (options, _) = match prepare(input) {
        Ok(prepared) => prepared,
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    let (model, skipped, notes) = match scan::project(&options) {
        Ok(project) => project,
        Err(e) => {
            eprintln!("faultline: {e}");
            return EXIT_ERROR;
        }
    };
    for s in &skipped {
        eprintln!("faultline: skipped {}: {}", s.path, s.reason);
    }
    for n in &notes {
        eprintln!("faultline: note: {}: {}", n.path, n.message);
    }
    let root = options.root.is_dir().then_some(options.root.as_path());
    let (catalog, unknown) = crate::schema::report(&model, root);
    print!(
        "{}",
        match format {
            ListFormat::Json => crate::schema::render_json(&catalog, &unknown),
            ListFormat::Terminal => crate::schema::render_table(&catalog, &unknown),
        }
    );
    EXIT_CLEAN
}

/// `faultline init`: write a commented default configuration.
fn init(dir: &std::path::Path, force: bool) -> i32 {
    let path = dir.join(config::FILE_NAMES[0]);
    if path.exists() && !force {
        eprintln!(
            "faultline: {} already exists (use --force to overwrite)",
            path.display()
        );
        return EXIT_ERROR;
    }
    match emit::write_atomic(&path, config::DEFAULT_FILE.as_bytes()) {
        Ok(()) => {
            eprintln!("faultline: wrote {}", path.display());
            EXIT_CLEAN
        }
        Err(e) => {
            eprintln!("faultline: cannot write {}: {e}", path.display());
            EXIT_ERROR
        }
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
    for p in &report.suppression_problems {
        eprintln!("faultline: warning: {}:{}: {}", p.path, p.line, p.message);
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
        "{id}: {title}\n\nFamily: {family}   Default severity: {sev}   Languages: {langs}\n\
         Cost: {cost}   Confidence: {conf}   Effort: {effort} min\n\n",
        id = rule.id,
        title = rule.title,
        family = rule.family,
        sev = rule.severity,
        langs = rule.languages.join(", "),
        cost = rule.cost,
        conf = rule.confidence,
        effort = rule.effort_minutes,
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
