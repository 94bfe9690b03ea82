//! ORM model definitions as a schema source: each entity with fields
//! (Django, Prisma) is a snapshot of its table — its columns, its primary
//! key, unique and indexed fields (Django's default foreign-key index
//! included), model-level indexes, and foreign keys to its relations'
//! tables. Rails models declare no columns; their tables come from
//! `db/schema.rb` and migrations. Unmanaged Django models (`managed =
//! False`: views, other systems' tables) say nothing about indexes and are
//! left out.

use super::build::Collected;
use super::{Column, ForeignKey, Index, IndexKind, Key, Op, Phase, Source, SourcedOp};
use crate::classify::FileRole;
use crate::model::Model;
use crate::orm::{Entities, Entity, Field, Relation, RelationKind};

/// Add the ops of every entity that declares fields. A model declared in a
/// migration (a data migration's snapshot with the few columns it touches)
/// is not the table's schema.
pub fn entity_ops(model: &Model, entities: &Entities, out: &mut Collected) {
    for entity in entities.list.iter().filter(|e| {
        !e.is_abstract
            && !e.unmanaged
            && !e.fields.is_empty()
            && model.file(e.file).role != FileRole::Migration
    }) {
        let target = |rel: &Relation| entities.target(rel).map(|t| t.table.clone());
        table_ops(entity, &target, &mut |op, source| {
            out.push(
                SourcedOp {
                    op,
                    source: source.clone(),
                    origin: entity.orm.name(),
                },
                Phase::Snapshot,
                usize::MAX,
            )
        });
    }
}

/// The ops that build one entity's table: the table, each field's column
/// and index, the model's indexes, and a foreign key per to-one relation
/// whose table `target` knows. Each op comes with the place of its fact.
pub fn table_ops(
    entity: &Entity,
    target: &dyn Fn(&Relation) -> Option<String>,
    push: &mut dyn FnMut(Op, &Source),
) {
    let table = entity.table.clone();
    push(
        Op::CreateTable {
            table: table.clone(),
            if_not_exists: false,
        },
        &entity.source,
    );
    for field in &entity.fields {
        field_ops(entity, field, push);
    }
    for index in &entity.indexes {
        let keys = index
            .columns
            .iter()
            .map(|c| Key::Column(column_of(entity, c)))
            .collect();
        push(
            Op::AddIndex {
                table: table.clone(),
                index: Index {
                    name: index.name.clone(),
                    keys,
                    kind: if index.unique {
                        IndexKind::Unique
                    } else {
                        IndexKind::Plain
                    },
                    partial: None,
                    method: None,
                    source: index.source.clone(),
                },
            },
            &index.source,
        );
    }
    for rel in entity
        .relations
        .iter()
        .filter(|r| r.fk_on_self && r.kind == RelationKind::ToOne)
    {
        if let Some(op) = foreign_key_op(entity, rel, target) {
            push(op, &rel.source);
        }
    }
}

/// A to-one relation's foreign key, when its target's table is known.
pub fn foreign_key_op(
    entity: &Entity,
    rel: &Relation,
    target: &dyn Fn(&Relation) -> Option<String>,
) -> Option<Op> {
    let column = rel.fk_column.as_ref()?;
    Some(Op::AddForeignKey {
        table: entity.table.clone(),
        key: ForeignKey {
            name: None,
            columns: column.split(',').map(|c| c.trim().to_lowercase()).collect(),
            references: target(rel)?,
            ref_columns: Vec::new(),
            source: rel.source.clone(),
        },
    })
}

/// One field's column and the index its flags make: primary key, unique,
/// Django's default foreign-key index, `db_index`/`index`.
pub fn field_ops(entity: &Entity, field: &Field, push: &mut dyn FnMut(Op, &Source)) {
    let table = entity.table.clone();
    push(
        Op::AddColumn {
            table: table.clone(),
            column: Column {
                name: field.column.to_lowercase(),
                sql_type: Some(field.field_type.clone()),
                source: field.source.clone(),
            },
        },
        &field.source,
    );
    let is_fk = entity
        .relations
        .iter()
        .any(|r| r.fk_on_self && r.fk_column.as_deref() == Some(field.column.as_str()));
    let kind = if field.primary {
        Some(IndexKind::Primary)
    } else if field.unique {
        Some(IndexKind::Unique)
    } else if field.indexed && is_fk && entity.orm == crate::orm::Orm::Django {
        Some(IndexKind::ForeignKeyDefault)
    } else if field.indexed {
        Some(IndexKind::Plain)
    } else {
        None
    };
    if let Some(kind) = kind {
        push(
            Op::AddIndex {
                table,
                index: Index {
                    name: None,
                    keys: vec![Key::Column(field.column.to_lowercase())],
                    kind,
                    partial: None,
                    method: None,
                    source: field.source.clone(),
                },
            },
            &field.source,
        );
    }
}

/// The column of a field name as a model index writes it (`customer` →
/// `customer_id`); unknown names are taken as columns.
pub fn column_of(entity: &Entity, name: &str) -> String {
    entity
        .field(name)
        .map_or(name, |f| f.column.as_str())
        .to_lowercase()
}
