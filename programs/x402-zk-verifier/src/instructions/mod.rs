//! One module per instruction (or small group of admin instructions), each with its accounts.
pub mod admin;
pub mod initialize_config;

pub use admin::*;
pub use initialize_config::*;
