#!/usr/bin/env bash
# scripts/bench-service.sh — the prover service's throughput on this machine (issue #17's "≥ 8 proofs/s
# per 2-core instance, 0 errors, at 50 concurrent clients"): the bench-profile `x402-zk-prover` (what a
# deployment runs; the suites' stacks run the debug build, whose own crates are at opt-level 1) with dev
# keys on loopback, and `x402-zk-load` from the same build:
#   * uncached: CLIENTS (50) clients × UNCACHED requests each, every request a new witness (a new proof);
#   * cached: 50 × 100 requests of one witness (the cache path).
# Then the section "bench-service" of BENCHMARKS.md is rendered from target/bench-service/*.json.
#   bash scripts/bench-service.sh [UNCACHED=20]     (50 × 20 = 1,000 proofs: ~2–3 minutes)
#   bash scripts/bench-service.sh --render-only
# Wants the machine to itself (the load average before and after is recorded). Port BENCH_PORT (18080).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
CMD="bash scripts/bench-service.sh${*:+ $*}"
OUT="$ROOT/target/bench-service"
RENDER_ONLY=0
[[ "${1:-}" == --render-only ]] && { RENDER_ONLY=1; shift; }
UNCACHED="${1:-20}"
CLIENTS="${BENCH_CLIENTS:-50}"
PORT="${BENCH_PORT:-18080}"
[[ "$UNCACHED" =~ ^[0-9]+$ ]] || die "usage: $0 [UNCACHED requests per client] | --render-only"

if [[ $RENDER_ONLY == 0 ]]; then
  run_step "build the prover and the load tool (bench profile)" \
    cargo build --profile bench --ignore-rust-version -p x402-zk-prover-service --bins
  BIN="$ROOT/target/release"
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
    die "something already listens on 127.0.0.1:$PORT: stop it or set BENCH_PORT"
  fi
  rm -rf "$OUT" && mkdir -p "$OUT"
  "$BIN/x402-zk-prover" --bind-addr 127.0.0.1 --port "$PORT" --allow-dev-keys \
    --rate-limit-per-minute 0 >"$OUT/prover.log" 2>&1 &
  PROVER=$!
  trap 'kill $PROVER 2>/dev/null || true; wait $PROVER 2>/dev/null || true' EXIT
  for ((i = 0; i < 240; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/health" && break
    kill -0 $PROVER 2>/dev/null || die "the prover exited (log: $OUT/prover.log)"
    sleep 0.5
  done
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/health" || die "the prover did not come up (log: $OUT/prover.log)"
  # The first proof builds the fixed-base tables (once per process): not part of the measurement.
  warm_up() { "$BIN/x402-zk-load" --url "http://127.0.0.1:$PORT" --clients 1 --requests 2 --mode uncached --first-resource-hash 7000000 >/dev/null; }
  run_step "warm-up (tables built by the first proof)" warm_up
  measure() { # measure NAME ARGS…
    local name="$1" line before
    shift
    before="$(cut -d' ' -f1-3 /proc/loadavg)"
    line="$("$BIN/x402-zk-load" --url "http://127.0.0.1:$PORT" --rss-pid "$PROVER" "$@" | tail -n 1)" || true
    [[ "$line" == \{* ]] || die "x402-zk-load $* printed no result"
    jq --arg before "$before" --arg after "$(cut -d' ' -f1-3 /proc/loadavg)" --arg cmd "x402-zk-load $*" \
      '. + {loadBefore: $before, loadAfter: $after, command: $cmd}' <<<"$line" >"$OUT/$name.json"
    jq -r '"    \(.mode): \(.total) requests, \(.errors) errors, \(.requestsPerSecond | floor) req/s, p99 \(.latencyMs.p99 | floor) ms"' "$OUT/$name.json"
  }
  run_step "uncached: $CLIENTS clients × $UNCACHED new proofs" measure uncached --clients "$CLIENTS" --requests "$UNCACHED" --mode uncached
  run_step "cached: $CLIENTS clients × 100" measure cached --clients "$CLIENTS" --requests 100 --mode cached
  curl -sf "http://127.0.0.1:$PORT/metrics" >"$OUT/metrics.txt" || true
  jq -n --arg at "$(date -u '+%Y-%m-%d %H:%M UTC')" --arg cmd "$CMD" --arg commit "$(git rev-parse --short HEAD)$([[ -n "$(git status --porcelain --untracked-files=no)" ]] && echo +changes || true)" \
    --arg cpu "$(nproc) vCPU ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1 | awk '{print $1, $2}'))" \
    '{at: $at, command: $cmd, commit: $commit, machine: $cpu}' >"$OUT/run.json"
fi

ls "$OUT"/uncached.json >/dev/null 2>&1 || die "no results in $OUT: run $0 first"
python3 - "$OUT" <<'PY' | python3 scripts/write-section.py BENCHMARKS.md bench-service --before "Load, stress and chaos of the whole x402 path"
import json, os, re, sys
out = sys.argv[1]
run = json.load(open(os.path.join(out, "run.json")))
rows = [json.load(open(os.path.join(out, f"{m}.json"))) for m in ("uncached", "cached") if os.path.exists(os.path.join(out, f"{m}.json"))]
mean = ""
try:
    m = open(os.path.join(out, "metrics.txt")).read()
    s = float(re.search(r"^proof_generation_duration_seconds_sum(?:\{[^}]*\})? (\S+)", m, re.M).group(1))
    n = float(re.search(r"^proof_generation_duration_seconds_count(?:\{[^}]*\})? (\S+)", m, re.M).group(1))
    mean = f" Server side, from `/metrics`: {n:.0f} proofs generated (warm-up included), mean {1000 * s / n:.0f} ms each with two running at once."
except (OSError, AttributeError, ValueError, ZeroDivisionError):
    pass
print("<!-- bench-service:begin (generated by scripts/bench-service.sh; do not edit by hand) -->")
print("### Prover service, release build (issue #17)")
print()
print(f"Measured {run['at']} at `{run['commit']}` on {run['machine']}. Command: `{run['command']}` (bench-profile "
      "`x402-zk-prover --allow-dev-keys`, 2 prover threads, its first proof — the fixed-base tables — before the timing; "
      "`x402-zk-load` from the same build on the same 2 cores).")
print()
print("| mode | clients × requests | errors | throughput | p50 / p95 / p99 ms | prover peak RSS | load average before → after |")
print("|---|---:|---:|---:|---|---:|---|")
for r in rows:
    unit = "proofs/s" if r["mode"] == "uncached" else "req/s"
    rss = f"{r['maxRssBytes'] / 2**20:.0f} MiB" if r.get("maxRssBytes") else "–"
    l = r["latencyMs"]
    print(f"| {r['mode']} | {r['clients']} × {r['requestsPerClient']} | {r['errors']} | **{r['requestsPerSecond']:,.1f} {unit}** | "
          f"{l['p50']:,.0f} / {l['p95']:,.0f} / {l['p99']:,.0f} | {rss} | {r['loadBefore'].split()[0]} → {r['loadAfter'].split()[0]} |")
u = rows[0]
print()
print(f"Goal (issue #17): ≥ 8 proofs/s per 2-core instance, 0 errors, at 50 concurrent clients — "
      f"{u['requestsPerSecond']:.1f} proofs/s, {u['errors']} errors: **{'met' if u['requestsPerSecond'] >= 8 and u['errors'] == 0 else 'not met'}**.{mean}")
print("<!-- bench-service:end -->")
PY
echo "==> BENCHMARKS.md section bench-service written (results in $OUT)"
