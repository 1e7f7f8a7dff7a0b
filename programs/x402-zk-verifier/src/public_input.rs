//! The statement's single Groth16 public input, `pubHash`, recomputed on chain, and the
//! per-merchant `policyHash` it binds.
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
//! The statement hashes in two levels: [`policy_hash`] over the merchant's terms (9 inputs, once,
//! by `register_policy`, stored in the `Policy` account) and [`pub_hash`] over `policyHash` and
//! the proof's own values (4 inputs, per proof). The orders live only in
//! `x402_zk_encoding::{PolicyHashInputs, PubHashInputs}::ordered`, which the circuit uses too.
use anchor_lang::prelude::*;
use solana_poseidon::{hashv, Endianness, Parameters};

use crate::errors::ErrorCode;

pub use x402_zk_encoding::{is_canonical_fr, split_key, FR_MODULUS_BE};
use x402_zk_encoding::{
    u64_be32 as u64_fr, PolicyHashInputs, PubHashInputs, POLICY_HASH_ARITY, PUB_HASH_ARITY,
};

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

/// `policyHash = Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, maxAge,
/// domain)` — 9 inputs, computed once per merchant offer by `register_policy` (never per proof).
/// `attester` and `domain` come from the config (canonical by construction).
pub fn policy_hash(
    attester: &[u8; 64],
    domain: &[u8; 32],
    pay_to: &Pubkey,
    asset: &Pubkey,
    min_amount: u64,
    max_age: u64,
) -> Result<[u8; 32]> {
    // The order is `x402_zk_encoding::PolicyHashInputs::ordered`, shared with the circuit.
    let inputs = PolicyHashInputs::from_values(
        attester,
        &pay_to.to_bytes(),
        &asset.to_bytes(),
        min_amount,
        max_age,
        domain,
    )
    .ordered();
    let refs: [&[u8]; POLICY_HASH_ARITY] = inputs.each_ref().map(|x| x.as_slice());
    poseidon(&refs)
}

/// The per-proof public values (the proof's own part of the statement).
pub struct ProofPublic<'a> {
    pub now: u64,
    pub resource_hash: &'a [u8; 32],
    pub nullifier: &'a [u8; 32],
}

/// `pubHash = Poseidon(policyHash, now, resourceHash, nullifier)` — 4 inputs, 1,518 CU, exactly
/// as `circuits/src/receipt.rs::PublicParams::pub_hash` defines it. `resource_hash` and
/// `nullifier` must be canonical (checked here; `policy_hash` is a Poseidon output and `now` a
/// u64, canonical by construction).
pub fn pub_hash(policy_hash: &[u8; 32], p: &ProofPublic) -> Result<[u8; 32]> {
    require_canonical(p.resource_hash)?;
    require_canonical(p.nullifier)?;
    let now = u64_fr(p.now);
    // The order is `x402_zk_encoding::PubHashInputs::ordered`, shared with the circuit.
    let inputs: [&[u8]; PUB_HASH_ARITY] = PubHashInputs {
        policy_hash: policy_hash.as_slice(),
        now: &now,
        resource_hash: p.resource_hash,
        nullifier: p.nullifier,
    }
    .ordered();
    poseidon(&inputs)
}
