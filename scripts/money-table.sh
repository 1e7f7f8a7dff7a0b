#!/usr/bin/env bash
# scripts/money-table.sh — prints BENCHMARKS.md's "Lamports per payment" table from the figures the
# anchor-client tests measure on a real solana-test-validator (target/anchor-client-lamports.json:
# fee payer balance before/after `verify_payment`, and the nullifier account's balance).
# Usage: scripts/money-table.sh [FILE]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
F="${1:-$ROOT/target/anchor-client-lamports.json}"
[[ -s "$F" ]] || { echo "no $F: run the anchor-client tests first (scripts/test.sh does)" >&2; exit 1; }
fee=$(jq -r '."verify_payment: transaction fee"' "$F")
rent=$(jq -r '."verify_payment: nullifier rent (locked)"' "$F")
total=$(jq -r '."verify_payment: total paid by the fee payer"' "$F")
[[ $((fee + rent)) == "$total" ]] || { echo "inconsistent figures in $F" >&2; exit 1; }
echo "| what (one \`verify_payment\` settlement) | lamports | who pays | comes back |"
echo "|---|---:|---|---|"
echo "| transaction fee | $fee | facilitator fee payer | never |"
echo "| nullifier account rent (17 bytes) | $rent | facilitator fee payer | not yet (recyclable nullifiers: issue #15) |"
echo "| **total per payment** | **$total** | | |"
