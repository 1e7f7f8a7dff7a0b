//! JSON wire formats (CLI and prover service). Field elements are decimal strings or `0x`-hex; u64 values are JSON
//! numbers or decimal strings (JavaScript cannot hold every u64 as a number); 32-byte keys are base58 (Solana
//! style) or `0x` + 64 hex digits. Every value is validated: wrong lengths, values ≥ r, points off the curve and
//! non-u64 numbers are rejected with an error naming the field.

use crate::babyjubjub::Point;
use crate::error::{Error, Result};
use crate::field::{fr_from_str_checked, fr_to_decimal, fr_to_hex};
use crate::groth16::ProofBundle;
use crate::receipt::{PublicParams, Receipt, Witness};
use ark_bn254::Fr;
use serde::{Deserialize, Serialize};

/// A u64 given as a JSON number or a decimal string.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum U64Json {
    /// JSON number.
    Num(u64),
    /// Decimal string.
    Str(String),
}

impl U64Json {
    fn get(&self, what: &'static str) -> Result<u64> {
        match self {
            U64Json::Num(n) => Ok(*n),
            U64Json::Str(s) => s.trim().parse::<u64>().map_err(|e| Error::Parse {
                what,
                input: s.chars().take(40).collect(),
                reason: format!("expected an unsigned 64-bit integer: {e}"),
            }),
        }
    }
}

impl From<u64> for U64Json {
    fn from(v: u64) -> Self {
        U64Json::Str(v.to_string())
    }
}

/// A point as decimal strings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointJson {
    /// x.
    pub x: String,
    /// y.
    pub y: String,
}

impl PointJson {
    /// Parses and checks the point is on the curve.
    pub fn parse(&self, what: &'static str) -> Result<Point> {
        Point::new_checked(
            fr_from_str_checked(&self.x, what)?,
            fr_from_str_checked(&self.y, what)?,
            what,
        )
    }
}

impl From<&Point> for PointJson {
    fn from(p: &Point) -> Self {
        PointJson {
            x: fr_to_decimal(&p.x),
            y: fr_to_decimal(&p.y),
        }
    }
}

/// Signature JSON: the one type of the prover API and the attester (`crate::wire::SignatureJson`).
pub use crate::wire::SignatureJson;

/// Parses a 32-byte key: `0x` + 64 hex digits, or base58.
pub fn parse_key(s: &str, what: &'static str) -> Result<[u8; 32]> {
    let s = s.trim();
    let bytes = if let Some(h) = s.strip_prefix("0x") {
        hex::decode(h).map_err(|e| Error::Parse {
            what,
            input: s.chars().take(80).collect(),
            reason: e.to_string(),
        })?
    } else {
        bs58::decode(s).into_vec().map_err(|e| Error::Parse {
            what,
            input: s.chars().take(80).collect(),
            reason: format!("not base58 or 0x-hex: {e}"),
        })?
    };
    bytes.as_slice().try_into().map_err(|_| Error::WrongLength {
        what,
        expected: 32,
        got: bytes.len(),
    })
}

/// Formats a key as base58.
pub fn key_to_string(k: &[u8; 32]) -> String {
    bs58::encode(k).into_string()
}

/// Public parameters JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicParamsJson {
    /// Attester key.
    pub attester: PointJson,
    /// Merchant.
    pub pay_to: String,
    /// Mint (base58 of 32 zero bytes, `11111111111111111111111111111111`, for native SOL).
    pub asset: String,
    /// Minimum amount.
    pub min_amount: U64Json,
    /// Verifier time.
    pub now: U64Json,
    /// Maximum age.
    pub max_age: U64Json,
    /// Resource hash (field element < 2^248).
    pub resource_hash: String,
    /// Verifier program id.
    pub program_id: String,
}

impl PublicParamsJson {
    /// Validates and converts.
    pub fn parse(&self) -> Result<PublicParams> {
        let resource_hash = fr_from_str_checked(&self.resource_hash, "resourceHash")?;
        if crate::field::fr_to_be_bytes(&resource_hash)[0] != 0 {
            return Err(Error::OutOfRange {
                what: "resourceHash",
                bits: 248,
            });
        }
        let attester = self.attester.parse("attester")?;
        if attester.is_small_order() {
            return Err(Error::SmallOrderKey);
        }
        Ok(PublicParams {
            attester,
            pay_to: parse_key(&self.pay_to, "payTo")?,
            asset: parse_key(&self.asset, "asset")?,
            min_amount: self.min_amount.get("minAmount")?,
            now: self.now.get("now")?,
            max_age: self.max_age.get("maxAge")?,
            resource_hash,
            program_id: parse_key(&self.program_id, "programId")?,
        })
    }
}

impl From<&PublicParams> for PublicParamsJson {
    fn from(p: &PublicParams) -> Self {
        PublicParamsJson {
            attester: (&p.attester).into(),
            pay_to: key_to_string(&p.pay_to),
            asset: key_to_string(&p.asset),
            min_amount: p.min_amount.into(),
            now: p.now.into(),
            max_age: p.max_age.into(),
            resource_hash: fr_to_hex(&p.resource_hash),
            program_id: key_to_string(&p.program_id),
        }
    }
}

/// Proof request JSON: public parameters plus the private receipt data.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProofRequestJson {
    /// Public side.
    #[serde(flatten)]
    pub public: PublicParamsJson,
    /// Payer secret.
    pub secret: String,
    /// Amount paid.
    pub amount: U64Json,
    /// Payment block time.
    pub paid_at: U64Json,
    /// Attester signature.
    pub signature: SignatureJson,
}

