#!/usr/bin/env bash
# scripts/build-wasm.sh — builds the client-side receipt prover (circuits/wasm, issue #16) for
# wasm32-unknown-unknown and writes the npm package @x402-zk/prover-wasm into app/prover-wasm/:
#   node/  CommonJS (wasm-bindgen --target nodejs; `require`, loads the .wasm synchronously)
#   web/   ES module (wasm-bindgen --target web; `await init()` before use)
# Idempotent and fast when warm: cargo decides whether anything changed (target/wasm is the
# persistent cache); wasm-opt and wasm-bindgen re-run only when the compiled .wasm, this script or
# the tool versions changed. Prints the sizes. Needs `scripts/setup.sh --only wasm`.
#
# Toolchain: Debian's rustc-web (has the wasm32 backend; rustup cannot download targets here) with
# -Zbuild-std (std rebuilt from rust-web-src), linked by lld-22; wasm-opt (binaryen) BEFORE
# wasm-bindgen (Debian's binaryen 108 breaks wasm-bindgen's externref table when run after it).
# Env: WASM_OPT=none (skip wasm-opt), WASM_OPT_LEVEL (default -O3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_no_lint_env # other compilers (cargo-build-sbf, rustc-web): no clippy-driver wrapper
x402_tool_path

CRATE="$ROOT/circuits/wasm"
PKG="$ROOT/app/prover-wasm"
NAME=x402_zk_prover_wasm
OUT="$ROOT/target/wasm"
WASM_OPT="${WASM_OPT:-wasm-opt}"
WASM_OPT_LEVEL="${WASM_OPT_LEVEL:--O3}"

# Debian's compiler, not rustup's proxies (no wasm32 std there).
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$OUT"
CARGO=/usr/bin/cargo
for t in "$RUSTC" "$CARGO" wasm-bindgen; do
  command -v "$t" >/dev/null || die "$t not found: run scripts/setup.sh --only wasm"
done
wasm-bindgen --version | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION" \
  || die "wasm-bindgen $WASM_BINDGEN_VERSION required (have: $(wasm-bindgen --version)): run scripts/setup.sh --only wasm"
grep -q "^wasm-bindgen = \"=$WASM_BINDGEN_VERSION\"" "$CRATE/Cargo.toml" \
  || die "circuits/wasm/Cargo.toml must pin wasm-bindgen = \"=$WASM_BINDGEN_VERSION\" (scripts/versions.env)"

size() { stat -c %s "$1"; }
gz() { gzip -9c "$1" | wc -c; }

t0=$(date +%s)
# panic = "immediate-abort" (unstable, hence here and not in circuits/wasm/Cargo.toml, which stable
# cargo reads for the host tests): a panic traps at once, without formatting a message; a trap is all
# JavaScript sees of a panic anyway (RuntimeError: unreachable). Keeps the .wasm under 1 MiB.
(cd "$CRATE" && nice -n 10 "$CARGO" build --release --lib --locked \
  --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
  -Zpanic-immediate-abort --config 'profile.release.panic="immediate-abort"')
RAW="$OUT/wasm32-unknown-unknown/release/$NAME.wasm"
[[ -f "$RAW" ]] || die "cargo produced no $RAW"
echo "    cargo build (wasm32-unknown-unknown): $(( $(date +%s) - t0 ))s"

# Everything the packaging steps depend on; equal stamp and outputs present → nothing to do.
tools="$($RUSTC --version) | $(wasm-bindgen --version)"
[[ "$WASM_OPT" != none ]] && tools+=" | $($WASM_OPT --version) $WASM_OPT_LEVEL"
stamp="$( { sha256sum "$RAW" "${BASH_SOURCE[0]}" | cut -d' ' -f1; echo "$tools"; } | sha256sum | cut -d' ' -f1)"
STAMP_FILE="$OUT/package.stamp"
FINAL="$PKG/node/${NAME}_bg.wasm"
if [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$stamp" && -f "$FINAL" && -f "$PKG/web/${NAME}_bg.wasm" ]]; then
  echo "    app/prover-wasm is up to date"
else
  IN="$RAW"
  if [[ "$WASM_OPT" != none ]]; then
    IN="$OUT/$NAME.opt.wasm"
    t1=$(date +%s)
    nice -n 10 "$WASM_OPT" "$WASM_OPT_LEVEL" "$RAW" -o "$IN"
    echo "    $WASM_OPT $WASM_OPT_LEVEL: $(( $(date +%s) - t1 ))s"
  fi
  for target in nodejs web; do
    dir="$PKG/${target/nodejs/node}"
    tmp="$dir.tmp.$$"
    rm -rf "$tmp"
    wasm-bindgen --target "$target" --out-dir "$tmp" --out-name "$NAME" "$IN"
    rm -rf "$dir" && mv "$tmp" "$dir"
  done
  echo "$stamp" >"$STAMP_FILE"
fi

printf '    %-34s %10s %10s\n' "file" "bytes" "gzip -9"
printf '    %-34s %10s %10s\n' "cargo output (.wasm)" "$(size "$RAW")" "$(gz "$RAW")"
for f in "$PKG/node/${NAME}_bg.wasm" "$PKG/node/$NAME.js" "$PKG/web/$NAME.js"; do
  printf '    %-34s %10s %10s\n' "${f#"$ROOT"/}" "$(size "$f")" "$(gz "$f")"
done
