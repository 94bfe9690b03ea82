//! Language-neutral facts extracted from one source file.
//!
//! Every extractor (`src/lang/<language>/`) turns a syntax tree into one
//! [`FileFacts`] and drops the tree. Rules never see syntax: they read these
//! facts, joined across files by the project model (`crate::model`).
//!
//! Naming conventions shared by all extractors:
//! - A *qualified name* (`qname`) is a dotted path: `pkg.module.Class.method`
//!   for Python, `src/lib/config.loadConfig` for JavaScript (module = path
//!   without extension), `crate.db.pool.connect` for Rust (with `::` written as
//!   `.`). Calls resolved to a project function use the same spelling, so the
//!   model can join them with a map lookup.
//! - A *resolved callee* spells what a call invokes after following imports,
//!   aliases and simple local types. A constructor or any call in a receiver
//!   chain is written with `()`: `requests.Session().get`,
//!   `std.process.Command.new().arg().output`. Catalogs (in `rules/catalogs/`)
//!   are matched against this spelling.

use serde::Serialize;

/// Index of a function within [`FileFacts::functions`].
pub type FunctionId = u32;
/// Index of a call within [`FileFacts::calls`].
pub type CallId = u32;
/// Index of a loop within [`FileFacts::loops`].
pub type LoopId = u32;

/// A region of a source file. Lines and columns are 1-based; columns count
/// characters (not bytes) from the start of the line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column of `start`.
    pub column: u32,
    /// 1-based line of the last byte.
    pub end_line: u32,
}

/// The languages faultline reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// `.py`, `.pyi`
    Python,
    /// `.js`, `.mjs`, `.cjs`, `.jsx`
    JavaScript,
    /// `.ts`, `.mts`, `.cts`
    TypeScript,
    /// `.tsx`
    Tsx,
    /// `.rb`
    Ruby,
    /// `.rs`
    Rust,
    /// `.sql`
    Sql,
    /// `.prisma` (Prisma schema)
    Prisma,
}

impl Language {
    /// The language of a file, from its extension.
    pub fn from_path(path: &std::path::Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "py" | "pyi" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "rb" => Language::Ruby,
            "rs" => Language::Rust,
            "sql" => Language::Sql,
            "prisma" => Language::Prisma,
            _ => return None,
        })
    }

    /// The family name used by catalogs and rule metadata (`javascript`
    /// covers TypeScript and TSX too).
    pub fn family(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript | Language::TypeScript | Language::Tsx => "javascript",
            Language::Ruby => "ruby",
            Language::Rust => "rust",
            Language::Sql => "sql",
            Language::Prisma => "prisma",
        }
    }

    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
            Language::TypeScript => "TypeScript",
            Language::Tsx => "TSX",
            Language::Ruby => "Ruby",
            Language::Rust => "Rust",
            Language::Sql => "SQL",
            Language::Prisma => "Prisma",
        }
    }
}

/// What a function-like definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    /// A named free function (`def`, `function`, `fn`).
    Function,
    /// A named function defined in a class or `impl` block.
    Method,
    /// An anonymous function: lambda, arrow function, closure, block.
    Closure,
    /// A Rust `async { }` block.
    AsyncBlock,
}

/// A function, method, closure or async block.
#[derive(Debug, Clone, Serialize)]
pub struct Function {
    /// Name as written; closures get `<lambda>` / `<closure>` / `<arrow>`.
    pub name: String,
    /// Qualified name (see module docs). Closures get their parent's qname
    /// followed by `.<closure>@LINE`.
    pub qname: String,
    /// What kind of definition this is.
    pub kind: FunctionKind,
    /// The whole definition.
    pub span: Span,
    /// `async def`, `async function`, `async fn`, `async` closure/block.
    pub is_async: bool,
    /// Decorators (Python, TS) or attributes (Rust) as written, without `@`/`#[]`
    /// and without arguments: `app.get`, `router.post`, `Get`, `tokio::main`.
    pub decorators: Vec<String>,
    /// Decorators written as calls, as call facts, in order
    /// (`@lru_cache(maxsize=None)`, `@app.get("/x")`).
    pub decorator_calls: Vec<CallId>,
    /// The innermost enclosing function, if any.
    pub parent: Option<FunctionId>,
    /// Name of the enclosing class / impl type, if a method.
    pub class: Option<String>,
    /// Set when the extractor recognises a request handler, naming the
    /// framework (`express`, `fastapi`, `nextjs`, `nestjs`, `django`, `axum` ...).
    pub handler: Option<String>,
    /// For closures and function expressions: the call this closure is passed
    /// to as an argument (e.g. `spawn_blocking(|| ..)`, `items.map(x => ..)`).
    pub passed_to: Option<CallId>,
    /// The values of the function's own `return` statements (not those of
    /// functions nested in it), in order, converted like call arguments; a
    /// bare `return` is [`ArgValue::Null`]. Filled by the Python extractor
    /// only (elsewhere empty: not read). Falling off the end adds nothing.
    pub returns: Vec<ArgValue>,
}

