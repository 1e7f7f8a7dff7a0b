#!/usr/bin/env bash
# scripts/ab-wasm.sh — interleaved A/B of two builds of the WebAssembly prover (issue #17's steps):
#   bash scripts/ab-wasm.sh save NAME                  copy app/prover-wasm (as built) to target/wasm/ab/NAME
#   bash scripts/ab-wasm.sh compare A B [rounds=6] [runs=3]
#                                                      A, B: saved names, or `current` (app/prover-wasm)
# Typical: build, `save base`; change the code, `bash scripts/build-wasm.sh`, `compare base current`.
# A step's contribution is only credible side by side: this host's speed moves ±15 % within minutes,
# so the two builds run in one Node process, alternating rounds (order swapped each round). Prints a
# line per round and a JSON summary (median of round medians, fastest proof, median ratio B/A).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
AB="$ROOT/target/wasm/ab"
pkg() { if [[ "$1" == current ]]; then echo "$ROOT/app/prover-wasm"; else echo "$AB/$1"; fi; }
case "${1:-}" in
  save)
    [[ -n "${2:-}" && "$2" != current ]] || die "usage: scripts/ab-wasm.sh save NAME (not 'current')"
    [[ -f app/prover-wasm/node/x402_zk_prover_wasm_bg.wasm ]] || die "no app/prover-wasm build: run scripts/build-wasm.sh"
    mkdir -p "$AB" && rm -rf "${AB:?}/$2" && cp -r app/prover-wasm "$AB/$2"
    { git log -1 --format='%h %s' | cut -c1-100; git status --short; } >"$AB/$2/AB-SOURCE.txt"
    echo "saved app/prover-wasm as $AB/$2 ($(stat -c %s "$AB/$2/node/x402_zk_prover_wasm_bg.wasm") bytes)"
    ;;
  compare)
    [[ -n "${3:-}" ]] || die "usage: scripts/ab-wasm.sh compare A B [rounds] [runs]"
    A="$(pkg "$2")" B="$(pkg "$3")"
    for d in "$A" "$B"; do [[ -f "$d/node/x402_zk_prover_wasm_bg.wasm" ]] || die "no build at $d (save it first)"; done
    echo "==> A: $A; B: $B; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    node scripts/bench-wasm/ab-node.cjs "$(x402_dev_keys)/receipt.pk" circuits/wasm/tests/vectors/dev-request.json \
      "${4:-6}" "${5:-3}" "$A" "$B"
    ;;
  *) die "usage: scripts/ab-wasm.sh save NAME | compare A B [rounds=6] [runs=3]" ;;
esac
