//! The facilitator's metrics for `/metrics` (Prometheus text format), recorded through the
//! `metrics` crate into a `metrics-exporter-prometheus` recorder like the prover's (one recorder per
//! [`crate::app::State`], so several facilitators in one process (tests) never share them). The
//! parts both services export (HTTP request metrics, process metrics, `build_info`, the memory
//! limit) come from the service kit ([`x402_zk_service_kit::http_metrics`]), as the prover's.
//!
//! Labels are fixed, low-cardinality values (results and stable reason strings, RPC endpoint index
//! and `host:port`, HTTP method, route *pattern* and status), never request data.
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusHandle, PrometheusRecorder};
use metrics_process::Collector;
use serde_json::{json, Value};
use solana_signer::Signer;
use x402_zk_service_kit::http_metrics::{
    describe_common, method_label, record_http, recorder_builder,
};

use crate::app::State;
use crate::rpc::RpcPool;
use crate::x402::Reason;

/// Counter families: name and help text.
const FAMILIES: &[(&str, &str)] = &[
    (
        "facilitator_verify_total",
        "POST /verify answers by result (valid, the invalidReason, config_mismatch, rate_limited or overloaded)",
    ),
    (
        "facilitator_settle_total",
        "POST /settle answers by result (settled, the errorReason, config_mismatch, rate_limited or overloaded)",
    ),
    (
        "facilitator_settlement_total",
        "POST /v1/settlement answers by result (settled, the problem's reason, rate_limited or overloaded)",
    ),
    (
        "facilitator_attest_total",
        "POST /v1/attest answers by result (issued, the problem slug, rate-limited or overloaded)",
    ),
    (
        "facilitator_admission_refusals_total",
        "requests refused with 503 overloaded at the admission limit (--max-in-flight), by route",
    ),
    (
        "facilitator_settle_transactions_total",
        "settlement transactions confirmed, by instruction (verify_payment, verify_batch, write_proof_buffer, verify_batch_from_buffer)",
    ),
    (
        "facilitator_nullifiers_closed_total",
        "expired nullifier accounts closed by the sweeper (their rent returned to the fee payer)",
    ),
    (
        "facilitator_policies_registered_total",
        "merchant Policy accounts registered by this fee payer (register_policy in a settlement)",
    ),
    (
        "facilitator_policy_rent_lamports_total",
        "lamports of rent the fee payer put into Policy accounts it registered",
    ),
    (
        "facilitator_proof_buffers_created_total",
        "proof buffer accounts this fee payer created for batch settlement (kept and reused)",
    ),
    (
        "facilitator_proof_buffer_rent_lamports_total",
        "lamports of rent the fee payer put into proof buffers it created (returned when one is closed)",
    ),
    (
        "facilitator_sweep_errors_total",
        "nullifier sweeper failures by stage (scan: reading the accounts, close: a transaction)",
    ),
];

/// Counter families without labels: always exposed (0 until incremented).
const UNLABELED: &[&str] = &[
    "facilitator_nullifiers_closed_total",
    "facilitator_policies_registered_total",
    "facilitator_policy_rent_lamports_total",
    "facilitator_proof_buffers_created_total",
    "facilitator_proof_buffer_rent_lamports_total",
];

