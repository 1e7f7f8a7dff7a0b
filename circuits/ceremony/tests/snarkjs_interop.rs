//! Differential test against snarkjs: `snarkjs groth16 verify` must accept our exported vk, proof and public
//! input. Needs `npm ci` in circuits/js (scripts/setup.sh does it).
#[path = "../../tests/common.rs"]
mod common;

use std::path::PathBuf;
use std::process::Command;
use x402_zk_ceremony::phase2::R1cs;
use x402_zk_circuits::msm::prover::full_assignment;
use x402_zk_circuits::{export, groth16, receipt::example_witness, ReceiptCircuit};

fn snarkjs_cli() -> PathBuf {
    let js = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../js");
    let cli = js.join("node_modules/snarkjs/build/cli.cjs");
    assert!(
        cli.exists(),
        "snarkjs not installed: run `npm ci` in {} (scripts/setup.sh does this)",
        js.display()
    );
    cli
}

#[test]
fn snarkjs_accepts_our_proof() {
    let cli = snarkjs_cli();
    let keys = common::keys();
    let (_, w) = example_witness(21);
    let b = groth16::prove(keys, &w, &mut common::rng()).unwrap();
    let dir = std::env::temp_dir().join(format!("x402zk-snarkjs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, v: &serde_json::Value| {
        std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap()
    };
    write(
        "verification_key.json",
        &export::snarkjs::vk_json(&keys.verifier.vk),
    );
    write("proof.json", &b.snarkjs_proof_json());
    write("public.json", &b.snarkjs_public_json());
    let run = |public: &str| {
        Command::new("node")
            .arg(&cli)
            .args(["groth16", "verify"])
            .arg(dir.join("verification_key.json"))
            .arg(dir.join(public))
            .arg(dir.join("proof.json"))
            .output()
            .expect("node must be installed")
    };
    let out = run("public.json");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK"),
        "snarkjs said: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Tampered public input → snarkjs rejects.
    let wrong = b.pub_hash + ark_bn254::Fr::from(1u64);
    write(
        "public_bad.json",
        &serde_json::json!([x402_zk_circuits::field::fr_to_decimal(&wrong)]),
    );
    let out = run("public_bad.json");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("OK!"),
        "snarkjs accepted a wrong public input: {stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// snarkjs evaluates every constraint of our R1CS on our witness (iden3 `.r1cs` / `.wtns`): an independent
/// check of both files, which `scripts/bench-prove.sh` hands snarkjs to prove the same circuit.
#[test]
fn snarkjs_wtns_check_accepts_our_r1cs_and_witness() {
    let cli = snarkjs_cli();
    let r1cs = R1cs::synthesize(ReceiptCircuit::blank()).unwrap();
    let (_, w) = example_witness(22);
    let (num_instance, mut full) = full_assignment(ReceiptCircuit::new(&w)).unwrap();
    assert_eq!(num_instance, r1cs.num_instance);
    assert_eq!(full.len(), r1cs.num_instance + r1cs.num_witness);
    assert_eq!(full[1], w.pub_hash());

    let dir = std::env::temp_dir().join(format!("x402zk-iden3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r1cs_path = dir.join("receipt.r1cs");
    std::fs::write(
        &r1cs_path,
        export::iden3::r1cs_file(r1cs.num_instance, r1cs.num_witness, &r1cs.matrices),
    )
    .unwrap();
    let check = |name: &str, assignment: &[ark_bn254::Fr]| {
        let path = dir.join(name);
        std::fs::write(&path, export::iden3::wtns_file(assignment)).unwrap();
        let out = Command::new("node")
            .arg(&cli)
            .args(["wtns", "check"])
            .arg(&r1cs_path)
            .arg(&path)
            .output()
            .expect("node must be installed");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (ok, text) = check("receipt.wtns", &full);
    assert!(
        ok && text.contains("WITNESS IS CORRECT"),
        "snarkjs said: {text}"
    );
    assert!(
        text.contains(&format!("Constraints:    {}", r1cs.num_constraints)),
        "snarkjs read another constraint count: {text}"
    );
    // A wrong public input (pubHash) breaks the constraints that compute it.
    full[1] += ark_bn254::Fr::from(1u64);
    let (ok, text) = check("bad.wtns", &full);
    assert!(
        !ok && text.contains("WITNESS IS NOT CORRECT"),
        "snarkjs accepted a wrong witness: {text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
