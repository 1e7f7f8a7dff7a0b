//! Optional settlement batching (`--batch-max N --batch-window-ms T`): `/settle` calls that arrive
//! within T ms of the first (up to N) are settled together. Payments with the same merchant and
//! terms (`payTo`, asset, minimum, maxAge) share one verification — one pairing product of n + 3
//! pairings instead of 4n — and each caller still gets its own `SettleResponse` (with the shared
//! signature of the verifying transaction).
//!
//! Each payment reaches the queue holding its nullifier's claim ([`crate::claims`]), so one
//! nullifier is never queued twice; should it happen anyway, the duplicate is answered
//! `nullifier_already_used` without a transaction.
//!
//! A group is cut into runs of at most [`MAX_BUFFER_BATCH`] (16) payments ([`plan`]). A run of two
//! goes inline: `verify_batch` carries the proofs in instruction data, and 1,232 bytes hold two.
//! A longer run goes through a proof buffer ([`crate::proof_buffer`]): the proofs are written in
//! `write_proof_buffer` transactions (three each, sent concurrently), then one
//! `verify_batch_from_buffer` verifies them all and burns their nullifiers. A run of one (or what
//! is left of a run once already-burnt nullifiers are refused) is settled alone.
//!
//! The verification is all-or-nothing on-chain: when it fails (a proof's `now` left the clock
//! window, a nullifier was burnt meanwhile), or a buffer could not be created or written (nothing
//! was verified then), every payment of the run is retried alone through the normal
//! `verify_payment` path, so one bad payment never fails the others. When the verifying
//! transaction's outcome is unknown, each caller is told so (it may still land: settling alone
//! could burn a nullifier whose caller was told "failed"). Off = `--batch-max 1` (default): every
//! `/settle` sends its own `verify_payment`, as before.
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use anchor_client::anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
use anchor_client::Instruction;
use solana_signer::Signer;
use tokio::sync::{mpsc, oneshot};

use crate::app::State;
use crate::proof_buffer::{BufferPool, Failure, MAX_BUFFER_BATCH};
use crate::settle::{
    compute_budget_ix, config_and_vk_pdas, nullifier_pda, nullifier_spent, payment_proof,
    send_and_confirm, settle, spent, Settled,
};
use crate::verify::CheckedPayment;
use crate::x402::{Reason, Rejection};

/// Largest serialized transaction the cluster accepts (`PACKET_DATA_SIZE`).
pub const MAX_TX_BYTES: usize = 1232;

/// Most payments one inline `verify_batch` transaction holds (checked against [`MAX_TX_BYTES`] in
/// the tests); longer runs go through a proof buffer.
pub const MAX_INLINE: usize = 2;

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
        let pool = Arc::new(BufferPool::default());
        tokio::spawn(collect(Arc::downgrade(state), rx, cfg, pool));
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

async fn collect(
    state: Weak<State>,
    mut rx: mpsc::Receiver<Job>,
    cfg: BatchConfig,
    pool: Arc<BufferPool>,
) {
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
        tokio::spawn(settle_jobs(state, pool.clone(), jobs));
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

/// How a run of payments (after already-burnt ones are refused) is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `verify_payment`, one per payment.
    Alone,
    /// One inline `verify_batch` transaction.
    Inline,
    /// Proof-buffer writes, then one `verify_batch_from_buffer`.
    Buffer,
}

pub fn route(n: usize) -> Route {
    match n {
        0 | 1 => Route::Alone,
        n if n <= MAX_INLINE => Route::Inline,
        _ => Route::Buffer,
    }
}

