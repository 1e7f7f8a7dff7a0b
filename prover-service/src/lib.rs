//! x402-zk prover service: an actix-web HTTP API that turns an attester receipt and the payer's
//! secret into a Groth16 proof of the receipt statement (see `docs/PROTOCOL.md`).
//!
//! Layout: [`config`] (flags + env), [`app`] (the `App` and server lifecycle), [`routes`],
//! [`cache`] (moka, keyed by the full witness hash),
//! [`pool`] (bounded prover threads), [`metrics`] (a Prometheus recorder per app),
//! [`error`] (the reasons, as problem+json), [`telemetry`] (request ids, access log), [`backend`]
//! (the seam to the circuits crate). What the facilitator shares with this service (problem+json,
//! rate limits, HTTP metrics, logging set-up, clock) is in `x402_zk_service_kit`.

pub mod app;
pub mod backend;
pub mod cache;
pub mod circuits_backend;
pub mod config;
pub mod error;
pub mod metrics;
pub mod model;
pub mod pool;
pub mod routes;
pub mod telemetry;
