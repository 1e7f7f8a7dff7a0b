//! Batch Groth16 verification by a random linear combination (RLC): `n + 3` pairings for `n`
//! proofs instead of `4n`. Pure functions over the alt_bn128 syscalls (host fallbacks in
//! [`crate::bn254`]), unit-tested on the host.
//!
//! ## The check
//! Every proof uses groth16-solana's layout with **`A` negated by the client** (`A' = −A`), so one
//! proof verifies iff `e(A', B) · e(α, β) · e(L, γ) · e(C, δ) = 1`, with `L = IC₀ + Σⱼ xⱼ·ICⱼ₊₁`.
//! For `n` proofs and scalars `rᵢ` this module checks
//!
//! ```text
//! Πᵢ e(rᵢ·A'ᵢ, Bᵢ) · e((Σ rᵢ)·α, β) · e(Σ rᵢ·Lᵢ, γ) · e(Σ rᵢ·Cᵢ, δ) = 1
//! ```
//!
//! with `Σ rᵢ·Lᵢ = (Σ rᵢ)·IC₀ + Σⱼ (Σᵢ rᵢ·xᵢⱼ)·ICⱼ₊₁`. If any proof is invalid the product is 1
//! only with probability ≤ 2⁻¹²⁸ over the `rᵢ` (each a 128-bit value).
//!
//! ## Fiat–Shamir
//! `seed = keccak256("x402-zk/batch/v1" ‖ n (u32 LE) ‖ vk_hash ‖ proof₀ ‖ inputs₀ ‖ … )`,
//! `r₀ = 1`, `rᵢ = first 16 bytes of keccak256(seed ‖ i (u32 LE))` read big-endian (1 if zero).
//! The scalars therefore depend on every proof and every public input of the batch, so a prover
//! cannot choose invalid proofs that cancel.
//!
//! ## Scalar arithmetic without a modular reduction
//! The mul syscall accepts any 256-bit scalar, so `Σ rᵢ < 2¹³⁶` is used as is. `Σ rᵢ·xᵢⱼ` is
//! accumulated exactly in 512 bits (`< 2³⁹⁸` for up to 2¹⁶ proofs) and split as
//! `S = S_hi·2²⁵⁶ + S_lo`; then `S·P = S_lo·P + S_hi·((2²⁵⁶ mod r)·P)`: one extra mul instead of a
//! 512-bit reduction mod r.
//!
//! ## Cost (syscalls only)
//! per proof: 2 G1 muls + 2 adds + 1 pairing pair ≈ 20,470 CU (proof 0: no muls, `r₀ = 1`);
//! per batch: 4 muls + pairing base ≈ 51,700 CU.
use groth16_solana::groth16::Groth16Verifyingkey;
use solana_keccak_hasher::hashv;

use crate::bn254::{self, pairing};

/// Domain separation tag of the batch transcript.
pub const TRANSCRIPT_TAG: &[u8] = b"x402-zk/batch/v1";

/// `2²⁵⁶ mod r`, big-endian.
pub const TWO_256_MOD_R: [u8; 32] = [
    0x0e, 0x0a, 0x77, 0xc1, 0x9a, 0x07, 0xdf, 0x2f, 0x66, 0x6e, 0xa3, 0x6f, 0x78, 0x79, 0x46, 0x2e,
    0x36, 0xfc, 0x76, 0x95, 0x9f, 0x60, 0xcd, 0x29, 0xac, 0x96, 0x34, 0x1c, 0x4f, 0xff, 0xff, 0xfb,
];

/// Size of one proof in groth16-solana's layout: `−A` (64) ‖ `B` (128) ‖ `C` (64), big-endian.
pub use x402_zk_encoding::PROOF_LEN;

/// Upper bound on proofs per batch (keeps the 512-bit accumulators exact; far above what 1.4M CU allow).
pub const MAX_BATCH: usize = 256;

/// One proof and its public inputs (each 32 bytes big-endian, already checked `< r` by the caller).
pub struct Entry<'a, const N: usize> {
    pub proof: &'a [u8; PROOF_LEN],
    pub inputs: [[u8; 32]; N],
}

/// Why a batch did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchError {
    /// No proofs.
    Empty,
    /// More than [`MAX_BATCH`] proofs.
    TooLarge,
    /// The verifying key does not have `N + 1` IC points.
    VerifyingKeyMismatch,
    /// Proof `i` has a coordinate `≥ p`, or an `A` or `C` that is not a valid G1 point.
    MalformedProof(usize),
    /// The pairing product is not 1 (some proof is invalid) or a `B` is not a valid G2 point.
    VerificationFailed,
    /// A syscall on verifying-key points failed (the VK itself is malformed).
    VerifyingKeyInvalid,
}

