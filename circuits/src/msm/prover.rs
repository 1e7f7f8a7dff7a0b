//! A Groth16 prover (BN254) for one fixed proving key and circuit shape: the constraint matrices and
//! the [`FixedBaseMsm`] tables of the queries are computed once ([`PreparedProver::new`]), so a
//! proof costs synthesis of the witness, the QAP witness map (`ark-groth16`'s libsnark reduction on
//! our own FFT, [`super::qap`]) and four table MSMs: A, B (G1), B (G2), and one over the H and L
//! queries together (the proof's C needs only the sum of the two, so one bucket reduction serves
//! both and the longer MSM takes a wider window).
//!
//! [`PreparedProver::without_tables`] caches only the matrices and runs the four MSMs over the key's
//! own points with [`super::var`] (signed digits, batch-affine buckets): what a client that proves a
//! few receipts per key load uses (the WebAssembly prover, where the tables take ≈ 22 s to build).
//!
//! For the same RNG state the proof is identical to `ark_groth16::Groth16::prove`'s: `r` then `s`
//! are drawn the same way and every group element is the same sum (the tests compare bytes).

use super::{field::MsmField, qap::QapDomain, var, BigIntOf, FixedBaseMsm, MsmOptions};
use ark_bn254::{g1, g2, Bn254, Fr, G1Affine, G1Projective, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_groth16::{Proof, ProvingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, Matrix, OptimizationGoal, SynthesisError,
    SynthesisMode, R1CS_PREDICATE_LABEL,
};
use ark_std::rand::RngCore;

/// Window width (bits) of the joint H and L MSM (≈ 15k bases; `h` is random, the witness ≈ 70 %
/// full-size): the cost is ≈ `n · ⌈255 / c⌉ + 2^(c−1)` additions, least at 15 bits for this `n`.
/// Chosen by measurement (one thread, interleaved, `circuits/BENCHMARKS-circuit.md`).
pub const H_WINDOW_BITS: u32 = 15;
/// Window width of the A and B (G1, G2) queries (≈ 6.7k bases each).
pub const WITNESS_WINDOW_BITS: u32 = 14;

/// The prepared proving key (see the module doc). With tables it holds `≈ len · ⌈255 / c⌉` affine
/// points per query.
#[derive(Clone)]
pub struct PreparedProver {
    matrices: Vec<Matrix<Fr>>,
    /// The H query's points, then the L query's: the bases of the joint MSM.
    hl_bases: Vec<G1Affine>,
    num_inputs: usize,
    num_constraints: usize,
    /// `1 + inputs + witnesses`: the length of a full assignment.
    num_vars: usize,
    /// The QAP's domain, twiddles and coset powers (the witness map of every proof).
    qap: QapDomain,
    tables: Option<Tables>,
}

/// The fixed-base tables of the four MSMs.
#[derive(Clone)]
struct Tables {
    a: FixedBaseMsm<g1::Config>,
    b_g1: FixedBaseMsm<g1::Config>,
    b_g2: FixedBaseMsm<g2::Config>,
    /// Over [`PreparedProver::hl_bases`].
    hl: FixedBaseMsm<g1::Config>,
}

impl core::fmt::Debug for PreparedProver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreparedProver")
            .field("num_inputs", &self.num_inputs)
            .field("num_constraints", &self.num_constraints)
            .field("table_bytes", &self.table_bytes())
            .finish()
    }
}

/// Why a proving key cannot be prepared for a circuit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// Setup-mode synthesis of the circuit failed.
    #[error("circuit synthesis in setup mode failed: {0}")]
    Synthesis(String),
    /// The key's query lengths do not fit the circuit's shape.
    #[error("proving key does not fit the circuit: {0}")]
    Shape(String),
}

impl PreparedProver {
    /// Synthesizes `blank` in setup mode for the matrices (as `ark-groth16`'s setup does) and builds the
    /// tables for `pk`'s queries.
    pub fn new<C: ConstraintSynthesizer<Fr>>(
        pk: &ProvingKey<Bn254>,
        blank: C,
    ) -> Result<Self, PrepareError> {
        Self::with_windows(pk, blank, WITNESS_WINDOW_BITS, H_WINDOW_BITS)
    }

