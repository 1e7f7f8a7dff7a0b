//! Variable-base multi-scalar multiplication without precomputed tables (issue #16: the WebAssembly
//! prover, where building the [`FixedBaseMsm`](super::FixedBaseMsm) tables costs ≈ 22 s).
//!
//! Pippenger's bucket method with the two table-free techniques of the fixed-base MSM: signed
//! base-`2^c` digits (`2^(c-1)` buckets; a scalar close to the group order is written as the negation
//! of a small one) and batch-affine bucket accumulation ([`super::batch`]: one field inversion per
//! round of pairwise additions, ≈ 6 multiplications per addition instead of ≈ 10 for `ark-ec`'s
//! buckets; in WebAssembly with 29-bit-limb field multiplications, [`super::field`]). All windows'
//! bucket reductions run together in affine coordinates ([`batch::weighted_sums`]), and the windows
//! are joined from the top one down by `c` doublings each. The sum is
//! the same group element as `ark-ec`'s `VariableBaseMSM::msm` (tests compare them).

use super::field::MsmField;
use super::{batch, for_each_digit, BigIntOf, WINDOW_BITS};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};

/// Window width for `n` points: `⌊log2 n⌋ − 2`, 10 bits for the receipt key's 4k–8k points. Cost
/// model `windows · (6·n + 14·2^(c−1))` field multiplications (bucket additions + the batch-affine
/// bucket reduction, [`batch::weighted_sums`]). Measured in Node 20 (wasm, receipt proof CPU time,
/// interleaved runs, 2026-12-03): with the affine reduction 8 bits ≈ 730 ms, 9 ≈ 685, **10 ≈ 670**,
/// 11 ≈ 720; with the projective reduction before it, 8 bits was the best (≈ 800 ms in the same runs).
pub fn window_bits(n: usize) -> u32 {
    let log2 = usize::BITS - n.max(1).leading_zeros() - 1;
    log2.saturating_sub(2).clamp(3, 16)
}

/// `Σ scalars[i] · bases[i]` over the first `min(bases.len(), scalars.len())` pairs, scalars as
/// canonical big integers (each `< 2^MODULUS_BIT_SIZE`; panics otherwise).
pub fn msm_bigint<P: SWCurveConfig>(bases: &[Affine<P>], scalars: &[BigIntOf<P>]) -> Projective<P>
where
    P::BaseField: MsmField,
{
    let n = bases.len().min(scalars.len());
    msm_bigint_with_window(bases, scalars, window_bits(n))
}

/// [`msm_bigint`] with a chosen window width (in [`WINDOW_BITS`]).
pub fn msm_bigint_with_window<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[BigIntOf<P>],
    window_bits: u32,
) -> Projective<P>
where
    P::BaseField: MsmField,
{
    assert!(
        WINDOW_BITS.contains(&window_bits),
        "window_bits {window_bits} out of range"
    );
    let n = bases.len().min(scalars.len());
    assert!(n < 1 << 31, "too many bases");
    let c = window_bits;
    let bits = P::ScalarField::MODULUS_BIT_SIZE;
    // Signed digits may carry one bit beyond the top.
    let windows = (bits as usize + 1).div_ceil(c as usize);
    let modulus = P::ScalarField::MODULUS;
    // Per window: (bucket, base index << 1 | negate) for every non-zero digit.
    let mut entries: Vec<Vec<(u32, u32)>> = vec![Vec::new(); windows];
    for (i, (s, base)) in scalars[..n].iter().zip(&bases[..n]).enumerate() {
        assert!(s.num_bits() <= bits, "scalar wider than the scalar field");
        if s.is_zero() || base.is_zero() {
            continue;
        }
        // s ≡ −(r − s): a scalar close to r (a small negative value) is a short one negated. For a
        // non-canonical s ≥ r the subtraction wraps to 256 bits and is never chosen.
        let mut neg_s = modulus;
        neg_s.sub_with_borrow(s);
        let (k, negate) = if neg_s.num_bits() < s.num_bits() {
            (neg_s, 1)
        } else {
            (*s, 0)
        };
        for_each_digit(k.as_ref(), c, windows, true, |j, d| {
            let idx = (i as u32) << 1 | (u32::from(d < 0) ^ negate);
            entries[j].push((d.unsigned_abs() - 1, idx));
        });
    }
    let buckets = 1usize << (c - 1);
    // Every window's buckets first, then all windows' bucket reductions advanced together
    // (batch::weighted_sums: their additions share inversions).
    let sums: Vec<Vec<Affine<P>>> = entries
        .iter()
        .map(|window| batch::bucket_sums(bases, window, buckets))
        .collect();
    let mut acc = Projective::<P>::zero();
    for window in batch::weighted_sums(&sums).iter().rev() {
        if !acc.is_zero() {
            for _ in 0..c {
                acc.double_in_place();
            }
        }
        acc += window;
    }
    acc
}