/// The base-field modulus, the proof's canonical check (every coordinate `< p`: the alt_bn128
/// syscalls read the top bits of a G2 coordinate as flags) and its split into `(A', B, C)` are
/// the encoding crate's.
pub use x402_zk_encoding::{proof_coordinates_canonical, split_proof, FQ_MODULUS_BE};

/// The transcript seed over all proofs and inputs.
pub fn transcript_seed<const N: usize>(vk_hash: &[u8; 32], entries: &[Entry<'_, N>]) -> [u8; 32] {
    let n = (entries.len() as u32).to_le_bytes();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(3 + entries.len() * (1 + N));
    parts.push(TRANSCRIPT_TAG);
    parts.push(&n);
    parts.push(vk_hash);
    for e in entries {
        parts.push(e.proof);
        for x in &e.inputs {
            parts.push(x);
        }
    }
    hashv(&parts).to_bytes()
}

/// The 128-bit scalar `rᵢ` (`r₀ = 1`).
pub fn challenge(seed: &[u8; 32], i: usize) -> u128 {
    if i == 0 {
        return 1;
    }
    let h = hashv(&[seed, &(i as u32).to_le_bytes()]).to_bytes();
    let mut hi = [0u8; 16];
    hi.copy_from_slice(&h[..16]);
    match u128::from_be_bytes(hi) {
        0 => 1,
        r => r,
    }
}

/// A 512-bit unsigned integer, little-endian 64-bit limbs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct U512(pub [u64; 8]);

impl U512 {
    /// `self += x · r` for a 256-bit `x` (big-endian bytes) and a 128-bit `r`. Exact for sums of
    /// fewer than 2¹²⁶ terms.
    pub fn mul_add(&mut self, x_be: &[u8; 32], r: u128) {
        let x = limbs_le(x_be);
        let r = [r as u64, (r >> 64) as u64];
        for (j, rj) in r.iter().enumerate() {
            let mut carry: u128 = 0;
            for (k, xk) in x.iter().enumerate() {
                let t = (*xk as u128) * (*rj as u128) + self.0[j + k] as u128 + carry;
                self.0[j + k] = t as u64;
                carry = t >> 64;
            }
            let mut idx = j + 4;
            while carry != 0 && idx < 8 {
                let t = self.0[idx] as u128 + carry;
                self.0[idx] = t as u64;
                carry = t >> 64;
                idx += 1;
            }
        }
    }

    /// `self += r`.
    pub fn add_u128(&mut self, r: u128) {
        let mut carry = r;
        let mut idx = 0;
        while carry != 0 && idx < 8 {
            let t = self.0[idx] as u128 + (carry as u64) as u128;
            self.0[idx] = t as u64;
            carry = (carry >> 64) + (t >> 64);
            idx += 1;
        }
    }

    /// `(hi, lo)` as two 32-byte big-endian scalars: `self = hi·2²⁵⁶ + lo`.
    pub fn split_be(&self) -> ([u8; 32], [u8; 32]) {
        (be_from_limbs(&self.0[4..8]), be_from_limbs(&self.0[0..4]))
    }
}

fn limbs_le(be: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (k, limb) in out.iter_mut().enumerate() {
        let start = 32 - 8 * (k + 1);
        let mut b = [0u8; 8];
        b.copy_from_slice(&be[start..start + 8]);
        *limb = u64::from_be_bytes(b);
    }
    out
}

fn be_from_limbs(limbs: &[u64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (k, limb) in limbs.iter().enumerate().take(4) {
        let start = 32 - 8 * (k + 1);
        out[start..start + 8].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

fn scalar_from_u128(r: u128) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[16..].copy_from_slice(&r.to_be_bytes());
    s
}

/// `S·P` for a 512-bit scalar `S` (see the module doc).
fn mul_wide(p: &[u8; 64], s: &U512) -> Result<[u8; 64], BatchError> {
    let (hi, lo) = s.split_be();
    let lo_p = bn254::mul(p, &lo).map_err(|_| BatchError::VerifyingKeyInvalid)?;
    if hi == [0u8; 32] {
        return Ok(lo_p);
    }
    let shifted = bn254::mul(p, &TWO_256_MOD_R).map_err(|_| BatchError::VerifyingKeyInvalid)?;
    let hi_p = bn254::mul(&shifted, &hi).map_err(|_| BatchError::VerifyingKeyInvalid)?;
    bn254::add(&lo_p, &hi_p).map_err(|_| BatchError::VerifyingKeyInvalid)
}

/// Verifies `entries` against `vk` in one pairing product. `vk_hash` binds the transcript to the key.
pub fn verify_batch<const N: usize>(
    vk: &Groth16Verifyingkey,
    vk_hash: &[u8; 32],
    entries: &[Entry<'_, N>],
) -> Result<(), BatchError> {
    let n = entries.len();
    if n == 0 {
        return Err(BatchError::Empty);
    }
    if n > MAX_BATCH {
        return Err(BatchError::TooLarge);
    }
    if vk.vk_ic.len() != N + 1 || vk.vk_commitment.is_some() {
        return Err(BatchError::VerifyingKeyMismatch);
    }
    crate::cu_probe!("batch: start");
    let seed = transcript_seed(vk_hash, entries);
    crate::cu_probe!("batch: transcript");

    let mut pairs: Vec<u8> = Vec::with_capacity((n + 3) * 192);
    let mut sum_r = U512::default();
    let mut sum_rx = [U512::default(); N];
    let mut c_acc = [0u8; 64];
    for (i, e) in entries.iter().enumerate() {
        if !proof_coordinates_canonical(e.proof) {
            return Err(BatchError::MalformedProof(i));
        }
        let (a, b, c) = split_proof(e.proof);
        let r = challenge(&seed, i);
        let (ra, rc) = if r == 1 {
            (*a, *c)
        } else {
            let s = scalar_from_u128(r);
            (
                bn254::mul(a, &s).map_err(|_| BatchError::MalformedProof(i))?,
                bn254::mul(c, &s).map_err(|_| BatchError::MalformedProof(i))?,
            )
        };
        pairs.extend_from_slice(&ra);
        pairs.extend_from_slice(b);
        c_acc = if i == 0 {
            rc
        } else {
            bn254::add(&c_acc, &rc).map_err(|_| BatchError::MalformedProof(i))?
        };
        sum_r.add_u128(r);
        for (acc, x) in sum_rx.iter_mut().zip(e.inputs.iter()) {
            acc.mul_add(x, r);
        }
    }

    crate::cu_probe!("batch: per-proof loop");
    // Σr < 2^(128+8) for MAX_BATCH proofs: it fits the low 256 bits.
    let (_, sum_r_be) = sum_r.split_be();
    let ic0 = vk.vk_ic.first().ok_or(BatchError::VerifyingKeyMismatch)?;
    let mut l = bn254::mul(ic0, &sum_r_be).map_err(|_| BatchError::VerifyingKeyInvalid)?;
    for (j, s) in sum_rx.iter().enumerate() {
        let ic = vk
            .vk_ic
            .get(j + 1)
            .ok_or(BatchError::VerifyingKeyMismatch)?;
        let term = mul_wide(ic, s)?;
        l = bn254::add(&l, &term).map_err(|_| BatchError::VerifyingKeyInvalid)?;
    }
    let alpha =
        bn254::mul(&vk.vk_alpha_g1, &sum_r_be).map_err(|_| BatchError::VerifyingKeyInvalid)?;

    crate::cu_probe!("batch: L and alpha");
    pairs.extend_from_slice(&alpha);
    pairs.extend_from_slice(&vk.vk_beta_g2);
    pairs.extend_from_slice(&l);
    pairs.extend_from_slice(&vk.vk_gamma_g2);
    pairs.extend_from_slice(&c_acc);
    pairs.extend_from_slice(&vk.vk_delta_g2);

    match pairing(&pairs) {
        Ok(true) => Ok(()),
        _ => Err(BatchError::VerificationFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_256_mod_r_is_right() {
        // 2^256 = q·r + TWO_256_MOD_R, checked as r·5 + c = 2^256 (q = 5 for BN254's r).
        let mut acc = U512::default();
        acc.mul_add(&crate::public_input::FR_MODULUS_BE, 5);
        acc.mul_add(&TWO_256_MOD_R, 1);
        assert_eq!(acc.0, [0, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn u512_mul_add_matches_u128_math() {
        let mut acc = U512::default();
        let mut x = [0u8; 32];
        x[31] = 3;
        x[23] = 1; // 2^64 + 3
        acc.mul_add(&x, u128::MAX);
        // (2^64 + 3)(2^128 − 1) = 2^192 + 3·2^128 − 2^64 − 3
        // 3·2^128 − 2^64 − 3 = 2·2^128 + (2^128 − 2^64 − 3)
        let expect = U512([u64::MAX - 2, u64::MAX - 1, 2, 1, 0, 0, 0, 0]);
        assert_eq!(acc, expect);
        let mut s = U512::default();
        s.add_u128(u128::MAX);
        s.add_u128(1);
        assert_eq!(s.0[..3], [0, 0, 1]);
    }
}
