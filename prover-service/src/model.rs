//! Wire types (JSON request and response bodies) and their strict parsing into [`ProofInputs`].
//!
//! Encodings accepted on the wire:
//! - **32-byte keys** (`payTo`, `asset`, `programId`, legacy `recipientKey`/`senderKey`): base58
//!   (Solana's usual form) or `0x` followed by exactly 64 hex digits.
//! - **Field elements** (`secret`, `resourceHash`, attester key and signature coordinates):
//!   a decimal string or a `0x`-hex string of at most 64 digits. Values ≥ the BN254 scalar
//!   modulus r are rejected with `value-not-in-field`, never reduced.
//! - **u64 quantities** (amounts in base units, times in unix seconds): a JSON integer or a
//!   decimal string (use strings above 2^53: JavaScript numbers lose precision there).
//!
//! Every object rejects unknown fields.

use crate::error::ApiError;
use num_bigint::BigUint;
use serde::{de, Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::OnceLock;

/// BN254 scalar field modulus r, taken from the circuits crate (one source of truth: a hand-typed
/// copy here once held a wrong value).
fn modulus() -> &'static BigUint {
    static R: OnceLock<BigUint> = OnceLock::new();
    R.get_or_init(x402_zk_circuits::field::modulus)
}

/// A canonical BN254 scalar field element as 32 big-endian bytes (always < r).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldBytes(pub [u8; 32]);

impl FieldBytes {
    /// Parses a decimal or `0x`-hex string; rejects values ≥ r.
    pub fn parse(s: &str, what: &'static str) -> Result<Self, ApiError> {
        let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            if h.is_empty() || h.len() > 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ApiError::Malformed(format!(
                    "{what}: expected 0x followed by 1 to 64 hex digits"
                )));
            }
            BigUint::parse_bytes(h.as_bytes(), 16)
        } else {
            if s.is_empty() || s.len() > 80 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::Malformed(format!(
                    "{what}: expected a decimal or 0x-hex string"
                )));
            }
            BigUint::parse_bytes(s.as_bytes(), 10)
        }
        .ok_or_else(|| ApiError::Malformed(format!("{what}: not a number")))?;
        if &v >= modulus() {
            return Err(ApiError::NotInField(what));
        }
        let be = v.to_bytes_be();
        let mut out = [0u8; 32];
        out[32 - be.len()..].copy_from_slice(&be);
        Ok(FieldBytes(out))
    }

    /// `0x`-prefixed 64-digit big-endian hex.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Decimal string (snarkjs convention).
    pub fn to_decimal(&self) -> String {
        BigUint::from_bytes_be(&self.0).to_string()
    }
}

impl fmt::Debug for FieldBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Parses a 32-byte key from base58 or `0x` + 64 hex digits.
pub fn parse_key(s: &str, what: &'static str) -> Result<[u8; 32], ApiError> {
    let bytes = if let Some(h) = s.strip_prefix("0x") {
        if h.len() != 64 {
            return Err(ApiError::Malformed(format!(
                "{what}: expected 0x followed by 64 hex digits"
            )));
        }
        hex::decode(h).map_err(|_| ApiError::Malformed(format!("{what}: invalid hex")))?
    } else {
        if s.is_empty() || s.len() > 50 {
            return Err(ApiError::Malformed(format!(
                "{what}: expected a base58 32-byte key"
            )));
        }
        bs58::decode(s)
            .into_vec()
            .map_err(|_| ApiError::Malformed(format!("{what}: invalid base58")))?
    };
    bytes
        .try_into()
        .map_err(|_| ApiError::Malformed(format!("{what}: key must be 32 bytes")))
}

/// A u64 given as a JSON integer or a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct U64Value(pub u64);

