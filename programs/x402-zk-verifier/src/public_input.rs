//! The statement's single Groth16 public input, `pubHash`, recomputed on chain.
//!
//! Encodings (owned by the `x402-zk-encoding` crate, shared with the circuit and the services):
//! - every field element is 32 bytes **big-endian** and must be `< r`; values `≥ r` are rejected
//!   with [`ErrorCode::PublicValueNotCanonical`], never reduced;
//! - a 32-byte key (payTo, asset, program id) enters as two 128-bit halves `(hi, lo)`, each
//!   zero-extended to 32 bytes; native SOL is the all-zero asset;
//! - `u64` values (minAmount, now, maxAge) are zero-extended to 32 bytes.
//!
//! Poseidon is circomlib's (`sol_poseidon` with `Bn254X5`, big-endian), the same function as
//! `light_poseidon::Poseidon::new_circom(n)` on the host; it costs `61·n² + 542` CU for `n` inputs.
//!
//! The order of `pubHash`'s inputs lives only in `x402_zk_encoding::PubHashInputs::ordered`, which
//! the circuit uses too; [`pub_hash`] feeds it to the syscall.
use anchor_lang::prelude::*;
use solana_poseidon::{hashv, Endianness, Parameters};

use crate::errors::ErrorCode;

pub use x402_zk_encoding::{is_canonical_fr, split_key, FR_MODULUS_BE};
use x402_zk_encoding::{u64_be32 as u64_fr, KeyHalves, PubHashInputs};

/// Rejects a public value ≥ r with a typed error.
pub fn require_canonical(be: &[u8; 32]) -> Result<()> {
    require!(is_canonical_fr(be), ErrorCode::PublicValueNotCanonical);
    Ok(())
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
    pub pay_to: KeyHalves<[u8; 32]>,
    pub asset: KeyHalves<[u8; 32]>,
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
            pay_to: KeyHalves::of(&pay_to.to_bytes()),
            asset: KeyHalves::of(&asset.to_bytes()),
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
    let (ax, ay) = policy.attester.split_at(32);
    // The order is `x402_zk_encoding::PubHashInputs::ordered`, shared with the circuit.
    let inputs: [&[u8]; 12] = PubHashInputs {
        attester_x: ax,
        attester_y: ay,
        pay_to: policy.pay_to.as_ref().map(|h| h.as_slice()),
        asset: policy.asset.as_ref().map(|h| h.as_slice()),
        min_amount: &policy.min_amount,
        now: &now,
        max_age: &policy.max_age,
        resource_hash: p.resource_hash,
        nullifier: p.nullifier,
        domain: &policy.domain,
    }
    .ordered();
    poseidon(&inputs)
}
