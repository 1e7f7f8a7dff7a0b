/**
 * The payer's receipt wallet inside the zk-receipt client scheme, with real HTTP stand-ins for the
 * attester and an explicitly configured (loopback) remote prover; the chain-backed flow (local
 * WebAssembly proving, nullifiers, kill -9) is the e2e suite's. Also: the remote-prover URL guard.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { PaymentRequirements } from "@x402/core/types";
import { ConfigError, NATIVE_SOL_ASSET, RetryExhaustedError, ServiceError, VERIFIER_PROGRAM_ID, X402ZkError, checkRemoteProverUrl, commitment, isLoopbackHost, nullifierFor, parseFieldElement, resourceHashHex, toHex32 } from "../src/index";
import { MemoryReceiptStore, type ReceiptEntry } from "../src/wallet";
import { OVERLOADED, ZkReceiptClientScheme, type ZkReceiptClientOptions, type ZkReceiptStep } from "../src/zk-receipt/client";
import { obtainReceipt } from "../src/prover";
import { SOLANA_LOCALNET_CAIP2, ZK_RECEIPT_SCHEME } from "../src/zk-receipt/types";
import { sendJson, startJsonServer } from "./helpers";

const network = SOLANA_LOCALNET_CAIP2;
const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const attester = { x: "1234", y: "5678" };
const programId = VERIFIER_PROGRAM_ID.toBase58();

/** Attester + prover stand-ins. `attesterDown`/`proverDown` answer 503 while > 0 (decremented per call). */
async function standIns(o: { attesterDown?: number; proverDown?: number; proverRejects?: boolean; paidAt?: () => number } = {}) {
  const state = { attesterDown: o.attesterDown ?? 0, proverDown: o.proverDown ?? 0 };
  const s = await startJsonServer((req, body, res) => {
    const b = body as Record<string, unknown>;
    if (req.url === "/v1/attest") {
      if (state.attesterDown > 0) {
        state.attesterDown--;
        return sendJson(res, 503, { type: "urn:x402-zk:problem:unavailable", detail: "down" });
      }
      return sendJson(res, 200, {
        receipt: { payTo, asset: NATIVE_SOL_ASSET, amount: "1000", paidAt: o.paidAt ? o.paidAt() : Math.floor(Date.now() / 1000) - 5, commitment: b.commitment },
        signature: { R8x: "1", R8y: "2", S: "3" },
        attester,
      });
    }
    if (req.url === "/v1/proofs") {
      if (state.proverDown > 0) {
        state.proverDown--;
        return sendJson(res, 503, { type: "urn:x402-zk:problem:unavailable", detail: "down" });
      }
      if (o.proverRejects) return sendJson(res, 422, { type: "urn:x402-zk:problem:amount-below-minimum", detail: "amount below minAmount" });
      const pub = b.public as Record<string, unknown>;
      return sendJson(res, 200, {
        proof: Buffer.alloc(256, 7).toString("base64"),
        proofEncoding: "base64",
        publicInputs: [toHex32(99n)],
        nullifier: toHex32(nullifierFor(parseFieldElement(b.secret as string), pub.programId as string)),
        now: pub.now,
      });
    }
    sendJson(res, 404, {});
  });
  return { ...s, state };
}

function requirements(attesterUrl: string, amount = "1000"): PaymentRequirements {
  return {
    scheme: ZK_RECEIPT_SCHEME,
    network,
    amount,
    asset: NATIVE_SOL_ASSET,
    payTo,
    maxTimeoutSeconds: 60,
    extra: {
      programId,
      attester,
      attesterUrl,
      maxAge: 600,
      resourceHash: resourceHashHex({ salt: "c0ffee".repeat(6), method: "GET", url: "http://m/premium", payTo, asset: NATIVE_SOL_ASSET, amount }),
    },
  };
}

