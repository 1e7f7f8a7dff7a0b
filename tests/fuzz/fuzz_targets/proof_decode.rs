//! libFuzzer entry point; the properties checked are in `tests/fuzz-cases/src/proof_decode.rs` (compiled and
//! seed-replayed by `cargo test --workspace`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = x402_zk_fuzz_cases::proof_decode::run(data);
});
