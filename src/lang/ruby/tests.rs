use super::*;
use crate::facts::{Arg, ArgValue, Call, Function, FunctionKind, Language, LoopKind};

fn facts_in(module: &str, text: &str) -> FileFacts {
    let path = format!("{module}.rb");
    let src = SourceFile {
        path: &path,
        text,
        language: Language::Ruby,
        module,
    };
    extract(&src).expect("extract")
}

fn facts(text: &str) -> FileFacts {
    facts_in("app/models/user", text)
}

fn call<'f>(facts: &'f FileFacts, callee: &str) -> &'f Call {
    facts
        .calls
        .iter()
        .find(|c| c.callee == callee)
        .unwrap_or_else(|| panic!("no call {callee}: {:#?}", callees(facts)))
}

fn callees(facts: &FileFacts) -> Vec<&str> {
    facts.calls.iter().map(|c| c.callee.as_str()).collect()
}

fn resolved<'f>(facts: &'f FileFacts, callee: &str) -> Option<&'f str> {
    call(facts, callee).resolved.as_deref()
}

fn function<'f>(facts: &'f FileFacts, qname: &str) -> &'f Function {
    facts
        .functions
        .iter()
        .find(|f| f.qname == qname)
        .unwrap_or_else(|| {
            let names: Vec<&str> = facts.functions.iter().map(|f| f.qname.as_str()).collect();
            panic!("no function {qname}: {names:#?}")
        })
}

fn function_id(facts: &FileFacts, qname: &str) -> u32 {
    facts
        .functions
        .iter()
        .position(|f| f.qname == qname)
        .expect("function") as u32
}

fn str_arg(value: &str) -> Arg {
    Arg {
        keyword: None,
        value: ArgValue::Str(value.to_string()),
    }
}

fn keyword(key: &str, value: ArgValue) -> Arg {
    Arg {
        keyword: Some(key.to_string()),
        value,
    }
}

const MODEL: &str = r#"
module Shop
  class User < ApplicationRecord
    has_many :orders, dependent: :destroy
    belongs_to :org, optional: true
    validates :email, presence: true
    scope :active, -> { where(active: true) }

    def self.admins
      where(admin: true).order(:name)
    end

    def total
      orders.sum(&:amount) + helper
    end

    def helper
      self.total
    end

    class << self
      def recent
        admins.limit(10)
      end
    end
  end
end
"#;

#[test]
fn methods_are_named_after_module_and_classes() {
    let f = facts(MODEL);
    let admins = function(&f, "app/models/user.Shop.User.admins");
    assert_eq!(admins.kind, FunctionKind::Method);
    assert_eq!(admins.name, "admins");
    assert_eq!(admins.class.as_deref(), Some("User"));
    assert!(admins.decorators.is_empty() && !admins.is_async);
    assert_eq!(
        function(&f, "app/models/user.Shop.User.total").kind,
        FunctionKind::Method
    );
    function(&f, "app/models/user.Shop.User.recent");
    let lambda = function(&f, "app/models/user.Shop.User.<lambda>@7");
    assert_eq!(lambda.kind, FunctionKind::Closure);
    assert_eq!(lambda.parent, None);
    let top = facts_in(
        "lib/tasks",
        "def run\n  puts 1\nend\n[1].each { |i| p i }\n",
    );
    assert_eq!(function(&top, "lib/tasks.<lambda>@4").parent, None);
    let run = function(&top, "lib/tasks.run");
    assert_eq!(
        (run.kind, run.class.as_deref()),
        (FunctionKind::Function, None)
    );
}

#[test]
fn classes_and_modules_resolve_their_superclass() {
    let f = facts(
        "module Shop\n  class User < ApplicationRecord\n  end\nend\n\
         class Admin::Order < ActiveRecord::Base; end\n\
         class CreateUsers < ActiveRecord::Migration[7.1]\nend\n\
         class Point < Struct.new(:x, :y); end\n",
    );
    let classes: Vec<(&str, &str, Vec<&str>)> = f
        .classes
        .iter()
        .map(|c| {
            let bases = c.bases.iter().map(String::as_str).collect();
            (c.name.as_str(), c.qname.as_str(), bases)
        })
        .collect();
    assert_eq!(
        classes,
        [
            ("Shop", "app/models/user.Shop", vec![]),
            (
                "User",
                "app/models/user.Shop.User",
                vec!["ApplicationRecord"]
            ),
            (
                "Admin::Order",
                "app/models/user.Admin.Order",
                vec!["ActiveRecord.Base"]
            ),
            (
                "CreateUsers",
                "app/models/user.CreateUsers",
                vec!["ActiveRecord.Migration"]
            ),
            ("Point", "app/models/user.Point", vec!["Struct.new()"]),
        ]
    );
    assert_eq!(f.classes[1].span.line, 2);
    assert_eq!(f.classes[1].span.end_line, 3);
}