/// How an argument was written, as far as rules care.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum ArgValue {
    /// A string literal (its text, unquoted; truncated to 200 chars).
    Str(String),
    /// A number literal.
    Number(String),
    /// `None`/`null`/`nil`/`undefined`.
    Null,
    /// `True`/`true`/`False`/`false`.
    Bool(bool),
    /// A closure / lambda / function expression defined inline.
    Closure(FunctionId),
    /// A name or dotted path (resolved through imports where possible).
    Path(String),
    /// A list, tuple, array or set literal, element by element (Python
    /// `["a", "-b"]`, Ruby `[:a, :b]`, JS `["a", "b"]`). Nesting deeper than
    /// [`MAX_VALUE_DEPTH`] is kept as [`ArgValue::Other`].
    List(Vec<ArgValue>),
    /// A dict, hash or object literal: keys as written without quotes (Ruby
    /// symbols without `:`), values converted like arguments. JS shorthand
    /// `{ id }` is `("id", Path("id"))`; spreads are skipped.
    Map(Vec<(String, ArgValue)>),
    /// A call (the outermost call of the expression): see [`FileFacts::calls`].
    Call(CallId),
    /// A comparison of two operands (Python `User.email == email`,
    /// `Order.total >= 10`, `x in ids`): the operator as written, spaces
    /// collapsed (`==`, `<=`, `is not`, `not in`). A chained comparison
    /// (`a < b < c`) is [`ArgValue::Other`].
    Compare(Box<ArgValue>, String, Box<ArgValue>),
    /// Anything else (its source text, truncated to 200 chars).
    Other(String),
}

/// How deep [`ArgValue::List`] and [`ArgValue::Map`] nest before the rest is
/// kept as text, so hostile input cannot build a deep value.
pub const MAX_VALUE_DEPTH: usize = 6;

/// One argument of a call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arg {
    /// Keyword / named argument name (`timeout=` in Python, `key:` in Ruby,
    /// an object-literal key is not a keyword).
    pub keyword: Option<String>,
    /// The value.
    pub value: ArgValue,
}

/// A call expression (also: Rust macro invocations such as `sqlx::query!`,
/// written with a trailing `!` in `callee`).
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    /// The callee as written, whitespace removed, receiver chain included and
    /// inner call arguments elided: `requests.get`, `self.session.get`,
    /// `Order.objects.filter().first`, `fs.readFileSync`.
    pub callee: String,
    /// Resolved callee (see module docs), when imports, aliases, `self`, or
    /// a local variable's constructor tell what it is.
    pub resolved: Option<String>,
    /// Last segment of the callee: the function or method name.
    pub name: String,
    /// The call expression (start of callee to closing paren).
    pub span: Span,
    /// The innermost enclosing function (None: module top level).
    pub function: Option<FunctionId>,
    /// Enclosing loops, outermost first.
    pub loops: Vec<LoopId>,
    /// Directly awaited (`await f()`, `f().await`).
    pub awaited: bool,
    /// Arguments, in order.
    pub args: Vec<Arg>,
}

/// What kind of loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    /// `for` / `for ... of` / `for ... in`.
    For,
    /// `async for` / `for await`.
    AsyncFor,
    /// `while` / `loop` / `until` / `do ... while`.
    While,
    /// Comprehension or generator expression.
    Comprehension,
    /// A callback iteration: `.map(cb)`, `.forEach`, `.each do`, `.for_each`.
    Callback,
}

