//! `verify_payment`: one proof, one nullifier.
use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::PaymentVerified;
use crate::instructions::nullifier::{burn, expires_at, nullifier_rent, NullifierRecord};
use crate::instructions::policy::check_policy;
use crate::public_input::{pub_hash, ProofPublic};
use crate::verify::{check_clock, verify_single};
use crate::views::{read_config, read_policy};

/// One payment proof and its per-proof public values. Borsh layout: 328 bytes, fixed
/// (`proof` 256 ‖ `now` u64 LE ‖ `resource_hash` 32 ‖ `nullifier` 32).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentProof {
    /// `−A ‖ B ‖ C`, big-endian, A negated by the client (see `verify.rs`).
    pub proof: [u8; 256],
    /// The verifier time the proof was made for (unix seconds); must be within the config's skew
    /// of the validator clock.
    pub now: u64,
    /// `resourceHash`, 32 bytes big-endian, < r.
    pub resource_hash: [u8; 32],
    /// `nullifier`, 32 bytes big-endian, < r; also the seed of its PDA.
    pub nullifier: [u8; 32],
}

impl PaymentProof {
    /// Size of the borsh encoding (`x402_zk_encoding::layout::payment`, asserted in the tests).
    pub const LEN: usize = x402_zk_encoding::layout::payment::LEN;
}

#[derive(Accounts)]
pub struct VerifyPayment<'info> {
    /// Pays the nullifier PDA's rent (the facilitator).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The config. Owner and discriminator suffice (only `initialize_config` writes a `Config`,
    /// at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification.
    /// CHECK: `views::read_config` (`Account<Config>`'s checks, without its borsh pass).
    pub config: UncheckedAccount<'info>,
    /// The verifying key account (`[b"vk"]`).
    /// CHECK: owner, discriminator, size and stored hash (= `config.vk_hash`) in `vk::load`.
    pub verifying_key: UncheckedAccount<'info>,
    /// The merchant's terms (`register_policy`); its `policy_hash` is bound into `pubHash`.
    /// CHECK: `views::read_policy` (`Account<Policy>`'s checks, without its borsh pass).
    pub policy: UncheckedAccount<'info>,
    /// CHECK: the nullifier PDA `[b"nullifier", payment.nullifier]`, created here; verified in `burn`.
    #[account(mut)]
    pub nullifier: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn verify_payment(ctx: Context<VerifyPayment>, payment: PaymentProof) -> Result<()> {
    crate::cu_probe!("verify_payment: handler");
    let config = &read_config(&ctx.accounts.config, ctx.program_id)?;
    let policy = &read_policy(&ctx.accounts.policy, ctx.program_id)?;
    require!(!config.paused, ErrorCode::Paused);
    let vk = crate::vk::load(&ctx.accounts.verifying_key, config, ctx.program_id)?;
    crate::cu_probe!("verify_payment: vk loaded");
    check_policy(config, policy)?;
    let clock = Clock::get()?;
    check_clock(
        payment.now,
        clock.unix_timestamp,
        config.max_clock_skew_seconds,
    )?;
    crate::instructions::nullifier::require_unspent(&ctx.accounts.nullifier, ctx.program_id)?;

    let public = ProofPublic {
        now: payment.now,
        resource_hash: &payment.resource_hash,
        nullifier: &payment.nullifier,
    };
    crate::cu_probe!("verify_payment: checks");
    let h = pub_hash(&policy.policy_hash, &public)?;
    crate::cu_probe!("verify_payment: pubHash");
    verify_single(&payment.proof, &h, &vk.groth16())?;
    crate::cu_probe!("verify_payment: groth16");

    burn(
        ctx.program_id,
        &ctx.accounts.payer,
        &ctx.accounts.system_program,
        &ctx.accounts.nullifier,
        &NullifierRecord {
            nullifier: &payment.nullifier,
            expires_at: expires_at(config, payment.now)?,
        },
        nullifier_rent()?,
    )?;
    crate::cu_probe!("verify_payment: burnt");
    emit!(PaymentVerified {
        nullifier: payment.nullifier,
        pay_to: policy.pay_to,
        asset: policy.asset,
        min_amount: policy.min_amount,
        resource_hash: payment.resource_hash,
        now: payment.now,
        slot: clock.slot,
        policy: ctx.accounts.policy.key(),
    });
    crate::cu_probe!("verify_payment: event");
    Ok(())
}
