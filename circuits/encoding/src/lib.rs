//! Every byte-level encoding and constant of the x402-zk protocol, in one place (`docs/PROTOCOL.md`,
//! "Encodings"). The program (SBF), the circuits (host and wasm32), the prover, the facilitator and
//! the LiteSVM harness import it; the TypeScript SDK is checked against the vectors its tests
//! generate (`circuits/encoding/vectors/*.json`).
//!
//! What lives here: field/scalar parsing and canonical checks ([`field`]), key halves and `u64`
//! encoding, the order of the policy-hash, public-hash and receipt-message inputs ([`statement`], generic over the
//! element type: bytes on chain, `Fr` natively, constraint variables in the circuit), the 256-byte
//! proof layout and its canonical check ([`proof`]), PDA seeds and account / instruction layouts
//! ([`layout`]) and the facilitator's reason words ([`reason`]). What does not: hashing (Poseidon is
//! the syscall on chain and arkworks in the circuits), curve arithmetic, JSON types.
#![no_std]
#![deny(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

pub mod compute;
pub mod field;
pub mod layout;
pub mod proof;
pub mod reason;
pub mod statement;

/// Prefix of the payment memo: `x402-zk:0x<C, 64 hex digits>` (what the attester looks for).
pub const MEMO_PREFIX: &str = "x402-zk:";

pub use field::{
    is_canonical_fq, is_canonical_fr, parse_fr_str, split_key, u64_be32, FieldParseError,
    FQ_MODULUS_BE, FR_MODULUS_BE,
};
pub use proof::{proof_coordinates_canonical, split_proof, PROOF_LEN};
pub use reason::Reason;
pub use statement::{
    KeyHalves, PolicyHashInputs, PubHashInputs, ReceiptMessageInputs, POLICY_HASH_ARITY,
    PUB_HASH_ARITY,
};

#[cfg(feature = "std")]
pub mod vectors;
