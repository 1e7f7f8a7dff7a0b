//! groth16-solana 0.3.1 format: big-endian coordinates; G2 as `x.c1 || x.c0 || y.c1 || y.c0`; the proof's A point
//! negated (the verifier checks `e(-A, B)·e(prepared, γ)·e(C, δ)·e(α, β) = 1`); 256-byte proof `-A || B || C`.

use crate::field::fr_to_be_bytes;
use ark_bn254::{Bn254, Fq, Fr, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use x402_zk_encoding::PROOF_LEN;

fn fq_be(f: &Fq) -> [u8; 32] {
    let v = f.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out.copy_from_slice(&v);
    out
}

/// G1 point as `x || y` (64 bytes, big-endian). The identity encodes as zeros.
pub fn g1_bytes(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if !ark_ec::AffineRepr::is_zero(p) {
        out[..32].copy_from_slice(&fq_be(&p.x));
        out[32..].copy_from_slice(&fq_be(&p.y));
    }
    out
}

/// G2 point as `x.c1 || x.c0 || y.c1 || y.c0` (128 bytes, big-endian).
pub fn g2_bytes(p: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if !ark_ec::AffineRepr::is_zero(p) {
        out[..32].copy_from_slice(&fq_be(&p.x.c1));
        out[32..64].copy_from_slice(&fq_be(&p.x.c0));
        out[64..96].copy_from_slice(&fq_be(&p.y.c1));
        out[96..].copy_from_slice(&fq_be(&p.y.c0));
    }
    out
}

/// The 256-byte proof: `-A (64) || B (128) || C (64)` (layout: `x402_zk_encoding::proof`).
pub fn proof_bytes(proof: &Proof<Bn254>) -> [u8; PROOF_LEN] {
    use x402_zk_encoding::proof::{PROOF_A, PROOF_B, PROOF_C};
    let mut out = [0u8; PROOF_LEN];
    let neg_a = -proof.a;
    out[PROOF_A].copy_from_slice(&g1_bytes(&neg_a));
    out[PROOF_B].copy_from_slice(&g2_bytes(&proof.b));
    out[PROOF_C].copy_from_slice(&g1_bytes(&proof.c));
    out
}

/// Splits a 256-byte proof into the three arrays `Groth16Verifier::new` takes.
pub fn split_proof(bytes: &[u8; PROOF_LEN]) -> ([u8; 64], [u8; 128], [u8; 64]) {
    let (a, b, c) = x402_zk_encoding::split_proof(bytes);
    (*a, *b, *c)
}

/// Public inputs as 32-byte big-endian arrays.
pub fn public_inputs(inputs: &[Fr]) -> Vec<[u8; 32]> {
    inputs.iter().map(fr_to_be_bytes).collect()
}

/// The verifying key's byte arrays (owned form of `Groth16Verifyingkey`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolanaVk {
    /// Number of public inputs.
    pub nr_pubinputs: usize,
    /// α (G1).
    pub vk_alpha_g1: [u8; 64],
    /// β (G2).
    pub vk_beta_g2: [u8; 128],
    /// γ (G2).
    pub vk_gamma_g2: [u8; 128],
    /// δ (G2).
    pub vk_delta_g2: [u8; 128],
    /// IC points (G1), `nr_pubinputs + 1` of them.
    pub vk_ic: Vec<[u8; 64]>,
}

/// File name of the key bytes ([`SolanaVk::to_bytes`]) in a key directory: what
/// `initialize_config` / `set_verifying_key` take and `migrations/deploy.ts` reads.
pub const SOLANA_VK_FILE: &str = "solana_vk.bin";
/// File name of the key hash next to it: `0x` + 64 hex digits of [`SolanaVk::sha256`] and a newline.
pub const SOLANA_VK_SHA256_FILE: &str = "solana_vk.sha256";

/// Size of a G1 point in the export.
const G1: usize = 64;
/// Size of a G2 point in the export.
const G2: usize = 128;