impl<'de> Deserialize<'de> for U64Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = U64Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an unsigned 64-bit integer or its decimal string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<U64Value, E> {
                Ok(U64Value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<U64Value, E> {
                u64::try_from(v)
                    .map(U64Value)
                    .map_err(|_| E::custom("expected an unsigned 64-bit integer"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<U64Value, E> {
                if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::custom("expected a decimal unsigned 64-bit integer"));
                }
                v.parse::<u64>()
                    .map(U64Value)
                    .map_err(|_| E::custom("value does not fit in 64 bits"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The attester's EdDSA-Poseidon signature `(R8x, R8y, S)` (circomlibjs field names).
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SignatureJson {
    /// x coordinate of R8 (field element).
    #[serde(rename = "R8x")]
    pub r8x: String,
    /// y coordinate of R8 (field element).
    #[serde(rename = "R8y")]
    pub r8y: String,
    /// Scalar S (field element; must also be below the BabyJubJub subgroup order).
    #[serde(rename = "S")]
    pub s: String,
}

/// The attester's BabyJubJub public key (affine coordinates).
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AttesterJson {
    /// x coordinate (field element).
    pub x: String,
    /// y coordinate (field element).
    pub y: String,
}

/// The receipt issued by the attester for one finalized payment.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReceiptJson {
    /// Recipient of the payment (32-byte key).
    pub pay_to: String,
    /// Mint paid (32-byte key; all-zero / `11111111111111111111111111111111` for native SOL).
    pub asset: String,
    /// Amount paid, base units.
    pub amount: U64Value,
    /// Block time of the payment, unix seconds.
    pub paid_at: U64Value,
    /// Attester signature over the receipt message.
    pub signature: SignatureJson,
}

/// The public parameters of the statement.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PublicJson {
    /// The attester's public key (from the payment requirements' `extra.attester`).
    pub attester: AttesterJson,
    /// Minimum amount required, base units.
    pub min_amount: U64Value,
    /// The proof's notion of "now", unix seconds. Defaults to the server's clock.
    #[serde(default)]
    pub now: Option<U64Value>,
    /// Maximum receipt age, seconds.
    pub max_age: U64Value,
    /// Hash of the request binding (field element).
    pub resource_hash: String,
    /// The verifier program id (32-byte key); the nullifier's domain is derived from it.
    pub program_id: String,
}

/// How the 256-byte Solana proof is encoded in the response.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProofEncoding {
    /// Standard base64 with padding (default).
    #[default]
    Base64,
    /// Lower-case hex, no prefix.
    Hex,
}

/// `POST /v1/proofs` request body.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProofRequest {
    /// The attester's receipt.
    pub receipt: ReceiptJson,
    /// The payer's secret (field element) whose commitment `Poseidon(secret, 0)` the payment memo carries.
    pub secret: String,
    /// The statement's public parameters.
    pub public: PublicJson,
    /// Encoding of `proof` in the response.
    #[serde(default)]
    pub proof_encoding: ProofEncoding,
}

/// The fully parsed, canonical witness and public parameters of one proof.
///
/// `Debug` is redacted: this struct holds the payer's private inputs.
#[derive(Clone, PartialEq, Eq)]
pub struct ProofInputs {
    /// Attester public key x.
    pub attester_x: FieldBytes,
    /// Attester public key y.
    pub attester_y: FieldBytes,
    /// Recipient key.
    pub pay_to: [u8; 32],
    /// Asset (mint) key.
    pub asset: [u8; 32],
    /// Paid amount, base units (private).
    pub amount: u64,
    /// Payment time, unix seconds (private).
    pub paid_at: u64,
    /// Signature R8x (private).
    pub sig_r8x: FieldBytes,
    /// Signature R8y (private).
    pub sig_r8y: FieldBytes,
    /// Signature S (private).
    pub sig_s: FieldBytes,
    /// Payer secret (private).
    pub secret: FieldBytes,
    /// Minimum amount, base units.
    pub min_amount: u64,
    /// Proof time, unix seconds.
    pub now: u64,
    /// Maximum receipt age, seconds.
    pub max_age: u64,
    /// Request binding hash.
    pub resource_hash: FieldBytes,
    /// Verifier program id.
    pub program_id: [u8; 32],
}

impl fmt::Debug for ProofInputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProofInputs { <redacted> }")
    }
}

