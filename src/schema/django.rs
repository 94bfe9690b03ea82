//! Django migrations as a schema source, read from the Python call facts of
//! `<app>/migrations/NNNN_*.py` (calls resolving to `django.db.migrations.*`
//! or `django.contrib.postgres.operations.*`): `CreateModel` (fields read
//! as the models reader reads them, so `ForeignKey` gets its default index;
//! `options` with `db_table`, `indexes`, `constraints`, `unique_together`,
//! `index_together`), `DeleteModel`, `RenameModel`, `AlterModelTable`,
//! `AddField`, `RemoveField`, `AlterField`, `RenameField`, `AddIndex`,
//! `AddIndexConcurrently`, `RemoveIndex`, `RemoveIndexConcurrently`,
//! `RenameIndex`, `AddConstraint`, `RemoveConstraint`,
//! `AlterUniqueTogether`, `AlterIndexTogether`, and `RunSQL` DDL (not its
//! `reverse_sql`).
//!
//! Migrations apply in path order (`0002` after `0001` within an app; the
//! `dependencies` graph is not read). Models are read as well and replace
//! their tables, keeping the indexes these migrations built on columns the
//! model still has: an index added only in a migration (`AddIndexConcurrently`,
//! `RunSQL("CREATE INDEX ...")`) counts.

use super::build::{Collected, FileOps};
use super::models::{field_ops, foreign_key_op, table_ops};
use super::{normalize_name, Index, IndexKind, Key, Op, Source};
use crate::facts::{ArgValue, Call, FileFacts, Span};
use crate::model::ParsedFile;
use crate::orm::django::{field_of_call, meta_value, value_call, MetaOption};
use crate::orm::values::{as_str, kwarg, positional, str_groups, str_list};
use crate::orm::{Entities, Entity, Orm, Relation};
use std::collections::HashMap;

/// The models the migrations built so far, by `app.model` (lower-case).
#[derive(Default)]
pub struct State {
    models: HashMap<String, Entity>,
}

/// Whether a call is a migration operation: written in a class body (a
/// migration's `operations = [...]`), not in a function (a test that
/// builds operations, a `RunPython` helper).
fn operation(call: &Call) -> bool {
    call.function.is_none()
        && call.resolved.as_deref().is_some_and(|r| {
            r.starts_with("django.db.migrations.")
                || r.starts_with("django.contrib.postgres.operations.")
        })
}

/// Whether a Python file is a Django migration.
pub fn is_migration(facts: &FileFacts) -> bool {
    facts
        .calls
        .iter()
        .any(|c| operation(c) && c.name != "Migration")
}

/// The app of a migration: the directory holding `migrations/`.
fn app_label(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    parts
        .iter()
        .rposition(|p| *p == "migrations")
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| parts.get(i))
        .map_or_else(|| "app".to_string(), |p| p.to_string())
}

/// The table of a model a migration at `path` names (`Order`,
/// `shop.Order`): the table of that app's model class (its `db_table`),
/// else Django's default `<app>_<model>`.
pub fn model_table(path: &str, model: &str, entities: &Entities) -> String {
    let model = model.to_lowercase();
    let (app, name) = match model.split_once('.') {
        Some((app, name)) => (app.to_string(), name.to_string()),
        None => (app_label(path), model.clone()),
    };
    let in_app =
        |qname: &str| qname.starts_with(&format!("{app}.")) || qname.contains(&format!(".{app}."));
    entities
        .list
        .iter()
        .find(|e| e.orm == Orm::Django && e.name.to_lowercase() == name && in_app(&e.qname))
        .map_or_else(|| format!("{app}_{name}"), |e| e.table.clone())
}

/// A keyword argument as text.
fn text<'a>(call: &'a Call, key: &str) -> Option<&'a str> {
    kwarg(call, key).and_then(as_str)
}

/// The ops of one migration file.
pub fn file_ops(
    file: &ParsedFile,
    at: &FileOps,
    entities: &Entities,
    state: &mut State,
    out: &mut Collected,
) {
    let facts = &file.facts;
    let app = app_label(&file.path);
    let mut ops: Vec<(Span, Op)> = Vec::new();
    let mut sql_texts = Vec::new();
    for call in facts.calls.iter().filter(|c| operation(c)) {
        if call.name == "RunSQL" {
            sql_texts.extend(run_sql_texts(facts, call));
            continue;
        }
        let mut reader = Reader {
            facts,
            path: &file.path,
            app: &app,
            entities,
            state: &mut *state,
            call,
            ops: &mut ops,
        };
        reader.operation();
    }
    ops.extend(out.sql_ops(at.path, sql_texts.into_iter()));
    out.push_file(at, ops);
}

