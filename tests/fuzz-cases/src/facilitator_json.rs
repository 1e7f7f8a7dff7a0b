//! The facilitator's `/verify` / `/settle` body (`x402::FacilitatorRequest`) and the zk-receipt
//! payload inside it, with the field parser the facilitator applies to `nullifier` /
//! `resourceHash` and the base64 proof decoding: a field element that parses is canonical (< r) and
//! re-parses to itself.

use crate::Outcome;
use base64::Engine;
use x402_zk_circuits::field::{fr_from_str_checked, fr_to_hex};
use x402_zk_facilitator::proof_codec::decode_solana_proof;
use x402_zk_facilitator::x402::{FacilitatorRequest, ZkReceiptPayload};

fn field(s: &str) -> bool {
    match fr_from_str_checked(s, "fuzz") {
        Ok(f) => {
            assert_eq!(fr_from_str_checked(&fr_to_hex(&f), "fuzz").unwrap(), f);
            true
        }
        Err(_) => false,
    }
}

fn payload(p: &ZkReceiptPayload) {
    field(&p.nullifier);
    field(&p.resource_hash);
    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(p.proof.as_bytes()) {
        let _ = decode_solana_proof(&bytes);
    }
}

pub fn run(data: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return Outcome::Refused;
    };
    let is_field = field(text);
    let Ok(req) = serde_json::from_str::<FacilitatorRequest>(text) else {
        // The payload alone, as the facilitator's payment check reads it.
        if let Ok(p) = serde_json::from_str::<ZkReceiptPayload>(text) {
            payload(&p);
            return Outcome::Decoded("payload");
        }
        return if is_field {
            Outcome::Decoded("field")
        } else {
            Outcome::Refused
        };
    };
    let _ = req.payment_payload.accepted == req.payment_requirements;
    let _ = req.payment_requirements.amount.parse::<u64>();
    if let Ok(p) = serde_json::from_value::<ZkReceiptPayload>(req.payment_payload.payload) {
        payload(&p);
    }
    Outcome::Decoded("request")
}
