//! Extractor for Prisma schemas (`schema.prisma`): a hand-written reader
//! (no grammar crate reads Prisma well), one forward pass over tokens, no
//! recursion, tolerant of anything it does not understand (a line it
//! cannot read is skipped, and the file gets a note).
//!
//! Prisma declarations become the same facts as ORM classes elsewhere:
//! - `model User { ... }` → a [`Class`] named `User` with base
//!   `prisma.Model` (`view` blocks too); block attributes (`@@map("users")`,
//!   `@@index([authorId])`, `@@unique`, `@@id`) are its decorators, and
//!   each one is a decorator call with its arguments;
//! - each field → a class-scope [`Assign`] with `target` = the field name,
//!   `annotation` = its type as written (`String?`, `Post[]`), and its
//!   attributes (`@id`, `@unique`, `@map("x")`, `@relation(fields: [a],
//!   references: [id])`) as decorators and decorator calls;
//! - `datasource db { provider = "postgresql" }` → a module-scope
//!   [`Assign`] `datasource.provider` with the provider as value.
//!
//! Attribute arguments: strings are `Str`, bare names `Path`, `[a, b]`
//! lists of names `List`, named arguments (`fields:`) keywords; a name
//! followed by arguments in a list (`createdAt(sort: Desc)`) is its name.

mod tokens;

use super::SourceFile;
use crate::facts::{
    Arg, ArgValue, Assign, AssignOp, AssignScope, Call, Class, FileFacts, FileNote, Span,
};
use tokens::{tokenize, Kind, Token};

/// Extract facts from a Prisma schema.
pub fn extract(src: &SourceFile) -> Result<FileFacts, String> {
    let toks = tokenize(src.text);
    let mut reader = Reader {
        toks: &toks,
        pos: 0,
        module: src.module,
        facts: FileFacts::default(),
        skipped_lines: Vec::new(),
    };
    reader.file();
    let mut facts = reader.facts;
    if let Some(first) = reader.skipped_lines.first() {
        facts.notes.push(FileNote {
            message: format!(
                "{} line{} not understood (first at line {first}); the rest was analysed",
                reader.skipped_lines.len(),
                if reader.skipped_lines.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
        });
    }
    Ok(facts)
}

/// Parse only: the reader is the parser.
pub fn parse(src: &SourceFile) -> Result<(), String> {
    tokenize(src.text);
    Ok(())
}

struct Reader<'t, 's> {
    toks: &'t [Token<'s>],
    pos: usize,
    module: &'s str,
    facts: FileFacts,
    skipped_lines: Vec<u32>,
}

impl<'t, 's> Reader<'t, 's> {
    fn peek(&self) -> Option<&'t Token<'s>> {
        self.toks.get(self.pos)
    }

