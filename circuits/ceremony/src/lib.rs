//! Multi-party trusted setup for the receipt circuit's Groth16 keys.
//!
//! Groth16 keys made by one machine's RNG let whoever ran it forge proofs. A ceremony removes that trust: the
//! keys are sound if any one participant destroyed their secret. It runs in two phases, as in Zcash's
//! powers-of-tau / bellman phase 2 and snarkjs:
//!
//! 1. **Phase 1** ([`phase1`]): a circuit-independent *accumulator* of powers of a secret τ (and α·τ^i, β·τ^i)
//!    over BN254. Each participant multiplies the secrets by fresh random values ([`phase1::Phase1::contribute`])
//!    and publishes a proof of knowledge; a public *beacon* ([`beacon`]) closes the phase. Phase 1 can also start
//!    from a public snarkjs `.ptau` file ([`ptau`]).
//! 2. **Phase 2** ([`phase2`]): the accumulator is specialised to the receipt circuit (R1CS → QAP over the
//!    Lagrange basis), then each participant multiplies δ by a secret. [`phase2::Phase2::finalize`] returns the
//!    ark-groth16 `ProvingKey`.
//!
//! Every contribution is appended to a hash-chained transcript ([`transcript`]); the last chain value, the
//! *transcript hash*, is what participants attest to and what the final keys carry as provenance.
//! Anyone can re-run `verify` on the published files: it checks every proof of knowledge, every step of the
//! chain with pairings, and the whole vectors with random linear combinations.
//!
//! Files ([`io`]) are a magic, a version, a body and a BLAKE2b-512 checksum, written to a temp file and renamed,
//! so an interrupted step never leaves a file that looks valid.

pub mod beacon;
pub mod cli;
pub mod io;
pub mod phase1;
pub mod phase2;
pub mod ptau;
pub mod test_run;
pub mod transcript;

use ark_bn254::{Bn254, Fq12, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{One, UniformRand};
use ark_std::rand::{RngCore, SeedableRng};
use indicatif::{ProgressBar, ProgressStyle};
use rand_chacha::ChaCha20Rng;
use thiserror::Error;

/// Everything that can go wrong in a ceremony step. Each variant names the file part or contribution at fault.
#[derive(Debug, Error)]
pub enum CeremonyError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file does not start with the expected magic (wrong kind of file, e.g. a phase-2 file given to phase 1).
    #[error("not a {expected} file (bad magic bytes)")]
    BadMagic {
        /// Which kind of file was expected.
        expected: &'static str,
    },
    /// The file format version is not one this build reads.
    #[error("unsupported {what} file version {version}")]
    UnsupportedVersion {
        /// The file kind.
        what: &'static str,
        /// The version found.
        version: u32,
    },
    /// The file ends before its checksum or before a field: it was cut short (interrupted copy or download).
    #[error("file is truncated: {0}")]
    Truncated(String),
    /// The file's BLAKE2b checksum does not match its content: it was corrupted or edited by hand.
    #[error("file checksum mismatch: the file is corrupted or was edited")]
    Checksum,
    /// A curve point or field element in the file is malformed (not on the curve, not in the subgroup, ...).
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Which field.
        what: String,
        /// Why.
        reason: String,
    },
    /// A contribution's recorded hash is not the hash of the chain up to it: the transcript was reordered or
    /// edited.
    #[error("contribution #{index} ({name}): recorded hash does not match the transcript chain (reordered or edited transcript)")]
    ChainHash {
        /// 1-based position in the transcript.
        index: usize,
        /// Participant name.
        name: String,
    },
    /// A contribution's proof of knowledge of its secret does not verify.
    #[error("contribution #{index} ({name}): proof of knowledge for {which} does not verify")]
    ProofOfKnowledge {
        /// 1-based position in the transcript.
        index: usize,
        /// Participant name.
        name: String,
        /// Which secret (tau, alpha, beta, delta).
        which: &'static str,
    },
    /// The state after a contribution is not the state before it multiplied by the contributor's secret.
    #[error("contribution #{index} ({name}): {which} update is not the previous value times the proven secret")]
    BadUpdate {
        /// 1-based position in the transcript.
        index: usize,
        /// Participant name.
        name: String,
        /// Which element.
        which: &'static str,
    },
    /// A beacon contribution is not the one derived from its public randomness.
    #[error("contribution #{index}: beacon contribution does not match the value derived from its randomness")]
    Beacon {
        /// 1-based position in the transcript.
        index: usize,
    },
    /// The parameters are internally inconsistent (e.g. a vector is not powers of one τ).
    #[error("inconsistent parameters: {0}")]
    Inconsistent(String),
    /// The phase-2 file was made for another circuit than the one given.
    #[error("circuit mismatch: the phase-2 file was made for circuit {file} but the given circuit hashes to {given}")]
    CircuitMismatch {
        /// Hash recorded in the file (hex prefix).
        file: String,
        /// Hash of the circuit given (hex prefix).
        given: String,
    },
    /// The phase-2 file was initialised from another phase-1 transcript than the one given.
    #[error("phase-1 mismatch: the phase-2 file was built on phase-1 transcript {file} but the given phase-1 file has {given}")]
    Phase1Mismatch {
        /// Hash recorded in the phase-2 file (hex prefix).
        file: String,
        /// Transcript hash of the given phase-1 file (hex prefix).
        given: String,
    },
    /// The circuit's QAP domain needs more powers of τ than the phase-1 accumulator has.
    #[error("circuit needs a domain of 2^{need} but the phase-1 accumulator has only 2^{have}")]
    TooSmall {
        /// log2 of the domain the circuit needs.
        need: u32,
        /// log2 of the accumulator size.
        have: u32,
    },
    /// The circuit could not be synthesised.
    #[error("circuit synthesis failed: {0}")]
    Synthesis(String),
    /// A snarkjs `.ptau` file is malformed or unsupported.
    #[error("ptau: {0}")]
    Ptau(String),
    /// A command-line argument is invalid.
    #[error("{0}")]
    Usage(String),
}

