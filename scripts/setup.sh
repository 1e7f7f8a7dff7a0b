#!/usr/bin/env bash
# scripts/setup.sh — install everything x402-zk needs to build and test. Idempotent: a second run
# only checks (well under a minute). Each step prints its duration; the run ends with a table of
# the tool versions found.
#
# External tools are used the way a Solana project uses platform-tools — never copied into the repo:
#   cargo-build-sbf   PATH (pinned version) > $X402_SBF_TOOLCHAIN (install.sh of the offline
#                     sbf-toolchain; default ../shared/sbf-toolchain when present) > stop with a message
#   solana-test-validator, solana, solana-keygen, anchor
#                     PATH (pinned versions) > $X402_SOLANA_TOOLCHAIN (prebuilt archive + SHA256SUMS;
#                     default ../shared/toolchain when present) > `cargo install --locked` (~45 min)
#
# Options: --only STEP[,STEP]  run only these steps (apt, sbf, solana, wallet, npm, rust, wasm, monitoring, fuzz)
# Env: X402_SHARED_DIR (default ../shared), X402_SBF_TOOLCHAIN, X402_SOLANA_TOOLCHAIN, X402_WASM_TOOLCHAIN, X402_WASM_TOOLS_DIR,
#      X402_TOOLS_PREFIX, X402_BIN_DIR,
#      X402_NO_SOURCE_BUILD=1 (stop instead of building Solana/Anchor from source).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"

ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) ONLY="${2:?--only needs a step list}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
wanted() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }

PREFIX="${X402_TOOLS_PREFIX:-$X402_TOOLS_PREFIX_DEFAULT}"
BIN_DIR="${X402_BIN_DIR:-$X402_BIN_DIR_DEFAULT}"
# The shared toolchains beside the clone (../shared); .ci/run passes the clone's own when it runs in
# its persistent checkout elsewhere (X402_SHARED_DIR).
SHARED="${X402_SHARED_DIR:-$(cd "$ROOT/.." && pwd)/shared}"
export PATH="$BIN_DIR:$PREFIX/bin:$HOME/.cargo/bin:$PATH"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"

# ---------------------------------------------------------------------------------------------
apt_install() { # apt_install PKG... — installs only what is missing; apt-get update first.
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "    all present: $*"
    return
  fi
  echo "    installing: ${missing[*]}"
  $SUDO apt-get update -q >"$LOG_DIR/apt-update.log" 2>&1 \
    || die "apt-get update failed (log: $LOG_DIR/apt-update.log)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q ${APT_INSTALL_OPTS:-} "${missing[@]}" >"$LOG_DIR/apt-install.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (log: $LOG_DIR/apt-install.log)"
}

step_apt() { apt_install $APT_PACKAGES; }

# ---------------------------------------------------------------------------------------------
sbf_ok() { cargo-build-sbf --version 2>/dev/null | head -1 | grep -q "solana-cargo-build-sbf $SBF_CARGO_BUILD_VERSION"; }

step_sbf() {
  if sbf_ok; then
    echo "    cargo-build-sbf on PATH: $(command -v cargo-build-sbf)"
    return
  fi
  local dir="${X402_SBF_TOOLCHAIN:-$SHARED/sbf-toolchain}"
  if [[ -x "$dir/install.sh" ]]; then
    echo "    installing the offline sbf-toolchain from $dir"
    SBF_BIN_LINK_DIR="$BIN_DIR" "$dir/install.sh" >"$LOG_DIR/sbf-install.log" 2>&1 \
      || die "sbf-toolchain install.sh failed (log: $LOG_DIR/sbf-install.log)"
    sbf_ok || die "sbf-toolchain installed but 'cargo-build-sbf --version' does not report $SBF_CARGO_BUILD_VERSION"
    return
  fi
  die "cargo-build-sbf $SBF_CARGO_BUILD_VERSION not found.
    It builds the on-chain program (anchor build calls 'cargo build-sbf'). Get it one of two ways:
      1. Solana platform-tools: install the Solana CLI $SOLANA_VERSION (agave-install / release tarball),
         which puts cargo-build-sbf on PATH (needs access to github.com release downloads); or
      2. the offline sbf-toolchain: set X402_SBF_TOOLCHAIN to its folder (the one holding install.sh;
         default: $SHARED/sbf-toolchain — looked there: ${X402_SBF_TOOLCHAIN:+X402_SBF_TOOLCHAIN=}$dir not usable)."
}

