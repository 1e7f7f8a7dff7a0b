//! Ceremony end to end: phase 1 (3 participants + beacon), phase 2 (3 participants + beacon), proofs with the
//! final keys — on a toy circuit and on the real receipt circuit; and each kind of tampering detected with its
//! own error.
#[path = "../../tests/common.rs"]
mod common;

use ark_bn254::{Bn254, Fr};
use ark_ff::Field;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_relations::lc;
use ark_snark::SNARK;
use ark_std::rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use x402_zk_ceremony::beacon::participant_rng;
use x402_zk_ceremony::phase1::Phase1;
use x402_zk_ceremony::phase2::{Phase2, R1cs};
use x402_zk_ceremony::CeremonyError;
use x402_zk_circuits::{export, groth16, receipt::example_witness, Error, ReceiptCircuit};

/// Toy statement: knows x with x^(2^k) + x = y (public y).
#[derive(Clone)]
struct Toy {
    x: Option<Fr>,
    k: usize,
}

impl Toy {
    fn y(x: Fr, k: usize) -> Fr {
        let mut p = x;
        for _ in 0..k {
            p = p.square();
        }
        p + x
    }
}

impl ConstraintSynthesizer<Fr> for Toy {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let y = cs.new_input_variable(|| {
            self.x
                .map(|x| Toy::y(x, self.k))
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let x = cs.new_witness_variable(|| self.x.ok_or(SynthesisError::AssignmentMissing))?;
        let mut cur = x;
        let mut val = self.x;
        for _ in 0..self.k {
            val = val.map(|v| v.square());
            let next = cs.new_witness_variable(|| val.ok_or(SynthesisError::AssignmentMissing))?;
            cs.enforce_r1cs_constraint(|| lc!() + cur, || lc!() + cur, || lc!() + next)?;
            cur = next;
        }
        cs.enforce_r1cs_constraint(
            || lc!() + cur + x,
            || lc!() + ark_relations::gr1cs::Variable::One,
            || lc!() + y,
        )?;
        Ok(())
    }
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

const BEACON: &[u8] = b"\x01\x02\x03\x04drand-round-randomness";

fn phase1_done(power: u32) -> Phase1 {
    let mut p = Phase1::new(power).unwrap();
    for (i, name) in ["alice", "bob", "carol"].iter().enumerate() {
        p.contribute(name, &mut rng(i as u64));
    }
    p.beacon("beacon", BEACON, 4).unwrap();
    p
}

fn toy(k: usize) -> Toy {
    Toy { x: None, k }
}

#[test]
fn three_contributors_and_beacon_verify_and_prove() {
    let p1 = phase1_done(6);
    let report = p1.verify().expect("phase 1 verifies");
    assert_eq!(report.entries.len(), 4);
    assert_eq!(report.transcript_hash, p1.transcript_hash());
    // Round trip through the file encoding.
    let p1 = Phase1::from_bytes(&p1.to_bytes()).unwrap();
    p1.verify().unwrap();

    let mut p2 = Phase2::init(&p1, toy(20)).unwrap();
    p2.contribute("alice", &mut participant_rng("typed at random"));
    p2.contribute("bob", &mut rng(11));
    p2.contribute("carol", &mut rng(12));
    p2.beacon("beacon", BEACON, 4).unwrap();
    let p2 = Phase2::from_bytes(&p2.to_bytes()).unwrap();
    let report = p2.verify(&p1, toy(20)).expect("phase 2 verifies");
    assert_eq!(report.entries.len(), 4);

    let keys = p2.finalize();
    assert!(keys.provenance().starts_with("ceremony:"));
    let x = Fr::from(7u64);
    let proof = Groth16::<Bn254>::prove(&keys.pk, Toy { x: Some(x), k: 20 }, &mut rng(99)).unwrap();
    assert!(Groth16::<Bn254>::verify(&keys.pk.vk, &[Toy::y(x, 20)], &proof).unwrap());
    assert!(
        !Groth16::<Bn254>::verify(&keys.pk.vk, &[Toy::y(x, 20) + Fr::from(1u64)], &proof).unwrap()
    );
}

/// The done-when on the real statement: a phase 1 of the smallest power that fits the receipt circuit,
/// 3 contributors + beacon, phase 2 from the receipt circuit, 3 contributors + beacon, verify, finalize; then
/// the final keys prove a real receipt, and both arkworks and the exported groth16-solana key verify it.
/// The slowest test of the crate: ≈ 110 s of CPU in the dev profile (≈ 60–70 s wall on the 2-core CI machine
/// when nothing else runs), most of it phase-2 `init`; see circuits/BENCHMARKS-ceremony.md.
#[test]
fn receipt_circuit_ceremony_keys_prove_and_verify_receipts() {
    let t0 = std::time::Instant::now();
    let power = R1cs::synthesize(ReceiptCircuit::blank())
        .unwrap()
        .domain_power();
    // The smallest accumulator that fits: one power less is refused.
    let e = Phase2::init(&Phase1::new(power - 1).unwrap(), ReceiptCircuit::blank()).unwrap_err();
    assert!(
        matches!(e, CeremonyError::TooSmall { need, .. } if need == power),
        "{e}"
    );

    let p1 = phase1_done(power);
    let t_p1c = t0.elapsed();
    let p1 = Phase1::from_bytes(&p1.to_bytes()).unwrap();
    assert_eq!(p1.verify().expect("phase 1 verifies").entries.len(), 4);
    let t1 = t0.elapsed();

    let mut p2 = Phase2::init(&p1, ReceiptCircuit::blank()).unwrap();
    let t_init = t0.elapsed() - t1;
    p2.contribute("alice", &mut participant_rng("alice's keyboard"));
    p2.contribute("bob", &mut rng(21));
    p2.contribute("carol", &mut rng(22));
    p2.beacon("beacon", BEACON, 4).unwrap();
    let t_contrib = t0.elapsed() - t1 - t_init;
    let p2 = Phase2::from_bytes(&p2.to_bytes()).unwrap();
    let t_verify = t0.elapsed();
    let report = p2
        .verify(&p1, ReceiptCircuit::blank())
        .expect("phase 2 verifies");
    let t_verify = t0.elapsed() - t_verify;
    assert_eq!(report.entries.len(), 4);
    assert_eq!(report.transcript_hash, p2.transcript_hash());
    let keys = p2.finalize();
    assert_eq!(
        keys.provenance(),
        format!("ceremony:{}", hex::encode(p2.transcript_hash()))
    );
    let t2 = t0.elapsed();

    // A real receipt: prove with the ceremony's proving key, verify with its verifying key.
    let (_, w) = example_witness(11);
    let b = groth16::prove(&keys, &w, &mut common::rng()).expect("prove");
    groth16::verify(&keys.verifier, &w.public, &b.nullifier, &b.proof).expect("verify");
    let mut p = w.public;
    p.min_amount += 1;
    assert!(matches!(
        groth16::verify(&keys.verifier, &p, &b.nullifier, &b.proof),
        Err(Error::ProofRejected)
    ));
    // Key files written and read back keep the provenance and still verify.
    let dir = std::env::temp_dir().join(format!("x402-ceremony-keys-{}", std::process::id()));
    keys.save(&dir).unwrap();
    let loaded = groth16::ProvingKeys::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(loaded.provenance(), keys.provenance());
    groth16::verify(&loaded.verifier, &w.public, &b.nullifier, &b.proof).unwrap();

    // The exported groth16-solana key (what the program's set_verifying_key takes) accepts the proof and
    // rejects a wrong public input.
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
    let (a, bb, c) = export::solana::split_proof(&b.solana_proof_bytes());
    let inputs = [b.public_input_bytes()];
    groth16_solana::groth16::Groth16Verifier::new(&a, &bb, &c, &inputs, &gvk)
        .unwrap()
        .verify()
        .expect("groth16-solana accepts the proof");
    let mut bad = inputs;
    bad[0][31] ^= 1;
    assert!(
        groth16_solana::groth16::Groth16Verifier::new(&a, &bb, &c, &bad, &gvk)
            .unwrap()
            .verify()
            .is_err()
    );
    // The key bytes the program takes round-trip, and their hash is `SolanaVk::sha256`.
    let bytes = svk.to_bytes();
    assert_eq!(bytes.len(), 576);
    assert_eq!(export::solana::SolanaVk::from_bytes(&bytes).unwrap(), svk);
    assert_eq!(
        <[u8; 32]>::from(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        svk.sha256()
    );
    eprintln!(
        "receipt ceremony at 2^{power}: phase 1 {:.1} s (4 contributions {:.1}); phase 2 {:.1} s (init {:.1}, 4 contributions {:.1}, \
         verify {:.1}); prove + verify {:.1} s",
        t1.as_secs_f64(),
        t_p1c.as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        t_init.as_secs_f64(),
        t_contrib.as_secs_f64(),
        t_verify.as_secs_f64(),
        (t0.elapsed() - t2).as_secs_f64()
    );
}

#[test]
fn phase1_tampered_contribution_is_detected() {
    let mut p = phase1_done(4);
    // A forger replaces bob's head with a value of their choice and recomputes the hash chain.
    p.contributions[1].after.alpha_g1 = p.contributions[0].after.alpha_g1;
    p.rehash();
    let e = Phase1::from_bytes(&p.to_bytes())
        .unwrap()
        .verify()
        .unwrap_err();
    assert!(
        matches!(
            e,
            CeremonyError::BadUpdate {
                index: 2,
                which: "alpha",
                ..
            } | CeremonyError::BadUpdate { index: 3, .. }
        ),
        "{e}"
    );
}

#[test]
fn phase1_tampered_accumulator_is_detected() {
    let mut p = phase1_done(4);
    p.acc.tau_g1[5] = p.acc.tau_g1[6];
    let e = p.verify().unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("τⁱ·G1")),
        "{e}"
    );
}

#[test]
fn phase1_reordered_transcript_is_detected() {
    let mut p = phase1_done(4);
    p.contributions.swap(0, 1);
    let e = p.verify().unwrap_err();
    assert!(
        matches!(e, CeremonyError::ChainHash { index: 1, .. }),
        "{e}"
    );
    // Even with the chain recomputed, the proofs are bound to their position.
    p.rehash();
    let e = p.verify().unwrap_err();
    assert!(
        matches!(e, CeremonyError::ProofOfKnowledge { index: 1, .. }),
        "{e}"
    );
}

#[test]
fn phase1_forged_beacon_is_detected() {
    let mut p = phase1_done(4);
    let last = p.contributions.len() - 1;
    // Claim a different beacon value than the one used.
    p.contributions[last].origin = x402_zk_ceremony::transcript::Origin::Beacon {
        value: b"other".to_vec(),
        iterations_exp: 4,
    };
    p.rehash();
    let e = p.verify().unwrap_err();
    assert!(matches!(e, CeremonyError::Beacon { index: 4 }), "{e}");
}

#[test]
fn truncated_and_corrupted_files_are_detected() {
    let p = phase1_done(3);
    let bytes = p.to_bytes();
    for cut in [3, 20, bytes.len() / 2, bytes.len() - 1] {
        let e = Phase1::from_bytes(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(e, CeremonyError::Truncated(_) | CeremonyError::Checksum),
            "cut {cut}: {e}"
        );
    }
    let mut bad = bytes.clone();
    bad[100] ^= 1;
    assert!(matches!(
        Phase1::from_bytes(&bad).unwrap_err(),
        CeremonyError::Checksum
    ));
    assert!(matches!(
        Phase2::from_bytes(&bytes).unwrap_err(),
        CeremonyError::BadMagic { .. }
    ));

    // A file on disk written atomically, then cut short by a broken copy.
    let dir = std::env::temp_dir().join(format!("x402-ceremony-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p1.bin");
    p.save(&path).unwrap();
    assert_eq!(Phase1::load(&path).unwrap(), p);
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let e = Phase1::load(&path).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Checksum | CeremonyError::Truncated(_)),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn phase2_wrong_circuit_tampering_and_reordering_are_detected() {
    let p1 = phase1_done(5);
    let mut p2 = Phase2::init(&p1, toy(10)).unwrap();
    p2.contribute("alice", &mut rng(1));
    p2.contribute("bob", &mut rng(2));
    p2.verify(&p1, toy(10)).unwrap();

    // Wrong circuit.
    let e = p2.verify(&p1, toy(11)).unwrap_err();
    assert!(matches!(e, CeremonyError::CircuitMismatch { .. }), "{e}");

    // Wrong phase 1.
    // (phase1_done is deterministic: one more contribution makes a different transcript.)
    let mut other = phase1_done(5);
    other.contribute("mallory", &mut rng(99));
    let e = p2.verify(&other, toy(10)).unwrap_err();
    assert!(matches!(e, CeremonyError::Phase1Mismatch { .. }), "{e}");

    // Tampered L query (e.g. a participant who scales L but not δ).
    let mut t = p2.clone();
    t.pk.l_query[0] = t.pk.l_query[1];
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("L query")),
        "{e}"
    );

