//! The crate's single error type: one variant per way to fail, each with a message a caller can act on.

use thiserror::Error;

/// Everything that can go wrong in `x402-zk-circuits`.
#[derive(Debug, Error)]
pub enum Error {
    /// A byte string had the wrong length (e.g. a key that is not 32 bytes).
    #[error("{what}: expected {expected} bytes, got {got}")]
    WrongLength {
        /// What was being parsed.
        what: &'static str,
        /// Required length in bytes.
        expected: usize,
        /// Length received.
        got: usize,
    },
    /// A value is not a canonical BN254 scalar field element (it is ≥ r). Such values are rejected, never reduced.
    #[error("{what}: value is not below the BN254 scalar field modulus")]
    NotInField {
        /// What was being parsed.
        what: &'static str,
    },
    /// A string could not be parsed as a number, hex string or key.
    #[error("{what}: cannot parse {input:?}: {reason}")]
    Parse {
        /// What was being parsed.
        what: &'static str,
        /// The offending input (truncated).
        input: String,
        /// Why it failed.
        reason: String,
    },
    /// A value does not fit in the expected number of bits (e.g. a u64 amount).
    #[error("{what}: value does not fit in {bits} bits")]
    OutOfRange {
        /// What was being checked.
        what: &'static str,
        /// The allowed bit width.
        bits: u32,
    },
    /// A point is not on the BabyJubJub curve.
    #[error("{what}: point is not on the BabyJubJub curve")]
    NotOnCurve {
        /// Which point.
        what: &'static str,
    },
    /// A public key is the identity or has small order.
    #[error("attester public key has small order")]
    SmallOrderKey,
    /// The EdDSA scalar S is not below the subgroup order l.
    #[error("signature scalar S is not below the BabyJubJub subgroup order")]
    ScalarNotCanonical,
    /// The EdDSA-Poseidon signature does not verify.
    #[error("signature does not verify for this attester key and message")]
    BadSignature,
    /// The witness does not satisfy the statement (names the first failed check).
    #[error("receipt does not satisfy the statement: {0}")]
    Unsatisfied(&'static str),
    /// The Groth16 proof did not verify.
    #[error("proof verification failed")]
    ProofRejected,
    /// A key file has a bad header, version or body.
    #[error("key file: {0}")]
    KeyFile(String),
    /// Serialization of curve points or keys failed.
    #[error("serialization: {0}")]
    Serialization(#[from] ark_serialize::SerializationError),
    /// Constraint synthesis failed.
    #[error("constraint synthesis: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
    /// Poseidon rejected the input (wrong arity).
    #[error("poseidon: {0}")]
    Poseidon(String),
    /// An I/O error with the path involved.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// JSON (de)serialization failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// Crate result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