impl ProofInputs {
    /// SHA-256 over a domain tag and every field in a fixed order and fixed-width encoding.
    ///
    /// This is the proof cache key: it covers the *whole* witness (private inputs included), so a
    /// cached proof is only ever returned to a client that already knows every input of it.
    pub fn cache_key(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"x402-zk-prover/witness/v1\0");
        h.update(self.attester_x.0);
        h.update(self.attester_y.0);
        h.update(self.pay_to);
        h.update(self.asset);
        h.update(self.amount.to_be_bytes());
        h.update(self.paid_at.to_be_bytes());
        h.update(self.sig_r8x.0);
        h.update(self.sig_r8y.0);
        h.update(self.sig_s.0);
        h.update(self.secret.0);
        h.update(self.min_amount.to_be_bytes());
        h.update(self.now.to_be_bytes());
        h.update(self.max_age.to_be_bytes());
        h.update(self.resource_hash.0);
        h.update(self.program_id);
        h.finalize().into()
    }
}

/// Current unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl ProofRequest {
    /// Parses every field strictly. `now` defaults to `default_now` when absent.
    pub fn into_inputs(self, default_now: u64) -> Result<ProofInputs, ApiError> {
        let r = self.receipt;
        let p = self.public;
        Ok(ProofInputs {
            attester_x: FieldBytes::parse(&p.attester.x, "public.attester.x")?,
            attester_y: FieldBytes::parse(&p.attester.y, "public.attester.y")?,
            pay_to: parse_key(&r.pay_to, "receipt.payTo")?,
            asset: parse_key(&r.asset, "receipt.asset")?,
            amount: r.amount.0,
            paid_at: r.paid_at.0,
            sig_r8x: FieldBytes::parse(&r.signature.r8x, "receipt.signature.R8x")?,
            sig_r8y: FieldBytes::parse(&r.signature.r8y, "receipt.signature.R8y")?,
            sig_s: FieldBytes::parse(&r.signature.s, "receipt.signature.S")?,
            secret: FieldBytes::parse(&self.secret, "secret")?,
            min_amount: p.min_amount.0,
            now: p.now.map(|n| n.0).unwrap_or(default_now),
            max_age: p.max_age.0,
            resource_hash: FieldBytes::parse(&p.resource_hash, "public.resourceHash")?,
            program_id: parse_key(&p.program_id, "public.programId")?,
        })
    }
}

/// What the backend returns for one proof: encoding-independent, cached as is.
#[derive(Debug, Clone)]
pub struct ProofOutput {
    /// groth16-solana layout: `proof_a` (negated, 64) ‖ `proof_b` (128) ‖ `proof_c` (64), big-endian.
    pub solana_proof: Vec<u8>,
    /// The single public input `pubHash`, 32 bytes big-endian.
    pub public_input: FieldBytes,
    /// The nullifier `Poseidon(secret, domain)`.
    pub nullifier: FieldBytes,
    /// snarkjs `proof.json` object (`pi_a`, `pi_b`, `pi_c`, `protocol`, `curve`).
    pub snarkjs_proof: serde_json::Value,
}

/// snarkjs-format proof and public signals.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnarkjsJson {
    /// snarkjs `proof.json`.
    pub proof: serde_json::Value,
    /// snarkjs `public.json`: decimal strings.
    pub public_signals: Vec<String>,
}

/// `POST /v1/proofs` and `POST /generate-proof` success body.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofResponse {
    /// The 256-byte groth16-solana proof, encoded as `proofEncoding` says.
    pub proof: String,
    /// `base64` or `hex`.
    pub proof_encoding: ProofEncoding,
    /// Public inputs as `0x` hex, 32 bytes big-endian each (one: `pubHash`).
    pub public_inputs: Vec<String>,
    /// The nullifier as `0x` hex, 32 bytes big-endian.
    pub nullifier: String,
    /// The `now` the proof was made for, unix seconds (the verifier checks it against its clock).
    pub now: u64,
    /// The same proof for snarkjs / circom tooling.
    pub snarkjs: SnarkjsJson,
}

