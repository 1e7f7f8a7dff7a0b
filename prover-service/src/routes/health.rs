//! `GET /health` (liveness: the process serves HTTP) and `GET /ready` (readiness: keys loaded,
//! prover pool not saturated, not shutting down).

use crate::app::AppState;
use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;
use std::time::Duration;
use x402_zk_service_kit::problem::Problem;

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "meta", summary = "Liveness",
    responses((status = 200, description = "Alive: {status, version}", body = Object),
        (status = 405, description = "Method not allowed (Allow: GET)", content_type = "application/problem+json", body = crate::routes::openapi::Problem)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// Readiness. 200 when a new proof would be admitted now, else 503 (problem+json) naming why.
#[utoipa::path(get, path = "/ready", tag = "meta",
    summary = "Readiness: keys loaded, prover pool not saturated, not shutting down",
    responses((status = 200, description = "Ready: {status, backend, pool}", body = Object),
        (status = 405, description = "Method not allowed (Allow: GET)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 503, description = "Not ready (not-ready); see Retry-After", content_type = "application/problem+json", body = crate::routes::openapi::Problem)))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let mut reasons = Vec::new();
    if !state.backend.is_ready() {
        reasons.push("keys not loaded");
    }
    if state.pool.is_saturated() {
        reasons.push("prover pool saturated");
    }
    if state.is_shutting_down() {
        reasons.push("shutting down");
    }
    let pool = json!({
        "threads": state.pool.threads(),
        "capacity": state.pool.capacity(),
        "running": state.pool.running(),
        "queued": state.pool.queued(),
    });
    if reasons.is_empty() {
        HttpResponse::Ok().json(json!({
            "status": "ready",
            "backend": state.backend.info(),
            "pool": pool,
        }))
    } else {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotReady.reason(),
            reasons.join("; "),
        )
        .title("Not ready")
        .retry_after(Duration::from_secs(1))
        .extension("pool", pool)
        .response()
    }
}
