//! The metrics both services export, in one place: HTTP requests and latency by method, route
//! *pattern* and status; process metrics (`metrics-process`); `build_info{version,service}`; the
//! configured memory limit. Each service builds its own `metrics-exporter-prometheus` recorder with
//! [`recorder_builder`] (one per app instance, so two servers in one process never share counters)
//! and adds its own families.

use metrics::Unit;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusRecorder};
use metrics_process::Collector;

/// Buckets of `http_request_duration_seconds` (both services).
pub const HTTP_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// HTTP requests by method, route pattern and status (both services).
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// HTTP request latency by method and route pattern (both services).
pub const HTTP_REQUEST_DURATION: &str = "http_request_duration_seconds";
/// The memory limit the operator configured (`--memory-limit-bytes`), exported only when set:
/// the `HighMemoryUsage` alert compares `process_resident_memory_bytes` with it.
pub const MEMORY_LIMIT: &str = "process_memory_limit_bytes";

/// A Prometheus recorder with the HTTP latency buckets; `f` adds a service's own buckets.
pub fn recorder_builder(
    f: impl FnOnce(PrometheusBuilder) -> Result<PrometheusBuilder, BuildError>,
) -> PrometheusRecorder {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_REQUEST_DURATION.into()), HTTP_BUCKETS)
        .and_then(f)
        .expect("non-empty buckets")
        .build_recorder()
}

/// Describes the metrics both services export and sets `build_info{version,service}` and the
/// memory limit (when configured). Call inside `metrics::with_local_recorder`.
pub fn describe_common(
    service: &'static str,
    version: &'static str,
    memory_limit_bytes: Option<u64>,
    process: &Collector,
) {
    describe_counter!(
        HTTP_REQUESTS_TOTAL,
        "HTTP requests by method, route pattern and status"
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "HTTP request latency by method and route pattern"
    );
    describe_gauge!("build_info", "Build information (always 1)");
    gauge!("build_info", "version" => version, "service" => service).set(1.0);
    process.describe();
    if let Some(limit) = memory_limit_bytes.filter(|l| *l > 0) {
        describe_gauge!(
            MEMORY_LIMIT,
            Unit::Bytes,
            "Memory limit configured for this process (--memory-limit-bytes)"
        );
        gauge!(MEMORY_LIMIT).set(limit as f64);
    }
}

/// One HTTP request finished. `route` must be a route *pattern* (or `unmatched`). Call inside
/// `metrics::with_local_recorder`.
pub fn record_http(method: &'static str, route: String, status: u16, secs: f64) {
    counter!(HTTP_REQUESTS_TOTAL, "method" => method, "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    histogram!(HTTP_REQUEST_DURATION, "method" => method, "route" => route).record(secs);
}

/// Normalises an HTTP method into a fixed label set.
pub fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}
