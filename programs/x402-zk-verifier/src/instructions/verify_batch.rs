//! `verify_batch` / `check_batch` / `verify_batch_from_buffer`: n proofs for one merchant in one
//! pairing product (see `batch.rs`), all-or-nothing.
//!
//! Nullifier PDAs come as `remaining_accounts`, one per proof, **in proof order**, each writable.
use anchor_lang::prelude::*;

use crate::batch::{self, BatchError, Entry};
use crate::errors::ErrorCode;
use crate::events::{BatchVerified, PaymentVerified};
use crate::instructions::nullifier::{burn, expires_at, NullifierRecord};
use crate::instructions::policy::check_policy;
use crate::instructions::proof_buffer::{proof_refs, ProofBufferHeader};
use crate::instructions::verify_payment::PaymentProof;
use crate::public_input::{pub_hash, ProofPublic};
use crate::state::{Config, Policy};
use crate::verify::check_clock;

/// Most proofs one instruction accepts (1.4M CU fit far fewer; this bounds the work before the
/// compute meter does).
pub const MAX_PROOFS_PER_BATCH: usize = 64;

/// A proof borrowed from instruction data or from a proof buffer (the 328-byte payment layout of
/// `x402_zk_encoding::layout::payment`).
pub use x402_zk_encoding::layout::payment::PaymentRef as ProofRef;

impl<'a> From<&'a PaymentProof> for ProofRef<'a> {
    fn from(p: &'a PaymentProof) -> Self {
        ProofRef {
            proof: &p.proof,
            now: p.now,
            resource_hash: &p.resource_hash,
            nullifier: &p.nullifier,
        }
    }
}

#[derive(Accounts)]
pub struct VerifyBatch<'info> {
    /// Pays the nullifier PDAs' rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The config: owner and discriminator suffice (only `initialize_config` writes a `Config`,
    /// at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification.
    pub config: Account<'info, Config>,
    /// CHECK: the verifying key PDA `[b"vk"]`, checked in `vk::load`.
    pub verifying_key: UncheckedAccount<'info>,
    /// The merchant's terms shared by every proof of the batch.
    pub policy: Account<'info, Policy>,
    pub system_program: Program<'info, System>,
}

/// Read-only: verifies without burning nullifiers (a facilitator's dry run, and the verify-only
/// cost figure). Changes no state.
#[derive(Accounts)]
pub struct CheckBatch<'info> {
    /// The config: owner and discriminator suffice (only `initialize_config` writes a `Config`,
    /// at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification.
    pub config: Account<'info, Config>,
    /// CHECK: the verifying key PDA `[b"vk"]`, checked in `vk::load`.
    pub verifying_key: UncheckedAccount<'info>,
    /// The merchant's terms shared by every proof of the batch.
    pub policy: Account<'info, Policy>,
}

#[derive(Accounts)]
pub struct VerifyBatchFromBuffer<'info> {
    /// Pays the nullifier PDAs' rent; must be the buffer's authority.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The config: owner and discriminator suffice (only `initialize_config` writes a `Config`,
    /// at `[CONFIG_SEED]`), so no address re-derivation (1,500 CU) per verification.
    pub config: Account<'info, Config>,
    /// CHECK: the verifying key PDA `[b"vk"]`, checked in `vk::load`.
    pub verifying_key: UncheckedAccount<'info>,
    /// The merchant's terms shared by every proof of the batch.
    pub policy: Account<'info, Policy>,
    /// CHECK: a proof buffer owned by this program whose authority is `payer` (checked in the handler).
    pub proof_buffer: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

/// Checks the config state, the clock, duplicates and public values, then runs the RLC verifier.
fn verify_all(
    config: &Config,
    vk: &crate::vk::LoadedVk,
    policy: &Policy,
    items: &[ProofRef],
) -> Result<Clock> {
    crate::cu_probe!("verify_all: start");
    require!(!config.paused, ErrorCode::Paused);
    require!(!items.is_empty(), ErrorCode::EmptyBatch);
    require!(
        items.len() <= MAX_PROOFS_PER_BATCH,
        ErrorCode::BatchTooLarge
    );
    check_policy(config, policy)?;

    let mut sorted: Vec<&[u8; 32]> = items.iter().map(|p| p.nullifier).collect();
    sorted.sort_unstable();
    require!(
        sorted.windows(2).all(|w| w[0] != w[1]),
        ErrorCode::DuplicateNullifierInBatch
    );

    crate::cu_probe!("verify_all: duplicates");
    let clock = Clock::get()?;
    let mut entries: Vec<Entry<'_, 1>> = Vec::with_capacity(items.len());
    for p in items {
        check_clock(p.now, clock.unix_timestamp, config.max_clock_skew_seconds)?;
        let h = pub_hash(
            &policy.policy_hash,
            &ProofPublic {
                now: p.now,
                resource_hash: p.resource_hash,
                nullifier: p.nullifier,
            },
        )?;
        entries.push(Entry {
            proof: p.proof,
            inputs: [h],
        });
    }
    crate::cu_probe!("verify_all: clock + pubHash");
    batch::verify_batch(&vk.groth16(), &config.vk_hash, &entries).map_err(|e| match e {
        BatchError::Empty => error!(ErrorCode::EmptyBatch),
        BatchError::TooLarge => error!(ErrorCode::BatchTooLarge),
        BatchError::MalformedProof(i) => {
            msg!("malformed proof at index {}", i);
            error!(ErrorCode::MalformedProof)
        }
        BatchError::VerificationFailed => error!(ErrorCode::InvalidProof),
        BatchError::VerifyingKeyMismatch | BatchError::VerifyingKeyInvalid => {
            error!(ErrorCode::VerifyingKeyInvalid)
        }
    })?;
    crate::cu_probe!("verify_all: pairing done");
    Ok(clock)
}

