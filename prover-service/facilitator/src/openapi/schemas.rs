// Schemas of what the facilitator's parsers accept, for the generated OpenAPI document (each a
// superset of what the parser accepts: what the schema refuses, the handler refuses). Plain `//`
// comments: tests/fuzz compiles this file with `include!` beside `x402.rs`, which names these types.
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};

fn from_json(v: Value) -> RefOr<Schema> {
    serde_json::from_value(v).expect("static schema")
}

macro_rules! json_schema {
    ($(#[$m:meta])* $name:ident, $json:expr) => {
        $(#[$m])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                from_json($json)
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

/// A base58 32-byte key (what `attester::pubkey_bytes` decodes): 32–44 base58 characters.
pub const BASE58_KEY_PATTERN: &str = "^[1-9A-HJ-NP-Za-km-z]{32,44}$";
/// A field element as `fr_from_str_checked` reads it: decimal or `0x`/`0X` hex, surrounding
/// whitespace ignored, < r.
pub const FIELD_ELEMENT_PATTERN: &str = r"^\s*([0-9]{1,80}|0[xX][0-9a-fA-F]{1,64})\s*$";

json_schema!(
    /// A base58 32-byte key.
    Base58Key,
    json!({"type": "string", "pattern": BASE58_KEY_PATTERN,
           "description": "32-byte key, base58 (Solana's form)"})
);
json_schema!(
    /// A BN254 scalar field element.
    TrimmedFieldElement,
    json!({"type": "string", "pattern": FIELD_ELEMENT_PATTERN,
           "description": "BN254 scalar field element: decimal or 0x + 1 to 64 hex digits, < r (never reduced)"})
);
json_schema!(
    /// The only scheme served.
    Scheme,
    json!({"type": "string", "enum": [crate::x402::SCHEME]})
);
json_schema!(
    /// `paymentRequirements.extra` of the zk-receipt scheme (docs/PROTOCOL.md): the fields the
    /// facilitator reads; others are carried along.
    ZkReceiptExtra,
    json!({"type": "object",
           "required": ["programId", "maxAge", "resourceHash"],
           "properties": {
               "programId": {"$ref": "#/components/schemas/Base58Key"},
               "maxAge": {"oneOf": [{"type": "integer", "minimum": 0, "maximum": u64::MAX},
                                    {"type": "string", "pattern": r"^\+?[0-9]+$"}]},
               "resourceHash": {"$ref": "#/components/schemas/TrimmedFieldElement"}
           }})
);
