//! ORM entities: which classes are database models, the table each maps
//! to, their fields and relations. Shared by the schema catalog (models
//! are a schema source) and the N+1 family (which relation does
//! `order.customer` load?).
//!
//! Read from facts only ([`entities`]): Django models (`models.Model`
//! subclasses, fields as class-level assignments, `class Meta`), Rails
//! `ActiveRecord` models (`belongs_to`/`has_many`/`has_one`/
//! `has_and_belongs_to_many` calls in the class body, `self.table_name`),
//! Each ORM's naming rule
//! lives in its module; the shared inflection is in [`naming`].

pub(crate) mod django;
pub mod naming;
mod prisma;
mod rails;
mod sequelize;
mod sqlalchemy;
mod typeorm;

pub use rails::default_table;
pub mod values;

use crate::model::Model;
use crate::schema::Source;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Which ORM declares an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Orm {
    /// Django (`django.db.models.Model`).
    Django,
    /// Rails ActiveRecord.
    Rails,
    /// Prisma (`schema.prisma` models).
    Prisma,
    /// SQLAlchemy declarative models (`__tablename__`).
    SqlAlchemy,
    /// TypeORM entities (`@Entity` classes).
    TypeOrm,
    /// Sequelize models (`sequelize.define`, `Model.init`).
    Sequelize,
}

impl Orm {
    /// Lower-case name, as in the schema catalog's `origin`.
    pub fn name(self) -> &'static str {
        match self {
            Orm::Django => "django",
            Orm::Rails => "rails",
            Orm::Prisma => "prisma",
            Orm::SqlAlchemy => "sqlalchemy",
            Orm::TypeOrm => "typeorm",
            Orm::Sequelize => "sequelize",
        }
    }
}

/// How many rows a relation reaches from one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// One row: a foreign key on this entity (`belongs_to`, `ForeignKey`),
    /// or a one-to-one on either side (`has_one`, `OneToOneField`).
    ToOne,
    /// Many rows holding a foreign key to this entity (`has_many`, a
    /// reverse `ForeignKey`).
    ToMany,
    /// Many rows through a join table (`ManyToManyField`,
    /// `has_and_belongs_to_many`, `has_many through:`).
    ManyToMany,
}

/// How reading a relation's attribute on a loaded row gets the related rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Loading {
    /// On first read, with a query of its own: the default of Django, Rails
    /// and SQLAlchemy (`lazy="select"`).
    Lazy,
    /// With the row, as the relation declares (SQLAlchemy `lazy="joined"`,
    /// `"selectin"`, `"subquery"`, `"immediate"`).
    Eager,
    /// Never: reading raises or gives nothing (SQLAlchemy `lazy="raise"`,
    /// `"raise_on_sql"`, `"noload"`).
    Never,
    /// The attribute is a query, run each time it is evaluated (SQLAlchemy
    /// `lazy="dynamic"`, `"write_only"`, `DynamicMapped`, `WriteOnlyMapped`).
    Query,
    /// Not an attribute that loads rows: the foreign-key column itself
    /// (SQLAlchemy `customer_id = Column(ForeignKey("customers.id"))`).
    Key,
    /// Declared in a way not read (`lazy=LAZY_MODE`).
    Unknown,
}

/// A field (a column) of an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Attribute name (`customer`).
    pub name: String,
    /// Column name (`customer_id`).
    pub column: String,
    /// The ORM's field type as written (`CharField`, `ForeignKey`, `String`).
    pub field_type: String,
    /// The primary key.
    pub primary: bool,
    /// Declared unique.
    pub unique: bool,
    /// Declared indexed (`db_index=True`), or indexed by the ORM's default
    /// (Django foreign keys).
    pub indexed: bool,
    /// Where it is declared.
    pub source: Source,
}

