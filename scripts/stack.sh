# scripts/stack.sh — the local x402-zk stack: a command for operators, and shell functions sourced
# by scripts/demo.sh, scripts/e2e.sh and scripts/browser-test.sh (one copy of the process management).
#
# As a command (all on loopback; work dir $STACK_DIR, default .x402-zk/stack; logs in $STACK_DIR/logs):
#   bash scripts/stack.sh up       validator (program preloaded, config initialized), prover :8080,
#                                  facilitator :8403, Prometheus :9090 scraping both with
#                                  monitoring/alerts.yml; waits for every health check; leaves them running
#   bash scripts/stack.sh status   each process: running or not, and its health check
#   bash scripts/stack.sh logs [NAME]   the last lines of every log (or follow one: validator, prover,
#                                  facilitator, prometheus)
#   bash scripts/stack.sh down     stops what `up` started (SIGTERM, then SIGKILL after 10 s)
#   bash scripts/stack.sh commands the prover's and facilitator's command lines (deploy/compose.yml
#                                  runs the same flags; monitoring/check.py deploy compares them)
#   Ports: STACK_RPC_PORT (8899), STACK_PROVER_PORT (8080), STACK_FACILITATOR_PORT (8403),
#   STACK_PROMETHEUS_PORT (9090). Dev keys (UNSAFE: local only), like the demo. STACK_TICKS_PER_SLOT
#   (default: the validator's 64, 400 ms slots; 6.25 ms per tick) shortens slots, so finality.
#
# Functions (sourced):
#   stack_init NAME WORK RPC_PORT   work dir, trap that stops every started process (logs on failure)
#   stack_build                     program .so (only if missing), Rust binaries, TypeScript
#                                   (skipped when X402_STACK_BUILT=1: the caller did it once)
#   stack_keys                      dev proving keys (UNSAFE, local only), attester, merchant, payer
#   stack_validator                 solana-test-validator with the program preloaded, airdrops
#   stack_deploy MIN_AMOUNT         config via migrations/deploy.ts (merchant, attester key)
#   start_prover PORT
#   start_facilitator NAME PORT RPC_URLS [extra flags…]
#   start_prometheus PORT INTERVAL PROVER_TARGETS FACILITATOR_TARGETS   a real Prometheus (Debian
#                                   package) on loopback scraping those host:port lists (comma-separated)
#                                   with monitoring/alerts.yml; sets PROM_URL
#   start_bg NAME COMMAND…          any other process, logged to $WORK/logs/NAME.log
#   supervise NAME PIDFILE COMMAND…  COMMAND restarted whenever it exits (chaos: kill -9 it); with
#                                   STACK_VALIDATOR_SUPERVISED=PIDFILE, stack_validator runs under it
#   wait_http NAME URL [SECONDS]
# Every process started through these functions is stopped on exit; its PID is in STACK_PID_<NAME>.
# Needs scripts/versions.env and scripts/lib.sh sourced, x402_tool_path run, and cwd = repo root.

stack_init() { # stack_init NAME WORK RPC_PORT
  STACK_NAME="$1" WORK="$2" RPC_PORT="$3"
  RPC="http://127.0.0.1:$RPC_PORT"
  PROGRAM_ID="$(solana-keygen pubkey keys/x402_zk_verifier-keypair.json)"
  PIDS=()
  rm -rf "$WORK" && mkdir -p "$WORK/logs"
  trap stack_cleanup EXIT INT TERM
}