    fn at_punct(&self, p: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Punct && t.text == p)
    }

    fn skip_newlines(&mut self) {
        while self.peek().is_some_and(|t| t.kind == Kind::Newline) {
            self.pos += 1;
        }
    }

    /// Skip to the end of the current line.
    fn skip_line(&mut self) {
        while let Some(t) = self.peek() {
            self.pos += 1;
            if t.kind == Kind::Newline {
                break;
            }
        }
    }

    /// Top level: `keyword Name {` blocks.
    fn file(&mut self) {
        loop {
            self.skip_newlines();
            let Some(keyword) = self.peek() else { break };
            let name = self.toks.get(self.pos + 1);
            let open = self.toks.get(self.pos + 2);
            let block = keyword.kind == Kind::Word
                && name.is_some_and(|n| n.kind == Kind::Word)
                && open.is_some_and(|o| o.text == "{");
            if !block {
                self.skipped_lines.push(keyword.line);
                self.skip_line();
                continue;
            }
            let (Some(name), Some(open)) = (name, open) else {
                break;
            };
            self.pos += 3;
            match keyword.text {
                "model" | "view" => self.model(keyword, name),
                "datasource" => self.datasource(),
                _ => self.skip_block(),
            }
            let _ = open;
        }
    }

    /// Skip to the closing `}` of a block (blocks do not nest in Prisma).
    fn skip_block(&mut self) {
        while let Some(t) = self.peek() {
            self.pos += 1;
            if t.text == "}" && t.kind == Kind::Punct {
                break;
            }
        }
    }

    /// `provider = "postgresql"` inside a datasource.
    fn datasource(&mut self) {
        loop {
            self.skip_newlines();
            let Some(t) = self.peek() else { return };
            if t.kind == Kind::Punct && t.text == "}" {
                self.pos += 1;
                return;
            }
            let is_provider =
                t.text == "provider" && self.toks.get(self.pos + 1).is_some_and(|e| e.text == "=");
            if is_provider {
                if let Some(value) = self.toks.get(self.pos + 2).filter(|v| v.kind == Kind::Str) {
                    self.facts.assigns.push(Assign {
                        target: "datasource.provider".into(),
                        resolved: None,
                        scope: AssignScope::Module,
                        op: AssignOp::Bind,
                        key: None,
                        value: Some(ArgValue::Str(value.unquoted().to_string())),
                        annotation: None,
                        decorators: Vec::new(),
                        decorator_calls: Vec::new(),
                        function: None,
                        class: None,
                        loops: Vec::new(),
                        span: span_of(t, value),
                    });
                }
            }
            self.skip_line();
        }
    }

    fn model(&mut self, keyword: &Token, name: &Token) {
        let class_index = self.facts.classes.len();
        self.facts.classes.push(Class {
            name: name.text.to_string(),
            qname: format!("{}.{}", self.module, name.text),
            bases: vec!["prisma.Model".into()],
            decorators: Vec::new(),
            decorator_calls: Vec::new(),
            span: span_of(keyword, keyword),
        });
        let mut last = name;
        loop {
            self.skip_newlines();
            let Some(t) = self.peek() else { break };
            last = t;
            if t.kind == Kind::Punct && t.text == "}" {
                self.pos += 1;
                break;
            }
            if t.kind == Kind::Attr && t.text.starts_with("@@") {
                self.pos += 1;
                let call = self.attribute(t, &t.text[2..]);
                let class = &mut self.facts.classes[class_index];
                class.decorators.push(t.text[2..].to_string());
                if let Some(call) = call {
                    class.decorator_calls.push(call);
                }
                self.skip_line();
                continue;
            }
            if t.kind != Kind::Word {
                self.skipped_lines.push(t.line);
                self.skip_line();
                continue;
            }
            self.field(t, name.text);
        }
        let end = span_of(last, last);
        let class = &mut self.facts.classes[class_index];
        class.span.end = end.end;
        class.span.end_line = end.end_line;
    }

    /// `name Type? @attr(...) @attr`.
    fn field(&mut self, name: &'t Token<'s>, model: &str) {
        self.pos += 1;
        let mut annotation = String::new();
        let mut end = name;
        while let Some(t) = self.peek() {
            let type_part = t.kind == Kind::Word
                || (t.kind == Kind::Punct && matches!(t.text, "?" | "[" | "]" | "." | "(" | ")"));
            if !type_part || (t.text == "(" && annotation.is_empty()) {
                break;
            }
            // `Unsupported("circle")` keeps its argument in the type.
            if t.text == "(" {
                while let Some(u) = self.peek() {
                    annotation.push_str(u.text);
                    self.pos += 1;
                    if u.text == ")" {
                        break;
                    }
                }
                continue;
            }
            annotation.push_str(t.text);
            end = t;
            self.pos += 1;
        }
        let mut decorators = Vec::new();
        let mut decorator_calls = Vec::new();
        while let Some(t) = self.peek() {
            if t.kind == Kind::Newline {
                break;
            }
            self.pos += 1;
            if t.kind == Kind::Attr && !t.text.starts_with("@@") {
                let attr = &t.text[1..];
                decorators.push(attr.to_string());
                if let Some(call) = self.attribute(t, attr) {
                    decorator_calls.push(call);
                }
                end = self.toks.get(self.pos.saturating_sub(1)).unwrap_or(t);
            }
        }
        self.facts.assigns.push(Assign {
            target: name.text.to_string(),
            resolved: Some(format!("{}.{model}.{}", self.module, name.text)),
            scope: AssignScope::Class,
            op: AssignOp::Bind,
            key: None,
            value: None,
            annotation: (!annotation.is_empty()).then_some(annotation),
            decorators,
            decorator_calls,
            function: None,
            class: Some(model.to_string()),
            loops: Vec::new(),
            span: span_of(name, end),
        });
    }

    /// An attribute's arguments, when written with parentheses: a call
    /// fact named after the attribute (`relation`, `index`, `map`).
    fn attribute(&mut self, at: &'t Token<'s>, name: &str) -> Option<u32> {
        if !self.at_punct("(") {
            return None;
        }
        self.pos += 1;
        let mut args = Vec::new();
        let mut end = at;
        while let Some(t) = self.peek() {
            if t.kind == Kind::Newline {
                break;
            }
            if t.kind == Kind::Punct && t.text == ")" {
                end = t;
                self.pos += 1;
                break;
            }
            if t.kind == Kind::Punct && t.text == "," {
                self.pos += 1;
                continue;
            }
            let keyword = (t.kind == Kind::Word
                && self.toks.get(self.pos + 1).is_some_and(|c| c.text == ":"))
            .then(|| t.text.to_string());
            if keyword.is_some() {
                self.pos += 2;
            }
            let value = self.value();
            args.push(Arg { keyword, value });
        }
        let id = self.facts.calls.len() as u32;
        self.facts.calls.push(Call {
            callee: format!(
                "{}{name}",
                if at.text.starts_with("@@") { "@@" } else { "@" }
            ),
            resolved: Some(format!("prisma.{name}")),
            name: name.to_string(),
            span: span_of(at, end),
            function: None,
            loops: Vec::new(),
            awaited: false,
            args,
        });
        Some(id)
    }

    /// One argument value; lists are read one level deep.
    fn value(&mut self) -> ArgValue {
        let Some(t) = self.peek() else {
            return ArgValue::Other(String::new());
        };
        self.pos += 1;
        match t.kind {
            Kind::Str => ArgValue::Str(t.unquoted().to_string()),
            Kind::Number => ArgValue::Number(t.text.to_string()),
            Kind::Word if t.text == "true" || t.text == "false" => ArgValue::Bool(t.text == "true"),
            Kind::Word => {
                let mut path = t.text.to_string();
                while self.at_punct(".") {
                    match self.toks.get(self.pos + 1) {
                        Some(n) if n.kind == Kind::Word => {
                            path.push('.');
                            path.push_str(n.text);
                            self.pos += 2;
                        }
                        _ => break,
                    }
                }
                if self.at_punct("(") {
                    self.skip_group();
                }
                ArgValue::Path(path)
            }
            Kind::Punct if t.text == "[" => {
                let mut items = Vec::new();
                while let Some(u) = self.peek() {
                    if u.kind == Kind::Newline {
                        break;
                    }
                    self.pos += 1;
                    match u.kind {
                        Kind::Punct if u.text == "]" => break,
                        Kind::Word => {
                            items.push(ArgValue::Path(u.text.to_string()));
                            if self.at_punct("(") {
                                self.skip_group();
                            }
                        }
                        Kind::Str => items.push(ArgValue::Str(u.unquoted().to_string())),
                        _ => {}
                    }
                }
                ArgValue::List(items)
            }
            _ => ArgValue::Other(t.text.to_string()),
        }
    }

    /// Skip a parenthesised group on the current line.
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if t.kind == Kind::Newline {
                return;
            }
            self.pos += 1;
            if t.text == "(" {
                depth += 1;
            } else if t.text == ")" {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            }
        }
    }
}

fn span_of(first: &Token, last: &Token) -> Span {
    Span {
        start: first.start as u32,
        end: (last.start + last.text.len()) as u32,
        line: first.line,
        column: first.column,
        end_line: last.line,
    }
}

#[cfg(test)]
mod tests;
