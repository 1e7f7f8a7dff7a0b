/**
 * Shared by the load, stress and chaos drivers (`scripts/load.sh` starts the processes and writes
 * LOAD_CONFIG; it also sets E2E_CONFIG to the same file, so the end-to-end helpers of
 * `../test-e2e/common` — the payer, the paying client, the outcome of a paid request — are reused).
 *
 * A {@link LoadClient} is one payer: its own key pair (funded by the stack's payer), its own
 * receipt wallet file (`FileReceiptStore`) and a real @x402/fetch client proving locally (WebAssembly
 * worker threads shared by every client of the process: one, or {@link PROVER_WORKERS} for the load
 * drivers). {@link audit} proves from the chain and the wallets that no payment was lost and none settled twice.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import type { PaymentRequirements } from "@x402/core/types";
import { NULLIFIER_ACCOUNT_SIZE, describe, sendAndConfirm } from "../src/index";
import { MAX_PROVER_WORKERS } from "../src/local-prover";
import { FileReceiptStore } from "../src/node";
import type { ReceiptEntry } from "../src/wallet";
import { facilitatorHealth, liveRpc, nullifierOf, outcomeOf, payer, payingClient, requirementsOf, sleep, verifier } from "../test-e2e/common";

export interface LoadConfig {
  rpc: string;
  payerKeypair: string;
  programId: string;
  minAmount: string;
  /** The express server's paid route. */
  resourceUrl: string;
  facilitatorUrl: string;
  proverUrl: string;
  /** Where each supervised process's current PID is (scripts/stack.sh `supervise`). */
  pidFiles: { facilitator: string; validator: string; prover: string; rpcProxy: string };
  /** The chain's (and the facilitator's) `max_clock_skew_seconds`. */
  skewSeconds: number;
  /** Per-run work dir (wallet files). */
  workDir: string;
  /** Where results go (target/readiness). */
  outDir: string;
  /** CI-sized run. */
  ci: boolean;
  /** Free-form sizes from scripts/load.sh (clients, requests, …). */
  sizes: Record<string, number>;
}

export const lcfg = { ...(JSON.parse(readFileSync(process.env.LOAD_CONFIG ?? process.env.E2E_CONFIG!, "utf8")) as LoadConfig) };
export const connection = liveRpc.connection("confirmed");
export { liveRpc, nullifierOf, outcomeOf, payer, requirementsOf, sleep, verifier };

/** One attempt of a paid request. */
export { admissionCheck } from "./admission";
import { isJson } from "./admission";

export interface Attempt {
  status: number;
  reason?: string;
  ms: number;
  /** From the payload being ready (proof made) to the response: the server's verify + handler + settle. */
  serverMs?: number;
  /** The nullifier of the payload this attempt sent (none when no payload was made). */
  nullifier?: string;
  error?: string;
  /** The answer's `Retry-After` header, when it had one. */
  retryAfter?: string;
  /** False when the answer's body is not JSON (every answer must be). */
  json?: boolean;
}

/** One logical request (retried until 200 or out of attempts). */
export interface RequestRecord {
  client: number;
  attempts: Attempt[];
  served: boolean;
}

export interface LoadClient {
  index: number;
  keypair: Keypair;
  storePath: string;
  c: ReturnType<typeof payingClient>;
  /** The signature of the transfer that funded it (not a payment). */
  funding: string;
}

/** Funds `n` new payers with `lamports` each (several transfers per transaction) and builds their clients. */
/**
 * Worker threads the local provers of a load driver use (env LOAD_PROVER_WORKERS, default one per
 * core): the clients of one process share them, so with one worker every proof of the run waits in one queue.
 */
export const PROVER_WORKERS = Math.min(MAX_PROVER_WORKERS, Math.max(1, Number(process.env.LOAD_PROVER_WORKERS ?? availableParallelism()) || 1));

export async function makeClients(n: number, dir: string, lamports: number, opts: { prefetch?: number; remoteProver?: string; proverWorkers?: number } = {}): Promise<LoadClient[]> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kps = Array.from({ length: n }, () => Keypair.generate());
  const funding: string[] = [];
  for (let i = 0; i < n; i += 10) {
    const chunk = kps.slice(i, i + 10);
    const sig = await sendAndConfirm(
      connection,
      chunk.map((k) => SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: k.publicKey, lamports })),
      [payer],
    );
    for (const _ of chunk) funding.push(sig);
  }
  return kps.map((keypair, index) => {
    const storePath = join(dir, `client-${index}`, "receipts.json");
    const c = payingClient({
      payer: keypair,
      store: new FileReceiptStore(storePath),
      ...(opts.prefetch !== undefined ? { prefetch: opts.prefetch } : {}),
      ...(opts.remoteProver ? { remoteProver: { url: opts.remoteProver, timeoutMs: 60_000 } } : {}),
      ...(opts.proverWorkers !== undefined ? { proverWorkers: opts.proverWorkers } : {}),
      retry: { maxAttempts: 4, baseDelayMs: 200 },
    });
    return { index, keypair, storePath, c, funding: funding[index]! };
  });
}

