//! [`ProverBackend`] over the `x402-zk-circuits` crate: real Groth16 proofs of the receipt statement.
//!
//! Keys are a directory written by `x402-zk keys …` (`receipt.pk`, `receipt.vk`). Keys whose
//! provenance is `"dev"` (an insecure local setup: whoever ran it can forge proofs) are refused
//! unless `--allow-dev-keys` is given; with that flag and no key directory, dev keys are generated
//! at start.
//!
//! Errors from the circuits crate are mapped to fixed messages: some of its variants quote inputs,
//! and nothing a request carries may reach a log line.

use crate::backend::{BackendError, BackendInfo, ProverBackend, StatementError};
use crate::config::Config;
use crate::model::{ProofInputs, ProofOutput};
use std::path::Path;
use std::sync::Arc;
use x402_zk_circuits::groth16::DEV_PROVENANCE;
use x402_zk_circuits::{Error as CircuitError, ProvingKeys, Witness};

/// Real prover with loaded keys.
pub struct CircuitsBackend {
    keys: ProvingKeys,
    info: BackendInfo,
}

impl CircuitsBackend {
    /// Wraps loaded keys.
    pub fn new(keys: ProvingKeys) -> Self {
        let info = BackendInfo {
            name: "x402-zk-circuits groth16/bn254".into(),
            dev_keys: keys.provenance() == DEV_PROVENANCE,
            vk_hash: Some(x402_zk_circuits::export::solana::vk(&keys.verifier.vk).sha256_hex()),
        };
        CircuitsBackend { keys, info }
    }

    /// **Insecure** development keys generated now (seconds of CPU).
    pub fn dev() -> anyhow::Result<Self> {
        let keys = ProvingKeys::dev_setup(&mut rand::rngs::OsRng)?;
        keys.prepare()?; // the fixed-base tables: built once here, not in the first request
        Ok(Self::new(keys))
    }

    /// Loads keys from `dir`; refuses dev keys unless `allow_dev_keys`.
    pub fn load(dir: &Path, allow_dev_keys: bool) -> anyhow::Result<Self> {
        let keys = ProvingKeys::load(dir)
            .map_err(|e| anyhow::anyhow!("loading keys from {}: {e}", dir.display()))?;
        if keys.provenance() == DEV_PROVENANCE && !allow_dev_keys {
            anyhow::bail!(
                "{} holds insecure dev keys (provenance \"dev\"); pass --allow-dev-keys for localnet/tests only",
                dir.display()
            );
        }
        // The fixed-base MSM tables (seconds of CPU): built at start, not in the first request.
        keys.prepare()
            .map_err(|e| anyhow::anyhow!("preparing the prover for {}: {e}", dir.display()))?;
        Ok(Self::new(keys))
    }

    /// The loaded keys (tests verify proofs with them).
    pub fn keys(&self) -> &ProvingKeys {
        &self.keys
    }
}

/// Builds the backend the binary serves with (see the module doc).
pub fn from_config(config: &Config) -> anyhow::Result<Arc<dyn ProverBackend>> {
    let backend = match (&config.keys_dir, config.allow_dev_keys) {
        (Some(dir), allow) => CircuitsBackend::load(dir, allow)?,
        (None, true) => {
            tracing::warn!(
                "generating INSECURE dev keys (--allow-dev-keys): never use in production"
            );
            CircuitsBackend::dev()?
        }
        (None, false) => anyhow::bail!(
            "no key directory: pass --keys-dir (KEYS_DIR), or --allow-dev-keys for localnet"
        ),
    };
    if backend.info.dev_keys {
        tracing::warn!("serving with INSECURE dev keys");
    }
    Ok(Arc::new(backend))
}

/// The circuits crate's witness for `inputs`.
pub fn witness(inputs: &ProofInputs) -> Witness {
    inputs.witness()
}

/// Fixed messages only: some circuits errors quote inputs.
fn map_check_error(e: CircuitError) -> StatementError {
    StatementError::from_circuit(&e).unwrap_or_else(|| {
        StatementError::Other("the witness does not satisfy the statement".into())
    })
}

impl ProverBackend for CircuitsBackend {
    fn check(&self, inputs: &ProofInputs) -> Result<(), StatementError> {
        witness(inputs).check().map_err(map_check_error)
    }

    fn prove(&self, inputs: &ProofInputs) -> Result<ProofOutput, BackendError> {
        let w = witness(inputs);
        let bundle = x402_zk_circuits::prove(&self.keys, &w, &mut rand::rngs::OsRng).map_err(
            |e| match e {
                CircuitError::BadSignature
                | CircuitError::ScalarNotCanonical
                | CircuitError::NotOnCurve { .. }
                | CircuitError::SmallOrderKey
                | CircuitError::Unsatisfied(_) => BackendError::Statement(map_check_error(e)),
                CircuitError::Synthesis(_) => {
                    BackendError::Internal("constraint synthesis failed".into())
                }
                _ => BackendError::Internal("proving failed".into()),
            },
        )?;
        Ok(ProofOutput::from(&bundle))
    }

    fn info(&self) -> BackendInfo {
        self.info.clone()
    }
}
