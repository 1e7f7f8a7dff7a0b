//! Shared integration-test harness: starts the real server on 127.0.0.1:0 and talks real HTTP.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use x402_zk_prover_service::app::{self, RunningServer};
use x402_zk_prover_service::backend::ProverBackend;
use x402_zk_prover_service::config::Config;

pub mod fixtures;

/// Test config: loopback, port 0, rate limiting off unless a test turns it on.
pub fn config() -> Config {
    let mut c = Config::for_tests();
    c.rate_limit_per_minute = 0;
    c.prover_threads = 2;
    c
}

/// Starts a server with `config` and `backend`.
pub fn start(config: Config, backend: Arc<dyn ProverBackend>) -> RunningServer {
    app::start(config, backend).expect("server starts")
}

/// A reqwest client with a timeout (so a hung server fails the test instead of hanging it).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// POSTs JSON to `path`.
pub async fn post(srv: &RunningServer, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}{}", srv.url(), path))
        .json(body)
        .send()
        .await
        .expect("request sent")
}

/// GETs `path`.
pub async fn get(srv: &RunningServer, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{}", srv.url(), path))
        .send()
        .await
        .expect("request sent")
}

/// Asserts a problem+json response with `status` and `type` suffix `reason`; returns the body.
pub async fn assert_problem(res: reqwest::Response, status: u16, reason: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(ct, "application/problem+json", "content type");
    assert!(res.headers().get("x-request-id").is_some(), "request id");
    let body: Value = res.json().await.expect("json body");
    assert_eq!(
        body["type"],
        json!(format!("urn:x402-zk:problem:{reason}")),
        "type in {body}"
    );
    assert_eq!(body["status"], json!(status));
    body
}

/// Reads a counter/gauge sample from a Prometheus exposition (`name` includes any `{labels}`).
pub fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (n, v) = l.rsplit_once(' ')?;
        (n == name).then(|| v.parse().ok())?
    })
}

/// Fetches `/metrics` and reads one sample (panics if absent).
pub async fn metric(srv: &RunningServer, name: &str) -> f64 {
    let text = get(srv, "/metrics").await.text().await.unwrap();
    sample(&text, name).unwrap_or_else(|| panic!("metric {name} missing in\n{text}"))
}
