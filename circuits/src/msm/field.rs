//! Field multiplication for the batch-affine bucket additions, with a WebAssembly-specific path.
//!
//! `ark-ff` multiplies 64-bit limbs into 128-bit products. WebAssembly has no 64×64→128-bit
//! multiply, so each of those becomes four 32-bit multiplies plus carry checks on emulated 128-bit
//! sums (≈ 2,800 instructions per BN254 base-field multiplication after wasm-opt, 2026-12-01). With
//! 32-bit limbs every partial product `t + a·b + carry` fits a 64-bit integer exactly, so Montgomery
//! multiplication (CIOS, the "no-carry" variant for a modulus whose top bit is clear, as `ark-ff`'s)
//! needs no carry checks at all. Same `R = 2^256`, same canonical result (the Montgomery product
//! `a·b·R⁻¹ mod p` in `[0, p)` is unique): tests compare it with `ark-ff` on random and edge values.
//!
//! Used only on `wasm32` ([`MsmField::mul_msm`]); natively `ark-ff`'s (assembly-friendly) multiply stays.

use ark_bn254::{Fq, Fq2};
use ark_ff::{BigInt, Field, PrimeField};

/// The multiplication the bucket additions use ([`super::batch`]): `ark-ff`'s, except for the BN254
/// base field and its quadratic extension on `wasm32` ([`mul_fq_u32`], [`mul_fq2_u32`]).
pub trait MsmField: Field {
    /// `self · other`.
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        self * other
    }

    /// `self²`.
    #[inline(always)]
    fn square_msm(self) -> Self {
        self.square()
    }
}

impl MsmField for Fq {
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        mul_fq_u32(&self, other)
    }

    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn square_msm(self) -> Self {
        mul_fq_u32(&self, &self)
    }
}

impl MsmField for Fq2 {
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        mul_fq2_u32(&self, other)
    }

    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn square_msm(self) -> Self {
        mul_fq2_u32(&self, &self)
    }
}

/// The modulus as eight little-endian 32-bit words.
const P: [u32; 8] = words(&Fq::MODULUS);
/// `−p⁻¹ mod 2^32`.
const P_INV: u32 = neg_inverse(P[0]);

// The no-carry CIOS needs the modulus's top word below 2^31 − 1 (BN254: 0x30644e72).
const _: () = assert!(P[7] < 0x7fff_ffff);

const fn words(b: &BigInt<4>) -> [u32; 8] {
    let mut w = [0u32; 8];
    let mut i = 0;
    while i < 4 {
        w[2 * i] = b.0[i] as u32;
        w[2 * i + 1] = (b.0[i] >> 32) as u32;
        i += 1;
    }
    w
}

const fn neg_inverse(p0: u32) -> u32 {
    // Newton's iteration doubles the correct low bits: 1 → 2 → … → 32 (p0 is odd, x = 1 is right mod 2).
    let mut x: u32 = 1;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u32.wrapping_sub(p0.wrapping_mul(x)));
        i += 1;
    }
    x.wrapping_neg()
}

/// Montgomery product of two BN254 base-field elements on 32-bit limbs; equals `a * b`.
#[inline(always)]
pub fn mul_fq_u32(a: &Fq, b: &Fq) -> Fq {
    let a = words(&a.0);
    let b = words(&b.0);
    let mut t = [0u32; 8];
    for &bi in &b {
        let bi = u64::from(bi);
        // t + a·b_i, then + m·p with m making the lowest word zero, shifted down one word.
        let s = u64::from(t[0]) + u64::from(a[0]) * bi;
        let mut carry_a = s >> 32;
        let t0 = s as u32;
        let m = u64::from(t0.wrapping_mul(P_INV));
        let mut carry_m = (u64::from(t0) + m * u64::from(P[0])) >> 32;
        for j in 1..8 {
            let s = u64::from(t[j]) + u64::from(a[j]) * bi + carry_a;
            carry_a = s >> 32;
            let s = (s & 0xffff_ffff) + m * u64::from(P[j]) + carry_m;
            carry_m = s >> 32;
            t[j - 1] = s as u32;
        }
        t[7] = (carry_a + carry_m) as u32;
    }
    // t < 2p: one conditional subtraction gives the canonical value.
    let mut r = [0u32; 8];
    let mut borrow = 0u64;
    for j in 0..8 {
        let d = u64::from(t[j])
            .wrapping_sub(u64::from(P[j]))
            .wrapping_sub(borrow);
        r[j] = d as u32;
        borrow = (d >> 63) & 1;
    }
    let out = if borrow == 0 { r } else { t };
    let mut limbs = [0u64; 4];
    for i in 0..4 {
        limbs[i] = u64::from(out[2 * i]) | u64::from(out[2 * i + 1]) << 32;
    }
    Fq::new_unchecked(BigInt::new(limbs))
}

