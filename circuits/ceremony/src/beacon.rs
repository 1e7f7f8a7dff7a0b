//! Randomness for contributions: a participant's (OS RNG mixed with their text) and a public beacon's
//! (deterministic, so anyone can recompute it).
//!
//! Beacon: `seed = SHA-256^(2^k)(value)` — the iterated hash is a cheap delay so that whoever picks the beacon
//! round cannot try many candidate values in the time between the round's publication and the deadline. A
//! future drand round's randomness is a good `value` (announce the round number before it is produced).

use super::{CeremonyError, Result};
use ark_std::rand::{RngCore, SeedableRng};
use blake2::{Blake2b512, Digest as _};
use rand_chacha::ChaCha20Rng;
use sha2::Sha256;
use zeroize::Zeroize;

/// Largest accepted beacon iteration exponent (2^40 SHA-256 ≈ hours).
pub const MAX_ITERATIONS_EXP: u32 = 40;

/// `SHA-256` applied `2^iterations_exp` times to `value`.
pub fn beacon_seed(value: &[u8], iterations_exp: u32) -> Result<[u8; 32]> {
    if iterations_exp > MAX_ITERATIONS_EXP {
        return Err(CeremonyError::Usage(format!(
            "beacon iterations exponent {iterations_exp} > {MAX_ITERATIONS_EXP}"
        )));
    }
    let mut h: [u8; 32] = Sha256::digest(value).into();
    for _ in 1..(1u64 << iterations_exp) {
        h = Sha256::digest(h).into();
    }
    Ok(h)
}

/// A beacon contribution's transcript origin and the RNG it draws its secrets from (both phases).
pub fn beacon_contribution(
    value: &[u8],
    iterations_exp: u32,
) -> Result<(super::transcript::Origin, ChaCha20Rng)> {
    let rng = beacon_rng(value, iterations_exp)?;
    let origin = super::transcript::Origin::Beacon {
        value: value.to_vec(),
        iterations_exp,
    };
    Ok((origin, rng))
}

/// The RNG a beacon contribution draws its secrets from.
pub fn beacon_rng(value: &[u8], iterations_exp: u32) -> Result<ChaCha20Rng> {
    Ok(ChaCha20Rng::from_seed(beacon_seed(value, iterations_exp)?))
}

/// Parses the beacon value given in hex on the command line.
pub fn parse_beacon_hex(s: &str) -> Result<Vec<u8>> {
    let v = hex::decode(s.trim().trim_start_matches("0x"))
        .map_err(|e| CeremonyError::Usage(format!("beacon value must be hex: {e}")))?;
    if v.is_empty() || v.len() > 1024 {
        return Err(CeremonyError::Usage(
            "beacon value must be 1..=1024 bytes".into(),
        ));
    }
    Ok(v)
}

/// A participant's RNG: 64 bytes from the OS RNG and the participant's text (typed at random, or anything)
/// hashed together into a ChaCha20 seed. The intermediate buffers are zeroized; the returned RNG must be
/// dropped as soon as the contribution is made (the secrets it yields are zeroized by the callers).
pub fn participant_rng(entropy_text: &str) -> ChaCha20Rng {
    let mut os = [0u8; 64];
    rand_core::OsRng.fill_bytes(&mut os);
    let mut h = Blake2b512::new_with_prefix(b"x402-zk/ceremony/participant-entropy");
    h.update(os);
    h.update(entropy_text.as_bytes());
    let mut digest: [u8; 64] = h.finalize().into();
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&digest[..32]);
    let rng = ChaCha20Rng::from_seed(seed);
    os.zeroize();
    digest.zeroize();
    seed.zeroize();
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beacon_is_iterated_sha256() {
        let one: [u8; 32] = Sha256::digest(b"x").into();
        let two: [u8; 32] = Sha256::digest(one).into();
        assert_eq!(beacon_seed(b"x", 0).unwrap(), one);
        assert_eq!(beacon_seed(b"x", 1).unwrap(), two);
        assert!(beacon_seed(b"x", 41).is_err());
    }
}
