//! One module per instruction (or small group of admin instructions), each with its accounts.
pub mod admin;
pub mod initialize_config;
pub mod nullifier;
pub mod policy;
pub mod proof_buffer;
pub mod verify_batch;
pub mod verify_payment;

pub use admin::*;
pub use initialize_config::*;
pub use nullifier::*;
pub use policy::*;
pub use proof_buffer::*;
pub use verify_batch::*;
pub use verify_payment::*;
