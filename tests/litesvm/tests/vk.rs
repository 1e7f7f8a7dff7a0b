//! Production keys as data (issue 15 part 2): the program has no key compiled in; the authority
//! writes one (the ceremony's Solana export bytes) and `Config.vk_hash` is its SHA-256, computed on
//! chain.
//!
//! - a key from a small run of the real ceremony, written with `set_verifying_key`, verifies a
//!   proof from the ceremony's proving key; a dev-key proof is then refused (`InvalidProof`);
//! - only the authority may write a key; malformed keys are refused (`VerifyingKeyInvalid`);
//! - the committed dev key files (`keys/dev/`, what `migrations/deploy.ts` writes on localnet and
//!   refuses elsewhere) are the deterministic dev setup's export (`UPDATE_DEV_KEYS=1` rewrites them).
use x402_zk_litesvm_tests::proofs::{
    attester_bytes, ceremony_keys, dev_attester, dev_keys, dev_vk_bytes, vk_sha256,
};
use x402_zk_litesvm_tests::{
    fixture, fixture_with_key, idl_program_id, merchant, record_cu, repo_root, Harness, Keypair,
    Outcome, Signer, TEST_NOW, VK_ACCOUNT_SPACE,
};

fn expect_err(out: &Outcome, code: &str) {
    assert!(
        out.logs.iter().all(|l| !l.contains("panicked")),
        "panic: {:#?}",
        out.logs
    );
    assert!(!out.ok, "expected {code}, got success: {:#?}", out.logs);
    assert_eq!(out.error_code().as_deref(), Some(code), "{:#?}", out.logs);
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `keys/dev/solana_vk.bin` and `.sha256` are the Solana export of the deterministic dev setup,
/// and `keys/dev/attester.json` the dev attester's public key (both refused off localnet by
/// `migrations/deploy.ts`).
#[test]
fn committed_dev_key_files_match_a_fresh_export() {
    let dir = repo_root().join("keys/dev");
    let svk = x402_zk_circuits::export::solana::vk(&dev_keys().1);
    let p = dev_attester().public();
    let attester = format!(
        "{{\n  \"x\": \"0x{}\",\n  \"y\": \"0x{}\",\n  \"provenance\": \"dev\"\n}}\n",
        hex(&x402_zk_litesvm_tests::proofs::fr_be(&p.x)),
        hex(&x402_zk_litesvm_tests::proofs::fr_be(&p.y)),
    );
    if std::env::var_os("UPDATE_DEV_KEYS").is_some() {
        svk.write_files(&dir).expect("write dev key files");
        std::fs::write(dir.join("attester.json"), &attester).expect("write attester");
    }
    let stale = "is stale: run UPDATE_DEV_KEYS=1 cargo test --test vk (tests/litesvm)";
    assert_eq!(
        std::fs::read(dir.join("solana_vk.bin")).unwrap_or_default(),
        svk.to_bytes(),
        "keys/dev/solana_vk.bin {stale}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("solana_vk.sha256")).unwrap_or_default(),
        format!("{}\n", svk.sha256_hex()),
        "keys/dev/solana_vk.sha256 {stale}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("attester.json")).unwrap_or_default(),
        attester,
        "keys/dev/attester.json {stale}"
    );
}

#[test]
fn initialize_config_writes_the_key_and_its_hash() {
    let h = Harness::with_config(60);
    let key = dev_vk_bytes();
    let acc = h.svm.get_account(&h.vk_pda()).expect("vk account");
    assert_eq!(acc.owner, h.program_id);
    assert_eq!(acc.data.len(), VK_ACCOUNT_SPACE);
    assert_eq!(&acc.data[41..], &key[..], "the key bytes as given");
    assert_eq!(h.config_vk_hash(), vk_sha256(&dev_keys().1));
    assert_eq!(&acc.data[9..41], &h.config_vk_hash(), "stored hash");
    let config = h.svm.get_account(&h.config_pda()).expect("config");
    // Rent a deployment locks in these two accounts (the validator figures go to the README).
    println!(
        "rent: config {} bytes {} lamports, vk account {} bytes {} lamports",
        config.data.len(),
        config.lamports,
        acc.data.len(),
        acc.lamports
    );
    assert_eq!(
        acc.lamports,
        h.svm.minimum_balance_for_rent_exemption(VK_ACCOUNT_SPACE)
    );
}

/// The done-when: a key made by the ceremony verifies through the same program binary; a
/// dev-key proof is refused there.
#[test]
fn ceremony_key_written_with_set_verifying_key_verifies_its_proofs_and_refuses_dev_proofs() {
    let ck = ceremony_keys();
    let vk = &ck.keys.verifier.vk;
    // What `finalize` wrote is the export of its own key, and the file hash is SolanaVk::sha256.
    let svk = x402_zk_circuits::export::solana::vk(vk);
    assert_eq!(ck.solana_vk, svk.to_bytes());
    assert_eq!(ck.solana_vk_sha256, format!("{}\n", svk.sha256_hex()));
    assert!(ck.keys.provenance().starts_with("ceremony:"));

    let mut h = Harness::with_config(60);
    let dev_hash = h.config_vk_hash();
    let out = h.set_verifying_key(&ck.solana_vk, None);
    assert!(out.ok, "set_verifying_key: {:#?}", out.logs);
    record_cu("set_verifying_key", out.cu);
    assert_eq!(h.config_vk_hash(), svk.sha256(), "computed on chain");
    assert_ne!(h.config_vk_hash(), dev_hash);
    assert!(out.has_log("Program data: "), "VerifyingKeySet emitted");

    let program = idl_program_id().to_bytes();
    let resource = b"GET https://example.com/weather";
    let cf = fixture_with_key(
        &ck.keys.pk,
        vk,
        41,
        program,
        merchant().to_bytes(),
        TEST_NOW as u64,
        resource,
    );
    let dev = fixture(42);
    expect_err(&h.verify_payment(&dev), "InvalidProof");
    expect_err(&h.check_batch(std::slice::from_ref(&dev)), "InvalidProof");
    let out = h.check_batch(std::slice::from_ref(&cf));
    assert!(out.ok, "check_batch with the ceremony key: {:#?}", out.logs);
    let out = h.verify_payment(&cf);
    assert!(out.ok, "ceremony proof: {:#?}", out.logs);
    record_cu("verify_payment (ceremony key)", out.cu);

    // Back to the dev key: dev proofs pass again, the ceremony's no longer.
    let out = h.set_verifying_key(&dev_vk_bytes(), None);
    assert!(out.ok, "{:#?}", out.logs);
    assert_eq!(h.config_vk_hash(), dev_hash);
    let cf2 = fixture_with_key(
        &ck.keys.pk,
        vk,
        43,
        program,
        merchant().to_bytes(),
        TEST_NOW as u64,
        resource,
    );
    expect_err(&h.verify_payment(&cf2), "InvalidProof");
    assert!(h.verify_payment(&dev).ok);
}

#[test]
fn set_verifying_key_is_authority_only() {
    let mut h = Harness::with_config(60);
    let before = h.config_vk_hash();
    let intruder = Keypair::new();
    h.fund(&intruder.pubkey());
    let key = ceremony_or_dev_key();
    expect_err(&h.set_verifying_key(&key, Some(&intruder)), "Unauthorized");
    assert_eq!(h.config_vk_hash(), before);
}

/// Any valid key other than the dev key (the ceremony's when its cache is warm would also do; a
/// second deterministic dev setup is cheaper and needs no cache).
fn ceremony_or_dev_key() -> Vec<u8> {
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    let keys =
        x402_zk_circuits::ProvingKeys::dev_setup(&mut StdRng::seed_from_u64(7)).expect("setup");
    x402_zk_circuits::export::solana::vk(&keys.verifier.vk).to_bytes()
}

#[test]
fn malformed_keys_are_refused_with_a_typed_error() {
    use ark_bn254::{Fq, Fq2, G2Affine};
    use ark_ff::{Field, One};
    let mut h = Harness::with_config(60);
    let before = h.config_vk_hash();
    let good = dev_vk_bytes();
    let p_be: [u8; 32] = [
        0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58,
        0x5d, 0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c,
        0xfd, 0x47,
    ];
    let with = |range: std::ops::Range<usize>, bytes: &[u8]| {
        let mut k = good.clone();
        k[range].copy_from_slice(bytes);
        k
    };
    // A G2 point on the curve but outside the r-torsion subgroup (the twist has a large cofactor):
    // y² = x³ + b' for the first x that has a root.
    let b2 = <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B;
    let mut x = Fq2::new(Fq::one(), Fq::one());
    let off_subgroup = loop {
        if let Some(y) = (x * x * x + b2).sqrt() {
            let p = G2Affine::new_unchecked(x, y);
            if p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve() {
                break p;
            }
        }
        x += Fq2::one();
    };
    // The key argument is a `[u8; 576]`: shorter data does not deserialize (Anchor's typed
    // `InstructionDidNotDeserialize`), never a heap-exhausting length prefix.
    for short in [&good[..0], &good[..575]] {
        expect_err(
            &h.set_verifying_key(short, None),
            "InstructionDidNotDeserialize",
        );
    }
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "random bytes",
            (0..576u32).map(|i| (i * 37 % 251) as u8).collect(),
        ),
        ("α.x = p", with(0..32, &p_be)),
        ("β.x.c1 ≥ p (flag bits)", {
            let mut k = good.clone();
            k[64] |= 0x80;
            k
        }),
        ("α the identity", with(0..64, &[0u8; 64])),
        ("δ the identity", with(320..448, &[0u8; 128])),
        ("α off the curve", {
            let mut k = good.clone();
            k[63] ^= 1;
            k
        }),
        ("IC₁ off the curve", {
            let mut k = good.clone();
            k[575] ^= 1;
            k
        }),
        ("γ off the curve", {
            let mut k = good.clone();
            k[319] ^= 1;
            k
        }),
        (
            "δ on the curve, not in the subgroup",
            with(
                320..448,
                &x402_zk_circuits::export::solana::g2_bytes(&off_subgroup),
            ),
        ),
    ];
    for (what, key) in cases {
        let out = h.set_verifying_key(&key, None);
        println!("{what}: {:?}", out.error_code());
        expect_err(&out, "VerifyingKeyInvalid");
    }
    assert_eq!(h.config_vk_hash(), before, "nothing changed");
    // initialize_config refuses a malformed key the same way (and creates nothing).
    let mut h = Harness::new();
    let pd = h.program_data();
    let out = h.initialize_config_keyed(
        None,
        pd,
        attester_bytes(&dev_attester()),
        60,
        3_600,
        &with(448..512, &[0u8; 64]),
    );
    expect_err(&out, "VerifyingKeyInvalid");
    assert!(h.svm.get_account(&h.config_pda()).is_none());
    assert!(h.svm.get_account(&h.vk_pda()).is_none());
}
