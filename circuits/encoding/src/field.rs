//! BN254 field encodings: every element is 32 bytes **big-endian**; a value ≥ the modulus is
//! rejected, never reduced.

/// BN254 scalar field modulus `r`, big-endian (public values, Poseidon inputs, `pubHash`).
pub const FR_MODULUS_BE: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// BN254 base field modulus `p`, big-endian (proof and verifying-key coordinates).
pub const FQ_MODULUS_BE: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
];

/// True when the 32-byte big-endian value is a canonical scalar (`< r`).
#[inline]
pub fn is_canonical_fr(be: &[u8; 32]) -> bool {
    be < &FR_MODULUS_BE
}

/// True when the 32-byte big-endian value is a canonical base-field coordinate (`< p`).
#[inline]
pub fn is_canonical_fq(be: &[u8]) -> bool {
    be.len() == 32 && be < FQ_MODULUS_BE.as_slice()
}

/// A `u64` (amount, time, age) as a field element: zero-extended to 32 bytes big-endian.
#[inline]
pub fn u64_be32(v: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&v.to_be_bytes());
    out
}

/// A 32-byte key (payTo, asset, program id) as two field elements `(hi, lo)`: its first and last 16
/// bytes, each zero-extended to 32 bytes big-endian.
#[inline]
pub fn split_key(key: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let mut hi = [0u8; 32];
    let mut lo = [0u8; 32];
    hi[16..].copy_from_slice(&key[..16]);
    lo[16..].copy_from_slice(&key[16..]);
    (hi, lo)
}

/// A 32-byte digest (SHA-256) as a field element: its first 31 bytes, big-endian (always `< r`).
/// This is `resourceHash` of the canonical resource binding.
#[inline]
pub fn digest31_be32(digest: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[1..].copy_from_slice(&digest[..31]);
    out
}

/// Longest decimal string accepted for a field element (more digits cannot be `< r` without
/// leading zeros; the bound keeps parsing cheap).
pub const MAX_DECIMAL_DIGITS: usize = 80;

/// Why a string is not a field element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldParseError {
    /// `0x` followed by no digits, more than 64 digits, or a non-hex character.
    BadHex,
    /// Empty, more than [`MAX_DECIMAL_DIGITS`] digits, or a non-digit character.
    BadDecimal,
    /// A well-formed number `≥ r` (rejected, never reduced).
    NotCanonical,
}

impl core::fmt::Display for FieldParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            FieldParseError::BadHex => "hex must have 1..=64 digits",
            FieldParseError::BadDecimal => "expected a decimal or 0x-hex number",
            FieldParseError::NotCanonical => "value is not below the field modulus",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FieldParseError {}

/// Parses a scalar (`< r`) from a decimal string or `0x`/`0X` + 1..=64 hex digits, into 32 bytes
/// big-endian. No sign, no whitespace (callers trim if their format allows it), no reduction.
pub fn parse_fr_str(s: &str) -> Result<[u8; 32], FieldParseError> {
    let out = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        parse_hex(h)?
    } else {
        parse_decimal(s)?
    };
    if is_canonical_fr(&out) {
        Ok(out)
    } else {
        Err(FieldParseError::NotCanonical)
    }
}

fn parse_hex(h: &str) -> Result<[u8; 32], FieldParseError> {
    let h = h.as_bytes();
    if h.is_empty() || h.len() > 64 {
        return Err(FieldParseError::BadHex);
    }
    let mut out = [0u8; 32];
    // Right-align: the last digit is the low nibble of byte 31.
    for (i, c) in h.iter().rev().enumerate() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(FieldParseError::BadHex),
        };
        out[31 - i / 2] |= if i % 2 == 0 { v } else { v << 4 };
    }
    Ok(out)
}

fn parse_decimal(s: &str) -> Result<[u8; 32], FieldParseError> {
    let s = s.as_bytes();
    if s.is_empty() || s.len() > MAX_DECIMAL_DIGITS || !s.iter().all(u8::is_ascii_digit) {
        return Err(FieldParseError::BadDecimal);
    }
    let mut out = [0u8; 32];
    for c in s {
        // out = out * 10 + digit, big-endian; a carry out of byte 0 means ≥ 2^256 ≥ r.
        let mut carry = u16::from(c - b'0');
        for b in out.iter_mut().rev() {
            let v = u16::from(*b) * 10 + carry;
            *b = v as u8;
            carry = v >> 8;
        }
        if carry != 0 {
            return Err(FieldParseError::NotCanonical);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moduli_boundaries() {
        assert!(!is_canonical_fr(&FR_MODULUS_BE));
        let mut below = FR_MODULUS_BE;
        below[31] -= 1;
        assert!(is_canonical_fr(&below));
        assert!(!is_canonical_fq(&FQ_MODULUS_BE));
        let mut below = FQ_MODULUS_BE;
        below[31] -= 1;
        assert!(is_canonical_fq(&below));
        assert!(!is_canonical_fq(&below[..31]));
    }

    #[test]
    fn halves_and_u64() {
        let mut key = [0u8; 32];
        key[0] = 0xaa;
        key[31] = 0xbb;
        let (hi, lo) = split_key(&key);
        assert_eq!(hi[16], 0xaa);
        assert_eq!(lo[31], 0xbb);
        assert!(hi[..16].iter().all(|b| *b == 0));
        assert_eq!(u64_be32(258)[30..], [1, 2]);
    }

    #[test]
    fn parses_decimal_and_hex() {
        let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        let r1 = "21888242871839275222246405745257275088548364400416034343698204186575808495616";
        assert_eq!(parse_fr_str(r), Err(FieldParseError::NotCanonical));
        let mut below = FR_MODULUS_BE;
        below[31] -= 1;
        assert_eq!(parse_fr_str(r1), Ok(below));
        assert_eq!(parse_fr_str("258"), Ok(u64_be32(258)));
        assert_eq!(parse_fr_str("0x102"), Ok(u64_be32(258)));
        assert_eq!(parse_fr_str("0X0102"), Ok(u64_be32(258)));
        assert_eq!(parse_fr_str("0x"), Err(FieldParseError::BadHex));
        assert_eq!(parse_fr_str("0xg1"), Err(FieldParseError::BadHex));
        assert_eq!(parse_fr_str("12a"), Err(FieldParseError::BadDecimal));
        assert_eq!(parse_fr_str("-1"), Err(FieldParseError::BadDecimal));
        assert_eq!(parse_fr_str(""), Err(FieldParseError::BadDecimal));
        assert_eq!(parse_fr_str(" 1"), Err(FieldParseError::BadDecimal));
        assert_eq!(
            parse_fr_str("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
            Err(FieldParseError::NotCanonical)
        );
        // 2^256 in decimal overflows the accumulator: not canonical, not a wrap-around.
        assert_eq!(
            parse_fr_str(
                "115792089237316195423570985008687907853269984665640564039457584007913129639936"
            ),
            Err(FieldParseError::NotCanonical)
        );
        assert_eq!(
            parse_fr_str(
                "000000000000000000000000000000000000000000000000000000000000000000000000000000007"
            ),
            Err(FieldParseError::BadDecimal)
        );
    }
}
