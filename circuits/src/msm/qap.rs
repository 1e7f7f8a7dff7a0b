//! The QAP witness map — the coefficients of `h = (A·B − C) / Z` — as `ark-groth16`'s
//! [`LibsnarkReduction`](ark_groth16::r1cs_to_qap::LibsnarkReduction) computes it, on our own
//! radix-2 FFT: twiddles and coset powers computed once per proving key ([`QapDomain::new`]), and the
//! multiplications [`MsmField::mul_msm`] (29-bit limbs in WebAssembly, where `ark-ff`'s Fr
//! multiplication was 17 % of a proof: `circuits/BENCHMARKS-circuit.md`). The output is the same
//! vector (tests compare it with `ark-groth16`'s).

use super::field::MsmField;
use ark_bn254::Fr;
use ark_ff::{FftField, Field, One, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_relations::gr1cs::Matrix;

/// The evaluation domain of one circuit shape, with everything the witness map reuses.
#[derive(Clone, Debug)]
pub struct QapDomain {
    /// `ω^k` for `k < n/2` (forward transforms).
    roots: Vec<Fr>,
    /// `ω^−k` for `k < n/2` (inverse transforms).
    inv_roots: Vec<Fr>,
    /// `g^i / n` for `i < n`: an inverse transform's `1/n` and the coset shift before a forward one.
    coset_scaled: Vec<Fr>,
    /// `g^−i / n`: the coset inverse transform's scaling.
    coset_inv_scaled: Vec<Fr>,
    /// `1 / Z(g) = 1 / (g^n − 1)`, `Z` constant on the coset.
    z_inv: Fr,
}

impl QapDomain {
    /// The domain `ark-groth16` uses for `num_constraints + num_inputs` evaluations, the coset
    /// offset `Fr::GENERATOR` as there. `None` if no radix-2 domain is large enough.
    pub fn new(size: usize) -> Option<Self> {
        let d = Radix2EvaluationDomain::<Fr>::new(size)?;
        let n = d.size();
        let powers = |x: Fr, len: usize, first: Fr| {
            let mut v = Vec::with_capacity(len);
            let mut p = first;
            for _ in 0..len {
                v.push(p);
                p *= x;
            }
            v
        };
        let g = Fr::GENERATOR;
        Some(QapDomain {
            roots: powers(d.group_gen(), n / 2, Fr::one()),
            inv_roots: powers(d.group_gen_inv(), n / 2, Fr::one()),
            coset_scaled: powers(g, n, d.size_inv()),
            coset_inv_scaled: powers(g.inverse()?, n, d.size_inv()),
            z_inv: d.evaluate_vanishing_polynomial(g).inverse()?,
        })
    }

    /// Number of evaluation points `n`.
    pub fn size(&self) -> usize {
        self.coset_scaled.len()
    }

    /// `h`'s `n` coefficients for the full assignment `1 ‖ inputs ‖ witness` (the first
    /// `num_constraints` rows of `matrices` are the constraints; the inputs are appended to `A` as
    /// the libsnark reduction does).
    pub fn witness_map(
        &self,
        matrices: &[Matrix<Fr>],
        num_inputs: usize,
        num_constraints: usize,
        full: &[Fr],
    ) -> Vec<Fr> {
        let n = self.size();
        let rows = |m: &Matrix<Fr>| -> Vec<Fr> {
            let mut v = vec![Fr::zero(); n];
            for (out, row) in v.iter_mut().zip(&m[..num_constraints]) {
                *out = row.iter().fold(Fr::zero(), |acc, (coeff, i)| {
                    if coeff.is_one() {
                        acc + full[*i]
                    } else {
                        acc + full[*i].mul_msm(coeff)
                    }
                });
            }
            v
        };
        // Evaluations on the domain → coefficients → evaluations on the coset g·⟨ω⟩.
        let to_coset = |v: &mut Vec<Fr>| {
            fft(v, &self.inv_roots);
            for (x, s) in v.iter_mut().zip(&self.coset_scaled) {
                *x = x.mul_msm(s);
            }
            fft(v, &self.roots);
        };
        let mut a = rows(&matrices[0]);
        a[num_constraints..num_constraints + num_inputs].copy_from_slice(&full[..num_inputs]);
        to_coset(&mut a);
        let mut b = rows(&matrices[1]);
        to_coset(&mut b);
        for (x, y) in a.iter_mut().zip(&b) {
            *x = x.mul_msm(y);
        }
        drop(b);
        let mut c = rows(&matrices[2]);
        to_coset(&mut c);
        for (x, y) in a.iter_mut().zip(&c) {
            *x = (*x - y).mul_msm(&self.z_inv);
        }
        // Back from the coset to coefficients.
        fft(&mut a, &self.inv_roots);
        for (x, s) in a.iter_mut().zip(&self.coset_inv_scaled) {
            *x = x.mul_msm(s);
        }
        a
    }
}

/// In-order radix-2 transform of `a` (length `n`, a power of two) with `roots[k] = w^k`, `k < n/2`:
/// `a_j ← Σ_i a_i·w^(ij)`. Bit-reversal, then decimation-in-time butterflies.
fn fft(a: &mut [Fr], roots: &[Fr]) {
    let n = a.len();
    debug_assert!(n.is_power_of_two() && roots.len() == n / 2);
    let bits = n.trailing_zeros();
    if bits == 0 {
        return;
    }
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if i < j {
            a.swap(i, j);
        }
    }
    let mut half = 1;
    while half < n {
        let stride = n / (2 * half);
        for block in a.chunks_exact_mut(2 * half) {
            let (lo, hi) = block.split_at_mut(half);
            for (j, (u, v)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
                let t = if j == 0 {
                    *v
                } else {
                    v.mul_msm(&roots[j * stride])
                };
                *v = *u - t;
                *u += t;
            }
        }
        half *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
    use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};

    /// The transform is ark-poly's, forward and inverse, at several sizes.
    #[test]
    fn fft_matches_ark_poly() {
        let mut rng = StdRng::seed_from_u64(21);
        for log in 0..7 {
            let n = 1usize << log;
            let q = QapDomain::new(n).expect("domain");
            let d = Radix2EvaluationDomain::<Fr>::new(n).expect("domain");
            let v: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let mut ours = v.clone();
            fft(&mut ours, &q.roots);
            assert_eq!(ours, d.fft(&v), "n = {n}");
            fft(&mut ours, &q.inv_roots);
            let back: Vec<Fr> = ours.iter().map(|x| *x * d.size_inv()).collect();
            assert_eq!(back, v, "inverse, n = {n}");
        }
    }

    /// The witness map equals ark-groth16's on random sparse matrices with coefficients 1 and
    /// random ones, every domain size shape (constraints + inputs just below and at a power of two).
    #[test]
    fn witness_map_matches_ark_groth16() {
        let mut rng = StdRng::seed_from_u64(22);
        for (num_constraints, num_inputs, num_vars) in
            [(5, 3, 9), (13, 3, 20), (60, 4, 40), (1, 1, 2)]
        {
            let matrix = |rng: &mut StdRng| -> Matrix<Fr> {
                (0..num_constraints)
                    .map(|_| {
                        (0..rng.gen_range(0..4))
                            .map(|_| {
                                let coeff = if rng.gen() { Fr::one() } else { Fr::rand(rng) };
                                (coeff, rng.gen_range(0..num_vars))
                            })
                            .collect()
                    })
                    .collect()
            };
            let matrices = [matrix(&mut rng), matrix(&mut rng), matrix(&mut rng)];
            let full: Vec<Fr> = (0..num_vars).map(|_| Fr::rand(&mut rng)).collect();
            let expected = LibsnarkReduction::witness_map_from_matrices::<
                Fr,
                GeneralEvaluationDomain<Fr>,
            >(&matrices, num_inputs, num_constraints, &full)
            .expect("witness map");
            let q = QapDomain::new(num_constraints + num_inputs).expect("domain");
            assert_eq!(
                q.witness_map(&matrices, num_inputs, num_constraints, &full),
                expected,
                "{num_constraints} constraints, {num_inputs} inputs"
            );
        }
    }
}
