//! The nullifier sweeper: returns the rent of expired nullifier accounts to the fee payer.
//!
//! Every settlement creates a `Nullifier` account `{expires_at: i64, rent_payer: Pubkey}` paid by
//! this facilitator's fee payer. Once the validator clock passes `expires_at` no proof for that
//! nullifier can verify any more (docs/PROTOCOL.md), and the program's permissionless
//! `close_expired_nullifiers` closes it, sending its lamports to the recorded `rent_payer`.
//!
//! Each tick (`--sweep-interval-secs`, 0 = off) the sweeper:
//! 1. lists this fee payer's nullifier accounts with one `getProgramAccounts` call, filtered on
//!    the node by `dataSize` ([`NULLIFIER_ACCOUNT_LEN`]) and a `memcmp` of the fee payer at
//!    [`RENT_PAYER_OFFSET`], so it never downloads anyone else's;
//! 2. sets the gauges `facilitator_nullifiers_open` and `facilitator_nullifier_lamports_locked`;
//! 3. picks the accounts with `expires_at < now - EXPIRY_GRACE_SECS` (oldest first) and closes
//!    them in transactions of at most `--sweep-max-per-tx` pairs, at most [`MAX_TXS_PER_TICK`]
//!    transactions per tick (the rest waits for the next tick).
//!
//! Failures are counted (`facilitator_sweep_errors_total{stage}`) and logged; the task never
//! stops on them. Closing is permissionless and independent of `Config.paused`, so the sweeper
//! runs whatever the chain config guard says.
use std::sync::Arc;
use std::time::Duration;

use anchor_client::anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_client::anchor_lang::Discriminator;
use anchor_client::Instruction;
use base64::Engine;
use serde_json::{json, Value};
use solana_signer::Signer;
use x402_zk_verifier::state::Nullifier;

use crate::app::State;
use crate::x402::Reason;

/// Size of a `Nullifier` account: discriminator, `expires_at: i64`, `rent_payer: Pubkey` (48).
pub const NULLIFIER_ACCOUNT_LEN: usize = Nullifier::SPACE;
/// Offset of `expires_at` (little-endian i64) in the account data.
pub const EXPIRES_AT_OFFSET: usize = x402_zk_encoding::layout::nullifier_account::EXPIRES_AT_OFFSET;
/// Offset of `rent_payer` in the account data (the `memcmp` filter): 16.
pub const RENT_PAYER_OFFSET: usize = Nullifier::RENT_PAYER_OFFSET;
/// An account is closed only once `expires_at < now - EXPIRY_GRACE_SECS`: the validator clock
/// may trail this server's by a few seconds, and a close before the chain's `expires_at` fails.
pub const EXPIRY_GRACE_SECS: i64 = 5;
/// Most `close_expired_nullifiers` transactions sent per tick.
pub const MAX_TXS_PER_TICK: usize = 16;
/// Largest `--sweep-max-per-tx`: 24 pairs (24 nullifier keys + fee payer + program) fit one
/// 1,232-byte legacy transaction with room to spare (tested).
pub const MAX_PAIRS_PER_TX: u16 = 24;

/// `--sweep-interval-secs` and `--sweep-max-per-tx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepConfig {
    /// Time between ticks; zero disables the sweeper.
    pub interval: Duration,
    /// Nullifier/rent-payer pairs per transaction (1..=[`MAX_PAIRS_PER_TX`]).
    pub max_per_tx: usize,
}

/// A nullifier account of this fee payer, as the scan saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenNullifier {
    pub address: Pubkey,
    pub expires_at: i64,
    pub lamports: u64,
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Accounts open before closing anything (`None` when the scan failed).
    pub open: Option<usize>,
    /// Their lamports.
    pub lamports_locked: u64,
    /// Accounts expired (eligible) at this tick.
    pub expired: usize,
    /// Accounts closed by this tick's confirmed transactions.
    pub closed: usize,
    /// Lamports those accounts held (returned to the fee payer).
    pub lamports_returned: u64,
    /// Failed scans and transactions.
    pub errors: usize,
}