/// BN254's `Fq2 = Fq[u]/(u² + 1)` product with [`mul_fq_u32`] (Karatsuba: three base-field
/// multiplications); equals `a * b`.
#[inline(always)]
pub fn mul_fq2_u32(a: &Fq2, b: &Fq2) -> Fq2 {
    let v0 = mul_fq_u32(&a.c0, &b.c0);
    let v1 = mul_fq_u32(&a.c1, &b.c1);
    let cross = mul_fq_u32(&(a.c0 + a.c1), &(b.c0 + b.c1));
    Fq2::new(v0 - v1, cross - v0 - v1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{UniformRand, Zero};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn constants() {
        assert_eq!(P_INV.wrapping_mul(P[0]), u32::MAX, "p·(−p⁻¹) ≡ −1 mod 2^32");
        assert_eq!(
            u64::from(P_INV),
            <ark_bn254::FqConfig as ark_ff::MontConfig<4>>::INV & 0xffff_ffff
        );
    }

    #[test]
    fn fq_matches_ark_ff() {
        let mut rng = StdRng::seed_from_u64(16);
        let edge = [
            Fq::zero(),
            Fq::ONE,
            -Fq::ONE,
            Fq::from(2u64),
            -Fq::from(2u64),
            Fq::from(u64::MAX),
            Fq::from_bigint(Fq::MODULUS_MINUS_ONE_DIV_TWO).expect("< p"),
            Fq::new_unchecked(BigInt::new([u64::MAX, u64::MAX, 0, 0])),
            Fq::new_unchecked(BigInt::new([0, 0, 0, 1 << 61])),
            Fq::new_unchecked(BigInt::new([u64::MAX, 0, u64::MAX, 0x3064_4e72_e131_a028])),
        ];
        let random: Vec<Fq> = (0..2_000).map(|_| Fq::rand(&mut rng)).collect();
        for a in edge.iter().chain(&random[..40]) {
            for b in edge.iter().chain(&random[40..80]) {
                assert_eq!(mul_fq_u32(a, b), *a * b, "{a} · {b}");
            }
        }
        for w in random.windows(2) {
            assert_eq!(mul_fq_u32(&w[0], &w[1]), w[0] * w[1]);
            assert_eq!(mul_fq_u32(&w[0], &w[0]), w[0].square());
            assert_eq!(w[0].mul_msm(&w[1]), w[0] * w[1]);
            assert_eq!(w[0].square_msm(), w[0].square());
        }
    }

    #[test]
    fn fq2_matches_ark_ff() {
        let mut rng = StdRng::seed_from_u64(17);
        let mut values: Vec<Fq2> = (0..300).map(|_| Fq2::rand(&mut rng)).collect();
        values.extend([
            Fq2::zero(),
            Fq2::ONE,
            -Fq2::ONE,
            Fq2::new(Fq::zero(), Fq::ONE),
            Fq2::new(-Fq::ONE, -Fq::ONE),
        ]);
        for a in &values {
            for b in values.iter().rev().take(12) {
                assert_eq!(mul_fq2_u32(a, b), *a * b);
            }
            assert_eq!(mul_fq2_u32(a, a), a.square());
            assert_eq!(a.mul_msm(a), a.square());
        }
    }
}
