//! Service configuration: command-line flags, each with an environment-variable fallback.

use clap::Parser;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;
use x402_zk_service_kit::telemetry::LogFormat;

/// `x402-zk-prover` configuration.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "x402-zk-prover",
    version,
    about = "HTTP prover for x402-zk receipts"
)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "BIND_ADDR", default_value = "0.0.0.0")]
    pub bind_addr: IpAddr,

    /// Port to listen on (0 picks a free port).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Log filter (tracing EnvFilter syntax: `info`, `debug`, `x402_zk_prover_service=debug,info`).
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,

    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Json)]
    pub log_format: LogFormat,

    /// Proof requests allowed per client IP per rate-limit window (0 disables rate limiting).
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 10)]
    pub rate_limit_per_minute: u32,

    /// Length of the rate-limit window in milliseconds (60000 = per minute; shorter for tests).
    #[arg(
        long,
        env = "RATE_LIMIT_WINDOW_MS",
        default_value_t = 60_000,
        hide = true
    )]
    pub rate_limit_window_ms: u64,

    /// IP addresses of reverse proxies whose `X-Forwarded-For` is trusted (comma-separated).
    /// Requests from any other peer are limited by their TCP peer address.
    #[arg(long, env = "TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<IpAddr>,

    /// Maximum number of cached proofs (0 disables the cache).
    #[arg(long, env = "CACHE_SIZE", default_value_t = 10_000)]
    pub cache_size: u64,

    /// Seconds a cached proof is kept.
    #[arg(long, env = "CACHE_TTL_SECONDS", default_value_t = 300)]
    pub cache_ttl_seconds: u64,

    /// Key directory (`receipt.pk`, `receipt.vk`) written by the circuits crate's `x402-zk keys` CLI.
    #[arg(long, env = "KEYS_DIR")]
    pub keys_dir: Option<PathBuf>,

    /// Allow insecure development keys: generate them at start when no key path is given, and
    /// accept key files marked as dev keys. Localnet and tests only.
    #[arg(long, env = "ALLOW_DEV_KEYS", default_value_t = false)]
    pub allow_dev_keys: bool,

    /// Number of prover threads (0 = number of CPUs).
    #[arg(long, env = "PROVER_THREADS", default_value_t = 0)]
    pub prover_threads: usize,

    /// Proof jobs that may wait for a prover thread; beyond that requests get 503.
    #[arg(long, env = "MAX_QUEUE_DEPTH", default_value_t = 64)]
    pub max_queue_depth: usize,

    /// Maximum request body size in bytes (larger bodies get 413).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 16 * 1024)]
    pub max_body_bytes: usize,

    /// HTTP worker threads (0 = number of CPUs).
    #[arg(long, env = "HTTP_WORKERS", default_value_t = 0)]
    pub http_workers: usize,

    /// Seconds to wait for in-flight proofs on shutdown.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECONDS", default_value_t = 30)]
    pub shutdown_timeout_seconds: u64,

    /// The memory this process may use (bytes; e.g. the container's limit), exported as
    /// `process_memory_limit_bytes` for the HighMemoryUsage alert. 0 = not exported.
    #[arg(long, env = "MEMORY_LIMIT_BYTES", default_value_t = 0)]
    pub memory_limit_bytes: u64,
}

impl Config {
    /// Defaults for tests: loopback, port 0, dev keys allowed, everything else default.
    pub fn for_tests() -> Self {
        let mut c = Config::parse_from(["x402-zk-prover", "--allow-dev-keys"]);
        c.bind_addr = IpAddr::from([127, 0, 0, 1]);
        c.port = 0;
        c.http_workers = 2;
        c
    }

    /// The rate-limit window.
    pub fn rate_limit_window(&self) -> Duration {
        Duration::from_millis(self.rate_limit_window_ms.max(1))
    }

    /// Resolved number of prover threads.
    pub fn prover_threads(&self) -> usize {
        if self.prover_threads == 0 {
            num_cpus()
        } else {
            self.prover_threads
        }
    }

    /// Resolved number of HTTP workers.
    pub fn http_workers(&self) -> usize {
        if self.http_workers == 0 {
            num_cpus()
        } else {
            self.http_workers
        }
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Config::command().debug_assert();
        let c = Config::parse_from([
            "x",
            "--trusted-proxy",
            "10.0.0.1,::1",
            "--rate-limit-per-minute",
            "3",
        ]);
        assert_eq!(c.trusted_proxy.len(), 2);
        assert_eq!(c.rate_limit_per_minute, 3);
        assert_eq!(c.rate_limit_window(), Duration::from_secs(60));
        assert!(!c.allow_dev_keys);
    }
}