/// A relation from one entity to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relation {
    /// Attribute name (`customer`, `orders`, `comment_set`).
    pub name: String,
    /// How many rows it reaches.
    pub kind: RelationKind,
    /// The target entity's class name as written (`Customer`); see
    /// [`Relation::target_index`] for the resolved entity.
    pub target: String,
    /// Index of the target in [`Entities::list`], when it is known.
    pub target_index: Option<usize>,
    /// The foreign-key column: on this entity's table for `ToOne` from a
    /// `belongs_to`/`ForeignKey`, on the target's table for `ToMany` and
    /// `has_one`.
    pub fk_column: Option<String>,
    /// Whether the foreign key lives on this entity's table.
    pub fk_on_self: bool,
    /// The reverse accessor's name on the target, when declared (Django
    /// `related_name`, SQLAlchemy `back_populates`/`backref`; `+` suffix: no
    /// reverse accessor).
    pub related_name: Option<String>,
    /// How reading it loads the related rows.
    pub loading: Loading,
    /// Where it is declared.
    pub source: Source,
}

/// An index an entity declares beyond its fields' own flags
/// (`Meta.indexes`, `unique_together`, `@@index`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityIndex {
    /// Its name, when given.
    pub name: Option<String>,
    /// Columns in order (Django `-created_at` is `created_at`).
    pub columns: Vec<String>,
    /// Unique.
    pub unique: bool,
    /// Where it is declared.
    pub source: Source,
}

/// A model class (or Prisma model).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Which ORM.
    pub orm: Orm,
    /// Class name (`Order`).
    pub name: String,
    /// Qualified class name (`shop.models.Order`).
    pub qname: String,
    /// The table it maps to (lower-case).
    pub table: String,
    /// No table of its own (Django `abstract = True`).
    pub is_abstract: bool,
    /// The table is not the application's to define (Django `managed =
    /// False`: a database view or another system's table); its indexes
    /// are unknown.
    pub unmanaged: bool,
    /// A Rails single-table-inheritance subclass (`class Admin < User`
    /// sharing `users`): every query on it also filters `type`.
    pub sti: bool,
    /// Fields, in order (Rails models declare none: see the schema).
    pub fields: Vec<Field>,
    /// Relations, forward and reverse.
    pub relations: Vec<Relation>,
    /// Indexes declared on the model as a whole.
    pub indexes: Vec<EntityIndex>,
    /// Index into [`Model::files`] of the declaring file.
    pub file: u32,
    /// Where the class is declared.
    pub source: Source,
}

impl Entity {
    /// A model declared by `class` in file `file` (at `path`), mapped to
    /// `table`, before its fields, relations and indexes are read.
    pub fn of_class(
        orm: Orm,
        file: u32,
        path: &str,
        class: &crate::facts::Class,
        table: String,
    ) -> Entity {
        let mut entity = Entity::named(orm, &class.name, table, source(path, class.span));
        entity.qname = class.qname.clone();
        entity.file = file;
        entity
    }

    /// A model known by name only (a migration's `CreateModel`), mapped to
    /// `table`, before its fields, relations and indexes are read.
    pub fn named(orm: Orm, name: &str, table: String, source: Source) -> Entity {
        Entity {
            orm,
            name: name.to_string(),
            qname: name.to_string(),
            table,
            is_abstract: false,
            unmanaged: false,
            sti: false,
            fields: Vec::new(),
            relations: Vec::new(),
            indexes: Vec::new(),
            file: 0,
            source,
        }
    }

    /// The field with this attribute name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The relation with this attribute name.
    pub fn relation(&self, name: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// The relation whose attribute `name` reaches the related rows (not a
    /// foreign-key column standing for one).
    pub fn related(&self, name: &str) -> Option<&Relation> {
        self.relations
            .iter()
            .find(|r| r.name == name && r.loading != Loading::Key)
    }
}

/// All entities of a project.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Entities {
    /// Every entity, in file order.
    pub list: Vec<Entity>,
    #[serde(skip)]
    by_qname: FxHashMap<String, usize>,
    #[serde(skip)]
    by_name: FxHashMap<String, Vec<usize>>,
}

