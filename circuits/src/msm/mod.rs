//! Fixed-base multi-scalar multiplication for the Groth16 proving key (issue #17).
//!
//! The proving key never changes, so for each base `P_i` we precompute `P_i·2^(c·j)` for every
//! `c`-bit window `j` once ([`FixedBaseMsm::new`]). One MSM `Σ k_i·P_i` then becomes a single bucket
//! accumulation over all windows at once: write every `k_i` in signed base-`2^c` digits
//! `d_ij ∈ [-2^(c-1), 2^(c-1)]`, add `sign(d_ij)·P_i·2^(c·j)` into bucket `|d_ij|`, and finish with one
//! bucket reduction `Σ_b b·B_b` — no doublings, `2^(c-1)` buckets, zero digits skipped (witness scalars
//! are mostly 0, 1 or small, so most cost one addition or none).
//!
//! The bucket additions use affine coordinates with Montgomery's batch-inversion trick: the points
//! of each bucket are sorted together (counting sort) and summed pairwise in rounds, each round
//! inverting all its denominators with one field inversion (≈ 6 multiplications per addition instead of
//! ≈ 11 for a mixed Jacobian addition). With the `parallel` feature the scalars are split across
//! rayon's threads, each with its own buckets.
//!
//! Without GLV: with full per-window tables the endomorphism halves the scalar bits but doubles the
//! points, so the number of additions is unchanged; it would only let us store half the table
//! (computing `φ(P) = (βx, y)` on the fly at one multiplication per addition), and the tables are
//! already well inside the memory budget (see `circuits/BENCHMARKS-circuit.md`).
//!
//! Without tables (a client proving a few receipts per key load, the WebAssembly prover of issue #16),
//! [`var`] applies signed digits and batch-affine buckets to a variable-base Pippenger MSM.
//!
//! [`FixedBaseMsm::msm_with`] exposes the individual techniques ([`MsmOptions`]) so the benchmark can
//! show what each contributes; [`FixedBaseMsm::msm`] is the fastest combination.

mod batch;
pub mod field;
pub mod prover;
pub mod qap;
pub mod var;

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};

type BigIntOf<P> = <<P as ark_ec::CurveConfig>::ScalarField as PrimeField>::BigInt;

/// Which techniques an MSM uses (for the benchmark's per-technique rows; [`MsmOptions::FAST`] is the
/// production choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsmOptions {
    /// Signed digits (`2^(c-1)` buckets) instead of unsigned ones (`2^c − 1` buckets).
    pub signed: bool,
    /// Affine bucket accumulation with batch inversion instead of mixed Jacobian additions.
    pub batch_affine: bool,
    /// Split the scalars across rayon's threads (only with the `parallel` feature; ignored otherwise).
    pub parallel: bool,
}

impl MsmOptions {
    /// Every technique on.
    pub const FAST: MsmOptions = MsmOptions {
        signed: true,
        batch_affine: true,
        parallel: true,
    };

    /// Every technique but threads: one MSM of several run side by side (the prover's jobs).
    pub const SERIAL: MsmOptions = MsmOptions {
        signed: true,
        batch_affine: true,
        parallel: false,
    };
}

/// Precomputed window tables for a fixed list of bases.
#[derive(Clone)]
pub struct FixedBaseMsm<P: SWCurveConfig> {
    window_bits: u32,
    windows: usize,
    len: usize,
    /// `table[i * windows + j] = bases[i] · 2^(window_bits · j)`.
    table: Vec<Affine<P>>,
}

impl<P: SWCurveConfig> core::fmt::Debug for FixedBaseMsm<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FixedBaseMsm")
            .field("len", &self.len)
            .field("window_bits", &self.window_bits)
            .field("windows", &self.windows)
            .field(
                "table_bytes",
                &(self.table.len() * core::mem::size_of::<Affine<P>>()),
            )
            .finish()
    }
}

/// Smallest and largest supported window widths.
pub const WINDOW_BITS: core::ops::RangeInclusive<u32> = 2..=20;

