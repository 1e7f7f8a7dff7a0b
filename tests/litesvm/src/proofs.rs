//! Real receipt proofs for the program tests: the deterministic dev Groth16 setup of the receipt
//! circuit (`x402-zk-circuits`), proofs in groth16-solana's byte layout, and the generated `vk.rs`.
//!
//! INSECURE dev setup: the toxic waste comes from a fixed seed ([`DEV_SETUP_SEED`]); anyone can
//! forge proofs for this key. It exists so the committed `vk.rs`, the tests and the fixtures agree.
use std::sync::OnceLock;

use ark_bn254::{Bn254, Fq, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use sha2::{Digest, Sha256};
use x402_zk_circuits::circuit::ReceiptCircuit;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::receipt::{commitment, PublicParams, Receipt, Witness};

/// Seed of the deterministic dev setup (the committed `vk.rs` is generated from it); the circuits
/// crate owns it so the CLI's `keys dev-setup --deterministic` makes the same keys.
pub use x402_zk_circuits::groth16::DEV_SETUP_SEED;
/// Seed of the dev attester key.
pub const DEV_ATTESTER_SEED: u64 = 0xa77e_5700;

pub fn dev_keys() -> &'static (ProvingKey<Bn254>, VerifyingKey<Bn254>) {
    static KEYS: OnceLock<(ProvingKey<Bn254>, VerifyingKey<Bn254>)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(DEV_SETUP_SEED);
        Groth16::<Bn254>::circuit_specific_setup(ReceiptCircuit::blank(), &mut rng).expect("setup")
    })
}

pub fn dev_attester() -> Attester {
    Attester::generate(&mut StdRng::seed_from_u64(DEV_ATTESTER_SEED))
}

pub fn fr_be(f: &Fr) -> [u8; 32] {
    f.into_bigint().to_bytes_be().try_into().expect("32 bytes")
}

fn fq_be(f: &Fq) -> [u8; 32] {
    f.into_bigint().to_bytes_be().try_into().expect("32 bytes")
}

pub fn g1_be(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&fq_be(&x));
        out[32..].copy_from_slice(&fq_be(&y));
    }
    out
}

pub fn g2_be(p: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&fq_be(&x.c1));
        out[32..64].copy_from_slice(&fq_be(&x.c0));
        out[64..96].copy_from_slice(&fq_be(&y.c1));
        out[96..].copy_from_slice(&fq_be(&y.c0));
    }
    out
}

/// The attester key as the program stores it: `Ax || Ay`, big-endian.
pub fn attester_bytes(a: &Attester) -> [u8; 64] {
    let p = a.public();
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&fr_be(&p.x));
    out[32..].copy_from_slice(&fr_be(&p.y));
    out
}

/// Everything a test needs about one payment proof.
#[derive(Clone, Debug)]
pub struct PaymentFixture {
    /// `−A ‖ B ‖ C`, big-endian (groth16-solana layout, `A` negated).
    pub proof: [u8; 256],
    pub pay_to: [u8; 32],
    pub asset: [u8; 32],
    pub min_amount: u64,
    pub max_age: u64,
    pub now: u64,
    pub resource_hash: [u8; 32],
    pub nullifier: [u8; 32],
    pub pub_hash: [u8; 32],
}

/// A consistent witness for `program_id`: the dev attester signed a payment of 1,500 ≥ `min_amount`
/// 60 s before `now`; `seed` picks the payer's secret (hence the nullifier).
pub fn witness(
    seed: u64,
    program_id: [u8; 32],
    pay_to: [u8; 32],
    now: u64,
    resource: &[u8],
) -> Witness {
    use ark_ff::UniformRand;
    let attester = dev_attester();
    let mut rng = StdRng::seed_from_u64(seed);
    let secret = Fr::rand(&mut rng);
    let public = PublicParams {
        attester: attester.public(),
        pay_to,
        asset: [0u8; 32],
        min_amount: 1_000,
        now,
        max_age: 3_600,
        resource_hash: x402_zk_circuits::receipt::resource_hash(resource),
        program_id,
    };
    let receipt = Receipt {
        pay_to,
        asset: public.asset,
        amount: 1_500,
        paid_at: now - 60,
        commitment: commitment(&secret),
    };
    let signature = receipt.sign(&attester);
    Witness {
        public,
        secret,
        amount: receipt.amount,
        paid_at: receipt.paid_at,
        signature,
    }
}

