/**
 * Load and stress drivers for the whole x402 path (issue #19), run by `scripts/load.sh`:
 *
 *   node build-test/test-load/load.js path           CLIENTS × REQUESTS paid requests (receipts bought
 *       ahead with prefetch, so each request proves locally, then the server verifies and settles
 *       through the facilitator on the validator); 0 errors required; throughput, latency percentiles,
 *       and the books audited from the chain and the wallets → target/readiness/load-path.json
 *   node build-test/test-load/load.js stress-path    ramps concurrency (env LOAD_LEVELS, comma list) until the error ratio
 *       passes 1 % or p99 passes 2 s; RSS of the processes sampled → target/readiness/stress-path.json
 *   node build-test/test-load/load.js verify-bodies N FILE   N fresh paid-for payloads as x402 `/verify`
 *       bodies (JSON lines) for `x402-zk-load --bodies` (the facilitator alone)
 *
 * Sizes come from LOAD_CONFIG `sizes` (clients, requests, levels, perLevel). Nothing asserts a time.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { PaymentRequired } from "@x402/core/types";
import { PROVER_WORKERS, admissionCheck, audit, latencySummary, lcfg, machine, makeClients, prefetchAll, requirementsOf, stream, verifyBody, writeResult, type RequestRecord } from "./lib";

const LAMPORTS_PER_PAYMENT = Number(lcfg.minAmount) + 20_000;

async function path(): Promise<number> {
  const clients = lcfg.sizes.clients ?? 10;
  const requests = lcfg.sizes.requests ?? 3;
  const required = await requirementsOf(lcfg.resourceUrl);
  const offer = required.accepts[0]!;
  const cls = await makeClients(clients, join(lcfg.workDir, "load-path"), LAMPORTS_PER_PAYMENT * requests * 2 + 10_000_000, { proverWorkers: PROVER_WORKERS });
  // Receipts are bought ahead in rounds of LOAD_ROUND per client (default: all of them at once): a
  // receipt pays only within the program's age cap (≤ 3,600 s), and at the 50 × 100 buying
  // 5,000 first and spending them for an hour would let the last ones expire. Only the paid phases are timed.
  const round = Math.min(requests, Math.max(1, Math.floor(Number(process.env.LOAD_ROUND ?? requests)) || requests));
  const loadBefore = machine().loadavg;
  let prefetchMs = 0;
  let elapsedMs = 0;
  const records: RequestRecord[] = [];
  const rounds = Math.ceil(requests / round);
  for (let done = 0, k = 1; done < requests; done += round, k++) {
    const n = Math.min(round, requests - done);
    const bought = await prefetchAll(cls, offer, n);
    prefetchMs += bought;
    const t0 = Date.now();
    const batch = await stream(cls, lcfg.resourceUrl, n, { attempts: 1, backoffMs: 0, deadline: Date.now() + 4 * 3600_000 });
    const ms = Date.now() - t0;
    elapsedMs += ms;
    records.push(...batch);
    // Progress: at the size a run takes about an hour.
    const failed = batch.filter((r) => !r.served).length;
    console.log(`load-path: round ${k}/${rounds}: ${clients} × ${n} receipts bought in ${(bought / 1000).toFixed(0)} s, ${batch.length} paid requests in ${(ms / 1000).toFixed(0)} s (${(batch.length / (ms / 1000)).toFixed(2)} req/s, ${failed} errors)`);
  }
  const lat = records.map((r) => r.attempts[0]!.ms);
  const server = records.flatMap((r) => (r.attempts[0]!.serverMs !== undefined ? [r.attempts[0]!.serverMs] : []));
  const errors = records.filter((r) => !r.served);
  const proofMs = cls.flatMap((c) => c.c.steps.filter((s) => s.step === "proof").map((s) => (s as { ms: number }).ms));
  const books = await audit(cls, records);
  const file = writeResult("load-path", {
    command: "bash scripts/load.sh load",
    clients,
    requestsPerClient: requests,
    receiptsBoughtPerRound: round,
    proverWorkers: PROVER_WORKERS,
    total: records.length,
    errors: errors.length,
    errorKinds: [...new Set(errors.map((r) => `${r.attempts[0]!.status} ${r.attempts[0]!.reason ?? r.attempts[0]!.error ?? ""}`))].slice(0, 10),
    elapsedSeconds: elapsedMs / 1000,
    requestsPerSecond: records.length / (elapsedMs / 1000),
    latencyMs: latencySummary(lat),
    latenciesMs: lat,
    serverLatencyMs: latencySummary(server),
    serverLatenciesMs: server,
    proofMs: latencySummary(proofMs),
    prefetchSeconds: prefetchMs / 1000,
    loadavgBefore: loadBefore,
    books,
  });
  console.log(`load-path: ${records.length} requests, ${errors.length} errors, ${(records.length / (elapsedMs / 1000)).toFixed(2)} req/s, p50 ${latencySummary(lat).p50} ms p99 ${latencySummary(lat).p99} ms → ${file}`);
  if (books.problems.length) console.error(`PROBLEMS:\n${books.problems.join("\n")}`);
  return errors.length === 0 && books.problems.length === 0 ? 0 : 1;
}

/** /proc/PID/status VmRSS in bytes (0 when the process is gone). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function stressPath(): Promise<number> {
  const levels = (process.env.LOAD_LEVELS ?? "").split(",").filter(Boolean).map(Number);
  const ramp = levels.length ? levels : [1, 2, 4, 8, 16, 32, 50];
  const perLevel = lcfg.sizes.perLevel ?? 3;
  const required = await requirementsOf(lcfg.resourceUrl);
  const offer = required.accepts[0]!;
  const max = Math.max(...ramp);
  const cls = await makeClients(max, join(lcfg.workDir, "stress-path"), LAMPORTS_PER_PAYMENT * perLevel * ramp.length * 2 + 10_000_000, { proverWorkers: PROVER_WORKERS });
  // Client i takes part in every level above i: that many requests bought ahead.
  await prefetchAll(cls.slice(0, 1), offer, perLevel * ramp.length);
  await Promise.all(cls.slice(1).map((c) => c.c.scheme.prefetch(offer, perLevel * ramp.filter((l) => l > c.index).length)));
  const pids: Record<string, number> = {};
  for (const [k, f] of Object.entries(lcfg.pidFiles)) {
    try {
      pids[k] = Number(readFileSync(f, "utf8").trim());
    } catch {
      // not started in this run
    }
  }
  const rssNow = (): Record<string, number> => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssOf(pid)]));
  const rssBefore = rssNow();
  const rows: Record<string, unknown>[] = [];
  // The facilitator's admission limit (--max-in-flight): its refusals, if any, reach the payer as
  // 503 + Retry-After + overloaded, and every answer is JSON (admissionCheck); checked at every level.
  const admissionViolations: string[] = [];
  let breaking: number | undefined;
  for (const level of ramp) {
    const rss: Record<string, number[]> = {};
    const sample = (): void => {
      for (const [k, pid] of Object.entries(pids)) (rss[k] ??= []).push(rssOf(pid));
      (rss.clients ??= []).push(process.memoryUsage().rss);
    };
    sample();
    const timer = setInterval(sample, 500);
    const t0 = Date.now();
    const records: RequestRecord[] = await stream(cls.slice(0, level), lcfg.resourceUrl, perLevel, { attempts: 1, backoffMs: 0, deadline: Date.now() + 1800_000 });
    const elapsed = (Date.now() - t0) / 1000;
    clearInterval(timer);
    sample();
    const lat = records.map((r) => r.attempts[0]!.ms);
    const server = records.flatMap((r) => (r.attempts[0]!.serverMs !== undefined ? [r.attempts[0]!.serverMs] : []));
    const errors = records.filter((r) => !r.served).length;
    const statuses: Record<string, number> = {};
    for (const r of records) statuses[r.attempts[0]!.status] = (statuses[r.attempts[0]!.status] ?? 0) + 1;
    const summary = latencySummary(lat);
    const serverSummary = latencySummary(server);
    const admission = admissionCheck(records);
    admissionViolations.push(...admission.violations.map((v) => `concurrency ${level}: ${v}`));
    const row = {
      concurrency: level,
      overloaded: admission.overloaded,
      requests: records.length,
      errors,
      errorRatio: errors / records.length,
      statuses,
      requestsPerSecond: records.length / elapsed,
      latencyMs: summary,
      serverLatencyMs: serverSummary,
      maxRssBytes: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, Math.max(...v)])),
      loadavg: machine().loadavg,
    };
    rows.push(row);
    console.log(`stress-path: concurrency ${level}: ${records.length} requests, ${errors} errors (${admission.overloaded} overloaded), ${row.requestsPerSecond.toFixed(2)} req/s, p99 ${summary.p99} ms (server side ${serverSummary.p99} ms)`);
    // The clients of this process share one WebAssembly prover, so their end-to-end latency grows with
    // the concurrency of this simulation; the breaking point is the system's: the server side.
    if (errors / records.length > 0.01 || serverSummary.p99 > 2000) {
      breaking = level;
      break;
    }
  }
  await new Promise((r) => setTimeout(r, 2_000)); // settlements of the last level done: RSS after the ramp, idle
  const rssAfter = rssNow();
  writeResult("stress-path", {
    command: "bash scripts/load.sh stress",
    component: "whole path",
    perLevel,
    ramp: rows,
    breakingConcurrency: breaking ?? null,
    criterion: "error ratio > 1 % or server-side p99 (payload ready → response) > 2 s",
    rssBefore,
    rssAfter,
    admission: { rule: "refusals are 503 + Retry-After + overloaded; every answer is JSON", violations: admissionViolations },
  });
  for (const v of admissionViolations.slice(0, 20)) console.error(`stress-path: admission: ${v}`);
  return admissionViolations.length ? 1 : 0;
}

/**
 * `n` payloads for the facilitator-alone run. What is measured there is `/verify`, not how the bodies
 * were made, so they are made the quick way: receipts bought by up to 8 payers side by side, proofs
 * from the stack's own prover service (an explicit `remoteProver`, test payers only; local
 * WebAssembly proving took ≈ 2 s a proof here, one at a time).
 */
