//! Wire types (JSON request and response bodies) and their strict parsing into [`ProofInputs`].
//!
//! They live in the circuits crate ([`x402_zk_circuits::wire`]): the client-side WebAssembly prover
//! takes and returns exactly the same bodies. This module re-exports them and adds what only a
//! server has (its clock, the mapping to [`ApiError`]).

use crate::error::ApiError;
pub use x402_zk_circuits::wire::{
    parse_key, reason, AttesterJson, FieldBytes, ProofEncoding, ProofInputs, ProofOutput,
    ProofRequest, ProofResponse, PublicJson, ReceiptJson, SignatureJson, SnarkjsJson, U64Value,
    WireError,
};

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Malformed(m) => ApiError::Malformed(m),
            WireError::NotInField(what) => ApiError::NotInField(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_errors_keep_their_reason() {
        for e in [WireError::Malformed("x".into()), WireError::NotInField("y")] {
            assert_eq!(ApiError::from(e.clone()).reason(), e.reason());
        }
    }
}
