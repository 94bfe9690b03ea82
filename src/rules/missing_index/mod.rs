//! The missing-index family: join the schema catalog ([`crate::schema`])
//! with the queries the code runs, and report lookups, orderings and
//! patterns no index serves, foreign keys without an index, and index
//! builds that lock a live Postgres table.
//!
//! 1. Build the ORM entities and the catalog once for the project.
//! 2. Read query sites: raw SQL in strings and `.sql` files ([`sql`]),
//!    Django ([`django`]), Rails ([`rails`]), Prisma ([`prisma`]),
//!    SQLAlchemy ([`sqlalchemy`]), TypeORM and Sequelize calls, each mapped
//!    to a table through the ORM's naming rules, and Knex ([`knex`]) and
//!    Diesel ([`diesel`]) chains, which name their table.
//! 3. Judge each site against the table's indexes ([`judge`]); tables no
//!    schema source defines (or only mentions) are never judged: they are
//!    listed once in a scan note instead.
//! 4. Check the catalog's foreign keys ([`foreign_key`]) and the
//!    migrations' index builds ([`concurrent`]).
//!
//! Severity: the rule's default, one level up in a request path or inside
//! a loop (a scan per request or per row), one more for tables named like
//! unbounded growth (events, logs, messages, orders...); low in scripts
//! and migrations. Test files are not read for query sites.

mod chain;
mod concurrent;
mod diesel;
mod django;
mod fix;
mod foreign_key;
mod judge;
mod knex;
mod prisma;
mod rails;
mod sequelize;
mod site;
mod sql;
mod sqlalchemy;
mod typeorm;

use crate::classify::FileRole;
use crate::facts::{FunctionId, Language};
use crate::finding::{Finding, Setting, Severity};
use crate::model::{FnRef, Model};
use crate::orm::Entities;
use crate::rules::RuleContext;
use crate::schema::{Catalog, Source, UnknownTable};
use site::{Cmp, Pred, Site, Stack};

/// Run the family.
pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let model = ctx.model;
    let entities = ctx.entities();
    let catalog = crate::schema::build(model, entities, Some(ctx.root));
    let sites = query_sites(model, entities);
    let mut findings = Vec::new();
    for site in &sites {
        if let Some(table) = catalog.table(&site.table).filter(|t| t.columns_known) {
            findings.extend(judge::judge(ctx, &catalog, entities, table, site));
        }
    }
    let unknown = unknown(model, &catalog, &sites);
    findings.extend(foreign_key::check(ctx, &catalog, entities));
    findings.extend(concurrent::check(ctx, &catalog));
    if !unknown.is_empty() {
        note_unknown(ctx, &unknown);
    }
    findings.sort_by(|a, b| (&a.path, a.span.line, &a.rule).cmp(&(&b.path, b.span.line, &b.rule)));
    findings.dedup_by(|b, a| (&a.path, a.span.line, &a.rule) == (&b.path, b.span.line, &b.rule));
    findings
}

/// The tables that queries use but no schema source defines (or only
/// mentions), each with its first use.
pub(crate) fn unknown_tables(
    model: &Model,
    entities: &Entities,
    catalog: &Catalog,
) -> Vec<UnknownTable> {
    unknown(model, catalog, &query_sites(model, entities))
}

fn unknown(model: &Model, catalog: &Catalog, sites: &[Site]) -> Vec<UnknownTable> {
    let mut out: Vec<UnknownTable> = Vec::new();
    for site in sites {
        let known = catalog.table(&site.table).is_some_and(|t| t.columns_known);
        if !known && !out.iter().any(|u| u.name == site.table) {
            out.push(UnknownTable {
                name: site.table.clone(),
                first_use: Source::new(&model.file(site.file).path, site.span),
            });
        }
    }
    out
}

/// One scan-level note naming the queried tables without a schema.
fn note_unknown(ctx: &RuleContext, unknown: &[UnknownTable]) {
    let names: Vec<&str> = unknown.iter().take(8).map(|u| u.name.as_str()).collect();
    let more = unknown.len().saturating_sub(names.len());
    let message = format!(
        "no schema found for {} queried table{} ({}{}); missing-index checks skip {} (`faultline schema` shows what was found)",
        unknown.len(),
        if unknown.len() == 1 { "" } else { "s" },
        names.join(", "),
        if more > 0 { format!(", and {more} more") } else { String::new() },
        if unknown.len() == 1 { "it" } else { "them" },
    );
    if let Ok(mut notes) = ctx.notes.lock() {
        notes.push(crate::scan::Note {
            path: unknown[0].first_use.path.clone(),
            message,
        });
    }
}

