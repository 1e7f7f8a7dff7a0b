//! What each cargo-fuzz target checks, for any input bytes (issue #19). The libFuzzer binaries of
//! `tests/fuzz/` call these functions; `tests/seeds.rs` replays the committed seed corpora through
//! them under `cargo test`, so a change to the program or the services that breaks a target fails CI.
//!
//! Every function panics (the fuzzer's finding) only when a property fails: decoding never panics,
//! what decodes re-encodes to the same bytes, and two decoders of one layout agree.

pub mod facilitator_json;
pub mod program_ix;
pub mod proof_decode;
pub mod prover_json;

/// A target's check of one input.
pub type Check = fn(&[u8]) -> Outcome;

/// The targets, by the name of their binary and seed directory.
pub const TARGETS: [(&str, Check); 4] = [
    ("proof_decode", proof_decode::run),
    ("prover_json", prover_json::run),
    ("facilitator_json", facilitator_json::run),
    ("program_ix", program_ix::run),
];

/// What an input reached, for the seed replay to check that the valid seeds still decode (a seed
/// that no longer does means the layout changed and the corpus needs `tests/fuzz/make-seeds.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Decoded as this kind (an instruction name, `request`, `proof`, …).
    Decoded(&'static str),
    /// Refused with a typed error.
    Refused,
}
