//! x402 `/verify`: everything that can be checked without spending anything — scheme, network
//! and requirement match, the merchant allow-list and minimum amount, `maxAge` within the chain
//! `Config`'s cap, payload encodings, `now` freshness and the Groth16 proof (off-chain). The
//! routes then check that the nullifier is neither claimed in this process nor burnt on-chain.
use ark_bn254::Fr;
use base64::Engine;
use x402_zk_circuits::babyjubjub::Point;
use x402_zk_circuits::field::fr_from_str_checked;
use x402_zk_circuits::groth16::{verify_pub_hash, VerifierKey};
use x402_zk_circuits::receipt::PublicParams;

use crate::attester::{asset_bytes, pubkey_bytes};
use crate::proof_codec::decode_solana_proof;
use crate::x402::{FacilitatorRequest, Reason, Rejection, ZkReceiptPayload, SCHEME, X402_VERSION};

/// What the facilitator is configured to accept.
pub struct Policy {
    pub network: String,
    pub program_id: [u8; 32],
    pub attester: Point,
    pub max_clock_skew_seconds: u64,
    pub vk: VerifierKey,
    /// Merchants served (`--pay-to`); any other `payTo` is refused before anything else is done.
    pub pay_to: Vec<[u8; 32]>,
    /// Smallest `amount` settled (`--min-amount`).
    pub min_amount: u64,
}

/// A payment that passed every off-chain check, ready to settle.
#[derive(Clone, Debug)]
pub struct CheckedPayment {
    pub public: PublicParams,
    pub nullifier: Fr,
    pub nullifier_be: [u8; 32],
    pub proof: [u8; 256],
    pub pub_hash: Fr,
}

fn reject(reason: Reason, msg: impl Into<String>) -> Rejection {
    Rejection::new(reason, msg)
}

fn extra_str<'a>(extra: &'a serde_json::Value, key: &str) -> Result<&'a str, Rejection> {
    extra[key].as_str().ok_or_else(|| {
        reject(
            Reason::RequirementsMismatch,
            format!("requirements.extra.{key} missing"),
        )
    })
}

fn extra_u64(extra: &serde_json::Value, key: &str) -> Result<u64, Rejection> {
    let v = &extra[key];
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| {
            reject(
                Reason::RequirementsMismatch,
                format!("requirements.extra.{key} must be an integer"),
            )
        })
}

/// 32-byte big-endian of a canonical field element given as 0x-hex or decimal.
fn field(s: &str, what: &'static str) -> Result<Fr, Rejection> {
    fr_from_str_checked(s, what).map_err(|e| reject(Reason::InvalidPayload, e.to_string()))
}

/// Runs the off-chain checks at wall-clock `now_unix`, with `max_age_cap` the chain `Config`'s
/// receipt age cap when known (a larger `extra.maxAge` is `max_age_above_chain_cap`). Does not
/// touch the chain.
pub fn check_payment(
    policy: &Policy,
    req: &FacilitatorRequest,
    now_unix: u64,
    max_age_cap: Option<u64>,
) -> Result<CheckedPayment, Rejection> {
    let reqs = &req.payment_requirements;
    if req.x402_version != X402_VERSION || req.payment_payload.x402_version != X402_VERSION {
        return Err(reject(Reason::InvalidPayload, "x402Version must be 2"));
    }
    if reqs.scheme != SCHEME || req.payment_payload.accepted.scheme != SCHEME {
        return Err(reject(
            Reason::UnsupportedScheme,
            format!("only scheme {SCHEME} is supported"),
        ));
    }
    if reqs.network != policy.network {
        return Err(reject(
            Reason::NetworkMismatch,
            format!("this facilitator settles on {}", policy.network),
        ));
    }
    if req.payment_payload.accepted != *reqs {
        return Err(reject(
            Reason::RequirementsMismatch,
            "paymentPayload.accepted differs from paymentRequirements",
        ));
    }
    let pay_to =
        pubkey_bytes(&reqs.pay_to, "payTo").map_err(|m| reject(Reason::RequirementsMismatch, m))?;
    if !policy.pay_to.contains(&pay_to) {
        return Err(reject(
            Reason::PayToNotAllowed,
            format!("this facilitator does not settle for payTo {}", reqs.pay_to),
        ));
    }
    let asset = asset_bytes(&reqs.asset).map_err(|m| reject(Reason::RequirementsMismatch, m))?;
    let min_amount: u64 = reqs.amount.parse().map_err(|_| {
        reject(
            Reason::RequirementsMismatch,
            "amount must be a u64 decimal string",
        )
    })?;
    if min_amount < policy.min_amount {
        return Err(reject(
            Reason::AmountBelowMinimum,
            format!(
                "amount {min_amount} is below this facilitator's minimum of {}",
                policy.min_amount
            ),
        ));
    }
    let extra = &reqs.extra;
    let program_id = pubkey_bytes(extra_str(extra, "programId")?, "extra.programId")
        .map_err(|m| reject(Reason::RequirementsMismatch, m))?;
    if program_id != policy.program_id {
        return Err(reject(
            Reason::RequirementsMismatch,
            "extra.programId is not this facilitator's program",
        ));
    }
    let max_age = extra_u64(extra, "maxAge")?;
    if let Some(cap) = max_age_cap.filter(|cap| max_age > *cap) {
        return Err(reject(
            Reason::MaxAgeAboveChainCap,
            format!("extra.maxAge {max_age} exceeds the chain Config's receipt age cap of {cap} s"),
        ));
    }
    let required_resource = field(extra_str(extra, "resourceHash")?, "extra.resourceHash")?;

    let payload: ZkReceiptPayload = serde_json::from_value(req.payment_payload.payload.clone())
        .map_err(|e| reject(Reason::InvalidPayload, format!("payload: {e}")))?;
    let resource_hash = field(&payload.resource_hash, "resourceHash")?;
    if resource_hash != required_resource {
        return Err(reject(
            Reason::ResourceMismatch,
            "payload.resourceHash is not the resource being paid for",
        ));
    }
    if payload.now.abs_diff(now_unix) > policy.max_clock_skew_seconds {
        return Err(reject(
            Reason::StaleTimestamp,
            format!(
                "payload.now is more than {} s from the facilitator clock",
                policy.max_clock_skew_seconds
            ),
        ));
    }
    let nullifier = field(&payload.nullifier, "nullifier")?;
    let proof_vec = base64::engine::general_purpose::STANDARD
        .decode(payload.proof.as_bytes())
        .map_err(|e| reject(Reason::InvalidPayload, format!("proof: not base64: {e}")))?;
    let proof_arr: [u8; 256] = proof_vec.as_slice().try_into().map_err(|_| {
        reject(
            Reason::InvalidPayload,
            format!("proof must be 256 bytes, got {}", proof_vec.len()),
        )
    })?;
    let proof =
        decode_solana_proof(&proof_arr).map_err(|e| reject(Reason::InvalidProof, e.to_string()))?;

    let public = PublicParams {
        attester: policy.attester,
        pay_to,
        asset,
        min_amount,
        now: payload.now,
        max_age,
        resource_hash,
        program_id,
    };
    let pub_hash = public.pub_hash(&nullifier);
    verify_pub_hash(&policy.vk, &pub_hash, &proof).map_err(|_| {
        reject(
            Reason::InvalidProof,
            "the proof does not verify for these requirements",
        )
    })?;
    Ok(CheckedPayment {
        public,
        nullifier,
        nullifier_be: x402_zk_circuits::field::fr_to_be_bytes(&nullifier),
        proof: proof_arr,
        pub_hash,
    })
}
