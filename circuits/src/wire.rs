//! The prover's HTTP wire format: the `POST /v1/proofs` request and response bodies (JSON), their strict
//! parsing into [`ProofInputs`], and the statement's reason words. One owner for the prover service
//! (`prover-service`, which re-exports this module as `model`) and the client-side WebAssembly prover
//! (`circuits/wasm`): both take and return exactly these bodies.
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
//! Every object rejects unknown fields. Error messages name the offending *field*, never its value.

use crate::error::Error;
use crate::groth16::ProofBundle;
use crate::receipt::{PublicParams, Witness};
use crate::{Fr, Point, Signature};
use num_bigint::BigUint;
use serde::{de, Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Stable reason words (snake_case). The prover service's problem `type` URIs and the WebAssembly
/// prover's error messages are built from these.
pub mod reason {
    /// The body does not parse or does not match the schema.
    pub const MALFORMED_REQUEST: &str = "malformed_request";
    /// A field element is ≥ r.
    pub const VALUE_NOT_IN_FIELD: &str = "value_not_in_field";
    /// The attester signature does not verify.
    pub const INVALID_SIGNATURE: &str = "invalid_signature";
    /// `amount < minAmount`.
    pub const AMOUNT_BELOW_MINIMUM: &str = "amount_below_minimum";
    /// Another check of the statement fails.
    pub const STATEMENT_UNSATISFIED: &str = "statement_unsatisfied";
}

/// A request body that does not parse. The message names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not valid JSON, wrong schema, unknown field, bad encoding.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// A field element is ≥ the BN254 scalar field modulus. Values are never reduced.
    #[error("{0}: value is not below the BN254 scalar field modulus")]
    NotInField(&'static str),
}

impl WireError {
    /// The reason word ([`reason`]).
    pub fn reason(&self) -> &'static str {
        match self {
            WireError::Malformed(_) => reason::MALFORMED_REQUEST,
            WireError::NotInField(_) => reason::VALUE_NOT_IN_FIELD,
        }
    }
}

/// Why a witness does not satisfy the statement (found by the cheap native checks).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// The EdDSA-Poseidon signature does not verify (or its S is not canonical, or the key is bad).
    #[error("invalid attester signature")]
    InvalidSignature,
    /// `amount < minAmount`.
    #[error("amount below minimum")]
    AmountBelowMinimum,
    /// Any other check (time window, key not on curve, …); the text names the check, never a value.
    #[error("{0}")]
    Other(String),
}

impl StatementError {
    /// The reason word ([`reason`]).
    pub fn reason(&self) -> &'static str {
        match self {
            StatementError::InvalidSignature => reason::INVALID_SIGNATURE,
            StatementError::AmountBelowMinimum => reason::AMOUNT_BELOW_MINIMUM,
            StatementError::Other(_) => reason::STATEMENT_UNSATISFIED,
        }
    }

    /// Maps a circuits error from [`Witness::check`] or [`crate::prove`] to a statement error with a
    /// fixed message: some circuits errors quote inputs, and nothing a request carries may reach a
    /// message. `None` for errors that are not the witness's fault (serialization, synthesis).
    pub fn from_circuit(e: &Error) -> Option<Self> {
        Some(match e {
            Error::BadSignature | Error::ScalarNotCanonical => StatementError::InvalidSignature,
            Error::NotOnCurve { what } if what.contains("signature") => {
                StatementError::InvalidSignature
            }
            Error::NotOnCurve { .. } => {
                StatementError::Other("attester key is not on the BabyJubJub curve".into())
            }
            Error::SmallOrderKey => StatementError::Other("attester key has small order".into()),
            Error::Unsatisfied(what) if what.starts_with("amount below") => {
                StatementError::AmountBelowMinimum
            }
            Error::Unsatisfied(what) => StatementError::Other(what.to_string()),
            Error::Serialization(_) | Error::Synthesis(_) | Error::Io { .. } | Error::Json(_) => {
                return None
            }
            _ => StatementError::Other("the witness does not satisfy the statement".into()),
        })
    }
}

/// A canonical BN254 scalar field element as 32 big-endian bytes (always < r).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldBytes(pub [u8; 32]);

