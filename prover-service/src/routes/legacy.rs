//! `POST /generate-proof`: the published design's request shape, mapped onto the receipt statement.
//!
//! | published field | meaning here |
//! |---|---|
//! | `minAmount`    | `public.minAmount` (base units) |
//! | `recipientKey` | `receipt.payTo` (32-byte key, base58 or 0x-hex) |
//! | `maxBlockAge`  | `public.maxAge`, **in seconds** (the receipt carries block *time*; a client that counted slots multiplies by its slot time) |
//! | `actualAmount` | `receipt.amount` (private) |
//! | `senderKey`    | optional; parsed as a 32-byte key and then **discarded**: the payer is not part of the statement (that is the point: amount, payer and transaction stay hidden) |
//! | `signature`    | the attester's EdDSA-Poseidon receipt signature: `{R8x, R8y, S}` or `0x` + 192 hex digits (`R8x‖R8y‖S`, 32 bytes each, big-endian) |
//!
//! The new statement needs inputs the published design did not have; they are required here under
//! the same names as in `/v1/proofs`: `paidAt`, `secret`, `attester`, `resourceHash`, `programId`,
//! and optional `asset` (default: native SOL, the all-zero key) and `now` (default: server clock).
//! The response is the same as `/v1/proofs`.

use crate::app::AppState;
use crate::error::ApiError;
use crate::model::{
    parse_key, AttesterJson, FieldBytes, ProofEncoding, ProofInputs, SignatureJson, U64Value,
};
use crate::routes::proofs::respond;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use x402_zk_circuits::wire::openapi;
use x402_zk_service_kit::clock::unix_now;

/// OpenAPI schema of [`LegacySignature::Packed`]: what [`parse_signature`] accepts.
pub struct PackedSignature;
impl utoipa::PartialSchema for PackedSignature {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        serde_json::from_value(serde_json::json!({
            "type": "string",
            "pattern": "^(0x)?[0-9a-fA-F]{192}$",
            "description": "R8x‖R8y‖S, 32 bytes each, big-endian hex",
        }))
        .expect("static schema")
    }
}
impl utoipa::ToSchema for PackedSignature {}

/// The signature either as an object or packed hex.
#[derive(Deserialize, Serialize, Clone, utoipa::ToSchema)]
#[serde(untagged)]
pub enum LegacySignature {
    /// `{R8x, R8y, S}`.
    Object(SignatureJson),
    /// `0x` + 192 hex digits.
    #[schema(value_type = PackedSignature)]
    Packed(String),
}

/// `POST /generate-proof` request body.
#[derive(Deserialize, Serialize, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LegacyRequest {
    /// Minimum amount, base units.
    pub min_amount: U64Value,
    /// Recipient (payTo) key.
    #[schema(value_type = openapi::Key32)]
    pub recipient_key: String,
    /// Maximum receipt age in seconds.
    pub max_block_age: U64Value,
    /// Amount actually paid, base units.
    pub actual_amount: U64Value,
    /// Payer key: accepted for compatibility, never used or logged.
    #[serde(default)]
    #[schema(value_type = Option<openapi::Key32>)]
    pub sender_key: Option<String>,
    /// Attester signature.
    pub signature: LegacySignature,
    /// Mint; default native SOL (all-zero key).
    #[serde(default)]
    #[schema(value_type = Option<openapi::Key32>)]
    pub asset: Option<String>,
    /// Payment block time, unix seconds.
    pub paid_at: U64Value,
    /// Payer secret (field element).
    #[schema(value_type = openapi::FieldElement)]
    pub secret: String,
    /// Attester public key.
    pub attester: AttesterJson,
    /// Proof time; default server clock.
    #[serde(default)]
    pub now: Option<U64Value>,
    /// Request binding hash (field element).
    #[schema(value_type = openapi::FieldElement)]
    pub resource_hash: String,
    /// Verifier program id.
    #[schema(value_type = openapi::Key32)]
    pub program_id: String,
    /// Proof encoding in the response.
    #[serde(default)]
    pub proof_encoding: ProofEncoding,
}