/// Proves `w` with the dev key.
pub fn prove(w: &Witness, seed: u64) -> PaymentFixture {
    let (pk, _) = dev_keys();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let proof = Groth16::<Bn254>::prove(pk, ReceiptCircuit::new(w), &mut rng).expect("prove");
    let mut f = public_fixture(w);
    f.proof[..64].copy_from_slice(&g1_be(&(-proof.a)));
    f.proof[64..192].copy_from_slice(&g2_be(&proof.b));
    f.proof[192..].copy_from_slice(&g1_be(&proof.c));
    f
}

/// The public side of a fixture (proof bytes zero).
pub fn public_fixture(w: &Witness) -> PaymentFixture {
    let p = &w.public;
    PaymentFixture {
        proof: [0u8; 256],
        pay_to: p.pay_to,
        asset: p.asset,
        min_amount: p.min_amount,
        max_age: p.max_age,
        now: p.now,
        resource_hash: fr_be(&p.resource_hash),
        nullifier: fr_be(&w.nullifier()),
        pub_hash: fr_be(&w.pub_hash()),
    }
}

/// The VK bytes hashed into `VERIFYING_KEY_SHA256`: `α ‖ β ‖ γ ‖ δ ‖ IC₀ ‖ IC₁ …` (big-endian).
pub fn vk_bytes(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&g1_be(&vk.alpha_g1));
    out.extend_from_slice(&g2_be(&vk.beta_g2));
    out.extend_from_slice(&g2_be(&vk.gamma_g2));
    out.extend_from_slice(&g2_be(&vk.delta_g2));
    for p in &vk.gamma_abc_g1 {
        out.extend_from_slice(&g1_be(p));
    }
    out
}

pub fn vk_sha256(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    Sha256::digest(vk_bytes(vk)).into()
}

fn bytes_lit(b: &[u8]) -> String {
    let items: Vec<String> = b.iter().map(|x| format!("{x}")).collect();
    format!("[{}]", items.join(", "))
}

/// The program's `src/vk.rs` for `vk` (groth16-solana's `Groth16Verifyingkey`).
pub fn vk_rs_source(vk: &VerifyingKey<Bn254>) -> String {
    let ic: Vec<String> = vk
        .gamma_abc_g1
        .iter()
        .map(|p| format!("        {},\n", bytes_lit(&g1_be(p))))
        .collect();
    format!(
        "//! GENERATED by `tests/litesvm` (`UPDATE_VK=1 cargo test --test vk`); do not edit.\n\
         //!\n\
         //! Groth16 verifying key of the receipt circuit (`x402-zk-circuits`), big-endian, in\n\
         //! groth16-solana's layout. INSECURE DEV SETUP (seed {seed:#x}): anyone can forge proofs for it.\n\
         //! `tests/litesvm/tests/vk.rs` fails when this file differs from a fresh export.\n\
         use groth16_solana::groth16::Groth16Verifyingkey;\n\
         \n\
         /// Number of public inputs (`pubHash` only).\n\
         pub const NR_PUBLIC_INPUTS: usize = {n};\n\
         \n\
         /// SHA-256 of `alpha ‖ beta ‖ gamma ‖ delta ‖ IC₀ ‖ …` (the bytes below), stored in `Config`.\n\
         #[rustfmt::skip]\n\
         pub const VERIFYING_KEY_SHA256: [u8; 32] = {hash};\n\
         \n\
         #[rustfmt::skip]\n\
         pub const VERIFYING_KEY: Groth16Verifyingkey<'static> = Groth16Verifyingkey {{\n    \
             nr_pubinputs: {n},\n    \
             vk_alpha_g1: {alpha},\n    \
             vk_beta_g2: {beta},\n    \
             vk_gamma_g2: {gamma},\n    \
             vk_delta_g2: {delta},\n    \
             vk_ic: &[\n{ic}    ],\n    \
             vk_commitment: None,\n\
         }};\n",
        seed = DEV_SETUP_SEED,
        n = vk.gamma_abc_g1.len() - 1,
        hash = bytes_lit(&vk_sha256(vk)),
        alpha = bytes_lit(&g1_be(&vk.alpha_g1)),
        beta = bytes_lit(&g2_be(&vk.beta_g2)),
        gamma = bytes_lit(&g2_be(&vk.gamma_g2)),
        delta = bytes_lit(&g2_be(&vk.delta_g2)),
        ic = ic.concat(),
    )
}
