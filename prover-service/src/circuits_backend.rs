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
use crate::model::{FieldBytes, ProofInputs, ProofOutput};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use x402_zk_circuits::groth16::DEV_PROVENANCE;
use x402_zk_circuits::{
    Error as CircuitError, Fr, Point, ProvingKeys, PublicParams, Signature, Witness,
};

/// Real prover with loaded keys.
pub struct CircuitsBackend {
    keys: ProvingKeys,
    info: BackendInfo,
}

impl CircuitsBackend {
    /// Wraps loaded keys.
    pub fn new(keys: ProvingKeys) -> Self {
        let mut vk_bytes = Vec::new();
        let vk_id = ark_serialize::CanonicalSerialize::serialize_compressed(
            &keys.verifier.vk,
            &mut vk_bytes,
        )
        .ok()
        .map(|_| hex::encode(Sha256::digest(&vk_bytes)));
        let info = BackendInfo {
            name: "x402-zk-circuits groth16/bn254".into(),
            dev_keys: keys.provenance() == DEV_PROVENANCE,
            verifying_key_id: vk_id,
        };
        CircuitsBackend { keys, info }
    }

    /// **Insecure** development keys generated now (seconds of CPU).
    pub fn dev() -> anyhow::Result<Self> {
        let keys = ProvingKeys::dev_setup(&mut rand::rngs::OsRng)?;
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

fn fr(f: &FieldBytes) -> Fr {
    // FieldBytes is canonical (< r) by construction, so this never fails.
    x402_zk_circuits::fr_from_be_bytes_checked(&f.0, "field").expect("canonical field element")
}

/// The circuits crate's witness for `inputs`.
pub fn witness(inputs: &ProofInputs) -> Witness {
    Witness {
        public: PublicParams {
            attester: Point {
                x: fr(&inputs.attester_x),
                y: fr(&inputs.attester_y),
            },
            pay_to: inputs.pay_to,
            asset: inputs.asset,
            min_amount: inputs.min_amount,
            now: inputs.now,
            max_age: inputs.max_age,
            resource_hash: fr(&inputs.resource_hash),
            program_id: inputs.program_id,
        },
        secret: fr(&inputs.secret),
        amount: inputs.amount,
        paid_at: inputs.paid_at,
        signature: Signature {
            r8: Point {
                x: fr(&inputs.sig_r8x),
                y: fr(&inputs.sig_r8y),
            },
            s: fr(&inputs.sig_s),
        },
    }
}

fn map_check_error(e: CircuitError) -> StatementError {
    match e {
        CircuitError::BadSignature | CircuitError::ScalarNotCanonical => {
            StatementError::InvalidSignature
        }
        CircuitError::NotOnCurve { what } if what.contains("signature") => {
            StatementError::InvalidSignature
        }
        CircuitError::NotOnCurve { .. } => {
            StatementError::Other("attester key is not on the BabyJubJub curve".into())
        }
        CircuitError::SmallOrderKey => StatementError::Other("attester key has small order".into()),
        CircuitError::Unsatisfied(what) if what.starts_with("amount below") => {
            StatementError::AmountBelowMinimum
        }
        CircuitError::Unsatisfied(what) => StatementError::Other(what.to_string()),
        _ => StatementError::Other("the witness does not satisfy the statement".into()),
    }
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
        Ok(ProofOutput {
            solana_proof: bundle.solana_proof_bytes().to_vec(),
            public_input: FieldBytes(bundle.public_input_bytes()),
            nullifier: FieldBytes(bundle.nullifier_bytes()),
            snarkjs_proof: bundle.snarkjs_proof_json(),
        })
    }

    fn info(&self) -> BackendInfo {
        self.info.clone()
    }
}
