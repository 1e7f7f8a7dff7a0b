//! `GET /openapi.json`: the OpenAPI 3.1 description of the service, generated from the code
//! (`utoipa`): the paths from the `#[utoipa::path]` attributes on the handlers, the request and
//! response schemas from the wire types themselves (`x402_zk_circuits::wire`, feature `openapi`),
//! so the document cannot drift from what the handlers accept. `tests/openapi.rs` checks that the
//! document is valid OpenAPI and that bodies the schema refuses are refused by the handlers.

use actix_web::HttpResponse;
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::OpenApi;

/// The error body of every non-2xx answer: the service kit's problem document (one type for the
/// body and its schema).
pub use x402_zk_service_kit::problem::Problem;

/// The generated document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "x402-zk prover service",
        description = "Proves possession of an attester receipt for a payment (amount ≥ minAmount, \
            recent enough) without revealing amount, payer, transaction or time. Errors are \
            application/problem+json with a stable `type` URI (urn:x402-zk:problem:<reason>). \
            Every response carries X-Request-Id; a 405 carries Allow with the route's methods."
    ),
    paths(
        crate::routes::proofs::create_proof,
        crate::routes::legacy::generate_proof,
        crate::routes::health::health,
        crate::routes::health::ready,
        crate::routes::metrics::metrics,
        openapi,
    ),
    components(schemas(Problem))
)]
pub struct ApiDoc;

/// The document as JSON (built once).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).expect("serializable document"))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
