//! SQLAlchemy declarative models: a class with `__tablename__ = "..."`, or a
//! Flask-SQLAlchemy model named by default (see [`Flask`]);
//! columns are class-level `Column(...)` / `mapped_column(...)`
//! assignments (the column name is the first string argument, else the
//! attribute), with `primary_key=True`, `unique=True`, `index=True` and a
//! `ForeignKey("table.column")` argument (a relation of kind
//! [`Loading::Key`]: reading it reads the key); `relationship("Target")` is
//! a relation (to-one when this class holds the foreign key, `uselist=False`
//! or a 2.x `Mapped["Target"]` annotation, many-to-many with `secondary=`,
//! else to-many), loaded as its `lazy=` says, with the reverse relation a
//! `backref=` declares on the target; `__table_args__` contributes
//! `Index(...)`, `UniqueConstraint(...)` and `PrimaryKeyConstraint(...)` (as
//! a unique key).

use super::naming::snake_case;
use super::values::{as_bool, as_str, kwarg, positional};
use super::{
    class_assigns, source, Entity, EntityIndex, Field, Loading, Orm, Relation, RelationKind,
};
use crate::facts::{ArgValue, Assign, AssignScope, Call, Class, FileFacts, Language};
use crate::model::Model;
use crate::model::ParsedFile;
use crate::schema::Source;
use std::collections::{HashMap, HashSet};

fn call_of<'a>(facts: &'a FileFacts, value: Option<&ArgValue>) -> Option<&'a Call> {
    match value? {
        ArgValue::Call(id) => facts.calls.get(*id as usize),
        _ => None,
    }
}

/// The class Flask-SQLAlchemy models derive from, as the extractor writes it
/// when `db = SQLAlchemy()` is in the same module.
const FLASK_MODEL: &str = "flask_sqlalchemy.SQLAlchemy().Model";

/// How many levels of project base classes are followed.
const MAX_BASES: usize = 8;

/// Flask-SQLAlchemy's model bases in a project. Its models need no
/// `__tablename__`: the table is named from the class (`OrderLine` →
/// `order_line`).
#[derive(Debug, Default)]
pub struct Flask {
    /// `db.Model` of each `db = SQLAlchemy()`, also as other modules import
    /// it (`app.ext.db.Model`).
    roots: HashSet<String>,
    /// Project classes deriving from one, and whether each is `__abstract__`.
    derived: HashMap<String, bool>,
}

impl Flask {
    /// Read the project's `SQLAlchemy()` instances and the classes deriving
    /// from their `Model`.
    pub fn new(model: &Model) -> Flask {
        let python = || {
            model
                .files
                .iter()
                .filter(|f| f.language == Language::Python)
        };
        let mut roots: HashSet<String> = HashSet::from([FLASK_MODEL.to_string()]);
        for file in python() {
            for a in &file.facts.assigns {
                let (AssignScope::Module, Some(name)) = (a.scope, a.resolved.as_deref()) else {
                    continue;
                };
                let instance = call_of(&file.facts, a.value.as_ref())
                    .is_some_and(|c| c.resolved.as_deref() == Some("flask_sqlalchemy.SQLAlchemy"));
                if instance {
                    roots.insert(format!("{name}.Model"));
                }
            }
        }
        let mut derived: HashMap<String, bool> = HashMap::new();
        for _ in 0..MAX_BASES {
            let before = derived.len();
            for file in python() {
                for class in &file.facts.classes {
                    let flask = class
                        .bases
                        .iter()
                        .any(|b| roots.contains(b) || derived.contains_key(b));
                    if flask && !derived.contains_key(&class.qname) {
                        let abstract_ = class_assigns(&file.facts, class).any(|a| {
                            a.target == "__abstract__"
                                && a.value.as_ref().and_then(as_bool) == Some(true)
                        });
                        derived.insert(class.qname.clone(), abstract_);
                    }
                }
            }
            if derived.len() == before {
                break;
            }
        }
        Flask { roots, derived }
    }

