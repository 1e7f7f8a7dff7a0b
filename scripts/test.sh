#!/usr/bin/env bash
# scripts/test.sh — the project's whole test suite (the README's test command; CI runs exactly this):
#   rustfmt, the program build, cargo test --workspace (with clippy -D warnings on the workspace's crates;
#   the LiteSVM tests of the built program among them), the WebAssembly prover, the SDK, the anchor-client
#   tests and `anchor test` (ts-mocha) against a real solana-test-validator, then the validator suites.
# Options: --skip-lint, --only-anchor. Needs scripts/setup.sh to have run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
LINT=1 ONLY_ANCHOR=0
for a in "$@"; do
  case "$a" in
    --skip-lint) LINT=0 ;;
    --only-anchor) ONLY_ANCHOR=1 ;;
    *) die "unknown option: $a" ;;
  esac
done
for t in cargo anchor solana-test-validator cargo-build-sbf node; do
  command -v "$t" >/dev/null || die "$t not on PATH: run scripts/setup.sh first"
done
[[ -d node_modules ]] || die "node_modules missing: run scripts/setup.sh first"
T0=$(date +%s)
# The validator suites' stacks run 100 ms slots (scripts/stack.sh): a payment is finalized in ~3.5 s
# instead of ~13 s, and every paid request waits for that (measured: e2e 274 -> 192 s, chaos 215 -> 148 s,
# lost settle answers 139 -> 82 s). Blockhashes then live ~15 s. Override with STACK_TICKS_PER_SLOT=64.
export STACK_TICKS_PER_SLOT="${STACK_TICKS_PER_SLOT:-16}"
# Every validator this run starts (the stacks, anchor test's, the anchor-client tests') gets its
# busy-polling scheduler thread reniced (scripts/lib.sh, validator_spin_watch): one watch for the run.
validator_spin_watch &
SPIN_WATCH_PID=$!
trap 'kill $SPIN_WATCH_PID 2>/dev/null || true' EXIT
export X402_SPIN_WATCHED=1

if [[ $ONLY_ANCHOR == 0 ]]; then
  if [[ $LINT == 1 ]]; then
    run_step "cargo fmt --check" cargo fmt --all --check
    # clippy -D warnings on every workspace target as it is built for the tests (scripts/lib.sh).
    x402_lint_env
  fi
  run_step "set-up refuses a missing toolchain" bash scripts/tests/setup-missing-toolchain.sh
  run_step "the IDL sources hash follows what the IDL is made from" bash scripts/tests/idl-sources-hash.sh
  # Monitoring (#18): promtool check config + check rules + test rules (each alert fires and stays
  # silent on synthetic series), dashboards/runbook consistent, deploy/compose.yml schema + commands.
  run_step "monitoring: promtool check/test rules, dashboards, compose (monitoring/test-static.sh)" \
    timeout 300 bash monitoring/test-static.sh
  run_step "x402 scheme docs agree with the code (docs/x402/check.sh)" bash docs/x402/check.sh
fi
# The program first: the workspace's tests include the LiteSVM tests of the built .so (tests/litesvm).
run_step "program build (anchor build)" bash scripts/build.sh
# The SDK's committed IDL and TypeScript types are what this program build made (or, when the program's
# sources have not changed since, what build.sh took them from): a stale copy fails here, not at run time.
run_step "the SDK's IDL is the program's (app/scripts/sync-idl.mjs --check)" node app/scripts/sync-idl.mjs --check
if [[ $ONLY_ANCHOR == 0 ]]; then
  # One build of one dependency tree (issue #20): the services, the circuit, the anchor-client and the
  # LiteSVM tests. The bench targets are only built (linted) here; `scripts/bench-prove.sh` runs them.
  # --ignore-rust-version: litesvm's agave crates (root Cargo.toml).
  rm -f "$ROOT/target/litesvm-cu.json" # the LiteSVM tests record this build's compute units afresh
  run_step "cargo test --workspace, LiteSVM tests included$([[ $LINT == 1 ]] && echo ' (+ clippy -D warnings)')" \
    bash -c 'cargo test --workspace --ignore-rust-version --benches --no-run -q && cargo test --workspace --ignore-rust-version'
  # #15: the CU tables in BENCHMARKS.md and BENCHMARKS-program.md are generated from what the LiteSVM
  # tests just measured (target/litesvm-cu.json); fail, with a diff, when the committed ones differ.
  run_step "CU tables match this build (scripts/cu-table.sh --check)" timeout 60 bash scripts/cu-table.sh --check
  # The client-side prover (issue #16): the wasm32 build into app/prover-wasm (fast when nothing
  # changed), then its Node smoke test. circuits/wasm's own host tests build a third native copy of
  # arkworks (~19 min cold), so they are not here: `cd circuits/wasm && cargo test` (see its README).
  run_step "WebAssembly prover build" bash scripts/build-wasm.sh
  run_step "WebAssembly prover smoke test (Node)" node --test app/prover-wasm/test/
  run_step "TypeScript SDK tests (app/)" bash -c "cd app && npm test --silent"
