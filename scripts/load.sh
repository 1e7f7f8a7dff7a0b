#!/usr/bin/env bash
# scripts/load.sh — the load, stress and chaos suites of issue #19, against real processes on loopback.
#
#   bash scripts/load.sh [--ci] chaos    faults in the middle of a stream of paid requests (express
#       server → facilitator → solana-test-validator; payers with receipt wallet files): the facilitator,
#       the validator (restarted on the same ledger) and the prover SIGKILLed, payers SIGKILLed after
#       each payment step, the facilitator's primary RPC dropped. Every payment must end settled exactly
#       once or retryable with its receipt intact, proven from the chain and the wallets
#       (app/test-load/chaos.test.ts).
#   bash scripts/load.sh [--ci] load     CLIENTS × REQUESTS paid requests through the whole path with
#       receipts bought ahead (0 errors, books audited), then the prover alone (x402-zk-load, new proofs)
#       and the facilitator alone (x402-zk-load --mode bodies: `/verify` with pre-made proofs).
#   bash scripts/load.sh [--ci] stress   ramps concurrency per component (prover, facilitator /verify,
#       whole path) until the error ratio passes 1 % or p99 passes 2 s; overload answers must be
#       429/503 with Retry-After, the process must survive, RSS is sampled.
#   bash scripts/load.sh [--ci] fuzz     the express middleware's payment headers: HEADER_FUZZ_RUNS (≥ 1,000;
#       --ci 1,000, else 5,000) deterministic malicious PAYMENT-SIGNATURE / X-PAYMENT headers (fast-check,
#       seed HEADER_FUZZ_SEED, default 19) against the real server: no 5xx, no crash, every refusal
#       x402-shaped with a reason, then a genuine paid request is served (app/test-load/header-fuzz.test.ts).
#       Without --ci also the prover's and the facilitator's routes (HTTP_FUZZ_RUNS, default 5,000 byte
#       mutations per route: tests/openapi.rs of each; cargo test runs them at 1,000 in CI).
#   bash scripts/load.sh [--ci] all      the four, one after the other.
#
# --ci: small sizes (the CI-sized run in scripts/test.sh). Otherwise the issue's sizes (50 clients ×
# LOAD_REQUESTS, default 100: long — `load` at 50 × 100
# is 5,000 receipts bought ahead, 5,000 local proofs, 5,000 prover proofs and 5,000 /verify: about 70 min
# on the 2-vCPU machine (2026-12-03: whole path 8 min buying + 48 min paid, prover alone ~15 min). Sizes: env
# LOAD_CLIENTS, LOAD_REQUESTS, LOAD_ROUND (receipts bought ahead per client per round, default all:
# at 50 × 100 use e.g. 25 so none outlives the 3,600 s age cap), CHAOS_CLIENTS, CHAOS_REQUESTS, STRESS_PER_LEVEL (whole path), the ramps
# STRESS_PROVER_LEVELS / STRESS_VERIFY_LEVELS (space-separated) / STRESS_PATH_LEVELS (comma-separated),
# STRESS_PROVER_REQUESTS / STRESS_VERIFY_REQUESTS (per client per level), STRESS_COMPONENTS ("prover
# facilitator path", any subset). LOAD_NO_BUILD=1 uses
# the binaries and app/build-test as they are; LOAD_KEEP=1 keeps the validator's ledger (removed on exit).
# Results: JSON in target/readiness/ (READINESS_DIR) with date, machine and load average;
# scripts/readiness.sh renders READINESS.md from them.
# Each suite starts its own stack (scripts/stack.sh) on RPC port LOAD_RPC_PORT (default 23000, chaos
# 25000) and services on the next hundred ports, and stops every process it started on exit (supervised ones included).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/stack.sh"
x402_tool_path
cd "$ROOT"

CI=0
if [[ "${1:-}" == --ci ]]; then CI=1 && shift; fi
SUITE="${1:-}"
case "$SUITE" in
  all)
    for s in chaos load stress fuzz; do bash "$0" $([[ $CI == 1 ]] && echo --ci) "$s"; done
    exit 0
    ;;
  chaos | load | stress | fuzz) ;;
  *) sed -n '2,/^set -euo/{/^set -euo/!p}' "$0" && exit 2 ;;
esac