/// Result type of the ceremony.
pub type Result<T> = std::result::Result<T, CeremonyError>;

/// A 64-byte BLAKE2b-512 digest: contribution hashes and transcript hashes.
pub type Digest = [u8; 64];

/// Lower-case hex of a digest, as printed for attestations.
pub fn hex_digest(d: &Digest) -> String {
    hex::encode(d)
}

/// `e(a1, b2) == e(b1, a2)`: `(a1, b1)` and `(a2, b2)` are related by the same secret ratio.
pub fn same_ratio(g1: (G1Affine, G1Affine), g2: (G2Affine, G2Affine)) -> bool {
    let (a1, b1) = g1;
    let (a2, b2) = g2;
    if a1.is_zero() || b1.is_zero() || a2.is_zero() || b2.is_zero() {
        return false;
    }
    Bn254::multi_pairing([a1, (-b1.into_group()).into_affine()], [b2, a2]).0 == Fq12::one()
}

/// Random linear combinations `(Σ rᵢ vᵢ, Σ rᵢ vᵢ₊₁)` of a vector and its shift by one: if `v` is
/// `(c, c·x, c·x², …)` the pair has ratio `x`; if any consecutive ratio differs, the pair's ratio differs from
/// `x` except with probability ~1/r.
pub fn shifted_lc_g1(v: &[G1Affine], rng: &mut ChaCha20Rng) -> (G1Affine, G1Affine) {
    let n = v.len() - 1;
    let r: Vec<_> = (0..n).map(|_| ark_bn254::Fr::rand(rng)).collect();
    let a = G1Projective::msm_unchecked(&v[..n], &r);
    let b = G1Projective::msm_unchecked(&v[1..], &r);
    (a.into_affine(), b.into_affine())
}

/// G2 twin of [`shifted_lc_g1`].
pub fn shifted_lc_g2(v: &[G2Affine], rng: &mut ChaCha20Rng) -> (G2Affine, G2Affine) {
    let n = v.len() - 1;
    let r: Vec<_> = (0..n).map(|_| ark_bn254::Fr::rand(rng)).collect();
    let a = G2Projective::msm_unchecked(&v[..n], &r);
    let b = G2Projective::msm_unchecked(&v[1..], &r);
    (a.into_affine(), b.into_affine())
}

/// A verifier's RNG: seeded from the OS so a cheater cannot predict the linear-combination coefficients.
pub fn verifier_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    ChaCha20Rng::from_seed(seed)
}

/// The BN254 G1 and G2 generators (the `one` elements every accumulator starts from).
pub fn generators() -> (G1Affine, G2Affine) {
    (
        G1Projective::generator().into_affine(),
        G2Projective::generator().into_affine(),
    )
}

/// A progress bar on stderr for a long step (hidden automatically when stderr is not a terminal).
pub fn progress(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:>28} [{elapsed_precise}] {wide_bar} {pos}/{len} (eta {eta})",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    pb
}

/// `x^0, x^1, …, x^(n-1)`.
pub(crate) fn powers(x: ark_bn254::Fr, n: usize) -> Vec<ark_bn254::Fr> {
    let mut out = Vec::with_capacity(n);
    let mut cur = ark_bn254::Fr::one();
    for _ in 0..n {
        out.push(cur);
        cur *= x;
    }
    out
}

/// Multiplies each point by its scalar in parallel, with a progress bar.
pub(crate) fn scale_g1(points: &mut [G1Affine], scalars: &[ark_bn254::Fr], pb: &ProgressBar) {
    use rayon::prelude::*;
    points
        .par_chunks_mut(1024)
        .zip(scalars.par_chunks(1024))
        .for_each(|(p, s)| {
            let proj: Vec<G1Projective> = p.iter().zip(s).map(|(p, s)| *p * s).collect();
            p.copy_from_slice(&G1Projective::normalize_batch(&proj));
            pb.inc(p.len() as u64);
        });
}

