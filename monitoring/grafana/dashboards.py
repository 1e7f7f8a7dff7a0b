#!/usr/bin/env python3
"""Writes the provisioned Grafana dashboards (monitoring/grafana/dashboards/*.json) from the panel
lists below: one place to edit; `python3 dashboards.py --check` fails when the JSON files differ
from what this script writes (scripts/test.sh runs it through monitoring/check.py static).

Every expression is plain PromQL with fixed windows (no Grafana variables), so monitoring/check.py
can send it to Prometheus as is and the e2e run asserts each returns data."""
import json
import sys
from pathlib import Path

DS = {"type": "prometheus", "uid": "x402-prometheus"}
OUT = Path(__file__).resolve().parent / "dashboards"


def panel(title, exprs, unit="short", kind="timeseries", desc=""):
    """exprs: list of (PromQL, legend)."""
    return {
        "title": title,
        "description": desc,
        "type": kind,
        "datasource": DS,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DS, "expr": e, "legendFormat": l}
            for i, (e, l) in enumerate(exprs)
        ],
    }


def dashboard(uid, title, desc, panels):
    laid = []
    for i, p in enumerate(panels):
        p = dict(p, id=i + 1, gridPos={"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8})
        laid.append(p)
    return {
        "uid": uid,
        "title": title,
        "description": desc,
        "tags": ["x402-zk"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-3h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": laid,
    }


def q(quantile, metric, by):
    return f"histogram_quantile({quantile}, sum by (le{by}) (rate({metric}_bucket[5m])))"


PERFORMANCE = dashboard(
    "x402-zk-performance",
    "x402-zk / Performance",
    "Prover latency and throughput, errors by reason, cache hit ratio, HTTP by status.",
    [
        panel(
            "Proof generation latency",
            [(q(x, "proof_generation_duration_seconds", ""), f"p{int(x * 100)}") for x in (0.5, 0.95, 0.99)],
            unit="s",
            desc="Wall time of one Groth16 proof on a prover thread (alert: p95 > 500 ms).",
        ),
        panel(
            "Proof throughput",
            [
                ("sum(rate(proof_generation_total[5m]))", "proofs generated /s"),
                ("sum(rate(proof_cache_hits_total[5m]))", "served from cache /s"),
            ],
            unit="reqps",
        ),
        panel(
            "Proof errors by reason",
            [("sum by (reason) (rate(proof_generation_errors_total[5m]))", "{{reason}}")],
            unit="reqps",
        ),
        panel(
            "Proof cache hit ratio",
            [(
                "sum(rate(proof_cache_hits_total[5m])) / (sum(rate(proof_cache_hits_total[5m])) + sum(rate(proof_cache_misses_total[5m])))",
                "hit ratio",
            )],
            unit="percentunit",
        ),
        panel(
            "HTTP requests by status",
            [("sum by (job, status) (rate(http_requests_total[5m]))", "{{job}} {{status}}")],
            unit="reqps",
        ),
        panel(
            "HTTP error ratio (5xx)",
            [(
                'sum by (job) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))',
                "{{job}}",
            )],
            unit="percentunit",
            desc="Alert HighErrorRate above 5 %.",
        ),
        panel(
            "HTTP latency p95 by route",
            [(q(0.95, "http_request_duration_seconds", ", job, route"), "{{job}} {{route}}")],
            unit="s",
        ),
    ],
)

CAPACITY = dashboard(
    "x402-zk-capacity",
    "x402-zk / Capacity",
    "In-flight and queued proofs, the facilitator's admission limit, CPU, memory against the configured limit, rate-limit rejections.",
    [
        panel(
            "Proof jobs running and queued",
            [
                ("sum by (instance) (proof_jobs_running)", "running {{instance}}"),
                ("sum by (instance) (proof_queue_depth)", "queued {{instance}}"),
            ],
        ),
        panel(
            "CPU (cores used)",
            [("sum by (job, instance) (rate(process_cpu_seconds_total[5m]))", "{{job}} {{instance}}")],
        ),
        panel(
            "Resident memory",
            [
                ("sum by (job, instance) (process_resident_memory_bytes)", "{{job}} {{instance}}"),
                ("sum by (job, instance) (process_memory_limit_bytes)", "limit {{job}} {{instance}}"),
            ],
            unit="bytes",
        ),
        panel(
            "Memory used of the limit",
            [(
                "process_resident_memory_bytes / on (job, instance) process_memory_limit_bytes",
                "{{job}} {{instance}}",
            )],
            unit="percentunit",
            desc="Alert HighMemoryUsage above 80 % for 10 m.",
        ),
        panel(
            "Rate-limit rejections (429)",
            [
                ('sum by (job) (rate(http_requests_total{status="429"}[5m]))', "{{job}}"),
                ("sum(rate(rate_limit_exceeded_total[5m]))", "prover rate_limit_exceeded_total"),
            ],
            unit="reqps",
        ),
        panel(
            "Facilitator admission: requests in flight and the limit",
            [
                ("sum by (instance) (facilitator_in_flight_requests)", "in flight {{instance}}"),
                ("sum by (instance) (facilitator_in_flight_limit)", "limit {{instance}}"),
            ],
            desc="--max-in-flight (0 = unlimited): /verify, /settle, /v1/settlement and /v1/attest together.",
        ),
        panel(
            "Facilitator admission refusals (503 overloaded)",
            [("sum by (route) (rate(facilitator_admission_refusals_total[5m]))", "{{route}}")],
            unit="reqps",
            desc="Answered at once with Retry-After; the payer retries. Sustained: raise --max-in-flight or add capacity.",
        ),
        panel(
            "Proof cache size",
            [("sum by (instance) (proof_cache_size)", "{{instance}}")],
        ),
        panel(
            "Threads and open file descriptors",
            [
                ("sum by (job) (process_threads)", "threads {{job}}"),
                ("sum by (job) (process_open_fds)", "fds {{job}}"),
            ],
        ),
    ],
)

PAYMENTS = dashboard(
    "x402-zk-payments",
    "x402-zk / Payments",
    "Verify and settle by result, settlements and batch sizes, RPC endpoints, fee payer, nullifiers.",
    [
        panel(
            "Verify by result",
            [("sum by (result) (rate(facilitator_verify_total[5m]))", "{{result}}")],
            unit="reqps",
        ),
        panel(
            "Settle by result",
            [("sum by (result) (rate(facilitator_settle_total[5m]))", "{{result}}")],
            unit="reqps",
        ),
        panel(
            "Settlement transactions by instruction",
            [("sum by (instruction) (rate(facilitator_settle_transactions_total[5m]))", "{{instruction}}")],
            unit="reqps",
        ),
        panel(
            "Payments per settlement transaction",
            [
                (
                    "sum(rate(facilitator_settle_batch_size_sum[5m])) / sum(rate(facilitator_settle_batch_size_count[5m]))",
                    "mean",
                ),
                (q(0.95, "facilitator_settle_batch_size", ""), "p95"),
            ],
        ),
        panel(
            "Attestations by result",
            [("sum by (result) (rate(facilitator_attest_total[5m]))", "{{result}}")],
            unit="reqps",
        ),
        panel(
            "RPC requests by endpoint and result",
            [(
                "sum by (endpoint, host, result) (rate(facilitator_rpc_requests_total[5m]))",
                "{{endpoint}} {{host}} {{result}}",
            )],
            unit="reqps",
        ),
        panel(
            "RPC circuits open and fallback answers",
            [
                ("sum by (endpoint, host) (facilitator_rpc_circuit_open)", "open: {{endpoint}} {{host}}"),
                ("sum(rate(facilitator_rpc_fallback_answers_total[5m]))", "fallback answers /s"),
            ],
        ),
        panel(
            "Fee payer balance",
            [("min by (instance) (facilitator_fee_payer_balance_lamports) / 1e9", "{{instance}}")],
            unit="SOL",
            desc="Alert FeePayerLow under 1 SOL.",
        ),
        panel(
            "Nullifier accounts open",
            [
                ("sum by (instance) (facilitator_nullifiers_open)", "open {{instance}}"),
                ("sum by (instance) (facilitator_nullifiers_expired_open)", "expired, still open {{instance}}"),
                ("sum(rate(facilitator_nullifiers_closed_total[5m]))", "closed /s"),
            ],
        ),
        panel(
            "Lamports locked in nullifier accounts",
            [("sum by (instance) (facilitator_nullifier_lamports_locked) / 1e9", "{{instance}}")],
            unit="SOL",
        ),
        panel(
            "Sweeper errors by stage",
            [("sum by (stage) (rate(facilitator_sweep_errors_total[5m]))", "{{stage}}")],
            unit="reqps",
        ),
    ],
)

DASHBOARDS = {"performance": PERFORMANCE, "capacity": CAPACITY, "payments": PAYMENTS}


def render(d):
    return json.dumps(d, indent=2) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, d in DASHBOARDS.items():
        path = OUT / f"{name}.json"
        text = render(d)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        sys.exit("out of date (run python3 monitoring/grafana/dashboards.py): " + ", ".join(stale))


if __name__ == "__main__":
    main()