impl FieldBytes {
    /// Parses a decimal or `0x`-hex string; rejects values ≥ r.
    pub fn parse(s: &str, what: &'static str) -> Result<Self, WireError> {
        use x402_zk_encoding::FieldParseError;
        match x402_zk_encoding::parse_fr_str(s) {
            Ok(be) => Ok(FieldBytes(be)),
            Err(FieldParseError::NotCanonical) => Err(WireError::NotInField(what)),
            Err(FieldParseError::BadHex) => Err(WireError::Malformed(format!(
                "{what}: expected 0x followed by 1 to 64 hex digits"
            ))),
            Err(FieldParseError::BadDecimal) => Err(WireError::Malformed(format!(
                "{what}: expected a decimal or 0x-hex string"
            ))),
        }
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
pub fn parse_key(s: &str, what: &'static str) -> Result<[u8; 32], WireError> {
    let bytes = if let Some(h) = s.strip_prefix("0x") {
        if h.len() != 64 {
            return Err(WireError::Malformed(format!(
                "{what}: expected 0x followed by 64 hex digits"
            )));
        }
        hex::decode(h).map_err(|_| WireError::Malformed(format!("{what}: invalid hex")))?
    } else {
        if s.is_empty() || s.len() > 50 {
            return Err(WireError::Malformed(format!(
                "{what}: expected a base58 32-byte key"
            )));
        }
        bs58::decode(s)
            .into_vec()
            .map_err(|_| WireError::Malformed(format!("{what}: invalid base58")))?
    };
    bytes
        .try_into()
        .map_err(|_| WireError::Malformed(format!("{what}: key must be 32 bytes")))
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

/// OpenAPI schemas of the wire encodings (feature `openapi`, used by the services' generated
/// OpenAPI documents). Each pattern accepts a superset of what the parser accepts, and exactly the
/// same strings where a pattern can say it: what the schema refuses, the parser refuses.
#[cfg(feature = "openapi")]
pub mod openapi {
    use utoipa::openapi::{RefOr, Schema};

    /// [`super::FieldBytes::parse`]: decimal (1–80 digits) or `0x`/`0X` + 1–64 hex digits.
    pub const FIELD_ELEMENT_PATTERN: &str = "^([0-9]{1,80}|0[xX][0-9a-fA-F]{1,64})$";
    /// [`super::parse_key`]: base58 of 32 bytes (32–44 characters) or `0x` + 64 hex digits.
    pub const KEY32_PATTERN: &str = "^([1-9A-HJ-NP-Za-km-z]{32,44}|0x[0-9a-fA-F]{64})$";
    /// A [`super::U64Value`] given as a string.
    pub const U64_STRING_PATTERN: &str = "^[0-9]{1,20}$";

    fn from_json(v: serde_json::Value) -> RefOr<Schema> {
        serde_json::from_value(v).expect("static schema")
    }

    /// A BN254 scalar field element (< r; never reduced).
    pub struct FieldElement;
    impl utoipa::PartialSchema for FieldElement {
        fn schema() -> RefOr<Schema> {
            from_json(serde_json::json!({
                "type": "string",
                "pattern": FIELD_ELEMENT_PATTERN,
                "description": "BN254 scalar field element: decimal, or 0x + 1 to 64 hex digits; \
                    must be < r (value-not-in-field otherwise; never reduced)",
            }))
        }
    }
    impl utoipa::ToSchema for FieldElement {}

    /// A 32-byte key.
    pub struct Key32;
    impl utoipa::PartialSchema for Key32 {
        fn schema() -> RefOr<Schema> {
            from_json(serde_json::json!({
                "type": "string",
                "pattern": KEY32_PATTERN,
                "description": "32-byte key: base58 (Solana's usual form), or 0x + 64 hex digits",
            }))
        }
    }
    impl utoipa::ToSchema for Key32 {}

    /// `{R8x, R8y, S}`, each name also accepted in lower case (serde aliases), never both casings
    /// of one name, nothing else.
    impl utoipa::PartialSchema for super::SignatureJson {
        fn schema() -> RefOr<Schema> {
            let fe = serde_json::json!({"$ref": "#/components/schemas/FieldElement"});
            let one_of = |a: &str, b: &str| {
                serde_json::json!({"oneOf": [{"required": [a], "not": {"required": [b]}},
                                             {"required": [b], "not": {"required": [a]}}]})
            };
            from_json(serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {"R8x": fe, "R8y": fe, "S": fe, "r8x": fe, "r8y": fe, "s": fe},
                "allOf": [one_of("R8x", "r8x"), one_of("R8y", "r8y"), one_of("S", "s")],
                "description": "The attester's EdDSA-Poseidon signature (circomlibjs names; \
                    lower-case names accepted too)",
            }))
        }
    }
    impl utoipa::ToSchema for super::SignatureJson {
        fn name() -> std::borrow::Cow<'static, str> {
            "Signature".into()
        }
        fn schemas(out: &mut Vec<(String, RefOr<Schema>)>) {
            out.push((
                "FieldElement".into(),
                <FieldElement as utoipa::PartialSchema>::schema(),
            ));
        }
    }

