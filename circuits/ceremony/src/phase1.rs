//! Phase 1: the powers-of-tau accumulator over BN254 and its transcript.
//!
//! For `n = 2^power` the accumulator holds `τⁱ·G1` for `i < 2n−1`, `τⁱ·G2`, `α·τⁱ·G1`, `β·τⁱ·G1` for `i < n`,
//! and `β·G2` — exactly what phase 2 needs for a QAP domain of up to `n` (the H query uses `τⁱ·(τⁿ−1)`, hence
//! the `2n−1` G1 powers). A contribution with secrets `(t, a, b)` maps τ→τ·t, α→α·a, β→β·b.
//!
//! The file keeps only the latest accumulator plus, for every contribution, its proofs of knowledge and the
//! *head* it produced (`τ·G1, τ·G2, α·G1, β·G1, β·G2`). Verification checks the chain of heads with pairings
//! and then that the final accumulator is a consistent set of powers ending in the last head — the same scheme
//! as snarkjs `powersoftau verify`.

use super::io::{self, Reader, Writer};
use super::transcript::{chain, Origin, Pok};
use super::{
    beacon, generators, hex_digest, nonzero_scalar, powers, progress, same_ratio, scale_g1,
    scale_g2, shifted_lc_g1, shifted_lc_g2, verifier_rng, CeremonyError, Digest, Result,
};
use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::CurveGroup;
use ark_std::rand::Rng;
use std::path::Path;
use zeroize::Zeroize;

/// File magic of a phase-1 file.
pub const MAGIC: &[u8; 8] = b"X402PT1\0";
/// Current phase-1 file version.
pub const VERSION: u32 = 1;
/// Largest supported power (2^28 is BN254's 2-adicity).
pub const MAX_POWER: u32 = 28;

/// The powers-of-tau vectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accumulator {
    /// log2 of the number of powers `n`.
    pub power: u32,
    /// `τⁱ·G1`, `i < 2n−1`.
    pub tau_g1: Vec<G1Affine>,
    /// `τⁱ·G2`, `i < n`.
    pub tau_g2: Vec<G2Affine>,
    /// `α·τⁱ·G1`, `i < n`.
    pub alpha_g1: Vec<G1Affine>,
    /// `β·τⁱ·G1`, `i < n`.
    pub beta_g1: Vec<G1Affine>,
    /// `β·G2`.
    pub beta_g2: G2Affine,
}

/// The first elements of an accumulator, recorded after each contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// `τ·G1`.
    pub tau_g1: G1Affine,
    /// `τ·G2`.
    pub tau_g2: G2Affine,
    /// `α·G1`.
    pub alpha_g1: G1Affine,
    /// `β·G1`.
    pub beta_g1: G1Affine,
    /// `β·G2`.
    pub beta_g2: G2Affine,
}

/// Proofs of knowledge of a contribution's three secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// For τ's multiplier.
    pub tau: Pok,
    /// For α's multiplier.
    pub alpha: Pok,
    /// For β's multiplier.
    pub beta: Pok,
}

/// One transcript entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// Participant's public name (free text, part of the hash).
    pub name: String,
    /// Where the randomness came from.
    pub origin: Origin,
    /// Proofs of knowledge (`None` only for an imported start).
    pub key: Option<PublicKey>,
    /// The accumulator head after this contribution.
    pub after: Head,
    /// Chain value after this contribution.
    pub hash: Digest,
}

/// A phase-1 file: the latest accumulator and the full transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase1 {
    /// Current accumulator.
    pub acc: Accumulator,
    /// Contributions, in order.
    pub contributions: Vec<Contribution>,
}

/// What `verify` checked, for printing.
#[derive(Clone, Debug)]
pub struct Report {
    /// The transcript hash (attest to this).
    pub transcript_hash: Digest,
    /// `(name, origin, chain hash)` per contribution.
    pub entries: Vec<(String, String, Digest)>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, origin, hash)) in self.entries.iter().enumerate() {
            writeln!(
                f,
                "  #{} {name} ({origin})\n     {}",
                i + 1,
                hex_digest(hash)
            )?;
        }
        write!(f, "transcript hash: {}", hex_digest(&self.transcript_hash))
    }
}

impl Accumulator {
    /// The identity accumulator (τ = α = β = 1) of `2^power` powers.
    pub fn new(power: u32) -> Result<Self> {
        if !(1..=MAX_POWER).contains(&power) {
            return Err(CeremonyError::Usage(format!(
                "power must be in 1..={MAX_POWER}, got {power}"
            )));
        }
        let n = 1usize << power;
        let (g1, g2) = generators();
        Ok(Accumulator {
            power,
            tau_g1: vec![g1; 2 * n - 1],
            tau_g2: vec![g2; n],
            alpha_g1: vec![g1; n],
            beta_g1: vec![g1; n],
            beta_g2: g2,
        })
    }

