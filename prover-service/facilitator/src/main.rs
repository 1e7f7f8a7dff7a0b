//! `x402-zk-facilitator`: parse config, load keys, serve.
use clap::Parser;
use x402_zk_facilitator::app::{serve, State};
use x402_zk_facilitator::config::Config;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    x402_zk_service_kit::telemetry::init(&config.log_level, config.log_format)?;
    let state = State::from_config(&config)?;
    tracing::info!(bind = %config.bind, port = config.port, network = %config.network,
        pay_to = ?config.pay_to, min_amount = config.min_amount,
        batch_max = config.batch_max, batch_window_ms = config.batch_window_ms,
        rate_limit_per_minute = config.rate_limit_per_minute,
        sweep_interval_secs = config.sweep_interval_secs, sweep_max_per_tx = config.sweep_max_per_tx,
        "facilitator starting");
    serve(state, &config.bind, config.port).await?;
    Ok(())
}
