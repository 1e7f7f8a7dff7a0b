//! Real Groth16 backend with dev keys (generated once per test binary) and validly signed requests.

use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use x402_zk_circuits::field::fr_to_decimal;
use x402_zk_circuits::receipt::{commitment, Receipt};
use x402_zk_circuits::{Attester, Fr, Signature};
use x402_zk_prover_service::backend::ProverBackend;
use x402_zk_prover_service::circuits_backend::CircuitsBackend;

/// The real backend, **dev keys** (insecure; tests only), set up once per test binary.
pub fn real() -> Arc<CircuitsBackend> {
    static B: OnceLock<Arc<CircuitsBackend>> = OnceLock::new();
    B.get_or_init(|| Arc::new(CircuitsBackend::dev().expect("dev setup")))
        .clone()
}

/// The backend all integration tests prove with.
pub fn backend() -> Arc<dyn ProverBackend> {
    real()
}

pub const PAY_TO: &str = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
pub const ASSET: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
pub const PROGRAM_ID: &str = "Fg6PaFpoGXkYsidMpWTK6W2BeZ7FEfcYkg476zPFsLnS";
pub const NOW: u64 = 1_750_000_000;
pub const AMOUNT: u64 = 73_402_159_337;
pub const SECRET: &str = "987654321987654321987654321";

fn key(s: &str) -> [u8; 32] {
    bs58::decode(s).into_vec().unwrap().try_into().unwrap()
}

/// The attester and its signature over the fixture receipt (signed once).
pub fn signed() -> &'static (Attester, Signature) {
    static S: OnceLock<(Attester, Signature)> = OnceLock::new();
    S.get_or_init(|| {
        let attester = Attester::from_secret([42u8; 32]);
        let secret: Fr = SECRET.parse().unwrap();
        let receipt = Receipt {
            pay_to: key(PAY_TO),
            asset: key(ASSET),
            amount: AMOUNT,
            paid_at: NOW - 100,
            commitment: commitment(&secret),
        };
        let sig = receipt.sign(&attester);
        (attester, sig)
    })
}

/// The fixture signature as JSON `{R8x, R8y, S}` (decimal strings).
pub fn signature_json() -> Value {
    let (_, sig) = signed();
    json!({"R8x": fr_to_decimal(&sig.r8.x), "R8y": fr_to_decimal(&sig.r8.y), "S": fr_to_decimal(&sig.s)})
}

/// The attester public key as JSON `{x, y}`.
pub fn attester_json() -> Value {
    let (a, _) = signed();
    let p = a.public();
    json!({"x": fr_to_decimal(&p.x), "y": fr_to_decimal(&p.y)})
}

/// A valid `/v1/proofs` body; `variant` changes the resource hash (a different witness, same
/// receipt: the resource hash is public and not signed).
pub fn valid_request(variant: u64) -> Value {
    json!({
        "receipt": {
            "payTo": PAY_TO,
            "asset": ASSET,
            "amount": AMOUNT,
            "paidAt": NOW - 100,
            "signature": signature_json()
        },
        "secret": SECRET,
        "public": {
            "attester": attester_json(),
            "minAmount": 1000,
            "now": NOW,
            "maxAge": 3600,
            "resourceHash": format!("{}", 1000 + variant),
            "programId": PROGRAM_ID
        }
    })
}

/// A valid request for a different payer secret (its own receipt, signed now).
pub fn request_with_secret(variant: u64, secret: &str) -> Value {
    let (attester, _) = signed();
    let s: Fr = secret.parse().unwrap();
    let receipt = Receipt {
        pay_to: key(PAY_TO),
        asset: key(ASSET),
        amount: AMOUNT,
        paid_at: NOW - 100,
        commitment: commitment(&s),
    };
    let sig = receipt.sign(attester);
    let mut req = valid_request(variant);
    req["secret"] = json!(secret);
    req["receipt"]["signature"] = json!({"R8x": fr_to_decimal(&sig.r8.x), "R8y": fr_to_decimal(&sig.r8.y), "S": fr_to_decimal(&sig.s)});
    req
}
