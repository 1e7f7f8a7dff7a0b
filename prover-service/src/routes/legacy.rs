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
    parse_key, unix_now, AttesterJson, FieldBytes, ProofEncoding, ProofInputs, SignatureJson,
    U64Value,
};
use crate::routes::proofs::respond;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

/// The signature either as an object or packed hex.
#[derive(Deserialize, Serialize, Clone)]
#[serde(untagged)]
pub enum LegacySignature {
    /// `{R8x, R8y, S}`.
    Object(SignatureJson),
    /// `0x` + 192 hex digits.
    Packed(String),
}

/// `POST /generate-proof` request body.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LegacyRequest {
    /// Minimum amount, base units.
    pub min_amount: U64Value,
    /// Recipient (payTo) key.
    pub recipient_key: String,
    /// Maximum receipt age in seconds.
    pub max_block_age: U64Value,
    /// Amount actually paid, base units.
    pub actual_amount: U64Value,
    /// Payer key: accepted for compatibility, never used or logged.
    #[serde(default)]
    pub sender_key: Option<String>,
    /// Attester signature.
    pub signature: LegacySignature,
    /// Mint; default native SOL (all-zero key).
    #[serde(default)]
    pub asset: Option<String>,
    /// Payment block time, unix seconds.
    pub paid_at: U64Value,
    /// Payer secret (field element).
    pub secret: String,
    /// Attester public key.
    pub attester: AttesterJson,
    /// Proof time; default server clock.
    #[serde(default)]
    pub now: Option<U64Value>,
    /// Request binding hash (field element).
    pub resource_hash: String,
    /// Verifier program id.
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
pub async fn generate_proof(
    state: web::Data<AppState>,
    body: web::Json<LegacyRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let enc = body.proof_encoding;
    let inputs = body.into_inputs(unix_now())?;
    respond(&state, inputs, enc).await
}