# ---------------------------------------------------------------------------------------------
solana_tools_ok() {
  solana-test-validator --version 2>/dev/null | grep -q "solana-test-validator $SOLANA_VERSION" &&
    solana --version 2>/dev/null | grep -q "solana-cli $SOLANA_VERSION" &&
    solana-keygen --version 2>/dev/null | grep -q "solana-keygen $SOLANA_VERSION" &&
    anchor --version 2>/dev/null | grep -q "anchor-cli $ANCHOR_VERSION"
}

link_tools() {
  $SUDO mkdir -p "$BIN_DIR"
  for b in solana-test-validator solana solana-keygen anchor; do
    $SUDO ln -sfn "$PREFIX/bin/$b" "$BIN_DIR/$b"
  done
}

step_solana() {
  if solana_tools_ok; then
    echo "    on PATH: $(command -v solana-test-validator) $(command -v anchor)"
    return
  fi
  local dir="${X402_SOLANA_TOOLCHAIN:-$SHARED/toolchain}"
  local archive="$dir/solana-anchor-toolchain.tar.xz"
  if [[ -f "$archive" && -f "$dir/SHA256SUMS" ]]; then
    echo "    verifying $archive"
    (cd "$dir" && sha256sum -c --quiet SHA256SUMS) >"$LOG_DIR/solana-sha.log" 2>&1 \
      || die "checksum mismatch for $archive (see $LOG_DIR/solana-sha.log); remove it or fix X402_SOLANA_TOOLCHAIN"
    # Unpack beside the prefix, then swap: an interrupted run never leaves a half-installed prefix.
    local tmp="$PREFIX.tmp.$$"
    $SUDO rm -rf "$tmp" && $SUDO mkdir -p "$tmp"
    $SUDO tar -xJf "$archive" -C "$tmp" || die "could not unpack $archive"
    $SUDO rm -rf "$PREFIX" && $SUDO mv "$tmp" "$PREFIX"
  elif [[ "${X402_NO_SOURCE_BUILD:-0}" != 1 ]] && command -v cargo >/dev/null; then
    echo "    no prebuilt archive at $dir: building from crates.io with cargo install --locked (about 45 min on 2 cores)"
    apt_install $APT_SOURCE_BUILD_PACKAGES
    local tmp="$PREFIX.tmp.$$" tgt="$HOME/.cache/x402-zk/solana-tools-build"
    $SUDO rm -rf "$tmp" && mkdir -p "$tmp" "$tgt"
    local spec
    for spec in "agave-validator solana-test-validator" "solana-keygen solana-keygen" \
      "solana-cli solana" "anchor-cli anchor"; do
      set -- $spec
      local ver="$SOLANA_VERSION"
      [[ "$1" == anchor-cli ]] && ver="$ANCHOR_VERSION"
      echo "    cargo install --locked $1@$ver --bin $2"
      CARGO_TARGET_DIR="$tgt" cargo install --locked "$1" --version "$ver" --bin "$2" --root "$tmp" \
        >"$LOG_DIR/cargo-install-$2.log" 2>&1 || die "cargo install $1 $ver failed (log: $LOG_DIR/cargo-install-$2.log)"
    done
    $SUDO rm -rf "$PREFIX" && $SUDO mv "$tmp" "$PREFIX"
  else
    die "solana-test-validator/solana/solana-keygen $SOLANA_VERSION and anchor $ANCHOR_VERSION not found.
    Put them on PATH, or set X402_SOLANA_TOOLCHAIN to a folder with solana-anchor-toolchain.tar.xz + SHA256SUMS,
    or unset X402_NO_SOURCE_BUILD to build them with cargo install --locked."
  fi
  link_tools
  solana_tools_ok || die "Solana/Anchor tools installed in $PREFIX but their versions do not match $SOLANA_VERSION / $ANCHOR_VERSION"
}

# ---------------------------------------------------------------------------------------------
step_wallet() {
  local w="$HOME/.config/solana/id.json"
  if [[ -f "$w" ]]; then
    echo "    local test wallet exists: $w"
  else
    solana-keygen new --no-bip39-passphrase --silent -o "$w" >/dev/null
    echo "    created local test wallet $w (localnet only)"
  fi
}

step_npm() {
  command -v node >/dev/null || die "node not found: install Node.js >= $NODE_MAJOR_MIN (Debian: apt-get install nodejs npm)"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [[ "$major" -ge "$NODE_MAJOR_MIN" ]] || die "Node.js $major is too old: need >= $NODE_MAJOR_MIN"
  local d
  for d in "$ROOT" "$ROOT/circuits/js" "$ROOT/app"; do
    [[ -f "$d/package-lock.json" ]] || continue
    # npm ci wipes node_modules; skip it when the lockfile has not changed since the last install.
    local stamp="$d/node_modules/.x402-lock-sha256" want
    want="$(sha256sum "$d/package-lock.json" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
      echo "    ${d#"$ROOT"/}: node_modules up to date"
      continue
    fi
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error) >"$LOG_DIR/npm-ci.log" 2>&1 \
      || die "npm ci in $d failed (log: $LOG_DIR/npm-ci.log)"
    echo "$want" >"$stamp"
    echo "    ${d#"$ROOT"/}: npm ci done"
  done
}