#[test]
fn class_body_calls_keep_symbol_and_keyword_arguments() {
    let f = facts(MODEL);
    let has_many = call(&f, "has_many");
    assert_eq!(has_many.function, None);
    assert_eq!(has_many.name, "has_many");
    assert_eq!(has_many.resolved.as_deref(), Some("Shop.User.has_many"));
    assert_eq!(
        has_many.args,
        [
            str_arg("orders"),
            keyword("dependent", ArgValue::Str("destroy".into()))
        ]
    );
    assert_eq!(
        call(&f, "belongs_to").args,
        [str_arg("org"), keyword("optional", ArgValue::Bool(true))]
    );
    let user = &f.classes[1];
    assert!(user.span.start <= has_many.span.start && has_many.span.end <= user.span.end);
    let scope = call(&f, "scope");
    let lambda = function_id(&f, "app/models/user.Shop.User.<lambda>@7");
    assert_eq!(scope.args[1].value, ArgValue::Closure(lambda));
    let scope_id = f
        .calls
        .iter()
        .position(|c| c.callee == "scope")
        .map(|i| i as u32);
    assert_eq!(f.functions[lambda as usize].passed_to, scope_id);
}

#[test]
fn receiverless_calls_resolve_against_the_class() {
    let f = facts(MODEL);
    // Inside a scope lambda and a class method, `self` is the class.
    assert_eq!(resolved(&f, "where"), Some("Shop.User.where"));
    assert_eq!(
        resolved(&f, "where().order"),
        Some("Shop.User.where().order")
    );
    // A method the class defines resolves to its qualified name.
    assert_eq!(
        resolved(&f, "helper"),
        Some("app/models/user.Shop.User.helper")
    );
    assert_eq!(
        resolved(&f, "self.total"),
        Some("app/models/user.Shop.User.total")
    );
    assert_eq!(
        resolved(&f, "admins.limit"),
        Some("app/models/user.Shop.User.admins().limit")
    );
    // `orders` is no variable: a call on self, undefined here.
    assert_eq!(resolved(&f, "orders"), Some("orders"));
    assert_eq!(resolved(&f, "orders.sum"), Some("orders().sum"));
}

#[test]
fn local_and_instance_variables_carry_their_type() {
    let f = facts(
        "class OrdersController < ApplicationController\n\
         def show\n\
           user = User.find(params[:id])\n\
           user.orders.each { |o| o.items.to_a }\n\
           @order = Order.find_by(id: 1)\n\
           @order.line_items.first\n\
           svc = Billing::Client.new\n\
           svc.charge!(1)\n\
           user = compute\n\
           user.reload\n\
           ActiveRecord::Base.connection.execute('x')\n\
         end\n\
         def update(order)\n\
           order.save\n\
         end\n\
         end\n",
    );
    assert_eq!(
        resolved(&f, "user.orders.each"),
        Some("User.find().orders().each")
    );
    assert_eq!(resolved(&f, "o.items.to_a"), None);
    assert_eq!(
        resolved(&f, "@order.line_items.first"),
        Some("Order.find_by().line_items().first")
    );
    assert_eq!(
        resolved(&f, "svc.charge!"),
        Some("Billing.Client.new().charge!")
    );
    assert_eq!(resolved(&f, "user.reload"), Some("compute().reload"));
    assert_eq!(
        resolved(&f, "ActiveRecord::Base.connection.execute"),
        Some("ActiveRecord.Base.connection().execute")
    );
    assert_eq!(resolved(&f, "order.save"), None, "a parameter is unknown");
    assert_eq!(resolved(&f, "params"), Some("params"));
}

