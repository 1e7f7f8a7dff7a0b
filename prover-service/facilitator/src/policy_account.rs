//! The merchant `Policy` account every verify instruction takes (`[b"policy", policyHash]`,
//! `x402_zk_encoding::layout::policy_seeds`): derived from the payment requirements, made to exist
//! before a settlement (`register_policy` in the same transaction when it is not known to exist),
//! and remembered once seen on chain.
//!
//! `register_policy` is idempotent on chain (an existing policy is left as it is), so putting it in
//! front of a `verify_payment` whose policy a concurrent settlement is registering at the same time
//! is harmless. The rent it costs (one account of `policy_account::SPACE` bytes, paid by the fee
//! payer) is counted in `facilitator_policy_rent_lamports_total`.
use std::collections::HashSet;
use std::sync::Mutex;

use anchor_client::anchor_lang::prelude::Pubkey;
use anchor_client::anchor_lang::{InstructionData, ToAccountMetas};
use anchor_client::Instruction;
use serde_json::json;
use x402_zk_circuits::receipt::PublicParams;

use crate::app::State;
use crate::rpc::RpcError;

/// `policyHash` of the payment's terms (attester, payTo, asset, minAmount, maxAge, domain), 32
/// bytes big-endian: what the program computes in `register_policy`.
pub fn policy_hash(p: &PublicParams) -> [u8; 32] {
    x402_zk_circuits::field::fr_to_be_bytes(&p.policy_hash())
}

/// The policy PDA for `policy_hash`.
pub fn policy_pda(program_id: &[u8; 32], policy_hash: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &x402_zk_encoding::layout::policy_seeds(policy_hash),
        &Pubkey::new_from_array(*program_id),
    )
    .0
}

/// The `register_policy` instruction for the payment's terms (payer: the fee payer).
pub fn register_policy_ix(
    program_id: &[u8; 32],
    fee_payer: &Pubkey,
    p: &PublicParams,
) -> Instruction {
    use x402_zk_verifier::{accounts, instruction};
    let program = Pubkey::new_from_array(*program_id);
    let (config, _) = crate::settle::config_and_vk_pdas(&program);
    let accounts = accounts::RegisterPolicy {
        payer: *fee_payer,
        config,
        policy: policy_pda(program_id, &policy_hash(p)),
        system_program: anchor_client::anchor_lang::system_program::ID,
    };
    Instruction {
        program_id: program,
        accounts: accounts.to_account_metas(None),
        data: instruction::RegisterPolicy {
            pay_to: Pubkey::new_from_array(p.pay_to),
            asset: Pubkey::new_from_array(p.asset),
            min_amount: p.min_amount,
            max_age: p.max_age,
        }
        .data(),
    }
}

/// Policy hashes seen on chain (or registered by this process). Bounded: a facilitator serves a
/// few merchant offers; past [`PolicyCache::MAX`] entries it forgets them all (they are re-read).
#[derive(Default)]
pub struct PolicyCache {
    known: Mutex<HashSet<[u8; 32]>>,
}

impl PolicyCache {
    /// Most policies remembered.
    pub const MAX: usize = 1024;

    pub fn contains(&self, h: &[u8; 32]) -> bool {
        self.known.lock().expect("policy cache").contains(h)
    }

    pub fn insert(&self, h: [u8; 32]) {
        let mut k = self.known.lock().expect("policy cache");
        if k.len() >= Self::MAX {
            k.clear();
        }
        k.insert(h);
    }
}

/// The instructions that must precede a verification under `p`'s policy: none when the policy
/// account is known to exist (cache, else read at `confirmed`), else `register_policy`.
pub async fn prerequisites(state: &State, p: &PublicParams) -> Result<Vec<Instruction>, RpcError> {
    let h = policy_hash(p);
    if state.policies.contains(&h) {
        return Ok(vec![]);
    }
    let pda = policy_pda(&state.policy.program_id, &h);
    let program = bs58::encode(state.policy.program_id).into_string();
    let exists = state
        .rpc
        .account(&pda.to_string(), "confirmed")
        .await?
        .is_some_and(|a| a.owner == program && !a.data.is_empty());
    if exists {
        state.policies.insert(h);
        return Ok(vec![]);
    }
    Ok(vec![register_policy_ix(
        &state.policy.program_id,
        &solana_signer::Signer::pubkey(&state.fee_payer),
        p,
    )])
}

/// After a confirmed transaction that carried `register_policy` for `p`: remembers the policy and
/// counts the rent it cost (the rent-exempt minimum of the account, read from the node).
pub async fn registered(state: &State, p: &PublicParams) {
    state.policies.insert(policy_hash(p));
    state
        .metrics
        .add("facilitator_policies_registered_total", 1);
    let space = x402_zk_encoding::layout::policy_account::SPACE;
    match state
        .rpc
        .call("getMinimumBalanceForRentExemption", json!([space]))
        .await
    {
        Ok(v) => {
            let lamports = v.as_u64().unwrap_or(0);
            state
                .metrics
                .add("facilitator_policy_rent_lamports_total", lamports);
            tracing::info!(lamports, "policy account registered");
        }
        Err(e) => tracing::warn!(error = %e, "policy registered; its rent could not be read"),
    }
}