fn parse_signature(s: &LegacySignature) -> Result<(FieldBytes, FieldBytes, FieldBytes), ApiError> {
    match s {
        LegacySignature::Object(o) => Ok((
            FieldBytes::parse(&o.r8x, "signature.R8x")?,
            FieldBytes::parse(&o.r8y, "signature.R8y")?,
            FieldBytes::parse(&o.s, "signature.S")?,
        )),
        LegacySignature::Packed(p) => {
            let h = p.strip_prefix("0x").unwrap_or(p);
            if h.len() != 192 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ApiError::Malformed(
                    "signature: expected {R8x, R8y, S} or 0x + 192 hex digits".into(),
                ));
            }
            let part = |i: usize, what| {
                FieldBytes::parse(&format!("0x{}", &h[i * 64..(i + 1) * 64]), what)
            };
            Ok((
                part(0, "signature.R8x")?,
                part(1, "signature.R8y")?,
                part(2, "signature.S")?,
            ))
        }
    }
}

impl LegacyRequest {
    /// Maps the published field names onto the statement's inputs (see the module doc).
    pub fn into_inputs(self, default_now: u64) -> Result<ProofInputs, ApiError> {
        if let Some(sender) = &self.sender_key {
            parse_key(sender, "senderKey")?;
        }
        let (sig_r8x, sig_r8y, sig_s) = parse_signature(&self.signature)?;
        Ok(ProofInputs {
            attester_x: FieldBytes::parse(&self.attester.x, "attester.x")?,
            attester_y: FieldBytes::parse(&self.attester.y, "attester.y")?,
            pay_to: parse_key(&self.recipient_key, "recipientKey")?,
            asset: match &self.asset {
                Some(a) => parse_key(a, "asset")?,
                None => [0u8; 32],
            },
            amount: self.actual_amount.0,
            paid_at: self.paid_at.0,
            sig_r8x,
            sig_r8y,
            sig_s,
            secret: FieldBytes::parse(&self.secret, "secret")?,
            min_amount: self.min_amount.0,
            now: self.now.map(|n| n.0).unwrap_or(default_now),
            max_age: self.max_block_age.0,
            resource_hash: FieldBytes::parse(&self.resource_hash, "resourceHash")?,
            program_id: parse_key(&self.program_id, "programId")?,
        })
    }
}

/// Handler for `POST /generate-proof`.
#[utoipa::path(post, path = "/generate-proof", tag = "proofs",
    summary = "Prove a receipt (published design's field names)",
    description = "minAmount→public.minAmount, recipientKey→receipt.payTo, maxBlockAge→public.maxAge (seconds), actualAmount→receipt.amount, senderKey→accepted and discarded (the payer is hidden by the statement), signature→receipt.signature. The new statement also needs paidAt, secret, attester, resourceHash, programId; asset defaults to native SOL, now to the server clock.",
    request_body(content = LegacyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Proof", body = crate::model::ProofResponse,
            headers(("X-Cache" = String, description = "HIT or MISS"))),
        (status = 400, description = "Malformed request (bad JSON, unknown or missing field, bad encoding: malformed-request) or a value ≥ the field modulus (value-not-in-field)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 405, description = "Method not allowed (Allow: POST)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 413, description = "Body larger than the configured limit (payload-too-large)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 415, description = "Content-Type is not application/json (unsupported-media-type)", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 422, description = "Statement violated: invalid-signature, amount-below-minimum, statement-unsatisfied", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 429, description = "Rate limit exceeded (rate-limited); see Retry-After", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
        (status = 503, description = "Proving queue full, not ready, or shutting down; see Retry-After", content_type = "application/problem+json", body = crate::routes::openapi::Problem),
    ))]
pub async fn generate_proof(
    state: web::Data<AppState>,
    body: web::Json<LegacyRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let enc = body.proof_encoding;
    let inputs = body.into_inputs(unix_now())?;
    respond(&state, inputs, enc).await
}
