//! Foreign formats, one file per consumer: [`solana`] (groth16-solana, on-chain), [`snarkjs`] (interop JSON)
//! and [`iden3`] (`.r1cs` / `.wtns`, so snarkjs can prove this circuit for the benchmark comparison).
pub mod iden3;
pub mod snarkjs;
pub mod solana;
