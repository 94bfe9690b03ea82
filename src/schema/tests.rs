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