/// A loop, comprehension or iterating callback.
#[derive(Debug, Clone, Serialize)]
pub struct Loop {
    /// What kind of loop.
    pub kind: LoopKind,
    /// The loop statement or iterating call.
    pub span: Span,
    /// The iterated expression as written (`orders`, `Order.objects.all()`,
    /// `items`), truncated to 200 chars; None for `while`.
    pub iterable: Option<String>,
    /// The iterated expression resolved like a callee, where possible.
    pub iterable_resolved: Option<String>,
    /// The innermost enclosing function.
    pub function: Option<FunctionId>,
    /// For `Callback` loops: the call that iterates (`items.map`).
    pub call: Option<CallId>,
    /// Names bound per iteration, in order: `for o in orders` → `o`;
    /// `for (k, v) in` / `for k, v in` → `k`, `v`; `orders.each do |o|`,
    /// `orders.map(o => ..)`, `for (const o of orders)`, `.for_each(|o| ..)`
    /// → `o`. Destructured fields bind their own names. Empty for `while`.
    /// Where a fold's callback takes the accumulator first (Ruby `inject`/
    /// `reduce`, Rust `fold`/`try_fold`/`scan`), the element's names come
    /// first and the accumulator's last: `inject(0) { |sum, o| }` → `o`, `sum`.
    pub bindings: Vec<String>,
}

/// An import / use / require binding.
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    /// What is imported, fully qualified in the file's naming scheme:
    /// `os.path`, `django.db.models.Model`, `src/lib/config.loadConfig`, `fs`.
    pub target: String,
    /// The local name it is bound to.
    pub local: String,
    /// Where.
    pub span: Span,
}

/// A class, struct, model or similar type definition.
#[derive(Debug, Clone, Serialize)]
pub struct Class {
    /// Name as written.
    pub name: String,
    /// Qualified name.
    pub qname: String,
    /// Base classes / superclass / derives, resolved through imports.
    pub bases: Vec<String>,
    /// Decorators / attributes (as for functions).
    pub decorators: Vec<String>,
    /// Decorators written as calls, as call facts, in order (TypeORM
    /// `@Entity("orders")`, `@Index(["a", "b"])`).
    pub decorator_calls: Vec<CallId>,
    /// The whole definition.
    pub span: Span,
}

/// A string literal that holds SQL, or a statement in a `.sql` file.
#[derive(Debug, Clone, Serialize)]
pub struct SqlText {
    /// The SQL, with interpolations replaced by `?`.
    pub text: String,
    /// Where.
    pub span: Span,
    /// The innermost enclosing function.
    pub function: Option<FunctionId>,
}

/// Where an assignment's target lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignScope {
    /// Module / file top level (Python globals, JS top-level `const`/`let`,
    /// Ruby top-level constants, Rust `static`/`const` items, including
    /// `thread_local!`, `lazy_static!` and `static X: LazyLock<..>`).
    Module,
    /// A class body or struct definition: Python class attributes, Django /
    /// SQLAlchemy fields, TS class properties (with their decorators), Ruby
    /// class variables `@@x` and class-level instance variables (`@x` in a
    /// `def self.` method or the class body), Rust struct fields.
    Class,
    /// Inside a function: local variables, and instance attributes
    /// (`self.x = ..`, `this.x = ..`, Ruby `@x` in an instance method).
    /// A function's store to a module-level or class-level name (after
    /// Python `global NAME`, `CACHE[k] = v`, Ruby `@@cache[k] = v`) takes
    /// the scope where the name lives (`Module`/`Class`) and keeps
    /// `function` set.
    Local,
}

/// How a value is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignOp {
    /// `x = v`, `let x = v`, `const x = v`, `static X: T = v`, a declared
    /// field without value (`email: string`, a Rust struct field).
    Bind,
    /// Assign only when unset: Ruby `x ||= v`, JS `x ??= v` / `x ||= v`.
    OrBind,
    /// `x += v` and the other augmented assignments.
    Augmented,
    /// A store into a container by key: `x[k] = v`, `x[k] ||= v`, `x[k] += v`
    /// (a keyed store is `Subscript` whatever its operator). `target` names
    /// the container and `key` the subscript.
    Subscript,
    /// A keyed removal from a container: Python `del x[k]`, JS `delete x[k]`. `target` names
    /// the container and `key` the subscript; there is no value.
    Evict,
}

