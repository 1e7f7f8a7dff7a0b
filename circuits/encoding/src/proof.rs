//! The 256-byte Groth16 proof as the program and the payment header carry it (groth16-solana's
//! layout): `−A (64) ‖ B (128) ‖ C (64)`, every coordinate 32 bytes big-endian, G2 as
//! `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`. `A` is negated by the prover.

use crate::field::is_canonical_fq;

/// Bytes of a proof.
pub const PROOF_LEN: usize = 256;
/// Byte range of `−A` (G1).
pub const PROOF_A: core::ops::Range<usize> = 0..64;
/// Byte range of `B` (G2).
pub const PROOF_B: core::ops::Range<usize> = 64..192;
/// Byte range of `C` (G1).
pub const PROOF_C: core::ops::Range<usize> = 192..256;

/// Splits a proof into `(−A, B, C)` without copying.
#[inline]
pub fn split_proof(proof: &[u8; PROOF_LEN]) -> (&[u8; 64], &[u8; 128], &[u8; 64]) {
    let (a, rest) = proof.split_first_chunk::<64>().expect("256 ≥ 64");
    let (b, c) = rest.split_first_chunk::<128>().expect("192 ≥ 128");
    let c: &[u8; 64] = c.try_into().expect("64 bytes remain");
    (a, b, c)
}

/// True when all eight 32-byte coordinates are `< p`. The alt_bn128 syscalls read the top bits of
/// a G2 coordinate as serialization flags, so without this check one proof would have several
/// byte encodings that all verify. (On-curve, subgroup and identity checks need curve arithmetic
/// and stay with the verifier: the syscalls on chain, arkworks off chain.)
#[inline]
pub fn proof_coordinates_canonical(proof: &[u8; PROOF_LEN]) -> bool {
    proof.chunks_exact(32).all(is_canonical_fq)
}

/// Names of the eight coordinates in byte order (for vectors and error messages).
pub const COORDINATE_NAMES: [&str; 8] = [
    "proof_a.x",
    "proof_a.y",
    "proof_b.x.c1",
    "proof_b.x.c0",
    "proof_b.y.c1",
    "proof_b.y.c0",
    "proof_c.x",
    "proof_c.y",
];

/// Which element of the proof a coordinate index (0..8) belongs to.
pub fn element_of_coordinate(i: usize) -> &'static str {
    match i {
        0 | 1 => "proof_a",
        2..=5 => "proof_b",
        _ => "proof_c",
    }
}