step_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust stable (rustup) first"
  for c in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
      rustup component add "$c" >"$LOG_DIR/rustup.log" 2>&1 || die "rustup component add $c failed"
    fi
  done
  echo "    $(cargo --version), rustfmt + clippy present"
}

# ---------------------------------------------------------------------------------------------
# WebAssembly prover (scripts/build-wasm.sh, issue #16). rustup cannot download the wasm32 std here,
# so the build uses Debian's rustc-web (LLVM with the wasm32 backend) + its std sources
# (-Zbuild-std), linked by lld-22 (/usr/bin/rust-lld points at it; rust-web-llvm does not pull it);
# binaryen's wasm-opt; Chromium (no recommends) for the headless browser tests and the bench.
# wasm-bindgen-cli must equal the wasm-bindgen crate version: from the checksummed prebuilt archive
# in $X402_WASM_TOOLCHAIN (default ../shared/wasm-toolchain), else `cargo install` (~9 min; not
# --locked: its lock pins a webpki-roots the index no longer serves).
WASM_TOOLS_DIR="${X402_WASM_TOOLS_DIR:-/opt/x402-wasm-tools}"
wasm_bindgen_ok() { wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; }
wasm_rustc_ok() { /usr/bin/rustc --version 2>/dev/null | grep -q "^rustc ${WASM_RUST_VERSION%%+*}"; }

step_wasm() {
  apt_install $WASM_APT_PACKAGES
  APT_INSTALL_OPTS=--no-install-recommends apt_install $WASM_BROWSER_APT_PACKAGES
  wasm_rustc_ok || die "/usr/bin/rustc is '$(/usr/bin/rustc --version 2>&1)', expected ${WASM_RUST_VERSION%%+*} (package rustc-web)"
  /usr/bin/rustc --print target-list | grep -qx wasm32-unknown-unknown \
    || die "/usr/bin/rustc has no wasm32-unknown-unknown target"
  [[ -f /usr/lib/rustlib/src/rust/library/std/Cargo.toml ]] \
    || die "std sources missing at /usr/lib/rustlib/src/rust/library (package rust-web-src)"
  [[ -x "$(readlink -f /usr/bin/rust-lld)" ]] || die "/usr/bin/rust-lld does not resolve (package lld-22)"
  if wasm_bindgen_ok; then
    echo "    wasm-bindgen $WASM_BINDGEN_VERSION on PATH: $(command -v wasm-bindgen)"
    return
  fi
  local dir="${X402_WASM_TOOLCHAIN:-$SHARED/wasm-toolchain}"
  local archive="$dir/wasm-bindgen-cli-$WASM_BINDGEN_VERSION-x86_64-linux-gnu.tar.xz"
  local dest="$WASM_TOOLS_DIR/wasm-bindgen-$WASM_BINDGEN_VERSION" tmp
  tmp="$dest.tmp.$$"
  $SUDO rm -rf "$tmp" && $SUDO mkdir -p "$tmp"
  if [[ -f "$archive" && -f "$dir/SHA256SUMS" && "$(uname -m)" == x86_64 ]]; then
    (cd "$dir" && grep " ${archive##*/}\$" SHA256SUMS | sha256sum -c --quiet -) >"$LOG_DIR/wasm-sha.log" 2>&1 \
      || die "checksum mismatch for $archive (see $LOG_DIR/wasm-sha.log)"
    $SUDO tar -xJf "$archive" -C "$tmp" || die "could not unpack $archive"
    echo "    wasm-bindgen-cli $WASM_BINDGEN_VERSION from $archive (checksum OK)"
  else
    echo "    no prebuilt wasm-bindgen-cli at $dir: cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~9 min on 2 cores)"
    RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$HOME/.cache/x402-zk/wasm-bindgen-cli-build" \
      /usr/bin/cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$tmp" --force \
      >"$LOG_DIR/cargo-install-wasm-bindgen.log" 2>&1 \
      || die "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION failed (log: $LOG_DIR/cargo-install-wasm-bindgen.log)"
  fi
  $SUDO rm -rf "$dest" && $SUDO mv "$tmp" "$dest"
  $SUDO mkdir -p "$BIN_DIR" && $SUDO ln -sfn "$dest/bin/wasm-bindgen" "$BIN_DIR/wasm-bindgen"
  wasm_bindgen_ok || die "wasm-bindgen installed in $dest but does not report $WASM_BINDGEN_VERSION"
}

