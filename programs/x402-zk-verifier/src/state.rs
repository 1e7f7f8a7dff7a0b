//! Accounts owned by the program.
use anchor_lang::prelude::*;

/// Seed of the single [`Config`] PDA (`x402_zk_encoding::layout`, like every seed).
pub use x402_zk_encoding::layout::CONFIG_SEED;

/// Upper bound on the clock skew an authority may allow between a proof's `now` and the
/// validator's Clock: a larger window would let stale receipts live longer than `maxAge` says.
pub const MAX_ALLOWED_CLOCK_SKEW_SECONDS: u32 = 3_600;

/// Upper bound on [`Config::max_receipt_age_seconds`]: the longest a receipt may pay (a proof's
/// `maxAge`), hence the longest a nullifier account must live before it can be closed.
pub const MAX_RECEIPT_AGE_SECONDS: u32 = 3_600;

/// Program-wide settings. One per deployment, at `[CONFIG_SEED]`.
#[account]
#[derive(InitSpace)]
pub struct Config {
    /// May change the attester, the verifying key and the paused flag.
    pub authority: Pubkey,
    /// Attester's BabyJubJub public key `(Ax, Ay)`, each 32 bytes big-endian, both < r.
    pub attester: [u8; 64],
    /// How far (seconds) a proof's `now` may be from the validator Clock, either way.
    pub max_clock_skew_seconds: u32,
    /// When true, payment verification fails with `ErrorCode::Paused`.
    pub paused: bool,
    /// Bump of this PDA, stored so handlers never recompute it.
    pub bump: u8,
    /// `domain = Poseidon(programId_hi, programId_lo)` (32 bytes big-endian), computed once at
    /// initialization: the circuit binds nullifiers to it so deployments never collide.
    pub domain: [u8; 32],
    /// SHA-256 of the active verifying key's bytes (the [`VerifyingKeyAccount`] at `[VK_SEED]`),
    /// computed on chain when the key is written (`initialize_config`, `set_verifying_key`). Every
    /// verify path refuses a key account whose hash differs; provers and facilitators compare their
    /// key's `SolanaVk::sha256` with it.
    pub vk_hash: [u8; 32],
    /// Largest `maxAge` (seconds) a proof may carry (`ReceiptAgeTooLarge` otherwise), at most
    /// [`MAX_RECEIPT_AGE_SECONDS`]. With `max_clock_skew_seconds` it bounds how long a burnt
    /// nullifier can still matter; both may only be lowered (`LifetimeMayOnlyShrink`), so an
    /// expired nullifier stays expired and its account can be closed (`close_expired_nullifiers`).
    pub max_receipt_age_seconds: u32,
    /// Lamports a nullifier account is created with: the `Rent` sysvar's exempt minimum for
    /// [`Nullifier::SPACE`], read when the config is created and again by `sync_nullifier_rent`
    /// (permissionless). Kept here because the sysvar read cost every payment 384 CU. A stale
    /// figure loses nothing: above the current minimum the payer gets it all back when the
    /// nullifier is closed; below it the runtime refuses the payment (insufficient funds for rent)
    /// until anyone syncs it.
    pub nullifier_rent_lamports: u64,
}

/// Seed prefix of a [`Nullifier`] PDA: `[NULLIFIER_SEED, nullifier_be_32]`.
pub use x402_zk_encoding::layout::NULLIFIER_SEED;

/// A spent nullifier. Its existence is what makes a receipt pay exactly once while the receipt can
/// still pay at all, and that is all it records: when it stops mattering and who paid its rent (no
/// `resourceHash` or `payTo`, so the account tells an observer nothing about what was bought).
///
/// Layout (48 bytes): discriminator 8 ‖ `expires_at` i64 LE (8..16) ‖ `rent_payer` (16..48).
#[account]
#[derive(InitSpace)]
pub struct Nullifier {
    /// Unix time after which no proof for this nullifier can pass any more: the burning proof's
    /// `now` + `max_receipt_age_seconds` + `max_clock_skew_seconds` (config values at burn time).
    /// Once the validator Clock is past it, `close_expired_nullifiers` may close the account.
    pub expires_at: i64,
    /// Who funded the account (the transaction's payer); its rent goes back there on close.
    pub rent_payer: Pubkey,
}

impl Nullifier {
    /// Account size including Anchor's 8-byte discriminator.
    pub const SPACE: usize = 8 + Nullifier::INIT_SPACE;
    /// Offset of `rent_payer` in the account data (for `getProgramAccounts` memcmp filters).
    pub const RENT_PAYER_OFFSET: usize =
        x402_zk_encoding::layout::nullifier_account::RENT_PAYER_OFFSET;
}