/** Buys `perClient` receipts for every client ahead of time (at most `parallel` clients at once). */
export async function prefetchAll(clients: LoadClient[], offer: PaymentRequirements, perClient: number, parallel = 10): Promise<number> {
  const t0 = Date.now();
  await warmUp(clients, offer);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < clients.length; i = next++) {
      await clients[i]!.c.scheme.prefetch(offer, perClient);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, clients.length) }, worker));
  for (const cl of clients) {
    const ready = (await cl.c.scheme.store.list()).filter((e) => e.state === "attested").length;
    assert.equal(ready, perClient, `client ${cl.index}: ${ready} of ${perClient} receipts bought ahead (steps: ${JSON.stringify(cl.c.steps.filter((s) => s.step === "prefetch-error"))})`);
  }
  return Date.now() - t0;
}

/** Loads the proving key and the WebAssembly prover once (shared by every client of the process). */
export async function warmUp(clients: LoadClient[], offer: PaymentRequirements): Promise<void> {
  if (clients[0]) await clients[0].c.scheme.warmUp(offer);
}

/**
 * One logical paid request: retried (up to `attempts`, `backoffMs` apart, never past `deadline`)
 * until it is served. Every attempt is recorded with the nullifier it sent.
 */
export async function paidRequest(cl: LoadClient, url: string, o: { attempts: number; backoffMs: number; deadline: number; timeoutMs?: number }): Promise<RequestRecord> {
  const rec: RequestRecord = { client: cl.index, attempts: [], served: false };
  for (let i = 0; i < o.attempts && Date.now() < o.deadline; i++) {
    if (i > 0) await sleep(o.backoffMs);
    cl.c.seen.payload = undefined;
    cl.c.seen.failure = undefined;
    const t0 = Date.now();
    const from = cl.c.steps.length;
    const a: Attempt = { status: 0, ms: 0 };
    try {
      const res = await cl.c.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 120_000) });
      const retryAfter = res.headers.get("retry-after");
      if (retryAfter !== null) a.retryAfter = retryAfter;
      const out = await outcomeOf(res);
      a.json = isJson(out.body);
      const i = cl.c.steps.findIndex((s, k) => k >= from && s.step === "payload");
      if (i >= 0) a.serverMs = Date.now() - cl.c.at[i]!;
      a.status = out.status;
      if (out.reason) a.reason = out.reason;
      if (out.status !== 200 && !out.reason) a.error = out.body.slice(0, 200);
    } catch (e) {
      a.error = describe(e).slice(0, 300);
    }
    a.ms = Date.now() - t0;
    if (cl.c.seen.payload) a.nullifier = nullifierOf(cl.c.seen.payload);
    rec.attempts.push(a);
    if (a.status === 200) {
      rec.served = true;
      break;
    }
  }
  return rec;
}

/** Runs `perClient` logical requests on every client concurrently; returns the records in completion order. */
export async function stream(clients: LoadClient[], url: string, perClient: number, o: { attempts: number; backoffMs: number; deadline: number }, onDone?: (r: RequestRecord) => void): Promise<RequestRecord[]> {
  const all: RequestRecord[] = [];
  await Promise.all(
    clients.map(async (cl) => {
      for (let i = 0; i < perClient && Date.now() < o.deadline; i++) {
        const r = await paidRequest(cl, url, o);
        all.push(r);
        onDone?.(r);
      }
    }),
  );
  return all;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(i, 1), sorted.length) - 1]!;
}

export function latencySummary(ms: number[]): { n: number; p50: number; p90: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? 0, mean: Math.round(mean) };
}

/** The x402 `/verify` body the express middleware sends for `payload` (`@x402/core` HTTPFacilitatorClient). */
export function verifyBody(payload: unknown, requirements: PaymentRequirements): unknown {
  return { x402Version: 2, paymentPayload: payload, paymentRequirements: requirements };
}

// ---- the books: chain + wallets -----------------------------------------------------------------

