//! Canonical program-derived addresses at syscall prices.
//!
//! `find_program_address` costs 1,500 CU per bump it tries (the runtime charges the price of
//! `create_program_address` for each), and a nullifier's canonical bump takes one to several tries
//! (each has a ½ chance of landing on the curve). [`find_program_address`] runs the same search
//! from the two primitives it is made of: the SHA-256 of `seeds ‖ bump ‖ program_id ‖
//! "ProgramDerivedAddress"` (`sol_sha256`, ~150 CU) and the ed25519 on-curve test
//! (`sol_curve_validate_point`, 159 CU), from bump 255 down. It returns the same (address, bump) —
//! the highest bump whose hash is off the curve — so it keeps the property the nullifier's
//! soundness rests on: one address per seed. The host build uses the SDK's search; the LiteSVM
//! tests hold the on-chain one to it, since every nullifier and policy address they pass is the
//! SDK's (a batch of 32 covers 32 nullifiers, about half of them below bump 255).
use anchor_lang::prelude::*;

/// The canonical PDA of `seeds` under `program_id`, or `None` when no bump gives an off-curve
/// address (probability 2⁻²⁵⁶; `find_program_address` would panic).
#[cfg(target_os = "solana")]
pub fn find_program_address<const N: usize>(
    seeds: &[&[u8]; N],
    program_id: &Pubkey,
) -> Option<(Pubkey, u8)> {
    use solana_address::{bytes_are_curve_point, Address, MAX_SEED_LEN};
    // The runtime refuses seeds over 32 bytes; `derive_address` (solana-address 2.7) would hash them.
    if seeds.iter().any(|s| s.len() > MAX_SEED_LEN) {
        return None;
    }
    (0..=u8::MAX).rev().find_map(|bump| {
        let address = Address::derive_address(seeds, Some(bump), program_id);
        (!bytes_are_curve_point(address)).then_some((address, bump))
    })
}

/// Host build: the SDK's search (what clients use to derive the same address).
#[cfg(not(target_os = "solana"))]
pub fn find_program_address<const N: usize>(
    seeds: &[&[u8]; N],
    program_id: &Pubkey,
) -> Option<(Pubkey, u8)> {
    Pubkey::try_find_program_address(seeds, program_id)
}
