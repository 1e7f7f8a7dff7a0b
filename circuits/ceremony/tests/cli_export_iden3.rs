//! `x402-zk export-iden3` as a user runs it: a bad request is a clear error that writes nothing; a good one
//! writes `receipt.r1cs` and `receipt.wtns`.

use std::path::{Path, PathBuf};
use std::process::Command;
use x402_zk_circuits::json::ProofRequestJson;
use x402_zk_circuits::receipt::example_witness;

/// The BN254 scalar field modulus r: a `secret` equal to it must be refused, never reduced to 0.
const R: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("x402zk-cli-iden3-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs export-iden3 on `request` (written to a file); returns (success, stderr, output directory).
fn export(name: &str, request: &str) -> (bool, String, PathBuf) {
    let dir = scratch(name);
    let input = dir.join("request.json");
    std::fs::write(&input, request).unwrap();
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_x402-zk"))
        .args(["export-iden3", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run x402-zk");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
        out,
    )
}

fn good_request() -> serde_json::Value {
    serde_json::to_value(ProofRequestJson::from(&example_witness(3).1)).unwrap()
}

fn assert_refused(name: &str, request: &str, says: &str) {
    let (ok, stderr, out) = export(name, request);
    assert!(!ok, "{name}: accepted; stderr: {stderr}");
    assert!(
        stderr.contains(says),
        "{name}: the error does not say {says:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{name}: panicked: {stderr}");
    assert!(
        !out.exists(),
        "{name}: wrote {} although the request was refused",
        out.display()
    );
}

#[test]
fn bad_requests_are_clear_errors_and_write_nothing() {
    assert_refused("not-json", "{not json", "malformed proof request JSON");
    assert_refused("wrong-shape", "{}", "malformed proof request JSON");

    let mut at_modulus = good_request();
    at_modulus["secret"] = R.into();
    assert_refused("secret-at-modulus", &at_modulus.to_string(), "secret");

    // Well-formed, but the statement does not hold (the attester signed another amount).
    let mut forged = good_request();
    let signed: u64 = match &forged["amount"] {
        serde_json::Value::Number(n) => n.as_u64().unwrap(),
        serde_json::Value::String(s) => s.parse().unwrap(),
        other => panic!("amount is neither a number nor a string: {other}"),
    };
    forged["amount"] = (signed + 1).to_string().into();
    assert_refused(
        "forged-amount",
        &forged.to_string(),
        "signature does not verify",
    );
}

#[test]
fn a_good_request_writes_both_files() {
    let (ok, stderr, out) = export("good", &good_request().to_string());
    assert!(ok, "refused a good request: {stderr}");
    for (file, magic) in [("receipt.r1cs", b"r1cs"), ("receipt.wtns", b"wtns")] {
        let bytes = std::fs::read(Path::new(&out).join(file)).unwrap();
        assert_eq!(
            &bytes[..4],
            magic,
            "{file} does not start with the iden3 magic"
        );
    }
}
