#!/usr/bin/env bash
# scripts/build.sh skips anchor's IDL build while x402_idl_sources_hash equals the committed one: the hash
# must move with everything the IDL is compiled from, and with nothing else (a profile edit to the root
# manifest moved it once and rebuilt the IDL). Checked on a scratch copy of those files.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/programs" "$tmp/circuits"
cp -r "$ROOT/programs/x402-zk-verifier" "$tmp/programs/"
cp -r "$ROOT/circuits/encoding" "$tmp/circuits/"
cp "$ROOT/Cargo.toml" "$ROOT/Anchor.toml" "$tmp/"
base="$(x402_idl_sources_hash "$tmp")"
[[ "$base" == "$(x402_idl_sources_hash "$ROOT")" ]] || die "the hash depends on the checkout's path"
moves() { # moves WHAT FILE EDIT — the hash must change after EDIT (a sed expression) on FILE, then be restored
  local what="$1" file="$tmp/$2" edit="$3" before
  before="$(cat "$file")"
  sed -i "$edit" "$file"
  [[ "$(x402_idl_sources_hash "$tmp")" != "$base" ]] || die "the hash ignores $what"
  printf '%s\n' "$before" >"$file"
  [[ "$(x402_idl_sources_hash "$tmp")" == "$base" ]] || die "restoring $2 did not restore the hash"
}
moves "the program's source" programs/x402-zk-verifier/src/lib.rs '$a // edited'
moves "the encoding crate's source" circuits/encoding/src/lib.rs '$a // edited'
moves "the program's manifest" programs/x402-zk-verifier/Cargo.toml '$a # edited'
moves "the anchor-lang pin" Cargo.toml 's/^anchor-lang = .*/anchor-lang = "=1.2.3"/'
moves "Anchor.toml" Anchor.toml '$a # edited'
touch "$tmp/programs/x402-zk-verifier/src/new_module.rs"
[[ "$(x402_idl_sources_hash "$tmp")" != "$base" ]] || die "the hash ignores a new source file"
rm "$tmp/programs/x402-zk-verifier/src/new_module.rs"
# What the IDL is not made from: the root manifest's profiles, the program's tests and benchmarks doc.
printf '\n[profile.dev.package.serde]\nopt-level = 2\n' >>"$tmp/Cargo.toml"
echo "// edited" >>"$tmp/programs/x402-zk-verifier/tests/vectors.rs"
echo "edited" >>"$tmp/programs/x402-zk-verifier/BENCHMARKS-program.md"
[[ "$(x402_idl_sources_hash "$tmp")" == "$base" ]] || die "the hash moved with a profile, a test or a doc"
echo "    ok: the IDL sources hash follows the program's sources, manifests, anchor pin and Anchor.toml only"
