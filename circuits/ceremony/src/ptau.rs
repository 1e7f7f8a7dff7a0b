//! Import of snarkjs `.ptau` files (powers of tau from a public ceremony such as the Perpetual Powers of Tau).
//!
//! Format (iden3 binfile, all integers little-endian): `"ptau"` | version u32 | section count u32, then
//! sections `type u32 | size u64 | data`. Sections used here:
//!
//! | type | content |
//! | ---- | ------- |
//! | 1 | header: `n8` u32 (= 32), `q` (n8 bytes, the base-field modulus), `power` u32, `ceremonyPower` u32 |
//! | 2 | `τⁱ·G1`, `i < 2·2^power − 1` |
//! | 3 | `τⁱ·G2`, `i < 2^power` |
//! | 4 | `α·τⁱ·G1`, `i < 2^power` |
//! | 5 | `β·τⁱ·G1`, `i < 2^power` |
//! | 6 | `β·G2` |
//!
//! Points are affine and uncompressed with each coordinate in *Montgomery form*, little-endian (G1: `x‖y`,
//! 64 bytes; G2: `x.c0‖x.c1‖y.c0‖y.c1`, 128 bytes); all-zero bytes are the point at infinity. Section 7
//! (snarkjs's own contribution list) and the prepared Lagrange sections 12–15 are ignored: the import is
//! trusted on the strength of the public ceremony, and this code checks that the vectors are consistent powers
//! of one τ (random linear combinations and pairings) before using them.

use super::phase1::{Accumulator, MAX_POWER};
use super::{io, progress, CeremonyError, Digest, Result};
use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use rayon::prelude::*;

fn err<T>(s: impl Into<String>) -> Result<T> {
    Err(CeremonyError::Ptau(s.into()))
}

fn fq_mont(b: &[u8]) -> Option<Fq> {
    let mut limbs = [0u64; 4];
    for (i, l) in limbs.iter_mut().enumerate() {
        *l = u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    }
    let v = BigInt::<4>(limbs);
    (v < Fq::MODULUS).then(|| Fq::new_unchecked(v))
}