/// The accounts a burning batch (`verify_batch`, `verify_batch_from_buffer`) works with: the key,
/// the config and the policy to verify against, and who pays for and creates the nullifier PDAs.
struct Burner<'a, 'info> {
    program_id: &'a Pubkey,
    config: &'a Account<'info, Config>,
    verifying_key: &'a AccountInfo<'info>,
    policy: &'a Account<'info, Policy>,
    payer: &'a AccountInfo<'info>,
}

/// A [`Burner`] from a context whose accounts carry the usual names.
macro_rules! burner {
    ($ctx:expr) => {
        Burner {
            program_id: $ctx.program_id,
            config: &$ctx.accounts.config,
            verifying_key: &$ctx.accounts.verifying_key,
            policy: &$ctx.accounts.policy,
            payer: &$ctx.accounts.payer,
        }
    };
}

/// Verifies `items` and burns their nullifiers (`remaining`, one per proof, in order): all or nothing.
fn verify_and_burn<'info>(
    b: &Burner<'_, 'info>,
    remaining: &[AccountInfo<'info>],
    items: &[ProofRef],
) -> Result<()> {
    require!(
        remaining.len() == items.len(),
        ErrorCode::NullifierAccountCountMismatch
    );
    for a in remaining {
        crate::instructions::nullifier::require_unspent(a, b.program_id)?;
    }
    let vk = crate::vk::load(b.verifying_key, b.config, b.program_id)?;
    let clock = verify_all(b.config, &vk, b.policy, items)?;
    burn_all(b, remaining, items, &clock)
}

/// Burns one nullifier per proof from `remaining` (in order) and emits the events.
fn burn_all<'info>(
    b: &Burner<'_, 'info>,
    remaining: &[AccountInfo<'info>],
    items: &[ProofRef],
    clock: &Clock,
) -> Result<()> {
    let policy = b.policy;
    let rent = b.config.nullifier_rent_lamports;
    for (p, account) in items.iter().zip(remaining) {
        burn(
            b.program_id,
            b.payer,
            account,
            &NullifierRecord {
                nullifier: p.nullifier,
                expires_at: expires_at(b.config, p.now)?,
            },
            rent,
        )?;
        PaymentVerified {
            nullifier: *p.nullifier,
            pay_to: policy.pay_to,
            asset: policy.asset,
            min_amount: policy.min_amount,
            resource_hash: *p.resource_hash,
            now: p.now,
            slot: clock.slot,
            policy: policy.key(),
        }
        .log();
    }
    emit!(BatchVerified {
        pay_to: policy.pay_to,
        policy: policy.key(),
        count: items.len() as u32,
        slot: clock.slot
    });
    Ok(())
}

pub fn verify_batch<'info>(
    ctx: Context<'info, VerifyBatch<'info>>,
    payments: Vec<PaymentProof>,
) -> Result<()> {
    let items: Vec<ProofRef> = payments.iter().map(ProofRef::from).collect();
    verify_and_burn(&burner!(ctx), ctx.remaining_accounts, &items)
}

pub fn check_batch(ctx: Context<CheckBatch>, payments: Vec<PaymentProof>) -> Result<()> {
    crate::cu_probe!("check_batch: handler");
    let items: Vec<ProofRef> = payments.iter().map(ProofRef::from).collect();
    let vk = crate::vk::load(
        &*ctx.accounts.verifying_key,
        &ctx.accounts.config,
        ctx.program_id,
    )?;
    verify_all(&ctx.accounts.config, &vk, &ctx.accounts.policy, &items)?;
    Ok(())
}

pub fn verify_batch_from_buffer<'info>(
    ctx: Context<'info, VerifyBatchFromBuffer<'info>>,
) -> Result<()> {
    let buffer = &ctx.accounts.proof_buffer;
    require_keys_eq!(
        *buffer.owner,
        *ctx.program_id,
        ErrorCode::ProofBufferInvalid
    );
    let data = buffer.try_borrow_data()?;
    let header = ProofBufferHeader::read(&data)?;
    require_keys_eq!(
        header.authority,
        ctx.accounts.payer.key(),
        ErrorCode::ProofBufferInvalid
    );
    let items = proof_refs(&data, &header)?;
    verify_and_burn(&burner!(ctx), ctx.remaining_accounts, &items)
}
