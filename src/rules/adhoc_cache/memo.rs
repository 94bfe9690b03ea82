//! `adhoc-cache/unbounded-memo`: a module- or class-level map that functions
//! fill with computed values under changing keys and that nothing ever
//! evicts. Reported at the declaration, with the writes as evidence.
//!
//! Only when the values are read from the database or the network (the map
//! also goes stale), when the map is written while serving a request (its
//! keys then come from traffic), or when the key names a record or a
//! resource (`post.id`, `user_id`, `url`: one entry per row). A memo of pure computations written
//! elsewhere is keyed, in practice, by things the code or the configuration
//! bounds — classes, language codes, database aliases (Django's own
//! `_translations`, `_connection_pools`) — and is left alone.

use super::containers::{Computed, Container, Containers, Home, WriteSite};
use super::fresh::Origin;
use super::{cause, severity, Family};
use crate::facts::Language;
use crate::finding::{Evidence, Finding, Setting};

/// Rule id.
pub const RULE: &str = "adhoc-cache/unbounded-memo";

/// Functions that fill registries and per-object state at setup time, not
/// caches: `register`, `__init__`, `constructor`, `initialize`, `setup`.
const SETUP: &[&str] = &[
    "register",
    "init",
    "initialize",
    "constructor",
    "setup",
    "configure",
    "install",
    "connect",
    "subscribe",
];

/// Report every container that is written and never evicted.
pub fn check(family: &Family, containers: &Containers, out: &mut Vec<Finding>) {
    let model = family.model();
    for container in &containers.list {
        let setup = |w: &WriteSite| {
            let func = &model.file(w.file).facts.functions[w.function as usize];
            super::named_like(&func.name, SETUP)
        };
        if container.evicted || container.writes.is_empty() || container.writes.iter().all(setup) {
            continue;
        }
        let fresh = container.writes.iter().any(|w| origin(family, w).is_some());
        let serving = container
            .writes
            .iter()
            .any(|w| family.on_request_path(w.file, w.function));
        let data_keyed = container.writes.iter().any(|w| w.data_key);
        if fresh || serving || data_keyed {
            out.push(finding(family, container));
        }
    }
}

/// What a stored value is read from, if fresh data.
fn origin(family: &Family, write: &WriteSite) -> Option<Origin> {
    match write.value {
        Computed::Call(id) => family.fresh.call(write.file, id),
        Computed::Closure(f) => family.fresh.body(write.file, f),
        Computed::Key => None,
    }
}

fn finding(family: &Family, container: &Container) -> Finding {
    let model = family.model();
    let file = model.file(container.file);
    let decl = container.decl;
    let origin = container.writes.iter().find_map(|w| origin(family, w));
    let mut setting = Setting::default();
    let mut evidence = Vec::new();
    for write in &container.writes {
        let writer = model.file(write.file);
        setting.request_path |= family
            .setting(write.file, Some(write.function))
            .request_path;
        evidence.push(Evidence {
            path: writer.path.clone(),
            line: write.span.line,
            note: format!(
                "{} stores a value under a new key",
                family.describe(write.file, write.function)
            ),
        });
    }
    let first = &container.writes[0];
    let first_file = model.file(first.file);
    let writer = family.describe(first.file, first.function);
    let set = container
        .writes
        .iter()
        .all(|w| matches!(w.value, Computed::Key));
    let kind = if set { "set" } else { "map" };
    let place = match (container.home, file.language) {
        (Home::Module, Language::Rust) => format!("a static {kind}"),
        (Home::Module, _) => format!("a module-level {kind}"),
        (Home::Class, _) => format!("a class-level {kind}"),
        (Home::Field, _) => format!("a shared {kind} field"),
        (Home::Singleton, _) => {
            format!("a {kind} field of a singleton provider (one instance per process)")
        }
    };
    let stores = if set {
        "adds a key"
    } else {
        "stores a value per key"
    };
    let more = match container.writes.len() {
        1 => String::new(),
        n => format!(" and {} other place{}", n - 1, if n > 2 { "s" } else { "" }),
    };
    let request = if setting.request_path {
        " on the request path"
    } else {
        ""
    };
    let stale = match &origin {
        Some(o) => format!(
            "; it holds data read from {} ({}) that goes stale when the source changes, and each worker process keeps its own, diverging copy",
            o.fresh.noun(),
            o.text
        ),
        None => String::from("; each worker process keeps its own copy"),
    };
    let catalog = family
        .catalog(container.file)
        .expect("containers have catalogs");
    let mut finding = family.ctx.finding(RULE, container.file, decl.span);
    finding.severity = severity(finding.severity, origin.is_some(), setting);
    finding.message = format!(
        "`{}` is {place} used as a cache: {writer}{request} {stores} (at {}:{}{more}) and nothing ever evicts, so it grows with every distinct key for the life of the process{stale}.",
        decl.target, first_file.path, first.span.line
    );
    finding.fix = if origin.is_some() {
        catalog.fix_shared.clone()
    } else {
        catalog.fix_growth.clone()
    };
    if let Some(o) = origin {
        evidence.extend(o.evidence);
    }
    finding.evidence = evidence;
    finding.setting = setting;
    finding.anchor = decl.target.clone();
    let resolved = decl.resolved.clone().unwrap_or_default();
    finding.cause = cause(&file.path, &resolved, &decl.target);
    finding.scope = Some(resolved);
    finding
}