    impl utoipa::PartialSchema for super::U64Value {
        fn schema() -> RefOr<Schema> {
            from_json(serde_json::json!({
                "oneOf": [
                    {"type": "integer", "minimum": 0, "maximum": u64::MAX},
                    {"type": "string", "pattern": U64_STRING_PATTERN},
                ],
                "description": "unsigned 64-bit integer, as a JSON integer or a decimal string \
                    (use the string above 2^53)",
            }))
        }
    }
    impl utoipa::ToSchema for super::U64Value {
        fn name() -> std::borrow::Cow<'static, str> {
            "U64".into()
        }
    }
}

/// The attester's EdDSA-Poseidon signature `(R8x, R8y, S)`: the one signature JSON type of the
/// prover API, the CLI (`crate::json`) and the attester (`/v1/attest`).
///
/// Casing rule: written with circomlibjs names `R8x`, `R8y`, `S`; read in that casing or in
/// lower case (`r8x`, `r8y`, `s`, what the attester's `/v1/attest` answer carries, written by
/// [`SignatureJson::serialize_lower_case`]). Unknown fields are refused.
/// Its OpenAPI schema is written by hand in [`openapi`] (utoipa does not describe serde aliases).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignatureJson {
    /// x coordinate of R8 (field element).
    #[serde(rename = "R8x", alias = "r8x")]
    pub r8x: String,
    /// y coordinate of R8 (field element).
    #[serde(rename = "R8y", alias = "r8y")]
    pub r8y: String,
    /// Scalar S (field element; must also be below the BabyJubJub subgroup order).
    #[serde(rename = "S", alias = "s")]
    pub s: String,
}

impl SignatureJson {
    /// Decimal strings of a signature.
    pub fn from_signature(s: &Signature) -> Self {
        use crate::field::fr_to_decimal;
        SignatureJson {
            r8x: fr_to_decimal(&s.r8.x),
            r8y: fr_to_decimal(&s.r8.y),
            s: fr_to_decimal(&s.s),
        }
    }

    /// Parses (R8 on the curve, every value < r; S < l is checked at verification).
    pub fn parse(&self) -> crate::error::Result<Signature> {
        use crate::field::fr_from_str_checked;
        let r8 = Point::new_checked(
            fr_from_str_checked(&self.r8x, "signature.R8x")?,
            fr_from_str_checked(&self.r8y, "signature.R8y")?,
            "signature.R8",
        )?;
        Ok(Signature {
            r8,
            s: fr_from_str_checked(&self.s, "signature.S")?,
        })
    }

    /// Serializes with the lower-case names `{r8x, r8y, s}`: the attester's `/v1/attest` answer
    /// (`#[serde(serialize_with = "SignatureJson::serialize_lower_case")]`), kept as it is on the wire.
    pub fn serialize_lower_case<S: serde::Serializer>(
        sig: &SignatureJson,
        ser: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = ser.serialize_struct("SignatureJson", 3)?;
        st.serialize_field("r8x", &sig.r8x)?;
        st.serialize_field("r8y", &sig.r8y)?;
        st.serialize_field("s", &sig.s)?;
        st.end()
    }
}

impl From<&Signature> for SignatureJson {
    fn from(s: &Signature) -> Self {
        SignatureJson::from_signature(s)
    }
}

/// The attester's BabyJubJub public key (affine coordinates).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AttesterJson {
    /// x coordinate (field element).
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::FieldElement))]
    pub x: String,
    /// y coordinate (field element).
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::FieldElement))]
    pub y: String,
}

/// The receipt issued by the attester for one finalized payment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReceiptJson {
    /// Recipient of the payment (32-byte key).
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::Key32))]
    pub pay_to: String,
    /// Mint paid (32-byte key; all-zero / `11111111111111111111111111111111` for native SOL).
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::Key32))]
    pub asset: String,
    /// Amount paid, base units.
    pub amount: U64Value,
    /// Block time of the payment, unix seconds.
    pub paid_at: U64Value,
    /// Attester signature over the receipt message.
    pub signature: SignatureJson,
}

/// The public parameters of the statement.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::FieldElement))]
    pub resource_hash: String,
    /// The verifier program id (32-byte key); the nullifier's domain is derived from it.
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::Key32))]
    pub program_id: String,
}

