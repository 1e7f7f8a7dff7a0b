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
//! ## Scalar arithmetic
//! The mul syscall accepts any 256-bit scalar, so `Σ rᵢ < 2¹³⁶` is used as is. `Σ rᵢ·xᵢⱼ` is
//! accumulated exactly in 512 bits (`< 2³⁹⁸` for up to 2¹⁶ proofs) and reduced mod r in software
//! ([`U512::reduce_mod_r`]: two Montgomery reductions, a few hundred CU) — splitting it as
//! `S_hi·2²⁵⁶ + S_lo` instead cost two more muls and an add (~8,000 CU) per batch.
//!
//! ## Cost (syscalls only)
//! per proof: 2 G1 muls (`rᵢ·A'ᵢ`, `rᵢ·Cᵢ`) + 1 add + 1 pairing pair (proof 0: no muls, `r₀ = 1`);
//! per batch: 3 muls (`Σrᵢ·α`, `Σrᵢ·IC₀`, `(Σrᵢxᵢ mod r)·IC₁`) + 1 add, the pairing's base price and
//! its three key pairs. Measured figures: `BENCHMARKS-program.md`.
use groth16_solana::groth16::Groth16Verifyingkey;
use solana_keccak_hasher::hashv;

use crate::bn254::{self, pairing};

/// Domain separation tag of the batch transcript.
pub const TRANSCRIPT_TAG: &[u8] = b"x402-zk/batch/v1";

/// The scalar-field modulus `r`, little-endian 64-bit limbs (from the encoding crate's bytes).
const R_LIMBS: [u64; 4] = limbs_le(&crate::public_input::FR_MODULUS_BE);
/// `−r⁻¹ mod 2⁶⁴` (Montgomery reduction's per-limb factor).
const R_INV_NEG: u64 = 0xc2e1_f593_efff_ffff;
/// `2⁵¹² mod r`, little-endian limbs (turns a Montgomery reduction's `·2⁻²⁵⁶` back).
const TWO_512_MOD_R: [u64; 4] = [
    0x1bb8_e645_ae21_6da7,
    0x53fe_3ab1_e35c_59e3,
    0x8c49_833d_53bb_8085,
    0x0216_d0b1_7f4e_44a5,
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

    /// The low 256 bits as a 32-byte big-endian scalar (all of `self` when it is `< 2²⁵⁶`).
    pub fn low_be(&self) -> [u8; 32] {
        be_from_limbs(&self.0[0..4])
    }

    /// A 32-byte big-endian scalar `≡ self (mod r)` for the mul syscall, which takes any 256-bit
    /// scalar: `self` itself when it is below 2²⁵⁶ (a batch of one, `r₀ = 1`), else
    /// [`Self::reduce_mod_r`] (~2,000 CU on SBF: its 128-bit products are library calls there).
    pub fn scalar_be(&self) -> [u8; 32] {
        if self.0[4..] == [0; 4] {
            self.low_be()
        } else {
            self.reduce_mod_r()
        }
    }

    /// `self mod r` as a 32-byte big-endian scalar, for any `self < r·2²⁵⁶` (every sum this module
    /// accumulates: `< 2³⁹⁸`). Montgomery: `a = self·2⁻²⁵⁶ mod r`, then `a·2⁵¹²·2⁻²⁵⁶ = self`.
    pub fn reduce_mod_r(&self) -> [u8; 32] {
        let a = redc(self.0);
        be_from_limbs(&redc(mul_4x4(&a, &TWO_512_MOD_R)))
    }
}

/// `a·b` for 256-bit `a`, `b` (little-endian limbs), exactly.
fn mul_4x4(a: &[u64; 4], b: &[u64; 4]) -> [u64; 8] {
    let mut out = [0u64; 8];
    for (i, ai) in a.iter().enumerate() {
        let mut carry: u128 = 0;
        for (j, bj) in b.iter().enumerate() {
            let t = (*ai as u128) * (*bj as u128) + out[i + j] as u128 + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + 4] = carry as u64;
    }
    out
}

/// Montgomery reduction: `t·2⁻²⁵⁶ mod r` in `[0, r)`, for `t < r·2²⁵⁶`.
fn redc(t: [u64; 8]) -> [u64; 4] {
    let mut t = [t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], 0];
    for i in 0..4 {
        let m = t[i].wrapping_mul(R_INV_NEG);
        let mut carry: u128 = 0;
        for (j, rj) in R_LIMBS.iter().enumerate() {
            let x = (m as u128) * (*rj as u128) + t[i + j] as u128 + carry;
            t[i + j] = x as u64;
            carry = x >> 64;
        }
        let mut k = i + 4;
        while carry != 0 && k < t.len() {
            let x = t[k] as u128 + carry;
            t[k] = x as u64;
            carry = x >> 64;
            k += 1;
        }
    }
    // (t + m·r)/2²⁵⁶ < 2r < 2²⁵⁵: t[8] is 0 and one subtraction makes it canonical.
    let mut out = [t[4], t[5], t[6], t[7]];
    if !lt(&out, &R_LIMBS) {
        let mut borrow = 0u64;
        for (o, rj) in out.iter_mut().zip(R_LIMBS.iter()) {
            let (d1, b1) = o.overflowing_sub(*rj);
            let (d2, b2) = d1.overflowing_sub(borrow);
            *o = d2;
            borrow = u64::from(b1 | b2);
        }
    }
    out
}