    /// The default table of a class without `__tablename__`: a model
    /// deriving from `db.Model` or an abstract project base, or (joined
    /// inheritance) from another model with a primary key of its own. A
    /// subclass without one shares its parent's table (single-table
    /// inheritance) and is not a model of its own here.
    fn table(&self, class: &Class, mine: &[&Assign], facts: &FileFacts) -> Option<String> {
        if self.derived.get(&class.qname) != Some(&false) {
            return None;
        }
        let from_root = class
            .bases
            .iter()
            .any(|b| self.roots.contains(b) || self.derived.get(b) == Some(&true));
        let own_key = mine.iter().any(|a| {
            call_of(facts, a.value.as_ref()).is_some_and(|c| {
                matches!(c.name.as_str(), "Column" | "mapped_column")
                    && kwarg(c, "primary_key").and_then(as_bool) == Some(true)
            })
        });
        (from_root || own_key).then(|| snake_case(&class.name))
    }
}

/// The SQLAlchemy models of one Python file.
pub fn entities(index: u32, file: &ParsedFile, flask: &Flask) -> Vec<Entity> {
    let facts = &file.facts;
    let mut out = Vec::new();
    for class in &facts.classes {
        let mine: Vec<&Assign> = class_assigns(facts, class).collect();
        let declared = mine
            .iter()
            .find(|a| a.target == "__tablename__")
            .and_then(|a| a.value.as_ref())
            .and_then(as_str)
            .map(str::to_lowercase);
        let Some(table) = declared.or_else(|| flask.table(class, &mine, facts)) else {
            continue;
        };
        let mut entity = Entity::of_class(Orm::SqlAlchemy, index, &file.path, class, table);
        for a in &mine {
            let Some(call) = call_of(facts, a.value.as_ref()) else {
                continue;
            };
            let src = source(&file.path, a.span);
            match call.name.as_str() {
                "Column" | "mapped_column" => {
                    let column = positional(call, 0)
                        .and_then(|v| match v {
                            ArgValue::Str(s) => Some(s.to_lowercase()),
                            _ => None,
                        })
                        .unwrap_or_else(|| a.target.to_lowercase());
                    let flag = |k| kwarg(call, k).and_then(as_bool) == Some(true);
                    let fk = call
                        .args
                        .iter()
                        .filter_map(|arg| call_of(facts, Some(&arg.value)))
                        .find(|c| c.name == "ForeignKey")
                        .and_then(|c| positional(c, 0))
                        .and_then(as_str)
                        .and_then(|target| target.split_once('.'))
                        .map(|(table, _)| table.to_lowercase());
                    if let Some(target_table) = fk {
                        entity.relations.push(Relation {
                            name: a.target.clone(),
                            kind: RelationKind::ToOne,
                            target: format!("{TABLE}{target_table}"),
                            target_index: None,
                            fk_column: Some(column.clone()),
                            fk_on_self: true,
                            related_name: None,
                            loading: Loading::Key,
                            source: src.clone(),
                        });
                    }
                    entity.fields.push(Field {
                        name: a.target.clone(),
                        column,
                        field_type: column_type(facts, call, a.annotation.as_deref())
                            .unwrap_or_else(|| call.name.clone()),
                        primary: flag("primary_key"),
                        unique: flag("unique"),
                        indexed: flag("index"),
                        source: src,
                    });
                }
                "relationship" => {
                    let (forward, reverse) = relationship(facts, call, a, &class.name, src);
                    entity.relations.push(forward);
                    entity.relations.extend(reverse);
                }
                _ => {}
            }
        }
        if let Some(ArgValue::List(items)) = mine
            .iter()
            .find(|a| a.target == "__table_args__")
            .and_then(|a| a.value.as_ref())
        {
            for item in items {
                let Some(call) = call_of(facts, Some(item)) else {
                    continue;
                };
                // A primary key is unique too: lookups on it are served.
                let unique = matches!(
                    call.name.as_str(),
                    "UniqueConstraint" | "PrimaryKeyConstraint"
                ) || kwarg(call, "unique").and_then(as_bool) == Some(true);
                if !(unique || call.name == "Index") {
                    continue;
                }
                let given: Vec<&ArgValue> = call
                    .args
                    .iter()
                    .filter(|a| a.keyword.is_none())
                    .map(|a| &a.value)
                    .collect();
                let strings = |values: &[&ArgValue]| -> Vec<String> {
                    values
                        .iter()
                        .filter_map(|v| as_str(v))
                        .map(str::to_lowercase)
                        .collect()
                };
                // `Index("name", "a", "b")`: the first argument is the name,
                // also when it is not a plain string (`f"ix_{__tablename__}_a"`).
                let (name, columns) = match call.name.as_str() {
                    "Index" => match given.split_first() {
                        Some((name, cols)) => (as_str(name).map(str::to_lowercase), strings(cols)),
                        None => continue,
                    },
                    _ => (
                        kwarg(call, "name").and_then(as_str).map(str::to_string),
                        strings(&given),
                    ),
                };
                if columns.is_empty() {
                    continue;
                }
                entity.indexes.push(EntityIndex {
                    name,
                    columns,
                    unique,
                    source: source(&file.path, call.span),
                });
            }
        }
        out.push(entity);
    }
    out
}

