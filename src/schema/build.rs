//! Building the catalog from the project model: collect every source's ops,
//! order migrations, apply, and decide the dialect.

use super::ddl::statement_ops;
use super::dialect::{self, Dialect, Evidence};
use super::{Catalog, Op, Phase, Source, SourcedOp};
use crate::classify::FileRole;
use crate::facts::{
    ArgValue, AssignScope, FileFacts, FunctionId, FunctionKind, Language, Span, SqlText,
};
use crate::model::{Model, ParsedFile};
use crate::orm::values::map_get;
use crate::orm::Entities;
use std::cmp::Ordering;
use std::path::Path;

/// Ops gathered from all sources, before they are applied.
#[derive(Default)]
pub struct Collected {
    /// Ops with where they came from, in source order within each file.
    pub ops: Vec<SourcedOp>,
    /// The phase of each op (same length as `ops`).
    pub phases: Vec<Phase>,
    /// What says which database this is.
    pub evidence: Vec<Evidence>,
    /// Each op's migration position (file order), for ordering.
    order: Vec<usize>,
}

impl Collected {
    /// Add an op from a source file.
    pub fn push(&mut self, sourced: SourcedOp, phase: Phase, file_order: usize) {
        self.ops.push(sourced);
        self.phases.push(phase);
        self.order.push(file_order);
    }

    /// Add the ops one migration or schema file wrote, each at the span of
    /// the call or statement that wrote it, in the order they appear in the
    /// file (facts may list a block after the calls inside it). Facts built
    /// without a place take their span's.
    pub fn push_file(&mut self, file: &FileOps, ops: Vec<(Span, Op)>) {
        let mut ops = ops;
        ops.sort_by_key(|(span, _)| span.start);
        for (span, mut op) in ops {
            let source = Source::new(file.path, span);
            op.fill_source(&source);
            self.push(
                SourcedOp {
                    op,
                    source,
                    origin: file.origin,
                },
                file.phase,
                file.position,
            );
        }
    }

    /// [`Collected::push_file`] for a migration written in code: its ops,
    /// then the DDL of the SQL texts it runs forwards (texts in its undo
    /// step are skipped).
    pub fn push_migration(&mut self, file: &FileOps, facts: &FileFacts, mut ops: Vec<(Span, Op)>) {
        ops.extend(self.sql_ops(
            file.path,
            facts.sql.iter().filter(|s| !in_down(facts, s.function)),
        ));
        self.push_file(file, ops);
    }

    /// The ops of the DDL in SQL texts (a `.sql` file's statements, or
    /// strings a migration runs: `op.execute`, `knex.raw`,
    /// `queryInterface.sequelize.query`), each at its text's span, for
    /// [`Collected::push_file`]; dialect-only syntax is kept as evidence.
    pub fn sql_ops<'a>(
        &mut self,
        path: &str,
        texts: impl Iterator<Item = &'a SqlText>,
    ) -> Vec<(Span, Op)> {
        let mut out = Vec::new();
        for sql in texts {
            let statement = statement_ops(&sql.text, &Source::new(path, sql.span));
            if let Some(d) = statement.dialect {
                if !self.evidence.iter().any(|e| e.dialect == d && e.rank == 3) {
                    self.evidence.push(Evidence {
                        dialect: d,
                        why: format!("{path}:{}: {} syntax", sql.span.line, d.name()),
                        rank: 3,
                    });
                }
            }
            out.extend(statement.ops.into_iter().map(|op| (sql.span, op)));
        }
        out
    }
}

/// The file a source's ops come from: its path, which kind of source it is
/// (`sql`, `rails`, `alembic`, `knex`...), its phase and its place in the
/// migration order.
pub struct FileOps<'a> {
    /// Path relative to the scan root.
    pub path: &'a str,
    /// Which kind of source.
    pub origin: &'static str,
    /// Migration or snapshot.
    pub phase: Phase,
    /// Position in [`migration_order`].
    pub position: usize,
}

