/**
 * Issue #16 on the real stack `scripts/e2e.sh` starts: the payer proves locally with the
 * WebAssembly prover (its proving key fetched from the facilitator's `GET /v1/proving-key` and
 * checked against the chain's `Config.vk_hash`), keeps every payment in a receipt wallet, and buys
 * receipts ahead of time.
 *
 * - the default path sends nothing to the prover service (its request counters do not move);
 * - a payer killed with SIGKILL right after its payment finalized, restarted on the same wallet
 *   file, completes the request with that payment: exactly one transfer left its wallet;
 * - a request served from a prefetched receipt only proves (no payment on its path).
 *
 * The first and the last test record the time of each step; the file ends by writing them to
 * `target/e2e-client-timing.json` (BENCHMARKS.md's table is rendered from it by
 * `scripts/client-timing-table.sh`). Nothing here asserts a duration.
 * The tests run one after the other (they measure, and the first watches the prover's counters).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { runPayer } from "./payer";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Keypair, LAMPORTS_PER_SOL, SystemProgram } from "@solana/web3.js";
import { decodePaymentResponseHeader } from "@x402/fetch";
import { sendAndConfirm } from "../src/index";
import { FileReceiptStore } from "../src/node";
import { ZkReceiptClientScheme, type ZkReceiptStep } from "../src/zk-receipt/client";
import { cfg, keyCache, liveRpc, network, nullifierOf, payer, payingClient, premium, requirementsOf, spent } from "./common";

const connection = liveRpc.connection("confirmed");
/** Where `scripts/client-timing-table.sh` reads the figures (repo `target/`, build-test/test-e2e/ → ../../..). */
const TIMING_FILE = resolve(__dirname, "..", "..", "..", "target", "e2e-client-timing.json");

