# scripts/lib.sh — small helpers shared by the project's shell scripts (sourced, not run).

die() {
  echo "*** ${0##*/}: $*" >&2
  exit 1
}

# run_step TITLE FUNCTION... — prints the step, runs it, prints its duration.
run_step() {
  local title="$1" t0
  shift
  t0=$(date +%s)
  echo "==> [$(date -u +%H:%M:%S)] $title"
  "$@"
  echo "    ($title: $(( $(date +%s) - t0 ))s)"
}

# Puts the project's external tools on PATH where set-up installs them, without requiring the
# caller's shell profile to know about them.
x402_tool_path() {
  local prefix="${X402_TOOLS_PREFIX:-${X402_TOOLS_PREFIX_DEFAULT:-/opt/x402-solana-tools}}"
  local bin="${X402_BIN_DIR:-${X402_BIN_DIR_DEFAULT:-/usr/local/bin}}"
  export PATH="$bin:$prefix/bin:$HOME/.cargo/bin:$PATH"
}
