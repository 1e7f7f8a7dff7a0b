//! `GET /openapi.json`: a hand-written OpenAPI 3.1 description of the service.
//!
//! Kept beside the handlers; `tests/api.rs` checks that every served route is described.

use actix_web::HttpResponse;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn problem_response(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// The document.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let field = json!({"type": "string", "description": "BN254 scalar field element: decimal, or 0x + up to 64 hex digits; must be < r (never reduced)", "pattern": "^([0-9]{1,80}|0[xX][0-9a-fA-F]{1,64})$"});
        let key = json!({"type": "string", "description": "32-byte key: base58, or 0x + 64 hex digits"});
        let u64v = json!({"oneOf": [{"type": "integer", "minimum": 0, "maximum": 18446744073709551615u64}, {"type": "string", "pattern": "^[0-9]{1,20}$"}], "description": "unsigned 64-bit integer (use a decimal string above 2^53)"});
        let errors = json!({
            "400": problem_response("Malformed request (bad JSON, unknown or missing field, bad encoding) or a value ≥ the field modulus (type …:value-not-in-field)"),
            "413": problem_response("Body larger than the configured limit"),
            "415": problem_response("Content-Type is not application/json"),
            "422": problem_response("Statement violated: invalid-signature, amount-below-minimum, statement-unsatisfied"),
            "429": problem_response("Rate limit exceeded; see Retry-After"),
            "503": problem_response("Proving queue full, or shutting down; see Retry-After"),
        });
        let mut post_responses = json!({"200": {"description": "Proof", "headers": {"X-Cache": {"schema": {"type": "string", "enum": ["HIT", "MISS"]}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProofResponse"}}}}});
        for (k, v) in errors.as_object().expect("object") {
            post_responses[k] = v.clone();
        }
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "x402-zk prover service",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "Proves possession of an attester receipt for a payment (amount ≥ minAmount, recent enough) without revealing amount, payer, transaction or time. Errors are application/problem+json with a stable `type` URI (urn:x402-zk:problem:<reason>). Every response carries X-Request-Id."
            },
            "paths": {
                "/v1/proofs": {"post": {
                    "summary": "Prove a receipt",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProofRequest"}}}},
                    "responses": post_responses.clone()
                }},
                "/generate-proof": {"post": {
                    "summary": "Prove a receipt (published design's field names)",
                    "description": "minAmount→public.minAmount, recipientKey→receipt.payTo, maxBlockAge→public.maxAge (seconds), actualAmount→receipt.amount, senderKey→accepted and discarded (the payer is hidden by the statement), signature→receipt.signature. The new statement also needs paidAt, secret, attester, resourceHash, programId; asset defaults to native SOL, now to the server clock.",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LegacyRequest"}}}},
                    "responses": post_responses
                }},
                "/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "Alive"}}}},
                "/ready": {"get": {"summary": "Readiness: keys loaded, prover pool not saturated, not shutting down", "responses": {"200": {"description": "Ready"}, "503": problem_response("Not ready")}}},
                "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text/plain exposition", "content": {"text/plain": {}}}}}},
                "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI document"}}}}
            },
            "components": {"schemas": {
                "Signature": {"type": "object", "additionalProperties": false, "required": ["R8x", "R8y", "S"],
                    "properties": {"R8x": field, "R8y": field, "S": field}},
                "Attester": {"type": "object", "additionalProperties": false, "required": ["x", "y"],
                    "properties": {"x": field, "y": field}},
                "Receipt": {"type": "object", "additionalProperties": false, "required": ["payTo", "asset", "amount", "paidAt", "signature"],
                    "properties": {"payTo": key, "asset": key, "amount": u64v, "paidAt": u64v, "signature": {"$ref": "#/components/schemas/Signature"}}},
                "Public": {"type": "object", "additionalProperties": false, "required": ["attester", "minAmount", "maxAge", "resourceHash", "programId"],
                    "properties": {"attester": {"$ref": "#/components/schemas/Attester"}, "minAmount": u64v, "now": u64v, "maxAge": u64v, "resourceHash": field, "programId": key}},
                "ProofRequest": {"type": "object", "additionalProperties": false, "required": ["receipt", "secret", "public"],
                    "properties": {"receipt": {"$ref": "#/components/schemas/Receipt"}, "secret": field, "public": {"$ref": "#/components/schemas/Public"},
                        "proofEncoding": {"type": "string", "enum": ["base64", "hex"], "default": "base64"}}},
                "LegacyRequest": {"type": "object", "additionalProperties": false,
                    "required": ["minAmount", "recipientKey", "maxBlockAge", "actualAmount", "signature", "paidAt", "secret", "attester", "resourceHash", "programId"],
                    "properties": {"minAmount": u64v, "recipientKey": key, "maxBlockAge": u64v, "actualAmount": u64v, "senderKey": key,
                        "signature": {"oneOf": [{"$ref": "#/components/schemas/Signature"}, {"type": "string", "pattern": "^(0x)?[0-9a-fA-F]{192}$"}]},
                        "asset": key, "paidAt": u64v, "secret": field, "attester": {"$ref": "#/components/schemas/Attester"}, "now": u64v,
                        "resourceHash": field, "programId": key,
                        "proofEncoding": {"type": "string", "enum": ["base64", "hex"], "default": "base64"}}},
                "ProofResponse": {"type": "object", "required": ["proof", "proofEncoding", "publicInputs", "nullifier", "now", "snarkjs"],
                    "properties": {
                        "proof": {"type": "string", "description": "256-byte groth16-solana proof (proof_a negated ‖ proof_b ‖ proof_c, big-endian)"},
                        "proofEncoding": {"type": "string", "enum": ["base64", "hex"]},
                        "publicInputs": {"type": "array", "items": {"type": "string"}, "description": "0x-hex, 32 bytes big-endian: [pubHash]"},
                        "nullifier": {"type": "string", "description": "0x-hex, 32 bytes big-endian"},
                        "now": {"type": "integer"},
                        "snarkjs": {"type": "object", "properties": {"proof": {"type": "object"}, "publicSignals": {"type": "array", "items": {"type": "string"}}}}
                    }},
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"],
                    "properties": {"type": {"type": "string", "format": "uri"}, "title": {"type": "string"}, "status": {"type": "integer"},
                        "detail": {"type": "string"}, "retryAfter": {"type": "integer"}}}
            }}
        })
    })
}

/// Handler for `GET /openapi.json`.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
