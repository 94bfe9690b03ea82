//! `missing-index/blocking-index-build`: a migration that builds an index
//! on a table it did not create, on Postgres, without `CONCURRENTLY`: the
//! build holds a lock that blocks every write to the table until it ends
//! (minutes on a large table). SQL migrations (`CREATE INDEX` without
//! `CONCURRENTLY`), Rails migrations (`add_index` without `algorithm:
//! :concurrently`), Alembic (`op.create_index`, also in `batch_alter_table`, without
//! `postgresql_concurrently=True`), Django (`AddIndex` rather than
//! `AddIndexConcurrently`), Knex (`t.index()`/`.unique()` in `alterTable`) and
//! Sequelize (`addIndex` without `{ concurrently: true }`).

use super::{at_source, placed};
use crate::facts::Language;
use crate::finding::Finding;
use crate::orm::values::{as_bool, as_str, kwarg, positional};
use crate::rules::RuleContext;
use crate::schema::build::{is_migration, natural_cmp};
use crate::schema::django::model_table;
use crate::schema::{normalize_name, statement_ops, Catalog, Dialect, Op, Source};

const RULE: &str = "missing-index/blocking-index-build";

/// The newest migration file of each migration directory: the one that
/// may not have run in production yet. Older migrations have run; their
/// locks are history, and flagging them would bury the one that matters
/// (a pull request's new migration is the newest).
fn newest_migrations<'m>(ctx: &'m RuleContext) -> Vec<&'m str> {
    let mut newest: Vec<(&str, &str)> = Vec::new();
    for file in &ctx.model.files {
        let javascript = file.language.family() == "javascript";
        let migration_language = javascript
            || matches!(
                file.language,
                Language::Sql | Language::Ruby | Language::Python
            );
        // A Python file beside the revisions (`__init__.py`, `env.py`,
        // helpers) is not one of them, nor a JS file that is no Knex or
        // Sequelize migration.
        let helper = (file.language == Language::Python || javascript)
            && !crate::schema::build::is_schema_source(file);
        if !migration_language
            || helper
            || !is_migration(file)
            || file.role == crate::classify::FileRole::Test
            || crate::schema::build::is_down_migration(&file.path)
        {
            continue;
        }
        let group = migration_group(&file.path);
        match newest.iter_mut().find(|(g, _)| *g == group) {
            Some(slot) => {
                if natural_cmp(&file.path, slot.1).is_gt() {
                    slot.1 = &file.path;
                }
            }
            None => newest.push((group, &file.path)),
        }
    }
    newest.into_iter().map(|(_, p)| p).collect()
}

