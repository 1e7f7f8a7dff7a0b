//! x402-zk facilitator: the x402 v2 `/verify`, `/settle`, `/supported` endpoints for the
//! `zk-receipt` scheme, and the attester (`/v1/attest`) that signs receipts for finalized
//! transfers. See `docs/PROTOCOL.md`.
//!
//! Modules: [`x402`] (wire types), [`verify`] (off-chain checks), [`proof_codec`] (256-byte proof
//! → arkworks, strictly), [`claims`] (the in-process claim per nullifier), [`policy_account`] (the merchant `Policy`
//! account: derived, registered when absent), [`settle`] (the `verify_payment` transaction), [`settlement`]
//! (`/v1/settlement`: was a nullifier burned for this payment, for a merchant whose `/settle` answer was lost),
//! [`batch`] (optional batched settlement), [`proof_buffer`] (its proof-buffer path for more than
//! two payments), [`rpc`]
//! (fallback list, backoff, circuit breaker), [`sweep`] (closes expired nullifier accounts),
//! [`attester`], [`chain_config`] (the on-chain `Config` guard), [`app`] (routes, rate limits),
//! [`admission`] (`--max-in-flight`: 503 `overloaded` beyond it), [`config`], [`metrics`] (`/metrics`, `/health`), [`openapi`] (`GET /openapi.json`, generated).
pub mod admission;
pub mod app;
pub mod attester;
pub mod batch;
pub mod chain_config;
pub mod claims;
pub mod config;
pub mod metrics;
pub mod openapi;
pub mod policy_account;
pub mod proof_buffer;
pub mod proof_codec;
pub mod proving_key;
pub mod rpc;
pub mod settle;
pub mod settlement;
pub mod sweep;
pub mod verify;
pub mod x402;
