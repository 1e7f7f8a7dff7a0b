//! Optional settlement batching (`--batch-max N --batch-window-ms T`): `/settle` calls that arrive
//! within T ms of the first (up to N) are settled together. Payments with the same merchant and
//! terms (`payTo`, asset, minimum, maxAge) share one `verify_batch` transaction — one signature, one
//! fee, n + 3 pairings instead of 4n — and each caller still gets its own `SettleResponse` (with
//! the shared transaction signature).
//!
//! Each payment reaches the queue holding its nullifier's claim ([`crate::claims`]), so one
//! nullifier is never queued twice; should it happen anyway, the duplicate is answered
//! `nullifier_already_used` without a transaction.
//!
//! `verify_batch` carries the proofs in instruction data, so one transaction holds as many as fit
//! in 1,232 bytes (two proofs); a larger group is split into several transactions. The batch is
//! all-or-nothing on-chain: when its transaction fails (a proof's `now` left the clock window,
//! a nullifier was burnt meanwhile), every payment of it is retried alone through the normal
//! `verify_payment` path, so one bad payment never fails the others. Off = `--batch-max 1`
//! (default): every `/settle` sends its own `verify_payment`, as before.
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use anchor_client::anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
use anchor_client::Instruction;
use solana_signer::Signer;
use solana_transaction::Transaction;
use tokio::sync::{mpsc, oneshot};

use crate::app::State;
use crate::settle::{
    compute_budget_ix, config_and_vk_pdas, nullifier_pda, nullifier_spent, payment_proof,
    send_and_confirm, settle, spent, Settled,
};
use crate::verify::CheckedPayment;
use crate::x402::{Reason, Rejection};

/// Largest serialized transaction the cluster accepts (`PACKET_DATA_SIZE`).
pub const MAX_TX_BYTES: usize = 1232;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchConfig {
    /// Most payments collected before settling (1 = batching off).
    pub max: usize,
    /// How long the first payment of a batch waits for others.
    pub window: Duration,
}

type Reply = oneshot::Sender<Result<Settled, Rejection>>;

struct Job {
    payment: CheckedPayment,
    reply: Reply,
}

/// The queue `/settle` hands payments to when batching is on.
pub struct Batcher {
    tx: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the collector task on the current tokio runtime. It holds only a weak reference to
    /// the state, so it ends when the server does.
    pub fn start(state: &Arc<State>, cfg: BatchConfig) -> Batcher {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(collect(Arc::downgrade(state), rx, cfg));
        Batcher { tx }
    }

    /// Queues a payment and waits for its outcome.
    pub async fn settle(&self, payment: CheckedPayment) -> Result<Settled, Rejection> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { payment, reply })
            .await
            .map_err(|_| Rejection::new(Reason::SettlementFailed, "settlement queue stopped"))?;
        answer.await.unwrap_or_else(|_| {
            Err(Rejection::new(
                Reason::SettlementFailed,
                "settlement worker stopped before answering",
            ))
        })
    }
}

async fn collect(state: Weak<State>, mut rx: mpsc::Receiver<Job>, cfg: BatchConfig) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let deadline = tokio::time::Instant::now() + cfg.window;
        while jobs.len() < cfg.max {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(job)) => jobs.push(job),
                Ok(None) | Err(_) => break,
            }
        }
        let Some(state) = state.upgrade() else { return };
        // Settle in the background: the next batch starts collecting at once.
        tokio::spawn(settle_jobs(state, jobs));
    }
}

/// Payments that may share one `verify_batch`: same merchant and terms.
type GroupKey = ([u8; 32], [u8; 32], u64, u64);

fn group_key(p: &CheckedPayment) -> GroupKey {
    (
        p.public.pay_to,
        p.public.asset,
        p.public.min_amount,
        p.public.max_age,
    )
}

