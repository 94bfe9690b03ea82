use super::*;
use crate::facts::Language;

const SCHEMA: &str = r#"// blog schema
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique @map("email_address")
  posts Post[]

  @@map("users")
}

model Post {
  id        Int      @id @default(autoincrement())
  title     String   @db.VarChar(255)
  author    User     @relation(fields: [authorId], references: [id], onDelete: Cascade)
  authorId  Int
  createdAt DateTime @default(now())

  @@index([title, createdAt(sort: Desc)], map: "post_title")
  @@unique([authorId, title])
}
"#;

fn facts(text: &str) -> FileFacts {
    extract(&SourceFile {
        path: "prisma/schema.prisma",
        text,
        language: Language::Prisma,
        module: "prisma/schema",
    })
    .expect("extract")
}

#[test]
fn models_fields_and_attributes() {
    let f = facts(SCHEMA);
    assert!(f.notes.is_empty(), "{:?}", f.notes);
    let names: Vec<&str> = f.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["User", "Post"]);
    let user = &f.classes[0];
    assert_eq!(user.decorators, ["map"]);
    assert_eq!((user.span.line, user.span.end_line), (11, 17));
    let map = &f.calls[user.decorator_calls[0] as usize];
    assert_eq!(map.args[0].value, ArgValue::Str("users".into()));
    let email = f
        .assigns
        .iter()
        .find(|a| a.target == "email")
        .expect("email");
    assert_eq!(email.annotation.as_deref(), Some("String"));
    assert_eq!(email.decorators, ["unique", "map"]);
    assert_eq!(email.class.as_deref(), Some("User"));
    assert_eq!(email.span.line, 13);
    let author = f
        .assigns
        .iter()
        .find(|a| a.target == "author")
        .expect("author");
    let relation = &f.calls[author.decorator_calls[0] as usize];
    assert_eq!(relation.name, "relation");
    assert_eq!(relation.args[0].keyword.as_deref(), Some("fields"));
    assert_eq!(
        relation.args[0].value,
        ArgValue::List(vec![ArgValue::Path("authorId".into())])
    );
    assert_eq!(relation.args[2].value, ArgValue::Path("Cascade".into()));
    let posts = f
        .assigns
        .iter()
        .find(|a| a.target == "posts")
        .expect("posts");
    assert_eq!(posts.annotation.as_deref(), Some("Post[]"));
    let post = &f.classes[1];
    let index = &f.calls[post.decorator_calls[0] as usize];
    assert_eq!(
        index.args[0].value,
        ArgValue::List(vec![
            ArgValue::Path("title".into()),
            ArgValue::Path("createdAt".into())
        ])
    );
    let provider = f
        .assigns
        .iter()
        .find(|a| a.target == "datasource.provider")
        .expect("provider");
    assert_eq!(provider.value, Some(ArgValue::Str("postgresql".into())));
}

#[test]
fn garbage_is_skipped_with_a_note() {
    let f = facts("model A {\n  id Int @id\n  %%% ???\n}\nwhat is this\nmodel B {\n  x String\n");
    assert_eq!(f.classes.len(), 2);
    assert_eq!(f.notes.len(), 1);
    for text in [
        "",
        "model",
        "model A",
        "model A {",
        "@@@",
        "\"",
        "model A { a @relation(",
        "é @x([",
    ] {
        let _ = facts(text);
    }
}
