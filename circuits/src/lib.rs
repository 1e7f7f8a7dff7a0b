//! # x402-zk receipt circuit
//!
//! The statement: *"I hold a valid, fresh, attester-signed payment receipt for this merchant and this resource, and
//! this is its nullifier"* — as a Groth16 circuit over BN254 with circom-compatible Poseidon and EdDSA, plus the
//! native twins every other component uses. The full specification is `docs/PROTOCOL.md`.
//!
//! ## Public API (stable; used by the prover service and the program tests)
//! - Data: [`Receipt`] (what the attester signs), [`PublicParams`] (what the verifier knows), [`Witness`] /
//!   [`ProofRequest`] (public params + private receipt data), [`Signature`], [`Point`].
//! - Hashes: [`receipt::commitment`], [`receipt::domain`], [`receipt::nullifier`], [`receipt::resource_hash`],
//!   [`PublicParams::pub_hash`] (the single public input), [`poseidon::hash`].
//! - Attester: [`Attester::from_secret`] / [`Attester::generate`] / [`Attester::sign`], [`eddsa::verify`]
//!   (circomlibjs `signPoseidon` / `verifyPoseidon` compatible).
//! - Groth16: [`ProvingKeys::dev_setup`] (**unsafe, dev only**), [`ProvingKeys::save`] / [`ProvingKeys::load`],
//!   [`VerifierKey`], [`prove`]`(&keys, &witness, rng) -> Result<ProofBundle>`, [`verify`].
//! - [`ProofBundle`]: `solana_proof_bytes() -> [u8; 256]`, `public_input_bytes() -> [u8; 32]`, `nullifier`,
//!   `snarkjs_proof_json()`, `snarkjs_public_json()`.
//! - Exports: [`export::solana`] (groth16-solana bytes and generated vk module), [`export::snarkjs`].
//! - Parsing: [`field::fr_from_be_bytes_checked`], [`field::fr_from_str_checked`] (values ≥ r are rejected, never
//!   reduced), [`json`] wire formats (CLI), [`wire`] the prover's HTTP bodies (`POST /v1/proofs`: the prover
//!   service and the WebAssembly prover).
//! - Errors: one enum, [`Error`].
//!
//! ## Layout
//! Each gadget sits next to its native twin: [`poseidon`], [`babyjubjub`], [`eddsa`]; [`r1cs`] is the small
//! hand-tuned constraint layer; [`circuit`] is the statement; [`groth16`] keys/prove/verify.
//!
//! ## Features
//! - `parallel` (default): multi-threaded proving (rayon).
//! - `openapi`: `utoipa` schemas of the wire types (the services' generated OpenAPI documents).
//!
//! The trusted-setup ceremony and the `x402-zk` CLI are the crate `x402-zk-ceremony` (`circuits/ceremony`),
//! so the services that link this crate do not link them.
//!
//! With `default-features = false` the crate builds for `wasm32-unknown-unknown` without threads (the client
//! prover, `circuits/wasm`): statement, witness, Groth16 prove/verify, JSON wire types, exports.

pub mod babyjubjub;
pub mod circuit;
pub mod eddsa;
pub mod error;
pub mod export;
pub mod field;
pub mod groth16;
pub mod json;
pub mod msm;
pub mod poseidon;
pub mod r1cs;
pub mod receipt;
pub mod wire;

pub use babyjubjub::Point;
pub use circuit::ReceiptCircuit;
pub use eddsa::{Attester, Signature};
pub use error::{Error, Result};
pub use field::{fr_from_be_bytes_checked, fr_from_str_checked, fr_to_be_bytes};
pub use groth16::{prove, verify, ProofBundle, ProvingKeys, VerifierKey};
pub use receipt::{ProofRequest, PublicParams, Receipt, Witness};

/// The BN254 scalar field element type.
pub use ark_bn254::Fr;
