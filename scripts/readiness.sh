#!/usr/bin/env bash
# scripts/readiness.sh — the production-readiness report (issue #19): runs the long suites
# (scripts/load.sh chaos, load, stress, fuzz; each starts and stops its own stack on loopback), then writes
# READINESS.md (date, commit, machine) and docs/img/readiness/{latency,stress}.png from their JSON
# results, target/litesvm-cu.json and target/e2e-client-timing.json (scripts/readiness.py, in the ops
# venv with matplotlib).
#
# The long suites' results are kept in the repository, in docs/readiness/results/ (commit them with
# the report): a long run takes hours, so the report is rendered from the latest result of each suite,
# a re-run of one suite keeps the others' figures, and any machine can render it again. The cargo-fuzz
# figures go there with `READINESS_DIR=docs/readiness/results bash scripts/fuzz.sh all SECONDS`.
#
#   bash scripts/readiness.sh [SUITE ...]      the long suites (default: chaos load stress fuzz; load at
#                                              the issue's 50 × 100 is the longest), then the report
#   bash scripts/readiness.sh --from-results   the report from the committed results only
#   bash scripts/readiness.sh --ci             CI-sized suites into target/readiness/, a report of them
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
OPS_PY="${X402_OPS_VENV:-$HOME/.cache/x402-zk/ops-venv}/bin/python"
[[ -x "$OPS_PY" ]] || die "$OPS_PY missing: run scripts/setup.sh (step monitoring: matplotlib)"

RESULTS="$ROOT/docs/readiness/results"
case "${1:-}" in
  --from-results) ;;
  --ci)
    RESULTS="$ROOT/target/readiness"
    run_step "suites (CI-sized)" bash scripts/load.sh --ci all
    ;;
  -*) sed -n '2,18p' "$0" && exit 2 ;;
  *)
    for s in ${*:-chaos load stress fuzz}; do
      case "$s" in chaos | load | stress | fuzz) ;; *) die "unknown suite: $s (chaos, load, stress, fuzz)" ;; esac
    done
    for s in ${*:-chaos load stress fuzz}; do
      run_step "suite $s (long)" env READINESS_DIR="$RESULTS" bash scripts/load.sh "$s"
    done
    ;;
esac
ls "$RESULTS"/*.json >/dev/null 2>&1 || die "no results in $RESULTS: run bash scripts/readiness.sh (or scripts/load.sh)"
COMMIT="$(git rev-parse --short HEAD)$([[ -n "$(git status --porcelain --untracked-files=no)" ]] && echo "+changes" || true)"
READINESS_DIR="$RESULTS" "$OPS_PY" scripts/readiness.py "$ROOT" "$COMMIT"
