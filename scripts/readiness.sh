#!/usr/bin/env bash
# scripts/readiness.sh — the production-readiness report (issue #19): runs the long suites
# (scripts/load.sh chaos, load, stress, fuzz; each starts and stops its own stack on loopback), then writes
# READINESS.md (date, commit, machine) and docs/img/readiness/{latency,stress}.png from their JSON
# results (target/readiness/), the fuzz results (target/readiness/fuzz.json), target/litesvm-cu.json and
# target/e2e-client-timing.json (scripts/readiness.py, in the ops venv with matplotlib).
#
#   bash scripts/readiness.sh                  long suites (hours at the issue's 50 × 100), then the report
#   bash scripts/readiness.sh --ci             CI-sized suites, then the report
#   bash scripts/readiness.sh --from-results   the report from the latest results only
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
OPS_PY="${X402_OPS_VENV:-$HOME/.cache/x402-zk/ops-venv}/bin/python"
[[ -x "$OPS_PY" ]] || die "$OPS_PY missing: run scripts/setup.sh (step monitoring: matplotlib)"

case "${1:-}" in
  --from-results) ;;
  --ci) run_step "suites (CI-sized)" bash scripts/load.sh --ci all ;;
  "") run_step "suites (long)" bash scripts/load.sh all ;;
  *) sed -n '2,11p' "$0" && exit 2 ;;
esac
ls target/readiness/*.json >/dev/null 2>&1 || die "no results in target/readiness/: run bash scripts/readiness.sh (or scripts/load.sh)"
COMMIT="$(git rev-parse --short HEAD)$([[ -n "$(git status --porcelain --untracked-files=no)" ]] && echo "+changes" || true)"
"$OPS_PY" scripts/readiness.py "$ROOT" "$COMMIT"