# Each suite has its own default ports (chaos runs beside load and fuzz in scripts/test.sh's lanes).
if [[ $SUITE == chaos ]]; then DEFAULT_RPC_PORT=25000; else DEFAULT_RPC_PORT=23000; fi
RPC_PORT="${LOAD_RPC_PORT:-$DEFAULT_RPC_PORT}"
PROVER_PORT=$((RPC_PORT + 100)) F_PORT=$((RPC_PORT + 101)) S_PORT=$((RPC_PORT + 102)) PROXY_PORT=$((RPC_PORT + 103))
OUT="${READINESS_DIR:-$ROOT/target/readiness}"
MIN_AMOUNT=1000000
if [[ $CI == 1 ]]; then
  CLIENTS=${LOAD_CLIENTS:-6} REQUESTS=${LOAD_REQUESTS:-2} CHAOS_CLIENTS=${CHAOS_CLIENTS:-2} CHAOS_REQUESTS=${CHAOS_REQUESTS:-3}
  PER_LEVEL=${STRESS_PER_LEVEL:-2} PATH_LEVELS=1,2,4 PROVER_LEVELS="1 4 16 64 128" VERIFY_LEVELS="1 8 64" VERIFY_REQ=10
  PROVER_REQ=2
else
  CLIENTS=${LOAD_CLIENTS:-50} REQUESTS=${LOAD_REQUESTS:-100} CHAOS_CLIENTS=${CHAOS_CLIENTS:-6} CHAOS_REQUESTS=${CHAOS_REQUESTS:-8}
  PER_LEVEL=${STRESS_PER_LEVEL:-3} PATH_LEVELS=1,2,4,8,16,32,50 PROVER_LEVELS="1 2 4 8 16 32 64 128 256" VERIFY_LEVELS="1 4 16 64 128 256 512"
  VERIFY_REQ=40 PROVER_REQ=3
fi
# Stress ramps (space/comma lists) and requests per client per level, overridable for a bounded run.
PROVER_LEVELS="${STRESS_PROVER_LEVELS:-$PROVER_LEVELS}" VERIFY_LEVELS="${STRESS_VERIFY_LEVELS:-$VERIFY_LEVELS}"
PATH_LEVELS="${STRESS_PATH_LEVELS:-$PATH_LEVELS}" PROVER_REQ="${STRESS_PROVER_REQUESTS:-$PROVER_REQ}"
VERIFY_REQ="${STRESS_VERIFY_REQUESTS:-$VERIFY_REQ}"
HEADER_FUZZ=${HEADER_FUZZ_RUNS:-$([[ $CI == 1 ]] && echo 1000 || echo 5000)}
HTTP_FUZZ=${HTTP_FUZZ_RUNS:-5000}
# Chaos: a short clock skew, so a proof handed out before a fault stops being acceptable soon and its
# receipt is released for the retry. Load/stress: receipts bought ahead must outlive the run.
if [[ $SUITE == chaos ]]; then SKEW=20 MAX_AGE=600; else SKEW=300 MAX_AGE=3600; fi

STACK_LOG_LINES=40
stack_init "load-$SUITE" "${X402_LOAD_DIR:-$ROOT/.x402-zk/load}/$SUITE" "$RPC_PORT"
for p in $PROVER_PORT $F_PORT $S_PORT $PROXY_PORT; do port_free "$p" "a load.sh port"; done
[[ "${LOAD_KEEP:-0}" == 1 ]] || STACK_RM_ON_EXIT="$WORK/ledger" # hundreds of MB per run
mkdir -p "$OUT"

# LOAD_NO_BUILD=1: use the binaries and TypeScript already built (stack_build then only finds BIN).
[[ "${LOAD_NO_BUILD:-0}" == 1 ]] && X402_STACK_BUILT=1
stack_build
stack_keys
[[ $SUITE == chaos ]] && STACK_VALIDATOR_SUPERVISED="$WORK/validator.pid"
stack_validator
solana -u "$RPC" airdrop 200 >/dev/null # the facilitator's fee payer: rent of many nullifier accounts
MAX_CLOCK_SKEW_SECONDS=$SKEW MAX_RECEIPT_AGE_SECONDS=$MAX_AGE stack_deploy $MIN_AMOUNT

