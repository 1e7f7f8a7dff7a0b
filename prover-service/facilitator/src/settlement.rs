//! `POST /v1/settlement`: "was this nullifier burned for THIS payment?" — the recovery a resource
//! server needs when a `/settle` answer was lost (the facilitator died, the connection dropped)
//! after its transaction landed (`docs/PROTOCOL.md` §Flow 6, "Lost settle answers").
//!
//! `/verify` and `/settle` never answer "already settled": a payment header is a bearer token, and
//! such an answer would let one payment buy many responses. This route is the narrow exception a
//! merchant asks for only when its own journal holds an unserved settle attempt for the nullifier.
//! It proves two things before saying yes:
//!
//! 1. the presented payment passes every check of `/verify` except the spent check (scheme,
//!    network, merchant allow-list, amounts, `maxAge`, `now` freshness, and the Groth16 proof for
//!    these requirements): whoever asks knows the receipt's secret and bound it to these terms, so
//!    the public nullifier read from the chain, with a garbage proof, gets nothing;
//! 2. the transaction that created the nullifier PDA (found with `getSignaturesForAddress`, oldest
//!    first) carries a `PaymentVerified` event, emitted by the verifier program itself, for this
//!    nullifier with this `payTo`, `asset`, minimum amount and `resourceHash`: a receipt burned
//!    for another resource or merchant is `settlement_mismatch`.
//!
//! The answer names the burning transaction; it never marks anything served. Serving exactly once
//! is the merchant's journal's job (app/src/zk-receipt/journal.ts).
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use anchor_client::anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};
use x402_zk_verifier::events::PaymentVerified;

use crate::app::State;
use crate::rpc::RpcError;
use crate::settle::nullifier_pda;
use crate::verify::{check_payment, CheckedPayment};
use crate::x402::{FacilitatorRequest, Reason, Rejection};
use x402_zk_service_kit::problem::Problem;

/// Most signatures of the nullifier PDA read (one `getSignaturesForAddress` page).
pub const MAX_SIGNATURES: usize = 1000;
/// Most successful transactions of the PDA fetched, oldest first: the burn is the first one that
/// touched the PDA, so only later spam (read-only references) could come before it if the PDA
/// address was used before the nullifier was public — bounded either way.
pub const MAX_TRANSACTIONS: usize = 8;

/// `200` of `POST /v1/settlement`: the nullifier was burned for this payment.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettlementResponse {
    /// Always `true` (refusals are problem+json).
    pub settled: bool,
    /// Base58 signature of the transaction that burned the nullifier.
    pub transaction: String,
    pub network: String,
    /// The nullifier (0x-hex), as `payer` in `/verify` and `/settle`.
    pub payer: String,
}

/// The `PaymentVerified` fields compared with the requirements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Burn {
    pub nullifier: [u8; 32],
    pub pay_to: [u8; 32],
    pub asset: [u8; 32],
    pub min_amount: u64,
    pub resource_hash: [u8; 32],
}

impl From<PaymentVerified> for Burn {
    fn from(e: PaymentVerified) -> Self {
        Burn {
            nullifier: e.nullifier,
            pay_to: e.pay_to.to_bytes(),
            asset: e.asset.to_bytes(),
            min_amount: e.min_amount,
            resource_hash: e.resource_hash,
        }
    }
}

/// The `PaymentVerified` events in a transaction's log that `program` itself emitted.
///
/// Anchor's `emit!` writes `Program data: <base64>`; any program can write such a line, so lines
/// are attributed with the invoke stack (`Program X invoke [n]` … `Program X success|failed`) and
/// only those logged while `program` is the innermost running program count.
pub fn payment_events(logs: &[&str], program: &str) -> Vec<Burn> {
    let mut stack: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for line in logs {
        let Some(rest) = line.strip_prefix("Program ") else {
            continue;
        };
        if let Some(data) = rest.strip_prefix("data: ") {
            if stack.last() != Some(&program) {
                continue;
            }
            for chunk in data.split(' ') {
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(chunk) else {
                    continue;
                };
                if let Some(body) = bytes.strip_prefix(PaymentVerified::DISCRIMINATOR) {
                    if let Ok(e) = PaymentVerified::deserialize(&mut &body[..]) {
                        out.push(e.into());
                    }
                }
            }
            continue;
        }
        let mut words = rest.split(' ');
        match (words.next(), words.next()) {
            (Some(id), Some("invoke")) => stack.push(id),
            (Some(id), Some("success" | "failed:" | "failed")) if stack.last() == Some(&id) => {
                stack.pop();
            }
            _ => {}
        }
    }
    out
}