/// How the 256-byte Solana proof is encoded in the response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProofRequest {
    /// The attester's receipt.
    pub receipt: ReceiptJson,
    /// The payer's secret (field element) whose commitment `Poseidon(secret, 0)` the payment memo carries.
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::FieldElement))]
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

/// serde_json messages can quote the offending value (e.g. `invalid type: string "…"`); keep only
/// the category and position, which never contain request data.
pub fn describe_serde(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let msg = e.to_string();
    let what = match e.classify() {
        Category::Syntax | Category::Eof => "invalid JSON".to_string(),
        Category::Io => "could not read the body".to_string(),
        Category::Data => {
            // Messages that name a field ("unknown field `x`", "missing field `x`") are safe.
            if msg.starts_with("unknown field") || msg.starts_with("missing field") {
                msg.split(" at line").next().unwrap_or("").to_string()
            } else {
                "a field has the wrong type or value".to_string()
            }
        }
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

impl ProofRequest {
    /// Parses a JSON body; errors name the position and never quote a value.
    pub fn from_json(body: &str) -> Result<Self, WireError> {
        serde_json::from_str(body).map_err(|e| WireError::Malformed(describe_serde(&e)))
    }

    /// Parses every field strictly. `now` defaults to `default_now` when absent.
    pub fn into_inputs(self, default_now: u64) -> Result<ProofInputs, WireError> {
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

impl ProofInputs {
    /// The circuits crate's witness for these inputs.
    pub fn witness(&self) -> Witness {
        let fr = |f: &FieldBytes| -> Fr {
            // FieldBytes is canonical (< r) by construction, so this never fails.
            crate::fr_from_be_bytes_checked(&f.0, "field").expect("canonical field element")
        };
        Witness {
            public: PublicParams {
                attester: Point {
                    x: fr(&self.attester_x),
                    y: fr(&self.attester_y),
                },
                pay_to: self.pay_to,
                asset: self.asset,
                min_amount: self.min_amount,
                now: self.now,
                max_age: self.max_age,
                resource_hash: fr(&self.resource_hash),
                program_id: self.program_id,
            },
            secret: fr(&self.secret),
            amount: self.amount,
            paid_at: self.paid_at,
            signature: Signature {
                r8: Point {
                    x: fr(&self.sig_r8x),
                    y: fr(&self.sig_r8y),
                },
                s: fr(&self.sig_s),
            },
        }
    }
}

impl ProofRequest {
    /// The request body for a witness (clients, tests and vectors): keys in base58, field elements
    /// in decimal, u64 values as JSON numbers, `now` included.
    pub fn from_witness(w: &Witness, proof_encoding: ProofEncoding) -> Self {
        use crate::field::fr_to_decimal;
        use crate::json::key_to_string;
        ProofRequest {
            receipt: ReceiptJson {
                pay_to: key_to_string(&w.public.pay_to),
                asset: key_to_string(&w.public.asset),
                amount: U64Value(w.amount),
                paid_at: U64Value(w.paid_at),
                signature: SignatureJson::from_signature(&w.signature),
            },
            secret: fr_to_decimal(&w.secret),
            public: PublicJson {
                attester: AttesterJson {
                    x: fr_to_decimal(&w.public.attester.x),
                    y: fr_to_decimal(&w.public.attester.y),
                },
                min_amount: U64Value(w.public.min_amount),
                now: Some(U64Value(w.public.now)),
                max_age: U64Value(w.public.max_age),
                resource_hash: fr_to_decimal(&w.public.resource_hash),
                program_id: key_to_string(&w.public.program_id),
            },
            proof_encoding,
        }
    }
}

impl From<&ProofBundle> for ProofOutput {
    fn from(b: &ProofBundle) -> Self {
        ProofOutput {
            solana_proof: b.solana_proof_bytes().to_vec(),
            public_input: FieldBytes(b.public_input_bytes()),
            nullifier: FieldBytes(b.nullifier_bytes()),
            snarkjs_proof: b.snarkjs_proof_json(),
        }
    }
}

/// snarkjs-format proof and public signals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnarkjsJson {
    /// snarkjs `proof.json`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub proof: serde_json::Value,
    /// snarkjs `public.json`: decimal strings.
    pub public_signals: Vec<String>,
}

/// `POST /v1/proofs` and `POST /generate-proof` success body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Decodes `proof` (as `proofEncoding` says) into the 256-byte groth16-solana proof.
    pub fn proof_bytes(&self) -> Result<[u8; 256], WireError> {
        use base64::Engine as _;
        let raw = match self.proof_encoding {
            ProofEncoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(&self.proof)
                .map_err(|_| WireError::Malformed("proof: invalid base64".into()))?,
            ProofEncoding::Hex => hex::decode(&self.proof)
                .map_err(|_| WireError::Malformed("proof: invalid hex".into()))?,
        };
        raw.try_into()
            .map_err(|_| WireError::Malformed("proof: must be 256 bytes".into()))
    }

    /// The single public input `pubHash` (`publicInputs[0]`).
    pub fn public_input(&self) -> Result<FieldBytes, WireError> {
        match self.public_inputs.as_slice() {
            [one] => FieldBytes::parse(one, "publicInputs[0]"),
            _ => Err(WireError::Malformed(
                "publicInputs: expected exactly one public input".into(),
            )),
        }
    }

    /// Parses a JSON body; errors name the position and never quote a value.
    pub fn from_json(body: &str) -> Result<Self, WireError> {
        serde_json::from_str(body).map_err(|e| WireError::Malformed(describe_serde(&e)))
    }

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
    use crate::receipt::example_witness;

    #[test]
    fn witness_request_roundtrip() {
        let (_, w) = example_witness(3);
        for enc in [ProofEncoding::Base64, ProofEncoding::Hex] {
            let body = serde_json::to_string(&ProofRequest::from_witness(&w, enc)).unwrap();
            let back = ProofRequest::from_json(&body).unwrap();
            assert_eq!(back.proof_encoding, enc);
            assert_eq!(back.into_inputs(0).unwrap().witness(), w);
        }
    }

    #[test]
    fn json_errors_never_quote_values() {
        let (_, w) = example_witness(4);
        let mut v =
            serde_json::to_value(ProofRequest::from_witness(&w, ProofEncoding::Hex)).unwrap();
        let secret = v["secret"].as_str().unwrap().to_string();
        // A number where a string is expected: serde_json would quote it.
        v["secret"] = serde_json::Value::Number(secret[..15].parse::<u64>().unwrap().into());
        let e = ProofRequest::from_json(&v.to_string()).err().unwrap();
        assert_eq!(e.reason(), reason::MALFORMED_REQUEST);
        assert!(!e.to_string().contains(&secret[..15]), "{e}");
        v["secret"] = "1".into();
        v["extra"] = "x".into();
        let e = ProofRequest::from_json(&v.to_string()).err().unwrap();
        assert!(e.to_string().contains("unknown field `extra`"), "{e}");
    }

    #[test]
    fn statement_errors_map_without_values() {
        let (attester, w) = example_witness(5);
        let mut x = w.clone();
        x.amount += 1; // not re-signed
        let e = StatementError::from_circuit(&x.check().unwrap_err()).unwrap();
        assert_eq!(e, StatementError::InvalidSignature);
        assert_eq!(e.reason(), reason::INVALID_SIGNATURE);
        let mut x = w.clone();
        x.amount = w.public.min_amount - 1;
        x.signature = x.receipt().sign(&attester);
        let e = StatementError::from_circuit(&x.check().unwrap_err()).unwrap();
        assert_eq!(e.reason(), reason::AMOUNT_BELOW_MINIMUM);
        let mut x = w.clone();
        x.public.now = w.paid_at + w.public.max_age + 1;
        let e = StatementError::from_circuit(&x.check().unwrap_err()).unwrap();
        assert_eq!(e.reason(), reason::STATEMENT_UNSATISFIED);
        assert!(StatementError::from_circuit(&Error::Synthesis(
            ark_relations::gr1cs::SynthesisError::AssignmentMissing
        ))
        .is_none());
    }

    #[test]
    fn field_parse_rejects_modulus_never_reduces() {
        assert!(matches!(
            FieldBytes::parse(
                "21888242871839275222246405745257275088548364400416034343698204186575808495617",
                "x"
            ),
            Err(WireError::NotInField("x"))
        ));
        let r_minus_1 = (crate::field::modulus() - 1u32).to_string();
        let f = FieldBytes::parse(&r_minus_1, "x").unwrap();
        assert_eq!(f.to_decimal(), r_minus_1);
        let hex_r = format!("0x{}", crate::field::modulus().to_str_radix(16));
        assert!(matches!(
            FieldBytes::parse(&hex_r, "x"),
            Err(WireError::NotInField(_))
        ));
        assert!(matches!(
            FieldBytes::parse(&format!("0x{}", "f".repeat(64)), "x"),
            Err(WireError::NotInField(_))
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
