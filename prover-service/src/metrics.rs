//! Prometheus metrics, one recorder per app instance.
//!
//! metrics-exporter-prometheus normally installs a process-global recorder. Here every
//! [`Metrics`] owns its own `PrometheusRecorder` and registers its handles through
//! `metrics::with_local_recorder`, so two servers in one process (integration tests) never share
//! counters.
//!
//! Names carry unit and kind; labels are fixed low-cardinality enums (HTTP method, route
//! *pattern*, status code, error reason), never request data.
//!
//! The parts both services export (HTTP request metrics, process metrics, `build_info`, the memory
//! limit) come from the service kit ([`x402_zk_service_kit::http_metrics`]).

use crate::error::ApiError;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics::{Counter, Gauge, Histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusHandle, PrometheusRecorder};
use metrics_process::Collector;
use std::collections::HashMap;
use x402_zk_service_kit::http_metrics::{describe_common, record_http, recorder_builder};

const PROOF_BUCKETS: &[f64] = &[
    0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0,
];

/// Live values sampled when `/metrics` is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    /// Proofs in the cache.
    pub cache_size: u64,
    /// Jobs waiting for a prover thread.
    pub queued: usize,
    /// Jobs running on prover threads.
    pub running: usize,
}

/// The service's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    process: Collector,
    h: Handles,
}

struct Handles {
    proof_duration: Histogram,
    proof_total: Counter,
    proof_errors: HashMap<&'static str, Counter>,
    cache_hits: Counter,
    cache_misses: Counter,
    cache_size: Gauge,
    rate_limited: Counter,
    queue_depth: Gauge,
    running: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh recorder with every metric registered (counters at 0).
    pub fn new() -> Self {
        Self::with_memory_limit(None)
    }

    /// [`Metrics::new`], exporting `process_memory_limit_bytes` when `memory_limit_bytes` is set (> 0).
    pub fn with_memory_limit(memory_limit_bytes: Option<u64>) -> Self {
        let recorder = recorder_builder(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("proof_generation_duration_seconds".into()),
                PROOF_BUCKETS,
            )
        });
        let handle = recorder.handle();
        let process = Collector::default();
        let m = metrics::with_local_recorder(&recorder, || {
            describe_common(
                "x402-zk-prover",
                env!("CARGO_PKG_VERSION"),
                memory_limit_bytes,
                &process,
            );
            describe_histogram!(
                "proof_generation_duration_seconds",
                Unit::Seconds,
                "Wall time of one Groth16 proof on a prover thread"
            );
            describe_counter!(
                "proof_generation_total",
                "Proofs generated (cache misses that succeeded)"
            );
            describe_counter!(
                "proof_generation_errors_total",
                "Proof requests that failed, by reason (malformed input, statement violations, queue full, ...)"
            );
            describe_counter!(
                "proof_cache_hits_total",
                "Proof requests served from the cache or an identical in-flight proof"
            );
            describe_counter!(
                "proof_cache_misses_total",
                "Proof requests that needed a new proof"
            );
            describe_gauge!("proof_cache_size", "Proofs currently cached");
            describe_counter!("rate_limit_exceeded_total", "Requests refused with 429");
            describe_gauge!(
                "proof_queue_depth",
                "Proof jobs waiting for a prover thread"
            );
            describe_gauge!("proof_jobs_running", "Proof jobs running on prover threads");
            let proof_errors = ApiError::ALL_REASONS
                .iter()
                .filter(|r| **r != "not_found" && **r != "method_not_allowed")
                .map(|r| {
                    let c = counter!("proof_generation_errors_total", "reason" => *r);
                    c.increment(0);
                    (*r, c)
                })
                .collect();
            let c = |name: &'static str| {
                let c = counter!(name);
                c.increment(0);
                c
            };
            Handles {
                proof_duration: histogram!("proof_generation_duration_seconds"),
                proof_total: c("proof_generation_total"),
                proof_errors,
                cache_hits: c("proof_cache_hits_total"),
                cache_misses: c("proof_cache_misses_total"),
                cache_size: gauge!("proof_cache_size"),
                rate_limited: c("rate_limit_exceeded_total"),
                queue_depth: gauge!("proof_queue_depth"),
                running: gauge!("proof_jobs_running"),
            }
        });
        Metrics {
            recorder,
            handle,
            process,
            h: m,
        }
    }

    /// One proof generated in `secs` seconds.
    pub fn proof_generated(&self, secs: f64) {
        self.h.proof_total.increment(1);
        self.h.proof_duration.record(secs);
    }

    /// A proof request failed for `reason` (an [`ApiError::reason`]).
    pub fn proof_failed(&self, reason: &'static str) {
        if let Some(c) = self.h.proof_errors.get(reason) {
            c.increment(1);
        }
    }

    /// A request served from the cache.
    pub fn cache_hit(&self) {
        self.h.cache_hits.increment(1);
    }

    /// A request that needed a new proof.
    pub fn cache_miss(&self) {
        self.h.cache_misses.increment(1);
    }

    /// A request refused by the rate limiter.
    pub fn rate_limited(&self) {
        self.h.rate_limited.increment(1);
    }

    /// One HTTP request finished. `route` must be a route *pattern* (or `unmatched`).
    pub fn http_request(&self, method: &'static str, route: String, status: u16, secs: f64) {
        metrics::with_local_recorder(&self.recorder, || record_http(method, route, status, secs));
    }

    /// Prometheus text exposition, with the live gauges refreshed from `snap` and the process
    /// metrics (CPU, memory, file descriptors, threads) collected now.
    pub fn render(&self, snap: Snapshot) -> String {
        self.h.cache_size.set(snap.cache_size as f64);
        self.h.queue_depth.set(snap.queued as f64);
        self.h.running.set(snap.running as f64);
        metrics::with_local_recorder(&self.recorder, || self.process.collect());
        self.handle.render()
    }

    /// Drains histogram buffers; call periodically so memory stays bounded between scrapes.
    pub fn run_upkeep(&self) {
        self.handle.run_upkeep();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x402_zk_service_kit::http_metrics::MEMORY_LIMIT;

    #[test]
    fn independent_recorders_and_all_names() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.cache_hit();
        a.proof_generated(0.2);
        a.proof_failed("invalid_signature");
        a.http_request("POST", "/v1/proofs".into(), 200, 0.01);
        let ta = a.render(Snapshot {
            cache_size: 3,
            ..Default::default()
        });
        let tb = b.render(Snapshot::default());
        assert!(ta.contains("proof_cache_hits_total 1"), "{ta}");
        assert!(tb.contains("proof_cache_hits_total 0"), "{tb}");
        assert!(ta.contains("proof_cache_size 3"));
        assert!(ta.contains("proof_generation_errors_total{reason=\"invalid_signature\"} 1"));
        assert!(ta.contains("proof_generation_duration_seconds_bucket"));
        assert!(ta.contains(
            "http_requests_total{method=\"POST\",route=\"/v1/proofs\",status=\"200\"} 1"
        ));
        assert!(ta.contains("process_resident_memory_bytes"));
        assert!(ta.contains("process_cpu_seconds_total"));
        assert!(ta.contains("build_info{"));
        assert!(!ta.contains(MEMORY_LIMIT));
        let limited = Metrics::with_memory_limit(Some(1 << 30)).render(Snapshot::default());
        assert!(
            limited.contains(&format!("{MEMORY_LIMIT} 1073741824\n")),
            "{limited}"
        );
    }
}