# start_prover / start_facilitator with start_bg swapped for `supervise` (PID in $WORK/NAME.pid).
supervised() { # supervised START_FUNCTION ARGS…
  local saved
  saved="$(declare -f start_bg)"
  start_bg() {
    local n="$1"
    shift
    supervise "$n" "$WORK/$n.pid" "$@"
  }
  "$@"
  eval "$saved"
}
FAC_FLAGS=(--max-clock-skew-seconds "$SKEW" --max-age "$MAX_AGE" --sweep-interval-secs 0 --rate-limit-per-minute 1000000)
echo "==> [$(date -u +%H:%M:%S)] prover, facilitator, express server ($SUITE)"
if [[ $SUITE == chaos ]]; then
  start_bg rpc-proxy env LISTEN_PORT=$PROXY_PORT TARGET_PORT=$RPC_PORT node app/build-test/test-load/rpc-proxy.js
  echo "$STACK_PID_rpc_proxy" >"$WORK/rpc-proxy.pid"
  supervised start_prover $PROVER_PORT
  # Settlement batching on, so faults also land in the middle of a batch.
  supervised start_facilitator facilitator $F_PORT "http://127.0.0.1:$PROXY_PORT,$RPC" --attest-rpc-urls "$RPC" \
    --batch-max 4 --batch-window-ms 300 "${FAC_FLAGS[@]}"
else
  start_prover $PROVER_PORT
  echo "$STACK_PID_prover" >"$WORK/prover.pid"
  start_facilitator facilitator $F_PORT "$RPC" "${FAC_FLAGS[@]}"
  echo "$STACK_PID_facilitator" >"$WORK/facilitator.pid"
fi
wait_http prover "http://127.0.0.1:$PROVER_PORT/health" 120
wait_http facilitator "http://127.0.0.1:$F_PORT/health" 120
SERVERS="$(jq -n --argjson port $S_PORT --arg f "http://127.0.0.1:$F_PORT" --arg payTo "$MERCHANT" --arg min $MIN_AMOUNT \
  --argjson maxAge $MAX_AGE --arg prover "http://127.0.0.1:$PROVER_PORT" \
  '[{name: "load", port: $port, facilitatorUrl: $f, payTo: $payTo, minAmount: $min, maxAge: $maxAge,
     attesterUrl: $f, proverUrl: $prover, facilitatorTimeoutMs: 20000}]')"
start_bg servers env E2E_SERVERS="$SERVERS" X402_RESOURCE_SALT="$(openssl rand -hex 32)" node app/build-test/test-e2e/servers.js
echo "$STACK_PID_servers" >"$WORK/servers.pid"
wait_http servers "http://127.0.0.1:$S_PORT/health" 60

CONFIG="$WORK/load.json"
jq -n --arg rpc "$RPC" --arg payer "$WORK/payer.json" --arg program "$PROGRAM_ID" --arg min $MIN_AMOUNT \
  --arg res "http://127.0.0.1:$S_PORT/premium" --arg f "http://127.0.0.1:$F_PORT" --arg prover "http://127.0.0.1:$PROVER_PORT" \
  --arg w "$WORK" --arg out "$OUT" --argjson skew $SKEW --argjson ci $([[ $CI == 1 ]] && echo true || echo false) \
  --argjson clients "$CLIENTS" --argjson requests "$REQUESTS" --argjson cc "$CHAOS_CLIENTS" --argjson cr "$CHAOS_REQUESTS" \
  --argjson perLevel "$PER_LEVEL" --argjson headerFuzz "$HEADER_FUZZ" \
  '{rpc: $rpc, payerKeypair: $payer, programId: $program, minAmount: $min, resourceUrl: $res, facilitatorUrl: $f,
    proverUrl: $prover, skewSeconds: $skew, workDir: $w, outDir: $out, ci: $ci,
    pidFiles: {facilitator: "\($w)/facilitator.pid", validator: "\($w)/validator.pid", prover: "\($w)/prover.pid",
      rpcProxy: "\($w)/rpc-proxy.pid", servers: "\($w)/servers.pid"},
    sizes: {clients: $clients, requests: $requests, chaosClients: $cc, chaosRequests: $cr, perLevel: $perLevel,
      headerFuzz: $headerFuzz}}' >"$CONFIG"
export E2E_CONFIG="$CONFIG" LOAD_CONFIG="$CONFIG"