#[test]
fn variables_follow_ruby_scoping() {
    let f = facts(
        "def a\n  x = User.new\n  [1].each { |x| x.foo }\n  items.each { y = 1; y.bar }\n  y.baz\n  x.qux\nend\n\
         def b\n  x.quux\nend\n",
    );
    assert_eq!(resolved(&f, "x.foo"), None, "a block parameter shadows");
    assert_eq!(resolved(&f, "y.bar"), None);
    assert_eq!(
        resolved(&f, "y.baz"),
        Some("y().baz"),
        "block locals end with the block"
    );
    assert_eq!(resolved(&f, "x.qux"), Some("User.new().qux"));
    assert_eq!(
        resolved(&f, "x.quux"),
        Some("x().quux"),
        "def does not see outer locals"
    );
    let bare: Vec<&str> = f
        .calls
        .iter()
        .filter(|c| c.callee == "x" || c.callee == "y")
        .map(|c| c.callee.as_str())
        .collect();
    assert_eq!(
        bare,
        ["y", "x"],
        "bare identifiers that are no variable are calls"
    );
}

#[test]
fn safe_navigation_super_commands_and_setters() {
    let f = facts(
        "class A < B\n  def save(u)\n    u&.profile&.touch\n    super\n    super(1)\n    puts u\n    u.name = 'x'\n    u.count ||= 0\n  end\nend\n",
    );
    assert_eq!(call(&f, "u&.profile&.touch").name, "touch");
    let typed = facts("user = User.first\nuser&.orders&.first\n");
    assert_eq!(
        resolved(&typed, "user&.orders&.first"),
        Some("User.first().orders().first")
    );
    assert_eq!(resolved(&f, "super"), None);
    assert_eq!(f.calls.iter().filter(|c| c.callee == "super").count(), 2);
    assert_eq!(
        call(&f, "puts").args,
        [Arg {
            keyword: None,
            value: ArgValue::Path("u".into())
        }]
    );
    assert_eq!(call(&f, "u.name=").name, "name=");
    call(&f, "u.count=");
}

#[test]
fn constants_resolve_to_dotted_paths() {
    let f = facts("Net::HTTP.get(URI('x'))\n::Rails.logger.info('a')\nFoo::bar(1)\n");
    assert_eq!(resolved(&f, "Net::HTTP.get"), Some("Net.HTTP.get"));
    assert_eq!(
        resolved(&f, "::Rails.logger.info"),
        Some("Rails.logger().info")
    );
    assert_eq!(resolved(&f, "Foo::bar"), Some("Foo.bar"));
    assert_eq!(resolved(&f, "URI"), Some("URI"));
}

#[test]
fn top_level_methods_resolve_to_the_file() {
    let f = facts_in(
        "script/report",
        "def load_rows\n  []\nend\nload_rows.each { |r| p r }\n",
    );
    assert_eq!(
        resolved(&f, "load_rows.each"),
        Some("script/report.load_rows().each")
    );
}

#[test]
fn loops_include_find_each_and_nested_iteration() {
    let f = facts(
        "def sync\n\
           User.where(active: true).find_each do |user|\n\
             user.orders.each_with_index do |order, i|\n\
               order.customer.name\n\
             end\n\
           end\n\
           for item in Item.all do item.touch end\n\
           while running? do step end\n\
           retry_it until done?\n\
           loop do tick end\n\
           3.times { ping }\n\
           posts.map(&:author)\n\
           Thread.new { work }\n\
         end\n",
    );
    let kinds: Vec<(LoopKind, Option<&str>, Option<&str>)> = f
        .loops
        .iter()
        .map(|l| {
            (
                l.kind,
                l.iterable.as_deref(),
                l.iterable_resolved.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                LoopKind::Callback,
                Some("User.where(active: true)"),
                Some("User.where()")
            ),
            (LoopKind::Callback, Some("user.orders"), None),
            (LoopKind::For, Some("Item.all"), Some("Item.all()")),
            (LoopKind::While, None, None),
            (LoopKind::While, None, None),
            (LoopKind::While, None, None),
            (LoopKind::Callback, Some("3"), None),
            (LoopKind::Callback, Some("posts"), Some("posts()")),
        ]
    );
    let find_each = f
        .calls
        .iter()
        .position(|c| c.name == "find_each")
        .map(|i| i as u32);
    assert_eq!(f.loops[0].call, find_each);
    let sync = Some(function_id(&f, "app/models/user.sync"));
    assert_eq!(f.loops[0].function, sync);
    assert_eq!(call(&f, "User.where().find_each").loops, Vec::<u32>::new());
    assert_eq!(call(&f, "User.where").loops, Vec::<u32>::new());
    assert_eq!(call(&f, "user.orders").loops, [0]);
    assert_eq!(call(&f, "order.customer.name").loops, [0, 1]);
    assert_eq!(
        call(&f, "Item.all").loops,
        Vec::<u32>::new(),
        "the iterable runs once"
    );
    assert_eq!(call(&f, "item.touch").loops, [2]);
    assert_eq!(call(&f, "running?").loops, [3]);
    assert_eq!(call(&f, "step").loops, [3]);
    assert_eq!(call(&f, "retry_it").loops, [4]);
    assert_eq!(call(&f, "tick").loops, [5]);
    assert_eq!(call(&f, "ping").loops, [6]);
    assert_eq!(
        call(&f, "work").loops,
        Vec::<u32>::new(),
        "Thread.new does not iterate"
    );
    let inner = function(&f, "app/models/user.sync.<lambda>@2.<lambda>@3");
    assert_eq!(
        inner.parent,
        Some(function_id(&f, "app/models/user.sync.<lambda>@2"))
    );
}

