//! Facilitator configuration: flags with environment fallbacks. Secrets (attester key, fee payer)
//! come from files, never from flags or the repository.
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use x402_zk_service_kit::telemetry::LogFormat;

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
    /// Proving key served at `GET /v1/proving-key` for clients that prove locally (`receipt.pk`;
    /// its verifying key must be `--verifying-key`). Default: `receipt.pk` next to the verifying
    /// key file, if present; otherwise the route answers 404.
    #[arg(long, env = "PROVING_KEY_PATH")]
    pub proving_key: Option<PathBuf>,
    /// Allowed distance between a payload's `now` and this server's clock (seconds).
    #[arg(long, env = "MAX_CLOCK_SKEW_SECONDS", default_value_t = 60)]
    pub max_clock_skew_seconds: u64,
    /// Merchants (base58 `payTo` addresses, comma-separated) this facilitator verifies and settles
    /// for. Required: settling pays the nullifier account's rent, so an open facilitator would pay
    /// for anyone's self-payments. Any other `payTo` is refused with `pay_to_not_allowed`.
    #[arg(
        long,
        env = "FACILITATOR_PAY_TO",
        value_delimiter = ',',
        required = true
    )]
    pub pay_to: Vec<String>,
    /// Smallest `paymentRequirements.amount` (base units) this facilitator settles; below it:
    /// `amount_below_facilitator_minimum`.
    #[arg(long, env = "FACILITATOR_MIN_AMOUNT", default_value_t = 1000)]
    pub min_amount: u64,
    /// RPC URLs trusted for reading the transactions the attester signs receipts for
    /// (comma-separated, in order of preference). Default: only the first of `--rpc-urls` (the
    /// settlement fallbacks are not trusted for attestation: a lying node could invent a payment).
    #[arg(long, env = "ATTEST_RPC_URLS", value_delimiter = ',')]
    pub attest_rpc_urls: Vec<String>,
    /// Requests per client IP per rate-limit window on `/verify`, `/settle` and `/v1/attest`
    /// (0 disables rate limiting).
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,
    /// Length of the rate-limit window in milliseconds (60000 = per minute).
    #[arg(long, env = "RATE_LIMIT_WINDOW_MS", default_value_t = 60_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_limit_window_ms: u64,
    /// IP addresses of reverse proxies whose `X-Forwarded-For` is trusted (comma-separated).
    /// Requests from any other peer are limited by their TCP peer address.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// This facilitator's public base URL, advertised as the attester URL in `/supported`.
    /// Default: `http://BIND:PORT`.
    #[arg(long, env = "FACILITATOR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A prover URL to advertise in `/supported` (`extra.proverUrl`); not advertised when unset.
    #[arg(long, env = "FACILITATOR_PROVER_URL")]
    pub prover_url: Option<String>,
    /// `maxAge` (seconds a receipt stays spendable) advertised in `/supported`.
    #[arg(long, env = "FACILITATOR_MAX_AGE", default_value_t = 600)]
    pub max_age: u64,
    /// How often the on-chain `Config` is re-read and compared with this facilitator's keys and
    /// clock skew (seconds). While it disagrees, it is re-read every 2 s at most.
    #[arg(long, env = "CONFIG_CHECK_INTERVAL_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub config_check_interval_secs: u64,
    /// Accept keys with provenance `dev` (unsafe: their maker can forge proofs). Only for a local validator.
    #[arg(long, env = "ALLOW_DEV_KEYS", default_value_t = false)]
    pub allow_dev_keys: bool,
    /// Settlement batching: most payments settled together (same merchant and terms share one
    /// verification: two in an inline `verify_batch`, 3–16 through a proof buffer and one
    /// `verify_batch_from_buffer`). 1 = off: every `/settle` sends its own `verify_payment`.
    #[arg(long, env = "SETTLE_BATCH_MAX", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub batch_max: u16,
    /// Settlement batching: how long the first payment of a batch waits for others (ms).
    #[arg(long, env = "SETTLE_BATCH_WINDOW_MS", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch_window_ms: u64,
    /// Nullifier sweeper: seconds between scans for this fee payer's expired nullifier accounts,
    /// which it closes to get their rent back. 0 = off.
    #[arg(long, env = "SWEEP_INTERVAL_SECS", default_value_t = 60)]
    pub sweep_interval_secs: u64,
    /// Nullifier sweeper: accounts closed per `close_expired_nullifiers` transaction.
    #[arg(long, env = "SWEEP_MAX_PER_TX", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=i64::from(crate::sweep::MAX_PAIRS_PER_TX)))]
    pub sweep_max_per_tx: u16,
    /// Admission limit: most requests inside `/verify`, `/settle`, `/v1/settlement` and
    /// `/v1/attest` at once (all clients together); the next one is refused at once with `503`,
    /// `Retry-After: 1` and the reason word `overloaded`. 0 = unlimited.
    #[arg(long, env = "MAX_IN_FLIGHT", default_value_t = crate::admission::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// The memory this process may use (bytes; e.g. the container's limit), exported as
    /// `process_memory_limit_bytes` for the HighMemoryUsage alert. 0 = not exported.
    #[arg(long, env = "MEMORY_LIMIT_BYTES", default_value_t = 0)]
    pub memory_limit_bytes: u64,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Log format: one JSON object per line (default) or human-readable lines.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Json)]
    pub log_format: LogFormat,
}

impl Config {
    /// True when every RPC URL (settlement and attestation) points at this machine: dev keys are
    /// tolerated only there.
    pub fn is_local(&self) -> bool {
        self.rpc_urls
            .iter()
            .chain(&self.attest_rpc_urls)
            .all(|u| is_loopback_url(u))
    }

    /// The endpoints the attester reads transactions from: `--attest-rpc-urls`, or the primary.
    pub fn attest_urls(&self) -> Vec<String> {
        if self.attest_rpc_urls.is_empty() {
            self.rpc_urls.iter().take(1).cloned().collect()
        } else {
            self.attest_rpc_urls.clone()
        }
    }

    /// `--public-url`, or `http://BIND:PORT` (IPv6 addresses in brackets), without a trailing `/`.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None if self.bind.contains(':') => format!("http://[{}]:{}", self.bind, self.port),
            None => format!("http://{}:{}", self.bind, self.port),
        }
    }

    /// The rate-limit window.
    pub fn rate_limit_window(&self) -> Duration {
        Duration::from_millis(self.rate_limit_window_ms.max(1))
    }
}

/// True when `url` parses and its host is a loopback address (127.0.0.0/8, `::1`) or `localhost`.
/// The host is parsed, not searched for: `http://127.0.0.1.evil.com` or
/// `http://evil.com/?127.0.0.1` are not local.
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    // `host_str` is normalized by the URL parser (IPv4 in dotted form, IPv6 in brackets,
    // domains lower-cased).
    let Some(host) = u.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_means_a_loopback_host_not_a_substring() {
        for local in [
            "http://127.0.0.1:8899",
            "http://127.8.9.10",
            "http://localhost:8899/",
            "http://LOCALHOST",
            "http://[::1]:8899",
            "https://user:pw@127.0.0.1:8899/path?q=1",
        ] {
            assert!(is_loopback_url(local), "{local}");
        }
        for remote in [
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com:8899",
            "http://evil.com/127.0.0.1",
            "http://evil.com/?localhost",
            "http://127.0.0.1@evil.com",
            "http://[::2]:8899",
            "http://10.0.0.1",
            "127.0.0.1:8899",
            "not a url",
        ] {
            assert!(!is_loopback_url(remote), "{remote}");
        }
    }
}