/// Whether code in this function (None: top level) is, or is nested in, a
/// migration's undo step: Rails `def down` / `def self.down`, Alembic
/// `def downgrade()` (`downgrade_<engine>` in multi-database templates),
/// Knex and Sequelize `down`. It undoes the migration, so its drops are not
/// part of the schema. Parents are followed a bounded number of steps.
pub fn in_down(facts: &FileFacts, function: Option<FunctionId>) -> bool {
    let mut current = function;
    for _ in 0..32 {
        let Some(func) = current.and_then(|f| facts.functions.get(f as usize)) else {
            return false;
        };
        let name = func.name.as_str();
        if func.kind != FunctionKind::Closure
            && (name == "down" || name == "downgrade" || name.starts_with("downgrade_"))
        {
            return true;
        }
        current = func.parent;
    }
    false
}

/// Whether a file is read as a migration or schema source other than SQL
/// (a Rails schema or migration, an Alembic revision, a Django, Knex or
/// Sequelize migration): not a helper module beside them.
pub fn is_schema_source(file: &ParsedFile) -> bool {
    migration_source(file).is_some()
}

/// Which migration source a file is, if any: every source but SQL files and
/// ORM models, with the phase its ops take.
fn migration_source(file: &ParsedFile) -> Option<(&'static str, Phase)> {
    if file.role == FileRole::Test {
        return None;
    }
    match file.language {
        Language::Ruby => super::rails::phase(&file.path).map(|p| ("rails", p)),
        Language::Python => {
            if super::alembic::is_revision(file) {
                Some(("alembic", Phase::Migration))
            } else if super::django::is_migration(&file.facts) {
                Some(("django-migrations", Phase::Migration))
            } else {
                None
            }
        }
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            if super::knex::is_migration(&file.facts) {
                Some(("knex", Phase::Migration))
            } else if super::sequelize::is_migration(&file.facts) {
                Some(("sequelize-migrations", Phase::Migration))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The ops one Knex or Sequelize migration writes, each at the call or SQL
/// text that wrote it, and which of the two it is; None for other files.
pub fn js_migration_ops(file: &ParsedFile) -> Option<(&'static str, Vec<SourcedOp>)> {
    let (origin, phase) = migration_source(file)?;
    let at = FileOps {
        path: &file.path,
        origin,
        phase,
        position: 0,
    };
    let mut collected = Collected::default();
    match origin {
        "knex" => super::knex::file_ops(file, &at, &mut collected),
        "sequelize-migrations" => super::sequelize::file_ops(file, &at, &mut collected),
        _ => return None,
    }
    Some((origin, collected.ops))
}

/// Build the project's catalog. `root` is the scan root, whose manifests
/// (`Gemfile`, `Cargo.toml`, `package.json`, `config/database.yml` ...)
/// help tell the database; None reads no files.
pub fn build(model: &Model, entities: &Entities, root: Option<&Path>) -> Catalog {
    let mut collected = Collected::default();
    let mut django = super::django::State::default();
    let order = migration_order(model);
    for (position, &file) in order.iter().enumerate() {
        let file = model.file(file);
        if file.language == Language::Sql {
            let phase = if is_migration(file) {
                Phase::Migration
            } else {
                Phase::Snapshot
            };
            let at = FileOps {
                path: &file.path,
                origin: "sql",
                phase,
                position,
            };
            let ops = collected.sql_ops(&file.path, file.facts.sql.iter());
            collected.push_file(&at, ops);
            continue;
        }
        let Some((origin, phase)) = migration_source(file) else {
            continue;
        };
        let at = FileOps {
            path: &file.path,
            origin,
            phase,
            position,
        };
        match origin {
            "rails" => super::rails::file_ops(file, &at, &mut collected),
            "alembic" => super::alembic::file_ops(file, &at, &mut collected),
            "knex" => super::knex::file_ops(file, &at, &mut collected),
            "sequelize-migrations" => super::sequelize::file_ops(file, &at, &mut collected),
            "django-migrations" => {
                super::django::file_ops(file, &at, entities, &mut django, &mut collected)
            }
            _ => {}
        }
    }
    super::models::entity_ops(model, entities, &mut collected);
    collected.evidence.extend(config_evidence(model));
    if let Some(root) = root.filter(|r| r.is_dir()) {
        collected.evidence.extend(dialect::from_manifests(root));
    }
    // Migrations in file order; a stable sort keeps statement order.
    let mut idx: Vec<usize> = (0..collected.ops.len()).collect();
    idx.sort_by_key(|&i| collected.order[i]);
    let ops: Vec<SourcedOp> = idx.iter().map(|&i| collected.ops[i].clone()).collect();
    let phases: Vec<Phase> = idx.iter().map(|&i| collected.phases[i]).collect();
    let mut catalog = Catalog::default();
    catalog.apply_all(&ops, &phases);
    let (dialect, why) = dialect::decide(&collected.evidence);
    catalog.dialect = dialect;
    catalog.dialect_evidence = why;
    catalog
}

/// The schema-bearing files of the project (SQL files, Rails schema and
/// migrations, Alembic revisions...) in the order they apply: natural order
/// of their paths (`V2__` before `V10__`, timestamps in order), except that
/// Alembic revisions, whose file names are random, follow their
/// `down_revision` chain among the places they hold. Tests and down
/// migrations are left out.
pub fn migration_order(model: &Model) -> Vec<u32> {
    let mut files: Vec<u32> = (0..model.files.len() as u32)
        .filter(|&i| {
            let f = model.file(i);
            match f.language {
                Language::Sql => !is_down_migration(&f.path) && f.role != FileRole::Test,
                _ => migration_source(f).is_some(),
            }
        })
        .collect();
    files.sort_by(|&a, &b| natural_cmp(&model.file(a).path, &model.file(b).path));
    super::alembic::chain_order(model, &mut files);
    files
}

/// Whether a SQL file undoes a migration: `down.sql`, `1_x.down.sql`,
/// Flyway undo `U1__x.sql`.
pub fn is_down_migration(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "down.sql"
        || name.ends_with(".down.sql")
        || name.ends_with("_down.sql")
        || (name.starts_with('u')
            && name[1..].starts_with(|c: char| c.is_ascii_digit())
            && name.contains("__"))
}

/// Whether a file is a migration (applied once, in order) rather than a
/// schema snapshot such as `structure.sql` or `schema.sql`.
pub fn is_migration(file: &ParsedFile) -> bool {
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    file.role == FileRole::Migration
        || file.path.contains("migrations/")
        || (name.starts_with('V') && name.contains("__"))
        || name.starts_with(|c: char| c.is_ascii_digit())
}

/// Compare paths so that digit runs compare as numbers.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (p, q) = (trim_zeros(&x[..n]), trim_zeros(&y[..m]));
                let ord = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|c| **c == b'0').count();
    &digits[zeros.min(digits.len().saturating_sub(1))..]
}

/// What configuration in source files says: a Prisma datasource
/// `provider`, a Django `DATABASES` `ENGINE`.
fn config_evidence(model: &Model) -> Vec<Evidence> {
    let mut out = Vec::new();
    for file in &model.files {
        for a in file
            .facts
            .assigns
            .iter()
            .filter(|a| a.scope == AssignScope::Module)
        {
            let word = match (&a.target[..], &a.value) {
                ("datasource.provider", Some(ArgValue::Str(p))) => Some(p.as_str()),
                ("DATABASES", Some(value)) => django_engine(value),
                _ => None,
            };
            if let Some(word) = word {
                out.extend(evidence(
                    word,
                    format!("{}:{}: {} {word}", file.path, a.span.line, a.target),
                    1,
                ));
            }
        }
    }
    out
}

/// `{"default": {"ENGINE": "django.db.backends.postgresql", ...}}`.
fn django_engine(value: &ArgValue) -> Option<&str> {
    let default = map_get(value, "default")?;
    match map_get(default, "ENGINE")? {
        ArgValue::Str(engine) => Some(engine),
        _ => None,
    }
}

/// The dialect named by a word, as evidence of a rank.
pub fn evidence(word: &str, why: String, rank: u8) -> Option<Evidence> {
    Dialect::from_word(word).map(|dialect| Evidence { dialect, why, rank })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_migrations() {
        let mut v = vec![
            "db/V10__c.sql",
            "db/V2__b.sql",
            "db/V1__a.sql",
            "migrations/20240101_x/up.sql",
            "migrations/20231231_y/up.sql",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "db/V1__a.sql",
                "db/V2__b.sql",
                "db/V10__c.sql",
                "migrations/20231231_y/up.sql",
                "migrations/20240101_x/up.sql",
            ]
        );
        assert!(is_down_migration("migrations/2024_x/down.sql"));
        assert!(is_down_migration("migrations/1_init.down.sql"));
        assert!(is_down_migration("sql/U3__undo.sql"));
        assert!(!is_down_migration("migrations/1_init.up.sql"));
        assert!(!is_down_migration("sql/users.sql"));
    }
}
