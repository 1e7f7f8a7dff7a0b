/**
 * Chaos (issue #19): faults injected in the middle of a stream of real paid requests (express server
 * → facilitator → solana-test-validator; payers with receipt wallet files and receipts bought ahead).
 * After each fault the books are checked from the chain (nullifier accounts) and the wallets
 * ({@link audit}): every payment ended settled exactly once or retryable with its receipt intact,
 * none was lost, none settled twice. Requests left unserved are retried once the system is back
 * (after the chain's clock skew, so their handed-out proofs can no longer land) and must be served.
 *
 * Scenarios: the facilitator SIGKILLed (restarted by its supervisor), the validator SIGKILLed and
 * restarted on the same ledger, payers SIGKILLed after each step of a payment and restarted on the
 * same wallet file, the prover service SIGKILLed under clients that prove remotely, and the
 * facilitator's primary RPC dropped (it falls back). Results: target/readiness/chaos.json.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PaymentRequirements } from "@x402/core/types";
import { network } from "../test-e2e/common";
import { runPayer } from "../test-e2e/payer";
import {
  afterNextStep,
  audit,
  facilitatorFallbackAnswers,
  httpOk,
  killAndAwaitRestart,
  lcfg,
  makeClients,
  nullifierAccounts,
  paidRequest,
  pidOf,
  prefetchAll,
  requirementsOf,
  rpcCaughtUp,
  rpcSlot,
  sleep,
  stream,
  writeResult,
  type Audit,
  type LoadClient,
  type RequestRecord,
  verifier,
} from "./lib";

const CLIENTS = lcfg.sizes.chaosClients ?? 4;
const PER_CLIENT = lcfg.sizes.chaosRequests ?? 6;
/** Fault after this many requests completed. */
const TRIGGER = Math.max(2, Math.floor((CLIENTS * PER_CLIENT) / 3));
const LAMPORTS = 200_000_000;
const results: Record<string, unknown> = {};
const everyone: LoadClient[] = [];
let offer: PaymentRequirements;

before(async () => {
  offer = (await requirementsOf(lcfg.resourceUrl)).accepts[0]!;
});

after(() => {
  writeResult("chaos", { command: "bash scripts/load.sh chaos", clients: CLIENTS, requestsPerClient: PER_CLIENT, scenarios: results });
});

/** Requests left unserved are retried once their handed-out proofs can no longer land; all must be served. */
async function retryUnserved(clients: LoadClient[], records: RequestRecord[]): Promise<number> {
  const unserved = records.filter((r) => !r.served);
  if (unserved.length === 0) return 0;
  await sleep((lcfg.skewSeconds + 6) * 1000);
  for (const r of unserved) {
    const again = await paidRequest(clients[r.client]!, lcfg.resourceUrl, { attempts: 4, backoffMs: 2_000, deadline: Date.now() + 120_000 });
    r.attempts.push(...again.attempts);
    r.served = again.served;
    assert.ok(r.served, `a request left unserved by the fault is served once the system is back: ${JSON.stringify(again.attempts)}`);
  }
  return unserved.length;
}

function check(name: string, a: Audit, extra: Record<string, unknown>): void {
  results[name] = { ...a, ...extra };
  assert.deepEqual(a.problems, [], `${name}: lost or double-settled payments`);
  assert.equal(a.served, a.requests, `${name}: every request served in the end`);
  // A payment whose settle answer was lost is served on the payer's retry (the merchant's settlement
  // journal and the facilitator's /v1/settlement, docs/PROTOCOL.md §Flow 6): none is left burnt
  // and unserved while its payer paid again.
  assert.equal(a.settledUnserved, 0, `${name}: payments settled but never served (the payer paid twice)`);
  (results[name] as Record<string, unknown>).passed = true;
}

/** A stream of paid requests on fresh clients with `fault` injected after TRIGGER completions. */
async function underFault(name: string, fault: (clients: LoadClient[]) => Promise<Record<string, unknown>>, o: { remoteProver?: string } = {}): Promise<void> {
  try {
    await runUnderFault(name, fault, o);
  } catch (e) {
    results[name] = { ...((results[name] as object | undefined) ?? {}), passed: false, error: String(e).slice(0, 400) };
    throw e;
  }
}

