//! Phase 2: specialise the phase-1 accumulator to one circuit, then let participants randomise δ.
//!
//! `init` turns the circuit's R1CS into QAP form over the evaluation domain `H = ⟨ω⟩` of size
//! `m = next_pow2(constraints + public inputs)` exactly as ark-groth16's `LibsnarkReduction` does (each public
//! input `i` gets the extra constraint `xᵢ·0 = 0` at row `constraints + i`), so the keys work with ark-groth16's
//! prover unchanged. The Lagrange basis `Lⱼ(τ)·G` is the inverse FFT of `(τⁱ·G)ᵢ<m` over `H` (an FFT whose
//! "coefficients" are curve points), which is how bellman and snarkjs `zkey new` do it. Then, with γ = 1:
//!
//! - `A_k = Σⱼ a_jk·Lⱼ(τ)·G1`, `B_k` in G1 and G2 likewise;
//! - `IC_k = (β·A_k + α·B_k + C_k)(τ)·G1` for public variables, `L_k` the same for private ones (divided by δ);
//! - `H_i = τⁱ·(τᵐ − 1)·G1 / δ` for `i < m − 1`, from the `2n − 1` G1 powers.
//!
//! A contribution with secret `x` sets δ → δ·x and divides `L` and `H` by `x`. `verify` checks the δ chain with
//! pairings, and everything else against phase 1 and the circuit with random linear combinations: it never
//! recomputes the Lagrange basis (see `QapCheck`), so it costs a few MSMs instead of four FFTs over curve points.

use super::io::{self, Reader, Writer};
use super::phase1::{Accumulator, Phase1, Report};
use super::transcript::{chain, Origin, Pok};
use super::{
    beacon, generators, hex_digest, nonzero_scalar, progress, same_ratio, scale_g1, verifier_rng,
    CeremonyError, Digest, Result,
};
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{Field, One, UniformRand};
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode, R1CS_PREDICATE_LABEL,
};
use ark_std::rand::Rng;
use rayon::prelude::*;
use std::path::Path;
use x402_zk_circuits::groth16::{ProvingKeys, VerifierKey};
use zeroize::Zeroize;

/// File magic of a phase-2 file.
pub const MAGIC: &[u8; 8] = b"X402PT2\0";
/// Current phase-2 file version.
pub const VERSION: u32 = 1;

/// Provenance tag of keys from a ceremony with this transcript hash.
pub fn provenance_tag(transcript_hash: &Digest) -> String {
    format!("ceremony:{}", hex_digest(transcript_hash))
}

/// A circuit's constraint system in the form the QAP reduction needs.
pub struct R1cs {
    /// Public variables including the constant `1`.
    pub num_instance: usize,
    /// Private variables.
    pub num_witness: usize,
    /// Number of constraints.
    pub num_constraints: usize,
    /// `A`, `B`, `C`: per constraint, `(coefficient, variable index)` with public variables first.
    pub matrices: Vec<Vec<Vec<(Fr, usize)>>>,
}

