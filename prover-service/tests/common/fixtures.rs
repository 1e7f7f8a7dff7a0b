//! Valid requests for the backend under test.

use serde_json::{json, Value};
use std::sync::Arc;
use x402_zk_prover_service::backend::testing::FakeBackend;
use x402_zk_prover_service::backend::ProverBackend;

/// The backend all integration tests prove with.
pub fn backend() -> Arc<dyn ProverBackend> {
    Arc::new(FakeBackend)
}

pub const PAY_TO: &str = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
pub const ASSET: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
pub const PROGRAM_ID: &str = "Fg6PaFpoGXkYsidMpWTK6W2BeZ7FEfcYkg476zPFsLnS";
pub const NOW: u64 = 1_750_000_000;
pub const AMOUNT: u64 = 73_402_159_337;
pub const SECRET: &str = "987654321987654321987654321";

/// A valid `/v1/proofs` body; `variant` changes the resource hash (a different witness).
pub fn valid_request(variant: u64) -> Value {
    json!({
        "receipt": {
            "payTo": PAY_TO,
            "asset": ASSET,
            "amount": AMOUNT,
            "paidAt": NOW - 100,
            "signature": {"R8x": "314159265358979323846264338327", "R8y": "271828182845904523536028747135", "S": "161803398874989484820458683436"}
        },
        "secret": SECRET,
        "public": {
            "attester": {"x": "1", "y": "2"},
            "minAmount": 1000,
            "now": NOW,
            "maxAge": 3600,
            "resourceHash": format!("{}", 1000 + variant),
            "programId": PROGRAM_ID
        }
    })
}
