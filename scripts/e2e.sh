#!/usr/bin/env bash
# scripts/e2e.sh — the end-to-end suite: the happy path plus every negative path of issue #7
# (underpayment, wrong merchant, expired receipt, expired payment, replay, facilitator down,
# facilitator dying mid-payment, RPC primary down → fallback), settlement batching, and issue #14's
# attacks (replaying one payment header against a slow route, racing the payer to the attester,
# attest bursts, payTo outside the allow-list, a facilitator whose keys disagree with the chain, the
# README's merchant set-up), all against real processes.
#
# Starts once (scripts/stack.sh): one solana-test-validator (program preloaded), the Rust prover,
# nine Rust facilitators + attesters, one Node process with ten @x402/express servers and
# examples/merchant.ts; then runs app/test-e2e/*.test.ts (node:test, real @x402/fetch client), then
# app/test-e2e/serial/*.test.ts alone (they change the chain's attester). A real Prometheus
# (127.0.0.1:18590) scrapes the prover and the facilitators throughout; afterwards every metric the
# dashboards and alerts name must be exported and every one of their expressions must return data
# (monitoring/check.py), and a PNG of some series is drawn. Stops every process on exit, prints
# the logs on failure.
#
#   facilitator  port   RPC / flags                                        used by
#   main         18510  live                servers a (merchant A), b (merchant B), expiring (maxAge 3 s)
#   fallback     18511  dead,live           server fallback (also its attester)
#   stale        18512  live, skew 4 s, sweeper every 2 s   server stale (and the recyclable-nullifier test)
#   killable     18513  live                server killable (the test kills this facilitator)
#   batch        18514  live, --batch-max 4 --batch-window-ms 2000   server batch
#   replay-batch 18505  live, --batch-max 4 --batch-window-ms 2000   server replayBatch
#   ratelimit    18506  live, --rate-limit-per-minute 60              (the attest-burst test only)
#   guard        18507  live, another attester key, --config-check-interval-secs 1   server guard
#   readme       18508  live, --public-url, --prover-url, --pay-to A (as app/README.md says)   merchant.js
#   (none)       18519  nothing listens     server deadFacilitator
# Every server also sells GET /slow (a 2 s handler). All facilitators but readme serve merchants A
# and B (FACILITATOR_PAY_TO). The dead RPC primary is 127.0.0.1:18518 (nothing listens).
#
# Env: X402_E2E_DIR (work dir, default .x402-zk/e2e), E2E_RPC_PORT (18999), E2E_KEEP=1 (keep the
# work dir). Needs scripts/setup.sh to have run (it builds what is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/stack.sh"
x402_tool_path
cd "$ROOT"

MIN_AMOUNT=1000000 EXPIRING_MAX_AGE=3 STALE_SKEW=4
PROVER_PORT=18580
F_MAIN=18510 F_FALLBACK=18511 F_STALE=18512 F_KILL=18513 F_BATCH=18514
F_REPLAY_BATCH=18505 F_RATE=18506 F_GUARD=18507 F_README=18508
S_A=18520 S_B=18521 S_EXPIRING=18522 S_STALE=18523 S_FALLBACK=18524 S_DEADFAC=18525 S_KILL=18526
S_BATCH=18527 S_REPLAY_BATCH=18528 S_GUARD=18529 S_README=18530 BATCH_WINDOW_MS=2000 SLOW_MS=2000
STACK_LOG_LINES=40
stack_init e2e "${X402_E2E_DIR:-$ROOT/.x402-zk/e2e}" "${E2E_RPC_PORT:-18999}"
# Dead endpoints: ports nothing listens on (checked below). Not 1-1023: fetch refuses some of those
# ("bad port") before trying, which is not what a dead server looks like.
DEAD_RPC_PORT=18518 DEAD_FACILITATOR=18519
DEAD_RPC="http://127.0.0.1:$DEAD_RPC_PORT"
for p in $PROVER_PORT $F_MAIN $F_FALLBACK $F_STALE $F_KILL $F_BATCH $F_REPLAY_BATCH $F_RATE $F_GUARD $F_README \
  $DEAD_FACILITATOR $S_A $S_B $S_EXPIRING $S_STALE $S_FALLBACK $S_DEADFAC $S_KILL $S_BATCH $S_REPLAY_BATCH $S_GUARD \
  $S_README $DEAD_RPC_PORT; do
  port_free "$p" "an e2e port"
