//! PDA seeds and the byte layouts of accounts and instruction data (Anchor/borsh: integers
//! little-endian, fixed arrays inline). The program's Anchor types must encode to exactly these
//! bytes (its tests assert it); clients that build bytes by hand use the constants here.

/// Seed of the single `Config` PDA: `[CONFIG_SEED]`.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed of the single verifying-key PDA: `[VK_SEED]`.
pub const VK_SEED: &[u8] = b"vk";
/// Seed prefix of a nullifier PDA: `[NULLIFIER_SEED, nullifier (32 bytes big-endian)]`.
pub const NULLIFIER_SEED: &[u8] = b"nullifier";

/// Seed prefix of a policy PDA: `[POLICY_SEED, policyHash (32 bytes big-endian)]`.
pub const POLICY_SEED: &[u8] = b"policy";

/// The seeds of a policy PDA (without the bump).
#[inline]
pub fn policy_seeds(policy_hash_be: &[u8; 32]) -> [&[u8]; 2] {
    [POLICY_SEED, policy_hash_be]
}

/// The seeds of a nullifier PDA.
#[inline]
pub fn nullifier_seeds(nullifier_be: &[u8; 32]) -> [&[u8]; 2] {
    [NULLIFIER_SEED, nullifier_be]
}

/// Anchor's account discriminator length.
pub const DISCRIMINATOR_LEN: usize = 8;

/// Verifying-key bytes: `α (G1) ‖ β (G2) ‖ γ (G2) ‖ δ (G2) ‖ IC₀ (G1) ‖ IC₁ (G1)` (one public input).
pub const VK_LEN: usize = 64 + 3 * 128 + 2 * 64;

/// `VerifyingKeyAccount`: discriminator 8 ‖ `bump` u8 ‖ `vk_hash` 32 ‖ `key` [`VK_LEN`].
pub mod vk_account {
    /// Offset of `bump`.
    pub const BUMP_OFFSET: usize = 8;
    /// Offset of `vk_hash`.
    pub const HASH_OFFSET: usize = 9;
    /// Offset of `key`.
    pub const KEY_OFFSET: usize = 41;
    /// Account size.
    pub const SPACE: usize = KEY_OFFSET + super::VK_LEN;
}

/// `Config`: discriminator 8 ‖ authority 32 ‖ attester 64 ‖ skew u32 ‖ paused u8 ‖ bump u8 ‖
/// domain 32 ‖ `vk_hash` 32 ‖ `max_receipt_age_seconds` u32.
pub mod config_account {
    /// Offset of `authority`.
    pub const AUTHORITY_OFFSET: usize = 8;
    /// Offset of `attester` (`Ax ‖ Ay`).
    pub const ATTESTER_OFFSET: usize = 40;
    /// Offset of `max_clock_skew_seconds`.
    pub const SKEW_OFFSET: usize = 104;
    /// Offset of `paused`.
    pub const PAUSED_OFFSET: usize = 108;
    /// Offset of `bump` (of the config PDA).
    pub const BUMP_OFFSET: usize = 109;
    /// Offset of `domain`.
    pub const DOMAIN_OFFSET: usize = 110;
    /// Offset of `vk_hash`.
    pub const VK_HASH_OFFSET: usize = 142;
    /// Offset of `max_receipt_age_seconds`.
    pub const MAX_RECEIPT_AGE_OFFSET: usize = 174;
    /// Offset of `nullifier_rent_lamports` (u64 LE).
    pub const NULLIFIER_RENT_OFFSET: usize = 178;
    /// Account size.
    pub const SPACE: usize = 186;
}

/// `Nullifier`: discriminator 8 ‖ `expires_at` i64 LE ‖ `rent_payer` 32.
pub mod nullifier_account {
    /// Offset of `expires_at`.
    pub const EXPIRES_AT_OFFSET: usize = 8;
    /// Offset of `rent_payer` (for `getProgramAccounts` memcmp filters).
    pub const RENT_PAYER_OFFSET: usize = 16;
    /// Account size.
    pub const SPACE: usize = 48;
}

