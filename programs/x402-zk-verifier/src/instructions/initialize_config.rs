use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::ConfigUpdated;
use crate::state::{Config, CONFIG_SEED, MAX_ALLOWED_CLOCK_SKEW_SECONDS};

/// BN254 scalar field modulus r, big-endian. Values ≥ r are rejected, never reduced.
pub const FR_MODULUS_BE: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// True when the 32-byte big-endian value is a canonical field element (< r).
pub fn is_canonical_fr(be: &[u8; 32]) -> bool {
    be < &FR_MODULUS_BE
}

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
    emit!(ConfigUpdated {
        authority: config.authority,
        attester: config.attester,
        max_clock_skew_seconds: config.max_clock_skew_seconds,
        paused: config.paused,
    });
    Ok(())
}

/// Both coordinates must be canonical field elements; the circuit hashes them as such.
pub fn validate_attester(attester: &[u8; 64]) -> Result<()> {
    let (x, y) = attester.split_at(32);
    let x: &[u8; 32] = x.try_into().expect("split_at(32) of 64 bytes");
    let y: &[u8; 32] = y.try_into().expect("split_at(32) of 64 bytes");
    require!(is_canonical_fr(x) && is_canonical_fr(y), ErrorCode::AttesterKeyNotCanonical);
    Ok(())
}
