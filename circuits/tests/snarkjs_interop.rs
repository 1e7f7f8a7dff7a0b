//! Differential test against snarkjs: `snarkjs groth16 verify` must accept our exported vk, proof and public
//! input. Needs `npm ci` in circuits/js (scripts/setup.sh does it).
mod common;

use std::path::PathBuf;
use std::process::Command;
use x402_zk_circuits::{export, groth16, receipt::example_witness};

fn snarkjs_cli() -> PathBuf {
    let js = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js");
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
