//! A cheap pre-parse scan that refuses input nested too deeply for `syn`.
//!
//! `syn`'s parser, its visitor and the `Drop` of its tree all recurse: once
//! per bracket level, and once per link of an operator chain, unary prefix,
//! closure, generic argument list or `return`. This scan walks the raw bytes
//! once, skipping comments and string/char literals, and estimates the stack
//! that recursion needs, without allocating. Costs are in units of about
//! 100 bytes of stack in a release build, measured on `syn` 2 with this
//! extractor: a bracket level takes up to ~8 KB (a closure passed to a call),
//! a `<` that opens generics ~7 KB, a prefix operator or `return` 1-3 KB, a
//! link of a left-associative chain (`.m()`, `+ b`, `?`) under 100 bytes.
//! Chain costs are forgotten at `,`, `;`, `=>` and after a `{ }` block that
//! ends a statement. The budget keeps the worst case near 1.5 MB, inside the
//! default 2 MB of a spawned thread.

/// The deepest bracket nesting accepted.
pub const MAX_BRACKETS: usize = 128;
/// An open bracket.
const BRACKET: usize = 80;
/// `<`, which may open generic arguments.
const ANGLE: usize = 80;
/// A prefix operator (`!x`, `-x`, `*x`, `&x`, `&T`) or a keyword that
/// takes an expression or type (`return`, `move`, `mut`, `dyn` ...).
const PREFIX: usize = 30;
/// `|` opening a closure's parameters, and `=` (right-associative).
const CLOSURE_OR_ASSIGN: usize = 20;
/// `:` of a path (use trees nest per segment) or a type ascription.
const PATH: usize = 5;
/// A link of a left-associative chain: `.`, `?`, a binary operator, `as`, `else`.
const LINK: usize = 1;
/// The largest accepted estimate: the deepest bracket nesting, plus room
/// for a few thousand chain links.
const MAX_UNITS: usize = MAX_BRACKETS * BRACKET + 4096;

/// Checks that `text` is shallow enough to parse and walk safely.
pub fn check(text: &str) -> Result<(), String> {
    let mut scan = Scan::new(text.as_bytes());
    match scan.run() {
        None => Ok(()),
        Some(Refusal::Brackets(at)) => Err(format!(
            "nesting deeper than {MAX_BRACKETS} levels at line {}; skipped to avoid running out of stack",
            line_of(text, at)
        )),
        Some(Refusal::Chain(at)) => Err(format!(
            "an expression nested too deeply (long chains of operators, closures or generics) at line {}; skipped to avoid running out of stack",
            line_of(text, at)
        )),
    }
}

fn line_of(text: &str, at: usize) -> usize {
    let end = at.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

enum Refusal {
    Brackets(usize),
    Chain(usize),
}

/// Scanner state: the open brackets with the chain cost counted at each.
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    costs: [u32; MAX_BRACKETS + 1],
    total: usize,
    /// A `{ }` block just closed: the next token ends the chain unless it
    /// continues the expression (`.`, `?`, an operator, `else`, `as`).
    after_block: bool,
    /// The previous token ends an operand (a name, literal, closing
    /// bracket, `?`), so an operator after it is binary, not prefix.
    after_operand: bool,
    /// End of the last operator character and whether its run is binary:
    /// `&&` after an operand is one binary operator, `&&x` a double prefix.
    run: (usize, bool),
}

