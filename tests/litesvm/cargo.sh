#!/usr/bin/env bash
# tests/litesvm/cargo.sh SUBCOMMAND [ARGS...] — cargo for the LiteSVM workspace, with the one environment
# every caller must share (scripts/test.sh, tests/verify.test.ts's make-fixtures, the bench commands).
# Cargo fingerprints these: a caller with another value (a clippy wrapper left exported, OpenSSL vendored
# or not) rebuilds part of the tree, and the next caller rebuilds it back — that ping-pong made
# `anchor test` take 7 minutes instead of 20 s (issue #20).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -ge 1 ]] || { echo "usage: tests/litesvm/cargo.sh SUBCOMMAND [ARGS...]" >&2; exit 2; }
# Lints ride on the main workspace's test build only (scripts/lib.sh x402_lint_env).
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
# Link Debian's libssl (scripts/setup.sh installs libssl-dev) rather than build OpenSSL from source.
export OPENSSL_NO_VENDOR=1
# litesvm 0.18's agave crates declare a newer rust-version than the pinned stable toolchain; they build.
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
# Its own directory: with its own lockfile almost nothing matches the main workspace's units (measured: a
# shared target/ compiled 256 of its crates again before it was stopped, proc-macro2 and syn included),
# and it keeps `cargo clean -p` and disk use per workspace.
export CARGO_TARGET_DIR="${X402_LITESVM_TARGET_DIR:-$here/../../target/litesvm-host}"
cd "$here"
sub="$1"
shift
exec cargo "$sub" --ignore-rust-version "$@"
