//! x402 `/settle`: sends `verify_payment`, which re-verifies on-chain and burns the nullifier.
//! Idempotent: when the nullifier PDA already exists for the same `resourceHash`, the payment is
//! reported settled (a retry after a lost response); for another resource it is a replay.
use std::time::Duration;

use anchor_client::anchor_lang::prelude::Pubkey;
use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
use anchor_client::Instruction;
use base64::Engine;
use serde_json::json;
use solana_signer::Signer;
use solana_transaction::Transaction;

use crate::app::State;
use crate::rpc::RpcError;
use crate::verify::CheckedPayment;
use crate::x402::{Reason, Rejection};

pub enum SettleOutcome {
    Settled {
        signature: String,
    },
    /// The nullifier was already burnt for this very resource (idempotent retry).
    AlreadySettled {
        signature: String,
    },
}

/// What a spent nullifier PDA records.
#[derive(Debug, PartialEq, Eq)]
pub struct SpentNullifier {
    pub resource_hash: [u8; 32],
    pub pay_to: [u8; 32],
    pub slot: u64,
}

pub fn nullifier_pda(program_id: &[u8; 32], nullifier_be: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &[b"nullifier", nullifier_be],
        &Pubkey::new_from_array(*program_id),
    )
    .0
}

fn parse_nullifier_account(data: &[u8]) -> Option<SpentNullifier> {
    // 8-byte discriminator, resource_hash (32), pay_to (32), slot (u64 LE), bump.
    let body = data.get(8..8 + 32 + 32 + 8)?;
    Some(SpentNullifier {
        resource_hash: body[..32].try_into().ok()?,
        pay_to: body[32..64].try_into().ok()?,
        slot: u64::from_le_bytes(body[64..72].try_into().ok()?),
    })
}

/// The spent-nullifier record, if this payment's nullifier has been burnt (confirmed commitment).
pub async fn nullifier_status(
    state: &State,
    p: &CheckedPayment,
) -> Result<Option<SpentNullifier>, RpcError> {
    let pda = nullifier_pda(&state.policy.program_id, &p.nullifier_be);
    Ok(state
        .rpc
        .account_data(&pda.to_string(), "confirmed")
        .await?
        .and_then(|d| parse_nullifier_account(&d)))
}

/// The `verify_payment` instruction for a checked payment.
pub fn verify_payment_ix(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    p: &CheckedPayment,
) -> Instruction {
    use x402_zk_verifier::{accounts, instruction, state::CONFIG_SEED};
    let program = Pubkey::new_from_array(*program_id);
    let config = Pubkey::find_program_address(&[CONFIG_SEED], &program).0;
    let nullifier = nullifier_pda(program_id, &p.nullifier_be);
    let terms = x402_zk_verifier::instructions::PaymentTerms {
        asset: Pubkey::new_from_array(p.public.asset),
        min_amount: p.public.min_amount,
        max_age: p.public.max_age,
    };
    let payment = x402_zk_verifier::instructions::PaymentProof {
        proof: p.proof,
        now: p.public.now,
        resource_hash: x402_zk_circuits::field::fr_to_be_bytes(&p.public.resource_hash),
        nullifier: p.nullifier_be,
    };
    let accounts = accounts::VerifyPayment {
        payer: *fee_payer,
        config,
        pay_to: Pubkey::new_from_array(p.public.pay_to),
        nullifier,
        system_program: anchor_client::anchor_lang::system_program::ID,
    };
    Instruction {
        program_id: program,
        accounts: accounts.to_account_metas(None),
        data: instruction::VerifyPayment { terms, payment }.data(),
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
                Rejection::new(Reason::NullifierSpent, "this receipt has already paid")
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

pub async fn settle(state: &State, p: &CheckedPayment) -> Result<SettleOutcome, Rejection> {
    let resource_be = x402_zk_circuits::field::fr_to_be_bytes(&p.public.resource_hash);
    if let Some(spent) = nullifier_status(state, p).await.map_err(rpc_rejection)? {
        return if spent.resource_hash == resource_be {
            Ok(SettleOutcome::AlreadySettled {
                signature: String::new(),
            })
        } else {
            Err(Rejection::new(
                Reason::NullifierSpent,
                "this receipt has already paid for another resource",
            ))
        };
    }
    let payer = state.fee_payer.pubkey();
    let ixs = [
        compute_budget_ix(400_000),
        verify_payment_ix(&state.policy.program_id, &payer, p),
    ];
    let signature = send_and_confirm(state, &ixs).await?;
    state.metrics.inc(
        "facilitator_settle_transactions_total",
        "instruction",
        "verify_payment",
    );
    tracing::info!(tx = %signature, "payment settled");
    Ok(SettleOutcome::Settled { signature })
}

/// Signs `ixs` with the fee payer on a fresh blockhash, sends, and waits for `confirmed`.
/// Returns the signature.
pub async fn send_and_confirm(state: &State, ixs: &[Instruction]) -> Result<String, Rejection> {
    let payer = state.fee_payer.pubkey();
    let blockhash: solana_hash::Hash = state
        .rpc
        .latest_blockhash()
        .await
        .map_err(rpc_rejection)?
        .parse()
        .map_err(|_| Rejection::new(Reason::RpcUnavailable, "bad blockhash from RPC"))?;
    let tx = Transaction::new_signed_with_payer(ixs, Some(&payer), &[&state.fee_payer], blockhash);
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
        .map_err(rpc_rejection)?;
    let signature = sig.as_str().unwrap_or_default().to_string();
    wait_confirmed(state, &signature).await?;
    Ok(signature)
}

/// `ComputeBudget::SetComputeUnitLimit(units)`.
pub fn compute_budget_ix(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction {
        program_id: "ComputeBudget111111111111111111111111111111"
            .parse()
            .expect("compute budget id"),
        accounts: vec![],
        data,
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
            .map_err(rpc_rejection)?;
        let st = &r["value"][0];
        if !st.is_null() {
            if !st["err"].is_null() {
                return Err(Rejection::new(
                    Reason::SettlementFailed,
                    format!("transaction failed: {}", st["err"]),
                ));
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
    ))
}