/// The SQL texts a `RunSQL` runs forwards: the strings of its first
/// argument (`sql=`), not those of `reverse_sql`.
fn run_sql_texts<'a>(facts: &'a FileFacts, call: &Call) -> Vec<&'a crate::facts::SqlText> {
    let forward = positional(call, 0).or_else(|| kwarg(call, "sql"));
    let wanted: Vec<String> = forward.map(str_list).unwrap_or_default();
    let prefix = |s: &str| s.trim().chars().take(60).collect::<String>();
    facts
        .sql
        .iter()
        .filter(|s| call.span.start <= s.span.start && s.span.end <= call.span.end)
        .filter(|s| wanted.iter().any(|w| prefix(w) == prefix(&s.text)))
        .collect()
}

/// Reads one operation.
struct Reader<'a> {
    facts: &'a FileFacts,
    path: &'a str,
    app: &'a str,
    entities: &'a Entities,
    state: &'a mut State,
    call: &'a Call,
    ops: &'a mut Vec<(Span, Op)>,
}

impl Reader<'_> {
    fn push(&mut self, op: Op) {
        self.ops.push((self.call.span, op));
    }

    /// `app.model` of a model name (`Order`, `shop.Order`).
    fn key(&self, model: &str) -> String {
        let model = model.to_lowercase();
        if model.contains('.') {
            model
        } else {
            format!("{}.{model}", self.app)
        }
    }

    /// The table of a model: as migrated so far, else as [`model_table`].
    fn table(&self, model: &str) -> String {
        match self.state.models.get(&self.key(model)) {
            Some(e) => e.table.clone(),
            None => model_table(self.path, model, self.entities),
        }
    }

    /// The table a relation points to (`to="shop.customer"` → `shop_customer`).
    fn target(&self, rel: &Relation) -> Option<String> {
        let name = rel.target.to_lowercase();
        let by_state = self
            .state
            .models
            .iter()
            .find(|(k, _)| k.rsplit('.').next() == Some(name.as_str()))
            .map(|(_, e)| e.table.clone());
        by_state.or_else(|| {
            self.entities
                .list
                .iter()
                .find(|e| e.orm == Orm::Django && e.name.to_lowercase() == name)
                .map(|e| e.table.clone())
        })
    }

    /// The migrated model `model_name` names, created empty when unknown
    /// (its `CreateModel` was squashed away or lives in another app).
    fn model(&mut self, model: &str) -> &mut Entity {
        let key = self.key(model);
        let table = self.table(model);
        let source = Source::new(self.path, self.call.span);
        self.state
            .models
            .entry(key)
            .or_insert_with(|| Entity::named(Orm::Django, model, table, source))
    }

    /// The column of a field of a model (`customer` → `customer_id`).
    fn column(&self, model: &str, field: &str) -> String {
        let field = field.trim_start_matches('-');
        let known = self
            .state
            .models
            .get(&self.key(model))
            .and_then(|e| e.field(field).map(|f| f.column.clone()));
        let modelled = || {
            let table = self.table(model);
            let column = self
                .entities
                .by_table(&table)
                .find_map(|e| e.field(field).map(|f| f.column.clone()));
            column
        };
        known
            .or_else(modelled)
            .unwrap_or_else(|| field.to_string())
            .to_lowercase()
    }

    /// `models.Index(fields=[..], name=, condition=)` or
    /// `models.UniqueConstraint(fields=[..], name=)` on a model.
    fn index(&self, model: &str, value: Option<&ArgValue>) -> Option<Index> {
        let call = value_call(self.facts, value)?;
        let fields = str_list(kwarg(call, "fields")?);
        if fields.is_empty() {
            return None;
        }
        let method = match call.name.as_str() {
            "Index" | "UniqueConstraint" | "BTreeIndex" => None,
            other => Some(other.trim_end_matches("Index").to_lowercase()),
        };
        Some(Index {
            name: text(call, "name").map(str::to_string),
            keys: fields
                .iter()
                .map(|f| Key::Column(self.column(model, f)))
                .collect(),
            kind: if call.name == "UniqueConstraint" {
                IndexKind::Unique
            } else {
                IndexKind::Plain
            },
            partial: kwarg(call, "condition").map(|_| "(condition)".to_string()),
            method,
            source: Source::new(self.path, call.span),
        })
    }

    fn operation(&mut self) {
        let call = self.call;
        let model = text(call, "model_name")
            .or_else(|| text(call, "name"))
            .or_else(|| text(call, "old_name"))
            .or_else(|| positional(call, 0).and_then(as_str))
            .unwrap_or("")
            .to_string();
        if model.is_empty() {
            return;
        }
        match call.name.as_str() {
            "CreateModel" => self.create_model(&model),
            "DeleteModel" => {
                let table = self.table(&model);
                self.state.models.remove(&self.key(&model));
                self.push(Op::DropTable { table });
            }
            "RenameModel" => {
                let (Some(old), Some(new)) = (text(call, "old_name"), text(call, "new_name"))
                else {
                    return;
                };
                let from = self.table(old);
                if let Some(mut e) = self.state.models.remove(&self.key(old)) {
                    if e.table == format!("{}_{}", self.app, old.to_lowercase()) {
                        e.table = format!("{}_{}", self.app, new.to_lowercase());
                    }
                    let to = e.table.clone();
                    self.state.models.insert(self.key(new), e);
                    if to != from {
                        self.push(Op::RenameTable { from, to });
                    }
                }
            }
            "AlterModelTable" => {
                if let Some(to) = text(call, "table") {
                    let from = self.table(&model);
                    let to = normalize_name(to);
                    self.model(&model).table = to.clone();
                    self.push(Op::RenameTable { from, to });
                }
            }
            "AddField" | "AlterField" => self.add_field(&model),
            "RemoveField" => {
                if let Some(name) = text(call, "name") {
                    let column = self.column(&model, name);
                    let table = self.table(&model);
                    self.model(&model).fields.retain(|f| f.name != name);
                    self.push(Op::DropColumn { table, column });
                }
            }
            "RenameField" => {
                let (Some(old), Some(new)) = (text(call, "old_name"), text(call, "new_name"))
                else {
                    return;
                };
                let from = self.column(&model, old);
                let to = if from == format!("{}_id", old.to_lowercase()) {
                    format!("{}_id", new.to_lowercase())
                } else if from == old.to_lowercase() {
                    new.to_lowercase()
                } else {
                    from.clone()
                };
                let table = self.table(&model);
                for f in self
                    .model(&model)
                    .fields
                    .iter_mut()
                    .filter(|f| f.name == old)
                {
                    f.name = new.to_string();
                    f.column = to.clone();
                }
                if to != from {
                    self.push(Op::RenameColumn { table, from, to });
                }
            }
            "AddIndex" | "AddIndexConcurrently" | "AddConstraint" => {
                let value = kwarg(call, "index").or_else(|| kwarg(call, "constraint"));
                if let Some(index) = self.index(&model, value) {
                    let table = self.table(&model);
                    self.push(Op::AddIndex { table, index });
                }
            }
            "RemoveIndex" | "RemoveIndexConcurrently" | "RemoveConstraint" => {
                if let Some(name) = text(call, "name") {
                    let table = self.table(&model);
                    self.push(Op::DropIndex {
                        table: Some(table),
                        name: name.to_string(),
                    });
                }
            }
            "RenameIndex" => {
                if let (Some(from), Some(to)) = (text(call, "old_name"), text(call, "new_name")) {
                    self.push(Op::RenameIndex {
                        from: from.to_string(),
                        to: to.to_string(),
                    });
                }
            }
            "AlterUniqueTogether" | "AlterIndexTogether" => {
                let key = if call.name == "AlterUniqueTogether" {
                    "unique_together"
                } else {
                    "index_together"
                };
                let table = self.table(&model);
                for group in kwarg(call, key).map(str_groups).unwrap_or_default() {
                    let keys = group
                        .iter()
                        .map(|f| Key::Column(self.column(&model, f)))
                        .collect();
                    self.push(Op::AddIndex {
                        table: table.clone(),
                        index: Index {
                            name: None,
                            keys,
                            kind: if key == "unique_together" {
                                IndexKind::Unique
                            } else {
                                IndexKind::Plain
                            },
                            partial: None,
                            method: None,
                            source: Source::new(self.path, call.span),
                        },
                    });
                }
            }
            _ => {}
        }
    }

    /// `CreateModel(name=, fields=[(name, field), ..], options={..})`.
    fn create_model(&mut self, model: &str) {
        let call = self.call;
        let at = Source::new(self.path, call.span);
        let mut entity = Entity::named(Orm::Django, model, String::new(), at.clone());
        if let Some(ArgValue::List(fields)) = kwarg(call, "fields").or_else(|| positional(call, 1))
        {
            for pair in fields {
                let ArgValue::List(pair) = pair else {
                    continue;
                };
                let (Some(name), Some(field)) = (
                    pair.first().and_then(as_str),
                    value_call(self.facts, pair.get(1)),
                ) else {
                    continue;
                };
                field_of_call(name, field, Source::new(self.path, field.span), &mut entity);
            }
        }
        let mut app = self.app.to_string();
        let mut db_table = None;
        if let Some(ArgValue::Map(options)) = kwarg(call, "options") {
            for (key, value) in options {
                let option = MetaOption {
                    key,
                    value,
                    at: at.clone(),
                };
                meta_value(
                    self.facts,
                    &option,
                    self.path,
                    &mut entity,
                    &mut app,
                    &mut db_table,
                );
            }
        }
        entity.table = db_table.unwrap_or_else(|| format!("{app}_{}", model.to_lowercase()));
        if !entity.fields.iter().any(|f| f.primary) {
            field_of_call("id", &auto_field(call), at, &mut entity);
        }
        // A proxy model has no table of its own; an unmanaged one (a view,
        // another system's table) says nothing about indexes.
        let proxy = matches!(kwarg(call, "options"), Some(o @ ArgValue::Map(_))
            if crate::orm::values::map_get(o, "proxy").and_then(crate::orm::values::as_bool) == Some(true));
        if proxy {
            return;
        }
        if !entity.unmanaged {
            let mut ops = Vec::new();
            table_ops(&entity, &|rel| self.target(rel), &mut |op, source| {
                ops.push((source.span, op));
            });
            self.ops.extend(ops);
        }
        self.state.models.insert(self.key(model), entity);
    }

    /// `AddField`/`AlterField(model_name=, name=, field=)`: the column, its
    /// index and foreign key. An altered field first loses the index its
    /// old flags made.
    fn add_field(&mut self, model: &str) {
        let call = self.call;
        let (Some(name), Some(field)) = (
            text(call, "name"),
            value_call(self.facts, kwarg(call, "field")),
        ) else {
            return;
        };
        let table = self.table(model);
        if call.name == "AlterField" {
            let column = self.column(model, name);
            self.push(Op::DropIndexOn {
                table: table.clone(),
                columns: vec![column],
            });
        }
        let mut scratch =
            Entity::named(Orm::Django, model, table, Source::new(self.path, call.span));
        field_of_call(
            name,
            field,
            Source::new(self.path, field.span),
            &mut scratch,
        );
        let mut ops = Vec::new();
        for f in &scratch.fields {
            field_ops(&scratch, f, &mut |op, source| ops.push((source.span, op)));
        }
        for rel in scratch.relations.iter().filter(|r| r.fk_on_self) {
            if let Some(op) = foreign_key_op(&scratch, rel, &|r| self.target(r)) {
                ops.push((rel.source.span, op));
            }
        }
        self.ops.extend(ops);
        let state = self.model(model);
        state.fields.retain(|f| f.name != name);
        state.fields.extend(scratch.fields);
        state.relations.retain(|r| r.name != name);
        state.relations.extend(scratch.relations);
    }
}

/// The implicit `id = models.AutoField(primary_key=True)` of a model that
/// declares no primary key, placed at its `CreateModel`.
fn auto_field(at: &Call) -> Call {
    Call {
        callee: "models.AutoField".into(),
        resolved: None,
        name: "AutoField".into(),
        span: at.span,
        function: at.function,
        loops: Vec::new(),
        awaited: false,
        args: vec![crate::facts::Arg {
            keyword: Some("primary_key".into()),
            value: ArgValue::Bool(true),
        }],
    }
}