fn g1(b: &[u8]) -> Option<G1Affine> {
    if b.iter().all(|x| *x == 0) {
        return Some(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(fq_mont(&b[..32])?, fq_mont(&b[32..64])?);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

fn g2(b: &[u8]) -> Option<G2Affine> {
    if b.iter().all(|x| *x == 0) {
        return Some(G2Affine::zero());
    }
    let x = Fq2::new(fq_mont(&b[..32])?, fq_mont(&b[32..64])?);
    let y = Fq2::new(fq_mont(&b[64..96])?, fq_mont(&b[96..128])?);
    let p = G2Affine::new_unchecked(x, y);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

fn points<T: Send>(
    data: &[u8],
    size: usize,
    count: usize,
    what: &str,
    parse: fn(&[u8]) -> Option<T>,
) -> Result<Vec<T>> {
    let pb = progress(count as u64, &format!("ptau: reading {what}"));
    let v: Option<Vec<T>> = data[..size * count]
        .par_chunks(size)
        .map(|c| {
            let p = parse(c);
            pb.inc(1);
            p
        })
        .collect();
    pb.finish_and_clear();
    v.ok_or_else(|| CeremonyError::Ptau(format!("{what}: a point is not a valid BN254 point")))
}

/// Parsed header of a `.ptau` file.
#[derive(Clone, Copy, Debug)]
pub struct PtauHeader {
    /// log2 of the number of powers in the file.
    pub power: u32,
    /// The ceremony's power (may exceed `power` for a truncated file).
    pub ceremony_power: u32,
}

/// Reads a `.ptau` file and returns the accumulator truncated to `2^power` powers (or the file's size), checked
/// for consistency, and the file's BLAKE2b-512 hash for the transcript.
pub fn import(data: &[u8], power: Option<u32>) -> Result<(Accumulator, PtauHeader, Digest)> {
    if data.len() < 12 || &data[..4] != b"ptau" {
        return err("not a snarkjs .ptau file (bad magic)");
    }
    let version = u32::from_le_bytes(data[4..8].try_into().expect("4"));
    if version != 1 {
        return err(format!("unsupported .ptau version {version}"));
    }
    let n_sections = u32::from_le_bytes(data[8..12].try_into().expect("4"));
    let mut sections: std::collections::BTreeMap<u32, &[u8]> = Default::default();
    let mut pos = 12usize;
    for _ in 0..n_sections {
        if data.len() < pos + 12 {
            return err("file is truncated (section header)");
        }
        let ty = u32::from_le_bytes(data[pos..pos + 4].try_into().expect("4"));
        let size = u64::from_le_bytes(data[pos + 4..pos + 12].try_into().expect("8")) as usize;
        pos += 12;
        if data.len() - pos < size {
            return err(format!(
                "file is truncated (section {ty} declares {size} bytes)"
            ));
        }
        if sections.insert(ty, &data[pos..pos + size]).is_some() {
            return err(format!("section {ty} appears twice"));
        }
        pos += size;
    }
    let section = |t: u32| {
        sections
            .get(&t)
            .copied()
            .ok_or_else(|| CeremonyError::Ptau(format!("missing section {t}")))
    };

    let h = section(1)?;
    if h.len() != 4 + 32 + 8 {
        return err("header section has the wrong size (only BN254 / n8 = 32 is supported)");
    }
    let n8 = u32::from_le_bytes(h[..4].try_into().expect("4"));
    let q = BigInt::<4>(
        [0, 1, 2, 3].map(|i| u64::from_le_bytes(h[4 + 8 * i..12 + 8 * i].try_into().expect("8"))),
    );
    if n8 != 32 || q != Fq::MODULUS {
        return err("curve is not BN254 (bn128)");
    }
    let header = PtauHeader {
        power: u32::from_le_bytes(h[36..40].try_into().expect("4")),
        ceremony_power: u32::from_le_bytes(h[40..44].try_into().expect("4")),
    };
    if header.power == 0 || header.power > MAX_POWER {
        return err(format!("power {} out of range", header.power));
    }
    let want = power.unwrap_or(header.power);
    if want == 0 || want > header.power {
        return Err(CeremonyError::TooSmall {
            need: want,
            have: header.power,
        });
    }
    let (file_n, n) = (1usize << header.power, 1usize << want);
    fn check_len(s: Result<&[u8]>, t: u32, expect: usize, power: u32) -> Result<&[u8]> {
        let s = s?;
        if s.len() != expect {
            return err(format!(
                "section {t} has {} bytes, expected {expect} for power {power}",
                s.len()
            ));
        }
        Ok(s)
    }
    let acc = Accumulator {
        power: want,
        tau_g1: points(
            check_len(section(2), 2, (2 * file_n - 1) * 64, header.power)?,
            64,
            2 * n - 1,
            "tauG1",
            g1,
        )?,
        tau_g2: points(
            check_len(section(3), 3, file_n * 128, header.power)?,
            128,
            n,
            "tauG2",
            g2,
        )?,
        alpha_g1: points(
            check_len(section(4), 4, file_n * 64, header.power)?,
            64,
            n,
            "alphaTauG1",
            g1,
        )?,
        beta_g1: points(
            check_len(section(5), 5, file_n * 64, header.power)?,
            64,
            n,
            "betaTauG1",
            g1,
        )?,
        beta_g2: points(
            check_len(section(6), 6, 128, header.power)?,
            128,
            1,
            "betaG2",
            g2,
        )?[0],
    };
    acc.check_consistency()
        .map_err(|e| CeremonyError::Ptau(format!("the powers are not consistent: {e}")))?;
    Ok((acc, header, io::blake2b(data)))
}
