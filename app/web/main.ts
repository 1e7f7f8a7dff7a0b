/**
 * The browser demo (bundled by web/build.mjs into web/dist/app.js, served by examples/demo-server.ts
 * under /web/): pays for GET /premium through @x402/fetch with the zk-receipt scheme, proving in
 * this page with WebAssembly (@x402-zk/prover-wasm's web build, served under /web/prover/) and
 * keeping the receipt in IndexedDB, and shows every step.
 *
 * LOCALNET ONLY: the payer is a key pair made in this page (kept in localStorage so a reload
 * resumes with the same payer and receipt wallet) and funded by the local validator's airdrop.
 * A real page would take a wallet adapter; it is used the same way: the page pays through
 * `signTransaction` only (see `walletAdapterOf`), never touching a secret key.
 *
 * For the Chromium test, the outcome is also in `window.__demo`.
 */
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, type Transaction } from "@solana/web3.js";
import { x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import type { Network } from "@x402/core/types";
import { describe } from "../src/errors";
import type { TransactionSigner } from "../src/chain";
import type { WasmProverModule } from "../src/local-prover";
import { registerZkReceiptClient, type ZkReceiptStep } from "../src/zk-receipt/client";
import { wrapFetchWithZkPayment } from "../src/zk-receipt/fetch";
import { IndexedDbProvingKeyCache, IndexedDbReceiptStore } from "../src/wallet-indexeddb";

/** What the demo server says about this deployment (GET /web/config.json). */
interface DemoConfig {
  rpcUrl: string;
  network: Network;
  resourcePath: string;
  /** URL of @x402-zk/prover-wasm's web entry (ES module with a default `init()`), or null when it is not built. */
  proverModuleUrl: string | null;
  localnet: boolean;
  /** Most base units this page agrees to pay per request. */
  maxPayment: string;
}

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

const t0 = performance.now();
const result: DemoResult = { done: false, steps: [], userAgent: navigator.userAgent };
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

function short(s: string, n = 10): string {
  return s.length > 2 * n + 1 ? `${s.slice(0, n)}…${s.slice(-n)}` : s;
}

/** A wallet adapter over a key pair: what `@solana/wallet-adapter` gives a page (signTransaction only). */
function walletAdapterOf(kp: Keypair): TransactionSigner {
  return {
    publicKey: kp.publicKey,
    async signTransaction(tx: Transaction) {
      tx.partialSign(kp);
      return tx;
    },
  };
}

/** The page's payer, kept in localStorage (LOCALNET ONLY: a real page uses the visitor's wallet). */
function demoKeypair(): Keypair {
  const stored = localStorage.getItem("x402-zk-demo-payer");
  if (stored) {
    try {
      return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(stored) as number[]));
    } catch {
      // not a key: make a new one
    }
  }
  const kp = Keypair.generate();
  localStorage.setItem("x402-zk-demo-payer", JSON.stringify(Array.from(kp.secretKey)));
  return kp;
}

async function fund(connection: Connection, who: PublicKey, atLeast: bigint): Promise<void> {
  const balance = BigInt(await connection.getBalance(who, "confirmed"));
  if (balance >= atLeast) {
    row("funds", `payer ${short(who.toBase58(), 6)} has ${Number(balance) / LAMPORTS_PER_SOL} SOL`);
    return;
  }
  const sig = await connection.requestAirdrop(who, 2 * LAMPORTS_PER_SOL);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const st = (await connection.getSignatureStatuses([sig])).value[0];
    if (st?.err) throw new Error(`airdrop failed: ${JSON.stringify(st.err)}`);
    if (st?.confirmationStatus === "confirmed" || st?.confirmationStatus === "finalized") break;
    if (Date.now() > deadline) throw new Error("airdrop did not confirm in 60 s");
    await new Promise((r) => setTimeout(r, 300));
  }
  row("funds", `localnet airdrop: 2 SOL to the page's payer ${short(who.toBase58(), 6)}`);
}

