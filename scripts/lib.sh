# scripts/lib.sh — small helpers shared by the project's shell scripts (sourced, not run).

die() {
  echo "*** ${0##*/}: $*" >&2
  exit 1
}

# run_step TITLE FUNCTION... — prints the step, runs it, prints its duration, and remembers it for
# step_table.
STEP_TIMES=()
run_step() {
  local title="$1" t0 dt
  shift
  t0=$(date +%s)
  echo "==> [$(date -u +%H:%M:%S)] $title"
  # In a lane (lane_start) the output goes to the lane's log; fd 3 is the terminal: progress there.
  [[ -n "${LANE:-}" ]] && echo "--> [$(date -u +%H:%M:%S)] lane $LANE: $title" >&3
  "$@"
  dt=$(( $(date +%s) - t0 ))
  echo "    ($title: ${dt}s)"
  if [[ -n "${LANE:-}" ]]; then
    echo "--> [$(date -u +%H:%M:%S)] lane $LANE: $title (${dt}s)" >&3
    printf '%s\t%s\n' "$dt" "$title" >>"$LANE_DIR/$LANE.times"
  fi
  STEP_TIMES+=("$dt"$'\t'"$title")
}

# step_table — the durations of every run_step of this shell, as a table (slowest first).
step_table() {
  local total=0 line
  echo "==> step durations"
  printf '    %8s  %s\n' "seconds" "step"
  for line in "${STEP_TIMES[@]}"; do total=$(( total + ${line%%$'\t'*} )); done
  printf '%s\n' "${STEP_TIMES[@]}" | sort -t$'\t' -k1,1nr | while IFS=$'\t' read -r dt title; do
    printf '    %8s  %s\n' "$dt" "$title"
  done
  printf '    %8s  %s\n' "$total" "total"
}