/// A `relationship(...)` assigned to `a` in class `class`, and the reverse
/// relation its `backref=` creates on the target (named with [`BACKREF`],
/// for [`resolve_tables`] to move there).
fn relationship(
    facts: &FileFacts,
    call: &Call,
    a: &Assign,
    class: &str,
    src: Source,
) -> (Relation, Option<Relation>) {
    let annotated = a.annotation.as_deref().and_then(mapped);
    let target = positional(call, 0)
        .and_then(as_str)
        .map(str::to_string)
        .or_else(|| annotated.as_ref().map(|m| m.target.clone()))
        .unwrap_or_default();
    let kind = if kwarg(call, "secondary").is_some() {
        RelationKind::ManyToMany
    } else {
        match (
            kwarg(call, "uselist").and_then(as_bool),
            &annotated,
            kwarg(call, "remote_side"),
        ) {
            (Some(false), _, _) => RelationKind::ToOne,
            (Some(true), _, _) => RelationKind::ToMany,
            (None, Some(m), _) if !m.many => RelationKind::ToOne,
            (None, Some(_), _) => RelationKind::ToMany,
            // A self-referential relationship is many-to-one only with
            // `remote_side`.
            (None, None, Some(_)) if target == class => RelationKind::ToOne,
            (None, None, _) => RelationKind::ToMany,
        }
    };
    let loading = match kwarg(call, "lazy") {
        Some(value) => strategy(value),
        None if annotated.as_ref().is_some_and(|m| m.query) => Loading::Query,
        None => Loading::Lazy,
    };
    let reverse = kwarg(call, "backref").and_then(|value| {
        let (name, options) = match value {
            ArgValue::Call(id) => {
                let backref = facts.calls.get(*id as usize)?;
                (positional(backref, 0).and_then(as_str)?, Some(backref))
            }
            other => (as_str(other)?, None),
        };
        let option = |k| options.and_then(|c| kwarg(c, k));
        Some(Relation {
            name: format!("{BACKREF}{name}"),
            kind: match (kind, option("uselist").and_then(as_bool)) {
                (RelationKind::ManyToMany, _) => RelationKind::ManyToMany,
                (_, Some(false)) => RelationKind::ToOne,
                _ => RelationKind::ToMany,
            },
            target: target.clone(),
            target_index: None,
            fk_column: None,
            fk_on_self: false,
            related_name: Some(a.target.clone()),
            loading: option("lazy").map_or(Loading::Lazy, strategy),
            source: src.clone(),
        })
    });
    let forward = Relation {
        name: a.target.clone(),
        kind,
        target,
        target_index: None,
        fk_column: None,
        fk_on_self: false,
        related_name: kwarg(call, "back_populates")
            .and_then(as_str)
            .map(str::to_string)
            .or_else(|| {
                reverse
                    .as_ref()
                    .map(|r| r.name[BACKREF.len()..].to_string())
            }),
        loading,
        source: src,
    };
    (forward, reverse)
}

