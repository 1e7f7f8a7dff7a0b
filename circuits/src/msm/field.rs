//! Field multiplication for the batch-affine bucket additions, with a WebAssembly-specific path.
//!
//! `ark-ff` multiplies 64-bit limbs into 128-bit products. WebAssembly has no 64×64→128-bit
//! multiply, so each of those becomes four 32-bit multiplies plus carry checks on emulated 128-bit
//! sums. [`mul_fq_u29`] works on 29-bit limbs instead: a product of two limbs is below 2^58, so a
//! 64-bit column takes the whole schoolbook product and every Montgomery reduction term (at most 18
//! terms, < 2^63) with no carry handling until a reduction step reads its low limb. `R` stays
//! ark-ff's `2^256` (eight reduction steps of 29 bits and a last one of 24), so values cross over by
//! re-slicing their bits, and the result is the canonical Montgomery product: tests compare it with
//! `ark-ff` on random and edge values. Measured in Node 20 (a dependent chain of multiplications,
//! 2026-12-03): ark-ff ≈ 90–100 ns, the 32-bit-limb CIOS this replaced ≈ 70–84 ns, 29-bit limbs ≈ 57–64
//! ns; whole proofs: `BENCHMARKS.md` and `circuits/BENCHMARKS-circuit.md`.
//!
//! Used only on `wasm32` ([`MsmField::mul_msm`]). Natively the base field's multiplication is
//! [`mont_mul64`]: the same 64-bit CIOS as `ark-ff`'s, but inlined into the bucket additions, where
//! `ark-ff`'s stays an out-of-line call: −8 to −12 % per table MSM, ≈ −9 % per proof (interleaved
//! runs on one thread, 2026-12-04). `Fq2` natively keeps `ark-ff`'s products (their lazy reduction
//! was as fast as Karatsuba over the inlined multiplication).

use ark_bn254::{Fq, Fq2, Fr};
use ark_ff::{BigInt, Field, MontConfig, PrimeField};

/// The multiplication the bucket additions use ([`super::batch`]): `ark-ff`'s, except for the BN254
/// base field ([`mont_mul64`] natively, [`mul_fq_u29`] on `wasm32`) and its quadratic extension on
/// `wasm32` ([`mul_fq2`]).
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

    /// Replaces every element of `v` (all non-zero) by its inverse with one field inversion
    /// (Montgomery's trick: three multiplications per element); `scratch` is reused between calls.
    fn batch_inverse(v: &mut [Self], scratch: &mut Vec<Self>) {
        if v.is_empty() {
            return;
        }
        scratch.clear();
        let mut acc = Self::ONE;
        for x in v.iter() {
            scratch.push(acc);
            acc = acc.mul_msm(x);
        }
        let mut inv = acc.inverse().expect("denominators are non-zero");
        for (x, prefix) in v.iter_mut().zip(scratch.iter()).rev() {
            let next = inv.mul_msm(x);
            *x = inv.mul_msm(prefix);
            inv = next;
        }
    }
}

impl MsmField for Fq {
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        mul_fq_u29(&self, other)
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        Fq::new_unchecked(BigInt::new(mont_mul64(&self.0 .0, &other.0 .0, &FQ64)))
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn square_msm(self) -> Self {
        Fq::new_unchecked(BigInt::new(mont_mul64(&self.0 .0, &self.0 .0, &FQ64)))
    }

    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn square_msm(self) -> Self {
        square_fq_u29(&self)
    }
}

impl MsmField for Fr {
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        mul_fr_u29(&self, other)
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        Fr::new_unchecked(BigInt::new(mont_mul64(&self.0 .0, &other.0 .0, &FR64)))
    }

    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn square_msm(self) -> Self {
        mul_fr_u29(&self, &self)
    }
}

impl MsmField for Fq2 {
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn mul_msm(self, other: &Self) -> Self {
        mul_fq2(&self, other)
    }

    /// Complex squaring: `(a + b·u)² = (a + b)(a − b) + 2ab·u` (`u² = −1`), two base-field
    /// multiplications instead of three. (Natively ark-ff's `Fq2` arithmetic, with its lazy
    /// reductions, was as fast in interleaved runs.)
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn square_msm(self) -> Self {
        let ab = self.c0.mul_msm(&self.c1);
        Fq2::new((self.c0 + self.c1).mul_msm(&(self.c0 - self.c1)), ab + ab)
    }

