//! HTTP handlers, one file per area.

pub mod health;
pub mod legacy;
pub mod metrics;
pub mod openapi;
pub mod proofs;
