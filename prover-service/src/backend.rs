//! The seam between HTTP and cryptography: [`ProverBackend`].
//!
//! The HTTP layer only ever talks to this trait, so tests can mount the real app with a slow or
//! blocked backend (queue-full, shutdown) as well as with the real Groth16 prover
//! ([`crate::circuits_backend::CircuitsBackend`]).

use crate::model::{ProofInputs, ProofOutput};

/// Why a witness does not satisfy the statement (the wire module owns it: the WebAssembly prover
/// reports the same reasons).
pub use x402_zk_circuits::wire::StatementError;

/// A backend failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BackendError {
    /// The witness does not satisfy the statement.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// The prover failed for a reason that is not the client's fault.
    #[error("prover failure: {0}")]
    Internal(String),
}

/// Facts about the loaded keys, shown by `/ready` and `/health`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendInfo {
    /// Human-readable backend name.
    pub name: String,
    /// True when the proving key came from an insecure development setup.
    pub dev_keys: bool,
    /// `0x` + hex `SolanaVk::sha256` of the verifying key (the circuits crate's Solana export), if
    /// known: the value the program computes into `Config.vk_hash` for this key, so `/health` and the
    /// chain can be compared directly (the facilitator refuses service when they differ).
    pub vk_hash: Option<String>,
}

/// Something that checks and proves receipt statements.
///
/// `check` must be cheap (native arithmetic only, no proving): it runs on the async workers before
/// a request may take a proving slot, so invalid requests never consume prover time.
/// `prove` is CPU-heavy and blocking; the service only calls it on its bounded prover pool.
pub trait ProverBackend: Send + Sync + 'static {
    /// Native checks of the statement (signature, amount, time window).
    fn check(&self, inputs: &ProofInputs) -> Result<(), StatementError>;
    /// Produces the Groth16 proof. Blocking; may take hundreds of milliseconds.
    fn prove(&self, inputs: &ProofInputs) -> Result<ProofOutput, BackendError>;
    /// Whether keys are loaded and the backend can prove.
    fn is_ready(&self) -> bool {
        true
    }
    /// Facts about the keys.
    fn info(&self) -> BackendInfo;
}

/// Checks that do not need any cryptography, shared by every backend:
/// `amount ≥ minAmount`, `paidAt ≤ now`, `now − paidAt ≤ maxAge`.
pub fn check_plain(inputs: &ProofInputs) -> Result<(), StatementError> {
    if inputs.amount < inputs.min_amount {
        return Err(StatementError::AmountBelowMinimum);
    }
    if inputs.paid_at > inputs.now {
        return Err(StatementError::Other(
            "paidAt is later than now".to_string(),
        ));
    }
    if inputs.now - inputs.paid_at > inputs.max_age {
        return Err(StatementError::Other(
            "receipt is older than maxAge".to_string(),
        ));
    }
    Ok(())
}

/// Test helpers: backends that wrap another one to make it slow, blocked or failing on demand.
pub mod testing {
    use super::*;
    use std::sync::{Arc, Condvar, Mutex};

    /// A gate that `prove` waits on while closed. Counts entered proofs.
    #[derive(Default)]
    pub struct Gate {
        state: Mutex<(bool, usize)>,
        cv: Condvar,
    }

    impl Gate {
        /// A closed gate: proofs block until [`Gate::open`].
        pub fn closed() -> Arc<Self> {
            Arc::new(Gate::default())
        }
        /// Opens the gate: blocked and future proofs proceed.
        pub fn open(&self) {
            let mut g = self.state.lock().unwrap();
            g.0 = true;
            self.cv.notify_all();
        }
        /// How many `prove` calls have started.
        pub fn entered(&self) -> usize {
            self.state.lock().unwrap().1
        }
        fn pass(&self) {
            let mut g = self.state.lock().unwrap();
            g.1 += 1;
            while !g.0 {
                g = self.cv.wait(g).unwrap();
            }
        }
    }

    /// Wraps a backend; `prove` first waits at the gate.
    pub struct GatedBackend<B> {
        /// The wrapped backend.
        pub inner: B,
        /// The gate.
        pub gate: Arc<Gate>,
    }

    impl<B: ProverBackend> ProverBackend for GatedBackend<B> {
        fn check(&self, inputs: &ProofInputs) -> Result<(), StatementError> {
            self.inner.check(inputs)
        }
        fn prove(&self, inputs: &ProofInputs) -> Result<ProofOutput, BackendError> {
            self.gate.pass();
            self.inner.prove(inputs)
        }
        fn is_ready(&self) -> bool {
            self.inner.is_ready()
        }
        fn info(&self) -> BackendInfo {
            self.inner.info()
        }
    }

    /// A backend with no cryptography: checks only [`check_plain`] plus "signature S must not be 0",
    /// and returns a deterministic fake proof. For HTTP-layer tests only.
    pub struct FakeBackend;

    impl ProverBackend for FakeBackend {
        fn check(&self, inputs: &ProofInputs) -> Result<(), StatementError> {
            if inputs.sig_s.0 == [0u8; 32] {
                return Err(StatementError::InvalidSignature);
            }
            check_plain(inputs)
        }
        fn prove(&self, inputs: &ProofInputs) -> Result<ProofOutput, BackendError> {
            let key = inputs.cache_key();
            let mut proof = vec![0u8; 256];
            for (i, b) in proof.iter_mut().enumerate() {
                *b = key[i % 32] ^ (i as u8);
            }
            let mut ph = key;
            ph[0] = 0;
            Ok(ProofOutput {
                solana_proof: proof,
                public_input: crate::model::FieldBytes(ph),
                nullifier: inputs.secret,
                snarkjs_proof: serde_json::json!({"protocol": "groth16", "curve": "bn128"}),
            })
        }
        fn info(&self) -> BackendInfo {
            BackendInfo {
                name: "fake".into(),
                dev_keys: true,
                vk_hash: None,
            }
        }
    }
}
