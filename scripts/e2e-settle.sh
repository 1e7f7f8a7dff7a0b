#!/usr/bin/env bash
# scripts/e2e-settle.sh — lost settle answers (issue #19, "no payment lost"): a payment whose
# /settle answer is lost after its transaction landed is served exactly once on the payer's retry,
# and nothing else is (docs/PROTOCOL.md §Flow 6, "Lost settle answers").
#
# Starts (scripts/stack.sh): one solana-test-validator (program preloaded) and one Rust facilitator
# (:21100); then runs app/test-e2e/settle/*.test.ts, which starts in its own process an answer-
# dropping proxy in front of the facilitator and real @x402/express servers (demo app) behind it,
# and pays with the real @x402/fetch client. Stops every process on exit.
#
# Env: X402_SETTLE_DIR (work dir, default .x402-zk/e2e-settle), SETTLE_RPC_PORT (21000; services
# use RPC+100…RPC+199), SETTLE_KEEP=1 (keep the work dir).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/stack.sh"
x402_tool_path
cd "$ROOT"

MIN_AMOUNT=1000000
RPC_PORT_=${SETTLE_RPC_PORT:-21000}
F_PORT=$((RPC_PORT_ + 100)) PROXY_PORT=$((RPC_PORT_ + 101)) SERVER_PORT=$((RPC_PORT_ + 102))
JOURNAL_SERVER_PORT=$((RPC_PORT_ + 103))
stack_init e2e-settle "${X402_SETTLE_DIR:-$ROOT/.x402-zk/e2e-settle}" "$RPC_PORT_"
for p in "$RPC_PORT_" $F_PORT $PROXY_PORT $SERVER_PORT $JOURNAL_SERVER_PORT; do port_free "$p" "an e2e-settle port"; done

stack_build
stack_keys
stack_validator
stack_deploy $MIN_AMOUNT
start_facilitator f-settle $F_PORT "$RPC"
wait_http "f-settle" "http://127.0.0.1:$F_PORT/health"

jq -n --arg rpc "$RPC" --arg payer "$WORK/payer.json" --arg program "$PROGRAM_ID" --arg min "$MIN_AMOUNT" \
  --arg f "http://127.0.0.1:$F_PORT" --arg merchant "$MERCHANT" --arg work "$WORK" \
  --argjson proxy $PROXY_PORT --argjson server $SERVER_PORT --argjson journalServer $JOURNAL_SERVER_PORT \
  '{rpc: $rpc, payerKeypair: $payer, programId: $program, minAmount: $min, facilitators: {main: $f},
    servers: {}, settle: {facilitator: $f, merchant: $merchant, proxyPort: $proxy, serverPort: $server,
    journalServerPort: $journalServer, workDir: $work}}' >"$WORK/e2e.json"

run_step "lost settle answers (app/test-e2e/settle)" bash -c "cd app && E2E_CONFIG='$WORK/e2e.json' \
  X402_RESOURCE_SALT='$(openssl rand -hex 32)' node --test --test-reporter=spec build-test/test-e2e/settle/*.test.js"
echo "==> e2e-settle passed"
[[ "${SETTLE_KEEP:-0}" == 1 ]] || STACK_RM_ON_EXIT="$WORK/ledger"
