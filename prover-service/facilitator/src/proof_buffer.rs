//! The proof-buffer path of settlement batching: a group of more than two same-terms payments is
//! written into a proof buffer account (`write_proof_buffer`, [`payments_per_write`] payments per
//! transaction, the writes sent concurrently) and verified by one `verify_batch_from_buffer`
//! transaction, up to [`MAX_BUFFER_BATCH`] payments — where the inline `verify_batch` fits two.
//!
//! Buffers are long-lived and reused: the program never shrinks a buffer's stored length
//! (`write_proof_buffer` sets it to the larger of the old length and the end of the write), so a
//! buffer of `n` slots can only hold exactly `n` payments once written to the end. The pool
//! therefore keeps buffers **by slot count**: a batch of `n` takes an idle buffer of exactly `n`
//! slots (or creates one: `SystemProgram.createAccount` + `init_proof_buffer`, its rent paid by the
//! fee payer and counted in `facilitator_proof_buffer_rent_lamports_total`), overwrites every slot,
//! verifies, and gives it back. A buffer is held by one batch at a time. Past [`MAX_IDLE_PER_SIZE`]
//! idle buffers of one size, the extra one is closed (`close_proof_buffer`, its rent returned).
//!
//! A buffer whose last transaction's outcome is unknown (a write or the verify may still land) is
//! not reused until [`QUARANTINE`] has passed, when that transaction's blockhash has expired. Even
//! a buffer whose content is wrong costs only a failed `verify_batch_from_buffer` (all-or-nothing:
//! each proof's nullifier account is checked against the proof), after which every payment is
//! settled alone — never a lost or double-spent payment.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anchor_client::anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
use anchor_client::Instruction;
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

use crate::app::State;
use crate::batch::MAX_TX_BYTES;
use crate::settle::{
    compute_budget_ix, config_and_vk_pdas, nullifier_pda, payment_proof, send_and_confirm,
    send_and_confirm_signed,
};
use crate::verify::CheckedPayment;
use crate::x402::{Reason, Rejection};

/// Most payments one `verify_batch_from_buffer` settles: its transaction lists one nullifier
/// account per payment, and 16 keep it well inside 1,232 bytes and 1.4M CU (≈ 501k measured).
pub const MAX_BUFFER_BATCH: usize = 16;

/// Idle buffers kept per slot count; a buffer given back beyond this is closed.
pub const MAX_IDLE_PER_SIZE: usize = 2;

/// How long a buffer whose last transaction's outcome is unknown stays out of use: longer than a
/// blockhash lives (150 slots, about a minute), so that transaction can no longer land.
pub const QUARANTINE: Duration = Duration::from_secs(120);

/// Why a buffer batch did not settle.
#[derive(Debug)]
pub enum Failure {
    /// Nothing was verified: creating, or writing to, the buffer failed (even with an unknown
    /// outcome, a write burns no nullifier), so each payment may be settled alone.
    NotVerified(Rejection),
    /// The `verify_batch_from_buffer` transaction failed, or its outcome is unknown.
    Verify(Rejection),
}

/// The facilitator's idle proof buffers, by slot count. Shared by the batches in flight.
#[derive(Default)]
pub struct BufferPool {
    idle: Mutex<HashMap<usize, Vec<Pubkey>>>,
}

impl BufferPool {
    fn take(&self, slots: usize) -> Option<Pubkey> {
        self.idle
            .lock()
            .expect("buffer pool")
            .get_mut(&slots)
            .and_then(Vec::pop)
    }

    /// Returns `key` to the pool; `false` when the pool already holds [`MAX_IDLE_PER_SIZE`] of
    /// this size (the caller closes it).
    fn give_back(&self, slots: usize, key: Pubkey) -> bool {
        let mut idle = self.idle.lock().expect("buffer pool");
        let list = idle.entry(slots).or_default();
        if list.len() >= MAX_IDLE_PER_SIZE {
            return false;
        }
        list.push(key);
        true
    }

