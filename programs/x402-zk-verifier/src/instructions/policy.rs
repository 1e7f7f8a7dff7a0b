//! `register_policy` / `close_policy`: a merchant's terms hashed once into a `Policy` PDA
//! `[b"policy", policyHash]`, which every verify path then reads instead of hashing the terms per
//! proof; and [`check_policy`], what a verification requires of it.
//!
//! Registration is permissionless (the payer pays the rent): the program computes `policyHash`
//! from the config's attester and domain and the given terms, so the account's content is correct
//! by construction whoever registers it, and its address is a function of that content. An
//! already registered policy is left as it is (registering is idempotent), so a facilitator may
//! put `register_policy` in front of a verification whenever it is not sure the account exists.
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

use crate::errors::ErrorCode;
use crate::events::{PolicyClosed, PolicyRegistered};
use crate::instructions::nullifier::{create_pda, require_max_age};
use crate::public_input::policy_hash;
use crate::state::{Config, Policy, CONFIG_SEED, POLICY_SEED};

#[derive(Accounts)]
pub struct RegisterPolicy<'info> {
    /// Pays the policy account's rent (recorded as its `rent_payer`).
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// CHECK: the PDA `[b"policy", policyHash]` for the hash computed in the handler (checked
    /// there; created there unless it already holds this policy).
    #[account(mut)]
    pub policy: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn register_policy(
    ctx: Context<RegisterPolicy>,
    pay_to: Pubkey,
    asset: Pubkey,
    min_amount: u64,
    max_age: u64,
) -> Result<()> {
    let config = &ctx.accounts.config;
    require_max_age(config, max_age)?;
    let hash = policy_hash(
        &config.attester,
        &config.domain,
        &pay_to,
        &asset,
        min_amount,
        max_age,
    )?;
    let account = ctx.accounts.policy.to_account_info();
    let (expected, bump) = crate::pda::find_program_address(&[POLICY_SEED, &hash], ctx.program_id)
        .ok_or_else(|| error!(ErrorCode::PolicyAccountMismatch))?;
    require_keys_eq!(account.key(), expected, ErrorCode::PolicyAccountMismatch);
    if account.owner == ctx.program_id && account.data_len() > 0 {
        // Registered before: the address is a function of the content, nothing to do.
        return Ok(());
    }
    let bump_seed = [bump];
    create_pda(
        ctx.program_id,
        &*ctx.accounts.payer,
        &account,
        &[POLICY_SEED, &hash, &bump_seed],
        Policy::SPACE,
        Rent::get()?.minimum_balance(Policy::SPACE),
    )?;
    let policy = Policy {
        policy_hash: hash,
        pay_to,
        asset,
        min_amount,
        max_age,
        attester: config.attester,
        rent_payer: ctx.accounts.payer.key(),
        bump,
    };
    {
        let mut data = account.try_borrow_mut_data()?;
        let out: &mut [u8] = &mut data;
        let disc = Policy::DISCRIMINATOR;
        out[..disc.len()].copy_from_slice(disc);
        let mut w = &mut out[disc.len()..];
        policy.serialize(&mut w)?;
    }
    emit!(PolicyRegistered {
        policy: account.key(),
        policy_hash: hash,
        pay_to,
        asset,
        min_amount,
        max_age,
        rent_payer: policy.rent_payer,
    });
    Ok(())
}

#[derive(Accounts)]
pub struct ClosePolicy<'info> {
    /// The policy's recorded rent payer; gets the rent back.
    #[account(mut)]
    pub rent_payer: Signer<'info>,
    #[account(mut, close = rent_payer, has_one = rent_payer @ ErrorCode::RentPayerMismatch)]
    pub policy: Account<'info, Policy>,
}

pub fn close_policy(ctx: Context<ClosePolicy>) -> Result<()> {
    emit!(PolicyClosed {
        policy: ctx.accounts.policy.key(),
        policy_hash: ctx.accounts.policy.policy_hash,
    });
    Ok(())
}

/// What a verification requires of a policy under the config as it is now: made under the current
/// attester (`PolicyStale` otherwise: its `policyHash` binds the old key, whose receipts the
/// config no longer accepts), and a `maxAge` within the current cap (`ReceiptAgeTooLarge`: the
/// nullifier lifetime argument in `nullifier::expires_at` needs the cap enforced at verify time,
/// not only at registration, because the cap may have been lowered since).
pub fn check_policy(config: &Config, policy: &Policy) -> Result<()> {
    require!(policy.attester == config.attester, ErrorCode::PolicyStale);
    require_max_age(config, policy.max_age)
}
