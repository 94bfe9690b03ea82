//! Assignments, loop bindings and argument values.

use super::*;
use crate::facts::{Assign, AssignOp, AssignScope};

fn assign<'f>(facts: &'f FileFacts, target: &str) -> &'f Assign {
    facts
        .assigns
        .iter()
        .find(|a| a.target == target)
        .unwrap_or_else(|| {
            let targets: Vec<&str> = facts.assigns.iter().map(|a| a.target.as_str()).collect();
            panic!("no assignment to {target}: {targets:?}")
        })
}

fn call_id(facts: &FileFacts, callee: &str) -> u32 {
    facts
        .calls
        .iter()
        .position(|c| c.callee == callee)
        .unwrap_or_else(|| panic!("no call {callee}: {:#?}", callees(facts))) as u32
}

fn s(text: &str) -> ArgValue {
    ArgValue::Str(text.to_string())
}

const CACHED_MODEL: &str = r#"
module Shop
  class Setting < ApplicationRecord
    DEFAULTS = { theme: "light", per_page: 25 }.freeze
    @@cache ||= {}
    @registry = []

    has_many :comments
    has_many :posts, -> { order(:created_at) }, through: :comments

    def self.settings
      @settings ||= Setting.all.to_a
    end

    class << self
      def lookup(key)
        @@cache[key] ||= find_by(key: key)
      end
    end

    def value
      @value = compute
      count = 0
      count += 1
      memo = {}
      memo[:a] = Rails.cache.fetch("k") { load_all }
      @value
    end
  end
end
SETTINGS = Setting.all.to_a
$redis = Redis.new(url: ENV["REDIS_URL"])
"#;

#[test]
fn assignments_have_scope_op_and_resolved_name() {
    let f = facts(CACHED_MODEL);
    type Row<'a> = (
        &'a str,
        Option<&'a str>,
        AssignScope,
        AssignOp,
        Option<&'a str>,
    );
    let summary: Vec<Row> = f
        .assigns
        .iter()
        .map(|a| {
            (
                a.target.as_str(),
                a.resolved.as_deref(),
                a.scope,
                a.op,
                a.key.as_deref(),
            )
        })
        .collect();
    let class = "app/models/user.Shop.Setting";
    let resolved = |name: &str| format!("{class}.{name}");
    let (defaults, cache, registry, settings, value) = (
        resolved("DEFAULTS"),
        resolved("cache"),
        resolved("registry"),
        resolved("settings"),
        resolved("value"),
    );
    use AssignOp::*;
    use AssignScope::*;
    assert_eq!(
        summary,
        [
            ("DEFAULTS", Some(defaults.as_str()), Class, Bind, None),
            ("@@cache", Some(cache.as_str()), Class, OrBind, None),
            ("@registry", Some(registry.as_str()), Class, Bind, None),
            ("@settings", Some(settings.as_str()), Class, OrBind, None),
            (
                "@@cache",
                Some(cache.as_str()),
                Class,
                Subscript,
                Some("key")
            ),
            ("@value", Some(value.as_str()), Local, Bind, None),
            ("count", None, Local, Bind, None),
            ("count", None, Local, Augmented, None),
            ("memo", None, Local, Bind, None),
            ("memo", None, Local, Subscript, Some(":a")),
            (
                "SETTINGS",
                Some("app/models/user.SETTINGS"),
                Module,
                Bind,
                None
            ),
            ("$redis", Some("$redis"), Module, Bind, None),
        ]
    );
    let settings = &f.assigns[3];
    assert_eq!(
        settings.function,
        Some(function_id(&f, "app/models/user.Shop.Setting.settings"))
    );
    assert_eq!(settings.class.as_deref(), Some("Setting"));
    assert_eq!(settings.span.line, 12);
    assert_eq!(f.assigns[0].function, None);
}