    /// Idle buffers now (all sizes).
    pub fn idle(&self) -> usize {
        self.idle
            .lock()
            .expect("buffer pool")
            .values()
            .map(Vec::len)
            .sum()
    }
}

/// Size of the serialized (signed) transaction for `ixs` paid by `fee_payer`.
fn tx_size(fee_payer: &Pubkey, ixs: &[Instruction]) -> usize {
    let tx = Transaction::new_with_payer(ixs, Some(fee_payer));
    bincode::serialize(&tx).map_or(usize::MAX, |b| b.len())
}

/// Most payments one `write_proof_buffer` transaction carries (measured on the serialized
/// transaction: three, with no compute-budget instruction — a write needs far less than the
/// default 200k CU).
pub fn payments_per_write(program_id: &[u8; 32], fee_payer: &Pubkey, p: &CheckedPayment) -> usize {
    let buffer = Pubkey::new_from_array([0xb0; 32]);
    let mut k = 1;
    while k < MAX_BUFFER_BATCH {
        let ps = vec![p; k + 1];
        let ix = write_ix(program_id, fee_payer, &buffer, u32::MAX, &ps);
        if tx_size(fee_payer, &[ix]) > MAX_TX_BYTES {
            break;
        }
        k += 1;
    }
    k
}

/// `SystemProgram.createAccount`: `to` gets `lamports` and `space` zeroed bytes, owned by `owner`.
fn create_account_ix(
    from: &Pubkey,
    to: &Pubkey,
    lamports: u64,
    space: u64,
    owner: &Pubkey,
) -> Instruction {
    anchor_client::anchor_lang::solana_program::system_instruction::create_account(
        from, to, lamports, space, owner,
    )
}

/// `init_proof_buffer`: the fee payer becomes the authority of the fresh account `buffer`.
fn init_ix(program_id: &[u8; 32], fee_payer: &Pubkey, buffer: &Pubkey) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    Instruction {
        program_id: Pubkey::new_from_array(*program_id),
        accounts: accounts::InitProofBuffer {
            authority: *fee_payer,
            proof_buffer: *buffer,
        }
        .to_account_metas(None),
        data: instruction::InitProofBuffer {}.data(),
    }
}

/// `write_proof_buffer(index, payments)`.
pub fn write_ix(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    buffer: &Pubkey,
    index: u32,
    ps: &[&CheckedPayment],
) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    Instruction {
        program_id: Pubkey::new_from_array(*program_id),
        accounts: accounts::ProofBufferAuthority {
            authority: *fee_payer,
            proof_buffer: *buffer,
        }
        .to_account_metas(None),
        data: instruction::WriteProofBuffer {
            index,
            payments: ps.iter().map(|p| payment_proof(p)).collect(),
        }
        .data(),
    }
}

/// `close_proof_buffer`: the rent goes back to the fee payer.
fn close_ix(program_id: &[u8; 32], fee_payer: &Pubkey, buffer: &Pubkey) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    Instruction {
        program_id: Pubkey::new_from_array(*program_id),
        accounts: accounts::ProofBufferAuthority {
            authority: *fee_payer,
            proof_buffer: *buffer,
        }
        .to_account_metas(None),
        data: instruction::CloseProofBuffer {}.data(),
    }
}

/// `verify_batch_from_buffer` for the payments written to `buffer`, in buffer order: the shared
/// policy account and one writable nullifier PDA per payment (remaining accounts, same order).
pub fn verify_ix(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    buffer: &Pubkey,
    ps: &[&CheckedPayment],
) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    let program = Pubkey::new_from_array(*program_id);
    let (config, verifying_key) = config_and_vk_pdas(&program);
    let policy = crate::policy_account::policy_pda(
        program_id,
        &crate::policy_account::policy_hash(&ps[0].public),
    );
    let mut metas = accounts::VerifyBatchFromBuffer {
        payer: *fee_payer,
        config,
        verifying_key,
        policy,
        proof_buffer: *buffer,
        system_program: anchor_client::anchor_lang::system_program::ID,
    }
    .to_account_metas(None);
    metas.extend(
        ps.iter()
            .map(|p| AccountMeta::new(nullifier_pda(program_id, &p.nullifier_be), false)),
    );
    Instruction {
        program_id: program,
        accounts: metas,
        data: instruction::VerifyBatchFromBuffer {}.data(),
    }
}

