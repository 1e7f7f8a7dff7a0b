//! Counters and gauges for `/metrics` (Prometheus text format) and `/health` (JSON).
//!
//! Labels are fixed, low-cardinality values (results and stable reason strings, RPC endpoint index
//! and `host:port`), never request data. The counters are per [`crate::app::State`], so several
//! facilitators in one process (tests) never share them.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use crate::rpc::RpcPool;

/// Counter families: name and help text.
const FAMILIES: &[(&str, &str)] = &[
    (
        "facilitator_verify_total",
        "POST /verify answers by result (valid, the invalidReason, config_mismatch or rate_limited)",
    ),
    (
        "facilitator_settle_total",
        "POST /settle answers by result (settled, the errorReason, config_mismatch or rate_limited)",
    ),
    (
        "facilitator_attest_total",
        "POST /v1/attest answers by result (issued, the problem slug or rate-limited)",
    ),
    (
        "facilitator_settle_transactions_total",
        "verify_payment / verify_batch transactions confirmed, by instruction",
    ),
    (
        "facilitator_nullifiers_closed_total",
        "expired nullifier accounts closed by the sweeper (their rent returned to the fee payer)",
    ),
    (
        "facilitator_sweep_errors_total",
        "nullifier sweeper failures by stage (scan: reading the accounts, close: a transaction)",
    ),
];

/// Counter families without labels: always exposed (0 until incremented).
const UNLABELED: &[&str] = &["facilitator_nullifiers_closed_total"];

/// Gauge families: name and help text. Exposed once set (the sweeper's first scan).
const GAUGES: &[(&str, &str)] = &[
    (
        "facilitator_nullifiers_open",
        "nullifier accounts whose rent this fee payer paid, still open (last sweeper scan)",
    ),
    (
        "facilitator_nullifier_lamports_locked",
        "lamports held by those open nullifier accounts (last sweeper scan)",
    ),
];

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
    gauges: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    /// Adds one to `name{label="value"}`; `name` must be one of [`FAMILIES`].
    pub fn inc(&self, name: &'static str, label: &'static str, value: &str) {
        let series = format!("{label}=\"{}\"", escape(value));
        self.add_series(name, series, 1);
    }

    /// Adds `n` to the unlabeled counter `name` (one of [`UNLABELED`]).
    pub fn add(&self, name: &'static str, n: u64) {
        debug_assert!(
            UNLABELED.contains(&name),
            "not an unlabeled counter: {name}"
        );
        self.add_series(name, String::new(), n);
    }

    fn add_series(&self, name: &'static str, series: String, n: u64) {
        debug_assert!(
            FAMILIES.iter().any(|(n, _)| *n == name),
            "unknown metric {name}"
        );
        let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let v = counters.entry((name, series)).or_default();
        *v = v.saturating_add(n);
    }

    /// The unlabeled counter `name` (0 when never incremented).
    pub fn total(&self, name: &'static str) -> u64 {
        self.counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(name, String::new()))
            .copied()
            .unwrap_or(0)
    }

    /// Sets the gauge `name` (one of [`GAUGES`]).
    pub fn set_gauge(&self, name: &'static str, value: u64) {
        debug_assert!(
            GAUGES.iter().any(|(n, _)| *n == name),
            "unknown gauge {name}"
        );
        self.gauges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, value);
    }

    /// The gauge `name`, if it was ever set.
    pub fn gauge(&self, name: &'static str) -> Option<u64> {
        self.gauges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .copied()
    }

    /// The current value of `name{label="value"}` (0 when never incremented).
    pub fn get(&self, name: &'static str, label: &'static str, value: &str) -> u64 {
        let series = format!("{label}=\"{}\"", escape(value));
        self.counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(name, series))
            .copied()
            .unwrap_or(0)
    }

    /// Prometheus text exposition format 0.0.4: the counters, the sweeper's gauges and the RPC
    /// endpoints' state.
    pub fn render(&self, rpc: &RpcPool) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        for (name, help) in FAMILIES {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            if UNLABELED.contains(name) {
                let v = counters.get(&(*name, String::new())).copied().unwrap_or(0);
                let _ = writeln!(out, "{name} {v}");
                continue;
            }
            for ((n, series), v) in counters.iter() {
                if n == name {
                    let _ = writeln!(out, "{name}{{{series}}} {v}");
                }
            }
        }
        drop(counters);
        let gauges = self.gauges.lock().unwrap_or_else(|e| e.into_inner());
        for (name, help) in GAUGES {
            if let Some(v) = gauges.get(name) {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            }
        }
        drop(gauges);
        let stats = rpc.stats();
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        let ep = |s: &crate::rpc::EndpointStats| {
            format!("endpoint=\"{}\",host=\"{}\"", s.index, escape(&s.host))
        };
        head(
            &mut out,
            "facilitator_rpc_requests_total",
            "counter",
            "JSON-RPC calls per endpoint (0 = primary) by result",
        );
        for s in &stats {
            let _ = writeln!(
                out,
                "facilitator_rpc_requests_total{{{},result=\"ok\"}} {}",
                ep(s),
                s.ok
            );
            let _ = writeln!(
                out,
                "facilitator_rpc_requests_total{{{},result=\"error\"}} {}",
                ep(s),
                s.errors
            );
        }
        head(
            &mut out,
            "facilitator_rpc_breaker_opened_total",
            "counter",
            "times an endpoint's circuit breaker opened",
        );
        for s in &stats {
            let _ = writeln!(
                out,
                "facilitator_rpc_breaker_opened_total{{{}}} {}",
                ep(s),
                s.breaker_opens
            );
        }
        head(
            &mut out,
            "facilitator_rpc_circuit_open",
            "gauge",
            "1 while an endpoint's circuit is open (it is skipped)",
        );
        for s in &stats {
            let _ = writeln!(
                out,
                "facilitator_rpc_circuit_open{{{}}} {}",
                ep(s),
                u8::from(s.circuit_open)
            );
        }
        let _ = writeln!(
            out,
            "# HELP facilitator_rpc_fallback_answers_total JSON-RPC calls answered by a fallback endpoint, not the primary\n\
             # TYPE facilitator_rpc_fallback_answers_total counter\n\
             facilitator_rpc_fallback_answers_total {}",
            rpc.fallback_answers()
        );
        out
    }
}

/// Escapes a label value (backslash, quote, newline).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
        // The sweeper's: the closed counter from the start, the gauges once a scan set them.
        assert!(
            text.contains("facilitator_nullifiers_closed_total 0\n"),
            "{text}"
        );
        assert!(!text.contains("facilitator_nullifiers_open"));
        m.add("facilitator_nullifiers_closed_total", 3);
        m.add("facilitator_nullifiers_closed_total", 2);
        m.inc("facilitator_sweep_errors_total", "stage", "scan");
        m.set_gauge("facilitator_nullifiers_open", 7);
        m.set_gauge("facilitator_nullifier_lamports_locked", 7 * 1_224_960);
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
        // Every sample line belongs to a declared family.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(
                text.contains(&format!("# TYPE {name} ")),
                "undeclared {name}"
            );
        }
    }
}
