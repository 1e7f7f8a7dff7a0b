//! Groth16 end to end: prove, verify, key files, groth16-solana host verification, negative cases.
mod common;

use x402_zk_circuits::{
    export,
    groth16::{self, ProvingKeys, VerifierKey},
    receipt::example_witness,
    Error,
};

#[test]
fn prove_verify_and_solana_export() {
    let keys = common::keys();
    let (_, w) = example_witness(11);
    let mut rng = common::rng();
    let b = groth16::prove(keys, &w, &mut rng).unwrap();
    groth16::verify(&keys.verifier, &w.public, &b.nullifier, &b.proof).unwrap();

    // Another resource, nullifier, time or merchant → rejected.
    let mut p = w.public;
    p.resource_hash += ark_bn254::Fr::from(1u64);
    assert!(matches!(
        groth16::verify(&keys.verifier, &p, &b.nullifier, &b.proof),
        Err(Error::ProofRejected)
    ));
    let mut p = w.public;
    p.now += 1;
    assert!(groth16::verify(&keys.verifier, &p, &b.nullifier, &b.proof).is_err());
    let mut p = w.public;
    p.pay_to[31] ^= 1;
    assert!(groth16::verify(&keys.verifier, &p, &b.nullifier, &b.proof).is_err());
    let other_nullifier = b.nullifier + ark_bn254::Fr::from(1u64);
    assert!(groth16::verify(&keys.verifier, &w.public, &other_nullifier, &b.proof).is_err());

    // Solana bytes roundtrip and groth16-solana (host build) accepts them.
    let bytes = b.solana_proof_bytes();
    assert_eq!(export::solana::proof_from_bytes(&bytes).unwrap(), b.proof);
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
    let (a, bb, c) = export::solana::split_proof(&bytes);
    let inputs = [b.public_input_bytes()];
    groth16_solana::groth16::Groth16Verifier::new(&a, &bb, &c, &inputs, &gvk)
        .unwrap()
        .verify()
        .unwrap();
    // A wrong public input is rejected by groth16-solana too.
    let mut bad = inputs;
    bad[0][31] ^= 1;
    assert!(
        groth16_solana::groth16::Groth16Verifier::new(&a, &bb, &c, &bad, &gvk)
            .unwrap()
            .verify()
            .is_err()
    );

    // Key files roundtrip.
    let dir = std::env::temp_dir().join(format!("x402zk-keys-{}", std::process::id()));
    keys.save(&dir).unwrap();
    let loaded = ProvingKeys::load(&dir).unwrap();
    assert_eq!(loaded.provenance(), "dev");
    let vk = VerifierKey::load(&dir.join(groth16::VK_FILE)).unwrap();
    groth16::verify(&vk, &w.public, &b.nullifier, &b.proof).unwrap();
    let b2 = groth16::prove(&loaded, &w, &mut rng).unwrap();
    groth16::verify(&vk, &w.public, &b2.nullifier, &b2.proof).unwrap();
    // Corrupt file → checksum error.
    let pk_path = dir.join(groth16::PK_FILE);
    let mut raw = std::fs::read(&pk_path).unwrap();
    let n = raw.len();
    raw[n - 5] ^= 1;
    std::fs::write(&pk_path, raw).unwrap();
    assert!(matches!(ProvingKeys::load(&dir), Err(Error::KeyFile(_))));
    let _ = std::fs::remove_dir_all(&dir);

    // The Solana export files: the key bytes the program takes and their SHA-256 (hex).
    let svk = export::solana::vk(&keys.verifier.vk);
    svk.write_files(&dir).unwrap();
    let bytes = std::fs::read(dir.join(export::solana::SOLANA_VK_FILE)).unwrap();
    assert_eq!(bytes, svk.to_bytes());
    assert_eq!(export::solana::SolanaVk::from_bytes(&bytes).unwrap(), svk);
    assert_eq!(
        std::fs::read_to_string(dir.join(export::solana::SOLANA_VK_SHA256_FILE)).unwrap(),
        format!("0x{}\n", hex::encode(svk.sha256()))
    );
    assert!(export::solana::SolanaVk::from_bytes(&bytes[..575]).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_witness_is_refused_before_proving() {
    let keys = common::keys();
    let (_, mut w) = example_witness(12);
    w.public.min_amount = w.amount + 1;
    let e = groth16::prove(keys, &w, &mut common::rng()).unwrap_err();
    assert!(matches!(e, Error::Unsatisfied(_)), "{e}");
    let (_, mut w) = example_witness(12);
    w.public.pay_to[0] ^= 1;
    assert!(matches!(
        groth16::prove(keys, &w, &mut common::rng()),
        Err(Error::BadSignature)
    ));
}
