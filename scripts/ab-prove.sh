#!/usr/bin/env bash
# scripts/ab-prove.sh — interleaved A/B of two builds of the native prover (issue #17's step tables):
#   bash scripts/ab-prove.sh save NAME          build circuits/examples/prove_timing.rs (release) and keep
#                                               the binary as target/ab/NAME
#   bash scripts/ab-prove.sh compare A B [rounds=6] [proofs=10] [threads=1] [tables|free]
# Typical: `save base`; change the code; `save new`; `compare base new`. Each round runs both binaries
# once (order swapped every round), each proving `proofs` times after its keys and tables are built;
# a row's figure is the median of its rounds' medians, the ratio the median of per-round ratios B/A
# (this host's speed drifts ±15–30 % within minutes: only figures taken side by side compare).
# Env CARGO_TARGET_DIR/RUSTFLAGS pass through to `save` (e.g. a build with other target features).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
AB="$ROOT/target/ab"
case "${1:-}" in
  save)
    [[ -n "${2:-}" ]] || die "usage: scripts/ab-prove.sh save NAME"
    cargo build --release --ignore-rust-version -p x402-zk-circuits --example prove_timing
    mkdir -p "$AB"
    cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/prove_timing" "$AB/$2"
    { git log -1 --format='%h %s' | cut -c1-100; git status --short; echo "RUSTFLAGS=${RUSTFLAGS:-}"; } >"$AB/$2.source.txt"
    echo "saved target/ab/$2"
    ;;
  compare)
    [[ -n "${3:-}" ]] || die "usage: scripts/ab-prove.sh compare A B [rounds] [proofs] [threads] [tables|free]"
    A="$AB/$2" B="$AB/$3" ROUNDS="${4:-6}" PROOFS="${5:-10}" THREADS="${6:-1}" MODE="${7:-tables}"
    for x in "$A" "$B"; do [[ -x "$x" ]] || die "no build $x (save it first)"; done
    echo "==> A: $2, B: $3; $ROUNDS rounds of $PROOFS proofs, $THREADS thread(s), $MODE; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    results=()
    for r in $(seq "$ROUNDS"); do
      order=(A B); (( r % 2 == 0 )) && order=(B A)
      declare -A med=()
      for side in "${order[@]}"; do
        bin=$A; [[ $side == B ]] && bin=$B
        med[$side]=$(RAYON_NUM_THREADS=$THREADS "$bin" "$PROOFS" "$MODE" | jq .median_ms)
      done
      echo "round $r/$ROUNDS: A ${med[A]} ms, B ${med[B]} ms" >&2
      results+=("[${med[A]},${med[B]}]")
    done
    jq -cn --argjson r "[$(IFS=,; echo "${results[*]}")]" --arg a "$2" --arg b "$3" '
      def median: sort | .[length / 2 | floor];
      {a: $a, b: $b, rounds: ($r | length),
       a_median_ms: ([$r[][0]] | median), b_median_ms: ([$r[][1]] | median),
       ratio_b_over_a: ([$r[] | .[1] / .[0]] | median * 1000 | round / 1000),
       ratios: [$r[] | .[1] / .[0] * 1000 | round / 1000]}'
    ;;
  *) die "usage: scripts/ab-prove.sh save NAME | compare A B [rounds] [proofs] [threads] [tables|free]" ;;
esac
