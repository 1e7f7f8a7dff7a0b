//! `x402-zk-load`: a bounded load generator for the prover service (loopback only).
//!
//! `clients` concurrent clients each send `requests` proof requests back to back, then it prints
//! status counts, throughput and latency percentiles (markdown and JSON).
//!
//! Modes:
//! - `uncached`: every request is a distinct valid witness (a fresh `resourceHash`), so each one
//!   needs a new Groth16 proof: measures proofs per second.
//! - `cached`: every request is the same witness, proved once during warm-up: measures the
//!   cached path (parse, hash, cache lookup, JSON response).
//!
//! - `bodies`: POSTs the JSON lines of `--bodies FILE` in turn (e.g. x402 `/verify` bodies with
//!   pre-made proofs, `--path /verify`): measures any JSON route, such as the facilitator's alone.
//!   A 200 whose JSON says `"isValid": false` (an x402 verdict) counts as an error (`invalid`).
//!
//! Overload answers are checked: every 429/503 must carry `Retry-After` (counted otherwise as
//! `overloadWithoutRetryAfter`), and `--rss-pid PID` samples that process's resident memory every
//! 200 ms during the run (`maxRssBytes`, `endRssBytes`), so a ramp shows whether memory stays bounded.
//!
//! Requests are signed by a local attester (`Attester::from_secret([42; 32])`): the service accepts
//! any attester key, which is a public parameter of the statement.

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use x402_zk_circuits::field::fr_to_decimal;
use x402_zk_circuits::receipt::{commitment, Receipt};
use x402_zk_circuits::{Attester, Fr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Cached,
    Uncached,
    Bodies,
}

#[derive(Debug, Parser)]
#[command(
    name = "x402-zk-load",
    about = "Bounded load run against an x402-zk prover (loopback)"
)]
struct Args {
    /// Base URL of the prover; must be a loopback address.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Requests per client.
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// What to measure.
    #[arg(long, value_enum, default_value_t = Mode::Cached)]
    mode: Mode,
    /// Endpoint path.
    #[arg(long, default_value = "/v1/proofs")]
    path: String,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 600)]
    timeout_seconds: u64,
    /// `--mode bodies`: a file of JSON request bodies, one per line, sent in turn.
    #[arg(long)]
    bodies: Option<std::path::PathBuf>,
    /// Sample this process's RSS (Linux `/proc/PID/status`) during the run.
    #[arg(long)]
    rss_pid: Option<u32>,
    /// `--mode uncached`: the `resourceHash` of the first request (then +1 per request). Runs
    /// against one prover must not overlap (a ramp passes each level the next free value), or
    /// the later run's requests are cache hits.
    #[arg(long, default_value_t = 2)]
    first_resource_hash: u64,
}

/// Resident set size of `pid` in bytes (`/proc/PID/status` VmRSS), if it runs.
fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

const PAY_TO: [u8; 32] = [7u8; 32];
const ASSET: [u8; 32] = [0u8; 32];
const PROGRAM_ID: [u8; 32] = [9u8; 32];
const AMOUNT: u64 = 1_500_000;
const NOW: u64 = 1_760_000_600;

