//! x402 v2 wire types, as `@x402/core` defines them (`PaymentRequirements`, `PaymentPayload`,
//! `VerifyRequest`/`VerifyResponse`, `SettleResponse`, `SupportedResponse`), plus the
//! `zk-receipt` scheme's payload and `extra` fields (see `docs/PROTOCOL.md`).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The scheme this facilitator settles.
pub const SCHEME: &str = "zk-receipt";
pub const X402_VERSION: u32 = 2;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequirements {
    #[schema(value_type = crate::openapi::Scheme)]
    pub scheme: String,
    pub network: String,
    #[schema(value_type = crate::openapi::Base58Key)]
    pub asset: String,
    /// Minimum amount, base units, decimal string.
    #[schema(pattern = r"^\+?[0-9]+$")]
    pub amount: String,
    #[schema(value_type = crate::openapi::Base58Key)]
    pub pay_to: String,
    pub max_timeout_seconds: u64,
    #[serde(default)]
    #[schema(value_type = crate::openapi::ZkReceiptExtra)]
    pub extra: Value,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPayload {
    #[schema(minimum = 2, maximum = 2)]
    pub x402_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub resource: Option<Value>,
    pub accepted: PaymentRequirements,
    #[schema(value_type = ZkReceiptPayload)]
    pub payload: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub extensions: Option<Value>,
}

/// Body of `POST /verify` and `POST /settle`.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FacilitatorRequest {
    #[schema(minimum = 2, maximum = 2)]
    pub x402_version: u32,
    pub payment_payload: PaymentPayload,
    pub payment_requirements: PaymentRequirements,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    pub is_valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid_message: Option<String>,
    /// Never the real payer (that is the point): the nullifier, which identifies the receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettleResponse {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
    /// Transaction signature (base58); empty when nothing was sent.
    pub transaction: String,
    pub network: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportedKind {
    pub x402_version: u32,
    pub scheme: String,
    pub network: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub extra: Option<Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportedResponse {
    pub kinds: Vec<SupportedKind>,
    pub extensions: Vec<String>,
    #[schema(value_type = Object)]
    pub signers: serde_json::Map<String, Value>,
}

/// `paymentPayload.payload` of the `zk-receipt` scheme.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZkReceiptPayload {
    /// Base64 of the 256-byte groth16-solana proof (proof_a negated).
    #[schema(pattern = "^[A-Za-z0-9+/]{342}==$")]
    pub proof: String,
    /// 0x-hex, 32 bytes big-endian, < r.
    #[schema(value_type = crate::openapi::TrimmedFieldElement)]
    pub nullifier: String,
    /// The prover's notion of "now", unix seconds; must be within the allowed skew.
    pub now: u64,
    /// 0x-hex, < 2^248.
    #[schema(value_type = crate::openapi::TrimmedFieldElement)]
    pub resource_hash: String,
}

/// Stable reasons reported in `invalidReason` / `errorReason`: the one vocabulary, with its wire
/// words, is `x402_zk_encoding::Reason` (the SDK is checked against its vectors).
pub use x402_zk_encoding::Reason;

/// A failed check: a stable reason plus a message a developer can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", reason.as_str())]
pub struct Rejection {
    pub reason: Reason,
    pub message: String,
    /// A transaction was sent but its outcome is unknown (not confirmed in time, RPC lost after
    /// sending): it may still burn the nullifier.
    pub outcome_unknown: bool,
}

impl Rejection {
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Rejection {
            reason,
            message: message.into(),
            outcome_unknown: false,
        }
    }

    /// Marks the rejection as "a transaction may still land".
    pub fn outcome_unknown(mut self) -> Self {
        self.outcome_unknown = true;
        self
    }
}
