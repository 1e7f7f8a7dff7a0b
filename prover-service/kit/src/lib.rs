//! What the two x402-zk services (the prover, `x402-zk-prover-service`, and the facilitator,
//! `x402-zk-facilitator`) share, so that neither links the other: one problem+json shape and URI
//! scheme ([`problem`]), per-IP rate limits behind trusted proxies ([`limits`]), the HTTP, process
//! and build metrics both export ([`http_metrics`]), logging set-up ([`telemetry`]) and the clock
//! ([`clock`]). No proving, no chain: the services' own logic stays in their crates.
pub mod clock;
pub mod http_metrics;
pub mod limits;
pub mod problem;
pub mod telemetry;