    /// Number of powers `n`.
    pub fn n(&self) -> usize {
        1usize << self.power
    }

    /// The head (first elements).
    pub fn head(&self) -> Head {
        Head {
            tau_g1: self.tau_g1[1],
            tau_g2: self.tau_g2[1],
            alpha_g1: self.alpha_g1[0],
            beta_g1: self.beta_g1[0],
            beta_g2: self.beta_g2,
        }
    }

    /// Multiplies τ, α, β by the given secrets.
    fn apply(&mut self, t: &Fr, a: &Fr, b: &Fr) {
        let n = self.n();
        let total = (2 * n - 1) + 3 * n;
        let pb = progress(total as u64, "phase 1: contributing");
        let mut p = powers(*t, 2 * n - 1);
        scale_g1(&mut self.tau_g1, &p, &pb);
        scale_g2(&mut self.tau_g2, &p[..n], &pb);
        let mut ap: Vec<Fr> = p[..n].iter().map(|x| *x * a).collect();
        scale_g1(&mut self.alpha_g1, &ap, &pb);
        let mut bp: Vec<Fr> = p[..n].iter().map(|x| *x * b).collect();
        scale_g1(&mut self.beta_g1, &bp, &pb);
        self.beta_g2 = (self.beta_g2 * b).into_affine();
        p.zeroize();
        ap.zeroize();
        bp.zeroize();
        pb.finish_and_clear();
    }

    /// Checks that the vectors are powers of one τ with the right α, β, using random linear combinations.
    pub fn check_consistency(&self) -> Result<()> {
        let bad = |s: &str| Err(CeremonyError::Inconsistent(s.to_string()));
        let n = self.n();
        if self.tau_g1.len() != 2 * n - 1
            || self.tau_g2.len() != n
            || self.alpha_g1.len() != n
            || self.beta_g1.len() != n
        {
            return bad("vector lengths do not match the power");
        }
        let (g1, g2) = generators();
        if self.tau_g1[0] != g1 || self.tau_g2[0] != g2 {
            return bad("τ⁰ is not the generator");
        }
        let pb = progress(6, "phase 1: checking powers");
        let mut rng = verifier_rng();
        let h = self.head();
        if !same_ratio((g1, h.tau_g1), (g2, h.tau_g2)) {
            return bad("τ·G1 and τ·G2 do not share τ");
        }
        if !same_ratio((g1, h.beta_g1), (g2, h.beta_g2)) {
            return bad("β·G1 and β·G2 do not share β");
        }
        pb.inc(1);
        if !same_ratio(shifted_lc_g1(&self.tau_g1, &mut rng), (g2, h.tau_g2)) {
            return bad("τⁱ·G1 are not consecutive powers of τ");
        }
        pb.inc(1);
        let (a2, b2) = shifted_lc_g2(&self.tau_g2, &mut rng);
        if !same_ratio((g1, h.tau_g1), (a2, b2)) {
            return bad("τⁱ·G2 are not consecutive powers of τ");
        }
        pb.inc(1);
        if !same_ratio(shifted_lc_g1(&self.alpha_g1, &mut rng), (g2, h.tau_g2)) {
            return bad("α·τⁱ·G1 are not consecutive powers of τ");
        }
        pb.inc(1);
        if !same_ratio(shifted_lc_g1(&self.beta_g1, &mut rng), (g2, h.tau_g2)) {
            return bad("β·τⁱ·G1 are not consecutive powers of τ");
        }
        pb.finish_and_clear();
        Ok(())
    }

    fn write(&self, w: &mut Writer) {
        w.u32(self.power);
        w.ark_vec(&self.tau_g1);
        w.ark_vec(&self.tau_g2);
        w.ark_vec(&self.alpha_g1);
        w.ark_vec(&self.beta_g1);
        w.ark(&self.beta_g2);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let power = r.u32("power")?;
        if !(1..=MAX_POWER).contains(&power) {
            return Err(CeremonyError::Malformed {
                what: "power".into(),
                reason: format!("{power} out of range"),
            });
        }
        let n = 1usize << power;
        Ok(Accumulator {
            power,
            tau_g1: r.ark_vec("tau_g1", 2 * n - 1)?,
            tau_g2: r.ark_vec("tau_g2", n)?,
            alpha_g1: r.ark_vec("alpha_g1", n)?,
            beta_g1: r.ark_vec("beta_g1", n)?,
            beta_g2: r.ark("beta_g2")?,
        })
    }
}

