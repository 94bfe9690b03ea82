pub struct Settings {
    pub listen: String,
    pub supplier_url: String,
}

pub fn load() -> Settings {
    let text = std::fs::read_to_string("inventory.toml").unwrap_or_default();
    let mut settings = Settings {
        listen: "0.0.0.0:8080".into(),
        supplier_url: "https://supplier.example.com".into(),
    };
    for line in text.lines() {
        if let Some(url) = line.strip_prefix("supplier_url = ") {
            settings.supplier_url = url.trim_matches('"').to_string();
        }
    }
    settings
}
