//! # x402-zk verifier
//!
//! The on-chain half of private, replay-proof x402 payments (see `docs/PROTOCOL.md`):
//!
//! 1. A payer pays a merchant on-chain with a memo `C = Poseidon(secret, 0)`.
//! 2. An *attester* that saw the transfer finalize signs a receipt over `C` (EdDSA-Poseidon on
//!    BabyJubJub). Its public key lives in this program's [`state::Config`].
//! 3. The payer proves in zero knowledge that it holds a fresh receipt, signed by that attester,
//!    for enough money, to this merchant, for this resource — revealing only a nullifier
//!    `Poseidon(secret, domain)`.
//! 4. This program checks the proof and burns the nullifier (a PDA per nullifier), so a receipt
//!    pays exactly once.
//!
//! Instructions are thin entry points; each lives in `instructions/<name>.rs` with its accounts.
//!
//! ## Merchant policies
//! `register_policy(pay_to, asset, min_amount, max_age)` (permissionless) creates the PDA
//! `[b"policy", policyHash]` holding `policyHash = Poseidon(Ax, Ay, payTo, asset, minAmount,
//! maxAge, domain)`, computed here from the config's attester and domain: the per-merchant part
//! of the statement is hashed once, not per proof.
//!
//! ## Verifying a payment
//! `verify_payment(payment)` with accounts `[payer (signer, mut), config, verifying_key, policy,
//! nullifier PDA (mut), system_program]`:
//! 1. the config is not paused; the verifying key is read from the `[b"vk"]` account (`vk.rs`),
//!    whose hash must be `config.vk_hash`;
//! 2. the policy was registered under the config's current attester (`PolicyStale`) and its
//!    `max_age ≤ config.max_receipt_age_seconds` (`ReceiptAgeTooLarge`);
//! 3. `payment.now` is within `config.max_clock_skew_seconds` of the validator `Clock`;
//! 4. `resourceHash` and `nullifier` are `< r` (never reduced);
//! 5. `pubHash = Poseidon(policyHash, now, resourceHash, nullifier)` is recomputed with the
//!    Poseidon syscall (`public_input.rs`);
//! 6. the Groth16 proof (`A` negated by the client, `verify.rs`) verifies for `pubHash`;
//! 7. the nullifier PDA `[b"nullifier", nullifier]` is created, recording only when it expires
//!    (`now + max_receipt_age + max_clock_skew`) and who paid its rent (a replay fails with
//!    `NullifierAlreadyUsed`), and `PaymentVerified` is emitted.
//!
//! ## Recycling nullifiers
//! After `expires_at` no proof for a nullifier can pass any more (see
//! `instructions::nullifier::expires_at`; the age cap and the skew may only be lowered), so anyone
//! may close it with `close_expired_nullifiers`, which returns the rent to the recorded payer.
//!
//! ## Set-up
//! `initialize_config` is accepted only from the program's upgrade authority (its ProgramData
//! account is passed and checked), so nobody can seize a fresh deployment by initializing it first.
//! It takes the verifying key (the ceremony's Solana export bytes) and creates the key account
//! with the config; `set_verifying_key` replaces it later. No key is compiled in: one binary
//! serves the dev key (localnet) and production keys.
//!
//! `verify_batch` does the same for n proofs of one merchant with n + 3 pairings (`batch.rs`);
//! `check_batch` verifies without burning (dry run); proof buffers carry batches larger than a
//! transaction.
use anchor_lang::prelude::*;

// Solana's memcpy/memset and i128 helpers must reach the linker before Rust's weak ones.
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

/// Logs the remaining compute units with a label (only with the `cu-probe` feature, on SBF).
#[macro_export]
macro_rules! cu_probe {
    ($label:expr) => {
        #[cfg(all(feature = "cu-probe", target_os = "solana"))]
        {
            anchor_lang::solana_program::log::sol_log($label);
            // SAFETY: no arguments; logs the remaining compute units.
            unsafe { solana_define_syscall::definitions::sol_log_compute_units_() };
        }
    };
}

pub mod account;
pub mod batch;
pub mod bn254;
pub mod cpi;
pub mod entrypoint;
pub mod errors;
pub mod events;
pub mod heap;
pub mod instructions;
pub mod pda;
pub mod public_input;
pub mod state;
pub mod verify;
pub mod views;
pub mod vk;

use instructions::*;

declare_id!("FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne");

#[program]
pub mod x402_zk_verifier {
    use super::*;

    /// Creates the config PDA, owned by `authority` (the signer paying for it), who must be the
    /// program's upgrade authority (read from its ProgramData account), else `Unauthorized`.
    pub fn initialize_config(
        ctx: Context<InitializeConfig>,
        args: InitializeConfigArgs,
    ) -> Result<()> {
        instructions::initialize_config::handler(ctx, args)
    }