impl R1cs {
    /// Synthesises `circuit` in setup mode the way ark-groth16's generator does.
    pub fn synthesize<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Self> {
        let err = |e: ark_relations::gr1cs::SynthesisError| CeremonyError::Synthesis(e.to_string());
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        circuit.generate_constraints(cs.clone()).map_err(err)?;
        cs.finalize();
        let mut all = cs.to_matrices().map_err(err)?;
        let matrices = all
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| CeremonyError::Synthesis("circuit has no R1CS constraints".into()))?;
        if all
            .values()
            .any(|m| !m.is_empty() && m.iter().any(|x| !x.is_empty()))
        {
            return Err(CeremonyError::Synthesis(
                "circuit uses non-R1CS predicates; Groth16 needs R1CS".into(),
            ));
        }
        Ok(R1cs {
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
            num_constraints: cs.num_constraints(),
            matrices,
        })
    }

    /// BLAKE2b-512 of the sizes and every matrix entry: identifies the circuit in the transcript.
    pub fn hash(&self) -> Digest {
        let mut w = Writer::default();
        w.raw(b"x402-zk/ceremony/r1cs/v1");
        w.u64(self.num_instance as u64);
        w.u64(self.num_witness as u64);
        w.u64(self.num_constraints as u64);
        for m in &self.matrices {
            for row in m {
                w.u64(row.len() as u64);
                for (c, i) in row {
                    w.u64(*i as u64);
                    w.ark(c);
                }
            }
        }
        io::blake2b(w.body())
    }

    /// log2 of the QAP domain size.
    pub fn domain_power(&self) -> u32 {
        (self.num_constraints + self.num_instance)
            .next_power_of_two()
            .trailing_zeros()
    }

    /// Per variable, the `(constraint row, coefficient)` pairs of matrix `which` (transpose).
    fn columns(&self, which: usize) -> Vec<Vec<(usize, Fr)>> {
        let mut cols = vec![Vec::new(); self.num_instance + self.num_witness];
        for (j, row) in self.matrices[which].iter().enumerate() {
            for (c, i) in row {
                cols[*i].push((j, *c));
            }
        }
        cols
    }
}

/// `Σ c·bases[j]`, with the common ±1 coefficients done by additions and the others by `mul`.
fn lin<G: CurveGroup<ScalarField = Fr>>(
    terms: &[(usize, Fr)],
    bases: &[G::Affine],
    mul: fn(G, &Fr) -> G,
) -> G {
    let mut acc = G::zero();
    for (j, c) in terms {
        if c.is_one() {
            acc += bases[*j];
        } else if (-*c).is_one() {
            acc -= bases[*j];
        } else {
            acc += mul(bases[*j].into(), c);
        }
    }
    acc
}

/// `Lⱼ(τ)·P` for `j < m` from `τⁱ·P`: an inverse FFT over the points (`mul` multiplies a point by a scalar).
fn lagrange<G>(
    powers: &[G::Affine],
    domain: &GeneralEvaluationDomain<Fr>,
    mul: fn(G, &Fr) -> G,
) -> Vec<G::Affine>
where
    G: CurveGroup<ScalarField = Fr>,
{
    let mut v: Vec<G> = powers[..domain.size()]
        .iter()
        .map(|p| (*p).into())
        .collect();
    super::ifft_points(&mut v, domain, mul);
    G::normalize_batch(&v)
}

/// The QAP evaluation domain for `r1cs`, if the phase-1 accumulator has enough powers for it.
fn qap_domain(acc: &Accumulator, r1cs: &R1cs) -> Result<GeneralEvaluationDomain<Fr>> {
    let need = r1cs.domain_power();
    if need > acc.power {
        return Err(CeremonyError::TooSmall {
            need,
            have: acc.power,
        });
    }
    GeneralEvaluationDomain::<Fr>::new(r1cs.num_constraints + r1cs.num_instance)
        .ok_or_else(|| CeremonyError::Synthesis("domain too large".into()))
}

