//! Rate limiting, caching and coalescing, backpressure (queue-full 503) and graceful shutdown.

mod common;

use common::fixtures::{self, valid_request};
use common::*;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use x402_zk_prover_service::backend::testing::{Gate, GatedBackend};
use x402_zk_prover_service::backend::ProverBackend;

struct Shared(Arc<dyn ProverBackend>);
impl ProverBackend for Shared {
    fn check(
        &self,
        i: &x402_zk_prover_service::model::ProofInputs,
    ) -> Result<(), x402_zk_prover_service::backend::StatementError> {
        self.0.check(i)
    }
    fn prove(
        &self,
        i: &x402_zk_prover_service::model::ProofInputs,
    ) -> Result<
        x402_zk_prover_service::model::ProofOutput,
        x402_zk_prover_service::backend::BackendError,
    > {
        self.0.prove(i)
    }
    fn info(&self) -> x402_zk_prover_service::backend::BackendInfo {
        self.0.info()
    }
}

fn gated() -> (Arc<dyn ProverBackend>, Arc<Gate>) {
    let gate = Gate::closed();
    let b = GatedBackend {
        inner: Shared(fixtures::backend()),
        gate: Arc::clone(&gate),
    };
    (Arc::new(b), gate)
}

/// Polls `cond` every 10 ms, at most 30 s (bounded; no timing is asserted).
async fn until(mut cond: impl FnMut() -> bool) {
    for _ in 0..3000 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_429_then_recovers() {
    let mut cfg = config();
    // 3 per 6 s: one cell back every 2 s. The requests before the 429 are cheap (rejected by the
    // native amount check), so the burst is used up long before a cell comes back.
    cfg.rate_limit_per_minute = 3;
    cfg.rate_limit_window_ms = 6000;
    cfg.trusted_proxy = vec![];
    let srv = start(cfg, fixtures::backend());
    let mut cheap = valid_request(1);
    cheap["public"]["minAmount"] = json!(fixtures::AMOUNT + 1);
    for _ in 0..3 {
        assert_eq!(post(&srv, "/v1/proofs", &cheap).await.status(), 422);
    }
    let res = post(&srv, "/v1/proofs", &valid_request(1)).await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body = assert_problem(res, 429, "rate-limited").await;
    assert_eq!(body["retryAfter"], json!(retry));
    // Health and metrics are not rate limited.
    assert_eq!(get(&srv, "/health").await.status(), 200);
    // X-Forwarded-For is ignored from an untrusted peer.
    let res = client()
        .post(format!("{}/v1/proofs", srv.url()))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&valid_request(1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(metric(&srv, "rate_limit_exceeded_total").await, 2.0);
    // Recovers once the window refills (polled, bounded).
    let mut recovered = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if post(&srv, "/v1/proofs", &valid_request(1)).await.status() == 200 {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "rate limit never recovered");
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_proxy_limits_by_forwarded_client() {
    let mut cfg = config();
    cfg.rate_limit_per_minute = 1;
    cfg.rate_limit_window_ms = 3_600_000;
    cfg.trusted_proxy = vec!["127.0.0.1".parse().unwrap()];
    let srv = start(cfg, fixtures::backend());
    let send = |xff: &'static str| {
        let url = format!("{}/v1/proofs", srv.url());
        async move {
            client()
                .post(url)
                .header("x-forwarded-for", xff)
                .json(&valid_request(1))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(send("198.51.100.1").await, 200);
    assert_eq!(send("198.51.100.1").await, 429);
    assert_eq!(send("198.51.100.2").await, 200);
    // A client-forged left-most entry does not help: the proxy-appended right-most one counts.
    assert_eq!(send("198.51.100.3, 198.51.100.1").await, 429);
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_hit_and_counters() {
    let srv = start(config(), fixtures::backend());
    let a = post(&srv, "/v1/proofs", &valid_request(1)).await;
    assert_eq!(a.headers()["x-cache"], "MISS");
    let a: serde_json::Value = a.json().await.unwrap();
    let b = post(&srv, "/v1/proofs", &valid_request(1)).await;
    assert_eq!(b.headers()["x-cache"], "HIT");
    let b: serde_json::Value = b.json().await.unwrap();
    assert_eq!(a, b);
    // A different witness (here only the secret differs) never gets the cached proof.
    let other = fixtures::request_with_secret(1, "5");
    let c = post(&srv, "/v1/proofs", &other).await;
    assert_eq!(c.headers()["x-cache"], "MISS");
    let c: serde_json::Value = c.json().await.unwrap();
    assert_ne!(a["proof"], c["proof"]);
    assert_eq!(metric(&srv, "proof_cache_hits_total").await, 1.0);
    assert_eq!(metric(&srv, "proof_cache_misses_total").await, 2.0);
    assert_eq!(metric(&srv, "proof_generation_total").await, 2.0);
    assert_eq!(metric(&srv, "proof_cache_size").await, 2.0);
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_in_flight_requests_are_proved_once() {
    let (backend, gate) = gated();
    let mut cfg = config();
    cfg.prover_threads = 1;
    let srv = start(cfg, backend);
    let url = format!("{}/v1/proofs", srv.url());
    let mut tasks = vec![];
    for _ in 0..4 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            client()
                .post(url)
                .json(&valid_request(3))
                .send()
                .await
                .unwrap()
        }));
    }
    let g = Arc::clone(&gate);
    until(|| g.entered() == 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    gate.open();
    let mut statuses = vec![];
    for t in tasks {
        let res = t.await.unwrap();
        assert_eq!(res.status(), 200);
        statuses.push(res.headers()["x-cache"].to_str().unwrap().to_string());
    }
    assert_eq!(gate.entered(), 1, "one proof for four identical requests");
    assert_eq!(statuses.iter().filter(|s| *s == "MISS").count(), 1);
    assert_eq!(metric(&srv, "proof_generation_total").await, 1.0);
    assert_eq!(metric(&srv, "proof_cache_hits_total").await, 3.0);
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_full_returns_503_with_retry_after() {
    let (backend, gate) = gated();
    let mut cfg = config();
    cfg.prover_threads = 1;
    cfg.max_queue_depth = 1;
    let srv = start(cfg, backend);
    let url = format!("{}/v1/proofs", srv.url());
    let spawn = |v: u64| {
        let url = url.clone();
        tokio::spawn(async move {
            client()
                .post(url)
                .json(&valid_request(v))
                .send()
                .await
                .unwrap()
        })
    };
    let a = spawn(1);
    let g = Arc::clone(&gate);
    until(|| g.entered() == 1).await;
    let b = spawn(2);
    let st = srv.state.clone();
    until(|| st.pool.in_flight() == 2).await;
    assert_eq!(get(&srv, "/ready").await.status(), 503);

    let res = post(&srv, "/v1/proofs", &valid_request(3)).await;
    let retry = res.headers()["retry-after"].to_str().unwrap().to_string();
    assert!(retry.parse::<u64>().unwrap() >= 1);
    assert_problem(res, 503, "queue-full").await;
    let text = get(&srv, "/metrics").await.text().await.unwrap();
    assert_eq!(sample(&text, "proof_queue_depth"), Some(1.0));
    assert_eq!(sample(&text, "proof_jobs_running"), Some(1.0));

    gate.open();
    assert_eq!(a.await.unwrap().status(), 200);
    assert_eq!(b.await.unwrap().status(), 200);
    assert_eq!(
        metric(&srv, "proof_generation_errors_total{reason=\"queue_full\"}").await,
        1.0
    );
    // Capacity is back.
    assert_eq!(
        post(&srv, "/v1/proofs", &valid_request(3)).await.status(),
        200
    );
    assert_eq!(get(&srv, "/ready").await.status(), 200);
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_in_flight_and_refuses_new() {
    let (backend, gate) = gated();
    let mut cfg = config();
    cfg.prover_threads = 1;
    let srv = start(cfg, backend);
    let url = format!("{}/v1/proofs", srv.url());
    let base = srv.url();
    let state = srv.state.clone();
    let in_flight = {
        let url = url.clone();
        tokio::spawn(async move {
            client()
                .post(url)
                .json(&valid_request(1))
                .send()
                .await
                .unwrap()
        })
    };
    let g = Arc::clone(&gate);
    until(|| g.entered() == 1).await;
    let stopper = tokio::spawn(srv.shutdown());
    let st = state.clone();
    until(|| st.is_shutting_down()).await;

    let res = client()
        .post(&url)
        .json(&valid_request(2))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("retry-after").is_some());
    assert_problem(res, 503, "shutting-down").await;
    let res = client().get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(res.status(), 503);

    gate.open();
    let res = in_flight.await.unwrap();
    assert_eq!(res.status(), 200, "the in-flight proof completes");
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["proof"].is_string());
    stopper.await.unwrap().unwrap();
    assert!(
        client().get(format!("{base}/health")).send().await.is_err(),
        "the server is gone"
    );
}
