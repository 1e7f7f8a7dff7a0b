//! Events emitted for indexers and the facilitator.
use anchor_lang::prelude::*;

/// The config was created or changed.
#[event]
pub struct ConfigUpdated {
    pub authority: Pubkey,
    pub attester: [u8; 64],
    pub max_clock_skew_seconds: u32,
    pub paused: bool,
    pub vk_hash: [u8; 32],
    pub max_receipt_age_seconds: u32,
    pub nullifier_rent_lamports: u64,
}

impl ConfigUpdated {
    /// The event for `config` as it stands now (every config-changing instruction emits this).
    pub fn of(config: &crate::state::Config) -> Self {
        ConfigUpdated {
            authority: config.authority,
            attester: config.attester,
            max_clock_skew_seconds: config.max_clock_skew_seconds,
            paused: config.paused,
            vk_hash: config.vk_hash,
            max_receipt_age_seconds: config.max_receipt_age_seconds,
            nullifier_rent_lamports: config.nullifier_rent_lamports,
        }
    }
}

/// One proof verified and its nullifier burnt (also emitted once per proof of a batch).
#[event]
pub struct PaymentVerified {
    /// The spent nullifier (32 bytes big-endian).
    pub nullifier: [u8; 32],
    pub pay_to: Pubkey,
    pub asset: Pubkey,
    pub min_amount: u64,
    pub resource_hash: [u8; 32],
    /// The proof's `now` (unix seconds).
    pub now: u64,
    pub slot: u64,
    /// The `Policy` account the proof was verified under.
    pub policy: Pubkey,
}

/// A batch verified (and, for `verify_batch`, all of its nullifiers burnt).
#[event]
pub struct BatchVerified {
    pub pay_to: Pubkey,
    /// The `Policy` account the batch was verified under.
    pub policy: Pubkey,
    pub count: u32,
    pub slot: u64,
}

/// Expired nullifier accounts closed by `close_expired_nullifiers`, their rent returned.
#[event]
pub struct NullifiersClosed {
    pub count: u32,
    /// Total lamports returned to the rent payers.
    pub lamports: u64,
}

/// The verifying key was written (`initialize_config`: `previous_vk_hash` all zero) or replaced
/// (`set_verifying_key`). Proofs for the previous key stop verifying from this slot on.
#[event]
pub struct VerifyingKeySet {
    pub authority: Pubkey,
    /// The `[VK_SEED]` account holding the key.
    pub verifying_key: Pubkey,
    pub previous_vk_hash: [u8; 32],
    /// SHA-256 of the new key bytes, now in `Config.vk_hash`.
    pub vk_hash: [u8; 32],
    pub slot: u64,
}

/// A merchant policy was registered (`register_policy`; not emitted when it already existed).
#[event]
pub struct PolicyRegistered {
    /// The `[b"policy", policy_hash]` account.
    pub policy: Pubkey,
    pub policy_hash: [u8; 32],
    pub pay_to: Pubkey,
    pub asset: Pubkey,
    pub min_amount: u64,
    pub max_age: u64,
    pub rent_payer: Pubkey,
}

/// A policy account was closed by its rent payer (`close_policy`).
#[event]
pub struct PolicyClosed {
    pub policy: Pubkey,
    pub policy_hash: [u8; 32],
}
