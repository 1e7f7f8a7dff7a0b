#!/usr/bin/env bash
# scripts/client-timing-table.sh — prints BENCHMARKS.md's "A paid request, step by step" table from
# the times app/test-e2e/client.test.ts records on the e2e stack (target/e2e-client-timing.json):
# one paid request without prefetch (pay, finalize, attest, prove locally, settle) and one served
# from a prefetched receipt (prove, settle). Times are ms from the start of the fetch.
# Usage: scripts/client-timing-table.sh [FILE]          print the table
#        scripts/client-timing-table.sh --write [FILE]  replace it in BENCHMARKS.md (between the
#                                                       <!-- client-timing-table --> markers)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == --write ]]; then
  shift
  table="$(bash "${BASH_SOURCE[0]}" "$@")"
  B="$ROOT/BENCHMARKS.md"
  grep -q '^<!-- client-timing-table -->$' "$B" && grep -q '^<!-- /client-timing-table -->$' "$B" \
    || { echo "$B lacks the client-timing-table markers" >&2; exit 1; }
  TABLE="$table" python3 - "$B" <<'PY'
import os, re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"(?s)(<!-- client-timing-table -->\n).*?(<!-- /client-timing-table -->)", lambda m: m.group(1) + os.environ["TABLE"] + "\n" + m.group(2), s, count=1)
open(p, "w").write(s)
PY
  echo "updated the client timing table in $B"
  exit 0
fi
F="${1:-$ROOT/target/e2e-client-timing.json}"
[[ -s "$F" ]] || { echo "no $F: run scripts/e2e.sh first" >&2; exit 1; }
jq -e '.cold.steps and .prefetched.steps' "$F" >/dev/null || { echo "$F lacks .cold/.prefetched steps" >&2; exit 1; }
# at RUN STEP: ms from the fetch's start to when STEP was reported in RUN ("" when absent).
at() { jq -r --arg r "$1" --arg s "$2" '[.[$r].steps[] | select(.step == $s) | .atMs][0] // ""' "$F"; }
get() { jq -er --arg r "$1" --arg k "$2" '.[$r][$k]' "$F"; }
span() { # span RUN FROM TO → TO - FROM, or "—"
  local a b
  a=$(at "$1" "$2") b=$(at "$1" "$3")
  [[ -n "$a" && -n "$b" ]] && echo "$((b - a)) ms" || echo "—"
}
first() { local a; a=$(at "$1" requirements); [[ -n "$a" ]] && echo "$a ms" || echo "—"; }
echo "Measured $(jq -r .date "$F" | cut -c1-10) by \`$(jq -r .command "$F")\` on $(jq -r '.machine.cpus' "$F") vCPU ($(jq -r '.machine.model' "$F")), $(jq -r .network "$F")."
echo
echo "| step | without prefetch | with a prefetched receipt |"
echo "|---|---:|---:|"
echo "| GET → 402 with the offer | $(first cold) | $(first prefetched) |"
echo "| receipt wallet write (requirements → paying) | $(span cold requirements paying) | — |"
echo "| payment signed, sent and **finalized** (paying → paid) | $(span cold paying paid) | — |"
echo "| attestation (paid → receipt) | $(span cold paid receipt) | — |"
echo "| stored receipt picked (requirements → stored) | — | $(span prefetched requirements stored) |"
echo "| proving: WebAssembly \`prove\` alone | $(get cold proveMs) ms | $(get prefetched proveMs) ms |"
echo "| proving step incl. self-verification (receipt/stored → proof) | $(span cold receipt proof) | $(span prefetched stored proof) |"
echo "| paid retry: verify + handler + settle on chain (payload → response) | $(span cold payload response) | $(span prefetched payload response) |"
echo "| **end to end** | **$(get cold totalMs) ms** | **$(get prefetched totalMs) ms** |"
echo "| before the request: load + check the proving key (\`warmUp\`) | $(get cold warmUpMs) ms | (done by then) |"
echo "| before the request: buy one receipt (\`prefetch\`) | — | $(get prefetched prefetchMs) ms |"