/// The `verify_batch_from_buffer` transaction (compute budget + verify) for `ps`.
pub fn verify_tx_ixs(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    buffer: &Pubkey,
    ps: &[&CheckedPayment],
) -> [Instruction; 2] {
    [
        compute_budget_ix(x402_zk_encoding::compute::buffer_batch(
            &crate::settle::nullifier_bumps(program_id, ps),
        )),
        verify_ix(program_id, fee_payer, buffer, ps),
    ]
}

/// Serialized size of the verify transaction for `ps` (what [`MAX_BUFFER_BATCH`] must respect).
pub fn verify_tx_size(program_id: &[u8; 32], fee_payer: &Pubkey, ps: &[&CheckedPayment]) -> usize {
    let buffer = Pubkey::new_from_array([0xb0; 32]);
    tx_size(
        fee_payer,
        &verify_tx_ixs(program_id, fee_payer, &buffer, ps),
    )
}

/// An idle buffer of `slots` slots, or a new one (created and initialized in one transaction,
/// signed by its fresh key).
async fn acquire(state: &State, pool: &BufferPool, slots: usize) -> Result<Pubkey, Rejection> {
    if let Some(key) = pool.take(slots) {
        return Ok(key);
    }
    let program_id = &state.policy.program_id;
    let payer = state.fee_payer.pubkey();
    let space = x402_zk_encoding::layout::proof_buffer::space(slots);
    let rent = state
        .rpc
        .call("getMinimumBalanceForRentExemption", json!([space]))
        .await
        .map_err(|e| Rejection::new(Reason::RpcUnavailable, e.to_string()))?
        .as_u64()
        .ok_or_else(|| Rejection::new(Reason::RpcUnavailable, "bad rent answer from RPC"))?;
    let key = Keypair::new();
    let ixs = [
        create_account_ix(
            &payer,
            &key.pubkey(),
            rent,
            space as u64,
            &Pubkey::new_from_array(*program_id),
        ),
        init_ix(program_id, &payer, &key.pubkey()),
    ];
    match send_and_confirm_signed(state, &ixs, &[&key]).await {
        Ok(signature) => {
            state
                .metrics
                .add("facilitator_proof_buffers_created_total", 1);
            state
                .metrics
                .add("facilitator_proof_buffer_rent_lamports_total", rent);
            tracing::info!(tx = %signature, buffer = %key.pubkey(), slots, rent,
                "proof buffer created");
            Ok(key.pubkey())
        }
        Err(r) => {
            // When the outcome is unknown the account may exist, holding `rent`: its address is in
            // the log for an operator to close (`close_proof_buffer`, authority = the fee payer).
            tracing::warn!(buffer = %key.pubkey(), slots, reason = r.reason.as_str(),
                message = %r.message, outcome_unknown = r.outcome_unknown, "proof buffer not created");
            Err(r)
        }
    }
}

/// Gives `buffer` back to the pool (after [`QUARANTINE`] when `uncertain`), or closes it when the
/// pool already has enough of its size.
fn release(
    state: &Arc<State>,
    pool: &Arc<BufferPool>,
    slots: usize,
    buffer: Pubkey,
    uncertain: bool,
) {
    // Given back at once, so the next batch of this size reuses it.
    if !uncertain && pool.give_back(slots, buffer) {
        return;
    }
    let (state, pool) = (state.clone(), pool.clone());
    tokio::spawn(async move {
        if uncertain {
            tokio::time::sleep(QUARANTINE).await;
            if pool.give_back(slots, buffer) {
                return;
            }
        }
        let payer = state.fee_payer.pubkey();
        let ix = close_ix(&state.policy.program_id, &payer, &buffer);
        match send_and_confirm(&state, &[ix]).await {
            Ok(tx) => tracing::info!(%tx, %buffer, slots, "surplus proof buffer closed"),
            Err(r) => tracing::warn!(%buffer, slots, message = %r.message,
                "surplus proof buffer not closed (its rent stays locked)"),
        }
    });
}