/** The result of {@link audit}; every `problems` entry is a lost or double-settled payment. */
export interface Audit {
  requests: number;
  served: number;
  /** Logical requests not served whose attempts burnt no nullifier: their receipts stay in the wallet. */
  retryable: number;
  /**
   * Payments whose nullifier burnt while no request was served with it (the settle answer was lost and
   * the payer paid again): must be 0 (chaos.test.ts), the lost answer being served on the retry.
   */
  settledUnserved: number;
  transfers: number;
  burnt: number;
  walletStates: Record<string, number>;
  problems: string[];
}

/** Nullifier accounts of the program on chain (getProgramAccounts, filtered by size), as PDA base58. */
export async function nullifierAccounts(): Promise<Set<string>> {
  const accts = await connection.getProgramAccounts(new PublicKey(lcfg.programId), { filters: [{ dataSize: NULLIFIER_ACCOUNT_SIZE }], dataSlice: { offset: 0, length: 0 } });
  return new Set(accts.map((a) => a.pubkey.toBase58()));
}

/**
 * Proves from the chain and the clients' wallet files that every payment ended settled exactly once
 * or retryable with its receipt intact:
 * - every transfer that left a client's key pair (getSignaturesForAddress, funding excluded) is the
 *   transfer of exactly one wallet entry, and no entry's transfer is missing;
 * - an entry whose transfer landed is `spent`, or live with what resuming needs (`paid`/`sent` with the
 *   signature, `attested`/`used` with the receipt): never `failed`, `expired` or `pending`;
 * - an entry is `spent` exactly when its nullifier account exists (getAccountInfo of the PDA), and
 *   every burnt nullifier belongs to one entry of one wallet;
 * - every served request's nullifier is burnt (no response without settlement), and no two served
 *   requests share one; burnt nullifiers no served request owns are counted (`settledUnserved`).
 */
export async function audit(clients: LoadClient[], records: RequestRecord[]): Promise<Audit> {
  const problems: string[] = [];
  const walletStates: Record<string, number> = {};
  const burntBy = new Map<string, number>();
  let transfers = 0;
  const burntSet = new Set<string>();
  for (const cl of clients) {
    await cl.c.scheme.reconcile();
    const entries = JSON.parse(readFileSync(cl.storePath, "utf8")).entries as ReceiptEntry[];
    const sigs = (await connection.getSignaturesForAddress(cl.keypair.publicKey, { limit: 1000 }, "confirmed")).filter((s) => s.signature !== cl.funding);
    const landed = new Set(sigs.filter((s) => !s.err).map((s) => s.signature));
    transfers += landed.size;
    const bySig = new Map<string, ReceiptEntry[]>();
    for (const e of entries) if (e.signature) bySig.set(e.signature, [...(bySig.get(e.signature) ?? []), e]);
    for (const s of landed) {
      const es = bySig.get(s) ?? [];
      if (es.length !== 1) problems.push(`client ${cl.index}: transfer ${s} is in ${es.length} wallet entries (lost or counted twice)`);
    }
    for (const e of entries) {
      walletStates[e.state] = (walletStates[e.state] ?? 0) + 1;
      const paid = e.signature !== undefined && landed.has(e.signature);
      const burnt = e.nullifier ? (await verifier.fetchNullifier(e.nullifier)) !== null : false;
      if (burnt) {
        burntSet.add(e.nullifier!);
        burntBy.set(e.nullifier!, (burntBy.get(e.nullifier!) ?? 0) + 1);
      }
      if (e.state === "spent" && !burnt) problems.push(`client ${cl.index}: entry ${e.id.slice(0, 10)}… spent but its nullifier account does not exist`);
      if (burnt && e.state !== "spent") problems.push(`client ${cl.index}: entry ${e.id.slice(0, 10)}… nullifier burnt but the wallet says ${e.state}`);
      if (paid && !["spent", "attested", "used", "paid", "sent"].includes(e.state)) problems.push(`client ${cl.index}: LOST payment ${e.signature}: entry ${e.state} (${e.error ?? ""})`);
      if ((e.state === "attested" || e.state === "used") && !e.receipt) problems.push(`client ${cl.index}: entry ${e.id.slice(0, 10)}… ${e.state} without its receipt`);
      if (e.state === "spent" && !paid) problems.push(`client ${cl.index}: entry ${e.id.slice(0, 10)}… spent without a landed transfer`);
      if (e.state === "failed" && paid) problems.push(`client ${cl.index}: entry ${e.id.slice(0, 10)}… failed although its transfer landed`);
    }
  }
  for (const [n, k] of burntBy) if (k !== 1) problems.push(`nullifier ${n.slice(0, 12)}… burnt for ${k} wallet entries`);
  // Each burnt nullifier is one payment settled once. A served request owns the nullifier of its last
  // (200) attempt; two served requests owning one nullifier would be one payment buying two
  // responses. A burnt nullifier no served request owns is a payment settled while its answer was
  // lost (the request was then served by another receipt, or is counted as unserved).
  let served = 0;
  let retryable = 0;
  const owned = new Map<string, number>();
  for (const r of records) {
    if (r.served) {
      served++;
      const last = r.attempts[r.attempts.length - 1]!;
      if (!last.nullifier || !burntSet.has(last.nullifier)) problems.push(`client ${r.client}: served with nullifier ${last.nullifier ?? "(none)"} that is not burnt on chain`);
      else owned.set(last.nullifier, (owned.get(last.nullifier) ?? 0) + 1);
    } else if (!r.attempts.some((a) => a.nullifier && burntSet.has(a.nullifier))) retryable++;
  }
  for (const [n, k] of owned) if (k > 1) problems.push(`nullifier ${n.slice(0, 12)}… served ${k} requests (one payment, several responses)`);
  const settledUnserved = [...burntSet].filter((n) => !owned.has(n)).length;
  return { requests: records.length, served, retryable, settledUnserved, transfers, burnt: burntSet.size, walletStates, problems };
}

