//! The 256-byte groth16-solana proof decoders, differentially: the facilitator's strict
//! `proof_codec::decode_solana_proof` (compiled here from its file) and the circuits crate's
//! `export::solana::proof_from_bytes`, plus the shared canonical-coordinate check. Any input:
//! no panic; what the facilitator accepts, the circuits decoder accepts identically, and it
//! re-encodes to the same bytes; a proof the facilitator accepts has canonical coordinates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x402_zk_circuits::export::solana::{proof_bytes, proof_from_bytes};

#[path = "../../../prover-service/facilitator/src/proof_codec.rs"]
#[allow(dead_code)]
mod proof_codec;

fuzz_target!(|data: &[u8]| {
    let strict = proof_codec::decode_solana_proof(data);
    let Ok(arr) = <&[u8; 256]>::try_from(data) else {
        assert!(matches!(
            strict,
            Err(proof_codec::ProofDecodeError::Length(_))
        ));
        return;
    };
    let canonical = x402_zk_encoding::proof_coordinates_canonical(arr);
    let lenient = proof_from_bytes(arr);
    match strict {
        Ok(p) => {
            assert!(canonical, "accepted a non-canonical coordinate");
            let q = lenient.expect("circuits decoder refuses what the facilitator accepts");
            assert_eq!(p, q);
            assert_eq!(&proof_bytes(&p), arr, "re-encoding differs");
        }
        Err(proof_codec::ProofDecodeError::NotCanonical(_)) => assert!(!canonical),
        Err(_) => {}
    }
});
