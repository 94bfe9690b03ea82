mod config;
mod handlers;

use axum::{routing::get, Router};

#[tokio::main]
async fn main() {
    let settings = config::load();
    let app = Router::new()
        .route("/stock/:sku", get(handlers::stock))
        .route("/supplier/:sku", get(handlers::supplier_price))
        .route("/report", get(handlers::report));
    let listener = tokio::net::TcpListener::bind(&settings.listen).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
