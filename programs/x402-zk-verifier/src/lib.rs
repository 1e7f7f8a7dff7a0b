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
use anchor_lang::prelude::*;

// Solana's memcpy/memset and i128 helpers must reach the linker before Rust's weak ones.
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;

use instructions::*;

declare_id!("FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne");

#[program]
pub mod x402_zk_verifier {
    use super::*;

    /// Creates the config PDA, owned by `authority` (the signer paying for it).
    pub fn initialize_config(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
        instructions::initialize_config::handler(ctx, args)
    }

    /// Pauses or resumes payment verification (authority only).
    pub fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
        instructions::admin::set_paused(ctx, paused)
    }
}