async function runUnderFault(name: string, fault: (clients: LoadClient[]) => Promise<Record<string, unknown>>, o: { remoteProver?: string }): Promise<void> {
  const clients = await makeClients(CLIENTS, join(lcfg.workDir, name), LAMPORTS, o.remoteProver ? { remoteProver: o.remoteProver } : {});
  everyone.push(...clients);
  await prefetchAll(clients, offer, PER_CLIENT);
  let done = 0;
  let injected: Promise<Record<string, unknown>> | undefined;
  const t0 = Date.now();
  const records = await stream(clients, lcfg.resourceUrl, PER_CLIENT, { attempts: 8, backoffMs: 2_000, deadline: Date.now() + 300_000 }, () => {
    if (++done === TRIGGER) injected = fault(clients).then((r) => ({ ...r, atMs: Date.now() - t0 }));
  });
  const faultInfo = injected ? await injected : assert.fail("the fault was never injected");
  const failedAttempts = records.reduce((n, r) => n + r.attempts.filter((a) => a.status !== 200).length, 0);
  const reasons = [...new Set(records.flatMap((r) => r.attempts.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.reason ?? a.error ?? ""}`.slice(0, 120))))];
  const retried = await retryUnserved(clients, records);
  const a = await audit(clients, records);
  check(name, a, { fault: faultInfo, failedAttempts, failureKinds: reasons.slice(0, 12), retriedAfterRecovery: retried });
}

describe("chaos: every payment settled exactly once or retryable with its receipt intact", { concurrency: false }, () => {
  test("the facilitator is SIGKILLed (three times) while payments are in flight, and restarted", async () => {
    await underFault("facilitator-kill", async (clients) => {
      // 50, 400 and 800 ms after a proof was handed out: during /verify, the handler, /settle's confirmation.
      const kills = [];
      for (const d of [50, 400, 800]) {
        await afterNextStep(clients, "payload", d);
        kills.push(await killAndAwaitRestart(lcfg.pidFiles.facilitator, () => httpOk(`${lcfg.facilitatorUrl}/health`)));
      }
      return { kills: kills.length, downMs: Math.max(...kills.map((k) => k.downMs)) };
    });
  });

  test("the validator is SIGKILLed mid-stream and restarted on the same ledger (no --reset)", async () => {
    await underFault("validator-restart", async (clients) => {
      await afterNextStep(clients, "payload", 300);
      const slot = await rpcSlot();
      const r = await killAndAwaitRestart(lcfg.pidFiles.validator, () => rpcCaughtUp(slot), 240_000);
      return { ...r, slotBeforeKill: slot, slotAfterRestart: await rpcSlot() };
    });
  });

  test("the prover service is SIGKILLed under clients that prove remotely, and restarted", async () => {
    await underFault(
      "prover-kill",
      async (clients) => {
        await afterNextStep(clients, "stored", 100);
        const r = await killAndAwaitRestart(lcfg.pidFiles.prover, () => httpOk(`${lcfg.proverUrl}/health`));
        return { ...r };
      },
      { remoteProver: lcfg.proverUrl },
    );
  });

  test("payers SIGKILLed right after each step of a payment, restarted on the same wallet file", async () => {
    const steps = ["paying", "paid", "receipt", "proof", "payload"];
    const clients = await makeClients(steps.length, join(lcfg.workDir, "payer-kill"), LAMPORTS);
    everyone.push(...clients);
    const records: RequestRecord[] = [];
    const runs = await Promise.all(
      steps.map(async (step, i) => {
        const cl = clients[i]!;
        const kpPath = join(lcfg.workDir, "payer-kill", `payer-${i}.json`);
        writeFileSync(kpPath, JSON.stringify(Array.from(cl.keypair.secretKey)), { mode: 0o600 });
        const env = {
          PATH: process.env.PATH ?? "",
          RESOURCE_URL: lcfg.resourceUrl,
          SOLANA_RPC_URL: lcfg.rpc,
          PAYER_KEYPAIR: kpPath,
          STORE_PATH: cl.storePath,
          KEY_CACHE_DIR: join(lcfg.workDir, "client-keys"),
          MAX_PAYMENT: (BigInt(lcfg.minAmount) * 2n).toString(),
          X402_NETWORK: network,
        };
        const first = await runPayer({ ...env, HOLD_AFTER: step }, { killAfter: step, timeoutMs: 180_000 });
        assert.equal(first.signal, "SIGKILL", `killed after ${step}: ${first.out.slice(-500)}`);
        const second = await runPayer(env, { timeoutMs: 180_000 });
        assert.equal(second.code, 0, `restarted after a kill at ${step}: ${second.out.slice(-800)}`);
        const nullifiers = [...first.lines, ...second.lines].filter((l) => l.step === "proof").map((l) => l.nullifier as string);
        records.push({ client: i, served: true, attempts: [...nullifiers.slice(0, -1).map((n) => ({ status: 0, ms: 0, nullifier: n })), { status: 200, ms: 0, nullifier: nullifiers[nullifiers.length - 1] }] });
        return { step, firstSteps: first.lines.map((l) => l.step).filter(Boolean), secondSteps: second.lines.map((l) => l.step).filter(Boolean) };
      }),
    );
    const a = await audit(clients, records);
    // A kill before the transfer was sent pays nothing; after it, the restarted payer resumes that payment.
    assert.ok(a.transfers <= steps.length + 1, `at most one extra transfer (the kill after "payload" leaves a used receipt that is released later): ${a.transfers}`);
    check("payer-kill", a, { runs });
  });

  test("the facilitator's primary RPC is dropped mid-stream: it falls back, nothing is lost", async () => {
    const before = await facilitatorFallbackAnswers();
    await underFault("rpc-primary-drop", async () => {
      process.kill(pidOf(lcfg.pidFiles.rpcProxy), "SIGKILL");
      return { dropped: "primary RPC proxy (SIGKILL, stays down)" };
    });
    const fallback = (await facilitatorFallbackAnswers()) - before;
    Object.assign(results["rpc-primary-drop"] as Record<string, unknown>, { fallbackAnswers: fallback, passed: false });
    assert.ok(fallback > 0, "the facilitator answered from its fallback RPC");
    (results["rpc-primary-drop"] as Record<string, unknown>).passed = true;
  });

  test("the chain holds exactly the nullifiers the wallets burnt (getProgramAccounts)", async () => {
    const onChain = await nullifierAccounts();
    const fromWallets = new Set<string>();
    for (const cl of everyone) {
      for (const e of await cl.c.scheme.store.list()) if (e.state === "spent" && e.nullifier) fromWallets.add(verifier.nullifierPda(e.nullifier).toBase58());
    }
    results.global = { nullifierAccounts: onChain.size, spentInWallets: fromWallets.size };
    assert.deepEqual([...onChain].sort(), [...fromWallets].sort(), "no settlement the wallets do not know of, none missing");
    (results.global as Record<string, unknown>).passed = true;
  });
});

