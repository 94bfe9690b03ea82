use super::*;

fn at(path: &str) -> Source {
    Source::new(
        path,
        crate::facts::Span {
            line: 1,
            column: 1,
            end_line: 1,
            ..crate::facts::Span::default()
        },
    )
}

fn apply(sqls: &[&str]) -> Catalog {
    let mut catalog = Catalog::default();
    for (i, sql) in sqls.iter().enumerate() {
        let source = at(&format!("m/{i}.sql"));
        for op in statement_ops(sql, &source).ops {
            catalog.apply(&SourcedOp {
                op,
                source: source.clone(),
                origin: "sql",
            });
        }
    }
    catalog
}

#[test]
fn migrations_apply_in_order() {
    let c = apply(&[
        "CREATE TABLE users (id serial PRIMARY KEY, email text, org_id int)",
        "CREATE INDEX users_email ON users (email)",
        "CREATE INDEX users_org ON users (org_id)",
        "DROP INDEX users_org",
        "ALTER TABLE users RENAME COLUMN email TO mail",
        "ALTER TABLE users RENAME TO accounts",
    ]);
    let t = c.table("accounts").expect("renamed");
    assert!(c.table("users").is_none());
    assert_eq!(t.indexes.len(), 2);
    assert_eq!(t.indexes_leading_with("mail").count(), 1);
    assert_eq!(t.indexes_leading_with("org_id").count(), 0);
    assert!(t.column("mail").is_some());
}

#[test]
fn index_on_an_undefined_table_creates_a_stub() {
    let c = apply(&["CREATE INDEX i ON events (user_id, created_at)"]);
    let t = c.table("events").expect("stub");
    assert!(!t.columns_known);
    assert_eq!(t.indexes_containing_later("created_at").count(), 1);
    assert!(t.index_covering_prefix(&["user_id".to_string()]).is_some());
}

#[test]
fn snapshots_replace_migrated_tables() {
    let src = at;
    let op = |sql: &str, p: &str, origin| -> Vec<SourcedOp> {
        statement_ops(sql, &src(p))
            .ops
            .into_iter()
            .map(|op| SourcedOp {
                op,
                source: src(p),
                origin,
            })
            .collect()
    };
    let ops: Vec<SourcedOp> = op("CREATE TABLE t (a int)", "schema.sql", "sql")
        .into_iter()
        .chain(op("CREATE TABLE t (b int)", "m/1.sql", "sql"))
        .chain(op("CREATE INDEX ON t (b)", "m/2.sql", "sql"))
        .collect();
    let phases = [
        Phase::Snapshot,
        Phase::Snapshot,
        Phase::Migration,
        Phase::Migration,
        Phase::Migration,
    ];
    let mut c = Catalog::default();
    c.apply_all(&ops, &phases);
    let t = c.table("t").expect("t");
    assert_eq!(t.source.path, "schema.sql");
    assert!(t.column("a").is_some() && t.column("b").is_none());
    assert!(t.indexes.is_empty());
}

#[test]
fn names_are_normalized() {
    assert_eq!(normalize_name("\"public\".\"Orders\""), "orders");
    assert_eq!(normalize_name("`shop`"), "shop");
}

fn file(path: &str, language: crate::facts::Language, text: &str) -> crate::model::ParsedFile {
    let module = path.rsplit_once('.').map_or(path, |p| p.0);
    let facts = crate::lang::extract(&crate::lang::SourceFile {
        path,
        text,
        language,
        module,
    })
    .expect("extract");
    crate::model::ParsedFile {
        path: path.into(),
        language,
        role: crate::classify::classify(path, ""),
        lines: text.lines().count(),
        facts,
    }
}

fn catalog_of(files: Vec<crate::model::ParsedFile>) -> Catalog {
    let model = crate::model::Model::new(files);
    let entities = crate::orm::entities(&model);
    build(&model, &entities, None)
}

