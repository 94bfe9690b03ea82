use super::*;
use crate::classify::FileRole;
use crate::facts::{
    Arg, ArgValue, Assign, AssignOp, AssignScope, Call, Class, FileFacts, Language, Span,
};
use crate::lang::{self, SourceFile};
use crate::model::{Model, ParsedFile};

fn parsed(path: &str, language: Language, module: &str, text: &str) -> ParsedFile {
    let facts = lang::extract(&SourceFile {
        path,
        text,
        language,
        module,
    })
    .expect("extract");
    ParsedFile {
        path: path.into(),
        language,
        role: FileRole::Source,
        lines: text.lines().count(),
        facts,
    }
}

#[test]
fn rails_models_tables_and_relations() {
    let model = Model::new(vec![
        parsed(
            "app/models/order.rb",
            Language::Ruby,
            "app/models/order",
            "class Order < ApplicationRecord\n  belongs_to :customer\n  has_many :line_items, dependent: :destroy\n  has_many :tags, through: :taggings\nend\n",
        ),
        parsed(
            "app/models/line_item.rb",
            Language::Ruby,
            "app/models/line_item",
            "class LineItem < ApplicationRecord\n  belongs_to :order, foreign_key: :order_ref\nend\nclass Customer < ApplicationRecord\n  self.table_name = \"clients\"\n  has_one :profile\nend\nclass Vip < Customer\nend\nclass Helper < Struct\nend\n",
        ),
    ]);
    let e = entities(&model);
    let names: Vec<(&str, &str)> = e
        .list
        .iter()
        .map(|e| (e.name.as_str(), e.table.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("LineItem", "line_items"),
            ("Customer", "clients"),
            ("Vip", "clients"),
            ("Order", "orders")
        ]
    );
    let order = e.by_name("Order").expect("order");
    let customer = order.relation("customer").expect("belongs_to");
    assert_eq!(customer.kind, RelationKind::ToOne);
    assert_eq!(customer.fk_column.as_deref(), Some("customer_id"));
    assert!(customer.fk_on_self);
    assert_eq!(
        e.target(customer).map(|t| t.table.as_str()),
        Some("clients"),
        "`self.table_name = \"clients\"`, shared by the single-table subclass"
    );
    let items = order.relation("line_items").expect("has_many");
    assert_eq!(items.kind, RelationKind::ToMany);
    assert_eq!(items.fk_column.as_deref(), Some("order_id"));
    assert_eq!(e.target(items).map(|t| t.name.as_str()), Some("LineItem"));
    assert_eq!(
        order.relation("tags").map(|r| r.kind),
        Some(RelationKind::ManyToMany)
    );
    let li = e.by_name("LineItem").expect("line item");
    assert_eq!(
        li.relation("order").and_then(|r| r.fk_column.as_deref()),
        Some("order_ref")
    );
}

fn span(line: u32, start: u32, end: u32) -> Span {
    Span {
        start,
        end,
        line,
        column: 1,
        end_line: line,
    }
}

fn call(name: &str, args: Vec<Arg>, at: u32) -> Call {
    Call {
        callee: format!("models.{name}"),
        resolved: Some(format!("django.db.models.{name}")),
        name: name.into(),
        span: span(at, at * 10, at * 10 + 5),
        function: None,
        loops: Vec::new(),
        awaited: false,
        args,
    }
}

fn kw(k: &str, v: ArgValue) -> Arg {
    Arg {
        keyword: Some(k.into()),
        value: v,
    }
}

fn pos(v: ArgValue) -> Arg {
    Arg {
        keyword: None,
        value: v,
    }
}

fn assign(class: &str, target: &str, value: ArgValue, at: u32) -> Assign {
    Assign {
        target: target.into(),
        resolved: None,
        scope: AssignScope::Class,
        op: AssignOp::Bind,
        key: None,
        value: Some(value),
        annotation: None,
        decorators: Vec::new(),
        decorator_calls: Vec::new(),
        function: None,
        class: Some(class.into()),
        loops: Vec::new(),
        span: span(at, at * 10, at * 10 + 8),
    }
}

fn class(name: &str, qname: &str, bases: &[&str], from: u32, to: u32) -> Class {
    Class {
        name: name.into(),
        qname: qname.into(),
        bases: bases.iter().map(|b| b.to_string()).collect(),
        decorators: Vec::new(),
        decorator_calls: Vec::new(),
        span: Span {
            start: from * 10,
            end: to * 10,
            line: from,
            column: 1,
            end_line: to,
        },
    }
}

