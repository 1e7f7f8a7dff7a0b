//! Compute-unit limits of the program's transactions (`SetComputeUnitLimit`), as the facilitator and
//! the SDK request them. A limit is what a transaction reserves of a block and of its fee payer's
//! per-account share (a facilitator's one fee payer is writable in every settlement), and what a
//! priority fee is paid on, so it follows the measured cost instead of a round guess: the LiteSVM
//! tests hold every limit between the cost they measure and that cost plus [`MARGIN_PERCENT`]
//! (`tests/litesvm`: `verify.rs`, `batch.rs`). Whole transactions, the compute-budget instruction's
//! own 150 CU included.
//!
//! The one data-dependent cost is the canonical search for each nullifier's PDA ([`bump_tries`]):
//! the caller knows the bumps (it derives the addresses it passes), so the limit follows them.

/// `verify_payment` whose nullifier's PDA is found at the first bump (dev key, LiteSVM).
pub const VERIFY_PAYMENT_FIRST_TRY: u32 = 83_788;
/// Each further bump the canonical PDA search tries (`sol_sha256` + `sol_curve_validate_point`).
pub const PER_BUMP_TRY: u32 = 347;
/// `register_policy` in front of `verify_payment` in the same transaction (a merchant's first payment).
pub const REGISTER_POLICY: u32 = 13_300;
/// `verify_batch_from_buffer`: per transaction, and per proof whose nullifier is found at the first bump.
pub const BUFFER_BATCH_BASE: u32 = 69_500;
/// See [`BUFFER_BATCH_BASE`].
pub const BUFFER_BATCH_PER_PROOF: u32 = 26_600;
/// `verify_batch` (payments inline): per transaction, and per proof at the first bump.
pub const INLINE_BATCH_BASE: u32 = 66_500;
/// See [`INLINE_BATCH_BASE`].
pub const INLINE_BATCH_PER_PROOF: u32 = 29_500;
/// Headroom over the modelled cost (proof bytes and timestamps move a payment's cost by a few CU).
pub const MARGIN_PERCENT: u32 = 5;
/// The runtime's ceiling per transaction.
pub const MAX: u32 = 1_400_000;

/// Bumps the canonical PDA search tries to reach `bump` (it starts at 255 and counts down).
pub const fn bump_tries(bump: u8) -> u32 {
    256 - bump as u32
}

const fn with_margin(units: u64) -> u32 {
    let units = units + units * MARGIN_PERCENT as u64 / 100;
    if units > MAX as u64 {
        MAX
    } else {
        units as u32
    }
}

/// The limit for `verify_payment` of a nullifier whose PDA has `bump`, after `register_policy` when
/// `registers_policy`.
pub const fn verify_payment(bump: u8, registers_policy: bool) -> u32 {
    let mut units =
        VERIFY_PAYMENT_FIRST_TRY as u64 + PER_BUMP_TRY as u64 * (bump_tries(bump) as u64 - 1);
    if registers_policy {
        units += REGISTER_POLICY as u64;
    }
    with_margin(units)
}

/// `base + per_proof · n + PER_BUMP_TRY · Σ (tries − 1)` with the margin.
fn batch(base: u32, per_proof: u32, bumps: &[u8]) -> u32 {
    let extra: u64 = bumps.iter().map(|b| u64::from(bump_tries(*b) - 1)).sum();
    with_margin(
        u64::from(base)
            + u64::from(per_proof) * bumps.len() as u64
            + u64::from(PER_BUMP_TRY) * extra,
    )
}

/// The limit for `verify_batch_from_buffer` burning nullifiers whose PDAs have `bumps`.
pub fn buffer_batch(bumps: &[u8]) -> u32 {
    batch(BUFFER_BATCH_BASE, BUFFER_BATCH_PER_PROOF, bumps)
}

/// The limit for `verify_batch` (payments inline) burning nullifiers whose PDAs have `bumps`.
pub fn inline_batch(bumps: &[u8]) -> u32 {
    batch(INLINE_BATCH_BASE, INLINE_BATCH_PER_PROOF, bumps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_grow_with_the_search_and_stop_at_the_ceiling() {
        assert_eq!(bump_tries(255), 1);
        assert_eq!(bump_tries(0), 256);
        assert!(verify_payment(254, false) > verify_payment(255, false));
        assert!(verify_payment(255, true) > verify_payment(255, false));
        assert_eq!(buffer_batch(&[0; 64]), MAX);
        assert!(buffer_batch(&[255; 16]) < buffer_batch(&[255; 17]));
    }
}