/// `Policy`: discriminator 8 ‖ `policy_hash` 32 ‖ `pay_to` 32 ‖ `asset` 32 ‖ `min_amount` u64 LE ‖
/// `max_age` u64 LE ‖ `attester` 64 ‖ `rent_payer` 32 ‖ `bump` u8.
pub mod policy_account {
    /// Offset of `policy_hash` (for `getProgramAccounts` memcmp filters).
    pub const POLICY_HASH_OFFSET: usize = 8;
    /// Offset of `pay_to`.
    pub const PAY_TO_OFFSET: usize = 40;
    /// Offset of `asset`.
    pub const ASSET_OFFSET: usize = 72;
    /// Offset of `min_amount`.
    pub const MIN_AMOUNT_OFFSET: usize = 104;
    /// Offset of `max_age`.
    pub const MAX_AGE_OFFSET: usize = 112;
    /// Offset of `attester` (`Ax ‖ Ay`, the config's attester when the policy was registered).
    pub const ATTESTER_OFFSET: usize = 120;
    /// Offset of `rent_payer`.
    pub const RENT_PAYER_OFFSET: usize = 184;
    /// Offset of `bump`.
    pub const BUMP_OFFSET: usize = 216;
    /// Account size.
    pub const SPACE: usize = 217;
}

/// One payment as `verify_payment`, `verify_batch` and the proof buffer carry it (`PaymentProof`,
/// borsh): `proof` 256 ‖ `now` u64 LE ‖ `resource_hash` 32 ‖ `nullifier` 32 = 328 bytes.
pub mod payment {
    use crate::proof::PROOF_LEN;

    /// Offset of `now`.
    pub const NOW_OFFSET: usize = PROOF_LEN;
    /// Offset of `resource_hash`.
    pub const RESOURCE_HASH_OFFSET: usize = NOW_OFFSET + 8;
    /// Offset of `nullifier`.
    pub const NULLIFIER_OFFSET: usize = RESOURCE_HASH_OFFSET + 32;
    /// Bytes of one payment.
    pub const LEN: usize = NULLIFIER_OFFSET + 32;

    /// One payment's fields, borrowed.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct PaymentRef<'a> {
        /// `−A ‖ B ‖ C`.
        pub proof: &'a [u8; PROOF_LEN],
        /// The proof's `now`.
        pub now: u64,
        /// `resourceHash`, big-endian.
        pub resource_hash: &'a [u8; 32],
        /// `nullifier`, big-endian.
        pub nullifier: &'a [u8; 32],
    }

    impl<'a> PaymentRef<'a> {
        /// Reads one payment from exactly [`LEN`] bytes (`None` otherwise).
        pub fn parse(bytes: &'a [u8]) -> Option<Self> {
            let bytes: &[u8; LEN] = bytes.try_into().ok()?;
            let (proof, rest) = bytes.split_first_chunk::<PROOF_LEN>()?;
            let (now, rest) = rest.split_first_chunk::<8>()?;
            let (resource_hash, rest) = rest.split_first_chunk::<32>()?;
            let nullifier: &[u8; 32] = rest.try_into().ok()?;
            Some(PaymentRef {
                proof,
                now: u64::from_le_bytes(*now),
                resource_hash,
                nullifier,
            })
        }

        /// The [`LEN`] bytes of this payment.
        pub fn encode(&self) -> [u8; LEN] {
            let mut out = [0u8; LEN];
            out[..NOW_OFFSET].copy_from_slice(self.proof);
            out[NOW_OFFSET..RESOURCE_HASH_OFFSET].copy_from_slice(&self.now.to_le_bytes());
            out[RESOURCE_HASH_OFFSET..NULLIFIER_OFFSET].copy_from_slice(self.resource_hash);
            out[NULLIFIER_OFFSET..].copy_from_slice(self.nullifier);
            out
        }
    }
}

/// A proof buffer account (written with `write_proof_buffer`, read by `verify_batch_from_buffer`):
/// `MAGIC` 8 ‖ authority 32 ‖ `len` u32 LE (bytes of payments stored) ‖ payments
/// ([`payment::LEN`] bytes each).
pub mod proof_buffer {
    /// First 8 bytes of an initialized buffer.
    pub const MAGIC: [u8; 8] = *b"x402pbuf";
    /// Offset of the authority key.
    pub const AUTHORITY_OFFSET: usize = 8;
    /// Offset of the stored length.
    pub const LEN_OFFSET: usize = 40;
    /// Header bytes (payments start here).
    pub const HEADER_LEN: usize = 44;

    /// Account size for `n` payments.
    pub const fn space(n: usize) -> usize {
        HEADER_LEN + n * super::payment::LEN
    }
}
