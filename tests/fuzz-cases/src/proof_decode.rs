//! The 256-byte groth16-solana proof decoders, differentially: the facilitator's strict
//! `proof_codec::decode_solana_proof` and the circuits crate's `export::solana::proof_from_bytes`,
//! plus the shared canonical-coordinate check. What the facilitator accepts, the circuits decoder
//! accepts identically, and it re-encodes to the same bytes; an accepted proof has canonical
//! coordinates.

use crate::Outcome;
use x402_zk_circuits::export::solana::{proof_bytes, proof_from_bytes};
use x402_zk_facilitator::proof_codec::{decode_solana_proof, ProofDecodeError};

pub fn run(data: &[u8]) -> Outcome {
    let strict = decode_solana_proof(data);
    let Ok(arr) = <&[u8; 256]>::try_from(data) else {
        assert!(matches!(strict, Err(ProofDecodeError::Length(_))));
        return Outcome::Refused;
    };
    let canonical = x402_zk_encoding::proof_coordinates_canonical(arr);
    let lenient = proof_from_bytes(arr);
    match strict {
        Ok(p) => {
            assert!(canonical, "accepted a non-canonical coordinate");
            let q = lenient.expect("circuits decoder refuses what the facilitator accepts");
            assert_eq!(p, q);
            assert_eq!(&proof_bytes(&p), arr, "re-encoding differs");
            Outcome::Decoded("proof")
        }
        Err(ProofDecodeError::NotCanonical(_)) => {
            assert!(!canonical);
            Outcome::Refused
        }
        Err(_) => Outcome::Refused,
    }
}