/// The circuit-only part of the keys (δ = 1), computed from phase 1.
pub fn initial_key(acc: &Accumulator, r1cs: &R1cs) -> Result<ProvingKey<Bn254>> {
    let domain = qap_domain(acc, r1cs)?;
    let m = domain.size();
    let pb = progress(6, "phase 2: Lagrange basis (FFT)");
    let g1_mul: fn(G1Projective, &Fr) -> G1Projective = |p, s| p * s;
    let lag_g1 = lagrange(&acc.tau_g1, &domain, g1_mul);
    pb.inc(1);
    let lag_alpha = lagrange(&acc.alpha_g1, &domain, g1_mul);
    pb.inc(1);
    let lag_beta = lagrange(&acc.beta_g1, &domain, g1_mul);
    pb.inc(1);
    let lag_g2 = lagrange(&acc.tau_g2, &domain, super::g2_mul);
    pb.inc(1);

    let (ca, cb, cc) = (r1cs.columns(0), r1cs.columns(1), r1cs.columns(2));
    let nv = r1cs.num_instance + r1cs.num_witness;
    let nc = r1cs.num_constraints;
    // Public input k also sits in A at row nc + k (the libsnark reduction's input constraints).
    let extra = |k: usize| {
        if k < r1cs.num_instance {
            Some(nc + k)
        } else {
            None
        }
    };
    let rows: Vec<(G1Projective, G1Projective, G2Projective, G1Projective)> = (0..nv)
        .into_par_iter()
        .map(|k| {
            let mut a = lin(&ca[k], &lag_g1, g1_mul);
            let b1 = lin(&cb[k], &lag_g1, g1_mul);
            // B has most of the non-±1 coefficients (≈ 33k of the receipt circuit's 41k): GLV matters in G2.
            let b2 = lin(&cb[k], &lag_g2, super::g2_mul);
            let mut lc = lin(&ca[k], &lag_beta, g1_mul)
                + lin(&cb[k], &lag_alpha, g1_mul)
                + lin(&cc[k], &lag_g1, g1_mul);
            if let Some(j) = extra(k) {
                a += lag_g1[j];
                lc += lag_beta[j];
            }
            (a, b1, b2, lc)
        })
        .collect();
    pb.inc(1);
    let a_query = G1Projective::normalize_batch(&rows.iter().map(|r| r.0).collect::<Vec<_>>());
    let b_g1_query = G1Projective::normalize_batch(&rows.iter().map(|r| r.1).collect::<Vec<_>>());
    let b_g2_query = G2Projective::normalize_batch(&rows.iter().map(|r| r.2).collect::<Vec<_>>());
    let lc = G1Projective::normalize_batch(&rows.iter().map(|r| r.3).collect::<Vec<_>>());
    // τⁱ·(τᵐ − 1) for i < m − 1 (ark-groth16's h_query length).
    let h: Vec<G1Projective> = (0..m - 1)
        .into_par_iter()
        .map(|i| acc.tau_g1[i + m].into_group() - acc.tau_g1[i])
        .collect();
    let h_query = G1Projective::normalize_batch(&h);
    pb.finish_and_clear();
    let (g1, g2) = generators();
    Ok(ProvingKey {
        vk: VerifyingKey {
            alpha_g1: acc.alpha_g1[0],
            beta_g2: acc.beta_g2,
            gamma_g2: g2,
            delta_g2: g2,
            gamma_abc_g1: lc[..r1cs.num_instance].to_vec(),
        },
        beta_g1: acc.beta_g1[0],
        delta_g1: g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query: lc[r1cs.num_instance..].to_vec(),
    })
}

/// Checks a proving key against phase 1 and the circuit **without** the Lagrange-basis FFTs that
/// [`initial_key`] needs (four FFTs over curve points, by far the most expensive part of phase 2).
///
/// Every circuit-dependent vector is a linear map of a Lagrange basis: `A_k = Σⱼ a_jk·Lⱼ(τ)·G1`, and so on. For
/// verifier-chosen random weights `r_k`, `Σ_k r_k·A_k = Σⱼ sⱼ·Lⱼ(τ)·G1 = f(τ)·G1` with `sⱼ = Σ_k r_k·a_jk` and
/// `f` the polynomial with evaluations `s` on the domain, so `Σ_k r_k·A_k = Σᵢ cᵢ·(τⁱ·G1)` with
/// `c = iFFT(s)` — an FFT over *field elements* and two MSMs. If any `A_k` differs from its correct value the
/// two sides differ except with probability 1/r (the weights come from the OS RNG, after the file is fixed).
struct QapCheck<'a> {
    acc: &'a Accumulator,
    r1cs: &'a R1cs,
    domain: GeneralEvaluationDomain<Fr>,
}

