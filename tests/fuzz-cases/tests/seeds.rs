//! Replays every committed seed of `tests/fuzz/seeds/` through its target (what
//! `scripts/fuzz.sh replay` does under libFuzzer, here in every `cargo test`), and checks that the
//! valid seeds still decode as what they are named after: a layout change that the corpus did not
//! follow shows up here (regenerate with `python3 tests/fuzz/make-seeds.py`).

use std::collections::BTreeSet;
use std::path::Path;
use x402_zk_fuzz_cases::{Outcome, TARGETS};

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{target}: no seeds");
    out
}

/// What a seed must reach, from its name (`None`: anything but a panic): `Some(None)` refused,
/// `Some(Some(kind))` decoded as `kind`.
fn expected(target: &str, name: &str) -> Option<Option<String>> {
    let refused = ["truncated", "forged-len", "not-bool", "short"];
    if refused.iter().any(|s| name.ends_with(s)) {
        return Some(None);
    }
    let kind = match (target, name) {
        ("program_ix", "proof-buffer-account") => "proof_buffer",
        ("program_ix", n) => n.split('-').next().unwrap(),
        ("proof_decode", "generators") => "proof",
        ("prover_json", "request" | "request-hex-forms" | "request-lower-case-signature") => {
            "request"
        }
        ("prover_json", "response") => "response",
        ("facilitator_json", "verify") => "request",
        ("facilitator_json", "payload") => "payload",
        _ => return None,
    };
    Some(Some(kind.to_string()))
}

#[test]
fn every_seed_replays_and_the_valid_ones_decode() {
    for (target, run) in TARGETS {
        for (name, bytes) in seeds(target) {
            let got = match run(&bytes) {
                Outcome::Decoded(kind) => Some(kind.to_string()),
                Outcome::Refused => None,
            };
            if let Some(want) = expected(target, &name) {
                assert_eq!(got, want, "{target}/{name}");
            }
        }
    }
}

#[test]
fn every_instruction_has_a_seed() {
    let have: BTreeSet<String> = seeds("program_ix")
        .iter()
        .filter_map(|(_, b)| match x402_zk_fuzz_cases::program_ix::run(b) {
            Outcome::Decoded(n) => Some(n.to_string()),
            Outcome::Refused => None,
        })
        .collect();
    for ix in x402_zk_fuzz_cases::program_ix::INSTRUCTIONS {
        assert!(have.contains(*ix), "no seed decodes as {ix}");
    }
}

/// The target dispatches every instruction the program has: its IDL (written by `anchor build`,
/// which scripts/test.sh runs before the cargo tests) lists the same names.
#[test]
fn the_target_knows_every_instruction_of_the_idl() {
    let idl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/idl/x402_zk_verifier.json");
    let Ok(text) = std::fs::read_to_string(&idl) else {
        eprintln!(
            "{} missing (no anchor build yet): not compared",
            idl.display()
        );
        return;
    };
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let idl_names: BTreeSet<&str> = doc["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let ours: BTreeSet<&str> = x402_zk_fuzz_cases::program_ix::INSTRUCTIONS
        .iter()
        .copied()
        .collect();
    assert_eq!(ours, idl_names, "program_ix dispatch vs the program's IDL");
}
