//! Recognising SQL in string literals.

/// Whether the source text of a string literal (quotes and `r#` included)
/// may hold SQL: a cheap test on its first word, before unescaping it.
pub fn may_be_sql(literal: &str) -> bool {
    let body = literal.strip_prefix(['b', 'c']).unwrap_or(literal);
    let body = body.strip_prefix('r').unwrap_or(body);
    let body = body.trim_start_matches('#');
    body.strip_prefix('"').and_then(first_keyword).is_some()
}

/// Whether `text` is SQL: a statement keyword followed by the words that
/// make it a statement (`SELECT ... FROM`, `INSERT INTO`, `CREATE TABLE` ...).
pub fn is_sql(text: &str) -> bool {
    let Some((keyword, rest)) = first_keyword(text) else {
        return false;
    };
    let mut words = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    fn has<'w>(words: &mut impl Iterator<Item = &'w str>, wanted: &[&str]) -> bool {
        words.any(|w| wanted.iter().any(|k| w.eq_ignore_ascii_case(k)))
    }
    match keyword {
        "SELECT" | "DELETE" => has(&mut words, &["FROM"]),
        "INSERT" => has(&mut words, &["INTO"]),
        "UPDATE" => has(&mut words, &["SET"]),
        "WITH" => {
            has(&mut words, &["AS"]) && has(&mut words, &["SELECT", "INSERT", "UPDATE", "DELETE"])
        }
        "CREATE" => words.next().is_some_and(|w| {
            [
                "TABLE",
                "INDEX",
                "UNIQUE",
                "VIEW",
                "MATERIALIZED",
                "EXTENSION",
                "TYPE",
                "SCHEMA",
                "OR",
                "TEMP",
                "TEMPORARY",
                "SEQUENCE",
                "TRIGGER",
                "FUNCTION",
                "DATABASE",
            ]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
        }),
        _ => words.next().is_some_and(|w| {
            [
                "TABLE",
                "INDEX",
                "VIEW",
                "SEQUENCE",
                "TYPE",
                "SCHEMA",
                "DATABASE",
                "MATERIALIZED",
                "EXTENSION",
            ]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
        }),
    }
}

/// The statement keyword `text` starts with (after whitespace and `(`),
/// upper-cased, and the text after it.
fn first_keyword(text: &str) -> Option<(&'static str, &str)> {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(end);
    let keyword = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "ALTER", "DROP",
    ]
    .into_iter()
    .find(|k| word.eq_ignore_ascii_case(k))?;
    rest.starts_with(char::is_whitespace)
        .then_some((keyword, rest))
}

/// Replaces format placeholders (`{}`, `{id}`, `{0:?}`) with `?` and
/// unescapes `{{`/`}}`.
pub fn placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let close = tail.find('}').filter(|_| tail.starts_with('{'));
        match close {
            Some(j) if is_placeholder(&tail[1..j]) => {
                out.push('?');
                rest = &tail[j + 1..];
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_placeholder(inner: &str) -> bool {
    let name = inner.split(':').next().unwrap_or("");
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !inner.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_sql() {
        assert!(is_sql("SELECT id, name FROM users WHERE id = $1"));
        assert!(is_sql("  (select * from orders)"));
        assert!(is_sql("INSERT INTO users (name) VALUES (?)"));
        assert!(is_sql("update users set name = $1"));
        assert!(is_sql("CREATE INDEX idx ON users (email)"));
        assert!(is_sql("WITH t AS (SELECT 1) SELECT * FROM t"));
        assert!(is_sql("DROP TABLE users"));
    }

    #[test]
    fn prose_is_not_sql() {
        assert!(!is_sql("select a file"));
        assert!(!is_sql("Update available"));
        assert!(!is_sql("created at"));
        assert!(!is_sql("selection"));
        assert!(!is_sql("drop it"));
    }

    #[test]
    fn literal_prefilter() {
        assert!(may_be_sql("\"SELECT * FROM t\""));
        assert!(may_be_sql("r#\"\n  select 1 from t\"#"));
        assert!(may_be_sql("\"create table t (id int)\""));
        assert!(!may_be_sql("\"hello\""));
    }

    #[test]
    fn format_placeholders_become_question_marks() {
        assert_eq!(
            placeholders("SELECT * FROM {table} WHERE id = {} AND x = {0:?} AND j = '{{}}'"),
            "SELECT * FROM ? WHERE id = ? AND x = ? AND j = '{}'"
        );
        assert_eq!(placeholders("{ \"a\": 1 }"), "{ \"a\": 1 }");
    }
}
