#!/usr/bin/env bash
# scripts/money-table.sh — prints BENCHMARKS.md's "Lamports per payment" table from the figures the
# anchor-client `payments` test measures on a real solana-test-validator from balances
# (target/anchor-client-lamports.json): the fee payer before/after `verify_payment`, the nullifier
# account's balance, and the fee payer before/after `close_expired_nullifiers`. When the anchor-client
# `facilitator_batch` test has run too (the facilitator settling on the validator, figures from its fee
# payer's balances), rows for batch settlement through a proof buffer follow.
# Usage: scripts/money-table.sh [FILE]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
F="${1:-$ROOT/target/anchor-client-lamports.json}"
[[ -s "$F" ]] || { echo "no $F: run the anchor-client tests first (scripts/test.sh does)" >&2; exit 1; }
get() { jq -er --arg k "$1" '.[$k]' "$F" || { echo "$F lacks \"$1\"" >&2; exit 1; }; }
fee=$(get "verify_payment: transaction fee")
rent=$(get "verify_payment: nullifier rent (locked)")
total=$(get "verify_payment: total paid by the fee payer")
back=$(get "after close: rent returned")
close_fee=$(get "close_expired_nullifiers: transaction fee")
net1=$(get "after close: net cost per payment (pay + close alone)")
net2=$(get "after close: net cost per payment (2 payments, one close tx)")
[[ $((fee + rent)) == "$total" ]] || { echo "inconsistent figures in $F" >&2; exit 1; }
echo "| what | lamports | who pays | comes back |"
echo "|---|---:|---|---|"
echo "| \`verify_payment\` transaction fee | $fee | facilitator fee payer | never |"
echo "| nullifier account rent (48 bytes) | $rent | facilitator fee payer | yes: $back returned by \`close_expired_nullifiers\` after expiry |"
echo "| paid at settlement | $total | | |"
echo "| \`close_expired_nullifiers\` transaction fee | $close_fee | whoever closes (the facilitator's sweeper) | never |"
echo "| **net per payment after the sweep**, one close per payment | **$net1** | | |"
echo "| **net per payment after the sweep**, 2 payments closed in one tx | **$net2** | | |"
# Batch settlement (tests/anchor-client/tests/facilitator_batch.rs), when measured.
opt() { jq -er --arg k "$1" '.[$k] // empty' "$F" 2>/dev/null || true; }
single=$(opt "facilitator: single verify_payment, fees per payment")
b16=$(opt "facilitator: buffer batch of 16 (buffer reused), fees per payment")
buf16=$(opt "facilitator: proof buffer of 16 slots, rent (kept, reusable)")
if [[ -n "$single" && -n "$b16" && -n "$buf16" ]]; then
  echo "| facilitator \`/settle\` alone: fees per payment | $single | facilitator fee payer | never |"
  echo "| facilitator buffer batch of 16 (\`--batch-max 16\`: 6 \`write_proof_buffer\` + 1 \`verify_batch_from_buffer\`): fees per payment | $b16 | facilitator fee payer | never |"
  echo "| proof buffer of 16 slots, rent (once per buffer, kept and reused) | $buf16 | facilitator fee payer | yes: returned by \`close_proof_buffer\` |"
fi
