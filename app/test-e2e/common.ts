/**
 * Shared by the end-to-end test files: the configuration `scripts/e2e.sh` writes (E2E_CONFIG), the
 * payer, RPC and program clients, a paying @x402/fetch client, and small assertions on the answers.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload, PaymentRequired } from "@x402/core/types";
import { NATIVE_SOL_ASSET, ProverError, ServiceError, VerifierClient, createRpcFallback, payWithMemo, type RpcFallback } from "../src/index";
import { networkFromEnv } from "../src/zk-receipt/types";
import { ZkReceiptClientScheme, registerZkReceiptClient, type PayFunction, type ZkReceiptClientOptions, type ZkReceiptStep } from "../src/zk-receipt/client";
import { FileProvingKeyCache } from "../src/node";
import { dirname, join } from "node:path";

export interface E2eConfig {
  rpc: string;
  deadRpc: string;
  payerKeypair: string;
  programId: string;
  minAmount: string;
  proverUrl: string;
  facilitators: {
    main: string;
    fallback: string;
    stale: string;
    killable: string;
    batch: string;
    /** Batching (like `batch`) for the replay tests, so `batch`'s exact metrics stay the batching test's. */
    replayBatch: string;
    /** `--rate-limit-per-minute 60`. */
    rateLimited: string;
    /** Started with an attester key that is not the chain's (`--config-check-interval-secs 1`). */
    guard: string;
    /** Started as app/README.md tells an operator (`--public-url`, `--prover-url`). */
    readme: string;
  };
  killableFacilitatorPid: number;
  staleSkewSeconds: number;
  expiringMaxAge: number;
  servers: {
    a: string;
    b: string;
    expiring: string;
    stale: string;
    fallback: string;
    deadFacilitator: string;
    killable: string;
    batch: string;
    replayBatch: string;
    guard: string;
    /** examples/merchant.ts, configured exactly as app/README.md says. */
    readme: string;
  };
  /** The second merchant (server b); facilitators serving both have `--pay-to A,B`. */
  merchantB: string;
  /** The keypair of the program's upgrade authority and Config authority (~/.config/solana/id.json). */
  authorityKeypair: string;
  /** How long each server's `GET /slow` handler takes, ms. */
  slowMs: number;
}

if (!process.env.E2E_CONFIG) throw new Error("E2E_CONFIG not set: run the suite with scripts/e2e.sh, which starts the processes and writes it");
export const cfg = JSON.parse(readFileSync(process.env.E2E_CONFIG, "utf8")) as E2eConfig;
export const network = networkFromEnv(process.env);
export const payer = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(cfg.payerKeypair, "utf8")) as number[]));
export const liveRpc = createRpcFallback([cfg.rpc]);
export const verifier = new VerifierClient({ connection: liveRpc.connection("confirmed"), payer, programId: cfg.programId });
export const premium = (base: string) => `${base}/premium`;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Proving keys the e2e clients downloaded from the facilitator's `GET /v1/proving-key` (the offer's
 * `extra.provingKeyUrl`) after checking them against the chain's `Config.vk_hash`: one download per run.
 */
export const keyCache = new FileProvingKeyCache(join(dirname(cfg.payerKeypair), "client-keys"));

/**
 * A paying client (local WebAssembly proving, the default); records its steps (with the time each
 * was reported), the payload it made, and the failure the scheme raised.
 */
export function payingClient(o: { rpc?: RpcFallback; pay?: PayFunction } & Partial<ZkReceiptClientOptions> = {}) {
  const { rpc: rpcOpt, ...rest } = o;
  const rpc = rpcOpt ?? liveRpc;
  const steps: ZkReceiptStep[] = [];
  const at: number[] = [];
  const seen: { payload?: PaymentPayload; failure?: unknown } = {};
  const opts: ZkReceiptClientOptions = {
    connection: rpc.connection("confirmed"),
    payer,
    keyCache,
    maxAmount: BigInt(cfg.minAmount) * 2n,
    ...rest,
    onStep: (s) => {
      steps.push(s);
      at.push(Date.now());
    },
  };
  const scheme = new ZkReceiptClientScheme(opts);
  const client = registerZkReceiptClient(new x402Client(), {
    ...opts,
    scheme,
    networks: [network],
    allowAssets: [{ network, asset: NATIVE_SOL_ASSET, maxAmountPerPayment: (BigInt(cfg.minAmount) * 2n).toString() }],
  });
  client.onAfterPaymentCreation(async (ctx) => {
    seen.payload = ctx.paymentPayload;
  });
  client.onPaymentCreationFailure(async (ctx) => {
    seen.failure = ctx.error;
  });
  // Counts the requests that carried a payment header (none may leave a client whose payment failed).
  const paidRequests: string[] = [];
  const countingFetch: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    if (req.headers.has("payment-signature")) paidRequests.push(req.url);
    return fetch(req);
  };
  return { client, scheme, steps, at, seen, paidRequests, fetch: wrapFetchWithPayment(countingFetch, client) };
}