/// `shop/models.py`:
/// ```python
/// class Stamped(models.Model):            # 1
///     created_at = models.DateTimeField(db_index=True)  # 2
///     class Meta:                          # 3
///         abstract = True                  # 4
/// class Customer(models.Model):            # 5
///     email = models.EmailField(unique=True)  # 6
/// class Order(Stamped):                    # 7
///     customer = models.ForeignKey(Customer, related_name="orders")  # 8
///     status = models.CharField()          # 9
///     class Meta:                          # 10
///         indexes = [models.Index(fields=["status", "-created_at"])]  # 11
///         unique_together = [("customer", "status")]  # 12
/// ```
fn django_facts() -> FileFacts {
    let mut f = FileFacts {
        module: "shop.models".into(),
        ..FileFacts::default()
    };
    f.classes = vec![
        class(
            "Stamped",
            "shop.models.Stamped",
            &["django.db.models.Model"],
            1,
            5,
        ),
        class("Meta", "shop.models.Stamped.Meta", &[], 3, 5),
        class(
            "Customer",
            "shop.models.Customer",
            &["django.db.models.Model"],
            5,
            7,
        ),
        class(
            "Order",
            "shop.models.Order",
            &["shop.models.Stamped"],
            7,
            13,
        ),
        class("Meta", "shop.models.Order.Meta", &[], 10, 13),
    ];
    f.calls = vec![
        call(
            "DateTimeField",
            vec![kw("db_index", ArgValue::Bool(true))],
            2,
        ),
        call("EmailField", vec![kw("unique", ArgValue::Bool(true))], 6),
        call(
            "ForeignKey",
            vec![
                pos(ArgValue::Path("shop.models.Customer".into())),
                kw("related_name", ArgValue::Str("orders".into())),
            ],
            8,
        ),
        call("CharField", vec![], 9),
        call(
            "Index",
            vec![kw(
                "fields",
                ArgValue::List(vec![
                    ArgValue::Str("status".into()),
                    ArgValue::Str("-created_at".into()),
                ]),
            )],
            11,
        ),
    ];
    f.assigns = vec![
        assign("Stamped", "created_at", ArgValue::Call(0), 2),
        assign("Meta", "abstract", ArgValue::Bool(true), 4),
        assign("Customer", "email", ArgValue::Call(1), 6),
        assign("Order", "customer", ArgValue::Call(2), 8),
        assign("Order", "status", ArgValue::Call(3), 9),
        assign(
            "Meta",
            "indexes",
            ArgValue::List(vec![ArgValue::Call(4)]),
            11,
        ),
        assign(
            "Meta",
            "unique_together",
            ArgValue::List(vec![ArgValue::List(vec![
                ArgValue::Str("customer".into()),
                ArgValue::Str("status".into()),
            ])]),
            12,
        ),
    ];
    f
}

#[test]
fn django_models_fields_meta_and_reverse_relations() {
    let model = Model::new(vec![ParsedFile {
        path: "shop/models.py".into(),
        language: Language::Python,
        role: FileRole::Source,
        lines: 12,
        facts: django_facts(),
    }]);
    let e = entities(&model);
    let order = e.by_qname("shop.models.Order").expect("order");
    assert_eq!(order.table, "shop_order");
    let cols: Vec<&str> = order.fields.iter().map(|f| f.column.as_str()).collect();
    assert_eq!(cols, ["id", "customer_id", "status", "created_at"]);
    assert!(order.field("customer").is_some_and(|f| f.indexed));
    assert!(order.field("created_at").is_some_and(|f| f.indexed));
    assert!(!order.field("status").is_some_and(|f| f.indexed));
    assert_eq!(order.indexes.len(), 2);
    assert_eq!(order.indexes[0].columns, ["status", "created_at"]);
    assert!(order.indexes[1].unique);
    let stamped = e.by_qname("shop.models.Stamped").expect("abstract");
    assert!(stamped.is_abstract);
    let customer = e.by_name("Customer").expect("customer");
    assert_eq!(customer.table, "shop_customer");
    let reverse = customer.relation("orders").expect("reverse");
    assert_eq!(reverse.kind, RelationKind::ToMany);
    assert_eq!(reverse.fk_column.as_deref(), Some("customer_id"));
    assert_eq!(e.target(reverse).map(|t| t.name.as_str()), Some("Order"));
    let forward = order.relation("customer").expect("forward");
    assert_eq!(e.target(forward).map(|t| t.name.as_str()), Some("Customer"));
}