    /// [`PreparedProver::new`] with chosen window widths (benchmarks).
    pub fn with_windows<C: ConstraintSynthesizer<Fr>>(
        pk: &ProvingKey<Bn254>,
        blank: C,
        witness_bits: u32,
        h_bits: u32,
    ) -> Result<Self, PrepareError> {
        let mut prepared = Self::without_tables(pk, blank)?;
        prepared.tables = Some(Tables {
            a: FixedBaseMsm::new(&pk.a_query[1..], witness_bits),
            b_g1: FixedBaseMsm::new(&pk.b_g1_query[1..], witness_bits),
            b_g2: FixedBaseMsm::new(&pk.b_g2_query[1..], witness_bits),
            hl: FixedBaseMsm::new(&prepared.hl_bases, h_bits),
        });
        Ok(prepared)
    }

    /// Only the matrices (one setup-mode synthesis, milliseconds): proofs run table-free
    /// variable-base MSMs ([`super::var`]) over `pk`'s points. The proofs are the same as with tables.
    pub fn without_tables<C: ConstraintSynthesizer<Fr>>(
        pk: &ProvingKey<Bn254>,
        blank: C,
    ) -> Result<Self, PrepareError> {
        let synth = |e: SynthesisError| PrepareError::Synthesis(e.to_string());
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        blank.generate_constraints(cs.clone()).map_err(synth)?;
        cs.finalize();
        let num_inputs = cs.num_instance_variables();
        let num_constraints = cs.num_constraints();
        let num_vars = num_inputs + cs.num_witness_variables();
        let mut all = cs.to_matrices().map_err(synth)?;
        let matrices = all
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| PrepareError::Shape("no R1CS predicate".into()))?;
        let qap = QapDomain::new(num_constraints + num_inputs)
            .ok_or_else(|| PrepareError::Shape("no radix-2 domain holds the constraints".into()))?;
        let domain = qap.size();
        let shape = |what: &str, got: usize, want: usize| {
            if got == want {
                Ok(())
            } else {
                Err(PrepareError::Shape(format!(
                    "{what} has {got} points, the circuit needs {want}"
                )))
            }
        };
        shape("a_query", pk.a_query.len(), num_vars)?;
        shape("b_g1_query", pk.b_g1_query.len(), num_vars)?;
        shape("b_g2_query", pk.b_g2_query.len(), num_vars)?;
        shape("l_query", pk.l_query.len(), num_vars - num_inputs)?;
        shape("h_query", pk.h_query.len(), domain - 1)?;
        Ok(PreparedProver {
            matrices,
            hl_bases: [&pk.h_query[..], &pk.l_query[..]].concat(),
            num_inputs,
            num_constraints,
            num_vars,
            qap,
            tables: None,
        })
    }

    /// Heap bytes of the four tables (0 without tables).
    pub fn table_bytes(&self) -> usize {
        self.tables.as_ref().map_or(0, |t| {
            t.a.table_bytes() + t.b_g1.table_bytes() + t.b_g2.table_bytes() + t.hl.table_bytes()
        })
    }

    /// Whether the fixed-base tables were built ([`PreparedProver::new`]) or not
    /// ([`PreparedProver::without_tables`]).
    pub fn has_tables(&self) -> bool {
        self.tables.is_some()
    }

    /// A zero-knowledge proof of `circuit` (with its assignment) under `pk`, the key this was prepared
    /// from: [`PreparedProver::witness`], then [`PreparedProver::prove_assignment`].
    pub fn prove<C: ConstraintSynthesizer<Fr>, R: RngCore>(
        &self,
        pk: &ProvingKey<Bn254>,
        circuit: C,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, SynthesisError> {
        self.prove_assignment(pk, &self.witness(circuit)?, rng)
    }

    /// [`PreparedProver::prove`] from a full assignment already made ([`PreparedProver::witness`]):
    /// the proving step alone, as snarkjs times `groth16 prove` on a precomputed `.wtns` (the ≥ 10×
    /// comparison, `scripts/bench-prove.sh`). Draws `r` then `s` from `rng` as `ark-groth16` does. An assignment of the wrong
    /// length is `SynthesisError::Unsatisfiable`; one of the right length is not checked against the
    /// constraints (as in `ark-groth16`): if it does not satisfy them, the proof does not verify.
    pub fn prove_assignment<R: RngCore>(
        &self,
        pk: &ProvingKey<Bn254>,
        full: &[Fr],
        rng: &mut R,
    ) -> Result<Proof<Bn254>, SynthesisError> {
        if full.len() != self.num_vars {
            return Err(SynthesisError::Unsatisfiable);
        }
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        self.prove_with(pk, r, s, full)
    }

    /// Synthesis in prove mode without building matrices: the full assignment `1 ‖ inputs ‖ witness`
    /// (the MSM scalars of the A and B queries are its tail `inputs ‖ witness`).
    pub fn witness<C: ConstraintSynthesizer<Fr>>(
        &self,
        circuit: C,
    ) -> Result<Vec<Fr>, SynthesisError> {
        let (num_inputs, full) = full_assignment(circuit)?;
        // (Without matrices the prove-mode system does not count constraints; the assignment's shape is checked.)
        if num_inputs != self.num_inputs || full.len() != self.num_vars {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(full)
    }

    /// The proof for `r`, `s` and the full assignment (ark-groth16's `create_proof_with_assignment`,
    /// with the table MSMs or the table-free ones).
    ///
    /// Four independent jobs — `h` (the QAP witness map's FFTs, then the joint H and L MSM) and the
    /// witness MSMs of the B (G2), A and B (G1) queries — run as tasks of one `join` tree, each MSM on
    /// one thread ([`MsmOptions::SERIAL`]), rather than splitting every MSM across the threads in turn
    /// (each half with its own buckets, fork-joins in a row, the FFTs alone before them): 10–13 %
    /// faster on 2 threads (`circuits/BENCHMARKS-circuit.md`, "Task-scheduled MSMs"). The first job is
    /// about as long as the other three together, so each thread gets about half.
    fn prove_with(
        &self,
        pk: &ProvingKey<Bn254>,
        r: Fr,
        s: Fr,
        full: &[Fr],
    ) -> Result<Proof<Bn254>, SynthesisError> {
        let assignment: Vec<_> = full[1..].iter().map(|x| x.into_bigint()).collect();
        let aux = &assignment[self.num_inputs - 1..];
        let tables = self.tables.as_ref();
        let hl_job = || -> Result<G1Projective, SynthesisError> {
            let h =
                self.qap
                    .witness_map(&self.matrices, self.num_inputs, self.num_constraints, full);
            // h has a point per domain element; the H query stops one short (ark-groth16's MSM takes
            // the shorter of the two), and the L query's scalars follow.
            let scalars: Vec<_> = h[..pk.h_query.len()]
                .iter()
                .map(|x| x.into_bigint())
                .chain(aux.iter().copied())
                .collect();
            Ok(one_msm(tables.map(|t| &t.hl), &self.hl_bases, &scalars))
        };
        // The largest job (h with its FFTs, then the H and L MSM) on one thread; the G2 MSM starts on
        // the other, and the two G1 MSMs are stolen by whichever thread is free first. Each witness
        // job also does its part of the proof's scalar multiplications (≈ 1 ms in all, serial after
        // the join before): the shorter thread finishes ≈ 3 ms before the H and L MSM does.
        let (hl_acc, (g2_b, ((g_a, g_a_s), g1_b_r_minus_rs))) = join(hl_job, || {
            join(
                || -> G2Projective {
                    let acc = one_msm(tables.map(|t| &t.b_g2), &pk.b_g2_query[1..], &assignment);
                    pk.vk.delta_g2 * s + pk.b_g2_query[0] + acc + pk.vk.beta_g2
                },
                || {
                    join(
                        || -> (G1Projective, G1Projective) {
                            let acc = one_msm(tables.map(|t| &t.a), &pk.a_query[1..], &assignment);
                            let g_a = pk.delta_g1 * r + pk.a_query[0] + acc + pk.vk.alpha_g1;
                            (g_a, g_a * s)
                        },
                        || -> G1Projective {
                            if r.is_zero() {
                                return G1Projective::zero();
                            }
                            let acc =
                                one_msm(tables.map(|t| &t.b_g1), &pk.b_g1_query[1..], &assignment);
                            let g1_b = pk.delta_g1 * s + pk.b_g1_query[0] + acc + pk.beta_g1;
                            g1_b * r - pk.delta_g1 * (r * s)
                        },
                    )
                },
            )
        });
        // C = A·s + B·r − δ·rs + Σ h·H + Σ w·L, its products made in the jobs above.
        let g_c = g_a_s + g1_b_r_minus_rs + hl_acc?;
        Ok(Proof {
            a: g_a.into_affine(),
            b: g2_b.into_affine(),
            c: g_c.into_affine(),
        })
    }
}

/// One of the prover's MSMs on the current thread: over the fixed-base tables when built, else
/// table-free over the key's own points (`bases`, the same points the tables were built from).
fn one_msm<P: SWCurveConfig>(
    table: Option<&FixedBaseMsm<P>>,
    bases: &[Affine<P>],
    scalars: &[BigIntOf<P>],
) -> Projective<P>
where
    P::BaseField: MsmField,
{
    match table {
        Some(t) => t.msm_bigint_with(scalars, MsmOptions::SERIAL),
        None => var::msm_bigint(bases, scalars),
    }
}

/// Synthesis in prove mode without building matrices: the number of public variables (with the constant
/// `1`) and the full assignment `1 ‖ inputs ‖ witness`.
pub fn full_assignment<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
) -> Result<(usize, Vec<Fr>), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    let mut full = cs.instance_assignment()?;
    full.extend(cs.witness_assignment()?);
    Ok((cs.num_instance_variables(), full))
}

