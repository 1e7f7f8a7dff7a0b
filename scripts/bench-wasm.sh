#!/usr/bin/env bash
# scripts/bench-wasm.sh — receipt proof time of the WebAssembly prover (Node and headless Chromium)
# beside the native one (criterion, 1 and 2 threads), and the .wasm size; writes the
# "WebAssembly prover" section of BENCHMARKS.md (between its markers) from the measurements.
#   bash scripts/bench-wasm.sh [runs=5]
#   bash scripts/bench-wasm.sh --render-only [runs]   (rewrite the section from target/wasm/bench/*.json)
#   bash scripts/bench-wasm.sh --no-build [runs]      (measure app/prover-wasm as it is, without build-wasm.sh)
# A native bench that does not build is reported ("not measured in this run"), not fatal.
# Needs scripts/setup.sh --only wasm, scripts/build-wasm.sh (run here) and the native x402-zk CLI
# (target/debug/x402-zk, from `cargo build --workspace --tests`). Takes a few minutes; the native
# criterion bench builds the bench profile on its first run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/versions.env"
source "$ROOT/scripts/lib.sh"
x402_tool_path
cd "$ROOT"
CMD="bash scripts/bench-wasm.sh${*:+ $*}"
RENDER_ONLY=0 BUILD=1
[[ "${1:-}" == --render-only ]] && { RENDER_ONLY=1; shift; }
[[ "${1:-}" == --no-build ]] && { BUILD=0; shift; }
RUNS="${1:-5}"
OUT="$ROOT/target/wasm/bench"
mkdir -p "$OUT"
if [[ $RENDER_ONLY == 0 ]]; then
# A measuring run starts clean: no figure of an earlier run (e.g. native rows) may end up in this table.
rm -f "$OUT"/*.json "$OUT"/*.log

if [[ $BUILD == 1 ]]; then bash scripts/build-wasm.sh; else echo "==> --no-build: measuring app/prover-wasm as built"; fi
# Named after the committed dev key's hash: a circuit change never reuses the old circuit's keys.
KEYS="$ROOT/target/wasm/dev-keys-$(tr -d '\n' <"$ROOT/keys/dev/solana_vk.sha256" | sed 's/^0x//' | cut -c1-16)"
if [[ ! -f "$KEYS/receipt.pk" ]]; then
  CLI="${X402_ZK_CLI:-$ROOT/target/debug/x402-zk}"
  [[ -x "$CLI" ]] || die "$CLI missing: cargo build --workspace --tests"
  "$CLI" keys dev-setup --deterministic --out "$KEYS" 2>/dev/null
fi
VECTOR="$ROOT/circuits/wasm/tests/vectors/dev-request.json"
load() { cut -d' ' -f1 /proc/loadavg; }

L_NODE=$(load)
echo "==> Node (wasm), $RUNS runs; load $L_NODE"
echo "{\"load_before\": $(load)}" >"$OUT/load.json"
node scripts/bench-wasm/run-node.cjs "$KEYS/receipt.pk" "$VECTOR" "$RUNS" >"$OUT/node.json"

L_CHROMIUM=$(load)
echo "==> headless Chromium (wasm), $RUNS runs; load $L_CHROMIUM"
WWW="$OUT/www"
rm -rf "$WWW" && mkdir -p "$WWW"
cp scripts/bench-wasm/index.html "$WWW/"
cp -r app/prover-wasm/web "$WWW/web"
cp "$KEYS/receipt.pk" "$WWW/receipt.pk"
cp "$VECTOR" "$WWW/vector.json"
node scripts/bench-wasm/run-chromium.cjs "$WWW" "$RUNS" >"$OUT/chromium.json"

# Native: the criterion bench (keys preloaded), rayon limited to 1 and 2 threads. `--workspace`
# keeps the workspace's feature set (no rebuild of the dependency tree).
declare -A L_NATIVE
for threads in 1 2; do
  L_NATIVE[$threads]=$(load)
  echo "==> native criterion bench, RAYON_NUM_THREADS=$threads; load ${L_NATIVE[$threads]}"
  if RAYON_NUM_THREADS=$threads cargo bench --workspace --bench prove -- --sample-size 10 'receipt/prove' \
    >"$OUT/criterion-$threads.log" 2>&1; then
    cp target/criterion/receipt/prove/new/estimates.json "$OUT/native-$threads.json"
  else
    tail -5 "$OUT/criterion-$threads.log"
    echo "!!! the native criterion bench failed (log: $OUT/criterion-$threads.log): its row says not measured" >&2
  fi
done
jq -n --argjson before "$(jq .load_before "$OUT/load.json")" --argjson after "$(load)" --arg cmd "$CMD" \
  --arg at "$(date -u '+%Y-%m-%d %H:%M UTC')" --argjson node "$L_NODE" --argjson chromium "$L_CHROMIUM" \
  --argjson n1 "${L_NATIVE[1]}" --argjson n2 "${L_NATIVE[2]}" \
  '{load_before: $before, load_after: $after, command: $cmd, at: $at,
    rows: {node: $node, chromium: $chromium, native1: $n1, native2: $n2}}' >"$OUT/load.json"
fi

RAW="$ROOT/target/wasm/wasm32-unknown-unknown/release/x402_zk_prover_wasm.wasm"
FINAL="$ROOT/app/prover-wasm/node/x402_zk_prover_wasm_bg.wasm"
python3 - "$OUT" "$RAW" "$FINAL" "$RUNS" <<'PY' | tee /dev/stderr | python3 scripts/write-section.py BENCHMARKS.md bench-wasm --before "## Trusted-setup ceremony"
import gzip, json, os, re, subprocess, sys, datetime
out, raw, final, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
j = lambda f: json.load(open(os.path.join(out, f)))
node, chrome, load = j("node.json"), j("chromium.json"), j("load.json")
# Native rows are optional (a run cut short before the criterion bench): shown as not measured.
nat = {t: j(f"native-{t}.json")["median"]["point_estimate"] / 1e6
       for t in (1, 2) if os.path.exists(os.path.join(out, f"native-{t}.json"))}
cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"], capture_output=True, text=True).stdout.strip()
size = lambda p: os.path.getsize(p)
median = lambda a: sorted(a)[len(a) // 2]
gz = lambda p: len(gzip.compress(open(p, "rb").read(), 9))
rowload = load.get("rows", {})
def row(name, med, lo, extra="", key=None):
    if med is None:
        return f"| {name} | not measured in this run | | | | |"
    ratio = f"{med / nat[1]:.1f}×" if 1 in nat else "–"
    low = f"{lo:,.0f}" if lo is not None else ""
    return f"| {name} | **{med:,.0f}** | {low} | {ratio} | {rowload.get(key, '')} | {extra} |"
lines = [
    "<!-- bench-wasm:begin (generated by scripts/bench-wasm.sh; do not edit by hand) -->",
    "## WebAssembly prover (client-side proving, issue #16)",
    "",
    f"Measured {load.get('at', datetime.date.today().isoformat())} on {os.cpu_count()} vCPU ({cpu}), load average "
    f"{load['load_before']}–{load['load_after']} (1-minute `uptime` figure before/after; above 1 the machine was shared: upper bounds). "
    f"Command: `{load.get('command', f'bash scripts/bench-wasm.sh {runs}')}` "
    "(receipt circuit, deterministic dev keys, the vector `circuits/wasm/tests/vectors/dev-request.json`; "
    f"wasm: {runs} proofs after one warm-up, single thread; native: criterion `receipt/prove` median, keys preloaded).",
    "",
    "| prove | median ms | min ms | × native 1 thread | load (1 min) at start | other steps |",
    "|---|---:|---:|---:|---:|---|",
    row("native x86_64, 1 thread (`RAYON_NUM_THREADS=1`)", nat.get(1), None, key="native1"),
    row("native x86_64, 2 threads", nat.get(2), None, key="native2"),
    row(node["runtime"] + " (wasm)", node["prove_median_ms"], node["prove_min_ms"],
        f"CPU time of a prove (median) {median(node['prove_cpu_ms']):,.0f} ms; verify {node['verify_median_ms']} ms, "
        f"key parse {node['key_parse_ms']} ms, module load {node['load_ms']} ms", key="node"),
    row(chrome["runtime"] + " (wasm)", chrome["prove_median_ms"], chrome["prove_min_ms"],
        f"verify {chrome['verify_median_ms']} ms, key parse {chrome['key_parse_ms']} ms, fetch + instantiate {chrome['load_ms']} ms", key="chromium"),
    "",
    "| size | bytes | gzip -9 |",
    "|---|---:|---:|",
    f"| `.wasm` cargo output (wasm32-unknown-unknown, release, LTO) | {size(raw):,} | {gz(raw):,} |",
    f"| `.wasm` shipped (`app/prover-wasm/*/x402_zk_prover_wasm_bg.wasm`, after wasm-opt) | **{size(final):,}** | {gz(final):,} |",
    f"| proving key `receipt.pk` (uncompressed, fetched once) | {node['pk_bytes']:,} | |",
    "",
    f"Goals (issue #16): prove ≤ 2,000 ms in Node and in Chromium — Node **{'met' if node['prove_median_ms'] <= 2000 else 'not met'}**, "
    f"Chromium **{'met' if chrome['prove_median_ms'] <= 2000 else 'not met'}**; `.wasm` ≤ 1 MB (1,048,576 bytes) — "
    f"**{'met' if size(final) <= 1048576 else 'not met'}**.",
    "<!-- bench-wasm:end -->",
]
print("\n".join(lines))
PY
