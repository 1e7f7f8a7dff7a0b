//! [`ProverBackend`] over the `x402-zk-circuits` crate (real Groth16 proofs).

use crate::backend::ProverBackend;
use crate::config::Config;
use std::sync::Arc;

/// Loads the keys named by `config` (or, with `--allow-dev-keys` and no key path, generates
/// insecure development keys) and returns the backend.
pub fn from_config(_config: &Config) -> anyhow::Result<Arc<dyn ProverBackend>> {
    anyhow::bail!("the circuits backend is not integrated yet")
}