fi
# A validator left over from an interrupted run holds the ports; anchor would then test against it.
if pgrep -f "solana-test-validator.*$ROOT" >/dev/null; then
  echo "    stopping a leftover solana-test-validator"
  pkill -f "solana-test-validator.*$ROOT" || true
  sleep 2
fi
run_step "anchor test (solana-test-validator)" env -u RUSTUP_TOOLCHAIN anchor test --skip-build --validator legacy
if [[ $ONLY_ANCHOR == 0 ]]; then
  # The validator suites below start their own validators; their build step runs once here, not in each.
  source scripts/stack.sh
  stack_build
  export X402_STACK_BUILT=1 X402_STACK_BIN="$BIN"
  # Two lanes side by side (issue #20: 416 s of suites one after the other, mostly waiting for slots).
  # Each suite's ports are its own (scripts/*.sh headers; the anchor-client validators pick free ports
  # in 28000-32000; chaos moves off load.sh's default), and every suite stops what it started.
  LANE_DIR="$ROOT/target/test-lanes"
  rm -rf "$LANE_DIR"
  lane_a() {
    # First, beside the anchor-client tests: the browser suite is the one most slowed by a busy
    # neighbour (its demo's in-browser proofs took 31 s instead of 1.6 s beside the lost-settle suite).
    # The browser: IndexedDB wallet in Chromium, then the demo page pays against a real local stack
    # with in-browser WebAssembly proving (bounded: each test has its own timeouts; 15 min in all).
    run_step "browser tests in headless Chromium (scripts/browser-test.sh)" timeout 900 bash scripts/browser-test.sh
    # Negative paths against real processes: underpayment, wrong merchant, expired receipt/payment,
    # replay, facilitator down (from the start, and mid-payment), RPC primary down → fallback.
    run_step "end-to-end negative paths (scripts/e2e.sh)" bash scripts/e2e.sh
    # Issue #19, CI-sized: the whole-path load (0 errors, books audited from the chain).
    run_step "load, CI-sized (scripts/load.sh --ci load)" timeout 900 bash scripts/load.sh --ci load
    # The main job as a test: a real validator, prover, facilitator, @x402/express server and
    # @x402/fetch client; exits non-zero unless payment, settlement, nullifier and replay refusal all hold.
    run_step "end-to-end x402 payment (scripts/demo.sh)" bash scripts/demo.sh
    # The express middleware's payment headers: 1,000 deterministic malicious inputs (fast-check), no 5xx,
    # every refusal x402-shaped with a reason, then a genuine payment is still served.
    run_step "express header fuzz, CI-sized (scripts/load.sh --ci fuzz)" timeout 900 bash scripts/load.sh --ci fuzz
  }
  lane_b() {
    # Rust client (anchor-client) tests: each test binary starts its own solana-test-validator
    # (free ports in 28000-32000, temporary ledger) with the built .so and stops it at the end.
    # `--workspace` (not `-p`): the same feature unification as `cargo test --workspace` above, so the
    # binaries are already built; `-p` alone resolves other features and rebuilds ~200 crates.
    run_step "anchor-client tests (solana-test-validator)" cargo test --workspace --ignore-rust-version \
      --test payments --test admin --test facilitator_batch -- --ignored --test-threads=1
    # Issue #19, CI-sized chaos: facilitator, validator, prover and payers SIGKILLed, primary RPC
    # dropped: nothing lost, nothing settled twice, proven from the chain. The long suites and
    # READINESS.md: bash scripts/readiness.sh.
    # On its own ports (load.sh: 25000 for chaos, 23000 for load and fuzz in lane a).
    run_step "chaos, CI-sized (scripts/load.sh --ci chaos)" timeout 900 bash scripts/load.sh --ci chaos
    # A /settle answer lost after its transaction landed: the payer's retry is served exactly once from
    # the merchant's journal + /v1/settlement, and replays, forged proofs, other resources are refused.
    run_step "end-to-end lost settle answers (scripts/e2e-settle.sh)" timeout 900 bash scripts/e2e-settle.sh
  }
  lane_start a lane_a
  lane_start b lane_b
  lanes_wait
fi
step_table
echo "==> all tests passed in $(( $(date +%s) - T0 ))s"
