//! Real receipt proofs for the program tests: the deterministic dev Groth16 setup of the receipt
//! circuit (`x402-zk-circuits`), keys from a small run of the real ceremony ([`ceremony_keys`]),
//! proofs and verifying keys in the program's byte layouts (the circuits crate's Solana export).
//!
//! INSECURE dev setup: the toxic waste comes from a fixed seed ([`DEV_SETUP_SEED`]); anyone can
//! forge proofs for this key. The program has no key compiled in: tests write this one (or the
//! ceremony's) with `initialize_config` / `set_verifying_key`.
use std::sync::OnceLock;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use x402_zk_circuits::circuit::ReceiptCircuit;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::receipt::{commitment, PublicParams, Receipt, Witness};

/// Seed of the deterministic dev setup (`keys/dev/solana_vk.bin` is its export); the circuits
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

pub fn g1_be(p: &G1Affine) -> [u8; 64] {
    x402_zk_circuits::export::solana::g1_bytes(p)
}

pub fn g2_be(p: &G2Affine) -> [u8; 128] {
    x402_zk_circuits::export::solana::g2_bytes(p)
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
    /// `policyHash` of the terms under the proof's attester and program.
    pub policy_hash: [u8; 32],
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
    prove_with(&dev_keys().0, w, seed)
}

/// Proves `w` with `pk` (proof bytes in the program's layout: `−A ‖ B ‖ C`).
pub fn prove_with(pk: &ProvingKey<Bn254>, w: &Witness, seed: u64) -> PaymentFixture {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let proof = Groth16::<Bn254>::prove(pk, ReceiptCircuit::new(w), &mut rng).expect("prove");
    let mut f = public_fixture(w);
    f.proof = x402_zk_circuits::export::solana::proof_bytes(&proof);
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
        policy_hash: fr_be(&p.policy_hash()),
    }
}

/// The verifying key bytes `initialize_config` / `set_verifying_key` take: the circuits crate's
/// Solana export (`SolanaVk::to_bytes`, what the ceremony writes to `solana_vk.bin`).
pub fn vk_bytes(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    x402_zk_circuits::export::solana::vk(vk).to_bytes()
}

/// `SolanaVk::sha256`: the `Config.vk_hash` of `vk`.
pub fn vk_sha256(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    x402_zk_circuits::export::solana::vk(vk).sha256()
}

/// The dev verifying key's bytes (what the harness initializes the config with).
pub fn dev_vk_bytes() -> Vec<u8> {
    vk_bytes(&dev_keys().1)
}

/// Keys from a small run of the real ceremony (`x402-zk ceremony …` through its CLI code): phase 1
/// at the smallest power the receipt circuit fits and phase 2, each with one public beacon (so the
/// key is the same on every machine), `finalize` (which verifies both phases and writes the key
/// files). The run takes a minute or two on two cores, so its output is cached under
/// `target/ceremony-test-keys/<circuit hash>-beacon/` (shared with the anchor-client tests).
pub struct CeremonyKeys {
    pub keys: x402_zk_circuits::ProvingKeys,
    /// `solana_vk.bin` as `finalize` wrote it.
    pub solana_vk: Vec<u8>,
    /// `solana_vk.sha256` as `finalize` wrote it (`0x…` and a newline).
    pub solana_vk_sha256: String,
}

pub fn ceremony_keys() -> &'static CeremonyKeys {
    static KEYS: OnceLock<CeremonyKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = x402_zk_ceremony::test_run::cached_ceremony_dir(
            &crate::repo_root().join("target/ceremony-test-keys"),
        )
        .expect("ceremony");
        let keys = x402_zk_circuits::ProvingKeys::load(&dir).expect("ceremony keys");
        let solana_vk = std::fs::read(dir.join("solana_vk.bin")).expect("solana_vk.bin");
        let solana_vk_sha256 =
            std::fs::read_to_string(dir.join("solana_vk.sha256")).expect("solana_vk.sha256");
        CeremonyKeys {
            keys,
            solana_vk,
            solana_vk_sha256,
        }
    })
}