function onStep(s: ZkReceiptStep): void {
  switch (s.step) {
    case "requirements":
      return row("requirements", `${s.requirements.amount} lamports to ${short(s.requirements.payTo, 6)} on ${s.requirements.network}`, {
        scheme: "zk-receipt",
        amount: s.requirements.amount.toString(),
        asset: s.requirements.asset,
        payTo: s.requirements.payTo,
        extra: s.requirements.extra,
      });
    case "stored":
      return row("wallet", `using a receipt from the IndexedDB wallet (${s.state}${s.prefetched ? ", bought ahead" : ""}): no new payment`);
    case "paying":
      return row("paying", `transfer with memo x402-zk:${short(s.commitment)} (the secret stays in this page)`);
    case "paid":
      return row("paid", `finalized: ${short(s.signature, 12)}`);
    case "receipt":
      return row("receipt", `attester signed: paidAt ${s.receipt.receipt.paidAt}, amount ${s.receipt.receipt.amount}`);
    case "proof":
      result.proofMs = s.ms;
      result.prover = s.prover;
      return row("proof", `Groth16 proof in ${s.ms} ms (${s.prover === "local" ? "WebAssembly in this page" : "remote prover"}), nullifier ${short(s.nullifier)}`);
    case "payload":
      return row("payload", `retrying GET with PAYMENT-SIGNATURE`, { ...s.payload, proof: `${s.payload.proof.slice(0, 32)}… (${s.payload.proof.length} base64 chars)` });
    case "spent":
      return row("spent", `receipt ${short(s.id)} spent: nullifier account on chain`);
    case "failed":
      return row("failed", `receipt ${short(s.id)}: ${s.error}`);
    case "released":
    case "prefetch-error":
    case "warning":
      return row(s.step, JSON.stringify(s));
  }
}

async function loadProver(url: string): Promise<WasmProverModule> {
  const t = performance.now();
  const mod = (await import(/* @vite-ignore */ url)) as WasmProverModule & { default: () => Promise<unknown> };
  await mod.default(); // fetch + instantiate the .wasm next to the module
  row("prover", `WebAssembly prover loaded in ${Math.round(performance.now() - t)} ms`);
  return mod;
}

async function main(): Promise<void> {
  const cfg = (await (await fetch("/web/config.json")).json()) as DemoConfig;
  $("rpc").textContent = cfg.rpcUrl;
  if (!cfg.localnet) throw new Error(`this demo funds its payer by airdrop and runs against a local validator only; ${cfg.rpcUrl} is not one`);
  if (!cfg.proverModuleUrl) throw new Error("@x402-zk/prover-wasm is not built (scripts/build-wasm.sh): no in-browser prover");
  const connection = new Connection(cfg.rpcUrl, "confirmed");
  const kp = demoKeypair();
  result.payer = kp.publicKey.toBase58();
  await fund(connection, kp.publicKey, BigInt(cfg.maxPayment) + 10_000_000n);

  const proverUrl = cfg.proverModuleUrl;
  const client = registerZkReceiptClient(new x402Client(), {
    networks: [cfg.network],
    connection,
    payer: walletAdapterOf(kp),
    store: new IndexedDbReceiptStore(),
    keyCache: new IndexedDbProvingKeyCache(),
    loadProver: () => loadProver(proverUrl),
    maxAmount: BigInt(cfg.maxPayment),
    onStep,
    allowAssets: [{ network: cfg.network, asset: "11111111111111111111111111111111", maxAmountPerPayment: cfg.maxPayment }],
  });
  const paidFetch = wrapFetchWithZkPayment(fetch.bind(globalThis), client);
  row("request", `GET ${cfg.resourcePath}`);
  const res = await paidFetch(cfg.resourcePath);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: show the text
  }
  result.status = res.status;
  result.body = body;
  const settle = res.headers.get("payment-response");
  if (settle) result.settlement = decodePaymentResponseHeader(settle);
  row("response", `${res.status} ${res.statusText}`, { body, settlement: result.settlement });
  if (res.status !== 200) throw new Error(`the paid request answered ${res.status}`);
  $("content").textContent = JSON.stringify(body, null, 2);
  result.ok = true;
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
    $("status").textContent = result.ok ? `paid and served in ${(result.totalMs / 1000).toFixed(1)} s` : "failed";
  });