fn base_request() -> Value {
    let attester = Attester::from_secret([42u8; 32]);
    let secret = Fr::from(123_456_789u64);
    let receipt = Receipt {
        pay_to: PAY_TO,
        asset: ASSET,
        amount: AMOUNT,
        paid_at: NOW - 60,
        commitment: commitment(&secret),
    };
    let sig = receipt.sign(&attester);
    let a = attester.public();
    json!({
        "receipt": {
            "payTo": bs58::encode(PAY_TO).into_string(),
            "asset": bs58::encode(ASSET).into_string(),
            "amount": AMOUNT,
            "paidAt": NOW - 60,
            "signature": {"R8x": fr_to_decimal(&sig.r8.x), "R8y": fr_to_decimal(&sig.r8.y), "S": fr_to_decimal(&sig.s)}
        },
        "secret": fr_to_decimal(&secret),
        "public": {
            "attester": {"x": fr_to_decimal(&a.x), "y": fr_to_decimal(&a.y)},
            "minAmount": 1000,
            "now": NOW,
            "maxAge": 3600,
            "resourceHash": "1",
            "programId": bs58::encode(PROGRAM_ID).into_string()
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[idx.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let host = reqwest::Url::parse(&args.url)
        .context("--url")?
        .host_str()
        .unwrap_or_default()
        .to_string();
    if !(host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1") {
        bail!("refusing to load a non-loopback host: {host}");
    }
    let url = format!("{}{}", args.url.trim_end_matches('/'), args.path);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout_seconds))
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let base = Arc::new(base_request());
    let base_bytes: bytes::Bytes = serde_json::to_vec(&*base)?.into();
    let bodies: Arc<Vec<bytes::Bytes>> = Arc::new(match (&args.mode, &args.bodies) {
        (Mode::Bodies, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("--bodies {}", path.display()))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| bytes::Bytes::from(l.to_string()))
            .collect(),
        (Mode::Bodies, None) => bail!("--mode bodies needs --bodies FILE"),
        _ => Vec::new(),
    });
    if args.mode == Mode::Bodies && bodies.is_empty() {
        bail!("--bodies: no request bodies in the file");
    }
    let first = if args.mode == Mode::Bodies {
        bodies[0].clone()
    } else {
        base_bytes.clone()
    };

    // Warm-up: one request (proves the cached witness; checks the server answers 200).
    let warm = client
        .post(&url)
        .header("content-type", "application/json")
        .body(first)
        .send()
        .await?;
    if !warm.status().is_success() {
        bail!(
            "warm-up request failed: {} {}",
            warm.status(),
            warm.text().await?
        );
    }

    let counter = Arc::new(AtomicU64::new(args.first_resource_hash));
    let no_retry_after = Arc::new(AtomicU64::new(0));
    let invalid = Arc::new(AtomicU64::new(0));
    let rss_max = Arc::new(AtomicU64::new(0));
    let sampler = args.rss_pid.map(|pid| {
        let rss_max = Arc::clone(&rss_max);
        tokio::spawn(async move {
            loop {
                if let Some(r) = rss_bytes(pid) {
                    rss_max.fetch_max(r, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let client = client.clone();
        let url = url.clone();
        let base = Arc::clone(&base);
        let base_bytes = base_bytes.clone();
        let counter = Arc::clone(&counter);
        let bodies = Arc::clone(&bodies);
        let no_retry_after = Arc::clone(&no_retry_after);
        let invalid = Arc::clone(&invalid);
        let (n, mode) = (args.requests, args.mode);
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(n);
            let mut statuses: Vec<u16> = Vec::with_capacity(n);
            let mut errors = 0u64;
            for _ in 0..n {
                let body: bytes::Bytes = match mode {
                    Mode::Cached => base_bytes.clone(),
                    Mode::Uncached => {
                        let mut b = (*base).clone();
                        b["public"]["resourceHash"] =
                            json!(counter.fetch_add(1, Ordering::Relaxed).to_string());
                        serde_json::to_vec(&b).expect("json").into()
                    }
                    Mode::Bodies => {
                        let i = counter.fetch_add(1, Ordering::Relaxed) as usize;
                        bodies[i % bodies.len()].clone()
                    }
                };
                let t0 = Instant::now();
                let req = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body);
                match req.send().await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        if (status == 429 || status == 503)
                            && !res.headers().contains_key("retry-after")
                        {
                            no_retry_after.fetch_add(1, Ordering::Relaxed);
                        }
                        let body = res.bytes().await.unwrap_or_default();
                        if mode == Mode::Bodies
                            && status == 200
                            && serde_json::from_slice::<Value>(&body)
                                .is_ok_and(|v| v["isValid"] == json!(false))
                        {
                            invalid.fetch_add(1, Ordering::Relaxed);
                        }
                        lat.push(t0.elapsed());
                        statuses.push(status);
                    }
                    Err(_) => errors += 1,
                }
            }
            (lat, statuses, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    let mut transport_errors = 0;
    for t in tasks {
        let (l, s, e) = t.await?;
        lat.extend(l);
        for code in s {
            *statuses.entry(code).or_default() += 1;
        }
        transport_errors += e;
    }
    let elapsed = started.elapsed();
    if let Some(s) = sampler {
        s.abort();
    }
    let end_rss = args.rss_pid.and_then(rss_bytes);
    if let Some(r) = end_rss {
        rss_max.fetch_max(r, Ordering::Relaxed);
    }
    lat.sort();
    let total = lat.len() as u64 + transport_errors;
    let ok = statuses.get(&200).copied().unwrap_or(0);
    let invalid = invalid.load(Ordering::Relaxed);
    let errors = total - ok + invalid;
    let rps = total as f64 / elapsed.as_secs_f64();
    let (p50, p95, p99) = (
        percentile(&lat, 50.0),
        percentile(&lat, 95.0),
        percentile(&lat, 99.0),
    );
    let max = lat.last().copied().unwrap_or_default();
    println!(
        "| {:?} | {} × {} | {} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} |",
        args.mode,
        args.clients,
        args.requests,
        total,
        errors,
        rps,
        ms(p50),
        ms(p95),
        ms(p99),
        ms(max),
        elapsed.as_secs_f64()
    );
    println!(
        "{}",
        json!({
            "mode": format!("{:?}", args.mode).to_lowercase(),
            "clients": args.clients,
            "requestsPerClient": args.requests,
            "total": total,
            "errors": errors,
            "statuses": statuses,
            "transportErrors": transport_errors,
            "elapsedSeconds": elapsed.as_secs_f64(),
            "requestsPerSecond": rps,
            "latencyMs": {"p50": ms(p50), "p95": ms(p95), "p99": ms(p99), "max": ms(max)},
            "invalid": invalid,
            "overloadWithoutRetryAfter": no_retry_after.load(Ordering::Relaxed),
            "maxRssBytes": args.rss_pid.map(|_| rss_max.load(Ordering::Relaxed)),
            "endRssBytes": end_rss,
            "processAlive": args.rss_pid.map(|_| end_rss.is_some()),
        })
    );
    if errors > 0 {
        std::process::exit(1);
    }
    Ok(())
}