done

stack_build
stack_keys
solana-keygen new --no-bip39-passphrase --silent -o "$WORK/merchant-b.json"
MERCHANT_B="$(solana-keygen pubkey "$WORK/merchant-b.json")"
stack_validator
stack_deploy $MIN_AMOUNT

echo "==> [$(date -u +%H:%M:%S)] prover, 9 facilitators, 11 resource servers"
start_prover $PROVER_PORT
export FACILITATOR_PAY_TO="$MERCHANT,$MERCHANT_B"
start_facilitator f-main $F_MAIN "$RPC"
# Settlement falls back to the live RPC; the attester reads only endpoints marked trusted for it.
start_facilitator f-fallback $F_FALLBACK "$DEAD_RPC,$RPC" --attest-rpc-urls "$RPC"
start_facilitator f-stale $F_STALE "$RPC" --max-clock-skew-seconds $STALE_SKEW --sweep-interval-secs 2
start_facilitator f-killable $F_KILL "$RPC"
start_facilitator f-batch $F_BATCH "$RPC" --batch-max 4 --batch-window-ms $BATCH_WINDOW_MS
start_facilitator f-replay-batch $F_REPLAY_BATCH "$RPC" --batch-max 4 --batch-window-ms $BATCH_WINDOW_MS
start_facilitator f-ratelimit $F_RATE "$RPC" --rate-limit-per-minute 60
# The guard facilitator runs with an attester key that is not the chain's. start_facilitator takes the
# key from $WORK/attester.json, so it is called with WORK pointing at a directory holding another key
# (keys and logs are the shared ones).
mkdir -p "$WORK/guard" && ln -s "$WORK/keys" "$WORK/guard/keys" && ln -s "$WORK/logs" "$WORK/guard/logs"
"$BIN/x402-zk" attester keygen --out "$WORK/guard/attester.json" >/dev/null
WORK="$WORK/guard" start_facilitator f-guard $F_GUARD "$RPC" --config-check-interval-secs 1
# As app/README.md ("Merchant set-up") tells an operator: only merchant A, advertising where the
# attester (its public URL) and the prover are (start_facilitator passes --prover-url).
FACILITATOR_PAY_TO="$MERCHANT" start_facilitator f-readme $F_README "$RPC" --public-url "http://127.0.0.1:$F_README"
wait_http prover "http://127.0.0.1:$PROVER_PORT/health"
for p in $F_MAIN $F_FALLBACK $F_STALE $F_KILL $F_BATCH $F_REPLAY_BATCH $F_RATE $F_GUARD $F_README; do
  wait_http "facilitator :$p" "http://127.0.0.1:$p/health"
done
# Operations (#18): a real Prometheus (loopback :18590) scrapes the prover and every facilitator
# every 2 s during the whole run; checked after the suites (monitoring_checks below).
PROM_T0=$(date +%s)
start_prometheus 18590 2s "127.0.0.1:$PROVER_PORT" \
  "$(printf '127.0.0.1:%s,' $F_MAIN $F_FALLBACK $F_STALE $F_KILL $F_BATCH $F_REPLAY_BATCH $F_RATE $F_GUARD $F_README)"