impl<'a> QapCheck<'a> {
    fn new(acc: &'a Accumulator, r1cs: &'a R1cs) -> Result<Self> {
        Ok(QapCheck {
            acc,
            r1cs,
            domain: qap_domain(acc, r1cs)?,
        })
    }

    fn m(&self) -> usize {
        self.domain.size()
    }

    /// Monomial coefficients of `Σ_k r_k·(column k of matrix `which`)` as a polynomial over the domain; for
    /// A, with the libsnark input rows (public input `k` at row `constraints + k`).
    fn coeffs(&self, which: usize, r: &[Fr]) -> Vec<Fr> {
        let mut s = vec![Fr::from(0u64); self.m()];
        for (j, row) in self.r1cs.matrices[which].iter().enumerate() {
            for (c, i) in row {
                s[j] += *c * r[*i];
            }
        }
        if which == 0 {
            for (k, rk) in r.iter().enumerate().take(self.r1cs.num_instance) {
                s[self.r1cs.num_constraints + k] += rk;
            }
        }
        self.domain.ifft_in_place(&mut s);
        s
    }

    /// `Σ_k r_k·(β·A_k + α·B_k + C_k)(τ)·G1`: what IC (δ-free) and the initial L (δ = 1) combine to.
    fn lc_combination(&self, r: &[Fr]) -> G1Affine {
        let m = self.m();
        let a = self.coeffs(0, r);
        let b = self.coeffs(1, r);
        let c = self.coeffs(2, r);
        (G1Projective::msm_unchecked(&self.acc.beta_g1[..m], &a)
            + G1Projective::msm_unchecked(&self.acc.alpha_g1[..m], &b)
            + G1Projective::msm_unchecked(&self.acc.tau_g1[..m], &c))
        .into_affine()
    }

    /// A, B (G1 and G2) and IC: what depends only on phase 1 and the circuit.
    fn check_circuit_part<R: Rng>(&self, pk: &ProvingKey<Bn254>, rng: &mut R) -> Result<()> {
        let bad = |what: &str| {
            Err(CeremonyError::Inconsistent(format!(
                "{what} differs from the value phase 1 and the circuit determine"
            )))
        };
        let (ni, nw) = (self.r1cs.num_instance, self.r1cs.num_witness);
        let nv = ni + nw;
        let m = self.m();
        if pk.a_query.len() != nv {
            return bad("A query length");
        }
        if pk.b_g1_query.len() != nv || pk.b_g2_query.len() != nv {
            return bad("B query length");
        }
        if pk.vk.gamma_abc_g1.len() != ni {
            return bad("IC (public input query) length");
        }
        if pk.l_query.len() != nw {
            return bad("L query length");
        }
        if pk.h_query.len() != m - 1 {
            return bad("H query length");
        }
        let pb = progress(4, "phase 2: checking A, B, IC");
        let r: Vec<Fr> = (0..nv).map(|_| Fr::rand(rng)).collect();
        let ca = self.coeffs(0, &r);
        if G1Projective::msm_unchecked(&pk.a_query, &r)
            != G1Projective::msm_unchecked(&self.acc.tau_g1[..m], &ca)
        {
            return bad("A query");
        }
        pb.inc(1);
        let cb = self.coeffs(1, &r);
        if G1Projective::msm_unchecked(&pk.b_g1_query, &r)
            != G1Projective::msm_unchecked(&self.acc.tau_g1[..m], &cb)
        {
            return bad("B query (G1)");
        }
        pb.inc(1);
        if G2Projective::msm_unchecked(&pk.b_g2_query, &r)
            != G2Projective::msm_unchecked(&self.acc.tau_g2[..m], &cb)
        {
            return bad("B query (G2)");
        }
        pb.inc(1);
        let mut ri = vec![Fr::from(0u64); nv];
        for x in ri.iter_mut().take(ni) {
            *x = Fr::rand(rng);
        }
        if G1Projective::msm_unchecked(&pk.vk.gamma_abc_g1, &ri[..ni]).into_affine()
            != self.lc_combination(&ri)
        {
            return bad("IC (public input query)");
        }
        pb.finish_and_clear();
        Ok(())
    }