stack_cleanup() {
  local rc=$? p f
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # STACK_RM_ON_EXIT: a path removed once the processes are stopped (e.g. the ledger: disk space).
  # Never before: a running validator keeps writing into its ledger, and `rm -rf` racing it fails
  # with "Directory not empty" (an e2e run that had passed exited 1 that way). Best effort: the
  # next stack_init removes the whole work directory anyway.
  if [[ -n "${STACK_RM_ON_EXIT:-}" ]]; then rm -rf "$STACK_RM_ON_EXIT" 2>/dev/null || true; fi
  if [[ $rc -ne 0 ]]; then
    echo "*** $STACK_NAME failed (exit $rc). Logs in $WORK/logs:" >&2
    for f in "$WORK"/logs/*.log; do
      [[ -f "$f" ]] && { echo "--- $(basename "$f") (last ${STACK_LOG_LINES:-15} lines)" >&2; tail -n "${STACK_LOG_LINES:-15}" "$f" >&2; }
    done
  fi
  exit $rc
}

wait_http() { # wait_http NAME URL [SECONDS]
  local i
  for ((i = 0; i < ${3:-60} * 4; i++)); do
    curl -sf -o /dev/null "$2" && return 0
    sleep 0.25
  done
  die "$1 did not come up at $2 (see $WORK/logs/$1.log)"
}

# Dies when something already answers HTTP on 127.0.0.1:PORT (a leftover process, another engineer's stack).
port_free() { # port_free PORT WHAT
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; then
    die "something already listens on 127.0.0.1:$1 ($2): stop it or choose other ports"
  fi
}

stack_build() {
  # X402_STACK_BUILT=1: the caller built all of this once for several stacks (scripts/test.sh).
  [[ "${X402_STACK_BUILT:-}" == 1 ]] || run_step "build (program, binaries, TypeScript)" bash -c '
    set -e
    [[ -s target/deploy/x402_zk_verifier.so ]] || bash scripts/build.sh
    # --workspace --tests: the feature set of `cargo test --workspace`, so after the test step this
    # is a no-op (with -p or without --tests, features differ and ~200 crates rebuild).
    cargo build -q --workspace --bins --tests --ignore-rust-version
    (cd app && npx tsc -p tsconfig.test.json)'
  # X402_STACK_BIN (exported with X402_STACK_BUILT): no cargo call here, so a suite never waits for
  # the build-directory lock of a `cargo test` running beside it (scripts/test.sh's lanes).
  BIN="${X402_STACK_BIN:-$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/debug}"
}

stack_keys() {
  run_step "dev keys (UNSAFE: local only) + attester key" bash -c "
    set -e
    '$BIN/x402-zk' keys dev-setup --deterministic --out '$WORK/keys' >'$WORK/logs/keys.log'
    '$BIN/x402-zk' attester keygen --out '$WORK/attester.json' >/dev/null
    solana-keygen new --no-bip39-passphrase --silent -o '$WORK/merchant.json'
    solana-keygen new --no-bip39-passphrase --silent -o '$WORK/payer.json'"
  MERCHANT="$(solana-keygen pubkey "$WORK/merchant.json")"
}

stack_validator() {
  echo "==> [$(date -u +%H:%M:%S)] solana-test-validator (program preloaded)"
  local t0 i
  t0=$(date +%s)
  if curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' "$RPC"; then
    die "something already listens on $RPC (a leftover validator?): stop it or choose another RPC port"
  fi
  # Every port derives from RPC_PORT (faucet +1001, gossip +1002, dynamic +1010..+1050), so stacks on
  # different RPC ports run side by side (the default gossip port 8000 would collide).
  # Upgradeable, with the deploy wallet (~/.config/solana/id.json, what deploy.ts signs with) as
  # upgrade authority: initialize_config is accepted only from the program's upgrade authority.
  local args=(--reset --quiet --ledger "$WORK/ledger" --rpc-port "$RPC_PORT"
    --faucet-port $((RPC_PORT + 1001)) --gossip-port $((RPC_PORT + 1002))
    --dynamic-port-range "$((RPC_PORT + 1010))-$((RPC_PORT + 1050))"
    --upgradeable-program "$PROGRAM_ID" target/deploy/x402_zk_verifier.so
    "$(solana-keygen pubkey "$HOME/.config/solana/id.json")"
    # Keep the whole ledger: the load and chaos audits read every payer's transfers back
    # (getSignaturesForAddress), and the default (10,000 shreds) drops the oldest within minutes: the
    # hour-long 50 × 100 run of 2026-12-03 found none of its 5,000 transfers at the end.
    --limit-ledger-size 1000000000)
  # Shorter slots (scripts/test.sh sets STACK_TICKS_PER_SLOT): a payment is finalized ~32 slots after it
  # lands, 13 s at the default 64 ticks (400 ms), and every paid request in the suites waits for that.
  [[ -n "${STACK_TICKS_PER_SLOT:-}" ]] && args+=(--ticks-per-slot "$STACK_TICKS_PER_SLOT")
  # The validator's busy-polling scheduler thread yields to the suite (lib.sh); test.sh runs one watch for all.
  if [[ -z "${X402_SPIN_WATCHED:-}" ]]; then
    validator_spin_watch &
    PIDS+=($!)
  fi
  if [[ -n "${STACK_VALIDATOR_SUPERVISED:-}" ]]; then
    # Restarted after a kill, on the same ledger (supervise drops --reset), PID in that file.
    supervise validator "$STACK_VALIDATOR_SUPERVISED" solana-test-validator "${args[@]}"
  else
    solana-test-validator "${args[@]}" >"$WORK/logs/validator.log" 2>&1 &
    PIDS+=($!)
  fi
  for ((i = 0; i < 120; i++)); do
    solana -u "$RPC" cluster-version >/dev/null 2>&1 && break
    sleep 0.5
  done
  solana -u "$RPC" cluster-version >/dev/null 2>&1 || die "validator did not start (see $WORK/logs/validator.log)"
  solana -u "$RPC" airdrop 100 "$(solana-keygen pubkey "$WORK/payer.json")" >/dev/null
  solana -u "$RPC" airdrop 10 >/dev/null
  echo "    validator up at $RPC, program $PROGRAM_ID"
  echo "    (solana-test-validator (program preloaded): $(($(date +%s) - t0))s)"
}

stack_deploy() { # stack_deploy MIN_AMOUNT — with the verifying key of stack_keys ($WORK/keys/solana_vk.bin)
  run_step "initialize config (migrations/deploy.ts)" env SOLANA_RPC_URL="$RPC" MERCHANT_PUBKEY="$MERCHANT" \
    MIN_PAYMENT_AMOUNT="$1" ATTESTER_KEY_PATH="$WORK/attester.json" KEYS_DIR="$WORK/keys" \
    npx ts-node -P migrations/tsconfig.json migrations/deploy.ts
}

start_bg() { # start_bg NAME COMMAND…
  local name="$1"
  shift
  "$@" >"$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "STACK_PID_${name//-/_}" '%s' "$!"
}

# supervise NAME PIDFILE COMMAND… — runs COMMAND in the background and starts it again whenever it
# exits (like a service manager's Restart=always), for the chaos suite (scripts/load.sh), which kills
# the process with SIGKILL: the current PID is in PIDFILE, logs append to $WORK/logs/NAME.log, and
# restarts leave out `--reset` (a validator comes back on the same ledger). At most 50 restarts, 1 s
# apart. Stopping the supervisor (stack_cleanup: SIGTERM) stops the command too.
supervise() { # supervise NAME PIDFILE COMMAND…
  local name="$1" pidfile="$2" a
  shift 2
  local again=()
  for a in "$@"; do [[ $a == --reset ]] || again+=("$a"); done
  (
    exec 2>>"$WORK/logs/$name.log" # the shell's own "Killed" notices go to the log
    child=""
    trap '[[ -n $child ]] && kill "$child" 2>/dev/null; wait 2>/dev/null; exit 0' TERM INT
    "$@" >>"$WORK/logs/$name.log" 2>&1 &
    child=$!
    echo "$child" >"$pidfile"
    for ((n = 0; n < 50; n++)); do
      wait "$child" || true
      echo "supervise: $name (pid $child) exited; restarting" >>"$WORK/logs/$name.log"
      sleep 1
      "${again[@]}" >>"$WORK/logs/$name.log" 2>&1 &
      child=$!
      echo "$child" >"$pidfile"
    done
    wait "$child"
  ) &
  PIDS+=($!)
}

# Python for monitoring/check.py (PyYAML, matplotlib, check-jsonschema): scripts/setup.sh, step monitoring.
OPS_VENV="${X402_OPS_VENV:-$HOME/.cache/x402-zk/ops-venv}"
OPS_PY="$OPS_VENV/bin/python"

# Memory limits exported as process_memory_limit_bytes (the HighMemoryUsage alert compares with them).
STACK_PROVER_MEMORY_LIMIT="${STACK_PROVER_MEMORY_LIMIT:-4294967296}"
STACK_FACILITATOR_MEMORY_LIMIT="${STACK_FACILITATOR_MEMORY_LIMIT:-1073741824}"

prover_args() { # prover_args KEYS_DIR BIND PORT — sets PROVER_ARGS, the prover's flags (also deploy/compose.yml's)
  PROVER_ARGS=(--bind-addr "$2" --port "$3" --keys-dir "$1" --allow-dev-keys --rate-limit-per-minute 1000
    --memory-limit-bytes "$STACK_PROVER_MEMORY_LIMIT")
}

start_prover() { # start_prover PORT
  prover_args "$WORK/keys" 127.0.0.1 "$1"
  start_bg prover "$BIN/x402-zk-prover" "${PROVER_ARGS[@]}"
}

# Serves the merchants in FACILITATOR_PAY_TO (comma list; default $MERCHANT) and advertises the
# prover at PROVER_PORT in /supported when that is set.
start_facilitator() { # start_facilitator NAME PORT RPC_URLS [extra flags…]
  local name="$1" port="$2" rpcs="$3"
  shift 3
  start_bg "$name" "$BIN/x402-zk-facilitator" --port "$port" --rpc-urls "$rpcs" --program-id "$PROGRAM_ID" \
    --attester-key "$WORK/attester.json" --fee-payer "$HOME/.config/solana/id.json" \
    --verifying-key "$WORK/keys/receipt.vk" --allow-dev-keys --pay-to "${FACILITATOR_PAY_TO:-$MERCHANT}" \
    --memory-limit-bytes "$STACK_FACILITATOR_MEMORY_LIMIT" \
    ${PROVER_PORT:+--prover-url "http://127.0.0.1:$PROVER_PORT"} "$@"
}

# prometheus_config INTERVAL PROVER_TARGETS FACILITATOR_TARGETS — the scrape config (stdout): jobs
# x402-zk-prover and x402-zk-facilitator as in monitoring/prometheus.yml, rules monitoring/alerts.yml.
prometheus_config() {
  local t p="" f=""
  for t in ${2//,/ }; do p+="${p:+, }\"$t\""; done
  for t in ${3//,/ }; do f+="${f:+, }\"$t\""; done
  cat <<EOF
# Written by scripts/stack.sh (prometheus_config) for this run.
global:
  scrape_interval: $1
  evaluation_interval: $1
rule_files:
  - $PWD/monitoring/alerts.yml
scrape_configs:
  - job_name: x402-zk-prover
    metrics_path: /metrics
    static_configs:
      - targets: [$p]
  - job_name: x402-zk-facilitator
    metrics_path: /metrics
    static_configs:
      - targets: [$f]
EOF
}

start_prometheus() { # start_prometheus PORT INTERVAL PROVER_TARGETS FACILITATOR_TARGETS
  command -v prometheus >/dev/null || die "prometheus not found: run scripts/setup.sh (Debian package prometheus)"
  port_free "$1" prometheus
  prometheus_config "$2" "$3" "$4" >"$WORK/prometheus.yml"
  promtool check config "$WORK/prometheus.yml" >"$WORK/logs/promtool.log" 2>&1 \
    || die "generated $WORK/prometheus.yml is invalid (see $WORK/logs/promtool.log)"
  start_bg prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-data" \
    --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$1"
  PROM_URL="http://127.0.0.1:$1"
  wait_http prometheus "$PROM_URL/-/ready" 60
}

# ---------------------------------------------------------------------------------------------
# The command (bash scripts/stack.sh up|down|status|logs|commands); nothing below runs when sourced.
stack_pids_file() { echo "$STACK_DIR/stack.pids"; }

stack_up() {
  local rpc_port="${STACK_RPC_PORT:-8899}" prom_port="${STACK_PROMETHEUS_PORT:-9090}" n p i
  PROVER_PORT="${STACK_PROVER_PORT:-8080}" FACILITATOR_PORT="${STACK_FACILITATOR_PORT:-8403}"
  if [[ -f "$(stack_pids_file)" ]]; then
    while read -r n p; do
      if kill -0 "$p" 2>/dev/null; then die "a stack is already up ($n, pid $p): bash scripts/stack.sh down first"; fi
    done <"$(stack_pids_file)"
  fi
  for p in $PROVER_PORT $FACILITATOR_PORT $prom_port; do port_free "$p" "a stack port"; done
  stack_init stack "$STACK_DIR" "$rpc_port"
  STACK_LOG_LINES=30
  stack_build
  stack_keys
  stack_validator
  local validator_pid="${PIDS[0]}"
  stack_deploy 1000000
  start_prover "$PROVER_PORT"
  start_facilitator facilitator "$FACILITATOR_PORT" "$RPC"
  wait_http prover "http://127.0.0.1:$PROVER_PORT/health"
  wait_http facilitator "http://127.0.0.1:$FACILITATOR_PORT/health"
  start_prometheus "$prom_port" 15s "127.0.0.1:$PROVER_PORT" "127.0.0.1:$FACILITATOR_PORT"
  # Both targets scraped and up (the first scrape comes within one interval).
  for ((i = 0; i < 60; i++)); do
    [[ "$(curl -sf "$PROM_URL/api/v1/query?query=sum(up)" | jq -r '.data.result[0].value[1] // 0')" == 2 ]] && break
    sleep 1
  done
  [[ $i -lt 60 ]] || die "Prometheus does not see both targets up (see $PROM_URL/targets)"
  printf '%s %s\n' validator "$validator_pid" prover "$STACK_PID_prover" facilitator "$STACK_PID_facilitator" \
    prometheus "$STACK_PID_prometheus" >"$(stack_pids_file)"
  cat >"$STACK_DIR/stack.env" <<EOF
RPC=$RPC
PROVER_URL=http://127.0.0.1:$PROVER_PORT
FACILITATOR_URL=http://127.0.0.1:$FACILITATOR_PORT
PROMETHEUS_URL=$PROM_URL
MERCHANT=$MERCHANT
PROGRAM_ID=$PROGRAM_ID
PAYER_KEYPAIR=$WORK/payer.json
EOF
  trap - EXIT INT TERM # leave them running
  echo "==> stack up (dev keys: local only). Work dir $STACK_DIR, logs in $STACK_DIR/logs"
  sed 's/^/    /' "$STACK_DIR/stack.env"
  echo "    stop it with: bash scripts/stack.sh down"
}

stack_status() {
  [[ -f "$(stack_pids_file)" ]] || { echo "no stack in $STACK_DIR (bash scripts/stack.sh up)"; return 1; }
  # shellcheck disable=SC1091
  source "$STACK_DIR/stack.env"
  local n p url rc=0 state health
  while read -r n p; do
    state="stopped" health="-"
    kill -0 "$p" 2>/dev/null && state="running"
    [[ $state == stopped ]] && rc=1
    case "$n" in
      prover) url="$PROVER_URL/health" ;;
      facilitator) url="$FACILITATOR_URL/health" ;;
      prometheus) url="$PROMETHEUS_URL/-/ready" ;;
      *) url="" ;;
    esac
    if [[ $n == validator ]]; then
      health="getHealth: $(curl -sf --max-time 3 -X POST -H 'content-type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' "$RPC" | jq -r '.result // "unhealthy"' || echo unreachable)"
    elif curl -sf -o /dev/null --max-time 3 "$url"; then
      health="ok $url"
    else
      health="FAILING $url" rc=1
    fi
    printf '    %-12s pid %-8s %-8s %s\n' "$n" "$p" "$state" "$health"
  done <"$(stack_pids_file)"
  return $rc
}

stack_down() {
  [[ -f "$(stack_pids_file)" ]] || { echo "no stack in $STACK_DIR"; return 0; }
  local n p i alive
  while read -r n p; do
    if kill "$p" 2>/dev/null; then echo "    stopping $n (pid $p)"; fi
  done <"$(stack_pids_file)"
  for ((i = 0; i < 40; i++)); do
    alive=0
    while read -r n p; do if kill -0 "$p" 2>/dev/null; then alive=1; fi; done <"$(stack_pids_file)"
    [[ $alive == 0 ]] && break
    sleep 0.25
  done
  while read -r n p; do
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" && echo "    killed $n (pid $p)"; fi
  done <"$(stack_pids_file)"
  rm -f "$(stack_pids_file)"
  rm -rf "$STACK_DIR/ledger" "$STACK_DIR/prometheus-data"
  echo "==> stack down (logs kept in $STACK_DIR/logs)"
}

stack_logs() { # stack_logs [NAME]
  if [[ -n "${1:-}" ]]; then
    [[ -f "$STACK_DIR/logs/$1.log" ]] || die "no log $STACK_DIR/logs/$1.log"
    exec tail -n 100 -f "$STACK_DIR/logs/$1.log"
  fi
  local f
  for f in "$STACK_DIR"/logs/*.log; do
    if [[ -f "$f" ]]; then echo "--- $(basename "$f")"; tail -n 20 "$f"; fi
  done
}

stack_commands() { # the command lines of `up` (default ports), with deploy/compose.yml's paths (/data)
  prover_args /data/keys 127.0.0.1 8080
  echo "prover: x402-zk-prover ${PROVER_ARGS[*]}"
  ( # start_facilitator's argv, printed instead of run
    start_bg() { shift; echo "facilitator: ${1##*/} ${*:2}"; }
    BIN=/usr/local/bin WORK=/data PROGRAM_ID='${PROGRAM_ID}' MERCHANT='${MERCHANT}' HOME=/root PROVER_PORT=""
    start_facilitator facilitator 8403 http://127.0.0.1:8899
  )
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  source "$ROOT/scripts/versions.env"
  source "$ROOT/scripts/lib.sh"
  x402_tool_path
  cd "$ROOT"
  STACK_DIR="${STACK_DIR:-$ROOT/.x402-zk/stack}"
  case "${1:-}" in
    up) stack_up ;;
    down) stack_down ;;
    status) stack_status ;;
    logs) stack_logs "${2:-}" ;;
    commands) stack_commands ;;
    *) sed -n '4,17p' "$0"; exit 2 ;;
  esac
fi