impl<'a> Scan<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Scan {
            bytes,
            pos: 0,
            depth: 0,
            costs: [0; MAX_BRACKETS + 1],
            total: 0,
            after_block: false,
            after_operand: false,
            run: (usize::MAX, false),
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn run(&mut self) -> Option<Refusal> {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            let refused = match b {
                b' ' | b'\t' | b'\n' | b'\r' => {
                    self.pos += 1;
                    false
                }
                b'/' if self.peek(1) == b'/' => {
                    self.skip_line();
                    false
                }
                b'/' if self.peek(1) == b'*' => {
                    self.skip_block_comment();
                    false
                }
                b'"' => {
                    self.token_starts(false);
                    self.skip_string();
                    self.after_operand = true;
                    false
                }
                b'\'' => {
                    self.token_starts(false);
                    self.after_operand = self.skip_quote();
                    false
                }
                b'(' | b'[' | b'{' => {
                    self.token_starts(false);
                    self.pos += 1;
                    if self.depth == MAX_BRACKETS {
                        return Some(Refusal::Brackets(self.pos));
                    }
                    self.depth += 1;
                    self.costs[self.depth] = 0;
                    self.after_operand = false;
                    self.total += BRACKET;
                    self.total > MAX_UNITS
                }
                b')' | b']' | b'}' => {
                    self.token_starts(true);
                    self.pos += 1;
                    self.close();
                    self.after_block = b == b'}';
                    self.after_operand = true;
                    false
                }
                b',' | b';' => {
                    self.pos += 1;
                    self.reset_level();
                    self.after_operand = false;
                    false
                }
                b'=' if self.peek(1) == b'>' => {
                    self.pos += 2;
                    self.reset_level();
                    self.after_operand = false;
                    false
                }
                b'.' | b'?' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'!' | b'&' | b'|'
                | b'<' | b'>' | b'=' | b':' => self.operator(b),
                _ if b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80 => self.word(),
                _ => {
                    self.token_starts(false);
                    self.pos += 1;
                    self.after_operand = false;
                    false
                }
            };
            if refused {
                return Some(Refusal::Chain(self.pos));
            }
        }
        None
    }

    /// One operator character; true when the estimate is now too deep.
    fn operator(&mut self, b: u8) -> bool {
        self.token_starts(true);
        let binary = if self.run.0 == self.pos {
            self.run.1
        } else {
            self.after_operand
        };
        let previous = if self.pos > 0 {
            self.bytes[self.pos - 1]
        } else {
            0
        };
        let cost = match b {
            // The second and third characters of `..` / `..=`.
            b'.' | b'=' if previous == b'.' => 0,
            b'<' => ANGLE,
            b':' => PATH,
            b'=' if self.peek(1) == b'=' || matches!(previous, b'=' | b'!' | b'<' | b'>') => LINK,
            b'=' => CLOSURE_OR_ASSIGN,
            b'|' if !binary => CLOSURE_OR_ASSIGN,
            b'!' | b'-' | b'*' | b'&' if !binary => PREFIX,
            _ => LINK,
        };
        self.pos += 1;
        self.run = (self.pos, binary);
        self.after_operand = b == b'?';
        self.add(cost)
    }

    /// Called before each token: after a closed block, a token that does
    /// not continue the expression starts a new statement.
    fn token_starts(&mut self, continues: bool) {
        if self.after_block {
            self.after_block = false;
            if !continues {
                self.reset_level();
            }
        }
    }

    fn reset_level(&mut self) {
        self.after_block = false;
        self.total -= self.costs[self.depth] as usize;
        self.costs[self.depth] = 0;
    }

    fn close(&mut self) {
        self.reset_level();
        if self.depth > 0 {
            self.depth -= 1;
            self.total -= BRACKET;
        }
    }

    /// Adds chain cost at this level; true when the estimate is too deep.
    fn add(&mut self, cost: usize) -> bool {
        self.costs[self.depth] += cost as u32;
        self.total += cost;
        self.total > MAX_UNITS
    }

    /// An identifier, keyword, number or raw/byte string prefix; true when
    /// the estimate is now too deep.
    fn word(&mut self) -> bool {
        let start = self.pos;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80 {
                self.pos += 1;
            } else {
                break;
            }
        }
        let word = &self.bytes[start..self.pos];
        let next = self.peek(0);
        if matches!(word, b"r" | b"br" | b"cr") && (next == b'"' || next == b'#') {
            if self.skip_raw_string() {
                self.token_starts(false);
                self.after_operand = true;
                return false;
            }
            // `r#ident`: a raw identifier.
            self.pos += 1;
        }
        let (cost, operand) = match word {
            b"else" | b"as" => (LINK, false),
            b"return" | b"break" | b"yield" | b"move" | b"async" | b"mut" | b"dyn" | b"impl"
            | b"ref" | b"box" | b"static" | b"const" | b"unsafe" | b"let" | b"in" | b"if"
            | b"match" | b"while" | b"for" => (PREFIX, false),
            _ => (0, true),
        };
        self.token_starts(!operand && cost == LINK);
        self.after_operand = operand;
        cost > 0 && self.add(cost)
    }

    fn skip_line(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        self.pos += 2;
        let mut open = 1usize;
        while self.pos < self.bytes.len() && open > 0 {
            if self.bytes[self.pos] == b'/' && self.peek(1) == b'*' {
                open += 1;
                self.pos += 2;
            } else if self.bytes[self.pos] == b'*' && self.peek(1) == b'/' {
                open -= 1;
                self.pos += 2;
            } else {
                self.pos += 1;
            }
        }
    }

    fn skip_string(&mut self) {
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// `r"..."`, `r#"..."#`: the prefix is consumed and `pos` is on the
    /// first `#` or `"`. False (nothing consumed) when it is no raw string.
    fn skip_raw_string(&mut self) -> bool {
        let mut hashes = 0usize;
        while self.peek(hashes) == b'#' {
            hashes += 1;
        }
        if self.peek(hashes) != b'"' {
            return false;
        }
        self.pos += hashes + 1;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'"' && (1..=hashes).all(|i| self.peek(i) == b'#') {
                self.pos += hashes + 1;
                return true;
            }
            self.pos += 1;
        }
        true
    }

    /// A char literal (`'x'`, `'\n'`, `'é'`) or a lifetime / label (`'a`);
    /// true for a char literal (an operand).
    fn skip_quote(&mut self) -> bool {
        self.pos += 1;
        if self.peek(0) == b'\\' {
            self.pos += 2;
            while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\'' {
                if self.bytes[self.pos] == b'\n' {
                    return true;
                }
                self.pos += 1;
            }
            self.pos += 1;
            return true;
        }
        let width = utf8_width(self.peek(0));
        if self.peek(width) == b'\'' {
            self.pos += width + 1;
            return true;
        }
        false
    }
}