#[test]
fn assigned_calls_are_their_call_facts() {
    let f = facts(CACHED_MODEL);
    let at = |i: usize| f.assigns[i].value.clone();
    assert_eq!(
        at(0),
        Some(ArgValue::Call(call_id(
            &f,
            "{theme:\"light\",per_page:25}.freeze"
        )))
    );
    assert_eq!(at(1), Some(ArgValue::Map(Vec::new())));
    assert_eq!(at(2), Some(ArgValue::List(Vec::new())));
    let to_a = call_id(&f, "Setting.all.to_a");
    assert_eq!(at(3), Some(ArgValue::Call(to_a)));
    assert_eq!(
        f.calls[to_a as usize].resolved.as_deref(),
        Some("Setting.all().to_a")
    );
    assert_eq!(at(4), Some(ArgValue::Call(call_id(&f, "find_by"))));
    // A bare method name is a call too.
    assert_eq!(at(5), Some(ArgValue::Call(call_id(&f, "compute"))));
    assert_eq!(at(7), Some(ArgValue::Number("1".into())));
    let fetch = call_id(&f, "Rails.cache.fetch");
    assert_eq!(at(9), Some(ArgValue::Call(fetch)));
    let args = &f.calls[fetch as usize].args;
    assert_eq!(args[0], str_arg("k"));
    let ArgValue::Closure(block) = args[1].value else {
        panic!("block: {args:?}");
    };
    assert_eq!(f.functions[block as usize].passed_to, Some(fetch));
    let redis = call_id(&f, "Redis.new");
    assert_eq!(
        f.assigns.last().and_then(|a| a.value.clone()),
        Some(ArgValue::Call(redis))
    );
    assert_eq!(
        f.calls[redis as usize].args,
        [keyword("url", ArgValue::Other("ENV[\"REDIS_URL\"]".into()))]
    );
    // The SETTINGS value is the top-level call, not the one in the class.
    let top = f
        .calls
        .iter()
        .rposition(|c| c.callee == "Setting.all.to_a")
        .expect("call") as u32;
    assert_eq!(f.assigns[10].value, Some(ArgValue::Call(top)));
}

#[test]
fn lambdas_in_arguments_are_closures() {
    let f = facts(CACHED_MODEL);
    let posts = f
        .calls
        .iter()
        .position(|c| c.callee == "has_many" && c.args[0] == str_arg("posts"))
        .expect("has_many :posts");
    let args = &f.calls[posts].args;
    let ArgValue::Closure(scope) = args[1].value else {
        panic!("scope: {args:?}");
    };
    assert_eq!(f.functions[scope as usize].passed_to, Some(posts as u32));
    assert_eq!(args[2], keyword("through", s("comments")));
    assert_eq!(call(&f, "has_many").args, [str_arg("comments")]);
}

#[test]
fn subscripted_constants_resolve_to_their_definition() {
    let f = facts(
        "TTL = 60\nclass Geo\n  CACHE = {}\n  def self.lookup(ip)\n    CACHE[ip] ||= fetch(ip)\n    \
         ENV[\"GEO\"] = \"1\"\n    TTL[0] = 1\n  end\nend\n",
    );
    let stores: Vec<(&str, Option<&str>, AssignScope)> = f
        .assigns
        .iter()
        .filter(|a| a.op == AssignOp::Subscript)
        .map(|a| (a.target.as_str(), a.resolved.as_deref(), a.scope))
        .collect();
    assert_eq!(
        stores,
        [
            (
                "CACHE",
                Some("app/models/user.Geo.CACHE"),
                AssignScope::Class
            ),
            ("ENV", Some("ENV"), AssignScope::Module),
            ("TTL", Some("app/models/user.TTL"), AssignScope::Module),
        ]
    );
}

#[test]
fn multiple_assignment_pairs_targets_and_values() {
    let f = facts("def m\n  a, @b = 1, load\n  c, d = pair\nend\n");
    let values: Vec<(&str, Option<&ArgValue>)> = f
        .assigns
        .iter()
        .map(|a| (a.target.as_str(), a.value.as_ref()))
        .collect();
    let load = ArgValue::Call(call_id(&f, "load"));
    assert_eq!(
        values,
        [
            ("a", Some(&ArgValue::Number("1".into()))),
            ("@b", Some(&load)),
            ("c", None),
            ("d", None),
        ]
    );
}

#[test]
fn setters_and_nested_subscripts_are_not_assignments() {
    let f = facts("user.name = 'x'\nself.total = 1\nfoo.bar[1] = 2\n");
    assert!(f.assigns.is_empty(), "{:?}", f.assigns);
    call(&f, "user.name=");
}

const SCHEMA: &str = r#"
ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do
  create_table "orders", force: :cascade do |t|
    t.references :user, index: true, foreign_key: true
    t.string "email", null: false
    t.index ["user_id", "created_at"], name: "ix_orders_user_created", unique: true
  end
end
"#;

#[test]
fn schema_calls_carry_lists_and_keywords() {
    let f = facts_in("db/schema", SCHEMA);
    assert_eq!(
        call(&f, "create_table").args[..2],
        [str_arg("orders"), keyword("force", s("cascade"))]
    );
    assert_eq!(
        call(&f, "t.references").args,
        [
            str_arg("user"),
            keyword("index", ArgValue::Bool(true)),
            keyword("foreign_key", ArgValue::Bool(true)),
        ]
    );
    assert_eq!(
        call(&f, "t.string").args,
        [str_arg("email"), keyword("null", ArgValue::Bool(false))]
    );
    assert_eq!(
        call(&f, "t.index").args,
        [
            Arg {
                keyword: None,
                value: ArgValue::List(vec![s("user_id"), s("created_at")]),
            },
            keyword("name", s("ix_orders_user_created")),
            keyword("unique", ArgValue::Bool(true)),
        ]
    );
    assert!(f.loops.is_empty(), "create_table is not a loop");
}