impl ProofResponse {
    /// Builds the response body for `out`, encoding the proof as requested.
    pub fn new(out: &ProofOutput, enc: ProofEncoding, now: u64) -> Self {
        use base64::Engine as _;
        let proof = match enc {
            ProofEncoding::Base64 => {
                base64::engine::general_purpose::STANDARD.encode(&out.solana_proof)
            }
            ProofEncoding::Hex => hex::encode(&out.solana_proof),
        };
        ProofResponse {
            proof,
            proof_encoding: enc,
            public_inputs: vec![out.public_input.to_hex()],
            nullifier: out.nullifier.to_hex(),
            now,
            snarkjs: SnarkjsJson {
                proof: out.snarkjs_proof.clone(),
                public_signals: vec![out.public_input.to_decimal()],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_parse_rejects_modulus_never_reduces() {
        assert!(matches!(
            FieldBytes::parse(
                "21888242871839275222246405745257275088548364400416034343698204186575808495617",
                "x"
            ),
            Err(ApiError::NotInField("x"))
        ));
        let r_minus_1 = (modulus() - 1u32).to_string();
        let f = FieldBytes::parse(&r_minus_1, "x").unwrap();
        assert_eq!(f.to_decimal(), r_minus_1);
        let hex_r = format!("0x{}", modulus().to_str_radix(16));
        assert!(matches!(
            FieldBytes::parse(&hex_r, "x"),
            Err(ApiError::NotInField(_))
        ));
        assert!(matches!(
            FieldBytes::parse(&format!("0x{}", "f".repeat(64)), "x"),
            Err(ApiError::NotInField(_))
        ));
        assert!(FieldBytes::parse("0x", "x").is_err());
        assert!(FieldBytes::parse("-1", "x").is_err());
        assert!(FieldBytes::parse("1e3", "x").is_err());
        assert_eq!(
            FieldBytes::parse("0x0a", "x").unwrap(),
            FieldBytes::parse("10", "x").unwrap()
        );
    }

    #[test]
    fn keys_base58_and_hex() {
        let k = parse_key("11111111111111111111111111111111", "k").unwrap();
        assert_eq!(k, [0u8; 32]);
        let h = format!("0x{}", "ab".repeat(32));
        assert_eq!(parse_key(&h, "k").unwrap(), [0xab; 32]);
        assert!(parse_key("0xabcd", "k").is_err());
        assert!(parse_key("1111", "k").is_err());
        assert!(parse_key("0OIl", "k").is_err());
    }

    #[test]
    fn u64_number_or_string() {
        let v: U64Value = serde_json::from_str("42").unwrap();
        assert_eq!(v.0, 42);
        let v: U64Value = serde_json::from_str("\"18446744073709551615\"").unwrap();
        assert_eq!(v.0, u64::MAX);
        assert!(serde_json::from_str::<U64Value>("\"18446744073709551616\"").is_err());
        assert!(serde_json::from_str::<U64Value>("-1").is_err());
        assert!(serde_json::from_str::<U64Value>("1.5").is_err());
        assert!(serde_json::from_str::<U64Value>("\"0x10\"").is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let f = FieldBytes([7; 32]);
        let i = ProofInputs {
            attester_x: f,
            attester_y: f,
            pay_to: [1; 32],
            asset: [2; 32],
            amount: 123_456_789,
            paid_at: 5,
            sig_r8x: f,
            sig_r8y: f,
            sig_s: f,
            secret: f,
            min_amount: 1,
            now: 6,
            max_age: 7,
            resource_hash: f,
            program_id: [3; 32],
        };
        let s = format!("{i:?}");
        assert!(!s.contains("123456789") && !s.contains("0707"));
        let mut j = i.clone();
        assert_eq!(i.cache_key(), j.cache_key());
        j.secret = FieldBytes([8; 32]);
        assert_ne!(i.cache_key(), j.cache_key());
    }
}
