//! The verifying key as data: nothing is compiled in. The config authority writes the key into the
//! [`VerifyingKeyAccount`] PDA `[VK_SEED]` (`initialize_config`, `set_verifying_key`), the program
//! computes its SHA-256 into `Config.vk_hash`, and every verify path reads it from there.
//!
//! ## Key bytes
//! Exactly what the ceremony's Solana export writes (`SolanaVk::to_bytes` in
//! `circuits/src/export/solana.rs`, file `solana_vk.bin`; the one owner of this layout):
//! `α (G1) ‖ β (G2) ‖ γ (G2) ‖ δ (G2) ‖ IC₀ (G1) ‖ IC₁ (G1)`, [`VK_LEN`] = 576 bytes for the
//! receipt statement's single public input; G1 `x ‖ y`, G2 `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`, every
//! coordinate 32 bytes big-endian. `Config.vk_hash = SHA-256(key bytes)` (= `SolanaVk::sha256`).
//!
//! ## What a written key must be ([`validate_key`], else `VerifyingKeyInvalid`)
//! [`VK_LEN`] bytes; every coordinate `< p` (the syscalls read the top bits of a G2 coordinate as
//! flags, so a non-canonical encoding would be a second name for the same key); no point the
//! identity (a zero γ or δ makes forging trivial); every point on its curve and G2 points in the
//! r-torsion subgroup — checked by handing all six points to the pairing syscall, which decodes
//! and validates each (the product's value is irrelevant).
//!
//! ## Reading it ([`load`])
//! The account must be owned by this program and carry the `VerifyingKeyAccount` discriminator
//! and size (`VerifyingKeyAccountMismatch`); its stored hash must equal `Config.vk_hash`
//! (`VerifyingKeyHashMismatch`). The hash was computed by this program from these bytes when they
//! were written, so it is not recomputed per payment. Its address is not re-derived (~170 CU a
//! payment): as for the config, only this program writes a `VerifyingKeyAccount` (at `[VK_SEED]`,
//! `initialize_config`; rewritten in place by `set_verifying_key`), always with the hash of the
//! key beside it, so any account passing these checks holds a key whose hash is `Config.vk_hash`.
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use groth16_solana::groth16::Groth16Verifyingkey;

use crate::batch::FQ_MODULUS_BE;
use crate::errors::ErrorCode;
use crate::state::{Config, VerifyingKeyAccount};

/// Number of public inputs of the receipt statement (`pubHash` only).
pub const NR_PUBLIC_INPUTS: usize = 1;

/// Length of the key bytes: α 64 ‖ β, γ, δ 128 each ‖ (inputs + 1) IC points of 64.
pub const VK_LEN: usize = 64 + 3 * 128 + (NR_PUBLIC_INPUTS + 1) * 64;

/// Byte ranges of the six points in the key bytes, in order α, β, γ, δ, IC₀, IC₁.
const POINTS: [(usize, usize); 6] = [
    (0, 64),
    (64, 192),
    (192, 320),
    (320, 448),
    (448, 512),
    (512, 576),
];

/// SHA-256 of the key bytes: the value of `Config.vk_hash` (`sol_sha256` on SBF).
pub fn key_hash(key: &[u8]) -> [u8; 32] {
    solana_sha256_hasher::hash(key).to_bytes()
}

/// Checks key bytes as the module doc says and returns them as an array.
pub fn validate_key(bytes: &[u8]) -> Result<[u8; VK_LEN]> {
    let invalid = || error!(ErrorCode::VerifyingKeyInvalid);
    let key: [u8; VK_LEN] = bytes.try_into().map_err(|_| {
        msg!("verifying key: {} bytes, expected {}", bytes.len(), VK_LEN);
        invalid()
    })?;
    if !key.chunks_exact(32).all(|c| c < FQ_MODULUS_BE.as_slice()) {
        msg!("verifying key: a coordinate is not below the field modulus");
        return Err(invalid());
    }
    if POINTS
        .iter()
        .any(|&(s, e)| key[s..e].iter().all(|b| *b == 0))
    {
        msg!("verifying key: a point is the identity");
        return Err(invalid());
    }
    // (α, β), (IC₀, γ), (IC₁, δ): the syscall decodes and validates all six points.
    let mut pairs = [0u8; 3 * 192];
    for (i, (g1, g2)) in [(0, 1), (4, 2), (5, 3)].into_iter().enumerate() {
        let (a, b) = (POINTS[g1], POINTS[g2]);
        pairs[i * 192..i * 192 + 64].copy_from_slice(&key[a.0..a.1]);
        pairs[i * 192 + 64..(i + 1) * 192].copy_from_slice(&key[b.0..b.1]);
    }
    if crate::bn254::pairing(&pairs).is_err() {
        msg!("verifying key: a point is not on the curve (or a G2 point not in the subgroup)");
        return Err(invalid());
    }
    Ok(key)
}