impl SolanaVk {
    /// The key bytes the program stores (its `VerifyingKeyAccount.key`): `α ‖ β ‖ γ ‖ δ ‖ IC₀ ‖ IC₁ …`,
    /// big-endian, G2 as `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`; `64 + 3·128 + 64·(nr_pubinputs + 1)` bytes (576 for
    /// the receipt statement). The one definition of this layout: the program parses it
    /// (`programs/x402-zk-verifier/src/vk.rs`) and the tests feed it exports of real keys.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(G1 + 3 * G2 + G1 * self.vk_ic.len());
        out.extend_from_slice(&self.vk_alpha_g1);
        out.extend_from_slice(&self.vk_beta_g2);
        out.extend_from_slice(&self.vk_gamma_g2);
        out.extend_from_slice(&self.vk_delta_g2);
        for ic in &self.vk_ic {
            out.extend_from_slice(ic);
        }
        out
    }

    /// Parses [`SolanaVk::to_bytes`] output (lengths only; the program checks the points).
    pub fn from_bytes(bytes: &[u8]) -> crate::error::Result<Self> {
        let fixed = G1 + 3 * G2;
        if bytes.len() < fixed + 2 * G1 || !(bytes.len() - fixed).is_multiple_of(G1) {
            return Err(crate::error::Error::KeyFile(format!(
                "Solana verifying key: {} bytes is not {fixed} + 64·(inputs + 1)",
                bytes.len()
            )));
        }
        let arr = |r: std::ops::Range<usize>| bytes[r].to_vec();
        let vk_ic: Vec<[u8; 64]> = bytes[fixed..]
            .chunks_exact(G1)
            .map(|c| c.try_into().expect("64 bytes"))
            .collect();
        Ok(SolanaVk {
            nr_pubinputs: vk_ic.len() - 1,
            vk_alpha_g1: arr(0..G1).try_into().expect("64"),
            vk_beta_g2: arr(G1..G1 + G2).try_into().expect("128"),
            vk_gamma_g2: arr(G1 + G2..G1 + 2 * G2).try_into().expect("128"),
            vk_delta_g2: arr(G1 + 2 * G2..fixed).try_into().expect("128"),
            vk_ic,
        })
    }

    /// SHA-256 of [`SolanaVk::to_bytes`]: what the program computes into `Config.vk_hash` when this key
    /// is written. The one definition of the key hash; the facilitator, the prover and the tests call it.
    pub fn sha256(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.to_bytes()).into()
    }

    /// `0x` + 64 lower-case hex digits of [`SolanaVk::sha256`] (as `/health`, `/supported` and
    /// `solana_vk.sha256` show it).
    pub fn sha256_hex(&self) -> String {
        format!("0x{}", hex::encode(self.sha256()))
    }

    /// Writes [`SOLANA_VK_FILE`] and [`SOLANA_VK_SHA256_FILE`] into `dir`; returns the hash.
    pub fn write_files(&self, dir: &std::path::Path) -> std::io::Result<[u8; 32]> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(SOLANA_VK_FILE), self.to_bytes())?;
        std::fs::write(
            dir.join(SOLANA_VK_SHA256_FILE),
            format!("{}\n", self.sha256_hex()),
        )?;
        Ok(self.sha256())
    }
}

/// Converts an arkworks verifying key.
pub fn vk(vk: &VerifyingKey<Bn254>) -> SolanaVk {
    SolanaVk {
        nr_pubinputs: vk.gamma_abc_g1.len() - 1,
        vk_alpha_g1: g1_bytes(&vk.alpha_g1),
        vk_beta_g2: g2_bytes(&vk.beta_g2),
        vk_gamma_g2: g2_bytes(&vk.gamma_g2),
        vk_delta_g2: g2_bytes(&vk.delta_g2),
        vk_ic: vk.gamma_abc_g1.iter().map(g1_bytes).collect(),
    }
}

fn fq_from_be(b: &[u8]) -> crate::error::Result<Fq> {
    let v = num_bigint::BigUint::from_bytes_be(b);
    let q = num_bigint::BigUint::from_bytes_be(&Fq::MODULUS.to_bytes_be());
    if v >= q {
        return Err(crate::error::Error::NotInField {
            what: "proof coordinate (base field)",
        });
    }
    Ok(Fq::from_be_bytes_mod_order(b))
}

fn g1_from(b: &[u8]) -> crate::error::Result<G1Affine> {
    let p = G1Affine::new_unchecked(fq_from_be(&b[..32])?, fq_from_be(&b[32..64])?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(crate::error::Error::KeyFile(
            "proof G1 point not on curve".into(),
        ));
    }
    Ok(p)
}

/// Parses a 256-byte groth16-solana proof back into an arkworks proof (un-negating A). Rejects coordinates ≥ q and
/// points off the curve or outside the prime-order subgroup.
pub fn proof_from_bytes(bytes: &[u8; 256]) -> crate::error::Result<Proof<Bn254>> {
    let a = -g1_from(&bytes[..64])?;
    let c = g1_from(&bytes[192..])?;
    let q = |o: usize| fq_from_be(&bytes[64 + o..96 + o]);
    let b = G2Affine::new_unchecked(
        ark_bn254::Fq2::new(q(32)?, q(0)?),
        ark_bn254::Fq2::new(q(96)?, q(64)?),
    );
    if !b.is_on_curve() || !b.is_in_correct_subgroup_assuming_on_curve() {
        return Err(crate::error::Error::KeyFile(
            "proof G2 point not on curve".into(),
        ));
    }
    Ok(Proof { a, b, c })
}
