#!/usr/bin/env bash
# scripts/fuzz.sh — the cargo-fuzz (libFuzzer) targets of tests/fuzz/, each for a bounded time. What a
# target checks is in tests/fuzz-cases/ (a main-workspace crate: `cargo test` compiles it and replays
# the seeds, so a target cannot silently stop compiling against the program and services).
#
#   bash scripts/fuzz.sh TARGET SECONDS     fuzz one target (proof_decode, prover_json, facilitator_json, program_ix)
#   bash scripts/fuzz.sh all SECONDS        every target, SECONDS each
#   bash scripts/fuzz.sh replay             every committed seed once per target (cheap; what test.sh runs)
#   bash scripts/fuzz.sh list               the targets
#
# Seeds: tests/fuzz/seeds/TARGET/ (committed, small). New corpus entries go to
# $X402_FUZZ_CORPUS (default ~/.cache/x402-zk/fuzz-corpus/TARGET), never into the repository;
# crashes to tests/fuzz/artifacts/TARGET/ (ignored by git) with the reproduction command.
# Each run prints "inputs tried: N" (libFuzzer's executed-units count) and appends a line to
# $X402_FUZZ_LOG (default target/fuzz-runs.tsv): date, target, seconds, inputs, result.
#
# Toolchain: cargo-fuzz (scripts/setup.sh, step fuzz) on the stable compiler with RUSTC_BOOTSTRAP=1
# (cargo-fuzz passes -Z flags). Optimised, debug assertions (overflow checks) on, no sanitizer by
# default: the code under test is safe Rust, so panics and failed assertions are what is hunted
# (X402_FUZZ_SANITIZER=address turns AddressSanitizer on). Builds in ~/.cache/x402-zk/fuzz-target
# (its own target dir: the coverage instrumentation would rebuild the shared one). A cold build of
# every target took 14 min 24 s wall (391 s CPU) on the 2-vCPU machine at load average ~15
# (2026-12-01, `cargo fuzz build … program_ix`, which builds all their dependencies); warm: seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.env
source scripts/lib.sh
x402_tool_path

# program_ix: the verifier program's instruction data through its own Anchor types and host-side
# checks (tests/fuzz-cases/src/program_ix.rs); it compiles the program crate (anchor-lang) too.
TARGETS=(proof_decode prover_json facilitator_json program_ix)
FUZZ_FLAGS="-O --debug-assertions --sanitizer ${X402_FUZZ_SANITIZER:-none}"
FUZZ_DIR=tests/fuzz
export CARGO_TARGET_DIR="${X402_FUZZ_TARGET_DIR:-$HOME/.cache/x402-zk/fuzz-target}"
export RUSTC_BOOTSTRAP=1
CORPUS_ROOT="${X402_FUZZ_CORPUS:-$HOME/.cache/x402-zk/fuzz-corpus}"
LOG="${X402_FUZZ_LOG:-target/fuzz-runs.tsv}"

cargo fuzz --version 2>/dev/null | grep -q "cargo-fuzz $CARGO_FUZZ_VERSION" \
  || die "cargo-fuzz $CARGO_FUZZ_VERSION missing: run scripts/setup.sh --only fuzz"

build() { cargo fuzz build --fuzz-dir "$FUZZ_DIR" $FUZZ_FLAGS "$@" >&2; }

# run TARGET SECONDS — fuzzes from the seeds (+ the local corpus), prints the inputs tried.
run() {
  local t="$1" secs="$2" corpus="$CORPUS_ROOT/$1" out rc=0 n
  mkdir -p "$corpus" "$FUZZ_DIR/artifacts/$t"
  out="$(mktemp)"
  timeout $((secs + 120)) cargo fuzz run --fuzz-dir "$FUZZ_DIR" $FUZZ_FLAGS "$t" "$corpus" "$FUZZ_DIR/seeds/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$FUZZ_DIR/artifacts/$t/" >"$out" 2>&1 || rc=$?
  n="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)"
  tail -n 15 "$out"
  echo "    $t: inputs tried: ${n:-?} in ${secs}s (exit $rc)"
  mkdir -p "$(dirname "$LOG")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" "${n:-?}" "$([[ $rc == 0 ]] && echo ok || echo "FAIL($rc)")" >>"$LOG"
  rm -f "$out"
  readiness_json
  return "$rc"
}

# fuzz.json in $READINESS_DIR (default target/readiness; READINESS.md's committed results:
# READINESS_DIR=docs/readiness/results): each target's latest run from $LOG.
readiness_json() {
  local dir="${READINESS_DIR:-target/readiness}"
  mkdir -p "$dir"
  python3 - "$LOG" "$dir/fuzz.json" <<'PY'
import json, os, sys
log, out = sys.argv[1], sys.argv[2]
doc = json.load(open(out)) if os.path.exists(out) else {}
runs = doc.setdefault("cargoFuzz", {})
for line in open(log):
    date, target, secs, n, result = line.rstrip("\n").split("\t")
    runs[target] = {"runs": int(n) if n.isdigit() else None, "seconds": int(secs),
                    "crashes": 0 if result == "ok" else 1, "date": date,
                    "command": f"bash scripts/fuzz.sh {target} {secs}"}
json.dump(doc, open(out, "w"), indent=2)
PY
}

# replay TARGET — every committed seed once (libFuzzer with files as arguments runs each once).
replay() {
  local t="$1"
  cargo fuzz run --fuzz-dir "$FUZZ_DIR" $FUZZ_FLAGS "$t" -- -runs=0 "$FUZZ_DIR/seeds/$t" >/dev/null 2>&1 \
    || { cargo fuzz run --fuzz-dir "$FUZZ_DIR" $FUZZ_FLAGS "$t" -- -runs=0 "$FUZZ_DIR/seeds/$t" 2>&1 | tail -n 30; die "$t: a seed fails"; }
  echo "    $t: $(find "$FUZZ_DIR/seeds/$t" -type f | wc -l) seeds replayed, no failure"
}

case "${1:-}" in
  list) printf '%s\n' "${TARGETS[@]}" ;;
  replay)
    build
    for t in "${TARGETS[@]}"; do replay "$t"; done ;;
  all)
    [[ "${2:-}" =~ ^[0-9]+$ ]] || die "usage: $0 all SECONDS"
    build
    for t in "${TARGETS[@]}"; do run "$t" "$2"; done ;;
  *)
    [[ -n "${1:-}" && " ${TARGETS[*]} " == *" $1 "* && "${2:-}" =~ ^[0-9]+$ ]] \
      || die "usage: $0 TARGET|all SECONDS | replay | list (targets: ${TARGETS[*]})"
    build "$1"
    run "$1" "$2" ;;
esac
