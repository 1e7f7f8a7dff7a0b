//! Logging (tracing, JSON lines) and the per-request observation middleware.
//!
//! Privacy rule: nothing derived from a request body is ever logged or used as a metric label.
//! Log lines carry the request id, method, route *pattern*, status, latency and error reason only.
//! `prover-service/tests/log_privacy.rs` enforces this by grepping captured logs.

use crate::app::AppState;
use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use std::time::Instant;
use tracing::Instrument;
use x402_zk_service_kit::http_metrics::method_label;

/// The request-id header, echoed (or generated) on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client-supplied request id is kept if it is 1–64 chars of `[A-Za-z0-9._-]`; otherwise a
/// UUID v4 is generated (so a client cannot inject anything into logs through it).
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Routes whose failures count in `proof_generation_errors_total`.
pub const PROOF_ROUTES: &[&str] = &["/v1/proofs", "/generate-proof"];

/// Outermost middleware: request id, tracing span, access log, HTTP metrics, proof error counts.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let start = Instant::now();
    let rid = request_id(&req);
    let method = method_label(req.method());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!("request", request_id = %rid, method);

    // Handlers and the middleware below turn their errors into responses, so `Err` only comes
    // from actix internals; it is counted and passed on (actix renders it).
    let res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            let status = e.as_response_error().status_code().as_u16();
            if let Some(state) = &state {
                state.metrics.http_request(
                    method,
                    "unmatched".into(),
                    status,
                    start.elapsed().as_secs_f64(),
                );
            }
            span.in_scope(|| tracing::warn!(status, "request failed in middleware"));
            return Err(e);
        }
    };

    let status = res.status().as_u16();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let reason = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .map(ApiError::reason);
    let secs = start.elapsed().as_secs_f64();
    if let Some(state) = &state {
        state
            .metrics
            .http_request(method, route.clone(), status, secs);
        if let Some(reason) = reason {
            if PROOF_ROUTES.contains(&route.as_str()) && reason != "rate_limited" {
                state.metrics.proof_failed(reason);
            }
        }
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            route = %route,
            latency_ms = secs * 1e3,
            reason = reason.unwrap_or(""),
            "request finished"
        );
    });
    let mut res = res;
    if let Ok(v) = HeaderValue::from_str(&rid) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}