impl Entities {
    fn new(list: Vec<Entity>) -> Entities {
        let mut e = Entities {
            list,
            ..Entities::default()
        };
        for (i, entity) in e.list.iter().enumerate() {
            e.by_qname.insert(entity.qname.clone(), i);
            e.by_name.entry(entity.name.clone()).or_default().push(i);
        }
        e
    }

    /// The entity declared by the class with this qualified name.
    pub fn by_qname(&self, qname: &str) -> Option<&Entity> {
        self.index_of_qname(qname).map(|i| &self.list[i])
    }

    /// The index in [`Entities::list`] of the entity with this qualified name.
    pub fn index_of_qname(&self, qname: &str) -> Option<usize> {
        self.by_qname.get(qname).copied()
    }

    /// The index of the entity with this class name, when exactly one has it.
    pub fn index_of_name(&self, name: &str) -> Option<usize> {
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// The entity with this class name, when exactly one has it.
    pub fn by_name(&self, name: &str) -> Option<&Entity> {
        self.index_of_name(name).map(|i| &self.list[i])
    }

    /// The entities mapped to a table.
    pub fn by_table<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Entity> {
        self.list.iter().filter(move |e| e.table == table)
    }

    /// The entity a relation points to.
    pub fn target(&self, relation: &Relation) -> Option<&Entity> {
        relation.target_index.map(|i| &self.list[i])
    }

    /// Resolve `target` names to entities: the qualified name, else the
    /// unique class name, else the class name in the same ORM and module.
    fn link(&mut self) {
        let mut resolved = Vec::new();
        for (ei, entity) in self.list.iter().enumerate() {
            for (ri, rel) in entity.relations.iter().enumerate() {
                let short = rel.target.rsplit('.').next().unwrap_or(&rel.target);
                let found = self.by_qname.get(&rel.target).copied().or_else(|| {
                    let same: Vec<usize> = self
                        .by_name
                        .get(short)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|&i| self.list[i].orm == entity.orm)
                        .collect();
                    match same.as_slice() {
                        [one] => Some(*one),
                        _ => same.iter().copied().find(|&i| {
                            self.list[i].qname.rsplit_once('.').map(|p| p.0)
                                == entity.qname.rsplit_once('.').map(|p| p.0)
                        }),
                    }
                });
                resolved.push((ei, ri, found));
            }
        }
        for (ei, ri, found) in resolved {
            self.list[ei].relations[ri].target_index = found;
        }
    }
}

/// Every entity the project declares.
pub fn entities(model: &Model) -> Entities {
    let flask = sqlalchemy::Flask::new(model);
    let mut list = Vec::new();
    for (index, file) in model.files.iter().enumerate() {
        let index = index as u32;
        match file.language.family() {
            "python" => {
                list.extend(django::entities(index, file));
                list.extend(sqlalchemy::entities(index, file, &flask));
            }
            "ruby" => list.extend(rails::entities(index, file)),
            "prisma" => list.extend(prisma::entities(index, file)),
            "javascript" => {
                list.extend(typeorm::entities(index, file));
                list.extend(sequelize::entities(index, file));
            }
            _ => {}
        }
    }
    django::inherit(&mut list);
    sqlalchemy::resolve_tables(&mut list);
    rails::inherit(&mut list);
    let mut entities = Entities::new(list);
    entities.link();
    django::add_reverse_relations(&mut entities.list);
    entities.link();
    entities
}

/// The class-level assignments written in the body of `class`.
fn class_assigns<'a>(
    facts: &'a crate::facts::FileFacts,
    class: &'a crate::facts::Class,
) -> impl Iterator<Item = &'a crate::facts::Assign> {
    facts.assigns.iter().filter(move |a| {
        a.scope == crate::facts::AssignScope::Class
            && a.class.as_deref() == Some(class.name.as_str())
            && class.span.start <= a.span.start
            && a.span.end <= class.span.end
    })
}

/// The source of a span in a file.
fn source(path: &str, span: crate::facts::Span) -> Source {
    Source::new(path, span)
}

#[cfg(test)]
mod tests;