/// Splits collected payments into transactions: grouped by merchant and terms, each group cut into
/// runs whose `verify_batch` transaction fits [`MAX_TX_BYTES`]; a nullifier seen twice goes to
/// `duplicates` (refused with `nullifier_already_used`, never sent). Returns indexes into
/// `payments`: `(transactions, duplicates)`.
pub fn plan(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    payments: &[&CheckedPayment],
) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = Vec::new();
    for (i, p) in payments.iter().enumerate() {
        if seen.insert(p.nullifier_be) {
            groups.entry(group_key(p)).or_default().push(i);
        } else {
            duplicates.push(i);
        }
    }
    let mut txs = Vec::new();
    for (_, members) in groups {
        let mut run: Vec<usize> = Vec::new();
        for i in members {
            run.push(i);
            let ps: Vec<&CheckedPayment> = run.iter().map(|&j| payments[j]).collect();
            if run.len() > 1 && tx_size(program_id, fee_payer, &ps) > MAX_TX_BYTES {
                run.pop();
                txs.push(std::mem::replace(&mut run, vec![i]));
            }
        }
        if !run.is_empty() {
            txs.push(run);
        }
    }
    (txs, duplicates)
}

/// Serialized size of the (signed) settlement transaction for `ps`.
fn tx_size(program_id: &[u8; 32], fee_payer: &Pubkey, ps: &[&CheckedPayment]) -> usize {
    let ixs = [
        compute_budget_ix(batch_compute_units(ps.len())),
        verify_batch_ix(program_id, fee_payer, ps),
    ];
    let tx = Transaction::new_with_payer(&ixs, Some(fee_payer));
    bincode::serialize(&tx).map_or(usize::MAX, |b| b.len())
}

/// Compute budget: ≈ 155k CU measured for two proofs with nullifiers, ≈ 50k per further proof.
fn batch_compute_units(n: usize) -> u32 {
    (150_000 + 80_000 * n as u32).min(1_400_000)
}

/// The `verify_batch` instruction: the shared policy account, one `PaymentProof` and one nullifier
/// PDA (writable, in proof order) per payment. All payments must share merchant and terms.
pub fn verify_batch_ix(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    ps: &[&CheckedPayment],
) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    let program = Pubkey::new_from_array(*program_id);
    let (config, verifying_key) = config_and_vk_pdas(&program);
    let policy = crate::policy_account::policy_pda(
        program_id,
        &crate::policy_account::policy_hash(&ps[0].public),
    );
    let payments = ps.iter().map(|p| payment_proof(p)).collect();
    let mut metas = accounts::VerifyBatch {
        payer: *fee_payer,
        config,
        verifying_key,
        policy,
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
        data: instruction::VerifyBatch { payments }.data(),
    }
}

async fn settle_jobs(state: Arc<State>, jobs: Vec<Job>) {
    let payer = state.fee_payer.pubkey();
    let payments: Vec<&CheckedPayment> = jobs.iter().map(|j| &j.payment).collect();
    let (txs, duplicates) = plan(&state.policy.program_id, &payer, &payments);
    let mut outcomes: Vec<Option<Result<Settled, Rejection>>> = jobs.iter().map(|_| None).collect();
    for i in duplicates {
        outcomes[i] = Some(Err(spent()));
    }
    for run in txs {
        settle_run(&state, &payments, &run, &mut outcomes).await;
    }
    for (job, outcome) in jobs.into_iter().zip(outcomes) {
        let outcome = outcome.unwrap_or_else(|| {
            Err(Rejection::new(
                Reason::SettlementFailed,
                "payment was not settled",
            ))
        });
        let _ = job.reply.send(outcome);
    }
}

