//! The facilitator's `/verify` / `/settle` body (`x402::FacilitatorRequest`, compiled here from its
//! file) and the zk-receipt payload inside it, with the field parser the facilitator applies to
//! `nullifier` / `resourceHash` / `commitment` and the base64 proof decoding: any bytes, no panic;
//! a field element that parses is canonical (< r) and re-parses to itself.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use x402_zk_circuits::field::{fr_from_str_checked, fr_to_hex};

/// The OpenAPI schema types `x402.rs` names in its `#[schema]` attributes.
#[allow(dead_code)]
mod openapi {
    include!("../../../prover-service/facilitator/src/openapi/schemas.rs");
}

#[path = "../../../prover-service/facilitator/src/x402.rs"]
#[allow(dead_code)]
mod x402;

#[path = "../../../prover-service/facilitator/src/proof_codec.rs"]
#[allow(dead_code)]
mod proof_codec;

fn field(s: &str) {
    if let Ok(f) = fr_from_str_checked(s, "fuzz") {
        assert_eq!(fr_from_str_checked(&fr_to_hex(&f), "fuzz").unwrap(), f);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    field(text);
    let Ok(req) = serde_json::from_str::<x402::FacilitatorRequest>(text) else {
        // The payload alone, as `check_payment` reads it.
        if let Ok(p) = serde_json::from_str::<x402::ZkReceiptPayload>(text) {
            field(&p.nullifier);
            field(&p.resource_hash);
        }
        return;
    };
    let _ = req.payment_payload.accepted == req.payment_requirements;
    let _ = req.payment_requirements.amount.parse::<u64>();
    if let Ok(p) = serde_json::from_value::<x402::ZkReceiptPayload>(req.payment_payload.payload) {
        field(&p.nullifier);
        field(&p.resource_hash);
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(p.proof.as_bytes()) {
            let _ = proof_codec::decode_solana_proof(&bytes);
        }
    }
});
