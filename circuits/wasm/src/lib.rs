//! # x402-zk receipt prover for clients (WebAssembly)
//!
//! The payer proves its receipt itself, so its secret never leaves the process: the circuits crate's
//! statement, witness and Groth16 prover (`default-features = false`: no threads, no OS services),
//! compiled to `wasm32-unknown-unknown` and bound to JavaScript with wasm-bindgen
//! (`scripts/build-wasm.sh` → the npm package `@x402-zk/prover-wasm` in `app/prover-wasm/`).
//!
//! JavaScript API ([`ReceiptProver`]):
//! - `new ReceiptProver(provingKey: Uint8Array)`: parses a `receipt.pk` file (as `x402-zk keys` and the
//!   ceremony write it, and as the facilitator serves it at `GET /v1/proving-key`) once.
//! - `vkHash(): string`: `0x` + 64 hex digits, `SolanaVk::sha256` of the embedded verifying key: the
//!   value of the on-chain `Config.vk_hash`. Compare the two before trusting a downloaded key.
//! - `prove(requestJson: string): string`: the prover service's `POST /v1/proofs` request body in,
//!   its response body out (the [`x402_zk_circuits::wire`] types: one owner). `public.now` defaults to
//!   the JavaScript clock, as the service defaults it to its own.
//! - `verify(proofJson: string): boolean`: checks a response body's proof against its public input
//!   with the embedded verifying key.
//!
//! Errors are JavaScript `Error`s whose message starts with a reason word ([`ProverError::reason`]) and
//! never contains a value of the request (the secret above all).
//!
//! The same logic is the plain Rust [`Prover`], which the host tests (`cargo test` in this folder) use.

use wasm_bindgen::prelude::*;
use x402_zk_circuits::export::solana;
use x402_zk_circuits::wire::{
    reason, ProofOutput, ProofRequest, ProofResponse, StatementError, WireError,
};
use x402_zk_circuits::{groth16, Error as CircuitError, ProvingKeys};

/// Reason word: the proving key bytes are not a usable `receipt.pk`.
pub const INVALID_PROVING_KEY: &str = "invalid_proving_key";
/// Reason word: an unexpected failure (a bug, not the caller's input).
pub const INTERNAL: &str = "internal";

/// Why a call failed. `Display` is `"<reason>: <detail>"`; details name fields, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProverError {
    /// The request or proof JSON does not parse (`malformed_request`, `value_not_in_field`).
    #[error("{}: {}", .0.reason(), wire_detail(.0))]
    Wire(WireError),
    /// The receipt does not satisfy the statement (`invalid_signature`, `amount_below_minimum`,
    /// `statement_unsatisfied`).
    #[error("{}: {}", .0.reason(), .0)]
    Statement(StatementError),
    /// The proving key bytes are not a usable `receipt.pk`.
    #[error("invalid_proving_key: {0}")]
    ProvingKey(String),
    /// Proving failed for a reason that is not the caller's input.
    #[error("internal: {0}")]
    Internal(&'static str),
}

fn wire_detail(e: &WireError) -> String {
    match e {
        WireError::Malformed(m) => m.clone(),
        other => other.to_string(),
    }
}

impl ProverError {
    /// The reason word the message starts with.
    pub fn reason(&self) -> &'static str {
        match self {
            ProverError::Wire(e) => e.reason(),
            ProverError::Statement(e) => e.reason(),
            ProverError::ProvingKey(_) => INVALID_PROVING_KEY,
            ProverError::Internal(_) => INTERNAL,
        }
    }
}

impl From<WireError> for ProverError {
    fn from(e: WireError) -> Self {
        ProverError::Wire(e)
    }
}

/// The prover with its key parsed once (plain Rust; [`ReceiptProver`] is its JavaScript face).
pub struct Prover {
    keys: ProvingKeys,
    vk_hash: [u8; 32],
}

impl Prover {
    /// Parses the bytes of a `receipt.pk` file.
    pub fn new(proving_key: &[u8]) -> Result<Self, ProverError> {
        // Key file errors describe the file (magic, version, checksum, point encoding), never a secret.
        let keys = ProvingKeys::from_pk_bytes(proving_key)
            .map_err(|e| ProverError::ProvingKey(e.to_string()))?;
        // The constraint matrices, once per key (a key that does not fit the circuit fails here).
        keys.prepared_without_tables()
            .map_err(|e| ProverError::ProvingKey(e.to_string()))?;
        let vk_hash = solana::vk(&keys.verifier.vk).sha256();
        Ok(Prover { keys, vk_hash })
    }

    /// `SolanaVk::sha256` of the verifying key: what the on-chain `Config.vk_hash` holds.
    pub fn vk_hash(&self) -> [u8; 32] {
        self.vk_hash
    }

