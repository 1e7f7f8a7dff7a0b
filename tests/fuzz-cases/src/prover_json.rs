//! The prover's request and response bodies (`x402_zk_circuits::wire`, what `POST /v1/proofs` and
//! the WebAssembly prover parse): an error is typed with a reason word; what parses re-serializes
//! and parses back to the same inputs; the field-element parser round-trips.

use crate::Outcome;
use x402_zk_circuits::wire::{reason, FieldBytes, ProofRequest, ProofResponse, WireError};

fn check_error(e: &WireError) {
    assert!([reason::MALFORMED_REQUEST, reason::VALUE_NOT_IN_FIELD].contains(&e.reason()));
}

pub fn run(data: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return Outcome::Refused;
    };
    let mut outcome = Outcome::Refused;
    match ProofRequest::from_json(text) {
        Ok(req) => {
            let again = serde_json::to_string(&req).expect("serializes");
            match req.into_inputs(1_750_000_000) {
                Ok(inputs) => {
                    let back = ProofRequest::from_json(&again).expect("re-parses");
                    assert_eq!(
                        back.into_inputs(1_750_000_000).expect("same inputs"),
                        inputs
                    );
                    let _ = inputs.cache_key();
                    outcome = Outcome::Decoded("request");
                }
                Err(e) => check_error(&e),
            }
        }
        Err(e) => check_error(&e),
    }
    if let Ok(resp) = ProofResponse::from_json(text) {
        if let Ok(p) = resp.proof_bytes() {
            assert_eq!(p.len(), 256);
        }
        let _ = resp.public_input();
        outcome = Outcome::Decoded("response");
    }
    // The field-element parser alone, on the raw text (decimal / 0x-hex, < r, never reduced).
    if let Ok(f) = FieldBytes::parse(text, "fuzz") {
        assert_eq!(FieldBytes::parse(&f.to_hex(), "fuzz").unwrap(), f);
        assert_eq!(FieldBytes::parse(&f.to_decimal(), "fuzz").unwrap(), f);
        if outcome == Outcome::Refused {
            outcome = Outcome::Decoded("field");
        }
    }
    outcome
}
