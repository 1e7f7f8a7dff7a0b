//! Single-proof Groth16 verification (groth16-solana) and the checks shared by every verify path.
//!
//! ## Proof encoding (what clients send)
//! 256 bytes, groth16-solana's layout, all coordinates 32-byte **big-endian**:
//! `proof[0..64]   = −A` — **the client negates A** (`(x, p − y)`; the identity stays all-zero).
//!   The program does not negate it: a proof with a non-negated A simply fails `InvalidProof`.
//! `proof[64..192] = B` as `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0` (EIP-197 order, imaginary part first),
//! `proof[192..256] = C`.
//! From snarkjs JSON: `A = (pi_a[0], p − pi_a[1])`, `B = (pi_b[0][1], pi_b[0][0], pi_b[1][1], pi_b[1][0])`.
use anchor_lang::prelude::*;
use groth16_solana::errors::Groth16Error;
use groth16_solana::groth16::{Groth16Verifier, Groth16Verifyingkey};

use crate::batch::split_proof;
use crate::errors::ErrorCode;

/// Verifies one proof for one public input (`pubHash`, already checked canonical) against `vk`
/// (read from the verifying-key account, `vk::load`).
pub fn verify_single(
    proof: &[u8; 256],
    pub_hash: &[u8; 32],
    vk: &Groth16Verifyingkey,
) -> Result<()> {
    require!(
        crate::batch::proof_coordinates_canonical(proof),
        ErrorCode::MalformedProof
    );
    let (a, b, c) = split_proof(proof);
    let inputs = [*pub_hash];
    let mut verifier = Groth16Verifier::new(a, b, c, &inputs, vk)
        .map_err(|_| error!(ErrorCode::VerifyingKeyInvalid))?;
    verifier.verify().map_err(|e| match e {
        Groth16Error::PublicInputGreaterThanFieldSize => error!(ErrorCode::PublicValueNotCanonical),
        Groth16Error::ProofVerificationFailed => error!(ErrorCode::InvalidProof),
        _ => error!(ErrorCode::VerifyingKeyInvalid),
    })
}

/// `now` must be within `max_skew` seconds of the validator clock, either way.
pub fn check_clock(now: u64, clock_unix: i64, max_skew: u32) -> Result<()> {
    let diff = (now as i128) - (clock_unix as i128);
    require!(
        diff.unsigned_abs() <= max_skew as u128,
        ErrorCode::TimestampOutOfRange
    );
    Ok(())
}
