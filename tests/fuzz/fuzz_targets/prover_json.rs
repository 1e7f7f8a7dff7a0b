//! libFuzzer entry point; the properties checked are in `tests/fuzz-cases/src/prover_json.rs` (compiled and
//! seed-replayed by `cargo test --workspace`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = x402_zk_fuzz_cases::prover_json::run(data);
});