async fn settle_run(
    state: &State,
    payments: &[&CheckedPayment],
    run: &[usize],
    outcomes: &mut [Option<Result<Settled, Rejection>>],
) {
    // Already-burnt nullifiers are refused now (`nullifier_already_used`), like `settle` does.
    let mut pending = Vec::new();
    for &i in run {
        match nullifier_spent(state, payments[i]).await {
            Ok(false) => pending.push(i),
            Ok(true) => outcomes[i] = Some(Err(spent())),
            // The status is unknown: the single path answers it.
            Err(_) => outcomes[i] = Some(settle(state, payments[i]).await),
        }
    }
    if pending.len() < 2 {
        for i in pending {
            outcomes[i] = Some(settle(state, payments[i]).await);
        }
        return;
    }
    let ps: Vec<&CheckedPayment> = pending.iter().map(|&i| payments[i]).collect();
    let payer = state.fee_payer.pubkey();
    // The batch's policy account must exist: registered first, in its own transaction, when it
    // is not known to (a batch transaction has no room for `register_policy`).
    match crate::policy_account::prerequisites(state, &ps[0].public).await {
        Ok(register) if register.is_empty() => {}
        Ok(register) => {
            let mut ixs = vec![compute_budget_ix(100_000)];
            ixs.extend(register);
            if send_and_confirm(state, &ixs).await.is_ok() {
                crate::policy_account::registered(state, &ps[0].public).await;
            }
            // On failure the batch below fails too and every payment is settled alone (which
            // registers the policy with its own verification).
        }
        Err(_) => {}
    }
    let ixs = [
        compute_budget_ix(batch_compute_units(ps.len())),
        verify_batch_ix(&state.policy.program_id, &payer, &ps),
    ];
    match send_and_confirm(state, &ixs).await {
        Ok(signature) => {
            state.metrics.inc(
                "facilitator_settle_transactions_total",
                "instruction",
                "verify_batch",
            );
            state.metrics.settlement_batch(ps.len());
            tracing::info!(tx = %signature, payments = ps.len(), "payments settled in one verify_batch");
            for i in pending {
                outcomes[i] = Some(Ok(Settled {
                    signature: signature.clone(),
                }));
            }
        }
        Err(r) if r.outcome_unknown => {
            // It may still land: settling each alone now could only fail, or burn a nullifier
            // whose caller was told "failed". Report the unknown outcome to each.
            tracing::warn!(reason = r.reason.as_str(), message = %r.message, payments = ps.len(),
                "verify_batch outcome unknown");
            for i in pending {
                outcomes[i] = Some(Err(r.clone()));
            }
        }
        Err(r) => {
            tracing::warn!(reason = r.reason.as_str(), message = %r.message, payments = ps.len(),
                "verify_batch failed; settling each payment alone");
            for i in pending {
                outcomes[i] = Some(settle(state, payments[i]).await);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use x402_zk_circuits::babyjubjub::Point;
    use x402_zk_circuits::receipt::PublicParams;

    fn payment(pay_to: u8, nullifier: u64) -> CheckedPayment {
        let n = Fr::from(nullifier);
        CheckedPayment {
            public: PublicParams {
                attester: Point::base8(),
                pay_to: [pay_to; 32],
                asset: [0; 32],
                min_amount: 1_000_000,
                now: 1_764_000_000,
                max_age: 600,
                resource_hash: Fr::from(7u64),
                program_id: [9; 32],
            },
            nullifier: n,
            nullifier_be: x402_zk_circuits::field::fr_to_be_bytes(&n),
            proof: [1; 256],
            pub_hash: Fr::from(0u64),
        }
    }

    #[test]
    fn groups_by_merchant_and_cuts_runs_to_the_transaction_size() {
        let payer = Pubkey::new_from_array([5; 32]);
        let ps = [
            payment(1, 1),
            payment(2, 2),
            payment(1, 3),
            payment(1, 4),
            payment(1, 3), // the same nullifier again
        ];
        let refs: Vec<&CheckedPayment> = ps.iter().collect();
        let (txs, duplicates) = plan(&[9; 32], &payer, &refs);
        // Merchant 1: three distinct payments, two fit one transaction; merchant 2: one.
        assert_eq!(txs, vec![vec![0, 2], vec![3], vec![1]]);
        assert_eq!(duplicates, vec![4]);
        let two: Vec<&CheckedPayment> = vec![&ps[0], &ps[2]];
        let three: Vec<&CheckedPayment> = vec![&ps[0], &ps[2], &ps[3]];
        assert!(tx_size(&[9; 32], &payer, &two) <= MAX_TX_BYTES);
        assert!(tx_size(&[9; 32], &payer, &three) > MAX_TX_BYTES);
    }

    #[test]
    fn batch_instruction_lists_one_writable_nullifier_pda_per_proof_in_order() {
        let payer = Pubkey::new_from_array([5; 32]);
        let ps = [payment(1, 1), payment(1, 2)];
        let refs: Vec<&CheckedPayment> = ps.iter().collect();
        let ix = verify_batch_ix(&[9; 32], &payer, &refs);
        let tail = &ix.accounts[ix.accounts.len() - 2..];
        for (meta, p) in tail.iter().zip(&ps) {
            assert_eq!(meta.pubkey, nullifier_pda(&[9; 32], &p.nullifier_be));
            assert!(meta.is_writable && !meta.is_signer);
        }
    }
}
