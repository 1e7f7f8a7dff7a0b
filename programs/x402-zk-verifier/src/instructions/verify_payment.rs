//! `verify_payment`: one proof, one nullifier.
use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::PaymentVerified;
use crate::instructions::nullifier::{burn, expires_at, NullifierRecord};
use crate::instructions::policy::check_policy;
use crate::public_input::{pub_hash, ProofPublic};
use crate::verify::{check_clock, verify_single};
use crate::views::{read_config, read_policy};
use pinocchio::AccountView;
use x402_zk_encoding::layout::payment::PaymentRef;

use crate::account::AccountAccess;

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

/// The accounts of `verify_payment` in [`VerifyPayment`]'s order, from Anchor's context or read
/// in place by the program's entrypoint (`crate::entrypoint`).
pub struct PaymentAccounts<'a, A> {
    pub payer: &'a A,
    pub config: &'a A,
    pub verifying_key: &'a A,
    pub policy: &'a A,
    pub nullifier: &'a A,
}

impl<'a, A: AccountAccess> PaymentAccounts<'a, A> {
    /// What `VerifyPayment::try_accounts` checks, with its error codes and account names:
    /// `payer` a writable signer, `nullifier` writable, `system_program` the executable system
    /// program (checked, not kept: the system-program calls name it by id). The config, key and
    /// policy are `UncheckedAccount`s there too: [`pay`] checks them.
    pub fn checked(accounts: &'a [A; 6]) -> Result<Self> {
        use anchor_lang::error::ErrorCode as Anchor;
        let [payer, config, verifying_key, policy, nullifier, system_program] = accounts;
        if !payer.is_signer() {
            return Err(Error::from(Anchor::AccountNotSigner).with_account_name("payer"));
        }
        if !payer.is_writable() {
            return Err(Error::from(Anchor::ConstraintMut).with_account_name("payer"));
        }
        if !nullifier.is_writable() {
            return Err(Error::from(Anchor::ConstraintMut).with_account_name("nullifier"));
        }
        if system_program.key() != &anchor_lang::system_program::ID {
            return Err(Error::from(Anchor::InvalidProgramId)
                .with_pubkeys((*system_program.key(), anchor_lang::system_program::ID))
                .with_account_name("system_program"));
        }
        if !system_program.executable() {
            return Err(
                Error::from(Anchor::InvalidProgramExecutable).with_account_name("system_program")
            );
        }
        Ok(PaymentAccounts {
            payer,
            config,
            verifying_key,
            policy,
            nullifier,
        })
    }
}

/// Anchor's handler (the IDL's `verify_payment`): what runs when the instruction reaches Anchor's
/// dispatcher (on chain, only with other than its six distinct accounts; `crate::entrypoint`).
pub fn verify_payment(ctx: Context<VerifyPayment>, payment: PaymentProof) -> Result<()> {
    let a = &ctx.accounts;
    let accounts = PaymentAccounts {
        payer: &*a.payer,
        config: &*a.config,
        verifying_key: &*a.verifying_key,
        policy: &*a.policy,
        nullifier: &*a.nullifier,
    };
    let payment = PaymentRef {
        proof: &payment.proof,
        now: payment.now,
        resource_hash: &payment.resource_hash,
        nullifier: &payment.nullifier,
    };
    pay(ctx.program_id, &accounts, &payment)
}

/// `verify_payment` from the runtime's input read in place (`crate::entrypoint`): `data` is the
/// whole instruction data (discriminator first). As through Anchor's borsh: fewer than
/// [`PaymentProof::LEN`] argument bytes are `InstructionDidNotDeserialize`, bytes after them are
/// ignored.
pub fn verify_payment_in_place(
    program_id: &Pubkey,
    accounts: &[AccountView; 6],
    data: &[u8],
) -> Result<()> {
    let payment = data
        .get(
            VERIFY_PAYMENT_DISCRIMINATOR.len()
                ..VERIFY_PAYMENT_DISCRIMINATOR.len() + PaymentProof::LEN,
        )
        .and_then(PaymentRef::parse)
        .ok_or(anchor_lang::error::ErrorCode::InstructionDidNotDeserialize)?;
    let accounts = PaymentAccounts::checked(accounts)?;
    pay(program_id, &accounts, &payment)
}

/// `verify_payment`'s instruction discriminator (Anchor's, from the IDL name).
pub const VERIFY_PAYMENT_DISCRIMINATOR: &[u8] =
    <crate::instruction::VerifyPayment as anchor_lang::Discriminator>::DISCRIMINATOR;

/// The payment itself, whichever entry checked the accounts.
fn pay<A: AccountAccess>(
    program_id: &Pubkey,
    accounts: &PaymentAccounts<A>,
    payment: &PaymentRef,
) -> Result<()> {
    crate::cu_probe!("verify_payment: handler");
    let config = &read_config(accounts.config, program_id)?;
    let policy = &read_policy(accounts.policy, program_id)?;
    require!(!config.paused, ErrorCode::Paused);
    let vk = crate::vk::load(accounts.verifying_key, config, program_id)?;
    crate::cu_probe!("verify_payment: vk loaded");
    check_policy(config, policy)?;
    let clock = Clock::get()?;
    check_clock(
        payment.now,
        clock.unix_timestamp,
        config.max_clock_skew_seconds,
    )?;
    crate::instructions::nullifier::require_unspent(accounts.nullifier, program_id)?;

    let public = ProofPublic {
        now: payment.now,
        resource_hash: payment.resource_hash,
        nullifier: payment.nullifier,
    };
    crate::cu_probe!("verify_payment: checks");
    let h = pub_hash(&policy.policy_hash, &public)?;
    crate::cu_probe!("verify_payment: pubHash");
    verify_single(payment.proof, &h, &vk.groth16())?;
    crate::cu_probe!("verify_payment: groth16");

    burn(
        program_id,
        accounts.payer,
        accounts.nullifier,
        &NullifierRecord {
            nullifier: payment.nullifier,
            expires_at: expires_at(config, payment.now)?,
        },
        config.nullifier_rent_lamports,
    )?;
    crate::cu_probe!("verify_payment: burnt");
    PaymentVerified {
        nullifier: *payment.nullifier,
        pay_to: policy.pay_to,
        asset: policy.asset,
        min_amount: policy.min_amount,
        resource_hash: *payment.resource_hash,
        now: payment.now,
        slot: clock.slot,
        policy: *accounts.policy.key(),
    }
    .log();
    crate::cu_probe!("verify_payment: event");
    Ok(())
}