    /// Through the norms: `1/d = conj(d) / N(d)` with `N(a + b·u) = a² + b²` in `Fq` (`u² = −1`), so
    /// the shared inversion and its prefix products are base-field ones: seven base-field
    /// multiplications per element instead of nine (three `Fq2` products).
    fn batch_inverse(v: &mut [Self], _scratch: &mut Vec<Self>) {
        let mut norms: Vec<Fq> = v
            .iter()
            .map(|d| d.c0.square_msm() + d.c1.square_msm())
            .collect();
        Fq::batch_inverse(&mut norms, &mut Vec::with_capacity(v.len()));
        for (d, n) in v.iter_mut().zip(&norms) {
            *d = Fq2::new(d.c0.mul_msm(n), -d.c1.mul_msm(n));
        }
    }
}

/// Mask of a 29-bit limb.
const M29: u64 = (1 << 29) - 1;
/// Mask of the top (24-bit) limb of a 256-bit value and of the last reduction step.
const M24: u64 = (1 << 24) - 1;
/// A 254-bit prime modulus `p` in the form the 29-bit multiplication wants.
struct Modulus29 {
    /// `p` as nine 29-bit limbs (the top one 24 bits wide).
    p: [u64; 9],
    /// `−p⁻¹ mod 2^29` (the low bits of ark-ff's `−p⁻¹ mod 2^64`).
    inv29: u64,
    /// `−p⁻¹ mod 2^24`.
    inv24: u64,
}

impl Modulus29 {
    const fn new(p: &[u64; 4], inv64: u64) -> Self {
        Modulus29 {
            p: to29(p),
            inv29: inv64 & M29,
            inv24: inv64 & M24,
        }
    }
}

/// BN254's base field (the curve coordinates).
const FQ29: Modulus29 = Modulus29::new(&Fq::MODULUS.0, <ark_bn254::FqConfig as MontConfig<4>>::INV);
/// BN254's scalar field (the QAP's FFTs, [`super::qap`]).
const FR29: Modulus29 = Modulus29::new(&Fr::MODULUS.0, <ark_bn254::FrConfig as MontConfig<4>>::INV);

/// A 256-bit value (four little-endian 64-bit limbs) as nine 29-bit limbs, the top one 24 bits.
#[inline(always)]
const fn to29(x: &[u64; 4]) -> [u64; 9] {
    [
        x[0] & M29,
        (x[0] >> 29) & M29,
        ((x[0] >> 58) | (x[1] << 6)) & M29,
        (x[1] >> 23) & M29,
        ((x[1] >> 52) | (x[2] << 12)) & M29,
        (x[2] >> 17) & M29,
        ((x[2] >> 46) | (x[3] << 18)) & M29,
        (x[3] >> 11) & M29,
        x[3] >> 40,
    ]
}

/// Nine 29-bit limbs (a value below 2^256) back as four little-endian 64-bit limbs ([`to29`]'s inverse).
#[inline(always)]
const fn from29(l: &[u64; 9]) -> [u64; 4] {
    [
        l[0] | l[1] << 29 | l[2] << 58,
        l[2] >> 6 | l[3] << 23 | l[4] << 52,
        l[4] >> 12 | l[5] << 17 | l[6] << 46,
        l[6] >> 18 | l[7] << 11 | l[8] << 40,
    ]
}

/// Montgomery product (`R = 2^256`) of two BN254 base-field elements on 29-bit limbs; equals `a * b`
/// (see the module doc). Out of line: one copy in the `.wasm`; inlined at every site it added 35 KB
/// (to 1,032,578 bytes, near #16's 1 MiB) and proved no faster.
#[inline(never)]
pub fn mul_fq_u29(a: &Fq, b: &Fq) -> Fq {
    Fq::new_unchecked(BigInt::new(mont_mul29(&a.0 .0, &b.0 .0, &FQ29)))
}

/// `a²` ([`mul_fq_u29`]`(a, a)` with half the limb products); equals `a.square()`.
#[inline(never)]
pub fn square_fq_u29(a: &Fq) -> Fq {
    Fq::new_unchecked(BigInt::new(mont_sqr29(&a.0 .0, &FQ29)))
}

/// [`mul_fq_u29`] for BN254's scalar field; equals `a * b`.
#[inline(never)]
pub fn mul_fr_u29(a: &Fr, b: &Fr) -> Fr {
    Fr::new_unchecked(BigInt::new(mont_mul29(&a.0 .0, &b.0 .0, &FR29)))
}