/// Seed prefix of a [`Policy`] PDA: `[POLICY_SEED, policy_hash_be_32]`.
pub use x402_zk_encoding::layout::POLICY_SEED;

/// A merchant's terms, hashed once (`register_policy`) instead of per proof. The program computes
/// `policy_hash` itself from the config's attester and domain and the terms below, so a `Policy`
/// account is correct by construction; verify paths take it as `Account<Policy>` (owner and
/// discriminator; no address re-derivation) and feed `policy_hash` into `pubHash`.
///
/// Layout (217 bytes, `x402_zk_encoding::layout::policy_account`): discriminator 8 ‖
/// `policy_hash` 32 ‖ `pay_to` 32 ‖ `asset` 32 ‖ `min_amount` u64 ‖ `max_age` u64 ‖ `attester` 64 ‖
/// `rent_payer` 32 ‖ `bump` u8.
#[account]
#[derive(InitSpace)]
pub struct Policy {
    /// `Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, maxAge, domain)`, big-endian
    /// (also the PDA seed).
    pub policy_hash: [u8; 32],
    /// The merchant (`payTo`).
    pub pay_to: Pubkey,
    /// Mint of the payment; native SOL is `Pubkey::default()`.
    pub asset: Pubkey,
    /// Minimum amount, base units.
    pub min_amount: u64,
    /// Maximum receipt age in seconds (≤ the config's cap when registered, and checked again
    /// against the current cap at every verification).
    pub max_age: u64,
    /// The config's attester key when the policy was registered (hashed into `policy_hash`): a
    /// verification refuses the policy once the config's attester differs (`PolicyStale`).
    pub attester: [u8; 64],
    /// Who paid the rent (gets it back on `close_policy`, and alone may close it).
    pub rent_payer: Pubkey,
    /// Bump of this PDA.
    pub bump: u8,
}

impl Policy {
    /// Account size including Anchor's 8-byte discriminator.
    pub const SPACE: usize = 8 + Policy::INIT_SPACE;
}

/// Seed of the single [`VerifyingKeyAccount`] PDA.
pub use x402_zk_encoding::layout::VK_SEED;

/// The Groth16 verifying key every verify path uses, written by the config authority
/// (`initialize_config`, then `set_verifying_key`); one per deployment, at `[VK_SEED]`.
///
/// Layout (617 bytes): discriminator 8 ‖ `bump` (8) ‖ `vk_hash` (9..41) ‖ `key` (41..617).
/// `key` is [`crate::vk::VK_LEN`] bytes in the ceremony's Solana export format (`SolanaVk` in
/// `circuits/src/export/solana.rs`), `vk_hash` its SHA-256 (= `Config.vk_hash`).
#[account]
#[derive(InitSpace)]
pub struct VerifyingKeyAccount {
    /// Bump of this PDA, stored so verify paths never search for it.
    pub bump: u8,
    /// SHA-256 of `key`, computed on chain when it was written.
    pub vk_hash: [u8; 32],
    /// `α ‖ β ‖ γ ‖ δ ‖ IC₀ ‖ IC₁`, big-endian (see [`crate::vk`]).
    pub key: [u8; crate::vk::VK_LEN],
}

impl VerifyingKeyAccount {
    /// Account size including Anchor's 8-byte discriminator.
    pub const SPACE: usize = 8 + VerifyingKeyAccount::INIT_SPACE;
    /// Offset of `bump` in the account data.
    pub const BUMP_OFFSET: usize = vk_account::BUMP_OFFSET;
    /// Offset of `vk_hash`.
    pub const HASH_OFFSET: usize = vk_account::HASH_OFFSET;
    /// Offset of `key`.
    pub const KEY_OFFSET: usize = vk_account::KEY_OFFSET;
}

use x402_zk_encoding::layout::{config_account, nullifier_account, policy_account, vk_account};

// Anchor's derived sizes must be the layouts the encoding crate publishes (clients read them).
const _: () = assert!(Nullifier::SPACE == nullifier_account::SPACE);
const _: () = assert!(Policy::SPACE == policy_account::SPACE);
const _: () = assert!(VerifyingKeyAccount::SPACE == vk_account::SPACE);
const _: () = assert!(8 + Config::INIT_SPACE == config_account::SPACE);
const _: () = assert!(crate::vk::VK_LEN == x402_zk_encoding::layout::VK_LEN);