#[test]
fn rails_schema_and_migrations() {
    use crate::facts::Language::Ruby;
    let c = catalog_of(vec![
        file(
            "db/migrate/20240101000000_create_orders.rb",
            Ruby,
            "class CreateOrders < ActiveRecord::Migration[7.1]\n  def change\n    create_table :orders do |t|\n      t.references :user, foreign_key: true\n      t.belongs_to :shop, index: false\n      t.string :status, index: true\n      t.timestamps\n    end\n  end\nend\n",
        ),
        file(
            "db/migrate/20240201000000_more.rb",
            Ruby,
            "class More < ActiveRecord::Migration[7.1]\n  def change\n    add_index :orders, [:shop_id, :created_at], unique: true\n    remove_index :orders, :status\n    add_column :orders, :note, :text\n    rename_column :orders, :note, :remark\n    add_reference :payments, :order\n  end\nend\n",
        ),
    ]);
    let t = c.table("orders").expect("orders");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        [
            "id",
            "user_id",
            "shop_id",
            "status",
            "created_at",
            "updated_at",
            "remark"
        ]
    );
    assert_eq!(t.indexes_leading_with("user_id").count(), 1);
    assert_eq!(
        t.indexes_leading_with("shop_id").count(),
        1,
        "{:#?}",
        t.indexes
    );
    assert_eq!(t.indexes_leading_with("status").count(), 0);
    assert_eq!(t.foreign_keys.len(), 1);
    assert_eq!(t.foreign_keys[0].references, "users");
    assert_eq!(t.foreign_keys[0].source.line, 4);
    let p = c.table("payments").expect("stub");
    assert!(!p.columns_known);
    assert_eq!(p.indexes_leading_with("order_id").count(), 1);
}

#[test]
fn sql_migrations_in_a_diesel_layout() {
    use crate::facts::Language::Sql;
    let c = catalog_of(vec![
        file("migrations/2024-01-02-000000_idx/up.sql", Sql, "CREATE INDEX posts_author ON posts (author_id);\n"),
        file("migrations/2024-01-02-000000_idx/down.sql", Sql, "DROP INDEX posts_author;\n"),
        file("migrations/2024-01-01-000000_init/up.sql", Sql, "CREATE TABLE posts (id SERIAL PRIMARY KEY, author_id INT NOT NULL REFERENCES users(id));\n"),
    ]);
    let t = c.table("posts").expect("posts");
    assert!(t.columns_known);
    assert_eq!(t.indexes_leading_with("author_id").count(), 1);
    assert_eq!(c.dialect, Dialect::Postgres);
}

