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
# work dir for inspection). Needs scripts/setup.sh and scripts/build.sh to have run (it builds what
# is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"

WORK="${X402_DEMO_DIR:-$ROOT/.x402-zk/demo}"
RPC_PORT="${DEMO_RPC_PORT:-8899}"
RPC="http://127.0.0.1:$RPC_PORT"
PROVER_PORT=18080 FACILITATOR_PORT=18403 SERVER_PORT=14021
PROGRAM_ID="$(solana-keygen pubkey keys/x402_zk_verifier-keypair.json)"
PIDS=()

cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    echo "*** demo failed (exit $rc). Logs in $WORK/logs:" >&2
    for f in "$WORK"/logs/*.log; do
      [[ -f "$f" ]] && { echo "--- $(basename "$f") (last 15 lines)" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  exit $rc
}
trap cleanup EXIT INT TERM

wait_http() { # wait_http NAME URL [SECONDS]
  local i
  for ((i = 0; i < ${3:-60} * 4; i++)); do
    curl -sf -o /dev/null "$2" && return 0
    sleep 0.25
  done
  die "$1 did not come up at $2 (see $WORK/logs/$1.log)"
}

rm -rf "$WORK" && mkdir -p "$WORK/logs"

run_step "build (program, binaries, TypeScript)" bash -c '
  set -e
  [[ -s target/deploy/x402_zk_verifier.so ]] || bash scripts/build.sh
  cargo build -q -p x402-zk-circuits -p x402-zk-prover-service -p x402-zk-facilitator --bins
  (cd app && npx tsc -p tsconfig.test.json)'
BIN="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/debug"

run_step "dev keys (UNSAFE: local only) + attester key" bash -c "
  set -e
  '$BIN/x402-zk' keys dev-setup --deterministic --out '$WORK/keys' >'$WORK/logs/keys.log'
  '$BIN/x402-zk' attester keygen --out '$WORK/attester.json' >/dev/null
  solana-keygen new --no-bip39-passphrase --silent -o '$WORK/merchant.json'
  solana-keygen new --no-bip39-passphrase --silent -o '$WORK/payer.json'"
MERCHANT="$(solana-keygen pubkey "$WORK/merchant.json")"

run_step "solana-test-validator (program preloaded)" bash -c "
  if curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}' $RPC; then
    echo '*** something already listens on $RPC (a leftover validator?): stop it or set DEMO_RPC_PORT' >&2; exit 1
  fi"
solana-test-validator --reset --quiet --ledger "$WORK/ledger" --rpc-port "$RPC_PORT" \
  --faucet-port $((RPC_PORT + 1001)) --bpf-program "$PROGRAM_ID" target/deploy/x402_zk_verifier.so \
  >"$WORK/logs/validator.log" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 120; i++)); do
  solana -u "$RPC" cluster-version >/dev/null 2>&1 && break
  sleep 0.5
done
solana -u "$RPC" cluster-version >/dev/null 2>&1 || die "validator did not start (see $WORK/logs/validator.log)"
solana -u "$RPC" airdrop 100 "$(solana-keygen pubkey "$WORK/payer.json")" >/dev/null
solana -u "$RPC" airdrop 10 >/dev/null
echo "    validator up at $RPC, program $PROGRAM_ID"

run_step "initialize config (migrations/deploy.ts)" env SOLANA_RPC_URL="$RPC" MERCHANT_PUBKEY="$MERCHANT" \
  MIN_PAYMENT_AMOUNT=1000000 ATTESTER_KEY_PATH="$WORK/attester.json" \
  npx ts-node -P migrations/tsconfig.json migrations/deploy.ts

"$BIN/x402-zk-prover" --bind-addr 127.0.0.1 --port $PROVER_PORT --keys-dir "$WORK/keys" --allow-dev-keys \
  --rate-limit-per-minute 1000 >"$WORK/logs/prover.log" 2>&1 &
PIDS+=($!)
"$BIN/x402-zk-facilitator" --port $FACILITATOR_PORT --rpc-urls "$RPC" --program-id "$PROGRAM_ID" \
  --attester-key "$WORK/attester.json" --fee-payer "$HOME/.config/solana/id.json" \
  --verifying-key "$WORK/keys/receipt.vk" --allow-dev-keys --receipt-ledger "$WORK/receipts.log" \
  >"$WORK/logs/facilitator.log" 2>&1 &
PIDS+=($!)
wait_http prover "http://127.0.0.1:$PROVER_PORT/health"
wait_http facilitator "http://127.0.0.1:$FACILITATOR_PORT/health"

(cd app && PORT=$SERVER_PORT FACILITATOR_URL="http://127.0.0.1:$FACILITATOR_PORT" MERCHANT_PUBKEY="$MERCHANT" \
  MIN_PAYMENT_AMOUNT=1000000 ATTESTER_URL="http://127.0.0.1:$FACILITATOR_PORT" \
  PROVER_URL="http://127.0.0.1:$PROVER_PORT" MAX_RECEIPT_AGE=600 \
  exec node build-test/examples/demo-server.js) >"$WORK/logs/server.log" 2>&1 &
PIDS+=($!)
wait_http server "http://127.0.0.1:$SERVER_PORT/health"

echo "==> the payment story"
(cd app && RESOURCE_URL="http://127.0.0.1:$SERVER_PORT/premium" SOLANA_RPC_URLS="$RPC" \
  PAYER_KEYPAIR="$WORK/payer.json" MAX_PAYMENT=2000000 node build-test/examples/demo-client.js)
echo "==> demo passed"
[[ "${DEMO_KEEP:-0}" == 1 ]] || rm -rf "$WORK/ledger"
