use axum::extract::Path;
use axum::Json;

use crate::config;

pub async fn stock(Path(sku): Path<String>) -> Json<u32> {
    let text = tokio::fs::read_to_string(format!("/var/stock/{sku}")).await.unwrap_or_default();
    Json(text.trim().parse().unwrap_or(0))
}

pub async fn supplier_price(Path(sku): Path<String>) -> Json<f64> {
    let settings = config::load();
    let body = reqwest::blocking::get(format!("{}/price/{sku}", settings.supplier_url))
        .and_then(|r| r.text())
        .unwrap_or_default();
    Json(body.trim().parse().unwrap_or(0.0))
}

pub async fn report() -> String {
    let csv = tokio::task::spawn_blocking(|| std::fs::read_to_string("/var/stock/report.csv"))
        .await
        .unwrap()
        .unwrap_or_default();
    std::thread::sleep(std::time::Duration::from_millis(50));
    csv
}
