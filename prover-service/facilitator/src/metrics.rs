//! Counters for `/metrics` (Prometheus text format) and `/health` (JSON).
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
];

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
}

impl Metrics {
    /// Adds one to `name{label="value"}`; `name` must be one of [`FAMILIES`].
    pub fn inc(&self, name: &'static str, label: &'static str, value: &str) {
        debug_assert!(
            FAMILIES.iter().any(|(n, _)| *n == name),
            "unknown metric {name}"
        );
        let series = format!("{label}=\"{}\"", escape(value));
        *self
            .counters
            .lock()
            .expect("metrics lock")
            .entry((name, series))
            .or_default() += 1;
    }

    /// The current value of `name{label="value"}` (0 when never incremented).
    pub fn get(&self, name: &'static str, label: &'static str, value: &str) -> u64 {
        let series = format!("{label}=\"{}\"", escape(value));
        self.counters
            .lock()
            .expect("metrics lock")
            .get(&(name, series))
            .copied()
            .unwrap_or(0)
    }

    /// Prometheus text exposition format 0.0.4: the request counters and the RPC endpoints' state.
    pub fn render(&self, rpc: &RpcPool) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().expect("metrics lock");
        for (name, help) in FAMILIES {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((n, series), v) in counters.iter() {
                if n == name {
                    let _ = writeln!(out, "{name}{{{series}}} {v}");
                }
            }
        }
        drop(counters);
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