/// Whether `burn` is this payment's: same nullifier, merchant, asset, minimum and resource.
pub fn matches(burn: &Burn, p: &CheckedPayment) -> bool {
    burn.nullifier == p.nullifier_be
        && burn.pay_to == p.public.pay_to
        && burn.asset == p.public.asset
        && burn.min_amount == p.public.min_amount
        && burn.resource_hash == x402_zk_circuits::field::fr_to_be_bytes(&p.public.resource_hash)
}

fn rpc(e: RpcError) -> Rejection {
    Rejection::new(Reason::RpcUnavailable, e.to_string())
}

/// The signature of the transaction that burned `p`'s nullifier for exactly `p`'s terms.
pub async fn find_burn(state: &State, p: &CheckedPayment) -> Result<String, Rejection> {
    let program = bs58::encode(state.policy.program_id).into_string();
    let pda = nullifier_pda(&state.policy.program_id, &p.nullifier_be).to_string();
    let sigs = state
        .rpc
        .call(
            "getSignaturesForAddress",
            json!([pda, {"limit": MAX_SIGNATURES, "commitment": "confirmed"}]),
        )
        .await
        .map_err(rpc)?;
    let landed: Vec<&str> = sigs
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .rev() // newest first on the wire
        .filter(|s| s["err"].is_null())
        .filter_map(|s| s["signature"].as_str())
        .take(MAX_TRANSACTIONS)
        .collect();
    let mut other_terms = false;
    for sig in landed {
        let tx = state
            .rpc
            .call(
                "getTransaction",
                json!([sig, {"encoding": "json", "commitment": "confirmed",
                             "maxSupportedTransactionVersion": 0}]),
            )
            .await
            .map_err(rpc)?;
        let logs: Vec<&str> = tx["meta"]["logMessages"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !tx["meta"]["err"].is_null() {
            continue;
        }
        for burn in payment_events(&logs, &program) {
            if burn.nullifier != p.nullifier_be {
                continue;
            }
            if matches(&burn, p) {
                return Ok(sig.to_string());
            }
            other_terms = true;
        }
    }
    if other_terms {
        Err(Rejection::new(
            Reason::SettlementMismatch,
            "this nullifier was burned for another merchant, asset, amount or resource",
        ))
    } else {
        Err(Rejection::new(
            Reason::SettlementNotFound,
            "no settlement of this nullifier found on chain (not burned, or not yet confirmed)",
        ))
    }
}

/// The HTTP status of a refusal: the payment's own faults 422, no settlement 404, another
/// payment's settlement 409, the facilitator's state 503.
fn status_of(reason: Reason) -> StatusCode {
    match reason {
        Reason::SettlementNotFound => StatusCode::NOT_FOUND,
        Reason::SettlementMismatch => StatusCode::CONFLICT,
        Reason::RpcUnavailable | Reason::ConfigMismatch | Reason::Overloaded => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A refusal as problem+json: `type` from the reason word, and the word itself in `reason`.
fn refusal(state: &State, r: &Rejection) -> HttpResponse {
    let word = r.reason.as_str();
    state
        .metrics
        .inc("facilitator_settlement_total", "result", word);
    let status = status_of(r.reason);
    let mut body = Problem::new(status, word, r.message.clone());
    if status == StatusCode::SERVICE_UNAVAILABLE {
        body = body.retry_after(crate::app::CONFIG_RETRY);
    }
    body.response()
}

/// `POST /v1/settlement`: the transaction that burned this payment's nullifier, for a resource
/// server whose `/settle` answer was lost. The body is `/settle`'s.
#[utoipa::path(post, path = "/v1/settlement", tag = "x402",
    request_body(content = FacilitatorRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The nullifier was burned for exactly this payment (payTo, asset, amount, resourceHash) by `transaction`", body = SettlementResponse),
        (status = 400, description = "malformed-request (bad JSON)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 404, description = "settlement_not_found: no burn of this nullifier on chain (confirmed)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 409, description = "settlement_mismatch: burned, but for other terms (another resource, merchant, asset or amount)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 413, description = "payload-too-large", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 415, description = "unsupported-media-type", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 422, description = "The payment fails a /verify check other than the spent check (reason: invalid_zk_proof, stale_timestamp, resource_mismatch, …)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 405, description = "Method not allowed (Allow: POST)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 429, description = "Rate limit exceeded (rate-limited); see Retry-After", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 503, description = "config_mismatch, rpc_unavailable, or overloaded (more than --max-in-flight requests in flight); see Retry-After", content_type = "application/problem+json", body = crate::openapi::Problem),
    ))]
pub async fn settlement_route(
    state: web::Data<Arc<State>>,
    body: web::Json<FacilitatorRequest>,
) -> HttpResponse {
    let _slot = match crate::admission::enter(&state, "/v1/settlement") {
        Ok(slot) => slot,
        Err(overloaded) => return *overloaded,
    };
    if let Err(detail) = state.chain.ok() {
        return refusal(&state, &Rejection::new(Reason::ConfigMismatch, detail));
    }
    let now = x402_zk_service_kit::clock::unix_now();
    let p = match check_payment(&state.policy, &body, now, state.chain.max_receipt_age()) {
        Ok(p) => p,
        Err(r) => return refusal(&state, &r),
    };
    match find_burn(&state, &p).await {
        Ok(transaction) => {
            state
                .metrics
                .inc("facilitator_settlement_total", "result", "settled");
            HttpResponse::Ok().json(SettlementResponse {
                settled: true,
                transaction,
                network: state.policy.network.clone(),
                payer: format!("0x{}", hex::encode(p.nullifier_be)),
            })
        }
        Err(r) => refusal(&state, &r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_client::anchor_lang::prelude::Pubkey;
    use anchor_client::anchor_lang::AnchorSerialize;

    const PROGRAM: &str = "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne";
    const OTHER: &str = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";

    fn event_line(nullifier: u8) -> String {
        let e = PaymentVerified {
            nullifier: [nullifier; 32],
            pay_to: Pubkey::new_from_array([2; 32]),
            policy: Pubkey::new_from_array([4; 32]),
            asset: Pubkey::default(),
            min_amount: 5,
            resource_hash: [3; 32],
            now: 1,
            slot: 2,
        };
        let mut bytes = PaymentVerified::DISCRIMINATOR.to_vec();
        e.serialize(&mut bytes).unwrap();
        format!(
            "Program data: {}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }

    #[test]
    fn events_count_only_while_the_verifier_program_runs() {
        let ours = event_line(1);
        let forged = event_line(9);
        let inv = |id: &str, n: u8| format!("Program {id} invoke [{n}]");
        let ok = |id: &str| format!("Program {id} success");
        let logs = [
            inv("ComputeBudget111111111111111111111111111111", 1),
            ok("ComputeBudget111111111111111111111111111111"),
            forged.clone(), // outside any program: ignored
            inv(PROGRAM, 1),
            "Program log: Instruction: VerifyPayment".into(),
            inv("11111111111111111111111111111111", 2),
            forged.clone(), // while the system program runs: ignored
            ok("11111111111111111111111111111111"),
            ours.clone(),
            ok(PROGRAM),
            inv(OTHER, 1),
            forged.clone(), // another program's "event"
            ok(OTHER),
        ];
        let refs: Vec<&str> = logs.iter().map(String::as_str).collect();
        let burns = payment_events(&refs, PROGRAM);
        assert_eq!(burns.len(), 1);
        assert_eq!(burns[0].nullifier, [1; 32]);
        assert_eq!(burns[0].pay_to, [2; 32]);
        assert_eq!(burns[0].min_amount, 5);
        assert_eq!(burns[0].resource_hash, [3; 32]);
    }

    #[test]
    fn refusal_statuses() {
        assert_eq!(status_of(Reason::SettlementNotFound), StatusCode::NOT_FOUND);
        assert_eq!(status_of(Reason::SettlementMismatch), StatusCode::CONFLICT);
        assert_eq!(
            status_of(Reason::InvalidProof),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(Reason::RpcUnavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