/// A column's type as written: its type argument (`Column(Boolean)`,
/// `db.Column(db.String(50))` → `Boolean`, `String`), else the 2.x
/// annotation (`Mapped[Optional[bool]]` → `bool`).
fn column_type(facts: &FileFacts, call: &Call, annotation: Option<&str>) -> Option<String> {
    let last = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
    call.args
        .iter()
        .filter(|a| a.keyword.is_none())
        .find_map(|a| match &a.value {
            ArgValue::Path(p) => Some(last(p)),
            ArgValue::Call(id) => facts
                .calls
                .get(*id as usize)
                .filter(|c| {
                    !matches!(
                        c.name.as_str(),
                        "ForeignKey" | "Sequence" | "Identity" | "Computed"
                    )
                })
                .map(|c| c.name.clone()),
            _ => None,
        })
        .or_else(|| annotation.and_then(mapped).map(|m| m.target))
}

/// A relationship's `lazy=` loader strategy.
fn strategy(value: &ArgValue) -> Loading {
    match value {
        ArgValue::Null => Loading::Never,
        ArgValue::Str(s) => match s.as_str() {
            "select" => Loading::Lazy,
            "joined" | "selectin" | "subquery" | "immediate" => Loading::Eager,
            "raise" | "raise_on_sql" | "noload" => Loading::Never,
            "dynamic" | "write_only" => Loading::Query,
            _ => Loading::Unknown,
        },
        other => match as_bool(other) {
            Some(true) => Loading::Lazy,
            Some(false) => Loading::Eager,
            None => Loading::Unknown,
        },
    }
}

/// What a 2.x `Mapped[...]` annotation says about a relationship.
#[derive(Debug, PartialEq)]
struct Mapped {
    /// The target class (`Customer`).
    target: String,
    /// A collection (`Mapped[List["Item"]]`).
    many: bool,
    /// A query attribute (`DynamicMapped`, `WriteOnlyMapped`).
    query: bool,
}