/// Settles `ps` (2 < n ≤ [`MAX_BUFFER_BATCH`], same terms, policy account existing, nullifiers
/// not known to be burnt) through a proof buffer: writes (concurrently), then one
/// `verify_batch_from_buffer`. Returns the verify transaction's signature.
pub async fn settle(
    state: &Arc<State>,
    pool: &Arc<BufferPool>,
    ps: &[&CheckedPayment],
) -> Result<String, Failure> {
    let slots = ps.len();
    let program_id = &state.policy.program_id;
    let payer = state.fee_payer.pubkey();
    let buffer = acquire(state, pool, slots)
        .await
        .map_err(Failure::NotVerified)?;

    let per_write = payments_per_write(program_id, &payer, ps[0]);
    let writes: Vec<Instruction> = ps
        .chunks(per_write)
        .enumerate()
        .map(|(i, chunk)| write_ix(program_id, &payer, &buffer, (i * per_write) as u32, chunk))
        .collect();
    let results = futures_util::future::join_all(
        writes
            .iter()
            .map(|ix| send_and_confirm(state, std::slice::from_ref(ix))),
    )
    .await;
    let mut failed = None;
    for r in results {
        match r {
            Ok(_) => state.metrics.inc(
                "facilitator_settle_transactions_total",
                "instruction",
                "write_proof_buffer",
            ),
            Err(r) => {
                if failed
                    .as_ref()
                    .is_none_or(|f: &Rejection| !f.outcome_unknown)
                {
                    failed = Some(r);
                }
            }
        }
    }
    if let Some(r) = failed {
        release(state, pool, slots, buffer, r.outcome_unknown);
        return Err(Failure::NotVerified(r));
    }

    let ixs = verify_tx_ixs(program_id, &payer, &buffer, ps);
    let outcome = send_and_confirm(state, &ixs).await;
    let uncertain = outcome.as_ref().is_err_and(|r| r.outcome_unknown);
    release(state, pool, slots, buffer, uncertain);
    let signature = outcome.map_err(Failure::Verify)?;
    state.metrics.inc(
        "facilitator_settle_transactions_total",
        "instruction",
        "verify_batch_from_buffer",
    );
    state.metrics.settlement_batch(ps.len());
    tracing::info!(tx = %signature, payments = ps.len(), writes = writes.len(), %buffer,
        "payments settled in one verify_batch_from_buffer");
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_account_data_is_the_system_program_encoding() {
        let from = Pubkey::new_from_array([1; 32]);
        let to = Pubkey::new_from_array([2; 32]);
        let owner = Pubkey::new_from_array([3; 32]);
        let ix = create_account_ix(&from, &to, 1_000, 44, &owner);
        assert_eq!(&ix.data[..4], &[0, 0, 0, 0]);
        assert_eq!(&ix.data[4..12], &1_000u64.to_le_bytes());
        assert_eq!(&ix.data[12..20], &44u64.to_le_bytes());
        assert_eq!(&ix.data[20..], owner.as_ref());
        assert!(ix.accounts.iter().all(|m| m.is_signer && m.is_writable));
    }

    #[test]
    fn the_pool_hands_a_buffer_to_one_batch_at_a_time_and_keeps_sizes_apart() {
        let pool = BufferPool::default();
        let (a, b, c) = (
            Pubkey::new_from_array([1; 32]),
            Pubkey::new_from_array([2; 32]),
            Pubkey::new_from_array([3; 32]),
        );
        assert!(pool.give_back(16, a));
        assert!(pool.give_back(16, b));
        assert!(
            !pool.give_back(16, c),
            "a third idle buffer of one size is closed"
        );
        assert_eq!(pool.take(10), None, "no buffer of another size");
        let first = pool.take(16).unwrap();
        let second = pool.take(16).unwrap();
        assert_ne!(first, second);
        assert_eq!(pool.take(16), None, "both are in use");
        assert_eq!(pool.idle(), 0);
    }
}
