# scripts/stack.sh — the local x402-zk stack as shell functions, sourced by scripts/demo.sh and
# scripts/e2e.sh so there is one copy of the process management (sourced, not run):
#   stack_init NAME WORK RPC_PORT   work dir, trap that stops every started process (logs on failure)
#   stack_build                     program .so (only if missing), Rust binaries, TypeScript
#   stack_keys                      dev proving keys (UNSAFE, local only), attester, merchant, payer
#   stack_validator                 solana-test-validator with the program preloaded, airdrops
#   stack_deploy MIN_AMOUNT         config via migrations/deploy.ts (merchant, attester key)
#   start_prover PORT
#   start_facilitator NAME PORT RPC_URLS [extra flags…]
#   start_bg NAME COMMAND…          any other process, logged to $WORK/logs/NAME.log
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
  run_step "build (program, binaries, TypeScript)" bash -c '
    set -e
    [[ -s target/deploy/x402_zk_verifier.so ]] || bash scripts/build.sh
    # --workspace --tests: the feature set of `cargo test --workspace`, so after the test step this
    # is a no-op (with -p or without --tests, features differ and ~200 crates rebuild).
    cargo build -q --workspace --bins --tests
    (cd app && npx tsc -p tsconfig.test.json)'
  BIN="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/debug"
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
  # Upgradeable, with the deploy wallet (~/.config/solana/id.json, what deploy.ts signs with) as
  # upgrade authority: initialize_config is accepted only from the program's upgrade authority.
  solana-test-validator --reset --quiet --ledger "$WORK/ledger" --rpc-port "$RPC_PORT" \
    --faucet-port $((RPC_PORT + 1001)) \
    --upgradeable-program "$PROGRAM_ID" target/deploy/x402_zk_verifier.so \
    "$(solana-keygen pubkey "$HOME/.config/solana/id.json")" \
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
  echo "    (solana-test-validator (program preloaded): $(($(date +%s) - t0))s)"
}

stack_deploy() { # stack_deploy MIN_AMOUNT
  run_step "initialize config (migrations/deploy.ts)" env SOLANA_RPC_URL="$RPC" MERCHANT_PUBKEY="$MERCHANT" \
    MIN_PAYMENT_AMOUNT="$1" ATTESTER_KEY_PATH="$WORK/attester.json" \
    npx ts-node -P migrations/tsconfig.json migrations/deploy.ts
}

start_bg() { # start_bg NAME COMMAND…
  local name="$1"
  shift
  "$@" >"$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "STACK_PID_${name//-/_}" '%s' "$!"
}

start_prover() { # start_prover PORT
  start_bg prover "$BIN/x402-zk-prover" --bind-addr 127.0.0.1 --port "$1" --keys-dir "$WORK/keys" \
    --allow-dev-keys --rate-limit-per-minute 1000
}

# Serves the merchants in FACILITATOR_PAY_TO (comma list; default $MERCHANT) and advertises the
# prover at PROVER_PORT in /supported when that is set.
start_facilitator() { # start_facilitator NAME PORT RPC_URLS [extra flags…]
  local name="$1" port="$2" rpcs="$3"
  shift 3
  start_bg "$name" "$BIN/x402-zk-facilitator" --port "$port" --rpc-urls "$rpcs" --program-id "$PROGRAM_ID" \
    --attester-key "$WORK/attester.json" --fee-payer "$HOME/.config/solana/id.json" \
    --verifying-key "$WORK/keys/receipt.vk" --allow-dev-keys --pay-to "${FACILITATOR_PAY_TO:-$MERCHANT}" \
    ${PROVER_PORT:+--prover-url "http://127.0.0.1:$PROVER_PORT"} "$@"
}