    /// L and H are their initial values divided by δ: `e(Σrᵢ·Xᵢ, δ·G2) = e(Σrᵢ·X⁰ᵢ, G2)`.
    fn check_delta_part<R: Rng>(&self, pk: &ProvingKey<Bn254>, rng: &mut R) -> Result<()> {
        let (_, g2) = generators();
        let (ni, nw) = (self.r1cs.num_instance, self.r1cs.num_witness);
        let m = self.m();
        let not_div = |what: &str| {
            Err(CeremonyError::Inconsistent(format!(
                "{what} is not the initial {what} divided by δ"
            )))
        };
        if nw > 0 {
            let mut r = vec![Fr::from(0u64); ni + nw];
            for x in r.iter_mut().skip(ni) {
                *x = Fr::rand(rng);
            }
            let now = G1Projective::msm_unchecked(&pk.l_query, &r[ni..]).into_affine();
            let then = self.lc_combination(&r);
            if !same_ratio((now, then), (g2, pk.vk.delta_g2)) {
                return not_div("L query");
            }
        }
        if m > 1 {
            // Initial H: τⁱ·(τᵐ − 1)·G1 for i < m − 1.
            let r: Vec<Fr> = (0..m - 1).map(|_| Fr::rand(rng)).collect();
            let now = G1Projective::msm_unchecked(&pk.h_query, &r).into_affine();
            let then = (G1Projective::msm_unchecked(&self.acc.tau_g1[m..2 * m - 1], &r)
                - G1Projective::msm_unchecked(&self.acc.tau_g1[..m - 1], &r))
            .into_affine();
            if !same_ratio((now, then), (g2, pk.vk.delta_g2)) {
                return not_div("H query");
            }
        }
        Ok(())
    }
}

use ark_ec::AffineRepr as _;

/// One δ update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// Participant's public name.
    pub name: String,
    /// Participant or beacon.
    pub origin: Origin,
    /// Proof of knowledge of the δ multiplier.
    pub key: Pok,
    /// `δ·G1` after this contribution.
    pub delta_after: G1Affine,
    /// Chain value after this contribution.
    pub hash: Digest,
}

impl Contribution {
    fn record(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(self.name.as_bytes());
        self.origin.write(&mut w);
        self.key.write(&mut w);
        w.ark(&self.delta_after);
        w.body().to_vec()
    }
}

/// A phase-2 file: the current keys and the δ transcript.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase2 {
    /// Transcript hash of the phase-1 file this was initialised from.
    pub phase1_hash: Digest,
    /// [`R1cs::hash`] of the circuit.
    pub circuit_hash: Digest,
    /// Current proving key (its `vk` inside).
    pub pk: ProvingKey<Bn254>,
    /// δ contributions, in order.
    pub contributions: Vec<Contribution>,
}

fn draw<R: Rng>(rng: &mut R, prev: &Digest) -> (Fr, Pok) {
    let x = nonzero_scalar(rng);
    let pok = Pok::prove(&x, prev, "delta", rng);
    (x, pok)
}

impl Phase2 {
    /// Initialises phase 2 for `circuit` from a phase-1 file (verify the phase-1 file first).
    pub fn init<C: ConstraintSynthesizer<Fr>>(p1: &Phase1, circuit: C) -> Result<Self> {
        let r1cs = R1cs::synthesize(circuit)?;
        Ok(Phase2 {
            phase1_hash: p1.transcript_hash(),
            circuit_hash: r1cs.hash(),
            pk: initial_key(&p1.acc, &r1cs)?,
            contributions: Vec::new(),
        })
    }

    /// Chain value before any δ contribution.
    pub fn genesis(&self) -> Digest {
        let mut w = Writer::default();
        w.raw(b"x402-zk/ceremony/phase2/v1");
        w.raw(&self.phase1_hash);
        w.raw(&self.circuit_hash);
        io::blake2b(w.body())
    }