impl ProofRequestJson {
    /// Validates and converts (does not check the statement; `prove` does).
    pub fn parse(&self) -> Result<Witness> {
        Ok(Witness {
            public: self.public.parse()?,
            secret: fr_from_str_checked(&self.secret, "secret")?,
            amount: self.amount.get("amount")?,
            paid_at: self.paid_at.get("paidAt")?,
            signature: self.signature.parse()?,
        })
    }
}

impl From<&Witness> for ProofRequestJson {
    fn from(w: &Witness) -> Self {
        ProofRequestJson {
            public: (&w.public).into(),
            secret: fr_to_decimal(&w.secret),
            amount: w.amount.into(),
            paid_at: w.paid_at.into(),
            signature: (&w.signature).into(),
        }
    }
}

/// Receipt JSON (what the attester signs).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptJson {
    /// Recipient.
    pub pay_to: String,
    /// Mint.
    pub asset: String,
    /// Amount.
    pub amount: U64Json,
    /// Block time.
    pub paid_at: U64Json,
    /// Commitment from the memo (field element).
    pub commitment: String,
}

impl ReceiptJson {
    /// Validates and converts.
    pub fn parse(&self) -> Result<Receipt> {
        Ok(Receipt {
            pay_to: parse_key(&self.pay_to, "payTo")?,
            asset: parse_key(&self.asset, "asset")?,
            amount: self.amount.get("amount")?,
            paid_at: self.paid_at.get("paidAt")?,
            commitment: fr_from_str_checked(&self.commitment, "commitment")?,
        })
    }
}

/// Proof output JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofJson {
    /// groth16-solana 256-byte proof (`-A || B || C`), hex.
    pub proof: String,
    /// The single public input `pubHash`, 32-byte big-endian hex.
    pub public_input: String,
    /// Nullifier, 32-byte big-endian hex.
    pub nullifier: String,
    /// Public parameters the proof is for.
    pub public: PublicParamsJson,
    /// Key provenance (`"dev"` = unsafe dev keys).
    pub provenance: String,
    /// snarkjs `proof.json` content.
    pub snarkjs_proof: serde_json::Value,
    /// snarkjs `public.json` content.
    pub snarkjs_public: serde_json::Value,
}

impl ProofJson {
    /// Builds the output document.
    pub fn new(b: &ProofBundle, public: &PublicParams, provenance: &str) -> Self {
        ProofJson {
            proof: hex::encode(b.solana_proof_bytes()),
            public_input: format!("0x{}", hex::encode(b.public_input_bytes())),
            nullifier: format!("0x{}", hex::encode(b.nullifier_bytes())),
            public: public.into(),
            provenance: provenance.to_string(),
            snarkjs_proof: b.snarkjs_proof_json(),
            snarkjs_public: b.snarkjs_public_json(),
        }
    }

    /// Parses back into (public params, nullifier, claimed pubHash, solana proof bytes).
    pub fn parse(&self) -> Result<(PublicParams, Fr, Fr, [u8; 256])> {
        let public = self.public.parse()?;
        let nullifier = fr_from_str_checked(&self.nullifier, "nullifier")?;
        let pub_hash = fr_from_str_checked(&self.public_input, "publicInput")?;
        let raw = hex::decode(self.proof.trim_start_matches("0x")).map_err(|e| Error::Parse {
            what: "proof",
            input: self.proof.chars().take(40).collect(),
            reason: e.to_string(),
        })?;
        let proof: [u8; 256] = raw.as_slice().try_into().map_err(|_| Error::WrongLength {
            what: "proof",
            expected: 256,
            got: raw.len(),
        })?;
        Ok((public, nullifier, pub_hash, proof))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::example_witness;

    #[test]
    fn request_roundtrip_and_errors() {
        let (_, w) = example_witness(1);
        let j = serde_json::to_string(&ProofRequestJson::from(&w)).unwrap();
        let back: ProofRequestJson = serde_json::from_str(&j).unwrap();
        assert_eq!(back.parse().unwrap(), w);
        let mut v: serde_json::Value = serde_json::from_str(&j).unwrap();
        v["payTo"] = "0x1234".into();
        let e = serde_json::from_value::<ProofRequestJson>(v.clone())
            .unwrap()
            .parse()
            .unwrap_err();
        assert!(matches!(e, Error::WrongLength { what: "payTo", .. }), "{e}");
        v = serde_json::from_str(&j).unwrap();
        v["secret"] =
            "21888242871839275222246405745257275088548364400416034343698204186575808495617".into();
        let e = serde_json::from_value::<ProofRequestJson>(v.clone())
            .unwrap()
            .parse()
            .unwrap_err();
        assert!(matches!(e, Error::NotInField { what: "secret" }), "{e}");
        v = serde_json::from_str(&j).unwrap();
        v["attester"]["x"] = "1".into();
        let e = serde_json::from_value::<ProofRequestJson>(v.clone())
            .unwrap()
            .parse()
            .unwrap_err();
        assert!(matches!(e, Error::NotOnCurve { .. }), "{e}");
        v = serde_json::from_str(&j).unwrap();
        v["amount"] = "-5".into();
        let e = serde_json::from_value::<ProofRequestJson>(v)
            .unwrap()
            .parse()
            .unwrap_err();
        assert!(matches!(e, Error::Parse { what: "amount", .. }), "{e}");
    }
}
