//! The facilitator's stable reason words (`invalidReason` of `/verify`, `errorReason` of
//! `/settle`, the `reason` of `/v1/settlement` problems, the `error` a resource server passes on in `PAYMENT-REQUIRED`, metric labels).

/// Why a payment was refused or not settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// The payload's scheme is not `zk-receipt`.
    UnsupportedScheme,
    /// The network differs from the facilitator's.
    NetworkMismatch,
    /// `accepted` differs from the requirements, or a requirement is malformed.
    RequirementsMismatch,
    /// The scheme payload does not parse (fields, lengths, canonical values).
    InvalidPayload,
    /// The proof does not verify for the public values.
    InvalidProof,
    /// `now` is outside the allowed clock skew.
    StaleTimestamp,
    /// The nullifier is burnt or being burnt.
    NullifierSpent,
    /// `resourceHash` differs from the requirements'.
    ResourceMismatch,
    /// The settlement transaction failed.
    SettlementFailed,
    /// The RPC node could not be reached.
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
    /// `POST /v1/settlement`: no transaction burned this nullifier (not on chain, or not yet
    /// confirmed).
    SettlementNotFound,
    /// `POST /v1/settlement`: the nullifier was burned, but for other terms (another resource,
    /// merchant, asset or amount) than the presented payment's.
    SettlementMismatch,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: [Reason; 16] = [
        Reason::UnsupportedScheme,
        Reason::NetworkMismatch,
        Reason::RequirementsMismatch,
        Reason::InvalidPayload,
        Reason::InvalidProof,
        Reason::StaleTimestamp,
        Reason::NullifierSpent,
        Reason::ResourceMismatch,
        Reason::SettlementFailed,
        Reason::RpcUnavailable,
        Reason::PayToNotAllowed,
        Reason::AmountBelowMinimum,
        Reason::ConfigMismatch,
        Reason::MaxAgeAboveChainCap,
        Reason::SettlementNotFound,
        Reason::SettlementMismatch,
    ];

    /// The wire word.
    pub const fn as_str(self) -> &'static str {
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
            Reason::SettlementNotFound => "settlement_not_found",
            Reason::SettlementMismatch => "settlement_mismatch",
        }
    }

    /// The reason for a wire word.
    pub fn from_word(word: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == word)
    }
}

impl core::fmt::Display for Reason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Words a resource server (the SDK) reports that are not facilitator reasons.
pub mod client {
    /// The facilitator could not be reached (`502 {"error": "facilitator_unavailable: …"}`).
    pub const FACILITATOR_UNAVAILABLE: &str = "facilitator_unavailable";
}

/// The prover's reason words (`POST /v1/proofs` problem `type` suffix and the WebAssembly prover's
/// error word; the SDK's `PROOF_REFUSED.reason`).
pub mod prover {
    /// The body does not parse (fields, lengths, encodings).
    pub const MALFORMED_REQUEST: &str = "malformed_request";
    /// A field element is `≥ r`.
    pub const VALUE_NOT_IN_FIELD: &str = "value_not_in_field";
    /// The attester's signature does not verify.
    pub const INVALID_SIGNATURE: &str = "invalid_signature";
    /// The receipt's amount is below `minAmount`.
    pub const AMOUNT_BELOW_MINIMUM: &str = "amount_below_minimum";
    /// Another check of the statement fails.
    pub const STATEMENT_UNSATISFIED: &str = "statement_unsatisfied";
    /// Every prover word.
    pub const ALL: [&str; 5] = [
        MALFORMED_REQUEST,
        VALUE_NOT_IN_FIELD,
        INVALID_SIGNATURE,
        AMOUNT_BELOW_MINIMUM,
        STATEMENT_UNSATISFIED,
    ];
}