    /// The transcript hash: covers phase 1 (through its hash), the circuit, and every δ contribution.
    pub fn transcript_hash(&self) -> Digest {
        self.contributions
            .last()
            .map(|c| c.hash)
            .unwrap_or_else(|| self.genesis())
    }

    fn push(&mut self, mut c: Contribution) -> Digest {
        c.hash = chain(&self.transcript_hash(), &c.record());
        self.contributions.push(c);
        self.transcript_hash()
    }

    fn contribute_with<R: Rng>(&mut self, name: &str, origin: Origin, rng: &mut R) -> Digest {
        let prev = self.transcript_hash();
        let (mut x, key) = draw(rng, &prev);
        let mut inv = x.inverse().expect("x is non-zero");
        let pk = &mut self.pk;
        pk.delta_g1 = (pk.delta_g1 * x).into_affine();
        pk.vk.delta_g2 = (pk.vk.delta_g2 * x).into_affine();
        let pb = progress(
            (pk.l_query.len() + pk.h_query.len()) as u64,
            "phase 2: contributing",
        );
        let mut s = vec![inv; pk.l_query.len().max(pk.h_query.len())];
        scale_g1(&mut pk.l_query, &s, &pb);
        scale_g1(&mut pk.h_query, &s, &pb);
        pb.finish_and_clear();
        s.zeroize();
        x.zeroize();
        inv.zeroize();
        let c = Contribution {
            name: name.into(),
            origin,
            key,
            delta_after: self.pk.delta_g1,
            hash: [0; 64],
        };
        self.push(c)
    }

    /// Adds a participant's δ contribution from `rng` (use [`beacon::participant_rng`]).
    pub fn contribute<R: Rng>(&mut self, name: &str, rng: &mut R) -> Digest {
        self.contribute_with(name, Origin::Participant, rng)
    }

    /// Adds the beacon's δ contribution.
    pub fn beacon(&mut self, name: &str, value: &[u8], iterations_exp: u32) -> Result<Digest> {
        let (origin, mut rng) = beacon::beacon_contribution(value, iterations_exp)?;
        Ok(self.contribute_with(name, origin, &mut rng))
    }

    /// Recomputes every chain hash, as a forger would (tests only).
    pub fn rehash(&mut self) {
        let cs = std::mem::take(&mut self.contributions);
        for c in cs {
            self.push(c);
        }
    }

