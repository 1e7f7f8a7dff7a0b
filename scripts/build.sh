#!/usr/bin/env bash
# scripts/build.sh — build the on-chain program and its IDL:
#   target/deploy/x402_zk_verifier.so, target/idl/x402_zk_verifier.json, target/types/x402_zk_verifier.ts
# `anchor build` works unchanged with the offline sbf-toolchain (its IDL step runs on stable Rust);
# this script only adds what anchor cannot know: the committed localnet program keypair.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_no_lint_env # other compilers (cargo-build-sbf, rustc-web): no clippy-driver wrapper
x402_tool_path
cd "$ROOT"
command -v anchor >/dev/null || die "anchor not on PATH: run scripts/setup.sh"
command -v cargo-build-sbf >/dev/null || die "cargo-build-sbf not on PATH: run scripts/setup.sh"
# The program id in declare_id! belongs to this localnet-only keypair (never deploy it elsewhere).
mkdir -p target/deploy
cp keys/x402_zk_verifier-keypair.json target/deploy/x402_zk_verifier-keypair.json
unset RUSTUP_TOOLCHAIN # anchor-lang-idl passes a literal "+{toolchain}" to cargo when it is set
run_step "anchor build" anchor build "$@"
for f in target/deploy/x402_zk_verifier.so target/idl/x402_zk_verifier.json target/types/x402_zk_verifier.ts; do
  [[ -s "$f" ]] || die "anchor build did not produce $f"
done
echo "    program: $(stat -c %s target/deploy/x402_zk_verifier.so) bytes"
