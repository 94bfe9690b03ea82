use super::*;
use crate::facts::Language;

fn facts(text: &str) -> FileFacts {
    let src = SourceFile {
        path: "db/migrate/001.sql",
        text,
        language: Language::Sql,
        module: "db/migrate/001",
    };
    extract(&src).expect("extract")
}

fn texts(facts: &FileFacts) -> Vec<&str> {
    facts.sql.iter().map(|s| s.text.as_str()).collect()
}

const POSTGRES: &str = "\
-- 001_create_users.sql
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email varchar(255) NOT NULL,
  org_id bigint REFERENCES orgs(id) ON DELETE CASCADE,
  created_at timestamptz DEFAULT now()
);

/* partial unique index, built without locking writes */
CREATE UNIQUE INDEX CONCURRENTLY idx_users_email ON users (lower(email)) WHERE deleted_at IS NULL;
ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users(id);
DROP INDEX IF EXISTS idx_old;
CREATE INDEX index_orders_on_user_id ON public.orders USING btree (user_id)
";

#[test]
fn a_postgres_migration_splits_into_statements() {
    let f = facts(POSTGRES);
    assert!(f.notes.is_empty(), "{:?}", f.notes);
    let t = texts(&f);
    assert_eq!(t.len(), 5, "{t:#?}");
    assert!(t[0].starts_with("CREATE TABLE users (") && t[0].ends_with(')'));
    assert_eq!(
        t[1],
        "CREATE UNIQUE INDEX CONCURRENTLY idx_users_email ON users (lower(email)) WHERE deleted_at IS NULL"
    );
    assert!(t[2].starts_with("ALTER TABLE orders ADD CONSTRAINT"));
    assert_eq!(t[3], "DROP INDEX IF EXISTS idx_old");
    assert_eq!(
        t[4],
        "CREATE INDEX index_orders_on_user_id ON public.orders USING btree (user_id)"
    );
    let spans: Vec<(u32, u32, u32)> = f
        .sql
        .iter()
        .map(|s| (s.span.line, s.span.column, s.span.end_line))
        .collect();
    assert_eq!(
        spans,
        [
            (2, 1, 7),
            (10, 1, 10),
            (11, 1, 11),
            (12, 1, 12),
            (13, 1, 13)
        ]
    );
    let first = &f.sql[0];
    assert_eq!(
        &POSTGRES[first.span.start as usize..first.span.end as usize],
        t[0]
    );
    assert!(f.sql.iter().all(|s| s.function.is_none()));
}

#[test]
fn mysql_dumps_split_and_unknown_statements_come_out_whole() {
    let f = facts(
        "/*!40101 SET NAMES utf8 */;\n\
         DROP TABLE IF EXISTS `orders`;\n\
         CREATE TABLE `orders` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `user_id` int(11) NOT NULL,\n  PRIMARY KEY (`id`),\n  KEY `idx_user` (`user_id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
         LOCK TABLES `orders` WRITE;\n\
         INSERT INTO `orders` VALUES (1,2),(2,3);\n\
         UNLOCK TABLES;\n",
    );
    let t = texts(&f);
    assert_eq!(t.len(), 5, "{t:#?}");
    assert_eq!(t[0], "DROP TABLE IF EXISTS `orders`");
    assert!(t[1].starts_with("CREATE TABLE `orders`") && t[1].ends_with("utf8mb4"));
    assert_eq!(t[2], "LOCK TABLES `orders` WRITE");
    assert_eq!(t[3], "INSERT INTO `orders` VALUES (1,2),(2,3)");
    assert_eq!(t[4], "UNLOCK TABLES");
    assert_eq!(f.notes.len(), 1, "LOCK TABLES is not in the grammar");
}

#[test]
fn a_sqlite_statement_the_grammar_rejects_is_kept_and_noted() {
    let f = facts(
        "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);\n\
         CREATE INDEX idx_items_name ON items (name);\n",
    );
    assert_eq!(
        texts(&f),
        [
            "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)",
            "CREATE INDEX idx_items_name ON items (name)"
        ]
    );
    assert_eq!(f.notes.len(), 1);
    assert!(
        f.notes[0].message.contains("line 1"),
        "{}",
        f.notes[0].message
    );
}

#[test]
fn comments_empty_statements_and_transaction_control_are_skipped() {
    let f = facts(
        ";\n-- nothing yet\nBEGIN;\nINSERT INTO t (a) VALUES (1);;\nUPDATE t SET a = 2 WHERE id = 3; -- bump\nCOMMIT;\n/* done */\n",
    );
    assert_eq!(
        texts(&f),
        [
            "INSERT INTO t (a) VALUES (1)",
            "UPDATE t SET a = 2 WHERE id = 3"
        ]
    );
    assert!(f.notes.is_empty(), "{:?}", f.notes);
}

