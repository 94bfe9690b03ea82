//! A small SQL tokenizer for DDL and query statements: words, quoted
//! identifiers, strings, numbers and punctuation, with comments skipped.
//! One forward pass, no recursion; every dialect's quoting (`"x"`,
//! `` `x` ``, `[x]`) is read as an identifier.

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A bare word (keyword or identifier), as written.
    Word(String),
    /// A quoted identifier, without its quotes.
    Quoted(String),
    /// A string literal, without its quotes.
    Str(String),
    /// A number.
    Number(String),
    /// A placeholder: `?`, `$1`, `:name`, `%s`, `@p`.
    Param,
    /// Punctuation or an operator (`(`, `,`, `=`, `<=`, `::`, `||`).
    Punct(String),
}

impl Tok {
    /// Whether this is the keyword `kw` (case-insensitive).
    pub fn is(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    /// Whether this is the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(x) if x == p)
    }

    /// An identifier's name, lower-cased when bare (quoted names are kept).
    pub fn ident(&self) -> Option<String> {
        match self {
            Tok::Word(w) => Some(w.to_lowercase()),
            Tok::Quoted(q) => Some(q.to_lowercase()),
            _ => None,
        }
    }
}

/// A token with its byte offset in the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Byte offset of its first character.
    pub at: usize,
    /// Byte offset one past its last character.
    pub end: usize,
}

/// Cap on tokens per statement: DDL and queries are far shorter; a larger
/// text is cut, never a reason to spend unbounded time.
const MAX_TOKENS: usize = 20_000;

/// Tokenize `sql`.
pub fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() && out.len() < MAX_TOKENS {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if sql[i..].starts_with("--") || c == b'#' && !sql[i..].starts_with("#>") {
            i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if sql[i..].starts_with("/*") {
            i = sql[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            continue;
        }
        let tok = match c {
            b'\'' => {
                let (text, end) = quoted(sql, i, b'\'');
                i = end;
                Tok::Str(text)
            }
            b'"' | b'`' => {
                let (text, end) = quoted(sql, i, c);
                i = end;
                Tok::Quoted(text)
            }
            b'[' if sql[i + 1..].find(']').is_some_and(|n| {
                sql[i + 1..i + 1 + n]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ' ')
                    && n > 0
            }) =>
            {
                let n = sql[i + 1..].find(']').unwrap_or(0);
                i = i + 1 + n + 1;
                Tok::Quoted(sql[start + 1..start + 1 + n].to_string())
            }
            b'?' => {
                i += 1;
                Tok::Param
            }
            b'$' | b':' | b'@' | b'%'
                if bytes
                    .get(i + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'(')
                    && !(c == b':' && out.last().is_some_and(|t: &Token| t.tok.is_punct(":"))) =>
            {
                i += 1;
                if bytes.get(i) == Some(&b'(') {
                    // `%(name)s`
                    i = sql[i..].find(')').map_or(bytes.len(), |n| i + n + 1);
                }
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Tok::Param
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Tok::Number(sql[start..i].to_string())
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Tok::Word(sql[start..i].to_string())
            }
            _ => {
                let two = sql.get(i..i + 2).unwrap_or("");
                let len = if ["<=", ">=", "<>", "!=", "::", "||", "->"].contains(&two) {
                    2
                } else {
                    1
                };
                i += len;
                Tok::Punct(sql[start..i].to_string())
            }
        };
        out.push(Token {
            tok,
            at: start,
            end: i,
        });
    }
    out
}

/// A quoted run starting at `start` (the opening quote); doubled quotes
/// escape. Returns the text and the offset after the closing quote.
fn quoted(sql: &str, start: usize, q: u8) -> (String, usize) {
    let bytes = sql.as_bytes();
    let mut i = start + 1;
    let mut text = String::new();
    let mut run = i;
    while i < bytes.len() {
        if bytes[i] == q {
            text.push_str(&sql[run..i]);
            if bytes.get(i + 1) == Some(&q) {
                text.push(q as char);
                i += 2;
                run = i;
                continue;
            }
            return (text, i + 1);
        }
        if bytes[i] == b'\\' && q == b'\'' && i + 1 < bytes.len() {
            i += 1;
        }
        i += 1;
    }
    text.push_str(sql.get(run..).unwrap_or(""));
    (text, bytes.len())
}

/// Split `toks` at top-level commas (outside parentheses).
pub fn split_commas(toks: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (i, t) in toks.iter().enumerate() {
        match &t.tok {
            Tok::Punct(p) if p == "(" => depth += 1,
            Tok::Punct(p) if p == ")" => depth = depth.saturating_sub(1),
            Tok::Punct(p) if p == "," && depth == 0 => {
                out.push(&toks[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    if from < toks.len() {
        out.push(&toks[from..]);
    }
    out
}

/// The index of the `)` matching the `(` at `open`, or the end.
pub fn matching_paren(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.tok.is_punct("(") {
            depth += 1;
        } else if t.tok.is_punct(")") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i;
            }
        }
    }
    toks.len()
}

/// The text of tokens, compacted: lower-case words, no whitespace
/// (`LOWER( email )` → `lower(email)`).
pub fn compact(toks: &[Token]) -> String {
    let mut out = String::new();
    for t in toks {
        match &t.tok {
            Tok::Word(w) | Tok::Quoted(w) => {
                if out.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    out.push(' ');
                }
                out.push_str(&w.to_lowercase());
            }
            Tok::Str(s) => {
                out.push('\'');
                out.push_str(s);
                out.push('\'');
            }
            Tok::Number(n) => out.push_str(n),
            Tok::Param => out.push('?'),
            Tok::Punct(p) => out.push_str(p),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(sql: &str) -> Vec<Tok> {
        tokenize(sql).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn quoting_comments_and_placeholders() {
        assert_eq!(
            toks("SELECT \"A\", `b`, [c] -- x\n FROM t /* y */ WHERE x = $1 AND y = :n AND z::int = %(p)s"),
            vec![
                Tok::Word("SELECT".into()),
                Tok::Quoted("A".into()),
                Tok::Punct(",".into()),
                Tok::Quoted("b".into()),
                Tok::Punct(",".into()),
                Tok::Quoted("c".into()),
                Tok::Word("FROM".into()),
                Tok::Word("t".into()),
                Tok::Word("WHERE".into()),
                Tok::Word("x".into()),
                Tok::Punct("=".into()),
                Tok::Param,
                Tok::Word("AND".into()),
                Tok::Word("y".into()),
                Tok::Punct("=".into()),
                Tok::Param,
                Tok::Word("AND".into()),
                Tok::Word("z".into()),
                Tok::Punct("::".into()),
                Tok::Word("int".into()),
                Tok::Punct("=".into()),
                Tok::Param,
            ]
        );
        assert_eq!(toks("'it''s'"), vec![Tok::Str("it's".into())]);
        assert_eq!(toks("'open"), vec![Tok::Str("open".into())]);
        assert_eq!(compact(&tokenize("LOWER( Email )")), "lower(email)");
    }

    #[test]
    fn garbage_never_panics() {
        for s in [
            "'", "\"", "`", "[", "/*", "$", "é'ü", "[a", "%(", ":", "::x",
        ] {
            let _ = tokenize(s);
        }
    }
}
