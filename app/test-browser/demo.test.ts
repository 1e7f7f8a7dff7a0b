/**
 * The browser demo against the real local stack (scripts/browser-test.sh starts a validator, the
 * facilitator + attester and the demo server, and no prover service): headless Chromium opens
 * /web/, the page pays through @x402/fetch, proves in WebAssembly, keeps its receipt in IndexedDB
 * and renders the paid content. The client and the proof run in the page's module Web Worker
 * (web/worker.ts), not on its main thread: the test sees the worker start (Playwright's `worker`
 * event) and the proof's step reports the worker's global scope.
 *
 *   1. the whole story on a fresh profile: every step shown, 200 + settlement, the content on the
 *      page, the receipt in the IndexedDB wallet; screenshot → BROWSER_DEMO_SCREENSHOT;
 *   2. the tab is closed right after the payment finalized; a new tab finishes the same payment from
 *      the IndexedDB wallet: one payment on chain, not two.
 * Proof times and step times → BROWSER_DEMO_OUT (JSON, for BENCHMARKS.md).
 *
 * Env: BROWSER_DEMO_URL (the demo server, required), SOLANA_RPC_URL, BROWSER_DEMO_OUT,
 * BROWSER_DEMO_SCREENSHOT.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Connection, PublicKey } from "@solana/web3.js";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { MEMO_PROGRAM_ID } from "../src/chain";
import { CHROMIUM, launch, machine } from "./harness";

const URL_BASE = process.env.BROWSER_DEMO_URL;
const RPC = process.env.SOLANA_RPC_URL ?? "http://127.0.0.1:8899";
const PAGE_TIMEOUT_MS = 240_000;

interface DemoResult {
  done: boolean;
  ok?: boolean;
  error?: string;
  code?: string;
  steps: { step: string; at: number; text: string }[];
  proofMs?: number;
  prover?: string;
  proverScope?: string;
  clientIn?: string;
  mainThreadMaxGapMs?: number;
  mainThreadTicksWhileProving?: number;
  status?: number;
  body?: { content?: string };
  settlement?: { success?: boolean; transaction?: string };
  payer?: string;
  totalMs?: number;
  userAgent: string;
}

let browser: Browser;
const runs: {
  name: string;
  proofMs?: number;
  totalMs?: number;
  proverScope?: string;
  mainThreadMaxGapMs?: number;
  mainThreadTicksWhileProving?: number;
  steps: DemoResult["steps"];
}[] = [];
const WORKER_SCRIPT = /\/web\/dist\/worker\.js$/;
const THE_WORKER = "DedicatedWorkerGlobalScope";

function runOf(name: string, r: DemoResult): (typeof runs)[number] {
  return {
    name,
    proofMs: r.proofMs,
    totalMs: r.totalMs,
    proverScope: r.proverScope,
    mainThreadMaxGapMs: r.mainThreadMaxGapMs,
    mainThreadTicksWhileProving: r.mainThreadTicksWhileProving,
    steps: r.steps,
  };
}

before(async () => {
  assert.ok(URL_BASE, "BROWSER_DEMO_URL is not set: run scripts/browser-test.sh (it starts the stack)");
  browser = await launch();
});

after(async () => {
  await browser?.close();
  const out = process.env.BROWSER_DEMO_OUT;
  if (out && runs.length > 0) {
    const proofs = runs.map((r) => r.proofMs).filter((x): x is number => typeof x === "number");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        {
          what: "zk-receipt Groth16 proof in headless Chromium (WebAssembly, @x402-zk/prover-wasm web build), one per paid request of the browser demo",
          command: "bash scripts/browser-test.sh",
          date: new Date().toISOString(),
          browser: `${CHROMIUM} ${browser?.version() ?? ""}`.trim(),
          machine: machine(),
          proof_ms: proofs,
          runs,
        },
        null,
        1,
      ) + "\n",
    );
  }
});


function watch(page: Page, log: string[]): void {
  page.setDefaultTimeout(30_000);
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.push(`[console.${m.type()}] ${m.text()}`);
  });
  page.on("pageerror", (e) => log.push(`[pageerror] ${e.message}`));
}

/** Opens the demo; `workers` collects the URLs of the Web Workers the page starts. */
async function openDemo(ctx: BrowserContext, log: string[], workers: string[] = []): Promise<Page> {
  const page = await ctx.newPage();
  watch(page, log);
  page.on("worker", (w) => workers.push(w.url()));
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`${URL_BASE}/web/`);
  return page;
}

async function finished(page: Page, log: string[]): Promise<DemoResult> {
  await page.waitForFunction(() => window.__demo?.done === true, null, { timeout: PAGE_TIMEOUT_MS, polling: 250 });
  const r = (await page.evaluate(() => window.__demo)) as DemoResult;
  if (!r.ok) console.error(`page failed: ${r.code ?? ""} ${r.error}\nsteps: ${JSON.stringify(r.steps, null, 1)}\n${log.join("\n")}`);
  return r;
}