    /// Pauses or resumes payment verification (authority only).
    pub fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
        instructions::admin::set_paused(ctx, paused)
    }

    /// Replaces the attester public key `Ax || Ay` (authority only).
    pub fn set_attester(ctx: Context<AdminConfig>, attester: [u8; 64]) -> Result<()> {
        instructions::admin::set_attester(ctx, attester)
    }

    /// Lowers (or keeps) the allowed clock skew, ≤ 3600 s (authority only; raising it is
    /// `LifetimeMayOnlyShrink`).
    pub fn set_max_clock_skew(
        ctx: Context<AdminConfig>,
        max_clock_skew_seconds: u32,
    ) -> Result<()> {
        instructions::admin::set_max_clock_skew(ctx, max_clock_skew_seconds)
    }

    /// Lowers (or keeps) the largest `maxAge` a proof may carry, ≤ 3600 s (authority only;
    /// raising it is `LifetimeMayOnlyShrink`).
    pub fn set_max_receipt_age(
        ctx: Context<AdminConfig>,
        max_receipt_age_seconds: u32,
    ) -> Result<()> {
        instructions::admin::set_max_receipt_age(ctx, max_receipt_age_seconds)
    }

    /// Replaces the verifying key with `key` (the ceremony export's `solana_vk.bin` bytes) and
    /// sets `Config.vk_hash` to its SHA-256, computed on chain (authority only).
    /// Permissionless: `Config.nullifier_rent_lamports` := the `Rent` sysvar's exempt minimum for
    /// a nullifier account now (what every payment funds its nullifier with).
    pub fn sync_nullifier_rent(ctx: Context<SyncNullifierRent>) -> Result<()> {
        instructions::admin::sync_nullifier_rent(ctx)
    }

    pub fn set_verifying_key(
        ctx: Context<SetVerifyingKey>,
        key: [u8; crate::vk::VK_LEN],
    ) -> Result<()> {
        instructions::admin::set_verifying_key(ctx, key)
    }

    /// Verifies one payment proof and burns its nullifier.
    /// Permissionless: creates the merchant policy PDA `[b"policy", policyHash]` for these terms
    /// under the config's current attester and domain (the program computes `policyHash`; the
    /// payer pays the rent). `max_age` above the config's cap is `ReceiptAgeTooLarge`. A policy
    /// that already exists is left as it is.
    pub fn register_policy(
        ctx: Context<RegisterPolicy>,
        pay_to: Pubkey,
        asset: Pubkey,
        min_amount: u64,
        max_age: u64,
    ) -> Result<()> {
        instructions::policy::register_policy(ctx, pay_to, asset, min_amount, max_age)
    }

    /// Closes a policy account, returning its rent to its recorded rent payer (who must sign).
    pub fn close_policy(ctx: Context<ClosePolicy>) -> Result<()> {
        instructions::policy::close_policy(ctx)
    }

    /// Verifies one payment proof under a registered policy and burns its nullifier.
    pub fn verify_payment(ctx: Context<VerifyPayment>, payment: PaymentProof) -> Result<()> {
        instructions::verify_payment::verify_payment(ctx, payment)
    }

    /// Verifies n proofs for one merchant in one pairing product and burns their nullifiers
    /// (`remaining_accounts`: the nullifier PDAs in proof order). All or nothing.
    pub fn verify_batch<'info>(
        ctx: Context<'info, VerifyBatch<'info>>,
        payments: Vec<PaymentProof>,
    ) -> Result<()> {
        instructions::verify_batch::verify_batch(ctx, payments)
    }

    /// Verifies n proofs without burning anything (dry run; read-only).
    pub fn check_batch(ctx: Context<CheckBatch>, payments: Vec<PaymentProof>) -> Result<()> {
        instructions::verify_batch::check_batch(ctx, payments)
    }

    /// `verify_batch` over the payments stored in a proof buffer of the payer.
    pub fn verify_batch_from_buffer<'info>(
        ctx: Context<'info, VerifyBatchFromBuffer<'info>>,
    ) -> Result<()> {
        instructions::verify_batch::verify_batch_from_buffer(ctx)
    }

    /// Permissionless: closes expired nullifier accounts, `remaining_accounts` as pairs
    /// `[nullifier (mut), rent_payer (mut)]`; each must be past its `expires_at`
    /// (`NullifierNotExpired`) and its rent goes back to the recorded payer (`RentPayerMismatch`).
    pub fn close_expired_nullifiers<'info>(
        ctx: Context<'info, CloseExpiredNullifiers>,
    ) -> Result<()> {
        instructions::nullifier::close_expired_nullifiers(ctx.program_id, ctx.remaining_accounts)
    }

    /// Marks a client-created, program-owned, zeroed account as the signer's proof buffer.
    pub fn init_proof_buffer(ctx: Context<InitProofBuffer>) -> Result<()> {
        instructions::proof_buffer::init_proof_buffer(ctx)
    }

    /// Stores `payments` in slots `index, index + 1, …` of a proof buffer.
    pub fn write_proof_buffer(
        ctx: Context<ProofBufferAuthority>,
        index: u32,
        payments: Vec<PaymentProof>,
    ) -> Result<()> {
        instructions::proof_buffer::write_proof_buffer(ctx, index, payments)
    }

    /// Closes a proof buffer, returning its rent to the authority.
    pub fn close_proof_buffer(ctx: Context<ProofBufferAuthority>) -> Result<()> {
        instructions::proof_buffer::close_proof_buffer(ctx)
    }
}
