//! `faultline schema`: the catalog as text and as JSON, every fact with the
//! file and line it came from.

use super::{Catalog, Index, IndexKind, Key, UnknownTable};

fn keys(index: &Index) -> String {
    index
        .keys
        .iter()
        .map(|k| match k {
            Key::Column(c) => c.clone(),
            Key::Expression(e) => format!("({e})"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind(index: &Index) -> &'static str {
    match index.kind {
        IndexKind::Primary => "primary key",
        IndexKind::Unique => "unique",
        IndexKind::Plain => "index",
        IndexKind::ForeignKeyDefault => "index (foreign-key default)",
    }
}

/// The catalog as a readable listing.
pub fn render_table(catalog: &Catalog, unknown: &[UnknownTable]) -> String {
    let mut out = format!(
        "Database: {}{}\n",
        catalog.dialect.name(),
        catalog
            .dialect_evidence
            .as_deref()
            .map(|w| format!(" ({w})"))
            .unwrap_or_default()
    );
    out.push_str(&format!("{} tables\n", catalog.tables.len()));
    for table in catalog.tables.values() {
        out.push_str(&format!(
            "\n{}  [{}] {}:{}\n",
            table.name, table.origin, table.source.path, table.source.line
        ));
        if !table.columns_known {
            out.push_str("  (definition not seen: columns unknown)\n");
        }
        for c in &table.columns {
            out.push_str(&format!(
                "  column  {:<24} {:<20} {}:{}\n",
                c.name,
                c.sql_type.as_deref().unwrap_or(""),
                c.source.path,
                c.source.line
            ));
        }
        for i in &table.indexes {
            let mut what = format!("{} ({})", kind(i), keys(i));
            if let Some(m) = &i.method {
                what.push_str(&format!(" using {m}"));
            }
            if let Some(p) = &i.partial {
                what.push_str(&format!(" where {p}"));
            }
            out.push_str(&format!(
                "  {:<6}  {:<45} {}:{}\n",
                "index",
                format!(
                    "{}{what}",
                    i.name
                        .as_deref()
                        .map(|n| format!("{n}: "))
                        .unwrap_or_default()
                ),
                i.source.path,
                i.source.line
            ));
        }
        for f in &table.foreign_keys {
            let target = if f.ref_columns.is_empty() {
                f.references.clone()
            } else {
                format!("{}({})", f.references, f.ref_columns.join(", "))
            };
            out.push_str(&format!(
                "  fk      ({}) -> {target}  {}:{}\n",
                f.columns.join(", "),
                f.source.path,
                f.source.line
            ));
        }
    }
    if !unknown.is_empty() {
        out.push_str("\nQueried but not in the catalog:\n");
        for u in unknown {
            out.push_str(&format!(
                "  {}  (first used at {}:{})\n",
                u.name, u.first_use.path, u.first_use.line
            ));
        }
    }
    out
}

/// The catalog as JSON: `{dialect, dialect_evidence, tables: [...],
/// unknown_tables: [...]}`.
pub fn render_json(catalog: &Catalog, unknown: &[UnknownTable]) -> String {
    let value = serde_json::json!({
        "version": 1,
        "dialect": catalog.dialect,
        "dialect_evidence": catalog.dialect_evidence,
        "tables": catalog.tables.values().collect::<Vec<_>>(),
        "unknown_tables": unknown,
    });
    let mut s = serde_json::to_string_pretty(&value).expect("serialisable");
    s.push('\n');
    s
}