# x402-zk-load's JSON line (its last line) with the load average, appended to a JSON array file.
zk_load() { # zk_load OUT_FILE ARGS…
  local out="$1" line
  shift
  # Bounded, with room for the issue's size: 5,000 proofs at ~5 proofs/s is ~17 min (900 s cut it off).
  line="$(timeout "${ZK_LOAD_TIMEOUT_SECONDS:-5400}" "$BIN/x402-zk-load" "$@" | tail -n 1)" || true
  [[ "$line" == \{* ]] || die "x402-zk-load $* printed no result"
  jq -c --arg up "$(cut -d' ' -f1-3 /proc/loadavg)" '. + {loadavg: ($up | split(" ") | map(tonumber))}' <<<"$line" >>"$out"
}
# Fails unless the result file NAME.json (zk_result) counts no errors.
require_no_errors() { # require_no_errors NAME
  [[ "$(jq '.runs[0].errors' "$OUT/$1.json")" == 0 ]] || die "$1: errors (see $OUT/$1.json)"
}
# A JSON result file from the lines zk_load appended: {command, date, machine, runs: [...]}.
zk_result() { # zk_result FILE NAME COMMAND [EXTRA_JSON]
  local extra="${4:-}"
  [[ -n "$extra" ]] || extra='{}'
  jq -s --arg cmd "$3" --arg date "$(date -u +%FT%TZ)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)" \
    --argjson n "$(nproc)" --argjson extra "$extra" \
    '{command: $cmd, date: $date, machine: {cpus: $n, model: $cpu}, runs: .} + $extra' "$1" >"$OUT/$2.json"
  rm -f "$1"
}

case "$SUITE" in
  chaos)
    run_step "chaos (app/test-load/chaos.test.ts)" timeout 1800 bash -c "cd app && node --test --test-reporter=spec build-test/test-load/chaos.test.js"
    ;;
  load)
    # LOAD_PARTS: "path prover facilitator" (default), any subset: one part can be re-run alone.
    parts=" ${LOAD_PARTS:-path prover facilitator} "
    if [[ $parts == *" path "* ]]; then
      run_step "load: whole path, $CLIENTS clients × $REQUESTS paid requests" timeout 14400 node app/build-test/test-load/load.js path
    fi
    if [[ $parts == *" prover "* ]]; then
      tmp="$WORK/prover-load.jsonl"
      run_step "load: the prover alone, $CLIENTS × $REQUESTS new proofs" \
        zk_load "$tmp" --url "http://127.0.0.1:$PROVER_PORT" --clients "$CLIENTS" --requests "$REQUESTS" --mode uncached --rss-pid "$(cat "$WORK/prover.pid")"
      zk_result "$tmp" load-prover "target/debug/x402-zk-load --mode uncached --clients $CLIENTS --requests $REQUESTS"
      require_no_errors load-prover
    fi
    if [[ $parts == *" facilitator "* ]]; then
      run_step "load: pre-made proofs for /verify" timeout 1800 node app/build-test/test-load/load.js verify-bodies 16 "$WORK/verify-bodies.jsonl"
      tmp="$WORK/verify-load.jsonl"
      run_step "load: the facilitator alone (/verify), $CLIENTS × $REQUESTS" \
        zk_load "$tmp" --url "http://127.0.0.1:$F_PORT" --path /verify --mode bodies --bodies "$WORK/verify-bodies.jsonl" \
        --clients "$CLIENTS" --requests "$REQUESTS" --rss-pid "$(cat "$WORK/facilitator.pid")"
      zk_result "$tmp" load-facilitator "target/debug/x402-zk-load --path /verify --mode bodies --clients $CLIENTS --requests $REQUESTS"
      require_no_errors load-facilitator
    fi
    ;;
  stress)
    # Each component: concurrency ramps over LEVELS; the breaking point is the first level where the
    # error ratio passes 1 % or p99 passes 2 s; every overload answer must be 429/503 with Retry-After,
    # and the process alive after each level.
    rss_of() { # resident memory of PID in bytes (0 when it is gone)
      local kb
      kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)"
      echo $((${kb:-0} * 1024))
    }
    ramp() { # ramp NAME PID LEVELS REQUESTS ARGS…
      local name="$1" pid="$2" levels="$3" req="$4" tmp="$WORK/$1.jsonl" c broke=null rss0 rss1 next=2
      shift 4
      rss0="$(rss_of "$pid")"
      for c in $levels; do
        # Each level's uncached requests carry resourceHash values no earlier level used (no cache hits).
        zk_load "$tmp" --clients "$c" --requests "$req" --rss-pid "$pid" --first-resource-hash "$next" "$@"
        next=$((next + c * req))
        local last
        last="$(tail -n 1 "$tmp")"
        echo "    $name: concurrency $c: $(jq -c '{total, errors, statuses, rps: (.requestsPerSecond|floor), p99: .latencyMs.p99, maxRssBytes}' <<<"$last")"
        [[ "$(jq '.overloadWithoutRetryAfter' <<<"$last")" == 0 ]] || die "$name: 429/503 without Retry-After"
        [[ "$(jq '[.statuses | keys[] | select(. != "200" and . != "429" and . != "503")] | length' <<<"$last")" == 0 ]] \
          || die "$name: answers other than 200/429/503 under load: $(jq -c .statuses <<<"$last")"
        kill -0 "$pid" 2>/dev/null || die "$name: the process died under load"
        # The first level past the criterion is the breaking point; the ramp goes on to its (bounded)
        # end, so the overload answers and the memory are checked well past it.
        if [[ $broke == null ]] && jq -e '(.errors / .total > 0.01) or (.latencyMs.p99 > 2000)' <<<"$last" >/dev/null; then
          broke=$c
        fi
      done
      sleep 2 # the last level's requests drained: RSS after the ramp, idle
      rss1="$(rss_of "$pid")"
      echo "    $name: RSS before the ramp $((rss0 / 1048576)) MiB, after it $((rss1 / 1048576)) MiB"
      zk_result "$tmp" "stress-$name" "target/debug/x402-zk-load (ramp $levels, $req requests per client)" \
        "{\"breakingConcurrency\": $broke, \"criterion\": \"error ratio > 1 % or p99 > 2 s\", \"rssBeforeBytes\": $rss0, \"rssAfterBytes\": $rss1}"
    }
    COMPONENTS=" ${STRESS_COMPONENTS:-prover facilitator path} "
    if [[ $COMPONENTS == *" prover "* ]]; then
      run_step "stress: prover (new proofs)" ramp prover "$(cat "$WORK/prover.pid")" "$PROVER_LEVELS" $PROVER_REQ \
        --url "http://127.0.0.1:$PROVER_PORT" --mode uncached --timeout-seconds 120
    fi
    if [[ $COMPONENTS == *" facilitator "* ]]; then
      run_step "stress: pre-made proofs for /verify" timeout 1800 node app/build-test/test-load/load.js verify-bodies 16 "$WORK/verify-bodies.jsonl"
      run_step "stress: facilitator /verify" ramp facilitator "$(cat "$WORK/facilitator.pid")" "$VERIFY_LEVELS" $VERIFY_REQ \
        --url "http://127.0.0.1:$F_PORT" --path /verify --mode bodies --bodies "$WORK/verify-bodies.jsonl" --timeout-seconds 60
    fi
    if [[ $COMPONENTS == *" path "* ]]; then
      run_step "stress: whole path" env LOAD_LEVELS="$PATH_LEVELS" timeout 3600 node app/build-test/test-load/load.js stress-path
    fi
    ;;
  fuzz)
    # The prover's and facilitator's HTTP surfaces: their byte-fuzz tests at HTTP_FUZZ_RUNS per route
    # (cargo test runs them at 1,000 in every CI run, writing target/readiness/; here the long size into $OUT).
    if [[ $CI == 0 ]]; then
      run_step "prover + facilitator HTTP fuzz, $HTTP_FUZZ inputs per route (tests/openapi.rs byte_fuzz)" \
        env HTTP_FUZZ_RUNS="$HTTP_FUZZ" READINESS_DIR="$OUT" timeout 3000 \
        cargo test --workspace --ignore-rust-version --test openapi byte_fuzz
    fi
    run_step "express middleware header fuzz, $HEADER_FUZZ inputs (app/test-load/header-fuzz.test.ts)" timeout 1500 \
      bash -c "cd app && node --test --test-reporter=spec build-test/test-load/header-fuzz.test.js"
    ;;
esac
echo "==> load.sh $SUITE passed (results in $OUT)"
