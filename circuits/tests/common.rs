//! Shared test fixture: one dev key set per test binary (setup takes a few seconds).
#![allow(dead_code)]
use std::sync::OnceLock;
use x402_zk_circuits::groth16::ProvingKeys;

pub fn keys() -> &'static ProvingKeys {
    static KEYS: OnceLock<ProvingKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        use ark_std::rand::{rngs::StdRng, SeedableRng};
        // Deterministic dev keys for tests only.
        let mut rng = StdRng::seed_from_u64(0xdead);
        ProvingKeys::dev_setup(&mut rng).expect("setup")
    })
}

pub fn rng() -> ark_std::rand::rngs::StdRng {
    use ark_std::rand::SeedableRng;
    ark_std::rand::rngs::StdRng::seed_from_u64(42)
}
