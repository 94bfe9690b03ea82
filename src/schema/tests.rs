use super::*;

fn apply(sqls: &[&str]) -> Catalog {
    let mut catalog = Catalog::default();
    for (i, sql) in sqls.iter().enumerate() {
        let source = Source {
            path: format!("m/{i}.sql"),
            line: 1,
        };
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
    let src = |p: &str| Source {
        path: p.into(),
        line: 1,
    };
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