#[test]
fn schema_renders_as_text_and_json_with_sources() {
    use crate::facts::Language::Sql;
    let c = catalog_of(vec![file(
        "db/schema.sql",
        Sql,
        "CREATE TABLE users (id bigserial PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;\n",
    )]);
    let unknown = vec![UnknownTable {
        name: "events".into(),
        first_use: at("app.py"),
    }];
    let text = render_table(&c, &unknown);
    assert!(text.contains("Database: PostgreSQL"), "{text}");
    assert!(
        text.contains("users_email: index ((lower(email))) where email is not null"),
        "{text}"
    );
    assert!(text.contains("db/schema.sql:2"), "{text}");
    assert!(text.contains("events  (first used at app.py:1)"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&render_json(&c, &unknown)).expect("json");
    assert_eq!(json["dialect"], "postgres");
    assert_eq!(json["tables"][0]["name"], "users");
    assert_eq!(json["tables"][0]["indexes"][1]["source"]["line"], 2);
    assert_eq!(json["unknown_tables"][0]["name"], "events");
}

#[test]
fn alembic_revisions_in_down_revision_order() {
    use crate::facts::Language::Python;
    let c = catalog_of(vec![
        // Named so that path order is the reverse of the chain.
        file(
            "alembic/versions/0a_drop.py",
            Python,
            "from alembic import op\n\nrevision = \"c3\"\ndown_revision = \"b2\"\n\n\ndef upgrade():\n    op.drop_index(\"ix_users_city\", table_name=\"users\")\n    with op.batch_alter_table(\"users\") as batch_op:\n        batch_op.create_index(\"ix_users_zip\", [\"zip\"], unique=False)\n\n\ndef downgrade():\n    op.drop_table(\"users\")\n",
        ),
        file(
            "alembic/versions/1b_more.py",
            Python,
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"b2\"\ndown_revision = \"a1\"\n\n\ndef upgrade():\n    op.add_column(\"users\", sa.Column(\"city\", sa.String(), index=True))\n    op.add_column(\"users\", sa.Column(\"zip\", sa.String()))\n    op.create_index(op.f(\"ix_users_name\"), \"users\", [sa.text(\"lower(name)\")], postgresql_where=sa.text(\"name IS NOT NULL\"))\n    op.execute(\"CREATE INDEX users_created ON users (created_at)\")\n",
        ),
        file(
            "alembic/versions/2c_init.py",
            Python,
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table(\n        \"users\",\n        sa.Column(\"id\", sa.Integer(), nullable=False),\n        sa.Column(\"email\", sa.String(), unique=True),\n        sa.Column(\"org_id\", sa.Integer(), sa.ForeignKey(\"orgs.id\")),\n        sa.Column(\"name\", sa.String()),\n        sa.Column(\"created_at\", sa.DateTime()),\n        sa.PrimaryKeyConstraint(\"id\"),\n        sa.Index(\"ix_users_org\", \"org_id\", \"name\"),\n    )\n",
        ),
    ]);
    let t = c.table("users").expect("users");
    assert_eq!(t.origin, "alembic");
    assert_eq!(t.source.path, "alembic/versions/2c_init.py");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        ["id", "email", "org_id", "name", "created_at", "city", "zip"]
    );
    assert_eq!(t.column("org_id").map(|c| c.source.line), Some(13));
    assert_eq!(
        t.indexes_leading_with("id").next().map(|i| i.kind),
        Some(IndexKind::Primary)
    );
    assert_eq!(
        t.indexes_leading_with("email").next().map(|i| i.kind),
        Some(IndexKind::Unique)
    );
    assert_eq!(t.indexes_leading_with("org_id").count(), 1);
    // Created in b2, dropped in c3 (which follows b2 though its path sorts first).
    assert_eq!(
        t.indexes_leading_with("city").count(),
        0,
        "{:#?}",
        t.indexes
    );
    assert_eq!(t.indexes_leading_with("zip").count(), 1);
    assert_eq!(t.indexes_leading_with("created_at").count(), 1);
    let expr = t.expression_index("lower(name)").expect("expression index");
    assert_eq!(expr.name.as_deref(), Some("ix_users_name"));
    assert_eq!(expr.partial.as_deref(), Some("name is not null"));
    assert_eq!(expr.source.path, "alembic/versions/1b_more.py");
    assert_eq!(t.foreign_keys.len(), 1);
    assert_eq!(t.foreign_keys[0].references, "orgs");
}

#[test]
fn a_model_keeps_the_indexes_its_migrations_built() {
    use crate::facts::Language::Python;
    let c = catalog_of(vec![
        file(
            "app/models.py",
            Python,
            "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = \"users\"\n    id = Column(Integer, primary_key=True)\n    email = Column(String)\n",
        ),
        file(
            "alembic/versions/a1_init.py",
            Python,
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"email\", sa.String()), sa.Column(\"gone\", sa.String(), index=True))\n    op.create_index(\"ix_users_email\", \"users\", [\"email\"])\n",
        ),
    ]);
    let t = c.table("users").expect("users");
    assert_eq!(t.origin, "sqlalchemy");
    let email = t.indexes_leading_with("email").next().expect("kept");
    assert_eq!(email.source.path, "alembic/versions/a1_init.py");
    // A column the model no longer has takes its index with it.
    assert_eq!(t.indexes_leading_with("gone").count(), 0);
}

#[test]
fn knex_migrations() {
    use crate::facts::Language::{JavaScript, TypeScript};
    let c = catalog_of(vec![
        file(
            "migrations/20240101_users.js",
            JavaScript,
            r#"exports.up = function (knex) {
  return knex.schema
    .createTable("users", (t) => {
      t.increments("id");
      t.string("email").unique();
      t.integer("org_id").unsigned().references("id").inTable("orgs");
      t.string("city").index();
      t.index(["org_id", "created_at"]);
      t.timestamps(true, true);
    })
    .createTable("orgs", (t) => {
      t.bigIncrements();
      t.string("slug");
    });
};
exports.down = function (knex) {
  return knex.schema.dropTable("users");
};
"#,
        ),
        file(
            "migrations/20240201_more.ts",
            TypeScript,
            r#"import { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (table) => {
    table.dropIndex(["city"]);
    table.unique(["org_id", "email"], { indexName: "users_org_email" });
    table.foreign("manager_id").references("users.id");
    table.renameColumn("email", "mail");
  });
  await knex.raw("CREATE INDEX orgs_slug ON orgs (slug)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("users", (table) => {
    table.dropIndex([], "users_org_email");
  });
}
"#,
        ),
    ]);
    let t = c.table("users").expect("users");
    assert_eq!(t.origin, "knex");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        ["id", "mail", "org_id", "city", "created_at", "updated_at"]
    );
    assert_eq!(t.column("org_id").map(|c| c.source.line), Some(6));
    assert_eq!(
        t.indexes_leading_with("id").next().map(|i| i.kind),
        Some(IndexKind::Primary)
    );
    let mail = t
        .indexes_leading_with("mail")
        .next()
        .expect("unique, renamed");
    assert_eq!(mail.name.as_deref(), Some("users_email_unique"));
    assert_eq!(t.indexes_leading_with("city").count(), 0, "dropped");
    assert_eq!(t.indexes_leading_with("org_id").count(), 2);
    let fk = t
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["org_id"])
        .expect("fk");
    assert_eq!(fk.references, "orgs");
    assert!(t.foreign_keys.iter().any(|f| f.columns == ["manager_id"]));
    let orgs = c.table("orgs").expect("orgs");
    assert_eq!(orgs.indexes_leading_with("id").count(), 1);
    assert_eq!(orgs.indexes_leading_with("slug").count(), 1, "knex.raw DDL");
}