fac() { echo "http://127.0.0.1:$1"; }
server() { # server NAME PORT FACILITATOR_PORT PAY_TO [MAX_AGE] [ATTESTER_PORT]
  jq -n --arg name "$1" --argjson port "$2" --arg f "$(fac "$3")" --arg payTo "$4" --arg min "$MIN_AMOUNT" \
    --argjson maxAge "${5:-600}" --arg att "$(fac "${6:-$F_MAIN}")" --arg prover "$(fac $PROVER_PORT)" \
    '{name: $name, port: $port, facilitatorUrl: $f, payTo: $payTo, minAmount: $min, maxAge: $maxAge,
      attesterUrl: $att, proverUrl: $prover, facilitatorTimeoutMs: 20000}'
}
# The dead-facilitator server cannot learn the program id and attester key from /supported.
ATTESTER_X="$(curl -sf "$(fac $F_MAIN)/supported" | jq -r '.kinds[0].extra.attester.x')"
ATTESTER_Y="$(curl -sf "$(fac $F_MAIN)/supported" | jq -r '.kinds[0].extra.attester.y')"
SERVERS="$(jq -s . <(server a $S_A $F_MAIN "$MERCHANT") <(server b $S_B $F_MAIN "$MERCHANT_B") \
  <(server expiring $S_EXPIRING $F_MAIN "$MERCHANT" $EXPIRING_MAX_AGE) \
  <(server stale $S_STALE $F_STALE "$MERCHANT") \
  <(server fallback $S_FALLBACK $F_FALLBACK "$MERCHANT" 600 $F_FALLBACK) \
  <(server deadFacilitator $S_DEADFAC $DEAD_FACILITATOR "$MERCHANT" |
    jq --arg p "$PROGRAM_ID" --arg x "$ATTESTER_X" --arg y "$ATTESTER_Y" '. + {programId: $p, attester: {x: $x, y: $y}}') \
  <(server killable $S_KILL $F_KILL "$MERCHANT") <(server batch $S_BATCH $F_BATCH "$MERCHANT") \
  <(server replayBatch $S_REPLAY_BATCH $F_REPLAY_BATCH "$MERCHANT") \
  <(server guard $S_GUARD $F_GUARD "$MERCHANT" 600 $F_GUARD))"
start_bg servers env E2E_SERVERS="$SERVERS" X402_RESOURCE_SALT="$(openssl rand -hex 32)" \
  node app/build-test/test-e2e/servers.js
# The merchant of app/README.md: examples/merchant.ts with exactly the environment the README lists.
start_bg readme-merchant env FACILITATOR_URL="$(fac $F_README)" MERCHANT_PUBKEY="$MERCHANT" \
  X402_RESOURCE_SALT="$(openssl rand -hex 32)" PORT=$S_README node app/build-test/examples/merchant.js
for p in $S_A $S_B $S_EXPIRING $S_STALE $S_FALLBACK $S_DEADFAC $S_KILL $S_BATCH $S_REPLAY_BATCH $S_GUARD; do
  wait_http servers "http://127.0.0.1:$p/health"
done
wait_http readme-merchant "http://127.0.0.1:$S_README/health"