impl<P: SWCurveConfig> FixedBaseMsm<P>
where
    P::BaseField: field::MsmField,
{
    /// Builds the tables for `bases` with `window_bits`-bit windows (in [`WINDOW_BITS`]). Costs about
    /// 255 doublings per base; memory `len · ⌈256 / window_bits⌉` affine points.
    pub fn new(bases: &[Affine<P>], window_bits: u32) -> Self {
        assert!(
            WINDOW_BITS.contains(&window_bits),
            "window_bits {window_bits} out of range"
        );
        let c = window_bits as usize;
        let bits = P::ScalarField::MODULUS_BIT_SIZE as usize;
        // Signed digits may carry one bit beyond the top: ⌈(bits + 1) / c⌉ windows hold any canonical scalar.
        let windows = (bits + 1).div_ceil(c);
        let fill = |(out, base): (&mut [Projective<P>], &Affine<P>)| {
            let mut p = base.into_group();
            for slot in out.iter_mut() {
                *slot = p;
                for _ in 0..c {
                    p.double_in_place();
                }
            }
        };
        let mut proj = vec![Projective::<P>::zero(); bases.len() * windows];
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            proj.par_chunks_mut(windows).zip(bases).for_each(fill);
        }
        #[cfg(not(feature = "parallel"))]
        proj.chunks_mut(windows).zip(bases).for_each(fill);
        let table = Projective::normalize_batch(&proj);
        FixedBaseMsm {
            window_bits,
            windows,
            len: bases.len(),
            table,
        }
    }

    /// Number of bases.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if there are no bases.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Window width in bits.
    pub fn window_bits(&self) -> u32 {
        self.window_bits
    }

    /// Heap bytes held by the tables.
    pub fn table_bytes(&self) -> usize {
        self.table.len() * core::mem::size_of::<Affine<P>>()
    }

    /// `Σ scalars[i] · bases[i]` over the first `min(len, scalars.len())` pairs (as `ark-ec`'s `msm`).
    pub fn msm(&self, scalars: &[P::ScalarField]) -> Projective<P> {
        let bigints: Vec<BigIntOf<P>> = scalars.iter().map(|s| s.into_bigint()).collect();
        self.msm_bigint_with(&bigints, MsmOptions::FAST)
    }

    /// [`FixedBaseMsm::msm`] on canonical big integers (each `< 2^MODULUS_BIT_SIZE`; panics otherwise).
    pub fn msm_bigint(&self, scalars: &[BigIntOf<P>]) -> Projective<P> {
        self.msm_bigint_with(scalars, MsmOptions::FAST)
    }

    /// [`FixedBaseMsm::msm`] with a chosen set of techniques.
    pub fn msm_with(&self, scalars: &[P::ScalarField], opts: MsmOptions) -> Projective<P> {
        let bigints: Vec<BigIntOf<P>> = scalars.iter().map(|s| s.into_bigint()).collect();
        self.msm_bigint_with(&bigints, opts)
    }

    /// [`FixedBaseMsm::msm_bigint`] with a chosen set of techniques.
    pub fn msm_bigint_with(&self, scalars: &[BigIntOf<P>], opts: MsmOptions) -> Projective<P> {
        let n = self.len.min(scalars.len());
        let bits = P::ScalarField::MODULUS_BIT_SIZE;
        assert!(
            scalars[..n].iter().all(|s| s.num_bits() <= bits),
            "scalar wider than the scalar field"
        );
        #[cfg(feature = "parallel")]
        if opts.parallel {
            use rayon::prelude::*;
            let threads = rayon::current_num_threads().max(1);
            let chunk = n.div_ceil(threads).max(1);
            return scalars[..n]
                .par_chunks(chunk)
                .enumerate()
                .map(|(k, ch)| self.msm_serial(k * chunk, ch, opts))
                .reduce(Projective::zero, |a, b| a + b);
        }
        self.msm_serial(0, &scalars[..n], opts)
    }

    /// One thread: scalars for bases `first..first + scalars.len()`.
    fn msm_serial(&self, first: usize, scalars: &[BigIntOf<P>], opts: MsmOptions) -> Projective<P> {
        let c = self.window_bits;
        let (buckets, windows) = if opts.signed {
            (1usize << (c - 1), self.windows)
        } else {
            let bits = P::ScalarField::MODULUS_BIT_SIZE as usize;
            ((1usize << c) - 1, bits.div_ceil(c as usize))
        };
        // (bucket, table index << 1 | negate) for every non-zero digit of a non-zero base.
        let mut entries: Vec<(u32, u32)> = Vec::new();
        for (k, s) in scalars.iter().enumerate() {
            let i = first + k;
            let row = i * self.windows;
            if s.is_zero() || self.table[row].is_zero() {
                continue;
            }
            for_each_digit(s.as_ref(), c, windows, opts.signed, |j, d| {
                let idx = ((row + j) as u32) << 1 | u32::from(d < 0);
                entries.push((d.unsigned_abs() - 1, idx));
            });
        }
        if opts.batch_affine {
            batch::accumulate(&self.table, &entries, buckets)
        } else {
            let mut sums = vec![Projective::<P>::zero(); buckets];
            for &(b, idx) in &entries {
                let p = &self.table[(idx >> 1) as usize];
                if idx & 1 == 1 {
                    sums[b as usize] -= p;
                } else {
                    sums[b as usize] += p;
                }
            }
            reduce_projective(&sums)
        }
    }
}

/// `Σ_b (b + 1) · sums[b]` by running sums (2 additions per bucket).
fn reduce_projective<P: SWCurveConfig>(sums: &[Projective<P>]) -> Projective<P> {
    let mut running = Projective::<P>::zero();
    let mut acc = Projective::<P>::zero();
    for s in sums.iter().rev() {
        running += s;
        acc += &running;
    }
    acc
}

/// Calls `f(window, digit)` for every non-zero base-`2^c` digit of the little-endian `limbs`: signed digits
/// in `[-2^(c-1), 2^(c-1)]` or unsigned ones in `[0, 2^c)`. `windows` must cover the scalar (plus the carry
/// bit for signed digits).
#[inline]
fn for_each_digit(
    limbs: &[u64],
    c: u32,
    windows: usize,
    signed: bool,
    mut f: impl FnMut(usize, i32),
) {
    let half = 1i64 << (c - 1);
    let full = 1i64 << c;
    let mut carry = 0i64;
    for j in 0..windows {
        let v = window_value(limbs, j * c as usize, c) as i64 + carry;
        let d = if signed && v > half {
            carry = 1;
            v - full
        } else {
            carry = 0;
            v
        };
        if d != 0 {
            f(j, d as i32);
        }
    }
    debug_assert_eq!(carry, 0, "windows do not cover the scalar");
}

/// Bits `start .. start + c` of the little-endian `limbs` (zero beyond the end).
#[inline]
fn window_value(limbs: &[u64], start: usize, c: u32) -> u64 {
    let (limb, off) = (start / 64, (start % 64) as u32);
    let Some(&lo) = limbs.get(limb) else {
        return 0;
    };
    let mut v = lo >> off;
    if off + c > 64 {
        if let Some(&hi) = limbs.get(limb + 1) {
            v |= hi << (64 - off);
        }
    }
    v & ((1u64 << c) - 1)
}

#[cfg(test)]
mod tests;