# ---------------------------------------------------------------------------------------------
# Monitoring (issue #18): Prometheus + promtool from Debian, pinned (where systemd runs, the
# package starts its own service on :9090; scripts/stack.sh runs a separate one on loopback), and a
# venv with monitoring/requirements.txt for monitoring/check.py. Idempotent: re-installs only when
# the package version or the requirements file changed.
OPS_VENV="${X402_OPS_VENV:-$HOME/.cache/x402-zk/ops-venv}"

step_monitoring() {
  if [[ "$(dpkg-query -W -f='${Version}' prometheus 2>/dev/null)" == "$PROMETHEUS_DEB_VERSION" ]]; then
    echo "    prometheus $PROMETHEUS_DEB_VERSION present"
  else
    echo "    installing prometheus=$PROMETHEUS_DEB_VERSION"
    $SUDO apt-get update -q >"$LOG_DIR/apt-update.log" 2>&1 \
      || die "apt-get update failed (log: $LOG_DIR/apt-update.log)"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
      "prometheus=$PROMETHEUS_DEB_VERSION" >"$LOG_DIR/apt-prometheus.log" 2>&1 \
      || die "apt-get install prometheus=$PROMETHEUS_DEB_VERSION failed (log: $LOG_DIR/apt-prometheus.log)"
  fi
  promtool --version >/dev/null 2>&1 || die "promtool not runnable after installing prometheus"
  local stamp="$OPS_VENV/.x402-requirements-sha256" want
  want="$(sha256sum "$ROOT/monitoring/requirements.txt" | cut -d' ' -f1)"
  if [[ -x "$OPS_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "    $OPS_VENV up to date"
    return
  fi
  rm -rf "$OPS_VENV"
  python3 -m venv "$OPS_VENV" >"$LOG_DIR/ops-venv.log" 2>&1 || die "python3 -m venv $OPS_VENV failed (log: $LOG_DIR/ops-venv.log)"
  "$OPS_VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/monitoring/requirements.txt" \
    >>"$LOG_DIR/ops-venv.log" 2>&1 || die "pip install -r monitoring/requirements.txt failed (log: $LOG_DIR/ops-venv.log)"
  echo "$want" >"$stamp"
  echo "    $OPS_VENV: $(tr '\n' ' ' < <(grep -v '^#' "$ROOT/monitoring/requirements.txt"))"
}

# ---------------------------------------------------------------------------------------------
# cargo-fuzz (issue #19: scripts/fuzz.sh, tests/fuzz): pinned, `cargo install --locked` (~2 min). It
# runs on the stable compiler with RUSTC_BOOTSTRAP=1 (no nightly toolchain to download).
step_fuzz() {
  if cargo fuzz --version 2>/dev/null | grep -q "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    echo "    cargo-fuzz $CARGO_FUZZ_VERSION present"
    return
  fi
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force >"$LOG_DIR/cargo-fuzz.log" 2>&1 \
    || die "cargo install cargo-fuzz $CARGO_FUZZ_VERSION failed (log: $LOG_DIR/cargo-fuzz.log)"
  echo "    $(cargo fuzz --version)"
}

# ---------------------------------------------------------------------------------------------
LOG_DIR="$(mktemp -d /tmp/x402-setup.XXXXXX)"
T_ALL=$(date +%s)
wanted apt && run_step "Debian packages" step_apt
wanted rust && run_step "Rust components" step_rust
wanted sbf && run_step "SBF toolchain (cargo-build-sbf)" step_sbf
wanted solana && run_step "Solana + Anchor CLI" step_solana
wanted wallet && run_step "local test wallet" step_wallet
wanted npm && run_step "Node dependencies (npm ci)" step_npm
wanted monitoring && run_step "Prometheus + monitoring Python (monitoring/)" step_monitoring
wanted fuzz && run_step "cargo-fuzz" step_fuzz
wanted wasm && run_step "WebAssembly toolchain (rustc-web, lld, wasm-bindgen, chromium)" step_wasm

echo
echo "==> set-up done in $(( $(date +%s) - T_ALL ))s. Tools:"
printf '    %-24s %s\n' "tool" "version"
for t in cargo cargo-build-sbf solana-test-validator solana solana-keygen anchor node npm wasm-bindgen /usr/bin/rustc; do
  v="$("$t" --version 2>/dev/null | head -1 || true)"
  printf '    %-24s %s\n' "$t" "${v:-MISSING}"
done
rm -rf "$LOG_DIR"
