//! x402 `/settle`: sends `verify_payment` (after `register_policy` when the merchant's `Policy`
//! account is not known to exist), which re-verifies on-chain and burns the nullifier.
//! Success only for a nullifier this call's own transaction burned: a nullifier whose PDA already
//! exists, or that the program reports as used, is `nullifier_already_used` — there is no
//! "already settled" answer (it would let one payment buy many responses). Within one process,
//! concurrent settlements of one nullifier are excluded by [`crate::claims`] before this runs.
use std::time::Duration;

use anchor_client::anchor_lang::prelude::Pubkey;
use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
use anchor_client::Instruction;
use base64::Engine;
use serde_json::{json, Value};
use solana_signer::Signer;
use solana_transaction::Transaction;

use crate::app::State;
use crate::rpc::RpcError;
use crate::verify::CheckedPayment;
use crate::x402::{Reason, Rejection};

/// A settlement this call's own transaction made: the only kind of success `/settle` reports.
pub struct Settled {
    /// Signature of the transaction that burned the nullifier.
    pub signature: String,
}

/// The nullifier PDA (seeds: `x402_zk_encoding::layout::nullifier_seeds`).
pub fn nullifier_pda(program_id: &[u8; 32], nullifier_be: &[u8; 32]) -> Pubkey {
    nullifier_address(program_id, nullifier_be).0
}

/// The nullifier PDA and its bump (how many tries the program's canonical search makes, which the
/// transaction's compute-unit limit follows: `x402_zk_encoding::compute`).
pub fn nullifier_address(program_id: &[u8; 32], nullifier_be: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &x402_zk_encoding::layout::nullifier_seeds(nullifier_be),
        &Pubkey::new_from_array(*program_id),
    )
}

/// The nullifier bumps of `ps`, in order.
pub fn nullifier_bumps(program_id: &[u8; 32], ps: &[&CheckedPayment]) -> Vec<u8> {
    ps.iter()
        .map(|p| nullifier_address(program_id, &p.nullifier_be).1)
        .collect()
}

/// The `Config` and verifying-key PDAs every verify instruction takes.
pub fn config_and_vk_pdas(program: &Pubkey) -> (Pubkey, Pubkey) {
    use x402_zk_encoding::layout::{CONFIG_SEED, VK_SEED};
    (
        Pubkey::find_program_address(&[CONFIG_SEED], program).0,
        Pubkey::find_program_address(&[VK_SEED], program).0,
    )
}

/// A checked payment as the program's 328-byte `PaymentProof` (`x402_zk_encoding::layout::payment`).
pub fn payment_proof(p: &CheckedPayment) -> x402_zk_verifier::instructions::PaymentProof {
    x402_zk_verifier::instructions::PaymentProof {
        proof: p.proof,
        now: p.public.now,
        resource_hash: x402_zk_circuits::field::fr_to_be_bytes(&p.public.resource_hash),
        nullifier: p.nullifier_be,
    }
}

/// Whether this payment's nullifier is burnt on-chain (confirmed commitment): its PDA exists,
/// is owned by the program and holds data — what the program's replay check looks at, so a
/// pre-funded (system-owned) address does not count as spent.
pub async fn nullifier_spent(state: &State, p: &CheckedPayment) -> Result<bool, RpcError> {
    let pda = nullifier_pda(&state.policy.program_id, &p.nullifier_be);
    let program = bs58::encode(state.policy.program_id).into_string();
    Ok(state
        .rpc
        .account(&pda.to_string(), "confirmed")
        .await?
        .is_some_and(|a| a.owner == program && !a.data.is_empty()))
}

/// The rejection for a nullifier that is already burnt (or being burnt).
pub fn spent() -> Rejection {
    Rejection::new(Reason::NullifierSpent, "this receipt has already paid")
}

/// The `verify_payment` instruction for a checked payment.
pub fn verify_payment_ix(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    p: &CheckedPayment,
) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    let program = Pubkey::new_from_array(*program_id);
    let (config, verifying_key) = config_and_vk_pdas(&program);
    let nullifier = nullifier_pda(program_id, &p.nullifier_be);
    let payment = payment_proof(p);
    let policy = crate::policy_account::policy_pda(
        program_id,
        &crate::policy_account::policy_hash(&p.public),
    );
    let accounts = accounts::VerifyPayment {
        payer: *fee_payer,
        config,
        verifying_key,
        policy,
        nullifier,
        system_program: anchor_client::anchor_lang::system_program::ID,
    };
    Instruction {
        program_id: program,
        accounts: accounts.to_account_metas(None),
        data: instruction::VerifyPayment { payment }.data(),
    }
}

fn rpc_rejection(e: RpcError) -> Rejection {
    match e {
        RpcError::Unavailable(m) => Rejection::new(Reason::RpcUnavailable, m),
        RpcError::Node { message, data, .. } => {
            let logs = data
                .as_ref()
                .and_then(|d| d["logs"].as_array())
                .cloned()
                .unwrap_or_default();
            let replay = logs.iter().any(|l| {
                l.as_str()
                    .is_some_and(|s| s.contains("NullifierAlreadyUsed"))
            });
            if replay {
                spent()
            } else {
                let detail = logs
                    .iter()
                    .filter_map(|l| l.as_str())
                    .find(|l| l.contains("Error Message"))
                    .unwrap_or(&message);
                Rejection::new(Reason::SettlementFailed, detail.to_string())
            }
        }
    }
}

