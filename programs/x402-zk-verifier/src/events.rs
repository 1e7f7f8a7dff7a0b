//! Events emitted for indexers and the facilitator.
use anchor_lang::prelude::*;

/// The config was created or changed.
#[event]
pub struct ConfigUpdated {
    pub authority: Pubkey,
    pub attester: [u8; 64],
    pub max_clock_skew_seconds: u32,
    pub paused: bool,
}
