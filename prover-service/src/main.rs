//! `x402-zk-prover`: parses the configuration, loads the keys and serves until SIGTERM/SIGINT,
//! then shuts down gracefully (new proofs get 503, in-flight proofs finish).

use clap::Parser;
use x402_zk_prover_service::{app, circuits_backend, config::Config};
use x402_zk_service_kit::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    telemetry::init(&config.log_level, config.log_format)?;
    let backend = circuits_backend::from_config(&config)?;
    let server = app::start(config, backend)?;
    tracing::info!(addr = %server.addr, "x402-zk-prover listening");
    wait_for_signal().await;
    server.shutdown().await?;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("signal received: shutting down");
}