    // Tampered A query (circuit-only part).
    let mut t = p2.clone();
    t.pk.a_query.swap(1, 2);
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("A query")),
        "{e}"
    );

    // Tampered B (G1 and G2), IC and H: each caught by its own random-linear-combination check.
    let mut t = p2.clone();
    t.pk.b_g1_query[2] = t.pk.b_g1_query[3];
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("B query (G1)")),
        "{e}"
    );
    let mut t = p2.clone();
    t.pk.b_g2_query.swap(2, 3);
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("B query (G2)")),
        "{e}"
    );
    let mut t = p2.clone();
    t.pk.vk.gamma_abc_g1[1] = t.pk.vk.gamma_abc_g1[0];
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("IC")),
        "{e}"
    );
    let mut t = p2.clone();
    t.pk.h_query.swap(0, 1);
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("H query")),
        "{e}"
    );
    let mut t = p2.clone();
    t.pk.h_query.pop();
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Inconsistent(ref s) if s.contains("H query length")),
        "{e}"
    );

    // Tampered δ contribution: bob's recorded δ replaced, chain recomputed.
    let mut t = p2.clone();
    t.contributions[1].delta_after = t.contributions[0].delta_after;
    t.rehash();
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(
            e,
            CeremonyError::BadUpdate {
                index: 2,
                which: "delta",
                ..
            }
        ),
        "{e}"
    );

    // Reordered δ contributions.
    let mut t = p2.clone();
    t.contributions.swap(0, 1);
    let e = t.verify(&p1, toy(10)).unwrap_err();
    assert!(
        matches!(e, CeremonyError::ChainHash { index: 1, .. }),
        "{e}"
    );

    // Circuit larger than the accumulator.
    let e = Phase2::init(&phase1_done(2), toy(10)).unwrap_err();
    assert!(matches!(e, CeremonyError::TooSmall { .. }), "{e}");
}
