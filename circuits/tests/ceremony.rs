//! Ceremony end to end: phase 1 (3 participants + beacon), phase 2 (3 participants + beacon), proofs with the
//! final keys; and each kind of tampering detected with its own error.

use ark_bn254::{Bn254, Fr};
use ark_ff::Field;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_relations::lc;
use ark_snark::SNARK;
use ark_std::rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use x402_zk_circuits::ceremony::beacon::participant_rng;
use x402_zk_circuits::ceremony::phase1::Phase1;
use x402_zk_circuits::ceremony::phase2::Phase2;
use x402_zk_circuits::ceremony::CeremonyError;

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
    p.contributions[last].origin = x402_zk_circuits::ceremony::transcript::Origin::Beacon {
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