pub async fn settle(state: &State, p: &CheckedPayment) -> Result<Settled, Rejection> {
    if nullifier_spent(state, p).await.map_err(rpc_rejection)? {
        return Err(spent());
    }
    let payer = state.fee_payer.pubkey();
    let register = crate::policy_account::prerequisites(state, &p.public)
        .await
        .map_err(rpc_rejection)?;
    let registers = !register.is_empty();
    let (_, bump) = nullifier_address(&state.policy.program_id, &p.nullifier_be);
    let units = x402_zk_encoding::compute::verify_payment(bump, registers);
    let mut ixs = vec![compute_budget_ix(units)];
    ixs.extend(register);
    ixs.push(verify_payment_ix(&state.policy.program_id, &payer, p));
    let signature = send_and_confirm(state, &ixs).await?;
    if registers {
        crate::policy_account::registered(state, &p.public).await;
    }
    state.metrics.inc(
        "facilitator_settle_transactions_total",
        "instruction",
        "verify_payment",
    );
    state.metrics.settlement_batch(1);
    tracing::info!(tx = %signature, "payment settled");
    Ok(Settled { signature })
}

/// Signs `ixs` with the fee payer on a fresh blockhash, sends, and waits for `confirmed`.
/// Returns the signature.
pub async fn send_and_confirm(state: &State, ixs: &[Instruction]) -> Result<String, Rejection> {
    send_and_confirm_signed(state, ixs, &[]).await
}

/// [`send_and_confirm`] with signers besides the fee payer (a new account's key for
/// `createAccount`).
pub async fn send_and_confirm_signed(
    state: &State,
    ixs: &[Instruction],
    extra_signers: &[&solana_keypair::Keypair],
) -> Result<String, Rejection> {
    let payer = state.fee_payer.pubkey();
    let mut signers = vec![&state.fee_payer];
    signers.extend_from_slice(extra_signers);
    let blockhash: solana_hash::Hash = state
        .rpc
        .latest_blockhash()
        .await
        .map_err(rpc_rejection)?
        .parse()
        .map_err(|_| Rejection::new(Reason::RpcUnavailable, "bad blockhash from RPC"))?;
    let tx = Transaction::new_signed_with_payer(ixs, Some(&payer), &signers, blockhash);
    let wire = bincode::serialize(&tx)
        .map_err(|e| Rejection::new(Reason::SettlementFailed, e.to_string()))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(wire);
    let sig = state
        .rpc
        .call(
            "sendTransaction",
            json!([b64, {"encoding": "base64", "preflightCommitment": "confirmed"}]),
        )
        .await
        .map_err(|e| match e {
            // A node that refused it (preflight) did not forward it; a lost connection may have.
            RpcError::Node { .. } => rpc_rejection(e),
            RpcError::Unavailable(_) => rpc_rejection(e).outcome_unknown(),
        })?;
    let signature = sig.as_str().unwrap_or_default().to_string();
    wait_confirmed(state, &signature).await?;
    Ok(signature)
}

/// `ComputeBudget::SetComputeUnitLimit(units)` (the compute-budget program's own interface crate).
pub fn compute_budget_ix(units: u32) -> Instruction {
    solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(units)
}

/// The on-chain error of a landed transaction, as a rejection: the program's
/// `NullifierAlreadyUsed` (in any instruction) is `nullifier_already_used`.
fn landed_error(err: &Value) -> Rejection {
    let used = u32::from(x402_zk_verifier::errors::ErrorCode::NullifierAlreadyUsed);
    let custom = err["InstructionError"][1]["Custom"].as_u64();
    if custom == Some(u64::from(used)) {
        spent()
    } else {
        Rejection::new(
            Reason::SettlementFailed,
            format!("transaction failed: {err}"),
        )
    }
}

async fn wait_confirmed(state: &State, signature: &str) -> Result<(), Rejection> {
    for _ in 0..60 {
        let r = state
            .rpc
            .call(
                "getSignatureStatuses",
                json!([[signature], {"searchTransactionHistory": false}]),
            )
            .await
            .map_err(|e| rpc_rejection(e).outcome_unknown())?;
        let st = &r["value"][0];
        if !st.is_null() {
            if !st["err"].is_null() {
                return Err(landed_error(&st["err"]));
            }
            let level = st["confirmationStatus"].as_str().unwrap_or("");
            if level == "confirmed" || level == "finalized" {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(Rejection::new(
        Reason::SettlementFailed,
        format!("transaction {signature} not confirmed in time"),
    )
    .outcome_unknown())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landed_nullifier_already_used_is_reported_as_such() {
        let used = u32::from(x402_zk_verifier::errors::ErrorCode::NullifierAlreadyUsed);
        let r = landed_error(&json!({"InstructionError": [1, {"Custom": used}]}));
        assert_eq!(r.reason, Reason::NullifierSpent);
        let r = landed_error(&json!({"InstructionError": [1, {"Custom": used + 1}]}));
        assert_eq!(r.reason, Reason::SettlementFailed);
        let r = landed_error(&json!("AccountInUse"));
        assert_eq!(r.reason, Reason::SettlementFailed);
    }

    #[test]
    fn preflight_logs_naming_nullifier_already_used_are_reported_as_such() {
        let r = rpc_rejection(RpcError::Node {
            code: -32002,
            message: "Transaction simulation failed".into(),
            data: Some(json!({"logs": [
                "Program log: AnchorError occurred. Error Code: NullifierAlreadyUsed. Error Number: 6007."
            ]})),
        });
        assert_eq!(r.reason, Reason::NullifierSpent);
        assert!(!r.outcome_unknown);
        let r = rpc_rejection(RpcError::Unavailable("x".into()));
        assert_eq!(r.reason, Reason::RpcUnavailable);
    }
}