#[test]
fn typeorm_entities_tables_columns_and_keys() {
    let model = Model::new(vec![parsed(
        "src/order_item.ts",
        Language::TypeScript,
        "src/order_item",
        "import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from \"typeorm\";\n@Entity()\n@Index(\"by_order\", [\"order\", \"position\"], { unique: true })\nexport class OrderItem {\n  @PrimaryGeneratedColumn()\n  id: number;\n  @ManyToOne(() => Order)\n  order: Order;\n  @ManyToOne(() => Product)\n  @JoinColumn({ name: \"product_ref\" })\n  product: Product;\n  @Column({ name: \"pos\" })\n  position: number;\n}\nclass Plain {\n  @Column()\n  x: number;\n}\n",
    )]);
    let entities = entities(&model);
    assert_eq!(entities.list.len(), 1);
    let item = &entities.list[0];
    assert_eq!(
        (item.orm, item.table.as_str()),
        (Orm::TypeOrm, "order_item")
    );
    let fks: Vec<_> = item
        .relations
        .iter()
        .map(|r| r.fk_column.as_deref())
        .collect();
    assert_eq!(fks, [Some("orderid"), Some("product_ref")]);
    assert_eq!(item.indexes.len(), 1);
    assert_eq!(item.indexes[0].columns, ["orderid", "pos"]);
    assert!(item.indexes[0].unique);
}

#[test]
fn sqlalchemy_relationships_loading_annotations_and_backrefs() {
    let model = Model::new(vec![parsed(
        "shop/models.py",
        Language::Python,
        "shop.models",
        "from typing import List, Optional\n\
         from sqlalchemy import Column, ForeignKey, Integer\n\
         from sqlalchemy.orm import Mapped, WriteOnlyMapped, backref, mapped_column, relationship\n\
         class Customer(Base):\n\
         \x20   __tablename__ = \"customers\"\n\
         \x20   id = Column(Integer, primary_key=True)\n\
         class Order(Base):\n\
         \x20   __tablename__ = \"orders\"\n\
         \x20   id = Column(Integer, primary_key=True)\n\
         \x20   customer_id = Column(Integer, ForeignKey(\"customers.id\"))\n\
         \x20   customer = relationship(\"Customer\", backref=backref(\"orders\", lazy=\"dynamic\"))\n\
         \x20   items: Mapped[List[\"Item\"]] = relationship(back_populates=\"order\", lazy=\"selectin\")\n\
         \x20   notes = relationship(\"Note\", lazy=\"raise\")\n\
         \x20   audit: WriteOnlyMapped[\"Note\"] = relationship()\n\
         \x20   flags = relationship(\"Note\", lazy=MODE)\n\
         class Item(Base):\n\
         \x20   __tablename__ = \"items\"\n\
         \x20   id: Mapped[int] = mapped_column(primary_key=True)\n\
         \x20   order_id: Mapped[int] = mapped_column(ForeignKey(\"orders.id\"))\n\
         \x20   order: Mapped[Optional[\"Order\"]] = relationship(back_populates=\"items\")\n\
         class Note(Base):\n\
         \x20   __tablename__ = \"notes\"\n\
         \x20   id = Column(Integer, primary_key=True)\n\
         \x20   parent_id = Column(Integer, ForeignKey(\"notes.id\"))\n\
         \x20   children = relationship(\"Note\")\n\
         \x20   parent = relationship(\"Note\", remote_side=[id])\n",
    )]);
    let entities = entities(&model);
    let rel = |entity: &str, name: &str| {
        let e = entities.by_name(entity).expect("entity");
        let r = e.related(name).unwrap_or_else(|| panic!("{entity}.{name}"));
        (r.kind, r.loading, r.fk_column.as_deref(), r.target.as_str())
    };
    use RelationKind::{ToMany, ToOne};
    let expected = [
        (
            "Order",
            "customer",
            (ToOne, Loading::Lazy, Some("customer_id"), "Customer"),
        ),
        // The backref is declared on Customer, with its own `lazy=`.
        (
            "Customer",
            "orders",
            (ToMany, Loading::Query, Some("customer_id"), "Order"),
        ),
        (
            "Order",
            "items",
            (ToMany, Loading::Eager, Some("order_id"), "Item"),
        ),
        (
            "Item",
            "order",
            (ToOne, Loading::Lazy, Some("order_id"), "Order"),
        ),
        ("Order", "audit", (ToMany, Loading::Query, None, "Note")),
        // Self-referential: many-to-one only with `remote_side`.
        (
            "Note",
            "parent",
            (ToOne, Loading::Lazy, Some("parent_id"), "Note"),
        ),
    ];
    for (entity, name, want) in expected {
        assert_eq!(rel(entity, name), want, "{entity}.{name}");
    }
    assert_eq!(rel("Order", "notes").1, Loading::Never);
    assert_eq!(rel("Order", "flags").1, Loading::Unknown);
    // Self-referential without `remote_side`: a collection.
    assert_eq!(rel("Note", "children").0, ToMany);
    // The key column is a relation for the schema, not an attribute that loads.
    let order = entities.by_name("Order").expect("Order");
    assert_eq!(
        order.relation("customer_id").map(|r| r.loading),
        Some(Loading::Key)
    );
    assert!(order.related("customer_id").is_none());
}