/// Montgomery product (`R = 2^256`) of two canonical residues mod `md.p` (a prime below 2^254), as
/// four 64-bit limbs, modulus `md`: the body of [`mul_fq_u29`] and [`mul_fr_u29`].
#[inline(always)]
fn mont_mul29(a: &[u64; 4], b: &[u64; 4], md: &Modulus29) -> [u64; 4] {
    let a = to29(a);
    let b = to29(b);
    // Columns: t[k] = Σ_{i+j=k} a_i·b_j (each < 9·2^58), then the reduction terms m·p.
    let mut t = [0u64; 18];
    for (i, ai) in a.iter().enumerate() {
        for (j, bj) in b.iter().enumerate() {
            t[i + j] += ai * bj;
        }
    }
    reduce29(t, md)
}

/// [`mont_mul29`]`(a, a)` with the schoolbook half: 45 limb products instead of 81.
#[inline(always)]
fn mont_sqr29(a: &[u64; 4], md: &Modulus29) -> [u64; 4] {
    let a = to29(a);
    // Cross products once (at most 4 per column, < 2^60), doubled, then the squares (< 2^61.2).
    let mut t = [0u64; 18];
    for i in 0..9 {
        for j in i + 1..9 {
            t[i + j] += a[i] * a[j];
        }
    }
    for (k, c) in t.iter_mut().enumerate() {
        *c <<= 1;
        if k % 2 == 0 {
            *c += a[k / 2] * a[k / 2];
        }
    }
    reduce29(t, md)
}

/// Montgomery reduction of the product columns `t` (each below 2^62) by `2^256`, canonical result.
#[inline(always)]
fn reduce29(mut t: [u64; 18], md: &Modulus29) -> [u64; 4] {
    // Steps 0..8: clear the low 29 bits of column k, carry the rest up (columns stay < 2^63).
    for k in 0..8 {
        let m = ((t[k] & M29) * md.inv29) & M29;
        for (j, pj) in md.p.iter().enumerate() {
            t[k + j] += m * pj;
        }
        t[k + 1] += t[k] >> 29;
    }
    // Last step: the low 24 bits of column 8 (bit 232): 8·29 + 24 = 256.
    let m = ((t[8] & M24) * md.inv24) & M24;
    for (j, pj) in md.p.iter().enumerate() {
        t[8 + j] += m * pj;
    }
    for k in 8..17 {
        t[k + 1] += t[k] >> 29;
        t[k] &= M29;
    }
    // t / 2^256: from bit 24 of column 8 on, re-sliced into 29-bit limbs. Below 2p.
    let mut r = [0u64; 9];
    for j in 0..9 {
        r[j] = (t[8 + j] >> 24) | ((t[9 + j] << 5) & M29);
    }
    // One conditional subtraction of p.
    let mut d = [0u64; 9];
    let mut borrow = 0u64;
    for j in 0..9 {
        let x = r[j].wrapping_sub(md.p[j]).wrapping_sub(borrow);
        d[j] = x & M29;
        borrow = x >> 63;
    }
    from29(if borrow == 0 { &d } else { &r })
}

/// BN254's `Fq2 = Fq[u]/(u² + 1)` product on [`MsmField::mul_msm`] of `Fq` (Karatsuba: three
/// base-field multiplications); equals `a * b`.
#[inline(always)]
pub fn mul_fq2(a: &Fq2, b: &Fq2) -> Fq2 {
    let v0 = a.c0.mul_msm(&b.c0);
    let v1 = a.c1.mul_msm(&b.c1);
    let cross = (a.c0 + a.c1).mul_msm(&(b.c0 + b.c1));
    Fq2::new(v0 - v1, cross - v0 - v1)
}

/// A prime modulus below 2^254 and `−p⁻¹ mod 2^64`, for [`mont_mul64`].
#[cfg(not(target_arch = "wasm32"))]
struct Modulus64 {
    p: [u64; 4],
    inv: u64,
}

/// BN254's base field.
#[cfg(not(target_arch = "wasm32"))]
const FQ64: Modulus64 = Modulus64 {
    p: Fq::MODULUS.0,
    inv: <ark_bn254::FqConfig as MontConfig<4>>::INV,
};

/// BN254's scalar field.
#[cfg(not(target_arch = "wasm32"))]
const FR64: Modulus64 = Modulus64 {
    p: Fr::MODULUS.0,
    inv: <ark_bn254::FrConfig as MontConfig<4>>::INV,
};

/// `a + b·c + d` as (low, high) 64-bit words.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, d: u64) -> (u64, u64) {
    let x = a as u128 + (b as u128) * (c as u128) + d as u128;
    (x as u64, (x >> 64) as u64)
}