/// Every query site of the project (test files left out).
fn query_sites(model: &Model, entities: &Entities) -> Vec<Site> {
    let mut out = Vec::new();
    let knex = knex::instances(model);
    for (index, file) in model.files.iter().enumerate() {
        if file.role == FileRole::Test || offline(file) {
            continue;
        }
        let index = index as u32;
        match file.language.family() {
            "python" => {
                out.extend(django::sites(index, file, entities));
                out.extend(sqlalchemy::sites(index, file, entities));
            }
            "ruby" if !file.path.contains("db/") => out.extend(rails::sites(index, file, entities)),
            "rust" => out.extend(diesel::sites(index, file)),
            "javascript" => {
                out.extend(prisma::sites(index, file, entities));
                out.extend(typeorm::sites(index, file, entities));
                out.extend(sequelize::sites(index, file, entities));
                out.extend(knex::sites(index, file, &knex));
            }
            _ => {}
        }
        if file.language != Language::Sql || !crate::schema::build::is_migration(file) {
            out.extend(sql_sites(index, file));
        }
    }
    out
}

/// Query sites of the SQL texts of one file: one per table of each
/// statement.
fn sql_sites(index: u32, file: &crate::model::ParsedFile) -> Vec<Site> {
    let mut out = Vec::new();
    for text in &file.facts.sql {
        let Some(q) = sql::read(&text.text) else {
            continue;
        };
        let single = q.tables.len() == 1;
        for (table, alias) in &q.tables {
            if q.ctes.contains(table) {
                continue;
            }
            let mine = |qualifier: &Option<String>| match qualifier {
                Some(q) => q == alias || q == table,
                None => single,
            };
            let mut preds: Vec<Pred> = q
                .preds
                .iter()
                .filter(|p| mine(&p.qualifier))
                .map(|p| p.item.clone())
                .collect();
            // `JOIN orders o ON o.user_id = u.id`: the side that is not a
            // primary key is looked up once per joined row.
            for (l, r) in &q.joins {
                for (this, other) in [(l, r), (r, l)] {
                    if mine(&this.qualifier) && !mine(&other.qualifier) && other.item == "id" {
                        preds.push(Pred {
                            column: this.item.clone(),
                            cmp: Cmp::Join,
                        });
                    }
                }
            }
            let order_by = if q.order_by.iter().all(|o| mine(&o.qualifier)) {
                q.order_by.iter().map(|o| o.item.clone()).collect()
            } else {
                Vec::new()
            };
            out.push(Site {
                file: index,
                span: text.span,
                function: text.function,
                loop_depth: None,
                table: table.clone(),
                stack: Stack::Sql,
                entity: None,
                preds,
                order_by,
                limited: q.limited,
                text: site::shorten(&text.text),
            });
        }
    }
    out
}

/// The loops around a site: for SQL in a string, those of the innermost
/// call the string is passed to.
fn site_loops(model: &Model, site: &Site) -> u32 {
    site.loop_depth.unwrap_or_else(|| {
        model
            .file(site.file)
            .facts
            .calls
            .iter()
            .filter(|c| c.span.start <= site.span.start && site.span.end <= c.span.end)
            .map(|c| c.loops.len() as u32)
            .max()
            .unwrap_or(0)
    })
}

/// Table names that grow without bound in most products: the name ends
/// with one of these nouns, singular or plural (`audit_events`,
/// `shop_order`, `helpdesk_followup`; not `emailtemplate`).
fn unbounded(table: &str) -> bool {
    const GROWING: &[&str] = &[
        "event",
        "log",
        "message",
        "order",
        "notification",
        "audit",
        "activity",
        "activitie",
        "transaction",
        "payment",
        "comment",
        "visit",
        "view",
        "click",
        "metric",
        "session",
        "job",
        "history",
        "historie",
        "request",
        "email",
        "delivery",
        "deliverie",
        "item",
        "post",
        "like",
        "vote",
        "ticket",
        "followup",
        "attachment",
        "entry",
        "entrie",
        "record",
        "upload",
        "invoice",
    ];
    let singular = table.strip_suffix('s').unwrap_or(table);
    GROWING.iter().any(|g| singular.ends_with(g))
}