jq -n --arg rpc "$RPC" --arg dead "$DEAD_RPC" --arg payer "$WORK/payer.json" --arg program "$PROGRAM_ID" \
  --arg min "$MIN_AMOUNT" --arg prover "$(fac $PROVER_PORT)" \
  --arg fm "$(fac $F_MAIN)" --arg ff "$(fac $F_FALLBACK)" --arg fs "$(fac $F_STALE)" --arg fk "$(fac $F_KILL)" --arg fb "$(fac $F_BATCH)" \
  --argjson killPid "$STACK_PID_f_killable" --argjson skew $STALE_SKEW --argjson maxAge $EXPIRING_MAX_AGE \
  --arg sa "$(fac $S_A)" --arg sb "$(fac $S_B)" --arg se "$(fac $S_EXPIRING)" --arg ss "$(fac $S_STALE)" \
  --arg sf "$(fac $S_FALLBACK)" --arg sd "$(fac $S_DEADFAC)" --arg sk "$(fac $S_KILL)" --arg sbatch "$(fac $S_BATCH)" \
  --arg frb "$(fac $F_REPLAY_BATCH)" --arg frl "$(fac $F_RATE)" --arg fg "$(fac $F_GUARD)" --arg frm "$(fac $F_README)" \
  --arg srb "$(fac $S_REPLAY_BATCH)" --arg sg "$(fac $S_GUARD)" --arg srm "$(fac $S_README)" \
  --arg merchantB "$MERCHANT_B" --arg authority "$HOME/.config/solana/id.json" --argjson slow $SLOW_MS \
  '{rpc: $rpc, deadRpc: $dead, payerKeypair: $payer, programId: $program, minAmount: $min, proverUrl: $prover,
    facilitators: {main: $fm, fallback: $ff, stale: $fs, killable: $fk, batch: $fb,
      replayBatch: $frb, rateLimited: $frl, guard: $fg, readme: $frm}, killableFacilitatorPid: $killPid,
    staleSkewSeconds: $skew, expiringMaxAge: $maxAge,
    servers: {a: $sa, b: $sb, expiring: $se, stale: $ss, fallback: $sf, deadFacilitator: $sd, killable: $sk, batch: $sbatch,
      replayBatch: $srb, guard: $sg, readme: $srm},
    merchantB: $merchantB, authorityKeypair: $authority, slowMs: $slow}' \
  >"$WORK/e2e.json"

run_step "end-to-end suite (app/test-e2e)" bash -c "cd app && E2E_CONFIG='$WORK/e2e.json' \
  node --test --test-reporter=spec build-test/test-e2e/*.test.js"
# Alone, after everything else: these change the chain's attester (every other facilitator refuses to
# serve meanwhile) and watch the fee payer's balance.
run_step "end-to-end suite, chain-level tests (app/test-e2e/serial)" bash -c "cd app && E2E_CONFIG='$WORK/e2e.json' \
  node --test --test-reporter=spec build-test/test-e2e/serial/*.test.js"
# Every metric the dashboards and alerts name is exported by the running services; every dashboard
# expression, alert expression (without its threshold) and selector returns data from Prometheus
# (bounded wait); then a PNG of some of those series (E2E_PLOT, default $WORK/monitoring/).
monitoring_checks() {
  local urls=() p
  # Real proofs on the prover service too (the e2e clients may prove in-process): 8 distinct
  # witnesses (new Groth16 proofs), then 20 repeats of one (cache hits); then two scrapes.
  "$BIN/x402-zk-load" --url "$(fac $PROVER_PORT)" --clients 2 --requests 4 --mode uncached >"$WORK/logs/load.log"
  "$BIN/x402-zk-load" --url "$(fac $PROVER_PORT)" --clients 2 --requests 10 --mode cached >>"$WORK/logs/load.log"
  sleep 5
  for p in $PROVER_PORT $F_MAIN $F_FALLBACK $F_STALE $F_BATCH $F_REPLAY_BATCH $F_RATE $F_GUARD $F_README; do
    urls+=("http://127.0.0.1:$p/metrics") # not $F_KILL: a test killed it
  done
  "$OPS_PY" monitoring/check.py names "${urls[@]}"
  "$OPS_PY" monitoring/check.py query "$PROM_URL" --start "$PROM_T0" --out "$WORK/monitoring" --wait 90
  "$OPS_PY" monitoring/check.py plot "$WORK/monitoring" "${E2E_PLOT:-$WORK/monitoring/e2e-metrics.png}"
}
run_step "monitoring: dashboards and alerts against the run's Prometheus (monitoring/check.py)" monitoring_checks
echo "==> e2e passed"
[[ "${E2E_KEEP:-0}" == 1 ]] || STACK_RM_ON_EXIT="$WORK/ledger" # once the validator has stopped