#[test]
fn blocks_and_lambdas_know_the_call_they_are_passed_to() {
    let f = facts(
        "def go\n  Thread.new { work }\n  items.map do |i| i end\n  validate -> { ok }, if: -> { cond }\n  f = lambda { |x| x }\n  g = ->(y) { y }\nend\n",
    );
    let passed = |qname: &str| {
        let id = function(&f, qname).passed_to?;
        f.calls.get(id as usize).map(|c| c.callee.as_str())
    };
    assert_eq!(passed("app/models/user.go.<lambda>@2"), Some("Thread.new"));
    assert_eq!(passed("app/models/user.go.<lambda>@3"), Some("items.map"));
    assert_eq!(passed("app/models/user.go.<lambda>@5"), Some("lambda"));
    assert_eq!(passed("app/models/user.go.<lambda>@6"), None);
    let validate = call(&f, "validate");
    let closures: Vec<Option<&str>> = validate.args.iter().map(|a| a.keyword.as_deref()).collect();
    assert_eq!(closures, [None, Some("if")]);
    assert!(validate
        .args
        .iter()
        .all(|a| matches!(a.value, ArgValue::Closure(id) if id != u32::MAX)));
    let on_line_4 = f.functions.iter().filter(|f| f.span.line == 4).count();
    assert_eq!(on_line_4, 2);
}

#[test]
fn controller_public_instance_methods_are_rails_handlers() {
    let f = facts_in(
        "app/controllers/orders_controller",
        "class OrdersController < ApplicationController\n\
           before_action :load\n\
           def index; end\n\
           def show; end\n\
           def self.helper; end\n\
           def export; end\n\
           private :export\n\
           protected def audit; end\n\
           private\n\
           def load; end\n\
           public\n\
           def create; end\n\
         end\n\
         class Admin::UsersController < Admin::BaseController\n  def index; end\nend\n\
         class Api::ThingsController < ActionController::API\n  def index; end\nend\n\
         class Report < ApplicationRecord\n  def index; end\nend\n",
    );
    let handlers: Vec<&str> = f
        .functions
        .iter()
        .filter(|f| f.handler.as_deref() == Some("rails"))
        .map(|f| f.qname.as_str())
        .collect();
    assert_eq!(
        handlers,
        [
            "app/controllers/orders_controller.OrdersController.index",
            "app/controllers/orders_controller.OrdersController.show",
            "app/controllers/orders_controller.OrdersController.create",
            "app/controllers/orders_controller.Admin.UsersController.index",
            "app/controllers/orders_controller.Api.ThingsController.index",
        ]
    );
}

#[test]
fn sql_in_strings_and_heredocs() {
    let f = facts(
        "class Report\n\
           def rows(id)\n\
             find_by_sql(\"SELECT * FROM orders WHERE user_id = #{id}\")\n\
             connection.execute(<<~SQL)\n\
               UPDATE orders\n\
               SET total = 0\n\
               WHERE id = #{id}\n\
             SQL\n\
             flash[:notice] = \"Select a plan\"\n\
             where(\"created_at > ?\", 1.day.ago)\n\
             q = 'SELECT id ' \\\n  'FROM users'\n\
           end\n\
         end\n",
    );
    let sql: Vec<(&str, u32)> = f
        .sql
        .iter()
        .map(|s| (s.text.as_str(), s.span.line))
        .collect();
    assert_eq!(
        sql,
        [
            ("SELECT * FROM orders WHERE user_id = ?", 3),
            ("UPDATE orders\nSET total = 0\nWHERE id = ?", 4),
            ("SELECT id FROM users", 11),
        ]
    );
    let rows = Some(function_id(&f, "app/models/user.Report.rows"));
    assert!(f.sql.iter().all(|s| s.function == rows));
    let find = call(&f, "find_by_sql");
    assert!(matches!(&find.args[0].value, ArgValue::Other(t) if t.contains("#{id}")));
}