/** Reads a supervised process's current PID. */
export function pidOf(file: string): number {
  const pid = Number(readFileSync(file, "utf8").trim());
  assert.ok(Number.isSafeInteger(pid) && pid > 1, `pid file ${file}`);
  return pid;
}

/** SIGKILLs the supervised process of `file`; resolves once a new PID answers `healthy()` (bounded). */
export async function killAndAwaitRestart(file: string, healthy: () => Promise<boolean>, ms = 120_000): Promise<{ oldPid: number; newPid: number; downMs: number }> {
  const oldPid = pidOf(file);
  const t0 = Date.now();
  process.kill(oldPid, "SIGKILL");
  for (;;) {
    await sleep(250);
    let pid = 0;
    try {
      pid = pidOf(file);
    } catch {
      // being rewritten
    }
    if (pid && pid !== oldPid && (await healthy().catch(() => false))) return { oldPid, newPid: pid, downMs: Date.now() - t0 };
    if (Date.now() - t0 > ms) assert.fail(`${file}: no healthy restart within ${ms} ms`);
  }
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return res.ok;
}

async function rpcCall(method: string): Promise<unknown> {
  const res = await fetch(lcfg.rpc, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method }), signal: AbortSignal.timeout(3_000) });
  return ((await res.json()) as { result?: unknown }).result;
}

export async function rpcSlot(): Promise<number> {
  return Number(await rpcCall("getSlot"));
}

/**
 * The validator answers and has replayed its ledger up to `minSlot`. (Restarted on its ledger,
 * solana-test-validator answers getHealth "ok" at slot 0, with genesis state, for a second or two
 * before it replays the ledger.)
 */
export async function rpcCaughtUp(minSlot: number): Promise<boolean> {
  return (await rpcCall("getHealth")) === "ok" && (await rpcSlot()) >= minSlot;
}

/** Writes `target/readiness/<name>.json` (and returns its path), with date, machine and load average. */
export function writeResult(name: string, body: Record<string, unknown>): string {
  const path = resolve(lcfg.outDir, `${name}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...body }, null, 1) + "\n");
  return path;
}

export function machine(): { cpus: number; model: string; loadavg: number[] } {
  return { cpus: availableParallelism(), model: cpus()[0]?.model ?? "unknown", loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
}

/** Answers the facilitator took from a fallback RPC endpoint (its /health). */
export async function facilitatorFallbackAnswers(): Promise<number> {
  return (await facilitatorHealth(lcfg.facilitatorUrl)).rpc.fallbackAnswers;
}

/**
 * Resolves `delayMs` after the next `step` any of `clients` reports — after `payload` its paid request
 * is on its way to the server (verify, handler, settle); after `stored` it is proving — so a fault
 * lands while a payment is in flight.
 */
export async function afterNextStep(clients: LoadClient[], step: string, delayMs: number, ms = 120_000): Promise<void> {
  const count = (c: LoadClient): number => c.c.steps.filter((s) => s.step === step).length;
  const seen = clients.map(count);
  const t0 = Date.now();
  while (!clients.some((c, i) => count(c) > seen[i]!)) {
    if (Date.now() - t0 > ms) assert.fail(`no ${step} step within ${ms} ms`);
    await sleep(10);
  }
  await sleep(delayMs);
}
