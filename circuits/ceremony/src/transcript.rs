//! The hash-chained transcript and the proof of knowledge each contribution carries.
//!
//! Chain: `h₀ = BLAKE2b-512(domain tag ‖ parameters)`, `hᵢ = BLAKE2b-512(hᵢ₋₁ ‖ encoding of contribution i)`.
//! The last `hᵢ` is the *transcript hash*. Because each proof of knowledge is bound to `hᵢ₋₁` (its G2 point `r`
//! is hashed from it), a contribution cannot be moved to another position or replayed in another ceremony.
//!
//! Proof of knowledge of a secret `x` (as in powersoftau / bellman phase 2): pick a random `s`, publish
//! `g1_s = s·G1`, `g1_sx = x·s·G1`, and `g2_rx = x·r` where `r = hash_to_g2(hᵢ₋₁ ‖ tag ‖ g1_s ‖ g1_sx)` is a G2
//! point of unknown discrete log. The verifier checks `e(g1_s, g2_rx) = e(g1_sx, r)`, and that the state moved
//! by the same `x`: `e(new, r) = e(old, g2_rx)`.

use super::{io::Writer, same_ratio, Digest};
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_std::{rand::SeedableRng, UniformRand};
use blake2::{Blake2b512, Digest as _};
use rand_chacha::ChaCha20Rng;

/// A G2 point with unknown discrete log, derived from `data`: a ChaCha20 stream seeded by BLAKE2b picks a
/// random x-coordinate on the curve and the cofactor is cleared (arkworks' `UniformRand` for G2).
pub fn hash_to_g2(data: &[u8]) -> G2Affine {
    let h = Blake2b512::new_with_prefix(b"x402-zk/ceremony/hash-to-g2")
        .chain_update(data)
        .finalize();
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&h[..32]);
    G2Projective::rand(&mut ChaCha20Rng::from_seed(seed)).into_affine()
}

/// Public proof of knowledge of one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pok {
    /// `s·G1` for a random `s`.
    pub g1_s: G1Affine,
    /// `x·s·G1`.
    pub g1_sx: G1Affine,
    /// `x·r`, with `r` from [`Pok::r`].
    pub g2_rx: G2Affine,
}

impl Pok {
    /// The challenge point `r` for a proof made after chain value `prev` about the secret named `tag`.
    pub fn r(prev: &Digest, tag: &str, g1_s: &G1Affine, g1_sx: &G1Affine) -> G2Affine {
        let mut w = Writer::default();
        w.raw(prev);
        w.bytes(tag.as_bytes());
        w.ark(g1_s);
        w.ark(g1_sx);
        hash_to_g2(w.body())
    }

    /// Proves knowledge of `x`; `s` is drawn from `rng`.
    pub fn prove<R: ark_std::rand::Rng>(x: &Fr, prev: &Digest, tag: &str, rng: &mut R) -> Pok {
        let s = super::nonzero_scalar(rng);
        let g1_s = (G1Projective::generator() * s).into_affine();
        let g1_sx = (g1_s * x).into_affine();
        let r = Self::r(prev, tag, &g1_s, &g1_sx);
        Pok {
            g1_s,
            g1_sx,
            g2_rx: (r * x).into_affine(),
        }
    }

    /// Checks the proof and returns `(r, x·r)` to check state updates against.
    pub fn verify(&self, prev: &Digest, tag: &str) -> Option<(G2Affine, G2Affine)> {
        let r = Self::r(prev, tag, &self.g1_s, &self.g1_sx);
        same_ratio((self.g1_s, self.g1_sx), (r, self.g2_rx)).then_some((r, self.g2_rx))
    }

    /// Appends the encoding to a writer.
    pub fn write(&self, w: &mut Writer) {
        w.ark(&self.g1_s);
        w.ark(&self.g1_sx);
        w.ark(&self.g2_rx);
    }

    /// Reads the encoding.
    pub fn read(r: &mut super::io::Reader<'_>, what: &str) -> super::Result<Pok> {
        Ok(Pok {
            g1_s: r.ark(what)?,
            g1_sx: r.ark(what)?,
            g2_rx: r.ark(what)?,
        })
    }
}

/// Where a contribution's randomness came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A participant: OS randomness mixed with their text, then discarded.
    Participant,
    /// A public beacon: `value` hashed `2^iterations_exp` times with SHA-256 seeds the secrets, so anyone can
    /// recompute it.
    Beacon {
        /// The public random value (e.g. a drand round's randomness).
        value: Vec<u8>,
        /// log2 of the number of SHA-256 iterations.
        iterations_exp: u32,
    },
    /// Phase 1 only, first entry: the accumulator was imported from a snarkjs `.ptau` file.
    Imported {
        /// BLAKE2b-512 of the `.ptau` file.
        file_hash: Digest,
        /// The `.ptau` file's power.
        power: u32,
    },
}

impl Origin {
    /// Appends the encoding (tag byte 0/1/2 as u32, then fields).
    pub fn write(&self, w: &mut Writer) {
        match self {
            Origin::Participant => w.u32(0),
            Origin::Beacon {
                value,
                iterations_exp,
            } => {
                w.u32(1);
                w.bytes(value);
                w.u32(*iterations_exp);
            }
            Origin::Imported { file_hash, power } => {
                w.u32(2);
                w.raw(file_hash);
                w.u32(*power);
            }
        }
    }

    /// Reads the encoding.
    pub fn read(r: &mut super::io::Reader<'_>) -> super::Result<Origin> {
        Ok(match r.u32("origin")? {
            0 => Origin::Participant,
            1 => Origin::Beacon {
                value: r.bytes("beacon value", 1024)?,
                iterations_exp: r.u32("beacon iterations")?,
            },
            2 => Origin::Imported {
                file_hash: r.digest("ptau hash")?,
                power: r.u32("ptau power")?,
            },
            t => {
                return Err(super::CeremonyError::Malformed {
                    what: "origin".into(),
                    reason: format!("unknown tag {t}"),
                })
            }
        })
    }

    /// Short human description.
    pub fn describe(&self) -> String {
        match self {
            Origin::Participant => "participant".into(),
            Origin::Beacon {
                value,
                iterations_exp,
            } => {
                format!(
                    "beacon {} hashed 2^{iterations_exp} times",
                    hex::encode(value)
                )
            }
            Origin::Imported { file_hash, power } => {
                format!(
                    "imported .ptau (power {power}, blake2b {}…)",
                    &hex::encode(file_hash)[..16]
                )
            }
        }
    }
}

/// `BLAKE2b-512(prev ‖ record)`.
pub fn chain(prev: &Digest, record: &[u8]) -> Digest {
    Blake2b512::new()
        .chain_update(prev)
        .chain_update(record)
        .finalize()
        .into()
}