impl Head {
    fn initial() -> Self {
        let (g1, g2) = generators();
        Head {
            tau_g1: g1,
            tau_g2: g2,
            alpha_g1: g1,
            beta_g1: g1,
            beta_g2: g2,
        }
    }
    fn write(&self, w: &mut Writer) {
        w.ark(&self.tau_g1);
        w.ark(&self.tau_g2);
        w.ark(&self.alpha_g1);
        w.ark(&self.beta_g1);
        w.ark(&self.beta_g2);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Head {
            tau_g1: r.ark("head tau_g1")?,
            tau_g2: r.ark("head tau_g2")?,
            alpha_g1: r.ark("head alpha_g1")?,
            beta_g1: r.ark("head beta_g1")?,
            beta_g2: r.ark("head beta_g2")?,
        })
    }
}

/// Draws a contribution's secrets and proofs from `rng` in a fixed order (so a beacon is reproducible).
fn keypair<R: Rng>(rng: &mut R, prev: &Digest) -> ([Fr; 3], PublicKey) {
    let t = nonzero_scalar(rng);
    let a = nonzero_scalar(rng);
    let b = nonzero_scalar(rng);
    let key = PublicKey {
        tau: Pok::prove(&t, prev, "tau", rng),
        alpha: Pok::prove(&a, prev, "alpha", rng),
        beta: Pok::prove(&b, prev, "beta", rng),
    };
    ([t, a, b], key)
}

impl Contribution {
    /// The bytes hashed into the chain (everything but `hash`).
    fn record(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(self.name.as_bytes());
        self.origin.write(&mut w);
        match &self.key {
            Some(k) => {
                w.u32(1);
                k.tau.write(&mut w);
                k.alpha.write(&mut w);
                k.beta.write(&mut w);
            }
            None => w.u32(0),
        }
        self.after.write(&mut w);
        w.body().to_vec()
    }
}

impl Phase1 {
    /// A fresh ceremony of `2^power` powers.
    pub fn new(power: u32) -> Result<Self> {
        Ok(Phase1 {
            acc: Accumulator::new(power)?,
            contributions: Vec::new(),
        })
    }

    /// Starts the transcript from an accumulator imported from a `.ptau` file (already checked by the caller).
    pub fn from_imported(acc: Accumulator, file_hash: Digest, ptau_power: u32) -> Self {
        let mut p = Phase1 {
            acc,
            contributions: Vec::new(),
        };
        let c = Contribution {
            name: "imported powers of tau".into(),
            origin: Origin::Imported {
                file_hash,
                power: ptau_power,
            },
            key: None,
            after: p.acc.head(),
            hash: [0; 64],
        };
        p.push(c);
        p
    }

    /// Chain value before any contribution: binds the transcript to this ceremony kind and size.
    pub fn genesis(power: u32) -> Digest {
        let mut w = Writer::default();
        w.raw(b"x402-zk/ceremony/phase1/v1");
        w.u32(power);
        io::blake2b(w.body())
    }

    /// The transcript hash: chain value after the last contribution.
    pub fn transcript_hash(&self) -> Digest {
        self.contributions
            .last()
            .map(|c| c.hash)
            .unwrap_or_else(|| Self::genesis(self.acc.power))
    }

    fn push(&mut self, mut c: Contribution) -> Digest {
        c.hash = chain(&self.transcript_hash(), &c.record());
        self.contributions.push(c);
        self.transcript_hash()
    }

    fn contribute_with<R: Rng>(&mut self, name: &str, origin: Origin, rng: &mut R) -> Digest {
        let prev = self.transcript_hash();
        let (mut secrets, key) = keypair(rng, &prev);
        self.acc.apply(&secrets[0], &secrets[1], &secrets[2]);
        secrets.zeroize();
        let c = Contribution {
            name: name.into(),
            origin,
            key: Some(key),
            after: self.acc.head(),
            hash: [0; 64],
        };
        self.push(c)
    }

    /// Adds a participant's contribution drawn from `rng` (use [`beacon::participant_rng`]); returns the new
    /// transcript hash.
    pub fn contribute<R: Rng>(&mut self, name: &str, rng: &mut R) -> Digest {
        self.contribute_with(name, Origin::Participant, rng)
    }

    /// Adds the public beacon contribution; returns the new transcript hash.
    pub fn beacon(&mut self, name: &str, value: &[u8], iterations_exp: u32) -> Result<Digest> {
        let (origin, mut rng) = beacon::beacon_contribution(value, iterations_exp)?;
        Ok(self.contribute_with(name, origin, &mut rng))
    }

    /// Recomputes every chain hash from the records, as a forger rewriting the transcript would. Only useful to
    /// build adversarial files in tests; `verify` never trusts recorded hashes.
    pub fn rehash(&mut self) {
        let cs = std::mem::take(&mut self.contributions);
        for c in cs {
            self.push(c);
        }
    }