/// Length of the UTF-8 sequence starting with `lead` (1 for anything odd).
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_passes() {
        let src = r##"
            fn main() -> Result<(), Box<dyn Error>> {
                let s = "((((("; let c = '('; let l: &'static str = r#"{{{{"#;
                // ((((((
                /* [[[[ /* nested ]]]] */ */
                let v = vec![1, 2, 3].iter().map(|x| x + 1).filter(|x| *x > 2).collect::<Vec<_>>();
                if a { } else if b { } else { }
                Ok(())
            }
        "##;
        assert_eq!(check(src), Ok(()));
    }

    #[test]
    fn deep_brackets_are_refused_with_their_line() {
        let src = format!(
            "fn f() {{\n let x = {}1{};\n}}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let err = check(&src).unwrap_err();
        assert!(
            err.contains("nesting deeper than 128 levels at line 2"),
            "{err}"
        );
    }

    #[test]
    fn long_chains_are_refused() {
        let src = format!("fn f() {{ let x = a{}; }}", ".b()".repeat(100_000));
        assert!(check(&src).unwrap_err().contains("nested too deeply"));
        for prefix in ["!", "& ", "|| ", "return ", "Vec<", "a = ", "a::"] {
            let src = format!("fn f() {{ let x = {}x; }}", prefix.repeat(2_000));
            assert!(check(&src).is_err(), "{prefix}");
        }
    }

    #[test]
    fn statements_do_not_add_up() {
        let one = "if a { x.f().g(); } else { y.h(); }\n".repeat(5_000);
        let src = format!("fn f() {{ {one} }}");
        assert_eq!(check(&src), Ok(()));
        let calls = "a.b(c, d).e(f + g);\n".repeat(5_000);
        assert_eq!(check(&format!("fn f() {{ {calls} }}")), Ok(()));
        let builder = ".arg(Arg::new(\"x\").long(\"x\").help(\"y\"))\n".repeat(300);
        assert_eq!(
            check(&format!("fn f() {{ Command::new(\"x\"){builder}; }}")),
            Ok(())
        );
        let conditions = "a < b && c.d() || !e\n".repeat(30);
        assert_eq!(check(&format!("fn f() {{ if {conditions} {{}} }}")), Ok(()));
    }

    #[test]
    fn flat_patterns_of_ranges_pass() {
        let arms = "| '\\u{10300}'..='\\u{10323}'\n".repeat(3_000);
        let src =
            format!("fn f(c: char) -> bool {{ match c {{ 'a' {arms} => true, _ => false }} }}");
        assert_eq!(check(&src), Ok(()));
    }

    #[test]
    fn literals_do_not_count() {
        let src = format!(
            "const S: &str = \"{}\"; const R: &str = r#\"{}\"#; const C: char = '(';",
            "(".repeat(1000),
            "\"(".repeat(1000)
        );
        assert_eq!(check(&src), Ok(()));
    }
}