    /// The key's provenance tag (`"dev"` = insecure dev keys).
    pub fn provenance(&self) -> &str {
        self.keys.provenance()
    }

    /// Proves a `POST /v1/proofs` request body; `public.now` defaults to `default_now`.
    pub fn prove_json(&self, request: &str, default_now: u64) -> Result<String, ProverError> {
        let req = ProofRequest::from_json(request)?;
        let enc = req.proof_encoding;
        let inputs = req.into_inputs(default_now)?;
        let w = inputs.witness();
        // Cached matrices and table-free MSMs (signed digits, batch-affine buckets), not the
        // fixed-base tables of `groth16::prove`: building those takes ≈ 22 s single-threaded in
        // WebAssembly, a loss for a client that proves a few receipts per key load. Same proof bytes
        // as ark-groth16's prover for the same randomness (circuits/tests/prove_fast.rs).
        let bundle =
            groth16::prove_without_tables(&self.keys, &w, &mut rand_core::OsRng).map_err(|e| {
                match StatementError::from_circuit(&e) {
                    Some(s) => ProverError::Statement(s),
                    None => ProverError::Internal(match e {
                        CircuitError::Synthesis(_) => "constraint synthesis failed",
                        _ => "proving failed",
                    }),
                }
            })?;
        let body = ProofResponse::new(&ProofOutput::from(&bundle), enc, inputs.now);
        serde_json::to_string(&body).map_err(|_| ProverError::Internal("serializing the proof"))
    }

    /// Verifies a `POST /v1/proofs` response body: `Ok(false)` when the proof does not verify for its
    /// public input with this key, an error when the body does not parse.
    pub fn verify_json(&self, proof: &str) -> Result<bool, ProverError> {
        let res = ProofResponse::from_json(proof)?;
        let bytes = res.proof_bytes()?;
        let pub_hash = res.public_input()?;
        let Ok(p) = solana::proof_from_bytes(&bytes) else {
            return Ok(false); // points off the curve: no valid proof
        };
        let pub_hash = x402_zk_circuits::fr_from_be_bytes_checked(&pub_hash.0, "publicInputs[0]")
            .map_err(|_| WireError::NotInField("publicInputs[0]"))?;
        match groth16::verify_pub_hash(&self.keys.verifier, &pub_hash, &p) {
            Ok(()) => Ok(true),
            Err(CircuitError::ProofRejected) => Ok(false),
            Err(_) => Err(ProverError::Internal("verification failed to run")),
        }
    }
}

/// Unix seconds from the host clock (JavaScript's `Date.now()` in WebAssembly).
pub fn unix_now() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        (js_sys::Date::now() / 1000.0) as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

fn js_err(e: ProverError) -> JsError {
    JsError::new(&e.to_string())
}

/// The receipt prover for JavaScript: `new ReceiptProver(provingKey)`, then `vkHash()`,
/// `prove(requestJson)`, `verify(proofJson)`; `free()` releases the key's memory.
#[wasm_bindgen]
pub struct ReceiptProver {
    inner: Prover,
}

#[wasm_bindgen]
impl ReceiptProver {
    /// Parses a `receipt.pk` file's bytes (tens of milliseconds; do it once).
    #[wasm_bindgen(constructor)]
    pub fn new(proving_key: &[u8]) -> Result<ReceiptProver, JsError> {
        Ok(ReceiptProver {
            inner: Prover::new(proving_key).map_err(js_err)?,
        })
    }

    /// `0x` + 64 hex digits: `SolanaVk::sha256` of the key, the on-chain `Config.vk_hash`.
    #[wasm_bindgen(js_name = vkHash)]
    pub fn vk_hash(&self) -> String {
        format!("0x{}", hex::encode(self.inner.vk_hash()))
    }

    /// `POST /v1/proofs` request body (JSON) in, response body (JSON) out.
    pub fn prove(&self, request_json: &str) -> Result<String, JsError> {
        self.inner
            .prove_json(request_json, unix_now())
            .map_err(js_err)
    }

    /// `true` iff the response body's proof verifies for its public input with this key.
    pub fn verify(&self, proof_json: &str) -> Result<bool, JsError> {
        self.inner.verify_json(proof_json).map_err(js_err)
    }
}

/// The reason words a caller can see, for documentation and tests.
pub const REASONS: &[&str] = &[
    reason::MALFORMED_REQUEST,
    reason::VALUE_NOT_IN_FIELD,
    reason::INVALID_SIGNATURE,
    reason::AMOUNT_BELOW_MINIMUM,
    reason::STATEMENT_UNSATISFIED,
    INVALID_PROVING_KEY,
    INTERNAL,
];