/** Requests the prover service answered on its proof routes (any status), from its /metrics. */
async function proverProofRequests(): Promise<number> {
  const text = await (await fetch(`${cfg.proverUrl}/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("http_requests_total{")) continue;
    if (!/route="\/(v1\/proofs|generate-proof)"/.test(line)) continue;
    n += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return n;
}

interface Timed {
  step: string;
  /** ms since the request started. */
  atMs: number;
}

/** The steps of one request (background purchases left out) with their times, and the response's. */
function timeline(c: { steps: ZkReceiptStep[]; at: number[] }, t0: number, tEnd: number, from = 0): { steps: Timed[]; totalMs: number } {
  const steps: Timed[] = [];
  for (let i = from; i < c.steps.length; i++) {
    const s = c.steps[i]!;
    if ((s as { background?: boolean }).background || c.at[i]! > tEnd) continue;
    steps.push({ step: s.step, atMs: c.at[i]! - t0 });
  }
  steps.push({ step: "response", atMs: tEnd - t0 });
  return { steps, totalMs: tEnd - t0 };
}

const timing: Record<string, unknown> = {};

describe("issue #16: local proving, the receipt wallet, prefetched receipts (real validator, facilitators, express servers)", { concurrency: false }, () => {
  test("default path: paid with local WebAssembly proving (key from GET /v1/proving-key, checked against Config.vk_hash); the prover service received no request", async () => {
    const url = premium(cfg.servers.a);
    const offer = (await requirementsOf(url)).accepts[0]!;
    const extra = offer.extra as { provingKeyUrl?: string; vkHash?: string };
    assert.ok(extra.provingKeyUrl, "the offer names where the proving key is (the facilitator's /supported)");
    const c = payingClient();
    const before = await proverProofRequests();
    const w0 = Date.now();
    await c.scheme.warmUp(offer);
    const warmUpMs = Date.now() - w0;
    const t0 = Date.now();
    const res = await c.fetch(url);
    const tEnd = Date.now();
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(decodePaymentResponseHeader(res.headers.get("payment-response")!).success, true);
    assert.deepEqual(c.steps.map((s) => s.step), ["requirements", "paying", "paid", "receipt", "proof", "payload"]);
    const proof = c.steps.find((s) => s.step === "proof") as Extract<ZkReceiptStep, { step: "proof" }>;
    assert.equal(proof.prover, "local");
    assert.equal(await spent(nullifierOf(c.seen.payload)), true);
    assert.equal(await proverProofRequests(), before, "the prover service got no proof request: it never saw the secret");
    // The wallet marks the receipt spent once the nullifier account exists.
    const [entry] = await c.scheme.reconcile();
    assert.equal(entry!.state, "spent");
    timing.cold = { warmUpMs, proveMs: proof.ms, ...timeline(c, t0, tEnd) };
  });

  test("crash after paying: a payer killed (SIGKILL) right after `paid`, restarted on the same wallet file, completes the request with that payment — one transfer left its wallet", async () => {
    const dir = mkdtempSync(join(tmpdir(), "x402-crash-"));
    const storePath = join(dir, "receipts.json");
    // A fresh payer, so its whole history is this test's: one funding transfer in, one payment out.
    const kp = Keypair.generate();
    const funded = LAMPORTS_PER_SOL / 50;
    await sendAndConfirm(connection, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: kp.publicKey, lamports: funded })], [payer]);
    const kpPath = join(dir, "payer.json");
    writeFileSync(kpPath, JSON.stringify(Array.from(kp.secretKey)), { mode: 0o600 });
    const env = {
      PATH: process.env.PATH ?? "",
      RESOURCE_URL: premium(cfg.servers.a),
      SOLANA_RPC_URL: cfg.rpc,
      PAYER_KEYPAIR: kpPath,
      STORE_PATH: storePath,
      KEY_CACHE_DIR: keyCache.dir,
      MAX_PAYMENT: (BigInt(cfg.minAmount) * 2n).toString(),
      X402_NETWORK: network,
    };

    const first = await runPayer({ ...env, HOLD_AFTER: "paid" }, { killAfter: "paid", timeoutMs: 120_000 });
    assert.equal(first.signal, "SIGKILL", `killed after paid: ${first.out}`);
    assert.ok(!first.lines.some((l) => "result" in l), "it never got to the request");
    const paidLine = first.lines.find((l) => l.step === "paid")!;
    const stored = JSON.parse(readFileSync(storePath, "utf8")) as { entries: { state: string; signature?: string }[] };
    assert.deepEqual(stored.entries.map((e) => [e.state, e.signature]), [["paid", paidLine.signature]], "the wallet file holds the finalized, unattested payment");

    const second = await runPayer(env, { timeoutMs: 120_000 });
    assert.equal(second.code, 0, second.out);
    const steps = second.lines.filter((l) => typeof l.step === "string").map((l) => l.step);
    assert.deepEqual(steps, ["requirements", "stored", "receipt", "proof", "payload"], second.out);
    assert.equal(second.lines.find((l) => l.step === "stored")!.state, "paid");
    assert.equal(second.lines.find((l) => "result" in l)!.result, 200);
    const nullifier = second.lines.find((l) => l.step === "proof")!.nullifier as string;
    assert.equal(await spent(nullifier), true);

    // Exactly one payment left the new wallet: its history is the funding and one transfer, and its
    // balance fell by the price and one transaction fee.
    const sigs = await connection.getSignaturesForAddress(kp.publicKey, {}, "confirmed");
    assert.equal(sigs.length, 2, `funding + one payment: ${sigs.map((s) => s.signature).join(", ")}`);
    assert.ok(sigs.some((s) => s.signature === paidLine.signature));
    const balance = await connection.getBalance(kp.publicKey, "confirmed");
    assert.equal(balance, funded - Number(cfg.minAmount) - 5_000);

    const wallet = new ZkReceiptClientScheme({ connection, payer: kp, store: new FileReceiptStore(storePath) });
    const [entry] = await wallet.reconcile();
    assert.equal(entry!.state, "spent");
  });

  test("prefetched receipt: the request only proves (no payment on its path); topped up in the background afterwards", async () => {
    const url = premium(cfg.servers.a);
    const offer = (await requirementsOf(url)).accepts[0]!;
    const c = payingClient({ prefetch: 1, store: new FileReceiptStore(join(mkdtempSync(join(tmpdir(), "x402-prefetch-")), "receipts.json")) });
    const p0 = Date.now();
    await c.scheme.prefetch(offer);
    const prefetchMs = Date.now() - p0;
    await c.scheme.warmUp(offer);
    assert.deepEqual((await c.scheme.store.list()).map((e) => e.state), ["attested"]);
    const from = c.steps.length;
    const t0 = Date.now();
    const res = await c.fetch(url);
    const tEnd = Date.now();
    assert.equal(res.status, 200, await res.clone().text());
    const onPath = c.steps.slice(from).filter((s) => !(s as { background?: boolean }).background).map((s) => s.step);
    assert.deepEqual(onPath, ["requirements", "stored", "proof", "payload"], "no payment on the request's path");
    assert.equal(await spent(nullifierOf(c.seen.payload)), true);
    const proof = c.steps.slice(from).find((s) => s.step === "proof") as Extract<ZkReceiptStep, { step: "proof" }>;
    timing.prefetched = { prefetchMs, proveMs: proof.ms, ...timeline(c, t0, tEnd, from) };
    await c.scheme.idle();
    const states = (await c.scheme.store.list()).map((e) => e.state).sort();
    assert.deepEqual(states, ["attested", "used"], "one new receipt bought in the background");
  });
});

after(() => {
  if (!timing.cold || !timing.prefetched) return;
  mkdirSync(dirname(TIMING_FILE), { recursive: true });
  const result = {
    command: "bash scripts/e2e.sh (app/test-e2e/client.test.ts)",
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? "unknown" },
    network: "solana-test-validator (local), payment finalized before attestation",
    ...timing,
  };
  writeFileSync(TIMING_FILE, JSON.stringify(result, null, 2) + "\n");
});