#[test]
fn hash_arguments_are_keywords() {
    let f = facts(
        "Order.where(user_id: 5, 'state' => 'paid', :kind => :web).includes(items: :product)\n\
         Order.where({ id: [1, 2] }, nil, 2.5, &:x)\n",
    );
    assert_eq!(
        call(&f, "Order.where").args,
        [
            keyword("user_id", ArgValue::Number("5".into())),
            keyword("state", ArgValue::Str("paid".into())),
            keyword("kind", ArgValue::Str("web".into())),
        ]
    );
    assert_eq!(
        call(&f, "Order.where().includes").args,
        [keyword("items", ArgValue::Str("product".into()))]
    );
    let second = f
        .calls
        .iter()
        .filter(|c| c.callee == "Order.where")
        .nth(1)
        .expect("call");
    assert_eq!(
        second.args,
        [
            keyword(
                "id",
                ArgValue::List(vec![
                    ArgValue::Number("1".into()),
                    ArgValue::Number("2".into())
                ])
            ),
            Arg {
                keyword: None,
                value: ArgValue::Null
            },
            Arg {
                keyword: None,
                value: ArgValue::Number("2.5".into())
            },
            Arg {
                keyword: None,
                value: ArgValue::Other("&:x".into())
            },
        ]
    );
}

#[test]
fn requires_are_imports() {
    let f = facts_in(
        "app/models/user",
        "require 'net/http'\nrequire_relative '../lib/util.rb'\nrequire_relative 'concerns/x'\nrequire File.join('a')\n",
    );
    let imports: Vec<(&str, &str)> = f
        .imports
        .iter()
        .map(|i| (i.target.as_str(), i.local.as_str()))
        .collect();
    assert_eq!(
        imports,
        [
            ("net/http", "net/http"),
            ("app/lib/util", "app/lib/util"),
            ("app/models/concerns/x", "app/models/concerns/x"),
        ]
    );
}

#[test]
fn syntax_errors_are_noted_and_the_rest_analysed() {
    let f = facts("class A\n  def ok\n    User.first\n  end\n  def broken(\n    x = \nend\n");
    assert_eq!(f.notes.len(), 1, "{:?}", f.notes);
    assert!(f.notes[0].message.starts_with("Ruby syntax error"));
    call(&f, "User.first");
    assert!(facts("x = 1\n").notes.is_empty());
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 100_000;
    let nested_calls = format!("x = {}1{}\n", "foo(".repeat(depth), ")".repeat(depth));
    let f = facts(&nested_calls);
    assert!(f.calls.len() >= depth);
    let chain = format!("x = a{}\n", ".b".repeat(depth));
    let f = facts(&chain);
    assert!(f.calls.iter().all(|c| c.callee.len() < 1000));
    let blocks = format!(
        "def m\n{}x{}\nend\n",
        "a { ".repeat(depth),
        " }".repeat(depth)
    );
    let f = facts(&blocks);
    assert!(f.functions.len() > depth);
    let arrays = format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    facts(&arrays);
}

mod assigns;

#[test]
fn setters_take_what_is_assigned() {
    let f = facts(
        "Rails.application.configure do\n\
         \x20 config.cache_store = :redis_cache_store, { url: ENV['REDIS_URL'], expires_in: 1.hour }\n\
         \x20 config.active_job.queue_adapter = :sidekiq\n\
         end\n",
    );
    let store = call(&f, "config.cache_store=");
    let keywords: Vec<Option<&str>> = store.args.iter().map(|a| a.keyword.as_deref()).collect();
    assert_eq!(keywords, [None, Some("url"), Some("expires_in")]);
    let hour = f.calls.iter().position(|c| c.callee == "1.hour").unwrap() as u32;
    assert_eq!(store.args[2].value, ArgValue::Call(hour));
    let adapter = call(&f, "config.active_job.queue_adapter=");
    assert_eq!(adapter.args.len(), 1);
}