#[test]
fn sequelize_migrations() {
    use crate::facts::Language::JavaScript;
    let c = catalog_of(vec![
        file(
            "migrations/20240101000000-create-user.js",
            JavaScript,
            r#"'use strict';
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('Users', {
      id: { allowNull: false, autoIncrement: true, primaryKey: true, type: Sequelize.INTEGER },
      email: { type: Sequelize.STRING, unique: true },
      orgId: { type: Sequelize.INTEGER, references: { model: 'Orgs', key: 'id' } },
      city: Sequelize.STRING,
      createdAt: Sequelize.DATE,
    });
    await queryInterface.addIndex('Users', ['orgId', 'createdAt']);
    await queryInterface.addIndex('Users', { fields: ['city'], name: 'users_city' });
  },
  async down(queryInterface) {
    await queryInterface.dropTable('Users');
  },
};
"#,
        ),
        file(
            "migrations/20240201000000-more.js",
            JavaScript,
            r#"module.exports = {
  up: async (queryInterface, Sequelize) => {
    await queryInterface.removeIndex('Users', 'users_city');
    await queryInterface.removeIndex('Users', ['orgId', 'createdAt']);
    await queryInterface.addColumn('Users', 'phone', { type: Sequelize.STRING });
    await queryInterface.addConstraint('Users', { fields: ['phone'], type: 'unique', name: 'uq_phone' });
  },
};
"#,
        ),
    ]);
    let t = c.table("users").expect("users");
    assert_eq!(t.origin, "sequelize-migrations");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["id", "email", "orgid", "city", "createdat", "phone"]);
    assert_eq!(t.indexes_leading_with("id").count(), 1);
    assert_eq!(t.indexes_leading_with("email").count(), 1);
    assert_eq!(
        t.indexes_leading_with("orgid").count(),
        0,
        "{:#?}",
        t.indexes
    );
    assert_eq!(t.indexes_leading_with("city").count(), 0);
    assert_eq!(
        t.indexes_leading_with("phone")
            .next()
            .and_then(|i| i.name.as_deref()),
        Some("uq_phone")
    );
    assert_eq!(t.foreign_keys.len(), 1);
    assert_eq!(t.foreign_keys[0].references, "orgs");
    assert_eq!(t.foreign_keys[0].source.line, 4);
}

