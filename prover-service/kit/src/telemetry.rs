//! Logging set-up: one `tracing` subscriber, JSON lines by default (for log shippers) or
//! human-readable, filtered with `EnvFilter` syntax. Neither service logs private inputs; the
//! format does not change what is logged.
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Log output format (`--log-format`, `LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line (default; for log shippers).
    Json,
    /// Human-readable lines.
    Pretty,
}

/// Installs the global subscriber writing to stdout. Fails on a bad filter or when one is
/// already installed.
pub fn init(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    init_with_writer(filter, format, std::io::stdout)
}

/// Installs the global subscriber writing to `writer` (tests capture logs with this).
pub fn init_with_writer<W>(filter: &str, format: LogFormat, writer: W) -> anyhow::Result<()>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter)
        .map_err(|e| anyhow::anyhow!("invalid log filter {filter:?}: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    }
    .map_err(|e| anyhow::anyhow!("installing the tracing subscriber: {e}"))
}
