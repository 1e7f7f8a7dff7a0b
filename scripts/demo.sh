#!/usr/bin/env bash
# scripts/demo.sh — the main job in one command: a private, replay-proof x402 payment end to end on a
# local validator. Starts solana-test-validator (program preloaded), initializes the config with a
# fresh attester key, starts the prover, the facilitator (+ attester) and an @x402/express resource
# server, then runs the @x402/fetch client, which tells the story step by step:
#   request → 402 → pay (with commitment memo) → receipt → proof → retry with payment header → 200 +
#   settlement → nullifier account on-chain → replaying the same header gets 402.
# Every process it starts is stopped on exit. Exit status 0 only when the whole story holds.
#
# Env: X402_DEMO_DIR (work dir, default .x402-zk/demo), DEMO_RPC_PORT (8899), DEMO_KEEP=1 (leave the
# work dir for inspection). Process management lives in scripts/stack.sh (shared with scripts/e2e.sh).
# Needs scripts/setup.sh to have run (it builds what is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"

source "$ROOT/scripts/stack.sh"
PROVER_PORT=18080 FACILITATOR_PORT=18403 SERVER_PORT=14021
stack_init demo "${X402_DEMO_DIR:-$ROOT/.x402-zk/demo}" "${DEMO_RPC_PORT:-8899}"
stack_build
stack_keys
stack_validator
stack_deploy 1000000

start_prover $PROVER_PORT
start_facilitator facilitator $FACILITATOR_PORT "$RPC"
wait_http prover "http://127.0.0.1:$PROVER_PORT/health"
wait_http facilitator "http://127.0.0.1:$FACILITATOR_PORT/health"

# The merchant's resource salt: a fresh secret per demo run (a real merchant makes one and keeps it).
(cd app && PORT=$SERVER_PORT FACILITATOR_URL="http://127.0.0.1:$FACILITATOR_PORT" MERCHANT_PUBKEY="$MERCHANT" \
  X402_RESOURCE_SALT="$(openssl rand -hex 32)" \
  MIN_PAYMENT_AMOUNT=1000000 ATTESTER_URL="http://127.0.0.1:$FACILITATOR_PORT" \
  PROVER_URL="http://127.0.0.1:$PROVER_PORT" MAX_RECEIPT_AGE=600 \
  exec node build-test/examples/demo-server.js) >"$WORK/logs/server.log" 2>&1 &
PIDS+=($!)
wait_http server "http://127.0.0.1:$SERVER_PORT/health"

echo "==> the payment story"
(cd app && RESOURCE_URL="http://127.0.0.1:$SERVER_PORT/premium" SOLANA_RPC_URLS="$RPC" \
  PAYER_KEYPAIR="$WORK/payer.json" MAX_PAYMENT=2000000 node build-test/examples/demo-client.js)
echo "==> demo passed"
[[ "${DEMO_KEEP:-0}" == 1 ]] || STACK_RM_ON_EXIT="$WORK/ledger" # once the validator has stopped
