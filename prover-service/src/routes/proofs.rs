//! `POST /v1/proofs`: receipt + secret + public parameters → Groth16 proof.
//!
//! Order of work, cheapest first: rate limit (middleware) → strict JSON parse → field/key parsing
//! → cache lookup → native statement checks (signature, amount, time window) → a slot on the
//! bounded prover pool (or 503) → proof → cache.

use crate::app::AppState;
use crate::backend::{BackendError, StatementError};
use crate::cache::CacheStatus;
use crate::error::ApiError;
use crate::model::{ProofEncoding, ProofInputs, ProofOutput, ProofRequest, ProofResponse};
use crate::pool::PoolError;
use actix_web::{web, HttpResponse};
use std::sync::Arc;
use std::time::{Duration, Instant};
use x402_zk_service_kit::clock::unix_now;

/// `Retry-After` when the proving queue is full.
pub const QUEUE_FULL_RETRY_AFTER: Duration = Duration::from_secs(1);
/// `Retry-After` while shutting down (the client should go to another instance).
pub const SHUTDOWN_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Handler for `POST /v1/proofs`.
#[utoipa::path(post, path = "/v1/proofs", tag = "proofs",
    summary = "Prove a receipt",
    request_body(content = ProofRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Proof", body = ProofResponse,
            headers(("X-Cache" = String, description = "HIT or MISS"))),
        (status = 400, description = "Malformed request (bad JSON, unknown or missing field, bad encoding: malformed-request) or a value ≥ the field modulus (value-not-in-field)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 405, description = "Method not allowed (Allow: POST)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 413, description = "Body larger than the configured limit (payload-too-large)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 415, description = "Content-Type is not application/json (unsupported-media-type)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 422, description = "Statement violated: invalid-signature, amount-below-minimum, statement-unsatisfied", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 429, description = "Rate limit exceeded (rate-limited); see Retry-After", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 503, description = "Proving queue full, not ready, or shutting down; see Retry-After", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
    ))]
pub async fn create_proof(
    state: web::Data<AppState>,
    body: web::Json<ProofRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let enc = body.proof_encoding;
    let inputs = body.into_inputs(unix_now())?;
    respond(&state, inputs, enc).await
}

/// Proves (or fetches) and renders the common success response.
pub(crate) async fn respond(
    state: &web::Data<AppState>,
    inputs: ProofInputs,
    enc: ProofEncoding,
) -> Result<HttpResponse, ApiError> {
    let now = inputs.now;
    let (out, status) = prove_cached(state, inputs).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("X-Cache", status.as_str()))
        .json(ProofResponse::new(&out, enc, now)))
}

fn statement_error(e: StatementError) -> ApiError {
    match e {
        StatementError::InvalidSignature => ApiError::InvalidSignature,
        StatementError::AmountBelowMinimum => ApiError::AmountBelowMinimum,
        StatementError::Other(s) => ApiError::StatementUnsatisfied(s),
    }
}

/// The proving pipeline shared by every proof endpoint.
pub(crate) async fn prove_cached(
    state: &web::Data<AppState>,
    inputs: ProofInputs,
) -> Result<(Arc<ProofOutput>, CacheStatus), ApiError> {
    if state.is_shutting_down() {
        return Err(ApiError::ShuttingDown {
            retry_after: SHUTDOWN_RETRY_AFTER,
        });
    }
    if !state.backend.is_ready() {
        return Err(ApiError::NotReady);
    }
    let key = inputs.cache_key();
    if let Some(hit) = state.cache.get(&key).await {
        state.metrics.cache_hit();
        tracing::debug!(cache = "hit", "proof served from cache");
        return Ok((hit, CacheStatus::Hit));
    }
    state.backend.check(&inputs).map_err(statement_error)?;

    let st = state.clone();
    let (out, status) = state
        .cache
        .get_or_prove(key, async move {
            st.metrics.cache_miss();
            let backend = Arc::clone(&st.backend);
            let job_state = st.clone();
            let result = st
                .pool
                .run(move || {
                    let t0 = Instant::now();
                    let r = backend.prove(&inputs);
                    if r.is_ok() {
                        job_state
                            .metrics
                            .proof_generated(t0.elapsed().as_secs_f64());
                    }
                    r
                })
                .await;
            match result {
                Ok(Ok(out)) => Ok(out),
                Ok(Err(BackendError::Statement(e))) => Err(statement_error(e)),
                Ok(Err(BackendError::Internal(msg))) => {
                    tracing::error!(error = %msg, "prover failed");
                    Err(ApiError::Internal(msg))
                }
                Err(PoolError::Full) => Err(ApiError::QueueFull {
                    retry_after: QUEUE_FULL_RETRY_AFTER,
                }),
                Err(e) => {
                    tracing::error!(error = %e, "prover pool failure");
                    Err(ApiError::Internal(e.to_string()))
                }
            }
        })
        .await?;
    if status == CacheStatus::Hit {
        state.metrics.cache_hit();
    }
    tracing::debug!(cache = status.as_str(), "proof ready");
    Ok((out, status))
}
