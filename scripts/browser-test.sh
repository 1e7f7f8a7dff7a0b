#!/usr/bin/env bash
# scripts/browser-test.sh — the SDK in a real browser (issue #16): headless Chromium (Debian's
# /usr/bin/chromium, or $CHROMIUM) driven by playwright-core.
#   0. app/test-browser/package.test.ts: the SDK's CommonJS and ES-module builds load / bundle.
#   1. app/test-browser/wallet.test.ts: the IndexedDB receipt wallet and proving-key cache (tabs, a
#      killed browser), encodings equal to Node's, paying through a wallet adapter's signTransaction.
#   2. app/test-browser/prover.test.ts: @x402-zk/prover-wasm's web build proves the committed dev request on
#      the real receipt circuit in Chromium, RUNS times (timings → target/browser-prover.json).
#   3. app/test-browser/demo.test.ts against the real local stack started here (scripts/stack.sh): a
#      validator (program preloaded), the facilitator + attester, the demo server with the browser
#      page (/web/), and NO prover service: the page proves in WebAssembly, in its module Web Worker
#      (app/web/worker.ts runs the x402 client; the test checks the proof came from the worker). It pays
#      through @x402/fetch and renders the paid content; a closed tab's payment is finished by a new tab.
#      Writes target/browser-demo.json (per-request step and proof times) and docs/img/browser-demo.png.
# Every process it starts is stopped on exit (stack.sh's trap); every wait is bounded.
#
# Env: X402_BROWSER_DIR (work dir, default .x402-zk/browser), BROWSER_RPC_PORT (19899), CHROMIUM,
# BROWSER_SCREENSHOT (docs/img/browser-demo.png; empty = none). Needs scripts/setup.sh (Chromium, npm
# packages) and scripts/build-wasm.sh (app/prover-wasm) to have run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/stack.sh"
x402_tool_path
cd "$ROOT"

FACILITATOR_PORT=19403 SERVER_PORT=19021
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || die "no Chromium at $CHROMIUM: run scripts/setup.sh (or set CHROMIUM)"
[[ -d app/node_modules/playwright-core ]] || die "playwright-core missing in app/node_modules: run scripts/setup.sh"
[[ -f app/prover-wasm/package.json ]] || die "app/prover-wasm is not built: run scripts/build-wasm.sh"
export CHROMIUM

stack_init browser "${X402_BROWSER_DIR:-$ROOT/.x402-zk/browser}" "${BROWSER_RPC_PORT:-19899}"
for p in $FACILITATOR_PORT $SERVER_PORT; do port_free "$p" "a browser-test port"; done
stack_build
run_step "SDK package: CommonJS + ES-module builds (npm run build)" \
  bash -c 'cd app && npm run build --silent && timeout 120 node --test --test-reporter=spec build-test/test-browser/package.test.js'
run_step "browser bundle (app/web, esbuild --platform=browser)" bash -c 'cd app && node web/build.mjs'
run_step "Chromium: IndexedDB wallet, encodings, wallet-adapter signing" \
  bash -c 'cd app && timeout 300 node --test --test-reporter=spec build-test/test-browser/wallet.test.js'

# Before the validator starts: the timings are of the prover alone, not of a prover sharing 2 cores with a validator.
run_step "Chromium: the WebAssembly receipt prover (proofs verify; timings)" \
  env -C app X402_ZK_CLI="$BIN/x402-zk" BROWSER_PROVER_OUT="$ROOT/target/browser-prover.json" \
  timeout 600 node --test --test-reporter=spec build-test/test-browser/prover.test.js

stack_keys
stack_validator
stack_deploy 1000000
# No PROVER_PORT: the facilitator advertises no prover, and none runs.
start_facilitator facilitator $FACILITATOR_PORT "$RPC"
wait_http facilitator "http://127.0.0.1:$FACILITATOR_PORT/health"
start_bg server env -C app PORT=$SERVER_PORT FACILITATOR_URL="http://127.0.0.1:$FACILITATOR_PORT" \
  MERCHANT_PUBKEY="$MERCHANT" X402_RESOURCE_SALT="$(openssl rand -hex 32)" MIN_PAYMENT_AMOUNT=1000000 \
  ATTESTER_URL="http://127.0.0.1:$FACILITATOR_PORT" MAX_RECEIPT_AGE=600 SOLANA_RPC_URL="$RPC" \
  node build-test/examples/demo-server.js
wait_http server "http://127.0.0.1:$SERVER_PORT/health"

SHOT="${BROWSER_SCREENSHOT-$ROOT/docs/img/browser-demo.png}"
run_step "Chromium: the browser demo pays against the local stack" \
  env -C app BROWSER_DEMO_URL="http://127.0.0.1:$SERVER_PORT" SOLANA_RPC_URL="$RPC" \
  BROWSER_DEMO_OUT="$ROOT/target/browser-demo.json" BROWSER_DEMO_SCREENSHOT="$SHOT" \
  timeout 600 node --test --test-reporter=spec build-test/test-browser/demo.test.js
echo "==> browser tests passed (timings: target/browser-prover.json, target/browser-demo.json${SHOT:+; screenshot: ${SHOT#"$ROOT"/}})"
[[ "${BROWSER_KEEP:-0}" == 1 ]] || STACK_RM_ON_EXIT="$WORK/ledger" # once the validator has stopped
