//! `GET /openapi.json`: the facilitator's OpenAPI 3.1 description, generated from the code
//! (`utoipa`): paths from the `#[utoipa::path]` attributes on the routes in [`crate::app`],
//! schemas from the wire types ([`crate::x402`], [`crate::attester`]) and the schemas below, which
//! say what the parsers accept (each a superset of it: what the schema refuses, the handler
//! refuses; `tests/openapi.rs` checks that on example bodies).

use serde_json::Value;
use std::sync::OnceLock;
use utoipa::OpenApi;

pub mod schemas;

pub use schemas::{Base58Key, Scheme, TrimmedFieldElement, ZkReceiptExtra};
/// RFC 9457 problem details: the attester's and the generic errors (the service kit's type, the
/// prover's too: one shape, one URI scheme).
pub use x402_zk_service_kit::problem::Problem;

/// The generated document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "x402-zk facilitator",
        description = "x402 v2 facilitator for the zk-receipt scheme (/verify, /settle, /supported), \
            the settlement look-up for lost /settle answers (/v1/settlement) and the receipt \
            attester (/v1/attest). /verify and /settle answer in the x402 shapes \
            (isValid:false / success:false with a stable reason word); everything else errs in \
            application/problem+json with a stable `type` URI. A 405 carries Allow with the route's \
            methods."
    ),
    paths(
        crate::app::verify_route,
        crate::app::settle_route,
        crate::settlement::settlement_route,
        crate::app::supported_route,
        crate::app::attest_route,
        crate::proving_key::route,
        crate::app::health,
        crate::app::metrics_route,
        openapi,
    ),
    components(schemas(Base58Key, TrimmedFieldElement, Scheme, ZkReceiptExtra, Problem))
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
pub async fn openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(document())
}
