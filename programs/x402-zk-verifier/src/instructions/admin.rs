//! Authority-only instructions that change the config.
use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::{ConfigUpdated, VerifyingKeySet};
use crate::state::{Config, VerifyingKeyAccount, CONFIG_SEED, VK_SEED};
use crate::vk::VK_LEN;

#[derive(Accounts)]
pub struct AdminConfig<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ ErrorCode::Unauthorized,
    )]
    pub config: Account<'info, Config>,
}

impl AdminConfig<'_> {
    fn emit_updated(&self) {
        emit!(ConfigUpdated::of(&self.config));
    }
}

/// The config alone, writable, for `sync_nullifier_rent` (anyone may send it).
#[derive(Accounts)]
pub struct SyncNullifierRent<'info> {
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

/// Sets `Config.nullifier_rent_lamports` to the `Rent` sysvar's current exempt minimum for a
/// nullifier account. Permissionless: it takes no input, so the worst a caller can do is pay the fee.
pub fn sync_nullifier_rent(ctx: Context<SyncNullifierRent>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.nullifier_rent_lamports = crate::instructions::nullifier::nullifier_rent()?;
    emit!(ConfigUpdated::of(config));
    Ok(())
}

pub fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
    ctx.accounts.config.paused = paused;
    ctx.accounts.emit_updated();
    Ok(())
}

/// Replaces the attester key (both coordinates must be < r).
pub fn set_attester(ctx: Context<AdminConfig>, attester: [u8; 64]) -> Result<()> {
    crate::instructions::initialize_config::validate_attester(&attester)?;
    ctx.accounts.config.attester = attester;
    ctx.accounts.emit_updated();
    Ok(())
}

/// Lowers (or keeps) the allowed clock skew (at most `MAX_ALLOWED_CLOCK_SKEW_SECONDS`).
///
/// Never raised: a nullifier burnt under skew `K1` is closed once the Clock passes
/// `now1 + maxAge + K1`; a larger skew later would let the same receipt pass again after that.
pub fn set_max_clock_skew(ctx: Context<AdminConfig>, max_clock_skew_seconds: u32) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.max_clock_skew_seconds = shrink_only(
        config.max_clock_skew_seconds,
        max_clock_skew_seconds,
        crate::state::MAX_ALLOWED_CLOCK_SKEW_SECONDS,
        ErrorCode::ClockSkewTooLarge,
    )?;
    ctx.accounts.emit_updated();
    Ok(())
}

/// Lowers (or keeps) the largest `maxAge` a proof may carry (at most `MAX_RECEIPT_AGE_SECONDS`).
/// Never raised, for the same reason as the clock skew (see `close_expired_nullifiers`).
pub fn set_max_receipt_age(ctx: Context<AdminConfig>, max_receipt_age_seconds: u32) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.max_receipt_age_seconds = shrink_only(
        config.max_receipt_age_seconds,
        max_receipt_age_seconds,
        crate::state::MAX_RECEIPT_AGE_SECONDS,
        ErrorCode::ReceiptAgeTooLarge,
    )?;
    ctx.accounts.emit_updated();
    Ok(())
}

/// The rule both parts of a receipt's lifetime follow: `new` must be within the program's `max`
/// (`too_large` otherwise) and may not exceed `current` (`LifetimeMayOnlyShrink`).
fn shrink_only(current: u32, new: u32, max: u32, too_large: ErrorCode) -> Result<u32> {
    if new > max {
        return Err(too_large.into());
    }
    require!(new <= current, ErrorCode::LifetimeMayOnlyShrink);
    Ok(new)
}

/// `set_verifying_key`: the config authority, the config and the key account.
#[derive(Accounts)]
pub struct SetVerifyingKey<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ ErrorCode::Unauthorized,
    )]
    pub config: Account<'info, Config>,
    #[account(mut, seeds = [VK_SEED], bump = verifying_key.bump)]
    pub verifying_key: Box<Account<'info, VerifyingKeyAccount>>,
}

/// Replaces the verifying key with `key` (the ceremony's `solana_vk.bin` bytes, checked by
/// `vk::validate_key`) and sets `Config.vk_hash` to its SHA-256, computed here. Proofs for the
/// previous key stop verifying at once; emits `VerifyingKeySet` and `ConfigUpdated`.
pub fn set_verifying_key(ctx: Context<SetVerifyingKey>, key: [u8; VK_LEN]) -> Result<()> {
    let key = crate::vk::validate_key(&key)?;
    let hash = crate::vk::key_hash(&key);
    let previous = ctx.accounts.config.vk_hash;
    let vk = &mut ctx.accounts.verifying_key;
    vk.key = key;
    vk.vk_hash = hash;
    ctx.accounts.config.vk_hash = hash;
    emit!(VerifyingKeySet {
        authority: ctx.accounts.authority.key(),
        verifying_key: ctx.accounts.verifying_key.key(),
        previous_vk_hash: previous,
        vk_hash: hash,
        slot: Clock::get()?.slot,
    });
    emit!(ConfigUpdated::of(&ctx.accounts.config));
    Ok(())
}