/// Table names of small reference data (settings, templates, categories,
/// queues of a help desk, ...): a scan of a few hundred rows is no risk,
/// so lookups on them are not reported.
fn reference_data(table: &str) -> bool {
    const SMALL: &[&str] = &[
        "template",
        "setting",
        "config",
        "configuration",
        "preference",
        "categor",
        "countr",
        "currenc",
        "language",
        "locale",
        "permission",
        "role",
        "site",
        "flag",
        "feature",
        "plan",
        "queue",
        "customfield",
        "custom_field",
        "taxrate",
        "option",
        "exclusion",
        "choice",
        "contenttype",
        "content_type",
        "migration",
    ];
    let last = table.rsplit('_').next().unwrap_or(table);
    SMALL.iter().any(|s| {
        table.ends_with(s)
            || last.starts_with(s)
            || table.ends_with(&format!("{s}s"))
            || table.ends_with(&format!("{s}ies"))
    })
}

/// Code that never serves requests: migrations, scripts, Django management
/// commands. A scan there is a one-off, not a scaling risk.
fn offline(file: &crate::model::ParsedFile) -> bool {
    matches!(file.role, FileRole::Migration | FileRole::Script)
        || file.path.contains("/management/commands/")
}

/// Where a finding sits and how severe it is.
fn placed(
    ctx: &RuleContext,
    finding: &mut Finding,
    file: u32,
    function: Option<FunctionId>,
    loop_depth: u32,
    table: &str,
) {
    let model = ctx.model;
    let parsed = model.file(file);
    let mut request_path = false;
    let mut cur = function;
    let mut scope = None;
    while let Some(id) = cur {
        let f = &parsed.facts.functions[id as usize];
        request_path |= model.handler(FnRef { file, func: id }).is_some();
        if scope.is_none() && f.kind != crate::facts::FunctionKind::Closure {
            scope = Some(f.qname.clone());
        }
        cur = f.parent;
    }
    let script = matches!(parsed.role, FileRole::Script | FileRole::Migration);
    finding.setting = Setting {
        request_path,
        test: parsed.role == FileRole::Test,
        script,
        loop_depth,
    };
    finding.scope = scope;
    let mut severity = finding.severity;
    if script {
        severity = Severity::Low;
    } else {
        if request_path || loop_depth > 0 {
            severity = severity.raised();
        }
        if unbounded(table) {
            severity = severity.raised();
        }
    }
    finding.severity = severity;
}

/// Where in the code: "in the request handler `show`", "inside a loop".
fn where_text(ctx: &RuleContext, file: u32, function: Option<FunctionId>, loops: u32) -> String {
    let parsed = ctx.model.file(file);
    let handler = function.and_then(|f| {
        let mut cur = Some(f);
        while let Some(id) = cur {
            if ctx.model.handler(FnRef { file, func: id }).is_some() {
                return Some(parsed.facts.functions[id as usize].name.clone());
            }
            cur = parsed.facts.functions[id as usize].parent;
        }
        None
    });
    match (handler, loops) {
        (Some(h), 0) => format!(" in the request handler `{h}` (a scan per request)"),
        (Some(h), _) => {
            format!(" inside a loop in the request handler `{h}` (a scan per row, per request)")
        }
        (None, 0) => String::new(),
        (None, _) => " inside a loop (a scan per iteration)".to_string(),
    }
}

/// The root cause: the table and columns, so every query missing the same
/// index is one register entry.
fn cause(table: &str, columns: &[String]) -> String {
    [table, &columns.join(",")].join(crate::finding::CAUSE_SEPARATOR)
}

/// A finding for a schema fact at `source` (a path in the model).
fn at_source(ctx: &RuleContext, rule: &str, source: &Source) -> Option<Finding> {
    let file = ctx.model.files.iter().position(|f| f.path == source.path)? as u32;
    if ctx.model.file(file).role == FileRole::Test {
        return None;
    }
    Some(ctx.finding(rule, file, source.span))
}