/// `p·s` in G2 with the GLV endomorphism. ark-bn254 0.6 implements `GLVConfig` for G2 but its
/// `mul_projective` (what `p * s` calls) is plain double-and-add over 254 bits; this is about twice as fast.
pub(crate) fn g2_mul(p: G2Projective, s: &ark_bn254::Fr) -> G2Projective {
    <ark_bn254::g2::Config as ark_ec::scalar_mul::glv::GLVConfig>::glv_mul_projective(p, *s)
}

/// In-order inverse FFT over curve points: `v[j] ← (1/m)·Σᵢ ω^(−ij)·v[i]` on the domain of size `m = v.len()`
/// (the same result as ark-poly's `ifft_in_place`, which cannot use [`g2_mul`]). Radix-2 Cooley–Tukey on
/// bit-reversed input; multiplications by the twiddle 1 are skipped.
pub(crate) fn ifft_points<G>(
    v: &mut [G],
    domain: &ark_poly::GeneralEvaluationDomain<ark_bn254::Fr>,
    mul: fn(G, &ark_bn254::Fr) -> G,
) where
    G: CurveGroup<ScalarField = ark_bn254::Fr>,
{
    use ark_ff::Field;
    use ark_poly::EvaluationDomain;
    use rayon::prelude::*;
    let m = v.len();
    assert_eq!(m, domain.size(), "vector length must be the domain size");
    let log = m.trailing_zeros();
    if log > 0 {
        for i in 0..m {
            let j = i.reverse_bits() >> (usize::BITS - log);
            if i < j {
                v.swap(i, j);
            }
        }
    }
    let w_inv = domain.group_gen_inv();
    let mut len = 2;
    while len <= m {
        let half = len / 2;
        let tw = powers(w_inv.pow([(m / len) as u64]), half);
        let butterfly = |((lo, hi), w): ((&mut G, &mut G), &ark_bn254::Fr)| {
            let t = if w.is_one() { *hi } else { mul(*hi, w) };
            *hi = *lo - t;
            *lo += t;
        };
        if m / len >= 2 * rayon::current_num_threads() {
            v.par_chunks_mut(len).for_each(|c| {
                let (lo, hi) = c.split_at_mut(half);
                lo.iter_mut()
                    .zip(hi.iter_mut())
                    .zip(&tw)
                    .for_each(butterfly);
            });
        } else {
            for c in v.chunks_mut(len) {
                let (lo, hi) = c.split_at_mut(half);
                lo.par_iter_mut()
                    .zip(hi.par_iter_mut())
                    .zip(tw.par_iter())
                    .for_each(butterfly);
            }
        }
        len <<= 1;
    }
    let inv = domain.size_inv();
    v.par_iter_mut().for_each(|x| *x = mul(*x, &inv));
}

/// G2 twin of [`scale_g1`].
pub(crate) fn scale_g2(points: &mut [G2Affine], scalars: &[ark_bn254::Fr], pb: &ProgressBar) {
    use rayon::prelude::*;
    points
        .par_chunks_mut(512)
        .zip(scalars.par_chunks(512))
        .for_each(|(p, s)| {
            let proj: Vec<G2Projective> = p
                .iter()
                .zip(s)
                .map(|(p, s)| g2_mul(p.into_group(), s))
                .collect();
            p.copy_from_slice(&G2Projective::normalize_batch(&proj));
            pb.inc(p.len() as u64);
        });
}

/// A non-zero random scalar.
pub(crate) fn nonzero_scalar<R: ark_std::rand::Rng>(rng: &mut R) -> ark_bn254::Fr {
    loop {
        let x = ark_bn254::Fr::rand(rng);
        if !ark_ff::Zero::is_zero(&x) {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};

    #[test]
    fn g2_glv_mul_matches_double_and_add() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for _ in 0..16 {
            let p = G2Projective::rand(&mut rng);
            let s = ark_bn254::Fr::rand(&mut rng);
            assert_eq!(g2_mul(p, &s), p * s);
        }
        let p = G2Projective::rand(&mut rng);
        assert_eq!(
            g2_mul(p, &ark_bn254::Fr::from(0u64)),
            G2Projective::default()
        );
        assert_eq!(g2_mul(p, &-ark_bn254::Fr::one()), -p);
    }

    #[test]
    fn ifft_points_matches_ark_poly() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        for log in 0..6 {
            let d = GeneralEvaluationDomain::<ark_bn254::Fr>::new(1 << log).unwrap();
            let v: Vec<G1Projective> = (0..d.size())
                .map(|_| G1Projective::rand(&mut rng))
                .collect();
            let mut ours = v.clone();
            ifft_points(&mut ours, &d, |p, s| p * s);
            let mut theirs = v;
            d.ifft_in_place(&mut theirs);
            assert_eq!(ours, theirs, "G1, 2^{log}");
            let w: Vec<G2Projective> = (0..d.size())
                .map(|_| G2Projective::rand(&mut rng))
                .collect();
            let mut ours = w.clone();
            ifft_points(&mut ours, &d, g2_mul);
            let mut theirs = w;
            d.ifft_in_place(&mut theirs);
            assert_eq!(ours, theirs, "G2, 2^{log}");
        }
    }
}