# Lanes (issue #20): the validator suites each start their own stack on ports of their own, and spend
# most of their time waiting for slots, so two sequences of them run side by side.
#   lane_start NAME FUNCTION   runs FUNCTION (run_step calls) in the background, its output in
#                              $LANE_DIR/NAME.log; each step's start and end are shown as they happen
#   lanes_wait                 waits for every lane, prints each lane's log whole (one after the
#                              other, never interleaved), adds their steps to step_table, and dies
#                              naming the lanes that failed
LANE_PIDS=() LANE_NAMES=()
lane_start() { # lane_start NAME FUNCTION
  mkdir -p "${LANE_DIR:?}"
  : >"$LANE_DIR/$1.times"
  (
    LANE="$1"
    exec 3>&1 >"$LANE_DIR/$1.log" 2>&1
    "$2"
  ) &
  LANE_PIDS+=($!) LANE_NAMES+=("$1")
}
lanes_wait() {
  local i rc failed=() line
  for i in "${!LANE_PIDS[@]}"; do
    rc=0
    wait "${LANE_PIDS[$i]}" || rc=$?
    [[ $rc == 0 ]] || failed+=("${LANE_NAMES[$i]} (exit $rc)")
  done
  for i in "${!LANE_NAMES[@]}"; do
    echo "==> lane ${LANE_NAMES[$i]}: its whole output"
    cat "$LANE_DIR/${LANE_NAMES[$i]}.log"
    while IFS= read -r line; do STEP_TIMES+=("$line"); done <"$LANE_DIR/${LANE_NAMES[$i]}.times"
  done
  LANE_PIDS=() LANE_NAMES=()
  [[ ${#failed[@]} == 0 ]] || die "lane failed: ${failed[*]} (its output is above)"
}

# solana-test-validator 4.2's transaction scheduler thread (solBnkTxSched) polls without sleeping: an
# idle validator takes ~1.3 of this machine's 2 cores (measured, ~1.1 of them that one thread), which
# the suites' own processes (prover, facilitator, clients, local proving) then share with it. Each
# validator's scheduler thread is given nice 19: it still runs on any idle core and yields to the
# processes that do the work (e2e.sh: 164 -> 146 s). Validators of this user only (renice refuses others).
# validator_spin_watch — runs until killed: start it in the background (scripts/test.sh, stack_validator).
validator_spin_watch() {
  local -A done_=()
  local pid c tid name
  while sleep 1; do
    for pid in $(pgrep -x solana-test-val); do
      [[ -n "${done_[$pid]:-}" ]] && continue
      for c in /proc/"$pid"/task/*/comm; do
        read -r name 2>/dev/null <"$c" || continue # (stderr first: a task may exit between glob and read)
        [[ $name == solBnkTxSched ]] || continue
        tid="${c%/comm}" tid="${tid##*/}"
        renice -n 19 -p "$tid" >/dev/null 2>&1 || true
        done_[$pid]=1
      done
    done
  done
}

# Puts the project's external tools on PATH where set-up installs them, without requiring the
# caller's shell profile to know about them.
x402_tool_path() {
  local prefix="${X402_TOOLS_PREFIX:-${X402_TOOLS_PREFIX_DEFAULT:-/opt/x402-solana-tools}}"
  local bin="${X402_BIN_DIR:-${X402_BIN_DIR_DEFAULT:-/usr/local/bin}}"
  export PATH="$bin:$prefix/bin:$HOME/.cargo/bin:$PATH"
}

# Lints ride on the test build (issue #20): with these exported, cargo compiles the workspace's own crates
# through clippy-driver with `-D warnings` (CLIPPY_ARGS is cargo-clippy's own way of passing them), so
# `cargo test` lints everything it builds and the dependency tree is built once, not a second time in
# `cargo clippy`'s check mode (15 min of a cold run). Cargo fingerprints both variables: set them for a
# whole test run so every build of the workspace (tests, the demo stack) shares the same units. The SBF
# and wasm32 builds use other compilers and clear them (x402_no_lint_env).
x402_lint_env() {
  local driver
  driver="$(command -v clippy-driver)" || die "clippy-driver not on PATH: rustup component add clippy (scripts/setup.sh)"
  export RUSTC_WORKSPACE_WRAPPER="$driver" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}
x402_no_lint_env() { unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS; }

# x402_dev_keys — prints the directory of the deterministic dev keys (`x402-zk keys dev-setup
# --deterministic`), making them first with the CLI ($X402_ZK_CLI, else target/debug/x402-zk) when absent.
# Named after the committed dev vk hash (target/wasm/dev-keys-<16 hex>), so a circuit change never reuses
# an old circuit's keys; app/prover-wasm/test/smoke.test.cjs reads the same directory.
x402_dev_keys() {
  local root dir cli
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="$root/target/wasm/dev-keys-$(tr -d '\n' <"$root/keys/dev/solana_vk.sha256" | sed 's/^0x//' | cut -c1-16)"
  if [[ ! -f "$dir/receipt.pk" ]]; then
    cli="${X402_ZK_CLI:-$root/target/debug/x402-zk}"
    [[ -x "$cli" ]] || die "$cli missing: cargo build --workspace --tests"
    "$cli" keys dev-setup --deterministic --out "$dir" >&2 2>/dev/null
  fi
  echo "$dir"
}

# x402_idl_sources_hash — SHA-256 over what the program's IDL is compiled from: the program's and the
# encoding crate's sources and manifests, the workspace's anchor-lang pin (that line only: the whole
# manifest changed the hash on every profile edit), Anchor.toml and the anchor CLI version.
# `scripts/build.sh` builds the IDL (a host build of ~270 crates, 9 min cold: anchor compiles it with
# RUSTFLAGS="-A warnings", so nothing is shared with the test build) only when this differs from the hash
# committed beside the SDK's copy (app/src/idl/x402_zk_verifier.sources.sha256).
# Optional argument: another checkout's root (scripts/tests/idl-sources-hash.sh).
x402_idl_sources_hash() {
  local root="${1:-}"
  [[ -n "$root" ]] || root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  (
    cd "$root"
    {
      find programs/x402-zk-verifier/src circuits/encoding/src -type f -name '*.rs'
      printf '%s\n' programs/x402-zk-verifier/Cargo.toml circuits/encoding/Cargo.toml Anchor.toml
    } | LC_ALL=C sort | xargs sha256sum
    grep -E '^anchor-lang *=' Cargo.toml
    echo "anchor-cli ${ANCHOR_VERSION:?scripts/versions.env not sourced}"
  ) | sha256sum | cut -c1-64
}
