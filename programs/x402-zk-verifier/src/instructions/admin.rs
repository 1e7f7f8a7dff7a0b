//! Authority-only instructions that change the config.
use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::ConfigUpdated;
use crate::state::{Config, CONFIG_SEED};

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
        let c = &self.config;
        emit!(ConfigUpdated {
            authority: c.authority,
            attester: c.attester,
            max_clock_skew_seconds: c.max_clock_skew_seconds,
            paused: c.paused,
            vk_hash: c.vk_hash,
            max_receipt_age_seconds: c.max_receipt_age_seconds,
        });
    }
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

/// Records the SHA-256 of the verifying key the authority approves. Verification requires it to
/// equal the key compiled into the program (`vk::VERIFYING_KEY_SHA256`): after a program upgrade
/// that changes the key, payments stay off (`VerifyingKeyHashMismatch`) until the authority
/// confirms the new hash; setting any other value is an emergency stop.
pub fn set_verifying_key(ctx: Context<AdminConfig>, vk_hash: [u8; 32]) -> Result<()> {
    ctx.accounts.config.vk_hash = vk_hash;
    ctx.accounts.emit_updated();
    Ok(())
}
