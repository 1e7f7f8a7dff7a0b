//! Foreign formats, one file per consumer: [`solana`] (groth16-solana, on-chain) and [`snarkjs`] (interop).
pub mod snarkjs;
pub mod solana;
