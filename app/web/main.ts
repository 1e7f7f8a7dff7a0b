/**
 * The browser demo's page (bundled by web/build.mjs into web/dist/app.js, served by
 * examples/demo-server.ts under /web/): pays for GET /premium through @x402/fetch with the
 * zk-receipt scheme and shows every step. The client (payment, IndexedDB receipt wallet, the
 * WebAssembly proof with @x402-zk/prover-wasm's web build served under /web/prover/, the paid retry)
 * runs in a module Web Worker (web/worker.ts → web/dist/worker.js), so the page's main thread stays
 * free while the proof takes seconds of CPU; this module only draws what the worker reports and
 * measures how long the main thread was ever kept from running a timer.
 *
 * LOCALNET ONLY: the payer is a key pair kept in localStorage (so a reload resumes with the same
 * payer and receipt wallet) and funded by the local validator's airdrop.
 *
 * For the Chromium test, the outcome is also in `window.__demo`.
 */
import { describe } from "../src/errors";
import type { DemoConfig, StartMessage, WorkerMessage } from "./protocol";

interface DemoRow {
  step: string;
  at: number;
  text: string;
}

/** The outcome, for the Chromium test. */
interface DemoResult {
  done: boolean;
  ok?: boolean;
  error?: string;
  code?: string;
  steps: DemoRow[];
  proofMs?: number;
  prover?: string;
  /** The global scope the proof ran in, as reported by the code that ran it (`DedicatedWorkerGlobalScope`). */
  proverScope?: string;
  /** Where this page's client ran: `worker` (web/worker.ts). */
  clientIn: "worker";
  /** Longest gap between two runs of a 50 ms main-thread timer while the request was in flight, ms. */
  mainThreadMaxGapMs?: number;
  /** Main-thread timer ticks while the proof ran (between the `receipt`/`wallet` step and the proof). */
  mainThreadTicksWhileProving?: number;
  status?: number;
  body?: unknown;
  settlement?: unknown;
  payer?: string;
  totalMs?: number;
  userAgent: string;
}

declare global {
  interface Window {
    __demo: DemoResult;
  }
}

const PAYER_KEY = "x402-zk-demo-payer";
const TICK_MS = 50;
const t0 = performance.now();
const result: DemoResult = { done: false, steps: [], clientIn: "worker", userAgent: navigator.userAgent };
window.__demo = result;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function row(step: string, text: string, detail?: unknown): void {
  const at = Math.round(performance.now() - t0);
  result.steps.push({ step, at, text });
  const li = document.createElement("li");
  li.dataset.step = step;
  const head = document.createElement("div");
  head.className = "head";
  const name = document.createElement("span");
  name.className = "step";
  name.textContent = step;
  const time = document.createElement("span");
  time.className = "time";
  time.textContent = `${(at / 1000).toFixed(2)} s`;
  const msg = document.createElement("span");
  msg.className = "text";
  msg.textContent = text;
  head.append(name, msg, time);
  li.append(head);
  if (detail !== undefined) {
    const pre = document.createElement("pre");
    pre.textContent = typeof detail === "string" ? detail : JSON.stringify(detail, null, 2);
    li.append(pre);
  }
  $("steps").append(li);
}

/** The payer key this page keeps (LOCALNET ONLY), or null. */
function storedPayer(): number[] | null {
  try {
    const v = JSON.parse(localStorage.getItem(PAYER_KEY) ?? "null") as unknown;
    return Array.isArray(v) && v.length === 64 && v.every((b) => Number.isInteger(b)) ? (v as number[]) : null;
  } catch {
    return null;
  }
}

/**
 * A 50 ms timer on the main thread: the longest gap between two ticks is how long the page was ever
 * unresponsive; ticks between the proof's start and its end show it ran while the worker proved.
 */
function watchMainThread(): { stop(): void; proving(on: boolean): void } {
  let last = performance.now();
  let maxGap = 0;
  let provingTicks: number | undefined;
  const id = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (provingTicks !== undefined) provingTicks++;
  }, TICK_MS);
  return {
    proving(on) {
      if (on) provingTicks = 0;
      else if (provingTicks !== undefined) result.mainThreadTicksWhileProving = provingTicks;
    },
    stop() {
      clearInterval(id);
      result.mainThreadMaxGapMs = Math.round(maxGap);
    },
  };
}

async function main(): Promise<void> {
  const cfg = (await (await fetch("/web/config.json")).json()) as DemoConfig;
  $("rpc").textContent = cfg.rpcUrl;
  if (!cfg.localnet) throw new Error(`this demo funds its payer by airdrop and runs against a local validator only; ${cfg.rpcUrl} is not one`);
  if (!cfg.proverModuleUrl) throw new Error("@x402-zk/prover-wasm is not built (scripts/build-wasm.sh): no in-browser prover");

  const watch = watchMainThread();
  const worker = new Worker(new URL("/web/dist/worker.js", location.href), { type: "module", name: "x402-zk-client" });
  row("worker", "client started in a Web Worker: payment, receipt wallet and WebAssembly proof run off this page's thread");
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(`the worker failed: ${e.message || "could not load web/dist/worker.js"}`));
      worker.onmessageerror = () => reject(new Error("a message from the worker could not be read"));
      worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
        const m = e.data;
        switch (m.type) {
          case "row":
            if (m.step === "receipt" || m.step === "wallet") watch.proving(true);
            return row(m.step, m.text, m.detail);
          case "payer":
            result.payer = m.publicKey;
            if (m.secretKey) localStorage.setItem(PAYER_KEY, JSON.stringify(m.secretKey));
            return;
          case "proof":
            watch.proving(false);
            result.proofMs = m.ms;
            result.prover = m.prover;
            result.proverScope = m.scope;
            return;
          case "response":
            result.status = m.status;
            result.body = m.body;
            result.settlement = m.settlement;
            row("response", `${m.status} ${m.statusText}`, { body: m.body, settlement: m.settlement });
            if (m.status === 200) $("content").textContent = JSON.stringify(m.body, null, 2);
            return;
          case "error":
            result.code = m.code;
            return reject(Object.assign(new Error(m.error), { code: m.code }));
          case "done":
            return m.ok ? resolve() : reject(new Error("the worker gave up"));
        }
      };
      worker.postMessage({ type: "start", config: cfg, payerSecretKey: storedPayer() } satisfies StartMessage);
    });
    result.ok = true;
  } finally {
    watch.stop();
    worker.terminate();
  }
}

main()
  .catch((e: unknown) => {
    result.ok = false;
    result.error = describe(e);
    result.code = (e as { code?: string }).code;
    row("error", `${result.code ? result.code + ": " : ""}${result.error}`);
  })
  .finally(() => {
    result.totalMs = Math.round(performance.now() - t0);
    result.done = true;
    document.body.dataset.state = result.ok ? "paid" : "failed";
    const responsive =
      result.mainThreadMaxGapMs !== undefined && result.proofMs !== undefined
        ? ` (proof: ${result.proofMs} ms in the worker; longest pause of this page's main thread: ${result.mainThreadMaxGapMs} ms)`
        : "";
    $("status").textContent = result.ok ? `paid and served in ${(result.totalMs / 1000).toFixed(1)} s${responsive}` : "failed";
  });
