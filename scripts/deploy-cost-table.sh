#!/usr/bin/env bash
# scripts/deploy-cost-table.sh — prints the README's "what a deployment costs" table from measured
# figures the anchor-client `admin` test takes on a real solana-test-validator
# (target/anchor-client-lamports.json): the Config and verifying-key account balances right after
# `initialize_config`, and the validator's rent-exempt minimum for the program's ProgramData account
# as loaded (45-byte header + the .so).
# Usage: scripts/deploy-cost-table.sh [LAMPORTS_JSON]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
F="${1:-$ROOT/target/anchor-client-lamports.json}"
[[ -s "$F" ]] || { echo "no $F: run the anchor-client admin test first (scripts/test.sh does)" >&2; exit 1; }
get() { jq -er --arg k "$1" '.[$k]' "$F" || { echo "$F lacks \"$1\"" >&2; exit 1; }; }
cfg=$(get "deploy: config account rent"); cfg_b=$(get "deploy: config account bytes")
vk=$(get "deploy: vk account rent"); vk_b=$(get "deploy: vk account bytes")
pd=$(get "deploy: programdata rent"); pd_b=$(get "deploy: programdata bytes")
echo "| what | bytes | lamports (rent-exempt, refundable only by closing) | paid by |"
echo "|---|---:|---:|---|"
echo "| program (ProgramData: 45-byte header + the .so) | $pd_b | $pd | upgrade authority, at \`solana program deploy\` |"
echo "| \`Config\` account | $cfg_b | $cfg | upgrade authority, at \`initialize_config\` |"
echo "| verifying key account \`[\"vk\"]\` | $vk_b | $vk | upgrade authority, at \`initialize_config\` |"
echo "| **total locked at deployment** | | **$((pd + cfg + vk))** | |"