    /// Verifies the file against a (verified) phase-1 file and the circuit.
    pub fn verify<C: ConstraintSynthesizer<Fr>>(&self, p1: &Phase1, circuit: C) -> Result<Report> {
        let short = |d: &Digest| hex_digest(d)[..16].to_string();
        if p1.transcript_hash() != self.phase1_hash {
            return Err(CeremonyError::Phase1Mismatch {
                file: short(&self.phase1_hash),
                given: short(&p1.transcript_hash()),
            });
        }
        let r1cs = R1cs::synthesize(circuit)?;
        let circuit_hash = r1cs.hash();
        if circuit_hash != self.circuit_hash {
            return Err(CeremonyError::CircuitMismatch {
                file: short(&self.circuit_hash),
                given: short(&circuit_hash),
            });
        }
        let pk = &self.pk;
        let (g1, g2) = generators();
        let same = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(CeremonyError::Inconsistent(format!(
                    "{what} differs from the value phase 1 and the circuit determine"
                )))
            }
        };
        same(
            pk.vk.alpha_g1 == p1.acc.alpha_g1[0]
                && pk.beta_g1 == p1.acc.beta_g1[0]
                && pk.vk.beta_g2 == p1.acc.beta_g2,
            "α/β",
        )?;
        same(pk.vk.gamma_g2 == g2, "γ")?;
        let mut rng = verifier_rng();
        let q = QapCheck::new(&p1.acc, &r1cs)?;
        q.check_circuit_part(pk, &mut rng)?;
        let mut prev = self.genesis();
        let mut delta = g1;
        let mut entries = Vec::new();
        for (i, c) in self.contributions.iter().enumerate() {
            let (index, name) = (i + 1, c.name.clone());
            if chain(&prev, &c.record()) != c.hash {
                return Err(CeremonyError::ChainHash { index, name });
            }
            let (r, rx) =
                c.key
                    .verify(&prev, "delta")
                    .ok_or_else(|| CeremonyError::ProofOfKnowledge {
                        index,
                        name: name.clone(),
                        which: "delta",
                    })?;
            if !same_ratio((delta, c.delta_after), (r, rx)) {
                return Err(CeremonyError::BadUpdate {
                    index,
                    name,
                    which: "delta",
                });
            }
            match &c.origin {
                Origin::Participant => {}
                Origin::Beacon {
                    value,
                    iterations_exp,
                } => {
                    let mut rng = beacon::beacon_rng(value, *iterations_exp)?;
                    let (mut x, expected) = draw(&mut rng, &prev);
                    x.zeroize();
                    if expected != c.key {
                        return Err(CeremonyError::Beacon { index });
                    }
                }
                Origin::Imported { .. } => {
                    return Err(CeremonyError::Inconsistent(format!(
                        "contribution #{index}: import in a phase-2 transcript"
                    )))
                }
            }
            delta = c.delta_after;
            prev = c.hash;
            entries.push((c.name.clone(), c.origin.describe(), c.hash));
        }
        if pk.delta_g1 != delta {
            return Err(CeremonyError::Inconsistent(
                "δ·G1 does not match the last contribution".into(),
            ));
        }
        if !same_ratio((g1, pk.delta_g1), (g2, pk.vk.delta_g2)) {
            return Err(CeremonyError::Inconsistent(
                "δ·G1 and δ·G2 do not share δ".into(),
            ));
        }
        q.check_delta_part(pk, &mut rng)?;
        Ok(Report {
            transcript_hash: prev,
            entries,
        })
    }

    /// The final keys, tagged with the transcript hash. Call after [`Phase2::verify`].
    pub fn finalize(&self) -> ProvingKeys {
        let provenance = provenance_tag(&self.transcript_hash());
        ProvingKeys::new(
            self.pk.clone(),
            VerifierKey::new(self.pk.vk.clone(), &provenance),
        )
    }

    /// Encodes the file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC, VERSION);
        w.raw(&self.phase1_hash);
        w.raw(&self.circuit_hash);
        w.ark(&self.pk);
        w.u32(self.contributions.len() as u32);
        for c in &self.contributions {
            w.raw(&c.record());
            w.raw(&c.hash);
        }
        w.finish()
    }

    /// Decodes a file (checksum, encodings, subgroup checks; run [`Phase2::verify`] for the rest).
    pub fn from_bytes(data: &[u8]) -> Result<Self> {
        let mut r = Reader::open(data, MAGIC, "phase-2 (circuit keys)", VERSION)?;
        let phase1_hash = r.digest("phase-1 hash")?;
        let circuit_hash = r.digest("circuit hash")?;
        let pk = r.ark("proving key")?;
        let count = r.u32("contribution count")?;
        let mut contributions = Vec::new();
        for _ in 0..count {
            let name = r.string("contribution name")?;
            let origin = Origin::read(&mut r)?;
            let key = Pok::read(&mut r, "delta proof")?;
            let delta_after = r.ark("delta after")?;
            let hash = r.digest("contribution hash")?;
            contributions.push(Contribution {
                name,
                origin,
                key,
                delta_after,
                hash,
            });
        }
        r.end("phase-2 file")?;
        Ok(Phase2 {
            phase1_hash,
            circuit_hash,
            pk,
            contributions,
        })
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        io::write_atomic(path, &self.to_bytes())
    }

    /// Reads a file.
    pub fn load(path: &Path) -> Result<Self> {
        Self::from_bytes(&io::read(path)?)
    }
}