    /// Verifies the whole transcript and the final accumulator.
    pub fn verify(&self) -> Result<Report> {
        let mut prev = Self::genesis(self.acc.power);
        let mut head = Head::initial();
        let mut entries = Vec::new();
        let pb = progress(
            self.contributions.len() as u64,
            "phase 1: checking transcript",
        );
        for (i, c) in self.contributions.iter().enumerate() {
            let index = i + 1;
            let name = c.name.clone();
            if chain(&prev, &c.record()) != c.hash {
                return Err(CeremonyError::ChainHash { index, name });
            }
            match (&c.origin, &c.key) {
                (Origin::Imported { .. }, None) if i == 0 => {}
                (Origin::Imported { .. }, _) => {
                    return Err(CeremonyError::Inconsistent(format!(
                        "contribution #{index}: an import can only start a transcript"
                    )))
                }
                (_, None) => {
                    return Err(CeremonyError::ProofOfKnowledge {
                        index,
                        name,
                        which: "all secrets (missing)",
                    })
                }
                (origin, Some(key)) => {
                    let checks: [(&Pok, &'static str, G1Affine, G1Affine); 3] = [
                        (&key.tau, "tau", head.tau_g1, c.after.tau_g1),
                        (&key.alpha, "alpha", head.alpha_g1, c.after.alpha_g1),
                        (&key.beta, "beta", head.beta_g1, c.after.beta_g1),
                    ];
                    for (pok, which, old, new) in checks {
                        let (r, rx) = pok.verify(&prev, which).ok_or_else(|| {
                            CeremonyError::ProofOfKnowledge {
                                index,
                                name: name.clone(),
                                which,
                            }
                        })?;
                        if !same_ratio((old, new), (r, rx)) {
                            return Err(CeremonyError::BadUpdate { index, name, which });
                        }
                    }
                    if let Origin::Beacon {
                        value,
                        iterations_exp,
                    } = origin
                    {
                        let mut rng = beacon::beacon_rng(value, *iterations_exp)?;
                        let (mut s, expected) = keypair(&mut rng, &prev);
                        s.zeroize();
                        if expected != *key {
                            return Err(CeremonyError::Beacon { index });
                        }
                    }
                }
            }
            let (g1, g2) = generators();
            if !same_ratio((g1, c.after.tau_g1), (g2, c.after.tau_g2)) {
                return Err(CeremonyError::BadUpdate {
                    index,
                    name,
                    which: "tau (G2)",
                });
            }
            if !same_ratio((g1, c.after.beta_g1), (g2, c.after.beta_g2)) {
                return Err(CeremonyError::BadUpdate {
                    index,
                    name,
                    which: "beta (G2)",
                });
            }
            head = c.after;
            prev = c.hash;
            entries.push((c.name.clone(), c.origin.describe(), c.hash));
            pb.inc(1);
        }
        pb.finish_and_clear();
        if self.acc.head() != head {
            return Err(CeremonyError::Inconsistent(
                "the accumulator does not match the head recorded by the last contribution".into(),
            ));
        }
        self.acc.check_consistency()?;
        Ok(Report {
            transcript_hash: prev,
            entries,
        })
    }

    /// Encodes the file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC, VERSION);
        self.acc.write(&mut w);
        w.u32(self.contributions.len() as u32);
        for c in &self.contributions {
            w.raw(&c.record());
            w.raw(&c.hash);
        }
        w.finish()
    }

    /// Decodes a file (checksum, encodings and subgroup membership; run [`Phase1::verify`] for the rest).
    pub fn from_bytes(data: &[u8]) -> Result<Self> {
        let mut r = Reader::open(data, MAGIC, "phase-1 (powers of tau)", VERSION)?;
        let acc = Accumulator::read(&mut r)?;
        let count = r.u32("contribution count")?;
        let mut contributions = Vec::new();
        for _ in 0..count {
            let name = r.string("contribution name")?;
            let origin = Origin::read(&mut r)?;
            let key = match r.u32("key flag")? {
                0 => None,
                _ => Some(PublicKey {
                    tau: Pok::read(&mut r, "tau proof")?,
                    alpha: Pok::read(&mut r, "alpha proof")?,
                    beta: Pok::read(&mut r, "beta proof")?,
                }),
            };
            let after = Head::read(&mut r)?;
            let hash = r.digest("contribution hash")?;
            contributions.push(Contribution {
                name,
                origin,
                key,
                after,
                hash,
            });
        }
        r.end("phase-1 file")?;
        Ok(Phase1 { acc, contributions })
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        io::write_atomic(path, &self.to_bytes())
    }

    /// Reads a file.
    pub fn load(path: &Path) -> Result<Self> {
        let pb = progress(1, "reading phase-1 file");
        let r = Self::from_bytes(&io::read(path)?);
        pb.finish_and_clear();
        r
    }
}