/// `getProgramAccounts` params: only `program_id`'s accounts of the nullifier size whose
/// `rent_payer` is `rent_payer`.
pub fn scan_params(program_id: &Pubkey, rent_payer: &Pubkey) -> Value {
    json!([program_id.to_string(), {
        "encoding": "base64",
        "commitment": "confirmed",
        "filters": [
            {"dataSize": NULLIFIER_ACCOUNT_LEN},
            {"memcmp": {"offset": RENT_PAYER_OFFSET, "bytes": rent_payer.to_string(), "encoding": "base58"}},
        ],
    }])
}

/// `expires_at` of a nullifier account's data, if it is one (size, discriminator) recording
/// `rent_payer`. The node's filters already select these; this does not trust them.
pub fn decode_nullifier(data: &[u8], rent_payer: &Pubkey) -> Option<i64> {
    if data.len() != NULLIFIER_ACCOUNT_LEN || !data.starts_with(Nullifier::DISCRIMINATOR) {
        return None;
    }
    let payer = data.get(RENT_PAYER_OFFSET..RENT_PAYER_OFFSET + 32)?;
    if payer != rent_payer.as_ref() {
        return None;
    }
    let expires: [u8; 8] = data
        .get(EXPIRES_AT_OFFSET..EXPIRES_AT_OFFSET + 8)?
        .try_into()
        .ok()?;
    Some(i64::from_le_bytes(expires))
}

/// The nullifier accounts of a `getProgramAccounts` result (a bare array, or `{context, value}`),
/// and how many entries were skipped (not a nullifier of `rent_payer`). Errors on a result that
/// is not a list at all.
pub fn parse_scan(
    result: &Value,
    rent_payer: &Pubkey,
) -> Result<(Vec<OpenNullifier>, usize), String> {
    let list = match result {
        Value::Array(a) => a,
        Value::Object(o) => o
            .get("value")
            .and_then(Value::as_array)
            .ok_or("getProgramAccounts: no value list")?,
        _ => return Err("getProgramAccounts: not a list".into()),
    };
    let mut open = Vec::with_capacity(list.len());
    let mut skipped = 0;
    for entry in list {
        let parsed = (|| {
            let address: Pubkey = entry["pubkey"].as_str()?.parse().ok()?;
            let account = &entry["account"];
            let lamports = account["lamports"].as_u64()?;
            let data = base64::engine::general_purpose::STANDARD
                .decode(account["data"][0].as_str()?)
                .ok()?;
            let expires_at = decode_nullifier(&data, rent_payer)?;
            Some(OpenNullifier {
                address,
                expires_at,
                lamports,
            })
        })();
        match parsed {
            Some(n) => open.push(n),
            None => skipped += 1,
        }
    }
    Ok((open, skipped))
}

/// The accounts closeable at unix time `now` (`expires_at < now - EXPIRY_GRACE_SECS`), oldest
/// first (ties by address, so the order is deterministic).
pub fn expired(open: &[OpenNullifier], now: i64) -> Vec<&OpenNullifier> {
    let cutoff = now.saturating_sub(EXPIRY_GRACE_SECS);
    let mut out: Vec<&OpenNullifier> = open.iter().filter(|n| n.expires_at < cutoff).collect();
    out.sort_by(|a, b| {
        (a.expires_at, a.address.to_bytes()).cmp(&(b.expires_at, b.address.to_bytes()))
    });
    out
}

/// Splits `expired` into transactions of at most `max_per_tx` accounts, at most `max_txs`
/// transactions (the rest is left for the next tick).
pub fn plan<'a>(
    expired: &[&'a OpenNullifier],
    max_per_tx: usize,
    max_txs: usize,
) -> Vec<Vec<&'a OpenNullifier>> {
    expired
        .chunks(max_per_tx.max(1))
        .take(max_txs)
        .map(<[_]>::to_vec)
        .collect()
}

/// `close_expired_nullifiers` for `nullifiers`, all recorded as paid by `rent_payer`: no fixed
/// accounts, the remaining accounts are the pairs `[nullifier (writable), rent_payer (writable)]`.
pub fn close_ix(program_id: &Pubkey, rent_payer: &Pubkey, nullifiers: &[Pubkey]) -> Instruction {
    use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
    use x402_zk_verifier::{accounts, instruction};
    let mut metas = accounts::CloseExpiredNullifiers {}.to_account_metas(None);
    for n in nullifiers {
        metas.push(AccountMeta::new(*n, false));
        metas.push(AccountMeta::new(*rent_payer, false));
    }
    Instruction {
        program_id: *program_id,
        accounts: metas,
        data: instruction::CloseExpiredNullifiers {}.data(),
    }
}

