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
}
