//! `GET /metrics`: Prometheus text exposition of this server's recorder.

use crate::app::AppState;
use crate::metrics::Snapshot;
use actix_web::{web, HttpResponse};

/// Renders the metrics, refreshing cache size, queue and memory gauges first.
#[utoipa::path(get, path = "/metrics", tag = "meta", summary = "Prometheus metrics",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String),
        (status = 405, description = "Method not allowed (Allow: GET)", content_type = "application/problem+json", body = crate::routes::openapi::Problem)))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let snap = Snapshot {
        cache_size: state.cache.size().await,
        queued: state.pool.queued(),
        running: state.pool.running(),
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(snap))
}
