#!/usr/bin/env bash
# scripts/build.sh — build the on-chain program and its IDL:
#   target/deploy/x402_zk_verifier.so, target/idl/x402_zk_verifier.json, target/types/x402_zk_verifier.ts
# `anchor build` works unchanged with the offline sbf-toolchain (its IDL step runs on stable Rust);
# this script adds what anchor cannot know: the committed localnet program keypair, and the IDL from the
# SDK's committed copy when the program's sources have not changed since it was made.
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
# The IDL: rebuilt only when the program's sources changed since the committed copy in app/src/idl
# (scripts/lib.sh x402_idl_sources_hash); otherwise that copy is the IDL. X402_IDL_BUILD=1 forces it.
# scripts/test.sh then checks the committed copy against target/ (app/scripts/sync-idl.mjs --check).
IDL_DIR=app/src/idl
idl_hash="$(x402_idl_sources_hash)"
if [[ "${X402_IDL_BUILD:-0}" != 1 && -f $IDL_DIR/x402_zk_verifier.sources.sha256 \
  && "$(cat $IDL_DIR/x402_zk_verifier.sources.sha256)" == "$idl_hash" ]]; then
  run_step "anchor build --no-idl" anchor build --no-idl "$@"
  mkdir -p target/idl target/types
  cp $IDL_DIR/x402_zk_verifier.json $IDL_DIR/x402_zk_verifier.sources.sha256 target/idl/
  cp $IDL_DIR/x402_zk_verifier.ts target/types/
  echo "    IDL: $IDL_DIR is current for these program sources (hash ${idl_hash:0:16}); not rebuilt"
else
  echo "    IDL: the program's sources changed since $IDL_DIR was synced: building it (host build)"
  rm -f target/idl/x402_zk_verifier.sources.sha256
  run_step "anchor build" anchor build "$@"
  echo "$idl_hash" >target/idl/x402_zk_verifier.sources.sha256
fi
for f in target/deploy/x402_zk_verifier.so target/idl/x402_zk_verifier.json target/types/x402_zk_verifier.ts; do
  [[ -s "$f" ]] || die "anchor build did not produce $f"
done
echo "    program: $(stat -c %s target/deploy/x402_zk_verifier.so) bytes"
