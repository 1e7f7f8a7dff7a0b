//! Batch-affine bucket accumulation: every bucket's points are summed pairwise in rounds, and each round
//! shares one field inversion among all its additions (Montgomery's trick). The multiplications are
//! [`MsmField::mul_msm`] (29-bit limbs in WebAssembly, [`super::field`]).

use super::field::MsmField;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, Zero};

/// `Σ_b (b + 1) · Σ_{(b, idx) ∈ entries} ±table[idx >> 1]` (minus when `idx & 1 == 1`), `b < buckets`.
pub(super) fn accumulate<P: SWCurveConfig>(
    table: &[Affine<P>],
    entries: &[(u32, u32)],
    buckets: usize,
) -> Projective<P>
where
    P::BaseField: MsmField,
{
    // Counting sort by bucket: bucket b's points are pts[start[b] .. start[b] + len[b]].
    let mut start = vec![0usize; buckets + 1];
    for &(b, _) in entries {
        start[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut len = vec![0usize; buckets];
    let mut pts = vec![Affine::<P>::zero(); entries.len()];
    for &(b, idx) in entries {
        let b = b as usize;
        let p = table[(idx >> 1) as usize];
        pts[start[b] + len[b]] = if idx & 1 == 1 { -p } else { p };
        len[b] += 1;
    }

    let mut active: Vec<usize> = (0..buckets).filter(|&b| len[b] > 1).collect();
    let mut denoms: Vec<P::BaseField> = Vec::new();
    let mut scratch: Vec<P::BaseField> = Vec::new();
    // Each round halves every bucket with ≥ 2 points, so this ends after ⌈log2(max bucket)⌉ rounds.
    while !active.is_empty() {
        denoms.clear();
        for &b in &active {
            let s = start[b];
            for k in 0..len[b] / 2 {
                denoms.push(denominator(&pts[s + 2 * k], &pts[s + 2 * k + 1]));
            }
        }
        batch_invert(&mut denoms, &mut scratch);
        let mut t = 0;
        for &b in &active {
            let (s, l) = (start[b], len[b]);
            for k in 0..l / 2 {
                pts[s + k] = add_with_inverse(&pts[s + 2 * k], &pts[s + 2 * k + 1], &denoms[t]);
                t += 1;
            }
            if l % 2 == 1 {
                pts[s + l / 2] = pts[s + l - 1];
            }
            len[b] = l.div_ceil(2);
        }
        active.retain(|&b| len[b] > 1);
    }

    // Running-sum reduction: Σ_b (b + 1) · B_b.
    let mut running = Projective::<P>::zero();
    let mut acc = Projective::<P>::zero();
    for b in (0..buckets).rev() {
        if len[b] == 1 {
            running += &pts[start[b]];
        }
        acc += &running;
    }
    acc
}

/// The denominator of the affine addition `a + b` (`x_b − x_a`, or `2·y` for a doubling); 1 when no
/// inversion is needed (a point at infinity, or `a = −b`).
#[inline]
fn denominator<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>) -> P::BaseField {
    if a.is_zero() || b.is_zero() {
        P::BaseField::ONE
    } else if a.x != b.x {
        b.x - a.x
    } else if a.y == b.y {
        // A prime-order subgroup has no point with y = 0 (that would have order 2).
        a.y.double()
    } else {
        P::BaseField::ONE
    }
}

/// `a + b` given the inverse of [`denominator`]`(a, b)`.
#[inline]
fn add_with_inverse<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>, inv: &P::BaseField) -> Affine<P>
where
    P::BaseField: MsmField,
{
    if a.is_zero() {
        return *b;
    }
    if b.is_zero() {
        return *a;
    }
    let lambda = if a.x != b.x {
        (b.y - a.y).mul_msm(inv)
    } else if a.y == b.y {
        let xx = a.x.square_msm();
        (xx.double() + xx + P::COEFF_A).mul_msm(inv)
    } else {
        return Affine::<P>::zero();
    };
    let x = lambda.square_msm() - a.x - b.x;
    let y = lambda.mul_msm(&(a.x - x)) - a.y;
    Affine::<P>::new_unchecked(x, y)
}

/// Replaces every element of `v` (all non-zero) by its inverse with one field inversion; `scratch` is
/// reused between calls.
fn batch_invert<F: MsmField>(v: &mut [F], scratch: &mut Vec<F>) {
    if v.is_empty() {
        return;
    }
    scratch.clear();
    let mut acc = F::ONE;
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
