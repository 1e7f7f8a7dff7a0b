//! x402 v2 wire types, as `@x402/core` defines them (`PaymentRequirements`, `PaymentPayload`,
//! `VerifyRequest`/`VerifyResponse`, `SettleResponse`, `SupportedResponse`), plus the
//! `zk-receipt` scheme's payload and `extra` fields (see `docs/PROTOCOL.md`).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The scheme this facilitator settles.
pub const SCHEME: &str = "zk-receipt";
pub const X402_VERSION: u32 = 2;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequirements {
    pub scheme: String,
    pub network: String,
    pub asset: String,
    /// Minimum amount, base units, decimal string.
    pub amount: String,
    pub pay_to: String,
    pub max_timeout_seconds: u64,
    #[serde(default)]
    pub extra: Value,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPayload {
    pub x402_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Value>,
    pub accepted: PaymentRequirements,
    pub payload: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
}

/// Body of `POST /verify` and `POST /settle`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FacilitatorRequest {
    pub x402_version: u32,
    pub payment_payload: PaymentPayload,
    pub payment_requirements: PaymentRequirements,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportedKind {
    pub x402_version: u32,
    pub scheme: String,
    pub network: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportedResponse {
    pub kinds: Vec<SupportedKind>,
    pub extensions: Vec<String>,
    pub signers: serde_json::Map<String, Value>,
}

/// `paymentPayload.payload` of the `zk-receipt` scheme.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZkReceiptPayload {
    /// Base64 of the 256-byte groth16-solana proof (proof_a negated).
    pub proof: String,
    /// 0x-hex, 32 bytes big-endian, < r.
    pub nullifier: String,
    /// The prover's notion of "now", unix seconds; must be within the allowed skew.
    pub now: u64,
    /// 0x-hex, < 2^248.
    pub resource_hash: String,
}

/// Stable reasons reported in `invalidReason` / `errorReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    UnsupportedScheme,
    NetworkMismatch,
    RequirementsMismatch,
    InvalidPayload,
    InvalidProof,
    StaleTimestamp,
    NullifierSpent,
    ResourceMismatch,
    SettlementFailed,
    RpcUnavailable,
    /// `payTo` is not one of the merchants this facilitator serves (`--pay-to`).
    PayToNotAllowed,
    /// `amount` is below this facilitator's minimum (`--min-amount`).
    AmountBelowMinimum,
    /// The facilitator's keys or clock skew disagree with the on-chain `Config` (or it is paused,
    /// or it has not been read yet): nothing is verified or settled.
    ConfigMismatch,
    /// `extra.maxAge` exceeds the chain `Config`'s receipt age cap: the program would refuse it
    /// (`ReceiptAgeTooLarge`).
    MaxAgeAboveChainCap,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UnsupportedScheme => "unsupported_scheme",
            Reason::NetworkMismatch => "invalid_network",
            Reason::RequirementsMismatch => "invalid_payment_requirements",
            Reason::InvalidPayload => "invalid_payload",
            Reason::InvalidProof => "invalid_zk_proof",
            Reason::StaleTimestamp => "stale_timestamp",
            Reason::NullifierSpent => "nullifier_already_used",
            Reason::ResourceMismatch => "resource_mismatch",
            Reason::SettlementFailed => "settlement_failed",
            Reason::RpcUnavailable => "rpc_unavailable",
            Reason::PayToNotAllowed => "pay_to_not_allowed",
            Reason::AmountBelowMinimum => "amount_below_facilitator_minimum",
            Reason::ConfigMismatch => "config_mismatch",
            Reason::MaxAgeAboveChainCap => "max_age_above_chain_cap",
        }
    }
}

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
