#!/usr/bin/env bash
# monitoring/test-static.sh — the offline monitoring checks (scripts/test.sh runs this as one step):
#   promtool check config  monitoring/prometheus.yml (operators', compose's) and the config
#                          scripts/stack.sh writes for its Prometheus
#   promtool check rules   monitoring/alerts.yml
#   promtool test rules    monitoring/tests/alerts_test.yml (every alert fires on synthetic series
#                          made to fire it, and stays silent on series that must not)
#   monitoring/check.py static   dashboards generated, runbook sections, alert annotations, tests
#   monitoring/check.py deploy   deploy/compose.yml schema + commands identical to scripts/stack.sh's
# Needs scripts/setup.sh (step monitoring). The live checks (metrics exported, Prometheus has data)
# run in scripts/e2e.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/stack.sh"
cd "$ROOT"
command -v promtool >/dev/null || die "promtool not found: run scripts/setup.sh (step monitoring)"
[[ -x "$OPS_PY" ]] || die "$OPS_PY missing: run scripts/setup.sh (step monitoring)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
prometheus_config 2s 127.0.0.1:18580 127.0.0.1:18510,127.0.0.1:18511 >"$tmp/stack-prometheus.yml"
promtool check config monitoring/prometheus.yml
promtool check config "$tmp/stack-prometheus.yml"
promtool check rules monitoring/alerts.yml
promtool test rules monitoring/tests/alerts_test.yml
"$OPS_PY" monitoring/check.py static
"$OPS_PY" monitoring/check.py deploy
