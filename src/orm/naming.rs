//! How ORMs name tables: snake_case and English plurals (Rails,
//! Sequelize), `app_label_modelname` (Django).

/// `OrderItem` → `order_item`, `HTTPLog` → `http_log`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c == ':' || c == '.' {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The plural of an English noun (the last word of a snake_case name), as
/// ActiveSupport and Sequelize's inflection make it for common nouns.
pub fn pluralize(word: &str) -> String {
    const IRREGULAR: &[(&str, &str)] = &[
        ("person", "people"),
        ("man", "men"),
        ("woman", "women"),
        ("child", "children"),
        ("mouse", "mice"),
        ("ox", "oxen"),
        ("quiz", "quizzes"),
    ];
    const UNCOUNTABLE: &[&str] = &[
        "equipment",
        "information",
        "rice",
        "money",
        "species",
        "series",
        "fish",
        "sheep",
        "jeans",
        "police",
        "news",
        "data",
        "metadata",
    ];
    let (head, last) = match word.rfind('_') {
        Some(i) => word.split_at(i + 1),
        None => ("", word),
    };
    if UNCOUNTABLE.contains(&last) {
        return word.to_string();
    }
    if let Some((_, plural)) = IRREGULAR.iter().find(|(s, _)| *s == last) {
        return format!("{head}{plural}");
    }
    let vowel_y = ["ay", "ey", "oy", "uy"].iter().any(|v| last.ends_with(v));
    let plural = if ["s", "sh", "ch", "x", "z"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        format!("{last}es")
    } else if last.ends_with('y') && !vowel_y {
        format!("{}ies", &last[..last.len() - 1])
    } else if let Some(stem) = last.strip_suffix("fe") {
        format!("{stem}ves")
    } else if let Some(stem) = last.strip_suffix("lf").or_else(|| last.strip_suffix("af")) {
        format!("{stem}{}ves", &last[stem.len()..stem.len() + 1])
    } else {
        format!("{last}s")
    };
    format!("{head}{plural}")
}

/// Singular of a plural table or association name (`line_items` →
/// `line_item`), for `has_many :line_items` → `LineItem`.
pub fn singularize(word: &str) -> String {
    let (head, last) = match word.rfind('_') {
        Some(i) => word.split_at(i + 1),
        None => ("", word),
    };
    let single = if last == "people" {
        "person".to_string()
    } else if last == "children" {
        "child".to_string()
    } else if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = last
        .strip_suffix("sses")
        .map(|s| format!("{s}ss"))
        .or_else(|| last.strip_suffix("xes").map(|s| format!("{s}x")))
        .or_else(|| last.strip_suffix("ches").map(|s| format!("{s}ch")))
        .or_else(|| last.strip_suffix("shes").map(|s| format!("{s}sh")))
        .or_else(|| last.strip_suffix("uses").map(|s| format!("{s}us")))
    {
        stem
    } else if let Some(stem) = last.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        stem.to_string()
    } else {
        last.to_string()
    };
    format!("{head}{single}")
}

/// `line_item` → `LineItem`.
pub fn camel_case(snake: &str) -> String {
    snake
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rails_table_names() {
        let table = |class: &str| pluralize(&snake_case(class));
        assert_eq!(table("Order"), "orders");
        assert_eq!(table("OrderItem"), "order_items");
        assert_eq!(table("Category"), "categories");
        assert_eq!(table("Address"), "addresses");
        assert_eq!(table("Person"), "people");
        assert_eq!(table("Status"), "statuses");
        assert_eq!(table("Box"), "boxes");
        assert_eq!(table("Day"), "days");
        assert_eq!(table("HTTPLog"), "http_logs");
        assert_eq!(singularize("line_items"), "line_item");
        assert_eq!(singularize("categories"), "category");
        assert_eq!(singularize("addresses"), "address");
        assert_eq!(camel_case("line_item"), "LineItem");
    }
}