#[test]
fn a_broken_statement_does_not_swallow_its_neighbours() {
    let f = facts(
        "SELECT 1;\nGRANT SELECT ON t TO bob;\nPRAGMA foreign_keys = ON;\nSELECT 2 -- last\n",
    );
    assert_eq!(
        texts(&f),
        [
            "SELECT 1",
            "GRANT SELECT ON t TO bob",
            "PRAGMA foreign_keys = ON",
            "SELECT 2"
        ]
    );
    assert_eq!(f.notes.len(), 1);
    assert!(
        f.notes[0].message.contains("line 2"),
        "{}",
        f.notes[0].message
    );
}

#[test]
fn an_unfinished_transaction_still_yields_its_statements() {
    let f = facts("BEGIN;\nSELECT 5;\nDELETE FROM t WHERE id = 1;\n");
    assert_eq!(texts(&f), ["SELECT 5", "DELETE FROM t WHERE id = 1"]);
}

#[test]
fn columns_count_characters() {
    let f = facts("-- café\nSELECT 'é'; SELECT 2;");
    let spans: Vec<(u32, u32)> = f.sql.iter().map(|s| (s.span.line, s.span.column)).collect();
    assert_eq!(spans, [(2, 1), (2, 13)]);
}

#[test]
fn empty_and_comment_only_files_have_no_statements() {
    assert!(facts("").sql.is_empty());
    let f = facts("-- only a comment\n/* and another */\n");
    assert!(f.sql.is_empty() && f.notes.is_empty());
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 100_000;
    let text = format!(
        "SELECT {}1{};\nSELECT 2;",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let f = facts(&text);
    assert_eq!(f.sql.last().map(|s| s.text.as_str()), Some("SELECT 2"));
    let broken = format!("SELECT {}1;\nSELECT 2;", "(".repeat(depth));
    let f = facts(&broken);
    assert!(!f.notes.is_empty());
}

#[test]
fn parse_statement_reports_kind_and_cleanliness() {
    let cases = [
        (
            "SELECT * FROM users WHERE id = $1",
            true,
            StatementKind::Select,
        ),
        (
            "select * from users where id = ?",
            true,
            StatementKind::Select,
        ),
        (
            "WITH a AS (SELECT 1) SELECT * FROM a",
            true,
            StatementKind::Select,
        ),
        ("SELECT 1 UNION SELECT 2", true, StatementKind::Select),
        ("EXPLAIN SELECT 1", true, StatementKind::Select),
        ("INSERT INTO t (a) VALUES (?)", true, StatementKind::Insert),
        (
            "UPDATE t SET a = :a WHERE id = :id",
            true,
            StatementKind::Update,
        ),
        ("DELETE FROM t WHERE id = %s", true, StatementKind::Delete),
        (
            "DELETE FROM t WHERE id = %(id)s",
            true,
            StatementKind::Delete,
        ),
        ("CREATE TABLE t (id int)", true, StatementKind::CreateTable),
        (
            "CREATE UNIQUE INDEX i ON t (a)",
            true,
            StatementKind::CreateIndex,
        ),
        (
            "ALTER TABLE t ADD COLUMN b int",
            true,
            StatementKind::AlterTable,
        ),
        ("DROP TABLE t", true, StatementKind::DropTable),
        ("DROP INDEX i", true, StatementKind::DropIndex),
        ("TRUNCATE t", true, StatementKind::Other),
        ("SELECT * FROM t FOR UPDATE", false, StatementKind::Select),
    ];
    for (sql, clean, kind) in cases {
        let parsed = parse_statement(sql);
        assert_eq!(
            parsed,
            ParsedStatement {
                clean,
                kind: Some(kind)
            },
            "{sql}"
        );
    }
    assert_eq!(parse_statement("hello world").kind, None);
    assert!(!parse_statement("hello world").clean);
}

#[test]
fn placeholders_become_question_marks_outside_strings_and_casts() {
    assert_eq!(
        normalize_placeholders("a = :a AND b = %s AND c = %(c)s AND d = x::int AND e = ':e'"),
        "a = ? AND b = ? AND c = ? AND d = x::int AND e = ':e'"
    );
    assert_eq!(
        normalize_placeholders("SELECT 'café' || :é"),
        "SELECT 'café' || ?"
    );
    assert_eq!(normalize_placeholders("50%"), "50%");
}

#[test]
fn sql_is_recognised_in_strings() {
    for yes in [
        "SELECT * FROM users WHERE id = ?",
        "  select id from orders",
        "(SELECT 1)",
        "SELECT count(*) FROM t",
        "SELECT nextval('s')",
        "INSERT INTO t VALUES (1)",
        "UPDATE users SET name = ?",
        "DELETE FROM t",
        "WITH recent AS (SELECT 1) SELECT * FROM recent",
        "CREATE UNIQUE INDEX i ON t (a)",
        "ALTER TABLE t ADD b int",
        "DROP INDEX i",
    ] {
        assert!(looks_like_sql(yes), "{yes}");
    }
    for no in [
        "Select an item from the list",
        "select a colour",
        "update your profile",
        "Delete this item?",
        "with love",
        "create an account",
        "SELECTED",
        "drop it",
        "",
    ] {
        assert!(!looks_like_sql(no), "{no}");
    }
}
