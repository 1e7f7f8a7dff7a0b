//! Differential test against snarkjs: a `.ptau` made and contributed to by snarkjs (npm, `circuits/js/`) is
//! imported, extended with our own contribution, specialised to a circuit in phase 2, and the final keys prove
//! and verify. Needs `npm ci --prefix circuits/js`; without it the test says so and skips, unless
//! `X402_REQUIRE_SNARKJS=1` (CI) makes that a failure.

use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, Variable};
use ark_relations::lc;
use ark_snark::SNARK;
use ark_std::rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::{Path, PathBuf};
use std::process::Command;
use x402_zk_ceremony::phase1::Phase1;
use x402_zk_ceremony::phase2::Phase2;
use x402_zk_ceremony::{ptau, CeremonyError};

/// Knows x, z with x·z = y and x + z = s (public y, s).
#[derive(Clone)]
struct Pair(Option<(Fr, Fr)>);

impl ConstraintSynthesizer<Fr> for Pair {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let m = || SynthesisError::AssignmentMissing;
        let y = cs.new_input_variable(|| self.0.map(|(x, z)| x * z).ok_or_else(m))?;
        let s = cs.new_input_variable(|| self.0.map(|(x, z)| x + z).ok_or_else(m))?;
        let x = cs.new_witness_variable(|| self.0.map(|v| v.0).ok_or_else(m))?;
        let z = cs.new_witness_variable(|| self.0.map(|v| v.1).ok_or_else(m))?;
        cs.enforce_r1cs_constraint(|| lc!() + x, || lc!() + z, || lc!() + y)?;
        cs.enforce_r1cs_constraint(|| lc!() + x + z, || lc!() + Variable::One, || lc!() + s)?;
        Ok(())
    }
}

fn snarkjs() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../js/node_modules/snarkjs/build/cli.cjs");
    if p.exists() {
        return Some(p);
    }
    let msg =
        "snarkjs not installed: run `npm ci --prefix circuits/js` to enable the .ptau import test";
    if std::env::var("X402_REQUIRE_SNARKJS").is_ok_and(|v| v == "1") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

fn run(cli: &Path, args: &[&str], dir: &Path) {
    let out = Command::new("node")
        .arg(cli)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "snarkjs {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn snarkjs_ptau_import_then_phase2_proves() {
    let Some(cli) = snarkjs() else { return };
    let dir = std::env::temp_dir().join(format!("x402-ptau-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    run(
        &cli,
        &["powersoftau", "new", "bn128", "5", "pot_0.ptau"],
        &dir,
    );
    run(
        &cli,
        &[
            "powersoftau",
            "contribute",
            "pot_0.ptau",
            "pot_1.ptau",
            "--name=first",
            "-e=some entropy",
        ],
        &dir,
    );
    run(
        &cli,
        &[
            "powersoftau",
            "beacon",
            "pot_1.ptau",
            "pot_2.ptau",
            "0102030405060708090a",
            "10",
            "-n=beacon",
        ],
        &dir,
    );
    let data = std::fs::read(dir.join("pot_2.ptau")).unwrap();

    // Import the whole file and a truncated power.
    let (acc, header, hash) = ptau::import(&data, None).expect("import");
    assert_eq!((header.power, acc.power), (5, 5));
    let (small, _, _) = ptau::import(&data, Some(3)).expect("import truncated");
    assert_eq!(small.tau_g1[..15], acc.tau_g1[..15]);

    // Extend with our own contribution and a beacon, then phase 2.
    let mut p1 = Phase1::from_imported(acc, hash, header.power);
    p1.contribute("after import", &mut ChaCha20Rng::seed_from_u64(1));
    p1.beacon("beacon", b"drand", 3).unwrap();
    let p1 = Phase1::from_bytes(&p1.to_bytes()).unwrap();
    p1.verify().expect("imported transcript verifies");

    let mut p2 = Phase2::init(&p1, Pair(None)).unwrap();
    p2.contribute("alice", &mut ChaCha20Rng::seed_from_u64(2));
    p2.verify(&p1, Pair(None)).unwrap();
    let keys = p2.finalize();
    let (x, z) = (Fr::from(3u64), Fr::from(11u64));
    let proof = Groth16::<Bn254>::prove(
        &keys.pk,
        Pair(Some((x, z))),
        &mut ChaCha20Rng::seed_from_u64(3),
    )
    .unwrap();
    assert!(Groth16::<Bn254>::verify(&keys.pk.vk, &[x * z, x + z], &proof).unwrap());

    // Corrupted .ptau: one tauG1 point replaced by another valid point → inconsistent powers.
    let mut bad = data.clone();
    let sec2 = find_section(&bad, 2);
    let (a, b) = (sec2 + 64 * 3, sec2 + 64 * 4);
    let p4 = bad[b..b + 64].to_vec();
    bad[a..a + 64].copy_from_slice(&p4);
    let e = ptau::import(&bad, None).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Ptau(ref s) if s.contains("not consistent")),
        "{e}"
    );
    // Truncated .ptau.
    let e = ptau::import(&data[..data.len() / 2], None).unwrap_err();
    assert!(
        matches!(e, CeremonyError::Ptau(ref s) if s.contains("truncated")),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Byte offset of a section's data.
fn find_section(data: &[u8], ty: u32) -> usize {
    let n = u32::from_le_bytes(data[8..12].try_into().unwrap());
    let mut pos = 12;
    for _ in 0..n {
        let t = u32::from_le_bytes(data[pos..pos + 4].try_into().unwrap());
        let size = u64::from_le_bytes(data[pos + 4..pos + 12].try_into().unwrap()) as usize;
        if t == ty {
            return pos + 12;
        }
        pos += 12 + size;
    }
    panic!("no section {ty}");
}
