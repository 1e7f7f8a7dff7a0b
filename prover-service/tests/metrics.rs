//! `/metrics` exposes every metric with the right values after a known sequence of requests.

mod common;

use common::fixtures::{self, valid_request};
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_after_known_sequence() {
    let mut cfg = config();
    cfg.rate_limit_per_minute = 6;
    cfg.rate_limit_window_ms = 3_600_000; // no refill during the test
    let srv = start(cfg, fixtures::backend());

    // Before any traffic every name is there, at zero.
    let text = get(&srv, "/metrics").await.text().await.unwrap();
    for name in [
        "proof_generation_total",
        "proof_cache_hits_total",
        "proof_cache_misses_total",
        "proof_cache_size",
        "rate_limit_exceeded_total",
        "proof_generation_errors_total{reason=\"invalid_signature\"}",
        "proof_generation_errors_total{reason=\"queue_full\"}",
    ] {
        assert_eq!(sample(&text, name), Some(0.0), "{name} in\n{text}");
    }

    let s = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(s(post(&srv, "/v1/proofs", &valid_request(1)).await), 200); // miss
    assert_eq!(s(post(&srv, "/v1/proofs", &valid_request(1)).await), 200); // hit
    assert_eq!(s(post(&srv, "/v1/proofs", &valid_request(2)).await), 200); // miss
    let mut bad_sig = valid_request(4);
    bad_sig["receipt"]["signature"]["S"] = json!("0");
    assert_eq!(s(post(&srv, "/v1/proofs", &bad_sig).await), 422);
    let mut low = valid_request(5);
    low["public"]["minAmount"] = json!(fixtures::AMOUNT + 1);
    assert_eq!(s(post(&srv, "/v1/proofs", &low).await), 422);
    let mut unknown = valid_request(6);
    unknown["x"] = json!(1);
    assert_eq!(s(post(&srv, "/v1/proofs", &unknown).await), 400);
    assert_eq!(s(post(&srv, "/v1/proofs", &valid_request(1)).await), 429); // 7th: limited
    assert_eq!(s(get(&srv, "/health").await), 200);
    assert_eq!(s(get(&srv, "/nowhere").await), 404);

    let text = get(&srv, "/metrics").await.text().await.unwrap();
    let expect = [
        ("proof_generation_total", 2.0),
        ("proof_cache_hits_total", 1.0),
        ("proof_cache_misses_total", 2.0),
        ("proof_cache_size", 2.0),
        ("rate_limit_exceeded_total", 1.0),
        (
            "proof_generation_errors_total{reason=\"invalid_signature\"}",
            1.0,
        ),
        (
            "proof_generation_errors_total{reason=\"amount_below_minimum\"}",
            1.0,
        ),
        (
            "proof_generation_errors_total{reason=\"malformed_request\"}",
            1.0,
        ),
        ("proof_generation_errors_total{reason=\"queue_full\"}", 0.0),
        (
            "proof_generation_errors_total{reason=\"rate_limited\"}",
            0.0,
        ),
        ("proof_generation_duration_seconds_count", 2.0),
        ("proof_queue_depth", 0.0),
        ("proof_jobs_running", 0.0),
        (
            "http_requests_total{method=\"POST\",route=\"/v1/proofs\",status=\"200\"}",
            3.0,
        ),
        (
            "http_requests_total{method=\"POST\",route=\"/v1/proofs\",status=\"422\"}",
            2.0,
        ),
        (
            "http_requests_total{method=\"POST\",route=\"/v1/proofs\",status=\"400\"}",
            1.0,
        ),
        (
            "http_requests_total{method=\"POST\",route=\"/v1/proofs\",status=\"429\"}",
            1.0,
        ),
        (
            "http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}",
            1.0,
        ),
        (
            "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}",
            1.0,
        ),
        (
            "http_request_duration_seconds_count{method=\"POST\",route=\"/v1/proofs\"}",
            7.0,
        ),
        (
            "build_info{version=\"0.1.0\",service=\"x402-zk-prover\"}",
            1.0,
        ),
    ];
    for (name, v) in expect {
        assert_eq!(sample(&text, name), Some(v), "{name} in\n{text}");
    }
    assert!(text.contains("proof_generation_duration_seconds_bucket{le=\"0.5\"}"));
    assert!(text.contains("http_request_duration_seconds_bucket{"));
    assert!(sample(&text, "process_resident_memory_bytes").unwrap() > 1e6);
    assert!(text.contains("# TYPE proof_generation_duration_seconds histogram"));
    srv.shutdown().await.unwrap();
}
