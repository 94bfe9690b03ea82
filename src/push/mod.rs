//! `faultline push jira|linear`: one tracker issue per register entry that
//! is not already there.
//!
//! An entry is recognised by its id: in Jira by the label `faultline-<id>`
//! (labels are searchable with JQL and visible on the issue), in Linear by
//! the line `faultline-id: <id>` in the description (Linear labels are a
//! shared, curated list; one label per entry would flood it).
//!
//! The run: list the issues faultline created before (one paginated search),
//! then create the missing ones. A create that fails with a server error or
//! a broken connection may still have gone through, so before trying again
//! the tracker is asked for that entry's id: pushing twice, or through
//! rate limits and server errors, creates nothing twice and loses nothing.
//! Credentials come from the environment only and are never printed.

pub mod http;
pub mod jira;
pub mod linear;

use crate::register::Entry;
use http::HttpError;
use std::collections::HashMap;
use std::fmt::Write;

/// A tracker faultline can push to.
pub trait Tracker {
    /// "Jira" or "Linear".
    fn name(&self) -> &'static str;
    /// Issues faultline created before: entry id → issue key.
    fn existing(&mut self) -> Result<HashMap<String, String>, HttpError>;
    /// The issue for one entry id, if there is one.
    fn find(&mut self, id: &str) -> Result<Option<String>, HttpError>;
    /// Create the issue for an entry; returns its key.
    fn create(&mut self, entry: &Entry) -> Result<String, HttpError>;
    /// Backoff before the `n`-th retry of a create.
    fn backoff(&self, n: u32) -> std::time::Duration;
    /// Attempts in all for one create.
    fn max_attempts(&self) -> u32;
}

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Already in the tracker.
    Exists(String),
    /// Created now.
    Created(String),
    /// Would be created (dry run).
    WouldCreate,
    /// Could not be created.
    Failed(String),
}

/// The outcome of a push.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// (entry id, entry title, action), in register order.
    pub actions: Vec<(String, String, Action)>,
    /// A fatal error that stopped the run, if any.
    pub stopped: Option<String>,
}

impl Outcome {
    /// Count of an action kind.
    pub fn count(&self, f: impl Fn(&Action) -> bool) -> usize {
        self.actions.iter().filter(|(_, _, a)| f(a)).count()
    }

    /// Whether everything went through.
    pub fn ok(&self) -> bool {
        self.stopped.is_none() && self.count(|a| matches!(a, Action::Failed(_))) == 0
    }

    /// The plan or the result, one line per entry, then a summary.
    pub fn render(&self, tracker: &str, dry_run: bool) -> String {
        let mut out = String::new();
        for (id, title, action) in &self.actions {
            let what = match action {
                Action::Exists(key) => format!("exists   {key}"),
                Action::Created(key) => format!("created  {key}"),
                Action::WouldCreate => "create".to_string(),
                Action::Failed(e) => format!("FAILED   {e}"),
            };
            let _ = writeln!(out, "{what:<16} {id}  {title}");
        }
        let created = self.count(|a| matches!(a, Action::Created(_)));
        let would = self.count(|a| matches!(a, Action::WouldCreate));
        let exists = self.count(|a| matches!(a, Action::Exists(_)));
        let failed = self.count(|a| matches!(a, Action::Failed(_)));
        if dry_run {
            let _ = writeln!(
                out,
                "{tracker} (dry run): {would} to create, {exists} already there."
            );
        } else {
            let _ = writeln!(
                out,
                "{tracker}: {created} created, {exists} already there{}.",
                if failed > 0 {
                    format!(", {failed} failed")
                } else {
                    String::new()
                }
            );
        }
        if let Some(e) = &self.stopped {
            let _ = writeln!(out, "stopped: {e}");
        }
        out
    }
}

/// Push entries: look up what exists, create what is missing (or, in a
/// dry run, only say so).
pub fn run(tracker: &mut dyn Tracker, entries: &[Entry], dry_run: bool) -> Outcome {
    let mut outcome = Outcome::default();
    let existing = match tracker.existing() {
        Ok(existing) => existing,
        Err(e) => {
            outcome.stopped = Some(e.to_string());
            return outcome;
        }
    };
    for entry in entries {
        let record = |action| (entry.id.clone(), entry.title.clone(), action);
        if let Some(key) = existing.get(&entry.id) {
            outcome.actions.push(record(Action::Exists(key.clone())));
            continue;
        }
        if dry_run {
            outcome.actions.push(record(Action::WouldCreate));
            continue;
        }
        match create(tracker, entry) {
            Ok(action) => outcome.actions.push(record(action)),
            Err(HttpError::Fatal(e)) => {
                outcome.stopped = Some(e);
                return outcome;
            }
            Err(e) => outcome.actions.push(record(Action::Failed(e.to_string()))),
        }
    }
    outcome
}

/// Create one entry's issue; after an ambiguous failure, look before
/// trying again.
fn create(tracker: &mut dyn Tracker, entry: &Entry) -> Result<Action, HttpError> {
    let mut failures = 0;
    loop {
        match tracker.create(entry) {
            Ok(key) => return Ok(Action::Created(key)),
            Err(HttpError::Retryable(e)) => {
                failures += 1;
                if failures >= tracker.max_attempts() {
                    return Err(HttpError::Retryable(format!(
                        "{e} (gave up after {failures} attempts)"
                    )));
                }
                std::thread::sleep(tracker.backoff(failures));
                if let Some(key) = tracker.find(&entry.id)? {
                    return Ok(Action::Created(key));
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// A required environment variable, or an error naming it.
pub fn env(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        _ => Err(format!("{name} is not set")),
    }
}

/// The marker line that identifies an entry in a tracker description.
pub fn marker(id: &str) -> String {
    format!("faultline-id: {id}")
}