const MIGRATION: &str = r#"
class AddOrdersIndex < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :orders, [:user_id, :created_at], algorithm: :concurrently
    add_index :orders, %i[state placed_at], where: "state = 'open'"
    add_index :users, %w[email]
    add_reference :orders, :account, index: { algorithm: :concurrently, unique: false }
  end
end
"#;

#[test]
fn migration_arguments_are_lists_and_maps() {
    let f = facts_in("db/migrate/20240101_add_orders_index", MIGRATION);
    let adds: Vec<&Vec<Arg>> = f
        .calls
        .iter()
        .filter(|c| c.callee == "add_index")
        .map(|c| &c.args)
        .collect();
    let list = |items: &[&str]| Arg {
        keyword: None,
        value: ArgValue::List(items.iter().map(|i| s(i)).collect()),
    };
    assert_eq!(
        *adds[0],
        [
            str_arg("orders"),
            list(&["user_id", "created_at"]),
            keyword("algorithm", s("concurrently")),
        ]
    );
    assert_eq!(
        *adds[1],
        [
            str_arg("orders"),
            list(&["state", "placed_at"]),
            keyword("where", s("state = 'open'")),
        ]
    );
    assert_eq!(*adds[2], [str_arg("users"), list(&["email"])]);
    assert_eq!(
        call(&f, "add_reference").args[2],
        keyword(
            "index",
            ArgValue::Map(vec![
                ("algorithm".into(), s("concurrently")),
                ("unique".into(), ArgValue::Bool(false)),
            ])
        )
    );
}

#[test]
fn nested_values_hold_calls_and_stop_at_the_depth_cap() {
    let f = facts(
        "Post.includes(comments: { user: :author }, tags: [current_tags, Tag.popular])\n\
         deep = [[[[[[[1]]]]]]]\n",
    );
    let args = &call(&f, "Post.includes").args;
    assert_eq!(
        args[0],
        keyword(
            "comments",
            ArgValue::Map(vec![("user".into(), s("author"))])
        )
    );
    assert_eq!(
        args[1],
        keyword(
            "tags",
            ArgValue::List(vec![
                ArgValue::Call(call_id(&f, "current_tags")),
                ArgValue::Call(call_id(&f, "Tag.popular")),
            ])
        )
    );
    let mut value = assign(&f, "deep").value.clone().expect("value");
    let mut depth = 0;
    while let ArgValue::List(mut items) = value {
        depth += 1;
        value = items.pop().expect("item");
    }
    assert_eq!(depth, crate::facts::MAX_VALUE_DEPTH);
    assert_eq!(value, ArgValue::Other("[1]".into()));
}

#[test]
fn loops_bind_block_parameters_and_for_patterns() {
    let f = facts(
        "orders.each do |o|\n  o.user\nend\n\
         orders.each_with_object({}) { |o, memo| memo[o.id] = o }\n\
         totals.each_pair { |(k, v)| k }\n\
         orders.inject(0) { |sum, o| sum + o.total }\n\
         User.find_each(batch_size: 100) { |user; tmp| user }\n\
         orders.map(&:id)\n\
         for a, (b, c) in rows do a end\n\
         for x in xs do x end\n\
         loop do break end\n",
    );
    let bindings: Vec<Vec<&str>> = f
        .loops
        .iter()
        .map(|l| l.bindings.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        bindings,
        [
            vec!["o"],
            vec!["o", "memo"],
            vec!["k", "v"],
            vec!["o", "sum"],
            vec!["user"],
            vec![],
            vec!["a", "b", "c"],
            vec!["x"],
            vec![],
        ]
    );
    let memo = f
        .assigns
        .iter()
        .find(|a| a.op == AssignOp::Subscript)
        .expect("memo[o.id] = o");
    assert_eq!(
        (memo.target.as_str(), memo.key.as_deref()),
        ("memo", Some("o.id"))
    );
    assert_eq!(memo.loops, [1]);
    assert_eq!(memo.value, Some(ArgValue::Path("o".into())));
}

#[test]
fn deep_values_do_not_overflow() {
    let depth = 100_000;
    let hashes = format!("x = {}1{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    let f = facts(&hashes);
    assert_eq!(f.assigns.len(), 1);
    let args = format!("foo({}1{})\n", "[bar(".repeat(depth), ")]".repeat(depth));
    let f = facts(&args);
    assert!(f.calls.len() > depth);
    assert!(f.calls.iter().flat_map(|c| &c.args).all(|a| !matches!(
        a.value,
        ArgValue::Call(u32::MAX) | ArgValue::Closure(u32::MAX)
    )));
}
