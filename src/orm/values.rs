//! Reading argument values the way ORM declarations write them: strings,
//! symbols, booleans and lists of names. Lists arrive as
//! [`ArgValue::List`]; text such as `["a", "-b"]`, `[:a, :b]`, `("a", "b")`
//! or `%w[a b]` kept as [`ArgValue::Other`] is read too.

use crate::facts::{Arg, ArgValue, Call};

/// A string, symbol or bare name.
pub fn as_str(value: &ArgValue) -> Option<&str> {
    match value {
        ArgValue::Str(s) | ArgValue::Path(s) => Some(s),
        _ => None,
    }
}

/// A boolean literal (`True`, `true`).
pub fn as_bool(value: &ArgValue) -> Option<bool> {
    match value {
        ArgValue::Bool(b) => Some(*b),
        ArgValue::Other(t) | ArgValue::Path(t) => match t.as_str() {
            "True" | "true" => Some(true),
            "False" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The names in a list value (`["a", "-b"]` → `a`, `-b`); a single string
/// is a list of one.
pub fn str_list(value: &ArgValue) -> Vec<String> {
    match value {
        ArgValue::List(items) => items
            .iter()
            .filter_map(as_str)
            .map(str::to_string)
            .collect(),
        ArgValue::Str(s) => vec![s.clone()],
        ArgValue::Other(text) => list_text(text),
        _ => Vec::new(),
    }
}

/// The elements of a list value, lists of lists included (`[["a", "b"]]`
/// or text `(("a", "b"),)`): each inner list; a flat list is one group.
pub fn str_groups(value: &ArgValue) -> Vec<Vec<String>> {
    match value {
        ArgValue::List(items) if items.iter().any(|i| matches!(i, ArgValue::List(_))) => items
            .iter()
            .map(str_list)
            .filter(|g| !g.is_empty())
            .collect(),
        ArgValue::Other(text) if nested_text(text) => {
            let inner = text.trim().trim_start_matches(['[', '(']);
            inner
                .split([']', ')'])
                .map(list_text)
                .filter(|g| !g.is_empty())
                .collect()
        }
        other => {
            let flat = str_list(other);
            if flat.is_empty() {
                Vec::new()
            } else {
                vec![flat]
            }
        }
    }
}

/// Text of a list of lists: `[[`, `((`, `[(`.
fn nested_text(text: &str) -> bool {
    let t = text.trim();
    t.starts_with(['[', '(']) && t[1..].trim_start().starts_with(['[', '('])
}

/// Names in list text: quoted strings, Ruby symbols, `%w[...]` words.
fn list_text(text: &str) -> Vec<String> {
    let t = text.trim();
    if let Some(words) = t
        .strip_prefix("%w[")
        .or_else(|| t.strip_prefix("%i["))
        .or_else(|| t.strip_prefix("%w("))
        .or_else(|| t.strip_prefix("%i("))
    {
        return words
            .trim_end_matches([']', ')'])
            .split_whitespace()
            .map(str::to_string)
            .collect();
    }
    t.trim_matches(['[', ']', '(', ')', ',', ' '])
        .split(',')
        .filter_map(|part| {
            let p = part.trim().trim_matches(['[', ']', '(', ')']).trim();
            let p = p.strip_prefix(':').unwrap_or(p);
            let unquoted = p.trim_matches(['"', '\'', '`']);
            let ok = !unquoted.is_empty()
                && unquoted
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
            ok.then(|| unquoted.to_string())
        })
        .collect()
}

/// A keyword argument's value.
pub fn kwarg<'a>(call: &'a Call, name: &str) -> Option<&'a ArgValue> {
    call.args
        .iter()
        .find(|a| a.keyword.as_deref() == Some(name))
        .map(|a| &a.value)
}

/// The n-th positional argument.
pub fn positional(call: &Call, n: usize) -> Option<&ArgValue> {
    call.args
        .iter()
        .filter(|a: &&Arg| a.keyword.is_none())
        .nth(n)
        .map(|a| &a.value)
}

/// The class or model a value names: `Customer`, `models.Customer` (the
/// last segment), or a local bound to a call that returned it (`const User
/// = sequelize.define(..)`: the local's name).
pub fn model_name<'a>(facts: &'a crate::facts::FileFacts, value: &'a ArgValue) -> Option<&'a str> {
    match value {
        ArgValue::Path(p) if !p.ends_with(')') => p.rsplit('.').next(),
        ArgValue::Call(id) => facts
            .assigns
            .iter()
            .find(|a| a.value == Some(ArgValue::Call(*id)))
            .map(|a| a.target.as_str()),
        _ => None,
    }
}

/// A value inside a map literal (`{ where: { email } }`).
pub fn map_get<'a>(value: &'a ArgValue, key: &str) -> Option<&'a ArgValue> {
    match value {
        ArgValue::Map(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The text of a Ruby double-quoted string with interpolations, as kept in
/// [`ArgValue::Other`] (`"#{prefix}users"`, or pieces joined by `\`), each
/// `#{...}` replaced by what `with` makes of its code. None when the text
/// is not such a string, or was cut short.
pub fn interpolated(value: &ArgValue, with: impl Fn(&str) -> String) -> Option<String> {
    let ArgValue::Other(text) = value else {
        return None;
    };
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '\\').is_some() {}
        match chars.next() {
            None => break,
            Some('"') => {}
            Some(_) => return None,
        }
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    closed = true;
                    break;
                }
                '\\' => out.push(chars.next()?),
                '#' if chars.next_if_eq(&'{').is_some() => {
                    let mut code = String::new();
                    let mut depth = 1usize;
                    for c in chars.by_ref() {
                        depth = match c {
                            '{' => depth + 1,
                            '}' => depth - 1,
                            _ => depth,
                        };
                        if depth == 0 {
                            break;
                        }
                        code.push(c);
                    }
                    if depth != 0 {
                        return None;
                    }
                    out.push_str(&with(code.trim()));
                }
                c => out.push(c),
            }
        }
        if !closed {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolated_strings() {
        let value = ArgValue::Other("\"#{table_name_prefix}users#{table_name_suffix}\"".into());
        assert_eq!(
            interpolated(&value, |_| String::new()).as_deref(),
            Some("users")
        );
        let pieces =
            ArgValue::Other("\"(#{Project.table_name}.lft >= :lft AND \" \\\n  \"x = 1)\"".into());
        assert_eq!(
            interpolated(&pieces, |c| format!("<{c}>")).as_deref(),
            Some("(<Project.table_name>.lft >= :lft AND x = 1)")
        );
        assert_eq!(
            interpolated(&ArgValue::Other("\"cut #{a".into()), |_| String::new()),
            None
        );
        assert_eq!(
            interpolated(&ArgValue::Other("foo(x)".into()), |_| String::new()),
            None
        );
    }

    #[test]
    fn lists_from_values_and_text() {
        assert_eq!(
            str_list(&ArgValue::List(vec![
                ArgValue::Str("a".into()),
                ArgValue::Str("-b".into())
            ])),
            ["a", "-b"]
        );
        assert_eq!(
            str_list(&ArgValue::Other("[\"a\", \"-b\"]".into())),
            ["a", "-b"]
        );
        assert_eq!(
            str_list(&ArgValue::Other("[:user_id, :created_at]".into())),
            ["user_id", "created_at"]
        );
        assert_eq!(str_list(&ArgValue::Other("%w[a b]".into())), ["a", "b"]);
        assert_eq!(
            str_list(&ArgValue::Other("foo(x)".into())),
            Vec::<String>::new()
        );
        assert_eq!(
            str_groups(&ArgValue::Other("((\"a\", \"b\"), (\"c\", \"d\"))".into())),
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["c".into(), "d".into()]
            ]
        );
        assert_eq!(
            str_groups(&ArgValue::Other("(\"a\", \"b\")".into())),
            vec![vec!["a".to_string(), "b".into()]]
        );
    }
}