/** A scheme on `store` whose pay() counts calls and checks the store already holds the payment. */
function client(store: MemoryReceiptStore, proverUrl: string, extra: Partial<ZkReceiptClientOptions> = {}) {
  const steps: ZkReceiptStep[] = [];
  const paid: string[] = [];
  const scheme = new ZkReceiptClientScheme({
    store,
    remoteProver: { url: proverUrl },
    retry: { maxAttempts: 1 },
    onStep: (s) => steps.push(s),
    pay: async (p) => {
      const id = p.memo.slice("x402-zk:".length);
      const stored = (await store.list()).find((e) => e.id === id);
      assert.ok(stored, "the entry (secret + offer) is in the store before pay() runs");
      assert.equal(stored.state, "pending");
      assert.equal(toHex32(commitment(BigInt(stored.secret))), id);
      paid.push(id);
      return `sig${paid.length}`;
    },
    ...extra,
  });
  return { scheme, steps, paid };
}

function secretsOf(entries: ReceiptEntry[]): string[] {
  return entries.map((e) => e.secret);
}

test("remote prover URL guard: https anywhere, http only to loopback; anything else is a typed ConfigError, also at construction", () => {
  for (const ok of ["https://prover.example.com", "http://127.0.0.1:8080", "http://127.3.4.5/", "http://localhost:1", "http://[::1]:9/", "http://a.localhost/"]) {
    assert.equal(checkRemoteProverUrl(ok), ok);
  }
  for (const bad of ["http://prover.example.com", "http://10.0.0.1:8080", "http://localhost.evil.com", "http://127.0.0.1.nip.io", "http://[::2]/", "ftp://127.0.0.1/", "ws://127.0.0.1"]) {
    assert.throws(() => checkRemoteProverUrl(bad), (e: unknown) => e instanceof ConfigError && e.code === "INSECURE_PROVER_URL", bad);
  }
  assert.throws(() => checkRemoteProverUrl("not a url"), (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_INVALID");
  assert.equal(isLoopbackHost("127.0.0.256"), false);
  assert.throws(
    () => new ZkReceiptClientScheme({ pay: async () => "s", remoteProver: { url: "http://prover.example.com" } }),
    (e: unknown) => e instanceof ConfigError && e.code === "INSECURE_PROVER_URL",
  );
  // Without a remote prover the client proves locally, which needs the chain (Config.vk_hash).
  assert.throws(() => new ZkReceiptClientScheme({ pay: async () => "s" }), (e: unknown) => e instanceof ConfigError && /local proving needs `connection`/.test(e.message));
  assert.throws(() => new ZkReceiptClientScheme({ pay: async () => "s", remoteProver: { url: "http://127.0.0.1:1" }, prefetch: 17 }), /prefetch/);
  for (const proverWorkers of [0, 2.5, 17, Number.NaN]) {
    assert.throws(
      () => new ZkReceiptClientScheme({ pay: async () => "s", remoteProver: { url: "http://127.0.0.1:1" }, proverWorkers }),
      (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_INVALID" && /proverWorkers must be an integer in 1\.\.16/.test(e.message),
      String(proverWorkers),
    );
  }
});

test("the offer's extra.proverUrl is never used: the secret goes only to the prover the payer configured", async () => {
  const offered = await standIns();
  const mine = await standIns();
  try {
    const store = new MemoryReceiptStore();
    const c = client(store, mine.url);
    const req = requirements(offered.url);
    (req.extra as Record<string, unknown>).proverUrl = offered.url;
    await c.scheme.createPaymentPayload(2, req);
    assert.equal(offered.requests.filter((r) => r.url === "/v1/proofs").length, 0, "the merchant-named prover got nothing");
    assert.equal(mine.requests.filter((r) => r.url === "/v1/proofs").length, 1);
    const proverBodies = JSON.stringify(offered.requests.map((r) => r.body));
    for (const s of secretsOf(await store.list())) assert.ok(!proverBodies.includes(s));
  } finally {
    await offered.close();
    await mine.close();
  }
});

test("wallet: written before paying, then paid → attested → used; no step carries the secret", async () => {
  const svc = await standIns();
  try {
    const store = new MemoryReceiptStore();
    const c = client(store, svc.url);
    const r = await c.scheme.createPaymentPayload(2, requirements(svc.url));
    assert.equal(c.paid.length, 1);
    assert.deepEqual(c.steps.map((s) => s.step), ["requirements", "paying", "paid", "receipt", "proof", "payload"]);
    const [e] = await store.list();
    assert.equal(e!.state, "used");
    assert.equal(e!.signature, "sig1");
    assert.equal(e!.nullifier, (r.payload as { nullifier: string }).nullifier);
    assert.ok(e!.receipt);
    const log = JSON.stringify(c.steps, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    assert.ok(!log.includes(e!.secret), "the secret is in no step");
  } finally {
    await svc.close();
  }
});

test("resume: paid but the attester was down → a restarted client attests the stored payment; it pays exactly once", async () => {
  const svc = await standIns({ attesterDown: 1 });
  try {
    const store = new MemoryReceiptStore();
    const first = client(store, svc.url);
    await assert.rejects(first.scheme.createPaymentPayload(2, requirements(svc.url)), (e: unknown) => e instanceof X402ZkError);
    assert.equal(first.paid.length, 1);
    assert.deepEqual((await store.list()).map((e) => e.state), ["paid"]);

    const restarted = client(store, svc.url); // same store, new process state
    const r = await restarted.scheme.createPaymentPayload(2, requirements(svc.url));
    assert.equal(restarted.paid.length, 0, "no second payment");
    assert.deepEqual(restarted.steps.map((s) => s.step), ["requirements", "stored", "receipt", "proof", "payload"]);
    const [e] = await store.list();
    assert.equal(e!.state, "used");
    assert.equal(e!.nullifier, (r.payload as { nullifier: string }).nullifier);
  } finally {
    await svc.close();
  }
});

test("resume: attested but the prover was down → the next payment proves with the stored receipt, no payment", async () => {
  const svc = await standIns({ proverDown: 1 });
  try {
    const store = new MemoryReceiptStore();
    const first = client(store, svc.url);
    await assert.rejects(first.scheme.createPaymentPayload(2, requirements(svc.url)), (e: unknown) => e instanceof X402ZkError);
    assert.deepEqual((await store.list()).map((e) => e.state), ["attested"]);
    const again = client(store, svc.url);
    await again.scheme.createPaymentPayload(2, requirements(svc.url));
    assert.equal(again.paid.length, 0);
    assert.deepEqual(again.steps.map((s) => s.step), ["requirements", "stored", "proof", "payload"]);
    // It serves an offer asking less, never one asking more, another merchant or another attester.
    const store2 = new MemoryReceiptStore();
    const base = client(store2, svc.url, { retry: { maxAttempts: 1 } });
    svc.state.proverDown = 1;
    await assert.rejects(base.scheme.createPaymentPayload(2, requirements(svc.url)));
    const more = client(store2, svc.url);
    await more.scheme.createPaymentPayload(2, requirements(svc.url, "1001"));
    assert.equal(more.paid.length, 1, "a 1000 receipt does not serve a 1001 offer");
  } finally {
    await svc.close();
  }
});

test("a receipt older than the offer's maxAge (minus the margin) is not used; a new payment is made", async () => {
  let paidAt = Math.floor(Date.now() / 1000) - 595;
  const svc = await standIns({ proverDown: 1, paidAt: () => paidAt });
  try {
    const store = new MemoryReceiptStore();
    await assert.rejects(client(store, svc.url).scheme.createPaymentPayload(2, requirements(svc.url)));
    paidAt = Math.floor(Date.now() / 1000);
    const c = client(store, svc.url);
    await c.scheme.createPaymentPayload(2, requirements(svc.url));
    assert.equal(c.paid.length, 1);
  } finally {
    await svc.close();
  }
});

test("a prover that refuses the statement (4xx) marks the receipt failed: it is not tried again", async () => {
  const svc = await standIns({ proverRejects: true });
  try {
    const store = new MemoryReceiptStore();
    const c = client(store, svc.url);
    await assert.rejects(c.scheme.createPaymentPayload(2, requirements(svc.url)), (e: unknown) => e instanceof ServiceError && e.code === "PROVER_REJECTED");
    const [e] = await store.list();
    assert.equal(e!.state, "failed");
    assert.match(e!.error!, /prover refused/);
  } finally {
    await svc.close();
  }
});

test("prefetch: receipts bought ahead serve requests without a payment on the request's path; topped up after each use, bounded", async () => {
  const svc = await standIns();
  try {
    const store = new MemoryReceiptStore();
    const c = client(store, svc.url, { prefetch: 2 });
    const req = requirements(svc.url);
    await c.scheme.prefetch(req);
    assert.equal(c.paid.length, 2, "two bought ahead");
    assert.ok(c.steps.filter((s) => s.step === "paying").every((s) => (s as { background?: boolean }).background), "in the background");
    assert.deepEqual((await store.list()).map((e) => e.state).sort(), ["attested", "attested"]);
    assert.ok((await store.list()).every((e) => e.prefetched));

    c.steps.length = 0;
    await c.scheme.createPaymentPayload(2, req);
    const foreground = c.steps.filter((s) => !(s as { background?: boolean }).background).map((s) => s.step);
    assert.deepEqual(foreground, ["requirements", "stored", "proof", "payload"], "the request only proved");
    await c.scheme.idle();
    assert.equal(c.paid.length, 3, "topped up to two ready receipts");
    await c.scheme.prefetch(req);
    assert.equal(c.paid.length, 3, "already two ready: nothing bought");
    const states = (await store.list()).map((e) => e.state).sort();
    assert.deepEqual(states, ["attested", "attested", "used"]);
  } finally {
    await svc.close();
  }
});

test("prefetch errors are reported through onStep, never thrown into the request path", async () => {
  const svc = await standIns();
  try {
    const store = new MemoryReceiptStore();
    let calls = 0;
    const c = client(store, svc.url, {
      prefetch: 1,
      pay: async () => {
        calls++;
        if (calls > 1) throw new Error("wallet locked");
        return "sig1";
      },
    });
    await c.scheme.createPaymentPayload(2, requirements(svc.url));
    await c.scheme.idle();
    const err = c.steps.find((s) => s.step === "prefetch-error") as Extract<ZkReceiptStep, { step: "prefetch-error" }> | undefined;
    assert.ok(err, JSON.stringify(c.steps.map((s) => s.step)));
    assert.match(err.error, /wallet locked/);
  } finally {
    await svc.close();
  }
});

test("a merchant's 503 overloaded (facilitator at its admission limit, nothing sent) releases the receipt: the retry uses it again, no second payment; an attester 503 overloaded is retried after Retry-After", async () => {
  const svc = await standIns();
  try {
    const store = new MemoryReceiptStore();
    const c = client(store, svc.url);
    const first = await c.scheme.createPaymentPayload(2, requirements(svc.url));
    const nullifier = (first.payload as { nullifier: string }).nullifier;
    // Any other unanswered outcome (a 502, a timeout) keeps the receipt `used`.
    await c.scheme.observeAnswer(nullifier, { settled: false, reason: undefined });
    assert.equal((await store.list())[0]!.state, "used");
    await c.scheme.observeAnswer(nullifier, { settled: false, reason: OVERLOADED });
    const [e] = await store.list();
    assert.equal(e!.state, "attested");
    assert.equal(e!.unanswered, false);
    const again = await c.scheme.createPaymentPayload(2, requirements(svc.url));
    assert.equal(c.paid.length, 1, "no second payment");
    assert.equal((again.payload as { nullifier: string }).nullifier, nullifier, "the same receipt");
  } finally {
    await svc.close();
  }
});

test("the attester's 503 overloaded (problem+json, Retry-After) is a retryable ServiceError, retried no sooner than Retry-After", async () => {
  const at: number[] = [];
  const att = await startJsonServer((_req, _body, res) => {
    at.push(Date.now());
    sendJson(res, 503, { type: "urn:x402-zk:problem:overloaded", title: "overloaded", status: 503, detail: "at its limit; retry after 1 s", reason: "overloaded", retryAfter: 1 }, { "retry-after": "1" });
  });
  try {
    const err = await obtainReceipt(att.url, { txSignature: "s", commitment: "0x01", payTo, asset: NATIVE_SOL_ASSET }, { retry: { maxAttempts: 2, baseDelayMs: 10 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RetryExhaustedError, String(err));
    const cause = err.cause;
    assert.ok(cause instanceof ServiceError, String(cause));
    assert.equal(cause.code, "ATTESTER_UNAVAILABLE");
    assert.equal(cause.retryable, true);
    assert.equal(cause.retryAfterMs, 1000);
    assert.equal(cause.problemType, "urn:x402-zk:problem:overloaded");
    assert.equal(at.length, 2);
    assert.ok(at[1]! - at[0]! >= 950, `retried after ${at[1]! - at[0]!} ms`);
  } finally {
    await att.close();
  }
});