/// An assignment or declaration: module and class level always; inside
/// functions when the target is a plain name, an attribute of
/// `self`/`this`/`@`, or a subscript of either.
#[derive(Debug, Clone, Serialize)]
pub struct Assign {
    /// The target as written, whitespace removed: `CACHE`, `self._cache`,
    /// `this.cache`, `@@cache`, `@settings`, `orders`. For `op = Subscript`
    /// the container (`CACHE` in `CACHE[key] = v`).
    pub target: String,
    /// The target resolved like a callee: module-level names become
    /// `module.NAME` (also where a function writes to a global, e.g. after
    /// Python `global NAME`), class attributes and `self.x`/`this.x`/`@x`/
    /// `@@x` become `module.Class.x` (sigils dropped, as in method names),
    /// Rust struct fields `module.Struct.field`. None for locals.
    pub resolved: Option<String>,
    /// Where the target lives.
    pub scope: AssignScope,
    /// How it is stored.
    pub op: AssignOp,
    /// The subscript key as written, for `op = Subscript`.
    pub key: Option<String>,
    /// The value, converted like a call argument (`Call` when it is a call,
    /// `Map`/`List` for literals). None for a declaration without a value.
    pub value: Option<ArgValue>,
    /// The declared type as written, whitespace removed: Python
    /// annotations (`Mapped[int]`), TS types (`Map<string,User>`), Rust
    /// types (`Mutex<HashMap<String,User>>`).
    pub annotation: Option<String>,
    /// Decorators / attributes on the declaration, as for functions (TS
    /// `@Column`, `@ManyToOne`; Rust `#[serde]` is kept too).
    pub decorators: Vec<String>,
    /// Decorators written as calls, as call facts, in order (`@Index(["a"])`).
    pub decorator_calls: Vec<CallId>,
    /// The innermost enclosing function.
    pub function: Option<FunctionId>,
    /// Name of the enclosing class / impl / struct, if any.
    pub class: Option<String>,
    /// Enclosing loops, outermost first (as for calls).
    pub loops: Vec<LoopId>,
    /// The whole assignment statement.
    pub span: Span,
}

/// An attribute chain read inside a loop whose root is one of the loop's
/// bindings, e.g. `order.customer.name` in `for order in orders:`. Only the
/// longest chain is recorded (not its prefixes); chains that end in a call
/// are recorded up to the called attribute's receiver (`post.comments` for
/// `post.comments.all()`, whose call is in [`FileFacts::calls`]).
#[derive(Debug, Clone, Serialize)]
pub struct Access {
    /// The chain as written, whitespace removed: `order.customer.name`.
    pub path: String,
    /// The innermost enclosing function.
    pub function: Option<FunctionId>,
    /// Enclosing loops, outermost first (as for calls).
    pub loops: Vec<LoopId>,
    /// Directly awaited (`await post.author`).
    pub awaited: bool,
    /// The chain expression.
    pub span: Span,
}

/// A problem reading or parsing a file that did not stop its analysis.
#[derive(Debug, Clone, Serialize)]
pub struct FileNote {
    /// Human-readable, e.g. `syntax error at line 12; the rest was analysed`.
    pub message: String,
}

/// Everything extracted from one file.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FileFacts {
    /// Module name in the language's qualified-name scheme.
    pub module: String,
    /// Functions, methods, closures.
    pub functions: Vec<Function>,
    /// Calls.
    pub calls: Vec<Call>,
    /// Loops.
    pub loops: Vec<Loop>,
    /// Imports.
    pub imports: Vec<Import>,
    /// Classes / structs / models.
    pub classes: Vec<Class>,
    /// SQL texts.
    pub sql: Vec<SqlText>,
    /// Assignments and declarations.
    pub assigns: Vec<Assign>,
    /// Attribute chains read on loop bindings.
    pub accesses: Vec<Access>,
    /// Non-fatal problems (syntax errors that were recovered from, ...).
    pub notes: Vec<FileNote>,
}