/// `a < b` for little-endian limbs.
fn lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for k in (0..4).rev() {
        if a[k] != b[k] {
            return a[k] < b[k];
        }
    }
    false
}

/// A 32-byte big-endian value as little-endian 64-bit limbs (`const`: [`R_LIMBS`] is one).
const fn limbs_le(be: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    let mut k = 0;
    while k < 4 {
        let start = 32 - 8 * (k + 1);
        let mut b = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            b[i] = be[start + i];
            i += 1;
        }
        out[k] = u64::from_be_bytes(b);
        k += 1;
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
    let sum_r_be = sum_r.low_be();
    let ic0 = vk.vk_ic.first().ok_or(BatchError::VerifyingKeyMismatch)?;
    let mut l = bn254::mul(ic0, &sum_r_be).map_err(|_| BatchError::VerifyingKeyInvalid)?;
    for (j, s) in sum_rx.iter().enumerate() {
        let ic = vk
            .vk_ic
            .get(j + 1)
            .ok_or(BatchError::VerifyingKeyMismatch)?;
        let term = bn254::mul(ic, &s.scalar_be()).map_err(|_| BatchError::VerifyingKeyInvalid)?;
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

    use ark_bn254::Fr;
    use ark_ff::{BigInteger, PrimeField};
    use proptest::prelude::*;

    /// `x mod r` by arkworks, big-endian (the reference for [`U512::reduce_mod_r`]).
    fn ark_mod_r(x: &U512) -> [u8; 32] {
        let le: Vec<u8> = x.0.iter().flat_map(|l| l.to_le_bytes()).collect();
        let be = Fr::from_le_bytes_mod_order(&le).into_bigint().to_bytes_be();
        be.try_into().expect("32 bytes")
    }

    /// `r·2²⁵⁶ − 1`, the largest input `reduce_mod_r` takes.
    fn max_input() -> U512 {
        let mut r = [0u64; 8];
        r[4..].copy_from_slice(&R_LIMBS);
        let mut out = [0u64; 8];
        let mut borrow = 1u64;
        for (o, x) in out.iter_mut().zip(r) {
            let (d, b) = x.overflowing_sub(borrow);
            *o = d;
            borrow = u64::from(b);
        }
        U512(out)
    }

    #[test]
    fn reduce_mod_r_edges() {
        let mut r = U512::default();
        r.0[..4].copy_from_slice(&R_LIMBS);
        let mut r_minus_1 = r;
        r_minus_1.0[0] -= 1;
        let mut two_256 = U512::default();
        two_256.0[4] = 1;
        let mut all_398 = U512([u64::MAX; 8]);
        all_398.0[6] = (1u64 << 14) - 1; // 2³⁹⁸ − 1
        all_398.0[7] = 0;
        for x in [
            U512::default(),
            U512([1, 0, 0, 0, 0, 0, 0, 0]),
            r_minus_1,
            r,
            two_256,
            all_398,
            max_input(),
        ] {
            assert_eq!(x.reduce_mod_r(), ark_mod_r(&x), "{x:?}");
        }
        assert_eq!(r.reduce_mod_r(), [0u8; 32]);
    }

    proptest! {
        /// Sums as `verify_batch` accumulates them: random 254-bit inputs times 128-bit scalars.
        #[test]
        fn reduce_mod_r_matches_arkworks(
            terms in proptest::collection::vec((any::<[u8; 32]>(), any::<u128>()), 1..64),
        ) {
            let mut s = U512::default();
            for (mut x, r) in terms {
                x[0] &= 0x1f; // < 2²⁵³ < r, as public inputs are
                s.mul_add(&x, r);
            }
            prop_assert_eq!(s.reduce_mod_r(), ark_mod_r(&s));
        }

        /// Any input below `r·2²⁵⁶` (its top limb below r's).
        #[test]
        fn reduce_mod_r_matches_arkworks_on_any_input(mut limbs in any::<[u64; 8]>()) {
            limbs[7] %= R_LIMBS[3];
            let x = U512(limbs);
            prop_assert_eq!(x.reduce_mod_r(), ark_mod_r(&x));
        }
    }

    #[test]
    fn montgomery_constants_are_r_s() {
        assert_eq!(be_from_limbs(&R_LIMBS), crate::public_input::FR_MODULUS_BE);
        assert_eq!(
            R_LIMBS[0].wrapping_mul(R_INV_NEG),
            u64::MAX,
            "r·(−r⁻¹) ≡ −1 mod 2⁶⁴"
        );
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