async function verifyBodies(n: number, file: string): Promise<number> {
  const required: PaymentRequired = await requirementsOf(lcfg.resourceUrl);
  const offer = required.accepts[0]!;
  const payers = Math.max(1, Math.min(8, n));
  const each = Math.ceil(n / payers);
  const clients = await makeClients(payers, join(lcfg.workDir, "verify-bodies"), LAMPORTS_PER_PAYMENT * each * 2 + 10_000_000, {
    remoteProver: lcfg.proverUrl,
  });
  await prefetchAll(clients, offer, each);
  const perClient = await Promise.all(
    clients.map(async (cl, k) => {
      const lines: string[] = [];
      for (let i = k * each; i < Math.min(n, (k + 1) * each); i++) {
        const payload = await cl.c.client.createPaymentPayload(required);
        lines.push(JSON.stringify(verifyBody(payload, offer)));
      }
      return lines;
    }),
  );
  const lines = perClient.flat();
  assert.equal(lines.length, n, "verify-bodies: payload count");
  writeFileSync(file, lines.join("\n") + "\n");
  console.log(`verify-bodies: ${n} payloads → ${file}`);
  return 0;
}

async function main(): Promise<number> {
  const [cmd, a, b] = process.argv.slice(2);
  if (cmd === "path") return path();
  if (cmd === "stress-path") return stressPath();
  if (cmd === "verify-bodies") return verifyBodies(Number(a), b!);
  throw new Error("usage: load.js path | stress-path | verify-bodies N FILE");
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
