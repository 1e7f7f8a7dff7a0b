//! Accounts owned by the program.
use anchor_lang::prelude::*;

/// Seed of the single [`Config`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";

/// Upper bound on the clock skew an authority may allow between a proof's `now` and the
/// validator's Clock: a larger window would let stale receipts live longer than `maxAge` says.
pub const MAX_ALLOWED_CLOCK_SKEW_SECONDS: u32 = 3_600;

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
    /// SHA-256 of the verifying key compiled into this program (`vk::VERIFYING_KEY_SHA256`), so
    /// provers and facilitators can check that their proving key matches what verifies on chain.
    pub vk_hash: [u8; 32],
}

/// Seed prefix of a [`Nullifier`] PDA: `[NULLIFIER_SEED, nullifier_be_32]`.
pub const NULLIFIER_SEED: &[u8] = b"nullifier";

/// A spent nullifier. Its existence is what makes a receipt pay exactly once, and that is all it
/// records: no `resourceHash` or `payTo`, so the account tells an observer nothing about what was
/// bought (17 bytes: 1,009,200 lamports of rent).
#[account]
#[derive(InitSpace)]
pub struct Nullifier {
    /// Slot in which the nullifier was burnt.
    pub slot: u64,
    /// Canonical bump of this PDA.
    pub bump: u8,
}

impl Nullifier {
    /// Account size including Anchor's 8-byte discriminator.
    pub const SPACE: usize = 8 + Nullifier::INIT_SPACE;
}