#[test]
fn sqlalchemy_backref_to_a_class_named_in_two_modules() {
    // mlflow keeps `initial_models.py` beside `models.py`, with the same classes.
    let text = "from sqlalchemy import Column, ForeignKey, Integer\n\
                from sqlalchemy.orm import backref, relationship\n\
                class SqlExperiment(Base):\n\
                \x20   __tablename__ = \"experiments\"\n\
                \x20   id = Column(Integer, primary_key=True)\n\
                class SqlRun(Base):\n\
                \x20   __tablename__ = \"runs\"\n\
                \x20   id = Column(Integer, primary_key=True)\n\
                \x20   experiment_id = Column(Integer, ForeignKey(\"experiments.id\"))\n\
                \x20   experiment = relationship(\"SqlExperiment\", backref=backref(\"runs\", cascade=\"all\"))\n";
    let model = Model::new(vec![
        parsed("store/models.py", Language::Python, "store.models", text),
        parsed(
            "store/initial_models.py",
            Language::Python,
            "store.initial_models",
            text,
        ),
    ]);
    let entities = entities(&model);
    for module in ["store.models", "store.initial_models"] {
        let experiment = entities
            .by_qname(&format!("{module}.SqlExperiment"))
            .expect("experiment");
        let runs = experiment.related("runs").expect("backref runs");
        assert_eq!(
            (runs.kind, runs.fk_column.as_deref()),
            (RelationKind::ToMany, Some("experiment_id"))
        );
        assert_eq!(
            entities.target(runs).map(|e| e.qname.as_str()),
            Some(format!("{module}.SqlRun").as_str())
        );
    }
}