/// Splits collected payments into runs: grouped by merchant and terms, each group cut into runs of
/// at most [`MAX_BUFFER_BATCH`]; a nullifier seen twice goes to `duplicates` (refused with
/// `nullifier_already_used`, never sent). Returns indexes into `payments`: `(runs, duplicates)`.
pub fn plan(payments: &[&CheckedPayment]) -> (Vec<Vec<usize>>, Vec<usize>) {
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
    let runs = groups
        .into_values()
        .flat_map(|members| {
            members
                .chunks(MAX_BUFFER_BATCH)
                .map(<[usize]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect();
    (runs, duplicates)
}

/// Serialized size of the (signed) inline `verify_batch` transaction for `ps`.
#[cfg(test)]
fn tx_size(program_id: &[u8; 32], fee_payer: &Pubkey, ps: &[&CheckedPayment]) -> usize {
    let ixs = [
        compute_budget_ix(x402_zk_encoding::compute::inline_batch(
            &crate::settle::nullifier_bumps(program_id, ps),
        )),
        verify_batch_ix(program_id, fee_payer, ps),
    ];
    let tx = solana_transaction::Transaction::new_with_payer(&ixs, Some(fee_payer));
    bincode::serialize(&tx).map_or(usize::MAX, |b| b.len())
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

async fn settle_jobs(state: Arc<State>, pool: Arc<BufferPool>, jobs: Vec<Job>) {
    let payments: Vec<&CheckedPayment> = jobs.iter().map(|j| &j.payment).collect();
    let (runs, duplicates) = plan(&payments);
    let mut outcomes: Vec<Option<Result<Settled, Rejection>>> = jobs.iter().map(|_| None).collect();
    for i in duplicates {
        outcomes[i] = Some(Err(spent()));
    }
    for run in runs {
        settle_run(&state, &pool, &payments, &run, &mut outcomes).await;
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
    state: &Arc<State>,
    pool: &Arc<BufferPool>,
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
    let route = route(pending.len());
    if route == Route::Alone {
        for i in pending {
            outcomes[i] = Some(settle(state, payments[i]).await);
        }
        return;
    }
    let ps: Vec<&CheckedPayment> = pending.iter().map(|&i| payments[i]).collect();
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
    let result = match route {
        Route::Buffer => crate::proof_buffer::settle(state, pool, &ps).await,
        Route::Inline | Route::Alone => settle_inline(state, &ps).await.map_err(Failure::Verify),
    };
    match result {
        Ok(signature) => {
            for i in pending {
                outcomes[i] = Some(Ok(Settled {
                    signature: signature.clone(),
                }));
            }
        }
        Err(Failure::Verify(r)) if r.outcome_unknown => {
            // It may still land: settling each alone now could only fail, or burn a nullifier
            // whose caller was told "failed". Report the unknown outcome to each.
            tracing::warn!(reason = r.reason.as_str(), message = %r.message, payments = ps.len(),
                ?route, "batch verification outcome unknown");
            for i in pending {
                outcomes[i] = Some(Err(r.clone()));
            }
        }
        Err(Failure::Verify(r) | Failure::NotVerified(r)) => {
            tracing::warn!(reason = r.reason.as_str(), message = %r.message, payments = ps.len(),
                ?route, "batch not verified; settling each payment alone");
            for i in pending {
                outcomes[i] = Some(settle(state, payments[i]).await);
            }
        }
    }
}

/// One inline `verify_batch` transaction for `ps` (at most [`MAX_INLINE`]).
async fn settle_inline(state: &State, ps: &[&CheckedPayment]) -> Result<String, Rejection> {
    let payer = state.fee_payer.pubkey();
    let bumps = crate::settle::nullifier_bumps(&state.policy.program_id, ps);
    let ixs = [
        compute_budget_ix(x402_zk_encoding::compute::inline_batch(&bumps)),
        verify_batch_ix(&state.policy.program_id, &payer, ps),
    ];
    let signature = send_and_confirm(state, &ixs).await?;
    state.metrics.inc(
        "facilitator_settle_transactions_total",
        "instruction",
        "verify_batch",
    );
    state.metrics.settlement_batch(ps.len());
    tracing::info!(tx = %signature, payments = ps.len(), "payments settled in one verify_batch");
    Ok(signature)
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
    fn groups_by_merchant_and_cuts_runs_of_at_most_sixteen() {
        // Merchant 1: 20 distinct payments and a repeated nullifier; merchant 2: one payment.
        let mut ps: Vec<CheckedPayment> = (0..20).map(|n| payment(1, 100 + n)).collect();
        ps.push(payment(2, 7));
        ps.push(payment(1, 105)); // the same nullifier again
        ps.push(payment(1, 200));
        let refs: Vec<&CheckedPayment> = ps.iter().collect();
        let (runs, duplicates) = plan(&refs);
        let first: Vec<usize> = (0..16).collect();
        let mut second: Vec<usize> = (16..20).collect();
        second.push(22);
        assert_eq!(runs, vec![first, second, vec![20]]);
        assert_eq!(duplicates, vec![21]);
        assert_eq!(
            runs.iter().map(|r| route(r.len())).collect::<Vec<_>>(),
            vec![Route::Buffer, Route::Buffer, Route::Alone]
        );
    }

    #[test]
    fn terms_other_than_the_merchant_split_groups_too() {
        let mut other_min = payment(1, 2);
        other_min.public.min_amount += 1;
        let mut other_age = payment(1, 3);
        other_age.public.max_age += 1;
        let mut other_asset = payment(1, 4);
        other_asset.public.asset = [1; 32];
        let mut other_now = payment(1, 5);
        other_now.public.now += 30; // `now` is not a term: same group
        let ps = [payment(1, 1), other_min, other_age, other_asset, other_now];
        let refs: Vec<&CheckedPayment> = ps.iter().collect();
        let (mut runs, duplicates) = plan(&refs);
        runs.sort();
        assert_eq!(runs, vec![vec![0, 4], vec![1], vec![2], vec![3]]);
        assert!(duplicates.is_empty());
    }

    #[test]
    fn two_go_inline_more_go_through_the_buffer() {
        assert_eq!(route(0), Route::Alone);
        assert_eq!(route(1), Route::Alone);
        assert_eq!(route(2), Route::Inline);
        for n in 3..=MAX_BUFFER_BATCH {
            assert_eq!(route(n), Route::Buffer, "n = {n}");
        }
    }

    #[test]
    fn inline_holds_two_and_the_buffer_transactions_fit() {
        let payer = Pubkey::new_from_array([5; 32]);
        let ps: Vec<CheckedPayment> = (0..MAX_BUFFER_BATCH as u64)
            .map(|n| payment(1, n + 1))
            .collect();
        let refs: Vec<&CheckedPayment> = ps.iter().collect();
        assert!(tx_size(&[9; 32], &payer, &refs[..MAX_INLINE]) <= MAX_TX_BYTES);
        assert!(tx_size(&[9; 32], &payer, &refs[..MAX_INLINE + 1]) > MAX_TX_BYTES);
        // Writes: three payments a transaction (no compute-budget instruction).
        let per_write = crate::proof_buffer::payments_per_write(&[9; 32], &payer, refs[0]);
        assert_eq!(per_write, 3);
        // The verify transaction of a full buffer batch (16 nullifier accounts) fits.
        let size = crate::proof_buffer::verify_tx_size(&[9; 32], &payer, &refs);
        assert!(size <= MAX_TX_BYTES, "{size} bytes");
        println!("verify_batch_from_buffer transaction, 16 payments: {size} bytes");
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