/// The directory a migration sequence lives in: the path up to its
/// `migrations/` or `migrate/` directory, else the file's directory.
fn migration_group(path: &str) -> &str {
    for marker in ["/migrations/", "/migrate/", "/versions/"] {
        if let Some(i) = path.find(marker) {
            return &path[..i + marker.len()];
        }
    }
    for marker in ["migrations/", "migrate/"] {
        if path.starts_with(marker) {
            return marker;
        }
    }
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether the JS migration code at `span` builds its index concurrently:
/// Sequelize `addIndex(t, cols, { concurrently: true })`, or raw
/// `CREATE INDEX CONCURRENTLY`. A raw statement that is not a `CREATE`
/// (`ALTER TABLE ... ADD CONSTRAINT`) is left to the SQL rules' reading,
/// as for `.sql` files.
fn js_concurrently(facts: &crate::facts::FileFacts, span: crate::facts::Span) -> bool {
    if let Some(text) = facts.sql.iter().find(|t| t.span == span) {
        let create = text
            .text
            .get(..6)
            .is_some_and(|w| w.eq_ignore_ascii_case("CREATE"));
        return !create || statement_ops(&text.text, &Source::new("", span)).concurrently;
    }
    facts.calls.iter().any(|c| {
        c.span == span
            && c.args.iter().any(|a| match &a.value {
                crate::facts::ArgValue::Map(entries) => entries
                    .iter()
                    .any(|(k, v)| k == "concurrently" && as_bool(v) == Some(true)),
                _ => false,
            })
    })
}

/// The findings.
pub fn check(ctx: &RuleContext, catalog: &Catalog) -> Vec<Finding> {
    if !ctx.enabled(RULE) || catalog.dialect != Dialect::Postgres {
        return Vec::new();
    }
    let mut out = Vec::new();
    let newest = newest_migrations(ctx);
    for file in &ctx.model.files {
        if !newest.contains(&file.path.as_str()) {
            continue;
        }
        // (table, line, how it was written)
        let mut builds: Vec<(String, crate::facts::Span, &'static str)> = Vec::new();
        let mut created: Vec<String> = Vec::new();
        match file.language {
            Language::Sql => {
                for text in &file.facts.sql {
                    let source = Source::new(&file.path, text.span);
                    let st = statement_ops(&text.text, &source);
                    let create_index = text
                        .text
                        .get(..6)
                        .is_some_and(|w| w.eq_ignore_ascii_case("CREATE"));
                    for op in &st.ops {
                        match op {
                            Op::CreateTable { table, .. } => created.push(table.clone()),
                            Op::AddIndex { table, .. } if create_index && !st.concurrently => {
                                builds.push((table.clone(), text.span, "sql"));
                            }
                            _ => {}
                        }
                    }
                }
            }
            Language::Ruby => {
                for call in &file.facts.calls {
                    let table = positional(call, 0).and_then(as_str).map(normalize_name);
                    match (call.name.as_str(), table) {
                        ("create_table", Some(t)) => created.push(t),
                        ("add_index" | "add_reference", Some(t))
                            if !call.callee.contains('.')
                                && kwarg(call, "algorithm").and_then(as_str)
                                    != Some("concurrently")
                                && (call.name == "add_index"
                                    || kwarg(call, "index").and_then(as_bool) != Some(false)) =>
                        {
                            builds.push((t, call.span, "rails"));
                        }
                        _ => {}
                    }
                }
            }
            Language::Python => {
                for call in &file.facts.calls {
                    let resolved = call.resolved.as_deref().unwrap_or(&call.callee);
                    // Django: `CreateModel` makes a new table; `AddIndex` (not
                    // `AddIndexConcurrently`) builds under a lock.
                    let django_model = || {
                        kwarg(call, "model_name")
                            .or_else(|| kwarg(call, "name"))
                            .and_then(as_str)
                            .map(|m| model_table(&file.path, m, ctx.entities()))
                    };
                    match resolved {
                        "django.db.migrations.CreateModel" => created.extend(django_model()),
                        "django.db.migrations.AddIndex" => {
                            if let Some(t) = django_model() {
                                builds.push((t, call.span, "django"));
                            }
                        }
                        _ => {}
                    }
                    if resolved.ends_with("op.create_table")
                        || resolved == "alembic.op.create_table"
                    {
                        if let Some(t) = positional(call, 0).and_then(as_str) {
                            created.push(normalize_name(t));
                        }
                    }
                    let is_create_index =
                        resolved == "alembic.op.create_index" || call.callee == "op.create_index";
                    let in_batch = resolved == "alembic.op.batch_alter_table().create_index";
                    let concurrently =
                        kwarg(call, "postgresql_concurrently").and_then(as_bool) == Some(true);
                    let table = if in_batch {
                        crate::schema::alembic::batch_table(&file.facts, call)
                    } else if is_create_index {
                        positional(call, 1)
                            .or_else(|| kwarg(call, "table_name"))
                            .and_then(as_str)
                            .map(normalize_name)
                    } else {
                        None
                    };
                    if let Some(t) = table.filter(|_| !concurrently) {
                        builds.push((t, call.span, "alembic"));
                    }
                }
            }
            _ if file.language.family() == "javascript" => {
                let Some((origin, ops)) = crate::schema::build::js_migration_ops(file) else {
                    continue;
                };
                let how = if origin == "knex" {
                    "knex"
                } else {
                    "sequelize"
                };
                for sourced in ops {
                    let span = sourced.source.span;
                    match sourced.op {
                        Op::CreateTable { table, .. } => created.push(table),
                        Op::AddIndex { table, .. } if !js_concurrently(&file.facts, span) => {
                            builds.push((table, span, how));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        for (table, span, how) in builds {
            if created.contains(&table) {
                continue;
            }
            let Some(mut f) = at_source(ctx, RULE, &Source::new(&file.path, span)) else {
                continue;
            };
            let index = ctx
                .model
                .files
                .iter()
                .position(|p| p.path == file.path)
                .unwrap_or(0) as u32;
            placed(ctx, &mut f, index, None, 0, &table);
            // Deploy-time risk: the migration role does not lower it.
            f.severity = crate::rules::meta::get(RULE).map_or(f.severity, |m| m.severity);
            if super::unbounded(&table) {
                f.severity = f.severity.raised();
            }
            f.message = format!(
                "This migration builds an index on the existing table `{table}` without CONCURRENTLY: Postgres blocks every insert, update and delete on `{table}` until the build ends (about a minute per 10M rows, longer under load)."
            );
            f.fix = match how {
                "rails" => "Add `algorithm: :concurrently` to the index and `disable_ddl_transaction!` to the migration".to_string(),
                "alembic" => "Pass `postgresql_concurrently=True` and run it outside the migration's transaction (`with op.get_context().autocommit_block():`)".to_string(),
                "django" => "Use `AddIndexConcurrently` (from `django.contrib.postgres.operations`) in a migration with `atomic = False`".to_string(),
                "knex" => "Build it with `knex.raw('CREATE INDEX CONCURRENTLY ...')` in a migration that exports `config = { transaction: false }`".to_string(),
                "sequelize" => "Pass `{ concurrently: true }` to `queryInterface.addIndex` and run the migration without a transaction".to_string(),
                _ => "Write `CREATE INDEX CONCURRENTLY` (outside a transaction: most migration tools need the file marked non-transactional)".to_string(),
            };
            f.anchor = format!("index build {table}");
            f.cause = super::cause(&table, &["build".to_string()]);
            out.push(f);
        }
    }
    out
}