/// Montgomery product (`R = 2^256`) of two canonical residues mod `md.p` on 64-bit limbs (CIOS; the
/// top limb of `p` leaves room for the carries, so no extra word), inlined at every bucket addition
/// and FFT butterfly; equals `ark-ff`'s product (tests).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn mont_mul64(a: &[u64; 4], b: &[u64; 4], md: &Modulus64) -> [u64; 4] {
    let p = &md.p;
    let mut t = [0u64; 4];
    for bi in b {
        let (t0, mut ca) = mac(t[0], a[0], *bi, 0);
        let m = t0.wrapping_mul(md.inv);
        let (_, mut cm) = mac(t0, m, p[0], 0);
        for j in 1..4 {
            let (x, c) = mac(t[j], a[j], *bi, ca);
            ca = c;
            let (y, c) = mac(x, m, p[j], cm);
            cm = c;
            t[j - 1] = y;
        }
        t[3] = cm.wrapping_add(ca);
    }
    let mut d = [0u64; 4];
    let mut borrow = false;
    for j in 0..4 {
        let (x, b1) = t[j].overflowing_sub(p[j]);
        let (x, b2) = x.overflowing_sub(u64::from(borrow));
        d[j] = x;
        borrow = b1 | b2;
    }
    if borrow {
        t
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{UniformRand, Zero};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn limbs29_round_trip() {
        let x = [
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
            u64::MAX,
            0x8000_0000_0000_0001,
        ];
        let l = to29(&x);
        assert!(l[..8].iter().all(|w| *w <= M29) && l[8] <= M24);
        assert_eq!(from29(&l), x);
        for m in [&FQ29, &FR29] {
            assert_eq!(
                m.inv29.wrapping_mul(m.p[0]) & M29,
                M29,
                "p·(−p⁻¹) ≡ −1 mod 2^29"
            );
            assert_eq!(m.inv24.wrapping_mul(m.p[0]) & M24, M24);
        }
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
                assert_eq!(mul_fq_u29(a, b), *a * b, "{a} · {b} (29-bit limbs)");
                assert_eq!(a.mul_msm(b), *a * b, "{a} · {b} (mul_msm)");
            }
            assert_eq!(square_fq_u29(a), a.square(), "{a}² (29-bit limbs)");
            assert_eq!(a.square_msm(), a.square(), "{a}² (square_msm)");
        }
        for w in random.windows(2) {
            assert_eq!(mul_fq_u29(&w[0], &w[1]), w[0] * w[1]);
            assert_eq!(mul_fq_u29(&w[0], &w[0]), w[0].square());
            assert_eq!(square_fq_u29(&w[0]), w[0].square());
            assert_eq!(w[0].mul_msm(&w[1]), w[0] * w[1]);
            assert_eq!(w[0].square_msm(), w[0].square());
        }
    }

    #[test]
    fn fr_matches_ark_ff() {
        let mut rng = StdRng::seed_from_u64(18);
        let mut values: Vec<Fr> = (0..200).map(|_| Fr::rand(&mut rng)).collect();
        values.extend([
            Fr::zero(),
            Fr::ONE,
            -Fr::ONE,
            Fr::from(u64::MAX),
            Fr::from_bigint(Fr::MODULUS_MINUS_ONE_DIV_TWO).expect("< r"),
        ]);
        for a in &values {
            for b in values.iter().rev().take(20) {
                assert_eq!(mul_fr_u29(a, b), *a * b, "{a} · {b}");
                assert_eq!(a.mul_msm(b), *a * b, "{a} · {b} (mul_msm)");
            }
            assert_eq!(a.mul_msm(a), a.square());
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
                assert_eq!(mul_fq2(a, b), *a * b);
            }
            assert_eq!(mul_fq2(a, a), a.square());
            assert_eq!(a.mul_msm(a), a.square());
            assert_eq!(a.square_msm(), a.square());
        }
        // Both batch inversions (through the norms in Fq2, the plain trick in Fq) against ark-ff's.
        values.retain(|x| !x.is_zero());
        let mut inv = values.clone();
        Fq2::batch_inverse(&mut inv, &mut Vec::new());
        for (x, i) in values.iter().zip(&inv) {
            assert_eq!(Some(*i), x.inverse());
        }
        let base: Vec<Fq> = values
            .iter()
            .map(|x| x.c0)
            .filter(|x| !x.is_zero())
            .collect();
        let mut inv = base.clone();
        Fq::batch_inverse(&mut inv, &mut Vec::new());
        assert!(base.iter().zip(&inv).all(|(x, i)| Some(*i) == x.inverse()));
        Fq::batch_inverse(&mut [], &mut Vec::new());
    }
}