/// Series exposed at 0 from the start, so that rates over them (the alerts' and dashboards')
/// exist before the first event.
fn initial_series() -> [(&'static str, &'static str, &'static str); 12] {
    let refused = "facilitator_admission_refusals_total";
    [
        (refused, "route", crate::admission::ROUTES[0]),
        (refused, "route", crate::admission::ROUTES[1]),
        (refused, "route", crate::admission::ROUTES[2]),
        (refused, "route", crate::admission::ROUTES[3]),
        ("facilitator_verify_total", "result", "valid"),
        (
            "facilitator_verify_total",
            "result",
            Reason::RpcUnavailable.as_str(),
        ),
        ("facilitator_settle_total", "result", "settled"),
        (
            "facilitator_settle_total",
            "result",
            Reason::SettlementFailed.as_str(),
        ),
        (
            "facilitator_settle_total",
            "result",
            Reason::RpcUnavailable.as_str(),
        ),
        ("facilitator_attest_total", "result", "issued"),
        ("facilitator_sweep_errors_total", "stage", "scan"),
        ("facilitator_sweep_errors_total", "stage", "close"),
    ]
}

/// Gauge families: name and help text. Exposed once set (the sweeper's first scan, the first
/// balance read).
const GAUGES: &[(&str, &str)] = &[
    (
        "facilitator_nullifiers_open",
        "nullifier accounts whose rent this fee payer paid, still open (last sweeper scan)",
    ),
    (
        "facilitator_nullifier_lamports_locked",
        "lamports held by those open nullifier accounts (last sweeper scan)",
    ),
    (
        "facilitator_nullifiers_expired_open",
        "of those, accounts already expired (closeable) but still open after the last sweeper tick",
    ),
    (
        IN_FLIGHT,
        "requests now inside /verify, /settle, /v1/settlement and /v1/attest (admitted, not finished)",
    ),
    (
        IN_FLIGHT_LIMIT,
        "the admission limit (--max-in-flight; 0 = unlimited, and then the in-flight gauge stays 0)",
    ),
    (
        FEE_PAYER_BALANCE,
        "the fee payer's balance in lamports (read with the chain config check)",
    ),
];

/// Requests admitted into the limited routes and not finished ([`crate::admission`]).
pub const IN_FLIGHT: &str = "facilitator_in_flight_requests";
/// The admission limit (`--max-in-flight`).
pub const IN_FLIGHT_LIMIT: &str = "facilitator_in_flight_limit";
/// The fee payer's balance gauge (lamports).
pub const FEE_PAYER_BALANCE: &str = "facilitator_fee_payer_balance_lamports";
/// Payments per settlement transaction (1 for `verify_payment`, the batch size for `verify_batch`).
pub const SETTLE_BATCH_SIZE: &str = "facilitator_settle_batch_size";
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    process: Collector,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Metrics {
    /// A fresh recorder with every counter family described and the [`initial_series`] at 0;
    /// exports `process_memory_limit_bytes` when `memory_limit_bytes` is set (> 0).
    pub fn new(memory_limit_bytes: Option<u64>) -> Self {
        let recorder = recorder_builder(|b| {
            b.set_buckets_for_metric(Matcher::Full(SETTLE_BATCH_SIZE.into()), BATCH_BUCKETS)
        });
        let handle = recorder.handle();
        let process = Collector::default();
        metrics::with_local_recorder(&recorder, || {
            describe_common(
                "x402-zk-facilitator",
                env!("CARGO_PKG_VERSION"),
                memory_limit_bytes,
                &process,
            );
            for (name, help) in FAMILIES {
                describe_counter!(*name, *help);
            }
            for (name, help) in GAUGES {
                describe_gauge!(*name, *help);
            }
            describe_histogram!(
                SETTLE_BATCH_SIZE,
                "payments per confirmed settlement transaction"
            );
            describe_counter!(
                "facilitator_rpc_requests_total",
                "JSON-RPC calls per endpoint (0 = primary) by result"
            );
            describe_counter!(
                "facilitator_rpc_breaker_opened_total",
                "times an endpoint's circuit breaker opened"
            );
            describe_gauge!(
                "facilitator_rpc_circuit_open",
                "1 while an endpoint's circuit is open (it is skipped)"
            );
            describe_counter!(
                "facilitator_rpc_fallback_answers_total",
                "JSON-RPC calls answered by a fallback endpoint, not the primary"
            );
            for name in UNLABELED {
                counter!(*name).increment(0);
            }
            for (name, label, value) in initial_series() {
                counter!(name, label => value).increment(0);
            }
        });
        Metrics {
            recorder,
            handle,
            process,
        }
    }

    /// Adds one to `name{label="value"}`; `name` must be one of [`FAMILIES`].
    pub fn inc(&self, name: &'static str, label: &'static str, value: &str) {
        debug_assert!(
            FAMILIES.iter().any(|(n, _)| *n == name),
            "unknown metric {name}"
        );
        let value = value.to_string();
        metrics::with_local_recorder(&self.recorder, || {
            counter!(name, label => value).increment(1)
        });
    }

    /// Adds `n` to the unlabeled counter `name` (one of [`UNLABELED`]).
    pub fn add(&self, name: &'static str, n: u64) {
        debug_assert!(
            UNLABELED.contains(&name),
            "not an unlabeled counter: {name}"
        );
        metrics::with_local_recorder(&self.recorder, || counter!(name).increment(n));
    }

    /// Sets the gauge `name` (one of [`GAUGES`]).
    pub fn set_gauge(&self, name: &'static str, value: u64) {
        debug_assert!(
            GAUGES.iter().any(|(n, _)| *n == name),
            "unknown gauge {name}"
        );
        metrics::with_local_recorder(&self.recorder, || gauge!(name).set(value as f64));
    }

    /// One settlement transaction confirmed for `payments` payments.
    pub fn settlement_batch(&self, payments: usize) {
        metrics::with_local_recorder(&self.recorder, || {
            histogram!(SETTLE_BATCH_SIZE).record(payments as f64)
        });
    }

    /// One HTTP request finished (see [`observe`]).
    pub fn http_request(&self, method: &'static str, route: String, status: u16, secs: f64) {
        metrics::with_local_recorder(&self.recorder, || record_http(method, route, status, secs));
    }

    /// The value of the sample line `series` (e.g. `name{label="value"}`) as now rendered.
    fn sample(&self, series: &str) -> Option<f64> {
        let text = self.handle.render();
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    /// The unlabeled counter `name` (0 when never incremented).
    pub fn total(&self, name: &'static str) -> u64 {
        self.sample(name).unwrap_or(0.0) as u64
    }

    /// The gauge `name`, if it was ever set.
    pub fn gauge(&self, name: &'static str) -> Option<u64> {
        self.sample(name).map(|v| v as u64)
    }

    /// The current value of `name{label="value"}` (0 when never incremented).
    pub fn get(&self, name: &'static str, label: &'static str, value: &str) -> u64 {
        let series = format!("{name}{{{label}=\"{}\"}}", escape(value));
        self.sample(&series).unwrap_or(0.0) as u64
    }

    /// Prometheus text exposition format 0.0.4: the recorded metrics, the RPC endpoints' state
    /// and the process metrics, collected now.
    pub fn render(&self, rpc: &RpcPool) -> String {
        metrics::with_local_recorder(&self.recorder, || {
            for s in rpc.stats() {
                let (endpoint, host) = (s.index.to_string(), s.host.clone());
                let ep = [("endpoint", endpoint), ("host", host)];
                for (result, v) in [("ok", s.ok), ("error", s.errors)] {
                    let mut labels = ep.to_vec();
                    labels.push(("result", result.to_string()));
                    counter!("facilitator_rpc_requests_total", &labels).absolute(v);
                }
                counter!("facilitator_rpc_breaker_opened_total", &ep).absolute(s.breaker_opens);
                gauge!("facilitator_rpc_circuit_open", &ep)
                    .set(f64::from(u8::from(s.circuit_open)));
            }
            counter!("facilitator_rpc_fallback_answers_total").absolute(rpc.fallback_answers());
            self.process.collect();
        });
        self.handle.render()
    }

    /// Drains histogram buffers; called periodically so memory stays bounded between scrapes.
    pub fn run_upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// Escapes a label value (backslash, quote, newline) as the exposition format does.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The lamports of a `getBalance` result (`{context, value}` or a bare number).
pub fn parse_balance(result: &Value) -> Option<u64> {
    result
        .get("value")
        .and_then(Value::as_u64)
        .or_else(|| result.as_u64())
}

/// Reads the fee payer's balance and sets [`FEE_PAYER_BALANCE`]; on failure the gauge keeps its
/// last value (the RPC figures and alerts show the failure).
pub async fn refresh_fee_payer_balance(state: &State) {
    let params = json!([state.fee_payer.pubkey().to_string(), {"commitment": "confirmed"}]);
    match state.rpc.call("getBalance", params).await {
        Ok(result) => match parse_balance(&result) {
            Some(lamports) => state.metrics.set_gauge(FEE_PAYER_BALANCE, lamports),
            None => tracing::warn!("getBalance: unexpected answer shape"),
        },
        Err(e) => tracing::debug!(error = %e, "getBalance of the fee payer failed"),
    }
}

/// App-level middleware: `http_requests_total{method,route,status}` and
/// `http_request_duration_seconds{method,route}` (route = the matched pattern or `unmatched`).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let start = Instant::now();
    let method = method_label(req.method());
    let state = req.app_data::<web::Data<Arc<State>>>().cloned();
    let record = |route: String, status: u16| {
        if let Some(state) = &state {
            state
                .metrics
                .http_request(method, route, status, start.elapsed().as_secs_f64());
        }
    };
    match next.call(req).await {
        Ok(res) => {
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_string());
            record(route, res.status().as_u16());
            Ok(res.map_into_boxed_body())
        }
        Err(e) => {
            record(
                "unmatched".into(),
                e.as_response_error().status_code().as_u16(),
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::RpcOptions;

    #[test]
    fn renders_counters_and_endpoints() {
        let m = Metrics::default();
        m.inc("facilitator_verify_total", "result", "valid");
        m.inc("facilitator_verify_total", "result", "valid");
        m.inc("facilitator_verify_total", "result", "invalid_zk_proof");
        assert_eq!(m.get("facilitator_verify_total", "result", "valid"), 2);
        assert_eq!(m.get("facilitator_settle_total", "result", "settled"), 0);
        let rpc = RpcPool::new(
            vec![
                "http://127.0.0.1:1".into(),
                "https://rpc.example.com/?api-key=SECRET".into(),
            ],
            RpcOptions::default(),
        );
        let text = m.render(&rpc);
        assert!(
            text.contains("facilitator_verify_total{result=\"valid\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("facilitator_verify_total{result=\"invalid_zk_proof\"} 1\n"));
        // The series the alerts read exist before any event.
        assert!(text.contains("facilitator_settle_total{result=\"settlement_failed\"} 0\n"));
        assert!(text.contains("facilitator_sweep_errors_total{stage=\"close\"} 0\n"));
        assert!(text.contains(
            "facilitator_rpc_requests_total{endpoint=\"1\",host=\"rpc.example.com\",result=\"error\"} 0\n"
        ));
        assert!(text.contains(
            "facilitator_rpc_requests_total{endpoint=\"0\",host=\"127.0.0.1:1\",result=\"ok\"} 0\n"
        ));
        assert!(
            text.contains("facilitator_rpc_circuit_open{endpoint=\"0\",host=\"127.0.0.1:1\"} 0\n")
        );
        assert!(text.contains("facilitator_rpc_fallback_answers_total 0\n"));
        assert!(!text.contains("SECRET"));
        // Shared with the prover: build info and process metrics; no memory limit unless set.
        assert!(text.contains("build_info{version=\""), "{text}");
        assert!(text.contains("service=\"x402-zk-facilitator\"} 1\n"));
        assert!(text.contains("process_resident_memory_bytes "));
        assert!(text.contains("process_cpu_seconds_total "));
        assert!(!text.contains("process_memory_limit_bytes"));
        // The sweeper's: the closed counter from the start, the gauges once a scan set them.
        assert!(
            text.contains("facilitator_nullifiers_closed_total 0\n"),
            "{text}"
        );
        assert!(!text.contains("facilitator_nullifiers_open"));
        assert_eq!(m.gauge("facilitator_nullifiers_open"), None);
        m.add("facilitator_nullifiers_closed_total", 3);
        m.add("facilitator_nullifiers_closed_total", 2);
        m.inc("facilitator_sweep_errors_total", "stage", "scan");
        m.set_gauge("facilitator_nullifiers_open", 7);
        m.set_gauge("facilitator_nullifier_lamports_locked", 7 * 1_224_960);
        m.set_gauge(FEE_PAYER_BALANCE, 5_000_000_000);
        m.settlement_batch(1);
        m.settlement_batch(3);
        m.http_request("POST", "/settle".into(), 200, 0.02);
        assert_eq!(m.total("facilitator_nullifiers_closed_total"), 5);
        assert_eq!(m.gauge("facilitator_nullifiers_open"), Some(7));
        let text = m.render(&rpc);
        assert!(
            text.contains("facilitator_nullifiers_closed_total 5\n"),
            "{text}"
        );
        assert!(text.contains("facilitator_sweep_errors_total{stage=\"scan\"} 1\n"));
        assert!(text
            .contains("# TYPE facilitator_nullifiers_open gauge\nfacilitator_nullifiers_open 7\n"));
        assert!(text.contains("facilitator_nullifier_lamports_locked 8574720\n"));
        assert!(text.contains("facilitator_fee_payer_balance_lamports 5000000000\n"));
        assert!(text.contains("facilitator_settle_batch_size_bucket{le=\"2\"} 1\n"));
        assert!(text.contains("facilitator_settle_batch_size_count 2\n"));
        assert!(text
            .contains("http_requests_total{method=\"POST\",route=\"/settle\",status=\"200\"} 1\n"));
        assert!(text.contains("http_request_duration_seconds_bucket{method=\"POST\",route=\"/settle\",le=\"0.025\"} 1\n"));
        // Every sample line belongs to a declared family.
        for line in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let name = line.split(['{', ' ']).next().unwrap();
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .filter(|f| text.contains(&format!("# TYPE {f} histogram")))
                .unwrap_or(name);
            assert!(
                text.contains(&format!("# TYPE {family} ")),
                "undeclared {name}"
            );
        }
    }

    #[test]
    fn recorders_are_independent_and_the_memory_limit_is_exported_when_set() {
        let a = Metrics::new(Some(2 << 30));
        let b = Metrics::default();
        a.inc("facilitator_attest_total", "result", "issued");
        assert_eq!(a.get("facilitator_attest_total", "result", "issued"), 1);
        assert_eq!(b.get("facilitator_attest_total", "result", "issued"), 0);
        let rpc = RpcPool::new(vec!["http://127.0.0.1:1".into()], RpcOptions::default());
        assert!(a
            .render(&rpc)
            .contains("process_memory_limit_bytes 2147483648\n"));
    }

    #[test]
    fn balance_answers() {
        assert_eq!(
            parse_balance(&json!({"context": {"slot": 5}, "value": 42})),
            Some(42)
        );
        assert_eq!(parse_balance(&json!(7)), Some(7));
        assert_eq!(parse_balance(&json!({"value": null})), None);
        assert_eq!(parse_balance(&json!("x")), None);
    }
}