fn unix_now() -> i64 {
    i64::try_from(x402_zk_service_kit::clock::unix_now()).unwrap_or(i64::MAX)
}

/// One tick at unix time `now`: scan, set the gauges, close what has expired (bounded).
pub async fn sweep_once(state: &State, now: i64) -> SweepReport {
    let mut report = SweepReport::default();
    let Some(cfg) = state.sweep else {
        return report;
    };
    let program_id = Pubkey::new_from_array(state.policy.program_id);
    let payer = state.fee_payer.pubkey();
    let error = |stage: &str| {
        state
            .metrics
            .inc("facilitator_sweep_errors_total", "stage", stage)
    };
    let scanned = match state
        .rpc
        .call("getProgramAccounts", scan_params(&program_id, &payer))
        .await
    {
        Ok(result) => parse_scan(&result, &payer),
        Err(e) => Err(e.to_string()),
    };
    let open = match scanned {
        Ok((open, skipped)) => {
            if skipped > 0 {
                tracing::warn!(
                    skipped,
                    "sweeper: getProgramAccounts returned entries that are not this fee payer's nullifiers"
                );
            }
            open
        }
        Err(e) => {
            error("scan");
            report.errors += 1;
            tracing::warn!(error = %e, "sweeper: listing nullifier accounts failed");
            return report;
        }
    };
    let mut open_count = open.len();
    let mut locked: u64 = open.iter().map(|n| n.lamports).fold(0, u64::saturating_add);
    report.open = Some(open_count);
    report.lamports_locked = locked;
    let set_gauges = |count: usize, lamports: u64| {
        state
            .metrics
            .set_gauge("facilitator_nullifiers_open", count as u64);
        state
            .metrics
            .set_gauge("facilitator_nullifier_lamports_locked", lamports);
    };
    set_gauges(open_count, locked);

    let due = expired(&open, now);
    report.expired = due.len();
    for chunk in plan(&due, cfg.max_per_tx, MAX_TXS_PER_TICK) {
        let addresses: Vec<Pubkey> = chunk.iter().map(|n| n.address).collect();
        let ix = close_ix(&program_id, &payer, &addresses);
        match crate::settle::send_and_confirm(state, &[ix]).await {
            Ok(signature) => {
                let lamports: u64 = chunk
                    .iter()
                    .map(|n| n.lamports)
                    .fold(0, u64::saturating_add);
                report.closed += chunk.len();
                report.lamports_returned = report.lamports_returned.saturating_add(lamports);
                open_count = open_count.saturating_sub(chunk.len());
                locked = locked.saturating_sub(lamports);
                set_gauges(open_count, locked);
                state
                    .metrics
                    .add("facilitator_nullifiers_closed_total", chunk.len() as u64);
                tracing::info!(tx = %signature, closed = chunk.len(), lamports,
                    "sweeper: closed expired nullifier accounts");
            }
            Err(r) => {
                error("close");
                report.errors += 1;
                tracing::warn!(reason = r.reason.as_str(), error = %r.message, accounts = chunk.len(),
                    "sweeper: close_expired_nullifiers failed");
                if r.reason == Reason::RpcUnavailable {
                    break; // every endpoint is down: try again next tick
                }
            }
        }
    }
    // Expired but still open after this tick (more than the tick's bound, or failed closes).
    state.metrics.set_gauge(
        "facilitator_nullifiers_expired_open",
        report.expired.saturating_sub(report.closed) as u64,
    );
    report
}

/// Delay of the first tick after start-up (or the interval, when shorter).
pub const FIRST_TICK_DELAY: Duration = Duration::from_secs(5);

