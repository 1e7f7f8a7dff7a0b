//! BN254 scalar field (Fr) encodings used across the protocol.
//!
//! All byte encodings are **big-endian**. Values ≥ the modulus r are rejected, never reduced.
//! 32-byte keys (payTo, asset, program id) enter the field as two 128-bit halves `(hi, lo)`.

use crate::error::{Error, Result};
use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField, Zero};
use num_bigint::BigUint;

/// The BN254 scalar field element type used everywhere.
pub use ark_bn254::Fr as Field;

/// The modulus r as a big integer.
pub fn modulus() -> BigUint {
    BigUint::from_bytes_be(&Fr::MODULUS.to_bytes_be())
}

/// Parses 32 big-endian bytes as a field element; errors if the value is ≥ r.
pub fn fr_from_be_bytes_checked(bytes: &[u8], what: &'static str) -> Result<Fr> {
    let bytes: &[u8; 32] = bytes.try_into().map_err(|_| Error::WrongLength {
        what,
        expected: 32,
        got: bytes.len(),
    })?;
    if !x402_zk_encoding::is_canonical_fr(bytes) {
        return Err(Error::NotInField { what });
    }
    Ok(Fr::from_be_bytes_mod_order(bytes))
}

/// Converts a big integer to a field element; errors if it is ≥ r.
pub fn fr_from_biguint_checked(v: &BigUint, what: &'static str) -> Result<Fr> {
    if *v >= modulus() {
        return Err(Error::NotInField { what });
    }
    Ok(Fr::from_le_bytes_mod_order(&v.to_bytes_le()))
}

/// Field element as 32 big-endian bytes (the encoding of groth16-solana and `sol_poseidon`).
pub fn fr_to_be_bytes(f: &Fr) -> [u8; 32] {
    let v = f.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out.copy_from_slice(&v);
    out
}

/// Field element as a big integer.
pub fn fr_to_biguint(f: &Fr) -> BigUint {
    f.into_bigint().into()
}

/// Field element as a decimal string (snarkjs / circomlibjs convention).
pub fn fr_to_decimal(f: &Fr) -> String {
    fr_to_biguint(f).to_string()
}

/// Field element as `0x`-prefixed 64-digit big-endian hex.
pub fn fr_to_hex(f: &Fr) -> String {
    format!("0x{}", hex::encode(fr_to_be_bytes(f)))
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Parses a field element from a decimal string or a `0x`-prefixed hex string (at most 32 bytes),
/// surrounding whitespace ignored. Errors if the value is ≥ r (`x402_zk_encoding::parse_fr_str`).
pub fn fr_from_str_checked(s: &str, what: &'static str) -> Result<Fr> {
    use x402_zk_encoding::FieldParseError;
    let s = s.trim();
    match x402_zk_encoding::parse_fr_str(s) {
        Ok(be) => Ok(Fr::from_be_bytes_mod_order(&be)),
        Err(FieldParseError::NotCanonical) => Err(Error::NotInField { what }),
        Err(e) => Err(Error::Parse {
            what,
            input: truncate(s),
            reason: e.to_string(),
        }),
    }
}

/// Splits a 32-byte key into `(hi, lo)`: the first and last 16 bytes as big-endian integers
/// (`x402_zk_encoding::split_key`).
pub fn split_key(key: &[u8; 32]) -> (Fr, Fr) {
    let (hi, lo) = x402_zk_encoding::split_key(key);
    (
        Fr::from_be_bytes_mod_order(&hi),
        Fr::from_be_bytes_mod_order(&lo),
    )
}

/// Parses a 32-byte key from `0x`-hex (64 digits) or base58 is *not* supported here: callers convert first.
pub fn key_from_hex(s: &str, what: &'static str) -> Result<[u8; 32]> {
    let h = s.trim().trim_start_matches("0x");
    let bytes = hex::decode(h).map_err(|e| Error::Parse {
        what,
        input: truncate(s),
        reason: e.to_string(),
    })?;
    bytes.as_slice().try_into().map_err(|_| Error::WrongLength {
        what,
        expected: 32,
        got: bytes.len(),
    })
}

/// Truncates a 32-byte digest (e.g. SHA-256) to its first 31 bytes, big-endian: always < r.
pub fn fr_from_digest31(digest: &[u8; 32]) -> Fr {
    Fr::from_be_bytes_mod_order(&x402_zk_encoding::field::digest31_be32(digest))
}

/// `u64` into the field.
pub fn fr_from_u64(v: u64) -> Fr {
    Fr::from(v)
}

/// Field element back to `u64`, if it fits.
pub fn fr_to_u64(f: &Fr, what: &'static str) -> Result<u64> {
    let b = f.into_bigint();
    if b.as_ref()[1..].iter().any(|l| *l != 0) {
        return Err(Error::OutOfRange { what, bits: 64 });
    }
    Ok(b.as_ref()[0])
}

/// True if `f` is zero.
pub fn is_zero(f: &Fr) -> bool {
    f.is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_modulus_and_above() {
        let r = modulus();
        let bytes = {
            let mut b = [0u8; 32];
            let v = r.to_bytes_be();
            b[32 - v.len()..].copy_from_slice(&v);
            b
        };
        assert!(matches!(
            fr_from_be_bytes_checked(&bytes, "x"),
            Err(Error::NotInField { .. })
        ));
        assert!(fr_from_str_checked(&r.to_string(), "x").is_err());
        let rm1 = (&r - 1u32).to_string();
        assert!(fr_from_str_checked(&rm1, "x").is_ok());
        assert!(fr_from_be_bytes_checked(&[0u8; 31], "x").is_err());
        assert!(fr_from_str_checked("0x", "x").is_err());
        assert!(fr_from_str_checked("12a", "x").is_err());
        assert!(fr_from_str_checked("-1", "x").is_err());
    }

    proptest! {
        #[test]
        fn roundtrip_be(bytes in proptest::array::uniform32(any::<u8>())) {
            let mut b = bytes;
            b[0] &= 0x1f; // below 2^253 < r
            let f = fr_from_be_bytes_checked(&b, "x").unwrap();
            prop_assert_eq!(fr_to_be_bytes(&f), b);
            prop_assert_eq!(fr_from_str_checked(&fr_to_decimal(&f), "x").unwrap(), f);
            prop_assert_eq!(fr_from_str_checked(&fr_to_hex(&f), "x").unwrap(), f);
        }

        #[test]
        fn split_key_halves(key in proptest::array::uniform32(any::<u8>())) {
            let (hi, lo) = split_key(&key);
            let shift = Fr::from(2u64).pow([128u64]);
            let whole = BigUint::from_bytes_be(&key);
            // hi * 2^128 + lo equals the key mod r
            prop_assert_eq!(hi * shift + lo, Fr::from_le_bytes_mod_order(&whole.to_bytes_le()));
        }
    }
    use ark_ff::Field as _;
}
