//! Batch-affine bucket accumulation: every bucket's points are summed pairwise in rounds, and each round
//! shares one field inversion among all its additions (Montgomery's trick). The multiplications are
//! [`MsmField::mul_msm`] (29-bit limbs in WebAssembly, [`super::field`]). The bucket reduction
//! `Σ_b (b + 1)·B_b` runs in affine coordinates too ([`weighted_sums`]), many running sums side by side.

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
    let sums = bucket_sums(table, entries, buckets);
    weighted_sums(core::slice::from_ref(&sums))
        .pop()
        .unwrap_or_else(Projective::zero)
}

/// Bucket `b`'s sum `Σ_{(b, idx) ∈ entries} ±table[idx >> 1]` for every `b < buckets`.
pub(super) fn bucket_sums<P: SWCurveConfig>(
    table: &[Affine<P>],
    entries: &[(u32, u32)],
    buckets: usize,
) -> Vec<Affine<P>>
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
        // Copied, then negated in place: building the negated point in a temporary first cost a
        // stalled store-to-load forward per entry (30 % of this loop's perf samples natively).
        let slot = &mut pts[start[b] + len[b]];
        *slot = table[(idx >> 1) as usize];
        if idx & 1 == 1 {
            slot.y = -slot.y;
        }
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
        P::BaseField::batch_inverse(&mut denoms, &mut scratch);
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

    // The bucket sums (a bucket's single point left at its start).
    (0..buckets)
        .map(|b| {
            if len[b] == 1 {
                pts[start[b]]
            } else {
                Affine::zero()
            }
        })
        .collect()
}

/// Buckets per running sum in [`weighted_sums`]: with `2^(c−1)` buckets per window there are
/// `2^(c−1) / LANE` lanes per window advancing together (hundreds of additions per inversion), joined
/// by ≈ 3 projective additions per lane instead of 2 per bucket; each doubling of `LANE` halves the
/// lanes to join and adds `LANE` steps (an inversion each) per MSM. In WebAssembly the joins run on
/// ark-ff's slower multiplication (the table-free path has ~100 window sets per proof): 16 → 32 was
/// ≈ 2 % faster (2026-12-03), 32 → 64 another 2.3 % (`scripts/ab-wasm.sh`, 8 interleaved rounds, each
/// 0.972–0.988; 128 no better). Natively (one set per table MSM, inversions dearer relative to a
/// multiplication) the two are within noise, and 32 stays.
#[cfg(target_arch = "wasm32")]
const LANE: usize = 64;
#[cfg(not(target_arch = "wasm32"))]
const LANE: usize = 32;

/// `Σ_b (b + 1) · set[b]` for every set of bucket sums.
///
/// The running-sum reduction in affine coordinates: each set is cut into lanes of [`LANE`] buckets,
/// and step by step every lane of every set adds its next bucket into its running sum and its
/// running sum into its total, all these additions sharing one inversion (≈ 6 multiplications each
/// instead of ≈ 11–16 for the projective running sum; in WebAssembly at the 29-bit speed too).
/// A lane `s` holds `R_s = Σ_k B_{Ls+k}` and `A_s = Σ_k (k + 1)·B_{Ls+k}` (`L` = [`LANE`]), and a
/// set's sum is `Σ_s A_s + L · Σ_s s·R_s`.
pub(super) fn weighted_sums<P: SWCurveConfig>(sets: &[Vec<Affine<P>>]) -> Vec<Projective<P>>
where
    P::BaseField: MsmField,
{
    weighted_sums_in_lanes::<P, LANE>(sets)
}

/// [`weighted_sums`] with lanes of `LANE` buckets (a power of two; tests run every width).
pub(super) fn weighted_sums_in_lanes<P: SWCurveConfig, const LANE: usize>(
    sets: &[Vec<Affine<P>>],
) -> Vec<Projective<P>>
where
    P::BaseField: MsmField,
{
    let per_set: Vec<usize> = sets.iter().map(|s| s.len().div_ceil(LANE)).collect();
    let lanes: usize = per_set.iter().sum();
    // state = totals ‖ running sums, one of each per lane.
    let mut state = vec![Affine::<P>::zero(); 2 * lanes];
    let mut rhs = vec![Affine::<P>::zero(); 2 * lanes];
    let mut denoms = Vec::with_capacity(2 * lanes);
    let mut scratch = Vec::with_capacity(2 * lanes);
    for k in (0..=LANE).rev() {
        // totals += running sums (before this step's bucket); running sums += bucket k − 1 (none
        // at k = 0, the step that adds the last running sums).
        rhs[..lanes].copy_from_slice(&state[lanes..]);
        let mut lane = lanes;
        for set in sets {
            for s in 0..set.len().div_ceil(LANE) {
                let b = (s * LANE + k).wrapping_sub(1);
                rhs[lane] = if k > 0 && b < set.len() {
                    set[b]
                } else {
                    Affine::zero()
                };
                lane += 1;
            }
        }
        add_in_place(&mut state, &rhs, &mut denoms, &mut scratch);
    }
    let (totals, running) = state.split_at(lanes);
    let mut first = 0;
    per_set
        .iter()
        .map(|&n| {
            let (a, r) = (&totals[first..first + n], &running[first..first + n]);
            first += n;
            // Σ_s s·R_s by running sums over the lanes, then L·(that) by doublings.
            let mut run = Projective::<P>::zero();
            let mut weighted = Projective::<P>::zero();
            for r_s in r.iter().skip(1).rev() {
                run += r_s;
                weighted += &run;
            }
            for _ in 0..LANE.trailing_zeros() {
                weighted.double_in_place();
            }
            a.iter().fold(weighted, |acc, a_s| acc + a_s)
        })
        .collect()
}

/// `a[i] += b[i]` for every `i`, in affine coordinates with one shared inversion.
fn add_in_place<P: SWCurveConfig>(
    a: &mut [Affine<P>],
    b: &[Affine<P>],
    denoms: &mut Vec<P::BaseField>,
    scratch: &mut Vec<P::BaseField>,
) where
    P::BaseField: MsmField,
{
    denoms.clear();
    denoms.extend(a.iter().zip(b).map(|(x, y)| denominator(x, y)));
    P::BaseField::batch_inverse(denoms, scratch);
    for ((x, y), inv) in a.iter_mut().zip(b).zip(denoms.iter()) {
        *x = add_with_inverse(x, y, inv);
    }
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