/// A verifying key read from its account, in groth16-solana's form.
pub struct LoadedVk {
    alpha: [u8; 64],
    beta: [u8; 128],
    gamma: [u8; 128],
    delta: [u8; 128],
    ic: [[u8; 64]; NR_PUBLIC_INPUTS + 1],
}

impl LoadedVk {
    /// Parses key bytes (already validated when written).
    pub fn from_key(key: &[u8; VK_LEN]) -> Self {
        let arr = |s: usize| -> [u8; 64] { key[s..s + 64].try_into().expect("64 bytes") };
        let arr2 = |s: usize| -> [u8; 128] { key[s..s + 128].try_into().expect("128 bytes") };
        LoadedVk {
            alpha: arr(0),
            beta: arr2(64),
            gamma: arr2(192),
            delta: arr2(320),
            ic: [arr(448), arr(512)],
        }
    }

    /// groth16-solana's view of the key (borrows the IC points).
    pub fn groth16(&self) -> Groth16Verifyingkey<'_> {
        Groth16Verifyingkey {
            nr_pubinputs: NR_PUBLIC_INPUTS,
            vk_alpha_g1: self.alpha,
            vk_beta_g2: self.beta,
            vk_gamma_g2: self.gamma,
            vk_delta_g2: self.delta,
            vk_ic: &self.ic,
            vk_commitment: None,
        }
    }
}

/// Reads the key every verify path uses from `account` (see the module doc for the checks).
pub fn load<A: crate::account::AccountAccess>(
    account: &A,
    config: &Config,
    program_id: &Pubkey,
) -> Result<LoadedVk> {
    let mismatch = || error!(ErrorCode::VerifyingKeyAccountMismatch);
    if account.owner() != program_id {
        return Err(mismatch());
    }
    let data = account.data()?;
    if data.len() != VerifyingKeyAccount::SPACE
        || !data.starts_with(VerifyingKeyAccount::DISCRIMINATOR)
    {
        return Err(mismatch());
    }
    let h = VerifyingKeyAccount::HASH_OFFSET;
    require!(
        data[h..h + 32] == config.vk_hash,
        ErrorCode::VerifyingKeyHashMismatch
    );
    let k = VerifyingKeyAccount::KEY_OFFSET;
    let key: &[u8; VK_LEN] = data[k..k + VK_LEN].try_into().map_err(|_| mismatch())?;
    Ok(LoadedVk::from_key(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;

    #[test]
    fn layout_constants_match_the_serialized_account() {
        let acc = VerifyingKeyAccount {
            bump: 0xfe,
            vk_hash: [7; 32],
            key: [9; VK_LEN],
        };
        let mut data = Vec::new();
        acc.try_serialize(&mut data).unwrap();
        assert_eq!(data.len(), VerifyingKeyAccount::SPACE);
        assert_eq!(VK_LEN, 576);
        assert_eq!(data[VerifyingKeyAccount::BUMP_OFFSET], 0xfe);
        let h = VerifyingKeyAccount::HASH_OFFSET;
        assert_eq!(data[h..h + 32], [7; 32]);
        let k = VerifyingKeyAccount::KEY_OFFSET;
        assert_eq!(data[k..], [9; VK_LEN]);
    }

    #[test]
    fn garbage_keys_are_refused() {
        assert!(validate_key(&[1u8; VK_LEN - 1]).is_err(), "short");
        assert!(validate_key(&[1u8; VK_LEN + 64]).is_err(), "long");
        assert!(validate_key(&[0xff; VK_LEN]).is_err(), "coordinates ≥ p");
        assert!(validate_key(&[0u8; VK_LEN]).is_err(), "identity points");
        assert!(validate_key(&[1u8; VK_LEN]).is_err(), "not on the curve");
    }
}