/** GET without payment: must be 402 with requirements. */
export async function requirementsOf(url: string): Promise<PaymentRequired> {
  const res = await fetch(url);
  assert.equal(res.status, 402, `unpaid GET ${url}`);
  const header = res.headers.get("payment-required");
  assert.ok(header, "PAYMENT-REQUIRED header");
  return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PaymentRequired;
}

/** Sends a payment header; expects 402 and returns the x402 `error` the server put in PAYMENT-REQUIRED. */
export async function refusedWith(url: string, payload: PaymentPayload): Promise<string | undefined> {
  const res = await fetch(url, { headers: { "PAYMENT-SIGNATURE": encodePaymentSignatureHeader(payload) } });
  assert.equal(res.status, 402, `expected 402 from ${url}, got ${res.status}: ${await res.clone().text()}`);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const header = res.headers.get("payment-required");
  assert.ok(header, "402 carries PAYMENT-REQUIRED");
  return (JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PaymentRequired).error;
}

export function nullifierOf(p: PaymentPayload | undefined): string {
  const n = (p?.payload as { nullifier?: string } | undefined)?.nullifier;
  assert.ok(n, "payload has a nullifier");
  return n;
}

export async function spent(nullifier: string): Promise<boolean> {
  return (await verifier.fetchNullifier(nullifier)) !== null;
}

/** Pays `amount` (not what the offer asks) to `payTo` through the real chain. */
export function payInstead(change: (p: Parameters<PayFunction>[0]) => Parameters<PayFunction>[0], after?: () => Promise<void>): PayFunction {
  return async (p) => {
    const sig = await payWithMemo(liveRpc.connection("confirmed"), payer, change(p));
    if (after) await after();
    return sig;
  };
}

/** The local prover's error behind a failed `createPaymentPayload`. */
export function proverFailure(seen: { failure?: unknown }): ProverError {
  assert.ok(seen.failure instanceof ProverError, `expected a ProverError, got ${String(seen.failure)}`);
  return seen.failure;
}

/** The SDK error behind a failed `createPaymentPayload` (x402 core's wrapper keeps only its message). */
export function serviceFailure(seen: { failure?: unknown }): ServiceError {
  assert.ok(seen.failure instanceof ServiceError, `expected a ServiceError, got ${String(seen.failure)}`);
  return seen.failure;
}

export async function facilitatorHealth(url: string): Promise<{ rpc: { endpoints: { index: number; ok: number; errors: number }[]; fallbackAnswers: number } }> {
  const res = await fetch(`${url}/health`);
  assert.equal(res.status, 200);
  return (await res.json()) as never;
}

export async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** How a paid request ended: its status and, for a refusal, the x402 reason (verify: PAYMENT-REQUIRED `error`; settle: PAYMENT-RESPONSE `errorReason`). */
export async function outcomeOf(res: Response): Promise<{ status: number; reason?: string; body: string }> {
  const body = await res.text();
  const required = res.headers.get("payment-required");
  const response = res.headers.get("payment-response");
  let reason: string | undefined;
  if (res.status !== 200 && response) reason = decodePaymentResponseHeader(response).errorReason;
  if (res.status !== 200 && required) reason = (JSON.parse(Buffer.from(required, "base64").toString("utf8")) as PaymentRequired).error ?? reason;
  return { status: res.status, reason, body };
}

/** Sends `payload` in a PAYMENT-SIGNATURE header. */
export function sendPaid(url: string, payload: PaymentPayload): Promise<Response> {
  return fetch(url, { headers: { "PAYMENT-SIGNATURE": encodePaymentSignatureHeader(payload) } });
}

/** POSTs JSON; returns status, headers and the parsed body (or the text). */
export async function postJson(url: string, body: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, headers: res.headers, json };
}

/** Polls `f` every 250 ms until it returns true; fails after `ms`. */
export async function waitFor(what: string, f: () => Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await f().catch(() => false)) return Date.now() - t0;
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(250);
  }
}

export function keypairFrom(path: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]));
}