/// Starts the sweeper on the current runtime when configured (interval > 0). The task holds
/// only a weak reference to the state, so it ends with the server. First tick after
/// `min(interval, FIRST_TICK_DELAY)`.
pub fn start(state: &Arc<State>) {
    let Some(cfg) = state.sweep else { return };
    if cfg.interval.is_zero() {
        return;
    }
    let weak = Arc::downgrade(state);
    tracing::info!(
        interval_secs = cfg.interval.as_secs(),
        max_per_tx = cfg.max_per_tx,
        "nullifier sweeper started"
    );
    tokio::spawn(async move {
        // The first tick soon after start-up (not during it: the chain config check goes first).
        tokio::time::sleep(cfg.interval.min(FIRST_TICK_DELAY)).await;
        loop {
            {
                let Some(state) = weak.upgrade() else { return };
                let r = sweep_once(&state, unix_now()).await;
                if r.closed > 0 || r.errors > 0 {
                    tracing::debug!(?r, "sweeper tick");
                }
            }
            tokio::time::sleep(cfg.interval).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: u8, expires_at: i64) -> OpenNullifier {
        OpenNullifier {
            address: Pubkey::new_from_array([i; 32]),
            expires_at,
            lamports: 1_000_000 + u64::from(i),
        }
    }

    fn data(expires_at: i64, payer: &Pubkey) -> Vec<u8> {
        let mut d = Nullifier::DISCRIMINATOR.to_vec();
        d.extend_from_slice(&expires_at.to_le_bytes());
        d.extend_from_slice(payer.as_ref());
        d
    }

    #[test]
    fn the_layout_is_the_programs() {
        use anchor_client::anchor_lang::AccountSerialize;
        let payer = Pubkey::new_from_array([4; 32]);
        let account = Nullifier {
            expires_at: -2,
            rent_payer: payer,
        };
        let mut bytes = Vec::new();
        account.try_serialize(&mut bytes).unwrap();
        assert_eq!(bytes, data(-2, &payer));
        assert_eq!(bytes.len(), NULLIFIER_ACCOUNT_LEN);
        assert_eq!((NULLIFIER_ACCOUNT_LEN, RENT_PAYER_OFFSET), (48, 16));
        assert_eq!(decode_nullifier(&bytes, &payer), Some(-2));
    }

    #[test]
    fn decode_refuses_other_sizes_discriminators_and_payers() {
        let me = Pubkey::new_from_array([1; 32]);
        let other = Pubkey::new_from_array([2; 32]);
        let good = data(1_700_000_000, &me);
        assert_eq!(decode_nullifier(&good, &me), Some(1_700_000_000));
        assert_eq!(decode_nullifier(&good, &other), None);
        assert_eq!(decode_nullifier(&good[..47], &me), None);
        let mut long = good.clone();
        long.push(0);
        assert_eq!(decode_nullifier(&long, &me), None);
        let mut bad_disc = good.clone();
        bad_disc[0] ^= 1;
        assert_eq!(decode_nullifier(&bad_disc, &me), None);
        assert_eq!(decode_nullifier(&[], &me), None);
    }

    #[test]
    fn scan_filters_select_size_and_rent_payer() {
        let program = Pubkey::new_from_array([9; 32]);
        let me = Pubkey::new_from_array([1; 32]);
        let p = scan_params(&program, &me);
        assert_eq!(p[0], program.to_string());
        assert_eq!(p[1]["encoding"], "base64");
        assert_eq!(p[1]["filters"][0], json!({"dataSize": 48}));
        assert_eq!(
            p[1]["filters"][1],
            json!({"memcmp": {"offset": 16, "bytes": me.to_string(), "encoding": "base58"}})
        );
    }

    #[test]
    fn parse_scan_keeps_this_payers_nullifiers_and_counts_the_rest() {
        let me = Pubkey::new_from_array([1; 32]);
        let other = Pubkey::new_from_array([2; 32]);
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let entry = |addr: u8, d: &[u8], lamports: u64| {
            json!({"pubkey": Pubkey::new_from_array([addr; 32]).to_string(),
                   "account": {"data": [b64(d), "base64"], "lamports": lamports,
                               "owner": "x", "executable": false, "rentEpoch": 0, "space": d.len()}})
        };
        let list = json!([
            entry(10, &data(100, &me), 1_224_960),
            entry(11, &data(200, &other), 1_224_960),
            entry(12, &[0u8; 48], 5),
            {"pubkey": "not base58", "account": {}},
            entry(13, &data(50, &me), 2_000_000),
        ]);
        let (open, skipped) = parse_scan(&list, &me).unwrap();
        assert_eq!(skipped, 3);
        assert_eq!(
            open,
            vec![
                OpenNullifier {
                    address: Pubkey::new_from_array([10; 32]),
                    expires_at: 100,
                    lamports: 1_224_960
                },
                OpenNullifier {
                    address: Pubkey::new_from_array([13; 32]),
                    expires_at: 50,
                    lamports: 2_000_000
                },
            ]
        );
        // `withContext` shape.
        let (open2, _) = parse_scan(&json!({"context": {"slot": 1}, "value": list}), &me).unwrap();
        assert_eq!(open2, open);
        assert!(parse_scan(&json!(null), &me).is_err());
        assert!(parse_scan(&json!({"value": 3}), &me).is_err());
        assert_eq!(parse_scan(&json!([]), &me).unwrap(), (vec![], 0));
    }

    #[test]
    fn expired_means_before_now_minus_grace_oldest_first() {
        let now = 1_000;
        let open = [
            n(1, 994), // now - 6: expired
            n(2, 995), // now - 5: not yet (strictly before now - 5)
            n(3, 1_500),
            n(4, 10),
            n(5, 994),
            n(6, i64::MIN),
        ];
        let due: Vec<u8> = expired(&open, now)
            .iter()
            .map(|n| n.address.to_bytes()[0])
            .collect();
        assert_eq!(due, vec![6, 4, 1, 5]);
        assert!(expired(&open, i64::MIN).is_empty());
        assert!(expired(&[], now).is_empty());
    }

    #[test]
    fn plan_chunks_by_max_per_tx_and_bounds_the_tick() {
        let open: Vec<OpenNullifier> = (0..20).map(|i| n(i, 0)).collect();
        let due: Vec<&OpenNullifier> = open.iter().collect();
        let sizes = |p: &Vec<Vec<&OpenNullifier>>| p.iter().map(Vec::len).collect::<Vec<_>>();
        assert_eq!(sizes(&plan(&due, 8, 16)), vec![8, 8, 4]);
        assert_eq!(sizes(&plan(&due, 8, 2)), vec![8, 8]);
        assert_eq!(sizes(&plan(&due, 20, 16)), vec![20]);
        assert_eq!(sizes(&plan(&due, 0, 3)), vec![1, 1, 1]);
        assert!(plan(&due, 8, 0).is_empty());
        assert!(plan(&[], 8, 16).is_empty());
        // Order kept: the oldest go first.
        let p = plan(&due, 8, 16);
        assert_eq!(p[1][0].address, open[8].address);
    }

    #[test]
    fn close_ix_lists_writable_pairs_and_fits_a_transaction_at_the_maximum() {
        use solana_keypair::Keypair;
        use solana_transaction::Transaction;
        let program = x402_zk_verifier::ID;
        let payer = Keypair::new_from_array([9; 32]);
        let nullifiers: Vec<Pubkey> = (0..MAX_PAIRS_PER_TX)
            .map(|i| Pubkey::new_from_array([i as u8 + 1; 32]))
            .collect();
        let ix = close_ix(&program, &payer.pubkey(), &nullifiers);
        assert_eq!(ix.program_id, program);
        assert_eq!(ix.accounts.len(), 2 * nullifiers.len());
        for (pair, n) in ix.accounts.chunks(2).zip(&nullifiers) {
            assert_eq!(pair[0], AccountMeta::new(*n, false));
            assert_eq!(pair[1], AccountMeta::new(payer.pubkey(), false));
        }
        use anchor_client::anchor_lang::InstructionData;
        assert_eq!(
            ix.data,
            x402_zk_verifier::instruction::CloseExpiredNullifiers {}.data()
        );
        let tx = Transaction::new_signed_with_payer(
            &[ix],
            Some(&payer.pubkey()),
            &[&payer],
            solana_hash::Hash::new_from_array([3; 32]),
        );
        let size = bincode::serialize(&tx).unwrap().len();
        assert!(size <= 1_232, "{size} bytes");
        // Fee payer counted once: nullifiers + payer + program.
        assert_eq!(tx.message.account_keys.len(), nullifiers.len() + 2);
    }
}
