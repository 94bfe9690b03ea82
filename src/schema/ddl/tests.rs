use super::*;

fn src() -> Source {
    Source::new(
        "db/1.sql",
        crate::facts::Span {
            line: 1,
            column: 1,
            end_line: 1,
            ..crate::facts::Span::default()
        },
    )
}

fn ops(sql: &str) -> Vec<Op> {
    statement_ops(sql, &src()).ops
}

fn index_keys(op: &Op) -> Option<(String, Vec<Key>, IndexKind)> {
    match op {
        Op::AddIndex { table, index } => Some((table.clone(), index.keys.clone(), index.kind)),
        _ => None,
    }
}

fn col(c: &str) -> Key {
    Key::Column(c.into())
}

#[test]
fn create_table_with_inline_and_out_of_line_constraints() {
    let o = ops("CREATE TABLE IF NOT EXISTS public.\"Orders\" (\n\
         id bigserial PRIMARY KEY,\n\
         user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n\
         code varchar(20) UNIQUE,\n\
         shop_id int, placed_at timestamptz,\n\
         CONSTRAINT orders_shop_fk FOREIGN KEY (shop_id) REFERENCES shops (id),\n\
         UNIQUE (shop_id, code),\n\
         CHECK (id > 0)\n)");
    assert_eq!(
        o[0],
        Op::CreateTable {
            table: "orders".into(),
            if_not_exists: true
        }
    );
    let idx: Vec<_> = o.iter().filter_map(index_keys).collect();
    assert_eq!(
        idx,
        vec![
            ("orders".into(), vec![col("id")], IndexKind::Primary),
            ("orders".into(), vec![col("code")], IndexKind::Unique),
            (
                "orders".into(),
                vec![col("shop_id"), col("code")],
                IndexKind::Unique
            ),
        ]
    );
    let fks: Vec<_> = o
        .iter()
        .filter_map(|op| match op {
            Op::AddForeignKey { key, .. } => {
                Some((key.columns.clone(), key.references.clone(), key.source.line))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        fks,
        vec![
            (vec!["user_id".to_string()], "users".to_string(), 3),
            (vec!["shop_id".to_string()], "shops".to_string(), 6)
        ]
    );
    let columns: Vec<_> = o
        .iter()
        .filter_map(|op| match op {
            Op::AddColumn { column, .. } => Some(column.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(columns, ["id", "user_id", "code", "shop_id", "placed_at"]);
    assert_eq!(
        statement_ops("CREATE TABLE t (id bigserial)", &src()).dialect,
        Some(Dialect::Postgres)
    );
}

#[test]
fn mysql_table_with_keys() {
    let st = statement_ops(
        "CREATE TABLE `orders` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `user_id` int(11) NOT NULL,\n  PRIMARY KEY (`id`),\n  KEY `idx_user` (`user_id`),\n  UNIQUE KEY `uk_code` (`code`(10))\n) ENGINE=InnoDB",
        &src(),
    );
    assert_eq!(st.dialect, Some(Dialect::MySql));
    let idx: Vec<_> = st.ops.iter().filter_map(index_keys).collect();
    assert_eq!(
        idx,
        vec![
            ("orders".into(), vec![col("id")], IndexKind::Primary),
            ("orders".into(), vec![col("user_id")], IndexKind::Plain),
            ("orders".into(), vec![col("code")], IndexKind::Unique),
        ]
    );
}

#[test]
fn create_index_variants() {
    let st = statement_ops(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (lower(email)) WHERE deleted_at IS NULL",
        &src(),
    );
    assert!(st.concurrently);
    let Op::AddIndex { table, index } = &st.ops[0] else {
        panic!("{:?}", st.ops)
    };
    assert_eq!(table, "users");
    assert_eq!(index.keys, vec![Key::Expression("lower(email)".into())]);
    assert_eq!(index.kind, IndexKind::Unique);
    assert_eq!(index.partial.as_deref(), Some("deleted_at is null"));
    assert_eq!(index.name.as_deref(), Some("idx_users_email"));

    let o = ops("CREATE INDEX index_orders_on_user_id ON public.orders USING btree (user_id, created_at DESC NULLS LAST)");
    assert_eq!(
        index_keys(&o[0]),
        Some((
            "orders".into(),
            vec![col("user_id"), col("created_at")],
            IndexKind::Plain
        ))
    );
    let o = ops("CREATE INDEX trgm ON users USING gin (email gin_trgm_ops)");
    let Op::AddIndex { index, .. } = &o[0] else {
        panic!()
    };
    assert_eq!(index.method.as_deref(), Some("gin"));
    assert!(!statement_ops("CREATE INDEX i ON t (a)", &src()).concurrently);
}

#[test]
fn alter_drop_and_rename() {
    let o = ops("ALTER TABLE ONLY orders ADD COLUMN IF NOT EXISTS note text, ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users(id), DROP COLUMN legacy, DROP CONSTRAINT old_fk, RENAME COLUMN a TO b");
    assert!(matches!(&o[0], Op::AddColumn { column, .. } if column.name == "note"));
    assert!(matches!(&o[1], Op::AddForeignKey { key, .. } if key.name.as_deref() == Some("fk_u")));
    assert!(matches!(&o[2], Op::DropColumn { column, .. } if column == "legacy"));
    assert!(matches!(&o[3], Op::DropIndex { name, .. } if name == "old_fk"));
    assert!(matches!(&o[4], Op::RenameColumn { from, to, .. } if from == "a" && to == "b"));
    assert_eq!(
        ops("ALTER TABLE orders ADD INDEX idx_x (x)")
            .iter()
            .filter_map(index_keys)
            .collect::<Vec<_>>(),
        vec![("orders".into(), vec![col("x")], IndexKind::Plain)]
    );
    assert_eq!(
        ops("ALTER TABLE orders RENAME TO purchases"),
        vec![Op::RenameTable {
            from: "orders".into(),
            to: "purchases".into()
        }]
    );
    assert_eq!(
        ops("DROP INDEX CONCURRENTLY IF EXISTS a, b"),
        vec![
            Op::DropIndex {
                table: None,
                name: "a".into()
            },
            Op::DropIndex {
                table: None,
                name: "b".into()
            }
        ]
    );
    assert_eq!(
        ops("DROP INDEX idx ON orders"),
        vec![Op::DropIndex {
            table: Some("orders".into()),
            name: "idx".into()
        }]
    );
    assert_eq!(ops("DROP TABLE IF EXISTS a, b CASCADE").len(), 2);
    assert_eq!(
        ops("ALTER INDEX old RENAME TO new"),
        vec![Op::RenameIndex {
            from: "old".into(),
            to: "new".into()
        }]
    );
    assert_eq!(
        ops("RENAME TABLE a TO b"),
        vec![Op::RenameTable {
            from: "a".into(),
            to: "b".into()
        }]
    );
}

#[test]
fn non_ddl_and_garbage_give_nothing() {
    for sql in [
        "SELECT * FROM users",
        "CREATE",
        "CREATE TABLE",
        "CREATE INDEX ON",
        "CREATE INDEX i ON t",
        "ALTER TABLE",
        "DROP",
        "CREATE TABLE t ((((",
        "CREATE TABLE t (a int,,, PRIMARY KEY",
        ")))(((",
    ] {
        let o = ops(sql);
        assert!(o.len() <= 2, "{sql}: {o:?}");
    }
}