#[cfg(feature = "parallel")]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(not(feature = "parallel"))]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_groth16::Groth16;
    use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, Variable};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    /// `x³ + x + 5 = out` (`out` public) over a few constraints, with or without its assignment.
    #[derive(Clone)]
    struct Cubic(Option<Fr>);

    impl ConstraintSynthesizer<Fr> for Cubic {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let val = |f: fn(Fr) -> Fr| self.0.map(f).ok_or(SynthesisError::AssignmentMissing);
            let out = cs.new_input_variable(|| val(|x| x * x * x + x + Fr::from(5u64)))?;
            let x = cs.new_witness_variable(|| val(|x| x))?;
            let x2 = cs.new_witness_variable(|| val(|x| x * x))?;
            let x3 = cs.new_witness_variable(|| val(|x| x * x * x))?;
            let lc = |v: Variable| LinearCombination::from(v);
            cs.enforce_r1cs_constraint(|| lc(x), || lc(x), || lc(x2))?;
            cs.enforce_r1cs_constraint(|| lc(x2), || lc(x), || lc(x3))?;
            cs.enforce_r1cs_constraint(
                || lc(x3) + lc(x) + (Fr::from(5u64), Variable::One),
                || lc(Variable::One),
                || lc(out),
            )
        }
    }

    /// The proof's scalar multiplications now run inside the MSM jobs, regrouped (`C = A·s + (B·r −
    /// δ·rs) + …`): the result must stay ark-groth16's for every `r` and `s`, including `r = 0`
    /// (where `B` in G1 is zero) and `s = 0`.
    #[test]
    fn matches_ark_groth16_for_any_r_and_s() {
        let mut rng = StdRng::seed_from_u64(5);
        let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(Cubic(None), &mut rng)
            .expect("setup");
        let tables = PreparedProver::new(&pk, Cubic(None)).expect("prepared");
        let free = PreparedProver::without_tables(&pk, Cubic(None)).expect("prepared");
        let full = tables
            .witness(Cubic(Some(Fr::from(3u64))))
            .expect("witness");
        let random = Fr::rand(&mut rng);
        for (r, s) in [
            (random, Fr::from(7u64)),
            (Fr::zero(), random),
            (random, Fr::zero()),
            (Fr::zero(), Fr::zero()),
        ] {
            let want = Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
                &pk,
                r,
                s,
                &tables.matrices,
                tables.num_inputs,
                tables.num_constraints,
                &full,
            )
            .expect("reference proof");
            assert_eq!(
                tables.prove_with(&pk, r, s, &full).expect("proof"),
                want,
                "r = {r}, s = {s}"
            );
            assert_eq!(
                free.prove_with(&pk, r, s, &full).expect("proof"),
                want,
                "r = {r}, s = {s} (no tables)"
            );
        }
        // From a precomputed assignment: the same proof as from the circuit, for the same RNG state.
        let from_circuit = tables
            .prove(
                &pk,
                Cubic(Some(Fr::from(3u64))),
                &mut StdRng::seed_from_u64(9),
            )
            .expect("proof");
        let from_assignment = tables
            .prove_assignment(&pk, &full, &mut StdRng::seed_from_u64(9))
            .expect("proof");
        assert_eq!(from_assignment, from_circuit);
        assert!(matches!(
            tables.prove_assignment(&pk, &full[1..], &mut rng),
            Err(SynthesisError::Unsatisfiable)
        ));
    }
}
