#!/usr/bin/env bash
# With X402_SBF_TOOLCHAIN pointing nowhere and no cargo-build-sbf on PATH, set-up must stop with a
# message naming what is missing and both ways to get it, and exit non-zero.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
empty="$(mktemp -d)"
trap 'rm -rf "$empty"' EXIT
# A PATH with only the basics: no cargo-build-sbf anywhere (X402_BIN_DIR is where set-up links tools).
out="$(env -i HOME="$HOME" PATH="/usr/bin:/bin" X402_BIN_DIR="$empty" X402_TOOLS_PREFIX="$empty/p" \
  X402_SBF_TOOLCHAIN="$empty/nowhere" bash "$ROOT/scripts/setup.sh" --only sbf 2>&1)"
rc=$?
fail() { echo "FAIL: $*"; echo "--- set-up output:"; echo "$out"; exit 1; }
[[ $rc -ne 0 ]] || fail "set-up succeeded without a toolchain"
for want in "cargo-build-sbf 4.2.2 not found" "platform-tools" "X402_SBF_TOOLCHAIN" "$empty/nowhere"; do
  grep -qF "$want" <<<"$out" || fail "message lacks: $want"
done
echo "    ok: set-up stopped with: $(grep -m1 'not found' <<<"$out")"
