use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::{ConfigUpdated, VerifyingKeySet};
use crate::program::X402ZkVerifier;
use crate::state::{
    Config, VerifyingKeyAccount, CONFIG_SEED, MAX_ALLOWED_CLOCK_SKEW_SECONDS,
    MAX_RECEIPT_AGE_SECONDS, VK_SEED,
};
use crate::vk::VK_LEN;

pub use crate::public_input::{is_canonical_fr, FR_MODULUS_BE};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct InitializeConfigArgs {
    /// Attester BabyJubJub public key `(Ax, Ay)`, 32 bytes big-endian each.
    pub attester: [u8; 64],
    pub max_clock_skew_seconds: u32,
    /// Largest `maxAge` a proof may carry, ≤ `MAX_RECEIPT_AGE_SECONDS` (may only be lowered later).
    pub max_receipt_age_seconds: u32,
    /// The Groth16 verifying key: the ceremony export's `solana_vk.bin` bytes (`vk::VK_LEN`,
    /// checked by `vk::validate_key`); its SHA-256 becomes `Config.vk_hash`. A fixed-size array,
    /// not a `Vec`: borsh allocates a `Vec`'s claimed length up front, so a forged length prefix
    /// would exhaust the 32 KiB heap instead of failing with a typed error.
    pub verifying_key: [u8; VK_LEN],
}

/// Only the program's upgrade authority may create the config: whoever deployed the program (or
/// holds its upgrade key) decides who the config authority and the attester are, so an
/// `initialize_config` sent by anyone else between deployment and set-up (a front-runner) fails
/// with `Unauthorized`. The authority is read from this program's ProgramData account (loader-v3);
/// a program without one (not upgradeable) or an immutable one cannot be initialized.
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    /// The program's upgrade authority; becomes the config authority and pays for the config.
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(init, payer = authority, space = 8 + Config::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, Config>,
    /// The verifying key account `[VK_SEED]`, created here with the key from the arguments (so a
    /// config never exists without a key); `set_verifying_key` replaces the key later.
    #[account(init, payer = authority, space = VerifyingKeyAccount::SPACE, seeds = [VK_SEED], bump)]
    pub verifying_key: Box<Account<'info, VerifyingKeyAccount>>,
    pub system_program: Program<'info, System>,
    /// This program (its account points at its ProgramData).
    pub program: Program<'info, X402ZkVerifier>,
    /// This program's ProgramData, whose upgrade authority must be `authority`.
    #[account(
        constraint = program.programdata_address()? == Some(program_data.key()) @ ErrorCode::Unauthorized,
        constraint = program_data.upgrade_authority_address == Some(authority.key()) @ ErrorCode::Unauthorized,
    )]
    pub program_data: Account<'info, ProgramData>,
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    validate_attester(&args.attester)?;
    require!(
        args.max_clock_skew_seconds <= MAX_ALLOWED_CLOCK_SKEW_SECONDS,
        ErrorCode::ClockSkewTooLarge
    );
    require!(
        args.max_receipt_age_seconds <= MAX_RECEIPT_AGE_SECONDS,
        ErrorCode::ReceiptAgeTooLarge
    );
    let key = crate::vk::validate_key(&args.verifying_key)?;
    let vk_hash = crate::vk::key_hash(&key);
    let vk = &mut ctx.accounts.verifying_key;
    vk.bump = ctx.bumps.verifying_key;
    vk.vk_hash = vk_hash;
    vk.key = key;
    emit!(VerifyingKeySet {
        authority: ctx.accounts.authority.key(),
        verifying_key: ctx.accounts.verifying_key.key(),
        previous_vk_hash: [0; 32],
        vk_hash,
        slot: Clock::get()?.slot,
    });
    let config = &mut ctx.accounts.config;
    config.authority = ctx.accounts.authority.key();
    config.attester = args.attester;
    config.max_clock_skew_seconds = args.max_clock_skew_seconds;
    config.paused = false;
    config.bump = ctx.bumps.config;
    config.domain = crate::public_input::domain(ctx.program_id)?;
    config.vk_hash = vk_hash;
    config.max_receipt_age_seconds = args.max_receipt_age_seconds;
    config.nullifier_rent_lamports = crate::instructions::nullifier::nullifier_rent()?;
    emit!(ConfigUpdated::of(config));
    Ok(())
}

/// Both coordinates must be canonical field elements; the circuit hashes them as such.
pub fn validate_attester(attester: &[u8; 64]) -> Result<()> {
    let (x, y) = attester.split_at(32);
    let ok = matches!((<&[u8; 32]>::try_from(x), <&[u8; 32]>::try_from(y)), (Ok(x), Ok(y)) if is_canonical_fr(x) && is_canonical_fr(y));
    require!(ok, ErrorCode::AttesterKeyNotCanonical);
    Ok(())
}