#[test]
fn alembic_renames_and_keyword_forms() {
    use crate::facts::Language::Python;
    let c = catalog_of(vec![file(
        "migrations/versions/0001_init.py",
        Python,
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table(\n        \"new_table\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n        sa.Column(\"dag_id\", sa.String()),\n        sa.ForeignKeyConstraint(columns=(\"dag_id\",), refcolumns=[\"dag.dag_id\"], name=\"fk_dag\"),\n    )\n    op.rename_table(\"new_table\", \"runs\")\n    op.create_index(\"ix_runs_dag\", \"runs\", [\"dag_id\"])\n    op.drop_index(\"ix_runs_dag\")\n",
    )]);
    assert!(c.table("new_table").is_none());
    let t = c.table("runs").expect("renamed");
    assert_eq!(
        t.indexes_leading_with("dag_id").count(),
        0,
        "dropped without naming its table"
    );
    assert_eq!(t.foreign_keys[0].references, "dag");
    assert_eq!(t.foreign_keys[0].columns, ["dag_id"]);
}

#[test]
fn django_migrations() {
    use crate::facts::Language::Python;
    let c = catalog_of(vec![
        file(
            "shop/migrations/0001_initial.py",
            Python,
            r#"from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Customer",
            fields=[("id", models.BigAutoField(primary_key=True)), ("email", models.EmailField(unique=True))],
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True)),
                ("status", models.CharField(max_length=20, db_index=True)),
                ("note", models.TextField()),
                ("ref", models.CharField(max_length=20)),
                ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),
            ],
            options={"indexes": [models.Index(fields=["note"], name="order_note_idx")]},
        ),
    ]
"#,
        ),
        file(
            "shop/migrations/0002_more.py",
            Python,
            r#"from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="order", name="status", field=models.CharField(max_length=30)),
        migrations.RemoveIndex(model_name="order", name="order_note_idx"),
        AddIndexConcurrently(model_name="order", index=models.Index(fields=["customer", "-ref"], name="order_cust_ref")),
        migrations.RunSQL("CREATE INDEX order_ref ON shop_order (ref)", reverse_sql="DROP INDEX order_ref"),
        migrations.RenameField(model_name="order", old_name="note", new_name="remark"),
    ]
"#,
        ),
    ]);
    let t = c.table("shop_order").expect("shop_order");
    assert_eq!(t.origin, "django-migrations");
    assert!(t.column("customer_id").is_some() && t.column("remark").is_some());
    assert_eq!(t.indexes_leading_with("id").count(), 1);
    assert_eq!(t.indexes_leading_with("status").count(), 0, "altered away");
    assert_eq!(t.indexes_leading_with("remark").count(), 0, "removed");
    // The default foreign-key index and the concurrent composite.
    assert_eq!(
        t.indexes_leading_with("customer_id").count(),
        2,
        "{:#?}",
        t.indexes
    );
    assert_eq!(
        t.indexes_leading_with("ref").count(),
        1,
        "RunSQL, not its reverse"
    );
    assert_eq!(t.foreign_keys[0].references, "shop_customer");
    assert_eq!(t.column("customer_id").map(|c| c.source.line), Some(19));
    let customer = c.table("shop_customer").expect("customer");
    assert_eq!(customer.indexes_leading_with("email").count(), 1);
}