#[test]
fn flask_sqlalchemy_models_named_by_default() {
    let model = Model::new(vec![
        parsed(
            "app/ext.py",
            Language::Python,
            "app.ext",
            "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        ),
        parsed(
            "app/models.py",
            Language::Python,
            "app.models",
            "from .ext import db\n\
             class Base(db.Model):\n\
             \x20   __abstract__ = True\n\
             \x20   id = db.Column(db.Integer, primary_key=True)\n\
             class OrderLine(Base):\n\
             \x20   order_id = db.Column(db.Integer, db.ForeignKey(\"orders.id\"))\n\
             class Order(db.Model):\n\
             \x20   __tablename__ = \"orders\"\n\
             \x20   id = db.Column(db.Integer, primary_key=True)\n\
             \x20   lines = db.relationship(\"OrderLine\", backref=\"order\")\n\
             class Refund(Order):\n\
             \x20   reason = db.Column(db.String(50))\n\
             class Invoice(Order):\n\
             \x20   id = db.Column(db.Integer, db.ForeignKey(\"orders.id\"), primary_key=True)\n\
             class Plain:\n\
             \x20   id = 1\n",
        ),
    ]);
    let entities = entities(&model);
    let tables: Vec<(&str, &str)> = entities
        .list
        .iter()
        .map(|e| (e.name.as_str(), e.table.as_str()))
        .collect();
    // `Refund` shares `orders` (single-table inheritance): no model of its own.
    assert_eq!(
        tables,
        [
            ("OrderLine", "order_line"),
            ("Order", "orders"),
            ("Invoice", "invoice")
        ]
    );
    let line = entities.by_name("OrderLine").expect("OrderLine");
    assert_eq!(
        line.related("order")
            .map(|r| (r.kind, r.fk_column.as_deref())),
        Some((RelationKind::ToOne, Some("order_id")))
    );
}

/// The entities of a project of one file (module: the path without its extension).
fn one_file(path: &str, language: Language, text: &str) -> Entities {
    let module = path.rsplit_once('.').map_or(path, |p| p.0);
    entities(&Model::new(vec![parsed(path, language, module, text)]))
}

#[test]
fn sequelize_associations_are_relations_named_as_their_accessors() {
    let text = "const { Sequelize, DataTypes, Model } = require(\"sequelize\");\n\
const sequelize = new Sequelize(\"postgres://localhost/shop\");\n\
class Customer extends Model {}\n\
Customer.init({ name: DataTypes.STRING }, { sequelize });\n\
class Order extends Model {\n  static associate(models) {\n    this.belongsTo(models.Customer);\n  }\n}\n\
Order.init({ total: DataTypes.INTEGER }, { sequelize });\n\
class User extends Model {}\n\
User.init({ email: DataTypes.STRING }, { sequelize });\n\
const Post = sequelize.define(\"Post\", { title: DataTypes.STRING });\n\
Order.belongsTo(User, { as: \"buyer\", foreignKey: \"buyerId\" });\n\
User.hasMany(Post);\n\
User.hasMany(Order, { as: { singular: \"purchase\", plural: \"purchases\" } });\n\
Post.belongsToMany(User, { through: \"Likes\", as: \"likers\" });\n";
    let entities = one_file("models/index.js", Language::JavaScript, text);
    let rels = |name: &str| -> Vec<(String, RelationKind, String, Option<String>)> {
        entities
            .by_name(name)
            .unwrap_or_else(|| panic!("no {name}: {:#?}", entities.list))
            .relations
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    r.kind,
                    r.target.clone(),
                    r.fk_column.clone(),
                )
            })
            .collect()
    };
    use RelationKind::*;
    let rel = |n: &str, k, t: &str, fk: Option<&str>| {
        (n.to_string(), k, t.to_string(), fk.map(str::to_string))
    };
    assert_eq!(
        rels("Order"),
        vec![
            rel("Customer", ToOne, "Customer", None),
            rel("buyer", ToOne, "User", Some("buyerid")),
        ]
    );
    assert_eq!(rels("User"), vec![rel("purchases", ToMany, "Order", None),]);
    assert_eq!(rels("Post"), vec![rel("likers", ManyToMany, "User", None)]);
    // A target bound by `sequelize.define` resolves to the call, not the
    // model (see the README's Limits): `User.hasMany(Post)` is not read.
    let order = entities.by_name("Order").unwrap();
    assert!(order.field("buyerId").is_some());
    assert_eq!(
        order.relation("buyer").and_then(|r| r.target_index),
        entities.index_of_name("User")
    );
}

#[test]
fn typeorm_relations_say_how_they_load() {
    let text = "import { Entity, PrimaryGeneratedColumn, ManyToOne, OneToMany, ManyToMany } from \"typeorm\";\n\
@Entity()\nexport class Customer {\n  @PrimaryGeneratedColumn()\n  id: number;\n}\n\
@Entity()\nexport class Order {\n  @PrimaryGeneratedColumn()\n  id: number;\n\
  @ManyToOne(() => Customer)\n  customer: Promise<Customer>;\n\
  @ManyToOne(() => Customer, { lazy: true })\n  payer: Customer;\n\
  @ManyToOne(() => Customer, { eager: true })\n  shipper: Customer | null;\n\
  @ManyToOne(() => Customer)\n  agent: Customer;\n\
  @OneToMany(() => Line, (l) => l.order)\n  lines: Promise<Line[]>;\n\
  @ManyToMany(() => Customer)\n  watchers: Customer[];\n}\n\
@Entity()\nexport class Line {\n  @PrimaryGeneratedColumn()\n  id: number;\n  @ManyToOne(() => Order, (o) => o.lines)\n  order: Order;\n}\n";
    let entities = one_file("src/entities.ts", Language::TypeScript, text);
    let order = entities.by_name("Order").expect("Order");
    let rels: Vec<(&str, RelationKind, &str, Loading, bool)> = order
        .relations
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.kind,
                r.target.as_str(),
                r.loading,
                r.fk_on_self,
            )
        })
        .collect();
    use Loading::*;
    use RelationKind::*;
    assert_eq!(
        rels,
        vec![
            ("customer", ToOne, "Customer", Lazy, true),
            ("payer", ToOne, "Customer", Lazy, true),
            ("shipper", ToOne, "Customer", Eager, true),
            ("agent", ToOne, "Customer", Never, true),
            ("lines", ToMany, "Line", Lazy, false),
            ("watchers", ManyToMany, "Customer", Never, false),
        ]
    );
    assert_eq!(
        order.relation("customer").and_then(|r| r.target_index),
        entities.index_of_name("Customer")
    );
    assert_eq!(
        order.field("customer").map(|f| f.column.as_str()),
        Some("customerid")
    );
    assert!(order.field("lines").is_none());
}
