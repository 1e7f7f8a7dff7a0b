//! Facilitator configuration: flags with environment fallbacks. Secrets (attester key, fee payer)
//! come from files, never from flags or the repository.
use std::path::PathBuf;

use clap::Parser;

#[derive(Clone, Debug, Parser)]
#[command(
    name = "x402-zk-facilitator",
    version,
    about = "x402 v2 facilitator and receipt attester for the zk-receipt scheme"
)]
pub struct Config {
    /// Listen address.
    #[arg(long, env = "FACILITATOR_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Listen port.
    #[arg(long, env = "FACILITATOR_PORT", default_value_t = 8403)]
    pub port: u16,
    /// Solana RPC URLs, in order of preference (comma-separated): the first is the primary, the
    /// rest are fallbacks.
    #[arg(
        long,
        env = "SOLANA_RPC_URLS",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:8899"
    )]
    pub rpc_urls: Vec<String>,
    /// CAIP-2 network this facilitator settles on.
    #[arg(long, env = "X402_NETWORK", default_value = "solana:localnet")]
    pub network: String,
    /// The verifier program id (base58).
    #[arg(long, env = "X402_PROGRAM_ID")]
    pub program_id: String,
    /// Attester key file (JSON with the 32-byte private key, as written by `x402-zk attester keygen`).
    #[arg(long, env = "ATTESTER_KEY_PATH")]
    pub attester_key: PathBuf,
    /// Fee payer keypair for settlement transactions (Solana CLI JSON format).
    #[arg(long, env = "FEE_PAYER_KEYPAIR")]
    pub fee_payer: PathBuf,
    /// Verifying key file (`receipt.vk` from `x402-zk keys` or the ceremony).
    #[arg(long, env = "VERIFYING_KEY_PATH")]
    pub verifying_key: PathBuf,
    /// Allowed distance between a payload's `now` and this server's clock (seconds).
    #[arg(long, env = "MAX_CLOCK_SKEW_SECONDS", default_value_t = 60)]
    pub max_clock_skew_seconds: u64,
    /// Where issued receipts are recorded (one tx signature per line), so a restart never issues a
    /// second receipt for one payment.
    #[arg(long, env = "RECEIPT_LEDGER_PATH")]
    pub receipt_ledger: Option<PathBuf>,
    /// Accept keys with provenance `dev` (unsafe: their maker can forge proofs). Only for a local validator.
    #[arg(long, env = "ALLOW_DEV_KEYS", default_value_t = false)]
    pub allow_dev_keys: bool,
    /// Settlement batching: most payments settled together (same merchant and terms share one
    /// `verify_batch` transaction). 1 = off: every `/settle` sends its own `verify_payment`.
    #[arg(long, env = "SETTLE_BATCH_MAX", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub batch_max: u16,
    /// Settlement batching: how long the first payment of a batch waits for others (ms).
    #[arg(long, env = "SETTLE_BATCH_WINDOW_MS", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch_window_ms: u64,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,
}

impl Config {
    /// True when every RPC URL points at this machine: dev keys are tolerated only there.
    pub fn is_local(&self) -> bool {
        self.rpc_urls
            .iter()
            .all(|u| u.contains("127.0.0.1") || u.contains("localhost"))
    }
}
