use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::ConfigUpdated;
use crate::state::{Config, CONFIG_SEED, MAX_ALLOWED_CLOCK_SKEW_SECONDS};

pub use crate::public_input::{is_canonical_fr, FR_MODULUS_BE};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct InitializeConfigArgs {
    /// Attester BabyJubJub public key `(Ax, Ay)`, 32 bytes big-endian each.
    pub attester: [u8; 64],
    pub max_clock_skew_seconds: u32,
}

#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(init, payer = authority, space = 8 + Config::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, Config>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    validate_attester(&args.attester)?;
    require!(
        args.max_clock_skew_seconds <= MAX_ALLOWED_CLOCK_SKEW_SECONDS,
        ErrorCode::ClockSkewTooLarge
    );
    let config = &mut ctx.accounts.config;
    config.authority = ctx.accounts.authority.key();
    config.attester = args.attester;
    config.max_clock_skew_seconds = args.max_clock_skew_seconds;
    config.paused = false;
    config.bump = ctx.bumps.config;
    config.domain = crate::public_input::domain(ctx.program_id)?;
    config.vk_hash = crate::vk::VERIFYING_KEY_SHA256;
    emit!(ConfigUpdated {
        authority: config.authority,
        attester: config.attester,
        max_clock_skew_seconds: config.max_clock_skew_seconds,
        paused: config.paused,
        vk_hash: config.vk_hash,
    });
    Ok(())
}

/// Both coordinates must be canonical field elements; the circuit hashes them as such.
pub fn validate_attester(attester: &[u8; 64]) -> Result<()> {
    let (x, y) = attester.split_at(32);
    let ok = matches!((<&[u8; 32]>::try_from(x), <&[u8; 32]>::try_from(y)), (Ok(x), Ok(y)) if is_canonical_fr(x) && is_canonical_fr(y));
    require!(ok, ErrorCode::AttesterKeyNotCanonical);
    Ok(())
}
