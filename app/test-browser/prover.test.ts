/**
 * The WebAssembly receipt prover (@x402-zk/prover-wasm's web build) in headless Chromium, on the
 * real receipt circuit: load + init, the deterministic dev proving key, a committed valid request
 * (circuits/wasm/tests/vectors/dev-request.json) proved RUNS times, each proof verified and a
 * tampered one refused; vkHash() equals the native SolanaVk::sha256 in the vector. Timings →
 * BROWSER_PROVER_OUT (default ../target/browser-prover.json) for BENCHMARKS.md; nothing here
 * asserts a duration.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Browser } from "playwright-core";
import { APP, CHROMIUM, launch, machine, serveFiles, type StaticServer } from "./harness";

const ROOT = join(APP, "..");
const RUNS = Number(process.env.BROWSER_PROVER_RUNS ?? 5);
const OUT = process.env.BROWSER_PROVER_OUT ?? join(ROOT, "target", "browser-prover.json");
const WEB = join(APP, "prover-wasm", "web");
const NAME = "x402_zk_prover_wasm";

/** The dev proving key the native CLI writes (the same file app/prover-wasm/test uses). */
function devProvingKey(): Buffer {
  const dir = join(ROOT, "target", "wasm", "dev-keys");
  const pk = join(dir, "receipt.pk");
  if (!existsSync(pk)) {
    const cli = process.env.X402_ZK_CLI ?? join(ROOT, "target", "debug", "x402-zk");
    assert.ok(existsSync(cli), `${cli} missing: cargo build --workspace --tests (or set X402_ZK_CLI)`);
    execFileSync(cli, ["keys", "dev-setup", "--deterministic", "--out", dir], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return readFileSync(pk);
}

let server: StaticServer;
let browser: Browser;
let vector: { request: unknown; vkHash: string };

before(async () => {
  vector = JSON.parse(readFileSync(join(ROOT, "circuits", "wasm", "tests", "vectors", "dev-request.json"), "utf8")) as typeof vector;
  const page = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module">
import init, * as prover from "/prover/${NAME}.js";
const t = performance.now();
await init();
window.__prover = prover;
window.__loadMs = performance.now() - t;
</script></body></html>`;
  server = await serveFiles({
    "/": { body: page, type: "text/html" },
    [`/prover/${NAME}.js`]: { body: readFileSync(join(WEB, `${NAME}.js`)), type: "text/javascript" },
    [`/prover/${NAME}_bg.wasm`]: { body: readFileSync(join(WEB, `${NAME}_bg.wasm`)), type: "application/wasm" },
    "/receipt.pk": { body: devProvingKey(), type: "application/octet-stream" },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("the receipt prover in Chromium (WebAssembly): proofs of a valid request verify, a tampered one does not, vkHash equals native", async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(server.url + "/");
  await page.waitForFunction(() => (window as unknown as { __prover?: unknown }).__prover !== undefined);
  const r = await page.evaluate(
    async ([request, runs]) => {
      type P = { vkHash(): string; prove(r: string): string; verify(p: string): boolean; free(): void };
      const w = window as unknown as { __prover: { ReceiptProver: new (pk: Uint8Array) => P }; __loadMs: number };
      let t = performance.now();
      const pk = new Uint8Array(await (await fetch("/receipt.pk")).arrayBuffer());
      const fetchMs = performance.now() - t;
      t = performance.now();
      const prover = new w.__prover.ReceiptProver(pk);
      const keyMs = performance.now() - t;
      const prove: number[] = [];
      const verify: number[] = [];
      const nullifiers = new Set<string>();
      let tamperedAccepted = false;
      for (let i = 0; i < runs; i++) {
        t = performance.now();
        const out = prover.prove(request);
        prove.push(performance.now() - t);
        t = performance.now();
        const ok = prover.verify(out);
        verify.push(performance.now() - t);
        if (!ok) throw new Error(`proof ${i} did not verify`);
        const o = JSON.parse(out) as { proof: string; nullifier: string };
        nullifiers.add(o.nullifier);
        const bytes = Uint8Array.from(atob(o.proof), (c) => c.charCodeAt(0));
        bytes[255] = bytes[255]! ^ 1;
        const bad = JSON.stringify({ ...o, proof: btoa(String.fromCharCode(...bytes)) });
        let badOk = false;
        try {
          badOk = prover.verify(bad);
        } catch {
          badOk = false;
        }
        tamperedAccepted ||= badOk;
        await new Promise((res) => setTimeout(res, 0));
      }
      const vkHash = prover.vkHash();
      prover.free();
      return { loadMs: w.__loadMs, fetchMs, keyMs, pkBytes: pk.length, prove, verify, vkHash, nullifiers: nullifiers.size, tamperedAccepted };
    },
    [JSON.stringify(vector.request), RUNS] as const,
  );
  assert.equal(r.vkHash, vector.vkHash, "the browser derives the native vk hash from the key");
  assert.equal(r.prove.length, RUNS);
  assert.equal(r.nullifiers, 1, "one statement, one nullifier");
  assert.equal(r.tamperedAccepted, false);
  const round = (x: number) => Math.round(x * 10) / 10;
  const sorted = [...r.prove].sort((a, b) => a - b);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    JSON.stringify(
      {
        what: "x402-zk receipt circuit: Groth16 prove in headless Chromium, @x402-zk/prover-wasm web build (single thread)",
        command: "cd app && node --test build-test/test-browser/prover.test.js (part of scripts/browser-test.sh)",
        date: new Date().toISOString(),
        browser: `${CHROMIUM} ${browser.version()}`,
        machine: machine(),
        wasm_bytes: readFileSync(join(WEB, `${NAME}_bg.wasm`)).length,
        pk_bytes: r.pkBytes,
        runs: RUNS,
        load_init_ms: round(r.loadMs),
        key_fetch_ms: round(r.fetchMs),
        key_deserialize_ms: round(r.keyMs),
        prove_ms: r.prove.map(round),
        prove_median_ms: round(sorted[Math.floor(sorted.length / 2)]!),
        prove_min_ms: round(sorted[0]!),
        verify_ms: r.verify.map(round),
      },
      null,
      1,
    ) + "\n",
  );
  await page.close();
});

