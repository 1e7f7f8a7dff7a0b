//! The statement's single Groth16 public input, `pubHash`, recomputed on chain.
//!
//! Encodings (the circuit's `circuits/src/receipt.rs` and `field.rs` are the reference):
//! - every field element is 32 bytes **big-endian** and must be `< r`; values `≥ r` are rejected
//!   with [`ErrorCode::PublicValueNotCanonical`], never reduced;
//! - a 32-byte key (payTo, asset, program id) enters as two 128-bit halves `(hi, lo)`, each
//!   zero-extended to 32 bytes; native SOL is the all-zero asset;
//! - `u64` values (minAmount, now, maxAge) are zero-extended to 32 bytes.
//!
//! Poseidon is circomlib's (`sol_poseidon` with `Bn254X5`, big-endian), the same function as
//! `light_poseidon::Poseidon::new_circom(n)` on the host; it costs `61·n² + 542` CU for `n` inputs.
//!
//! The definition of `pubHash` lives only in [`pub_hash`]: when the circuit changes its hash
//! layout, this file is the one place to follow it.
use anchor_lang::prelude::*;
use solana_poseidon::{hashv, Endianness, Parameters};

use crate::errors::ErrorCode;

/// BN254 scalar field modulus r, big-endian. Values ≥ r are rejected, never reduced.
pub const FR_MODULUS_BE: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// True when the 32-byte big-endian value is a canonical field element (< r).
pub fn is_canonical_fr(be: &[u8; 32]) -> bool {
    be < &FR_MODULUS_BE
}

/// Rejects a public value ≥ r with a typed error.
pub fn require_canonical(be: &[u8; 32]) -> Result<()> {
    require!(is_canonical_fr(be), ErrorCode::PublicValueNotCanonical);
    Ok(())
}

/// `(hi, lo)`: the first and last 16 bytes of a key, each zero-extended to a 32-byte field element.
pub fn split_key(key: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let mut hi = [0u8; 32];
    let mut lo = [0u8; 32];
    hi[16..].copy_from_slice(&key[..16]);
    lo[16..].copy_from_slice(&key[16..]);
    (hi, lo)
}

/// A `u64` as a 32-byte big-endian field element.
pub fn u64_fr(v: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&v.to_be_bytes());
    out
}

/// circomlib Poseidon over big-endian field elements (inputs must already be canonical).
pub fn poseidon(inputs: &[&[u8]]) -> Result<[u8; 32]> {
    hashv(Parameters::Bn254X5, Endianness::BigEndian, inputs)
        .map(|h| h.to_bytes())
        .map_err(|_| error!(ErrorCode::PoseidonFailed))
}

/// `domain = Poseidon(programId_hi, programId_lo)`: binds nullifiers to this deployment.
pub fn domain(program_id: &Pubkey) -> Result<[u8; 32]> {
    let (hi, lo) = split_key(&program_id.to_bytes());
    poseidon(&[&hi, &lo])
}

/// Everything of the public statement that is fixed per merchant offer: shared by every proof of
/// a batch. Prepared once (keys split, integers encoded).
pub struct Policy {
    /// Attester key `Ax || Ay` (from the config, already checked canonical).
    pub attester: [u8; 64],
    pub pay_to: ([u8; 32], [u8; 32]),
    pub asset: ([u8; 32], [u8; 32]),
    pub min_amount: [u8; 32],
    pub max_age: [u8; 32],
    /// From the config.
    pub domain: [u8; 32],
}

impl Policy {
    pub fn new(
        attester: &[u8; 64],
        domain: &[u8; 32],
        pay_to: &Pubkey,
        asset: &Pubkey,
        min_amount: u64,
        max_age: u64,
    ) -> Self {
        Policy {
            attester: *attester,
            pay_to: split_key(&pay_to.to_bytes()),
            asset: split_key(&asset.to_bytes()),
            min_amount: u64_fr(min_amount),
            max_age: u64_fr(max_age),
            domain: *domain,
        }
    }
}

/// The per-proof public values (the proof's own part of the statement).
pub struct ProofPublic<'a> {
    pub now: u64,
    pub resource_hash: &'a [u8; 32],
    pub nullifier: &'a [u8; 32],
}

/// `pubHash`, exactly as `circuits/src/receipt.rs::PublicParams::pub_hash` defines it today:
/// `Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, now, maxAge, resourceHash,
/// nullifier, domain)` — 12 inputs, 9,326 CU. `resource_hash` and `nullifier` must be canonical
/// (checked here; everything else is canonical by construction).
pub fn pub_hash(policy: &Policy, p: &ProofPublic) -> Result<[u8; 32]> {
    require_canonical(p.resource_hash)?;
    require_canonical(p.nullifier)?;
    let now = u64_fr(p.now);
    poseidon(&[
        &policy.attester[..32],
        &policy.attester[32..],
        &policy.pay_to.0,
        &policy.pay_to.1,
        &policy.asset.0,
        &policy.asset.1,
        &policy.min_amount,
        &now,
        &policy.max_age,
        p.resource_hash,
        p.nullifier,
        &policy.domain,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_encode() {
        let mut key = [0u8; 32];
        key[0] = 0xaa;
        key[31] = 0xbb;
        let (hi, lo) = split_key(&key);
        assert_eq!(hi[16], 0xaa);
        assert_eq!(lo[31], 0xbb);
        assert!(hi[..16].iter().all(|b| *b == 0));
        assert_eq!(u64_fr(258)[30..], [1, 2]);
    }

    #[test]
    fn canonical_boundary() {
        assert!(!is_canonical_fr(&FR_MODULUS_BE));
        let mut below = FR_MODULUS_BE;
        below[31] -= 1;
        assert!(is_canonical_fr(&below));
        assert!(!is_canonical_fr(&[0xff; 32]));
    }
}
