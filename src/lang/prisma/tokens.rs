//! Prisma schema tokens: words, `@attr`/`@@attr`, strings, numbers,
//! punctuation and newlines (Prisma is line-oriented), with `//` comments
//! skipped. One pass; positions in bytes, lines and character columns.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name or keyword.
    Word,
    /// `@id`, `@@index`, `@db.VarChar`.
    Attr,
    /// A string literal, quotes included.
    Str,
    /// A number.
    Number,
    /// One punctuation character.
    Punct,
    /// End of a line.
    Newline,
}

/// A token.
#[derive(Debug, Clone, Copy)]
pub struct Token<'s> {
    /// What it is.
    pub kind: Kind,
    /// Its text.
    pub text: &'s str,
    /// Byte offset.
    pub start: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based character column.
    pub column: u32,
}

impl<'s> Token<'s> {
    /// A string's contents.
    pub fn unquoted(&self) -> &'s str {
        let t = self.text.strip_prefix('"').unwrap_or(self.text);
        t.strip_suffix('"').unwrap_or(t)
    }
}

/// Tokenize a schema.
pub fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    let mut line = 1u32;
    // Columns advance with the tokens, so long lines cost linear time.
    let mut seen = 0usize;
    let mut col = 1u32;
    while let Some((i, c)) = chars.next() {
        col += src.get(seen..i).map_or(0, |s| s.chars().count() as u32);
        seen = i;
        let column = col;
        let token = |kind, end: usize, line| Token {
            kind,
            text: &src[i..end],
            start: i,
            line,
            column,
        };
        let end_while = |chars: &mut std::iter::Peekable<std::str::CharIndices>,
                         f: &dyn Fn(char) -> bool| {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !f(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            end
        };
        match c {
            '\n' => {
                out.push(token(Kind::Newline, i + 1, line));
                line += 1;
                seen = i + 1;
                col = 1;
            }
            _ if c.is_whitespace() => {}
            '/' if chars.peek().is_some_and(|&(_, d)| d == '/') => {
                while chars.peek().is_some_and(|&(_, d)| d != '\n') {
                    chars.next();
                }
            }
            '"' => {
                let mut end = src.len();
                let mut escaped = false;
                while let Some(&(j, d)) = chars.peek() {
                    if d == '\n' {
                        end = j;
                        break;
                    }
                    chars.next();
                    if d == '"' && !escaped {
                        end = j + 1;
                        break;
                    }
                    escaped = d == '\\' && !escaped;
                }
                out.push(token(Kind::Str, end, line));
            }
            '@' => {
                let end = end_while(&mut chars, &|d| {
                    d.is_alphanumeric() || d == '_' || d == '@' || d == '.'
                });
                out.push(token(Kind::Attr, end, line));
            }
            _ if c.is_ascii_digit() || c == '-' => {
                let end = end_while(&mut chars, &|d| d.is_ascii_alphanumeric() || d == '.');
                out.push(token(Kind::Number, end, line));
            }
            _ if c.is_alphanumeric() || c == '_' => {
                let end = end_while(&mut chars, &|d| d.is_alphanumeric() || d == '_');
                out.push(token(Kind::Word, end, line));
            }
            _ => out.push(token(Kind::Punct, i + c.len_utf8(), line)),
        }
    }
    out
}
