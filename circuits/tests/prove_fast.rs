//! The prepared prover (`groth16::prove`: cached matrices, fixed-base MSM tables, issue #17; and
//! `groth16::prove_without_tables`, the WebAssembly prover's path, issue #16) against
//! `ark-groth16`'s own prover: for the same RNG seed the proofs must be byte-identical, and they must
//! verify with the unchanged verifying key (arkworks and groth16-solana's verifier).
mod common;

use ark_serialize::CanonicalSerialize;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use x402_zk_circuits::{export, groth16, receipt::example_witness, Error};

fn bytes(p: &ark_groth16::Proof<ark_bn254::Bn254>) -> Vec<u8> {
    let mut v = Vec::new();
    p.serialize_uncompressed(&mut v).unwrap();
    v
}

#[test]
fn byte_identical_to_ark_groth16_for_fixed_seeds() {
    let keys = common::keys();
    for (witness_seed, rng_seed) in [(1u64, 7u64), (2, 8), (33, 0xfeed)] {
        let (_, w) = example_witness(witness_seed);
        let fast = groth16::prove(keys, &w, &mut StdRng::seed_from_u64(rng_seed)).unwrap();
        let reference =
            groth16::prove_reference(keys, &w, &mut StdRng::seed_from_u64(rng_seed)).unwrap();
        assert_eq!(bytes(&fast.proof), bytes(&reference.proof));
        assert_eq!(fast, reference);
        // The table-free path (the WebAssembly prover's) gives the same bytes.
        let no_tables =
            groth16::prove_without_tables(keys, &w, &mut StdRng::seed_from_u64(rng_seed)).unwrap();
        assert_eq!(bytes(&no_tables.proof), bytes(&reference.proof));
        assert_eq!(no_tables, reference);
        // A different seed gives a different (re-randomised) proof of the same statement.
        let other = groth16::prove(keys, &w, &mut StdRng::seed_from_u64(rng_seed + 1)).unwrap();
        assert_ne!(bytes(&other.proof), bytes(&fast.proof));
        groth16::verify(&keys.verifier, &w.public, &other.nullifier, &other.proof).unwrap();
    }
}

#[test]
fn fast_proofs_verify_with_arkworks_and_groth16_solana() {
    let keys = common::keys();
    let (_, w) = example_witness(5);
    let b = groth16::prove(keys, &w, &mut common::rng()).unwrap();
    groth16::verify(&keys.verifier, &w.public, &b.nullifier, &b.proof).unwrap();
    let svk = export::solana::vk(&keys.verifier.vk);
    let gvk = groth16_solana::groth16::Groth16Verifyingkey {
        nr_pubinputs: svk.nr_pubinputs,
        vk_alpha_g1: svk.vk_alpha_g1,
        vk_beta_g2: svk.vk_beta_g2,
        vk_gamma_g2: svk.vk_gamma_g2,
        vk_delta_g2: svk.vk_delta_g2,
        vk_ic: &svk.vk_ic,
        vk_commitment: None,
    };
    let bytes = b.solana_proof_bytes();
    let (a, bb, c) = export::solana::split_proof(&bytes);
    let inputs = [b.public_input_bytes()];
    groth16_solana::groth16::Groth16Verifier::new(&a, &bb, &c, &inputs, &gvk)
        .unwrap()
        .verify()
        .unwrap();
    let mut bad = inputs;
    bad[0][31] ^= 1;
    assert!(
        groth16_solana::groth16::Groth16Verifier::new(&a, &bb, &c, &bad, &gvk)
            .unwrap()
            .verify()
            .is_err()
    );
}

/// A proving key whose queries do not fit the circuit is refused by name, not turned into a bad proof.
#[test]
fn key_of_the_wrong_shape_is_refused() {
    let good = common::keys();
    let mut pk = good.pk.clone();
    pk.h_query.pop();
    let keys = groth16::ProvingKeys::new(pk, good.verifier.clone());
    let (_, w) = example_witness(3);
    match groth16::prove(&keys, &w, &mut common::rng()) {
        Err(Error::KeyFile(m)) => assert!(m.contains("h_query"), "{m}"),
        other => panic!("expected a key error, got {other:?}"),
    }
    match groth16::prove_without_tables(&keys, &w, &mut common::rng()) {
        Err(Error::KeyFile(m)) => assert!(m.contains("h_query"), "{m}"),
        other => panic!("expected a key error, got {other:?}"),
    }
    assert!(keys.prepare().is_err());
    assert!(good.prepare().is_ok());
    let prepared = good.prepared().unwrap();
    // Five tables of ≈ 6.5k–8.2k points × 20 windows: tens of MB, bounded well under the 256 MB budget.
    assert!(prepared.table_bytes() < 128 << 20, "{prepared:?}");
    assert!(prepared.has_tables());
    let light = good.prepared_without_tables().unwrap();
    assert!(!light.has_tables() && light.table_bytes() == 0);
}