/** The receipt wallet's records as the page's origin sees them (raw IndexedDB, no SDK). */
function walletRecords(page: Page): Promise<{ id: string; state: string; signature?: string; nullifier?: string }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open("x402-zk-wallet");
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result.transaction("receipts").objectStore("receipts").getAll();
          all.onsuccess = () => {
            resolve(all.result.map((e: { id: string; state: string; signature?: string; nullifier?: string }) => ({ id: e.id, state: e.state, signature: e.signature, nullifier: e.nullifier })));
            req.result.close();
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

/** Payments with an x402-zk memo sent by `payer` (the chain's own record, not the page's). */
async function memoPayments(payer: string): Promise<string[]> {
  const connection = new Connection(RPC, "confirmed");
  const sigs = await connection.getSignaturesForAddress(new PublicKey(payer), { limit: 50 }, "confirmed");
  const found: string[] = [];
  for (const s of sigs) {
    if (s.err) continue;
    const tx = await connection.getTransaction(s.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    const keys = tx?.transaction.message.staticAccountKeys ?? [];
    const hasMemo = tx?.transaction.message.compiledInstructions.some((ix) => keys[ix.programIdIndex]?.equals(MEMO_PROGRAM_ID));
    if (hasMemo && keys[0]?.toBase58() === payer) found.push(s.signature);
  }
  return found;
}

test("browser demo: the page pays through @x402/fetch, proves in WebAssembly, keeps the receipt in IndexedDB and renders the paid content", async () => {
  const ctx = await browser.newContext();
  const log: string[] = [];
  try {
    const workers: string[] = [];
    const page = await openDemo(ctx, log, workers);
    const r = await finished(page, log);
    runs.push(runOf("fresh", r));
    assert.equal(r.ok, true, `${r.code ?? ""} ${r.error ?? ""}`);
    assert.equal(r.status, 200);
    assert.equal(r.body?.content, "premium data");
    assert.equal(r.settlement?.success, true);
    assert.equal(r.prover, "local", "proved in the browser, not by a prover service");
    assert.ok(typeof r.proofMs === "number" && r.proofMs > 0);
    // The proof ran in the page's Web Worker, not on its main thread.
    assert.equal(workers.filter((u) => WORKER_SCRIPT.test(u)).length, 1, `the page started its worker once: ${JSON.stringify(workers)}`);
    assert.equal(r.clientIn, "worker");
    assert.equal(r.proverScope, THE_WORKER, "the proof step ran in a dedicated worker");
    assert.ok((r.mainThreadTicksWhileProving ?? 0) > 0, "the page's main thread kept running timers while the worker proved");
    assert.equal(await page.locator(`li[data-step="worker"]`).count(), 1, "the page says the client runs in a worker");
    const order = r.steps.map((s) => s.step).filter((s) => ["requirements", "paying", "paid", "receipt", "proof", "payload", "response"].includes(s));
    assert.deepEqual(order, ["requirements", "paying", "paid", "receipt", "proof", "payload", "response"]);
    // What a person sees.
    assert.equal(await page.getAttribute("body", "data-state"), "paid");
    assert.match((await page.textContent("#content")) ?? "", /premium data/);
    for (const step of ["requirements", "paying", "paid", "receipt", "proof", "payload", "response"]) {
      assert.equal(await page.locator(`li[data-step="${step}"]`).count(), 1, `step ${step} shown`);
    }
    assert.match((await page.textContent("body")) ?? "", /Localnet only/);
    // The receipt wallet holds the payment, with the signature the chain has.
    const records = await walletRecords(page);
    assert.equal(records.length, 1);
    assert.ok(["used", "spent"].includes(records[0]!.state), `wallet state ${records[0]!.state}`);
    assert.deepEqual(await memoPayments(r.payer!), [records[0]!.signature]);
    const shot = process.env.BROWSER_DEMO_SCREENSHOT;
    if (shot) {
      mkdirSync(dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
    }
    // Chromium logs every 4xx response; the first GET's 402 is the protocol, not an error.
    assert.deepEqual(
      log.filter((l) => !/status of 402/.test(l)),
      [],
      "no console errors",
    );
  } finally {
    await ctx.close();
  }
});

test("browser demo: a tab closed right after paying; a new tab finishes the same payment from the IndexedDB wallet (one payment, not two)", async () => {
  const ctx = await browser.newContext();
  const log: string[] = [];
  try {
    const first = await openDemo(ctx, log);
    await first.waitForFunction(() => window.__demo?.steps.some((s) => s.step === "paid") || window.__demo?.done, null, { timeout: PAGE_TIMEOUT_MS, polling: 100 });
    const before = (await first.evaluate(() => window.__demo)) as DemoResult;
    assert.ok(!before.done, `the first tab finished before it could be closed: ${before.error ?? "ok"}`);
    await first.close(); // the payment is final; nothing after it ran in this tab
    const second = await openDemo(ctx, log);
    const r = await finished(second, log);
    runs.push(runOf("resumed after the tab closed", r));
    assert.equal(r.ok, true, `${r.code ?? ""} ${r.error ?? ""}`);
    assert.equal(r.proverScope, THE_WORKER, "the resumed proof ran in the new tab's worker");
    assert.equal(r.body?.content, "premium data");
    const steps = r.steps.map((s) => s.step);
    assert.ok(steps.includes("wallet"), `the second tab used the stored receipt: ${steps.join(", ")}`);
    assert.ok(!steps.includes("paying"), "the second tab did not pay again");
    assert.equal(r.payer, before.payer, "same payer (the page keeps it)");
    assert.equal((await memoPayments(r.payer!)).length, 1, "one payment on chain");
  } finally {
    await ctx.close();
  }
});