/// Read `Mapped["Customer"]`, `Mapped[Optional["Customer"]]`,
/// `Mapped["Customer|None"]`, `so.Mapped[list["Item"]]`,
/// `WriteOnlyMapped["Item"]` (whitespace already removed).
fn mapped(annotation: &str) -> Option<Mapped> {
    let (outer, rest) = annotation.split_once('[')?;
    let inner = rest.strip_suffix(']')?;
    let query = match outer.rsplit('.').next()? {
        "Mapped" => false,
        "DynamicMapped" | "WriteOnlyMapped" => true,
        _ => return None,
    };
    let unquote = |t: &str| t.trim_matches(['"', '\'']).to_string();
    let mut inner = unquote(inner);
    let mut many = query;
    while let Some((wrapper, rest)) = inner.split_once('[') {
        let rest = rest.strip_suffix(']')?;
        match wrapper.rsplit('.').next()? {
            "List" | "list" | "Set" | "set" | "Sequence" | "Collection" | "FrozenSet"
            | "frozenset" => many = true,
            "Optional" => {}
            _ => return None,
        }
        inner = unquote(rest);
    }
    let target = inner.split('|').map(unquote).find(|t| t != "None")?;
    let target = target.rsplit('.').next()?.to_string();
    (!target.is_empty() && target.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(
        Mapped {
            target,
            many,
            query,
        },
    )
}

/// Prefix of a reverse relation a `backref=` declares on the target, while
/// it still sits on the declaring class; [`resolve_tables`] moves it.
const BACKREF: &str = "\u{1}backref:";

/// Prefix of a relation target given as a table name (`ForeignKey("users.id")`)
/// rather than a class; [`resolve_tables`] replaces it with the class.
const TABLE: &str = "\u{1}table:";

/// Name foreign-key targets by the class mapped to the table, give each
/// `relationship` its foreign-key column and side, and move each `backref=`
/// to the class it names.
pub fn resolve_tables(list: &mut [Entity]) {
    let by_table: std::collections::HashMap<String, String> = list
        .iter()
        .filter(|e| e.orm == Orm::SqlAlchemy)
        .map(|e| (e.table.clone(), e.name.clone()))
        .collect();
    for e in list.iter_mut().filter(|e| e.orm == Orm::SqlAlchemy) {
        for r in &mut e.relations {
            if let Some(table) = r.target.strip_prefix(TABLE) {
                r.target = by_table
                    .get(table)
                    .cloned()
                    .unwrap_or_else(|| table.to_string());
            }
        }
        // `relationship("User")` on a class holding a key to users: to-one
        // (on a self-referential one, only with `remote_side`).
        let keys: Vec<(String, Option<String>)> = e
            .relations
            .iter()
            .filter(|r| r.fk_on_self)
            .map(|r| (r.target.clone(), r.fk_column.clone()))
            .collect();
        let name = e.name.clone();
        let settled = |r: &Relation| {
            r.fk_on_self
                || r.name.starts_with(BACKREF)
                || r.kind == RelationKind::ManyToMany
                || (r.target == name && r.kind == RelationKind::ToMany)
        };
        for r in e.relations.iter_mut().filter(|r| !settled(r)) {
            if let Some((_, column)) = keys.iter().find(|(t, _)| *t == r.target) {
                r.kind = RelationKind::ToOne;
                r.fk_on_self = true;
                r.fk_column = column.clone();
            }
        }
    }
    move_backrefs(list);
    // `orders = relationship("Order")`: the key is `Order`'s key to us.
    let keys: Vec<(String, String, Option<String>)> = list
        .iter()
        .filter(|e| e.orm == Orm::SqlAlchemy)
        .flat_map(|e| {
            e.relations
                .iter()
                .filter(|r| r.fk_on_self)
                .map(|r| (e.name.clone(), r.target.clone(), r.fk_column.clone()))
        })
        .collect();
    for e in list.iter_mut().filter(|e| e.orm == Orm::SqlAlchemy) {
        for r in e
            .relations
            .iter_mut()
            .filter(|r| !r.fk_on_self && r.fk_column.is_none())
        {
            if let Some((_, _, column)) = keys
                .iter()
                .find(|(from, to, _)| *from == r.target && *to == e.name)
            {
                r.fk_column = column.clone();
            }
        }
    }
}

/// Move each `backref=` relation to the class it names, pointing back: the
/// reverse of a many-to-one is a collection (unless `uselist=False`), the
/// reverse of a collection a many-to-one on the key. A backref whose class
/// is not one model (or one in the declaring module), or that already
/// declares the name, is dropped.
fn move_backrefs(list: &mut [Entity]) {
    let mut moved = Vec::new();
    for (ei, e) in list.iter_mut().enumerate() {
        if e.orm != Orm::SqlAlchemy {
            continue;
        }
        let (backrefs, own): (Vec<Relation>, Vec<Relation>) = std::mem::take(&mut e.relations)
            .into_iter()
            .partition(|r| r.name.starts_with(BACKREF));
        e.relations = own;
        for mut r in backrefs {
            let forward = e
                .relations
                .iter()
                .find(|f| Some(&f.name) == r.related_name.as_ref());
            let Some(forward) = forward else { continue };
            r.name = r.name[BACKREF.len()..].to_string();
            if r.kind == RelationKind::ToMany && forward.kind == RelationKind::ToMany {
                r.kind = RelationKind::ToOne;
                r.fk_on_self = true;
            }
            if forward.fk_on_self || r.fk_on_self {
                r.fk_column = forward.fk_column.clone();
            }
            moved.push((ei, r));
        }
    }
    for (from, r) in moved {
        let short = r.target.rsplit('.').next().unwrap_or(&r.target).to_string();
        let module = |i: usize| list[i].qname.rsplit_once('.').map(|p| p.0);
        let targets: Vec<usize> = (0..list.len())
            .filter(|&i| list[i].orm == Orm::SqlAlchemy && list[i].name == short)
            .collect();
        // Several classes of that name: the one in the declaring module.
        let same: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|&i| module(i) == module(from))
            .collect();
        let (([to], _) | (_, [to])) = (targets.as_slice(), same.as_slice()) else {
            continue;
        };
        if list[*to].relation(&r.name).is_some() {
            continue;
        }
        let target = list[from].name.clone();
        let fk_column = r.fk_column.clone().or_else(|| {
            list[*to]
                .relations
                .iter()
                .find(|k| r.fk_on_self && k.loading == Loading::Key && k.target == target)
                .and_then(|k| k.fk_column.clone())
        });
        list[*to].relations.push(Relation {
            target,
            fk_column,
            ..r
        });
    }
}
