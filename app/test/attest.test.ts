/**
 * The SDK's attester calls under idempotent attestation: the receipt is a pure function of the
 * finalized transaction, so a retry after a timeout (the first answer lost) just gets it; only
 * "not final yet" and transient failures are retried, every other refusal is final.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NATIVE_SOL_ASSET, ServiceError, isAttesterRetryable, obtainReceipt } from "../src/index";
import { sendJson, startJsonServer } from "./helpers";

const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const commitment = "0x" + "0a".repeat(32);
const req = { txSignature: "5xTx", commitment, payTo, asset: NATIVE_SOL_ASSET };
const receipt = {
  receipt: { payTo, asset: NATIVE_SOL_ASSET, amount: "1000000", paidAt: 1_700_000_000, commitment },
  signature: { R8x: "11", R8y: "22", S: "33" },
  attester: { x: "1234", y: "5678" },
};
const fast = { baseDelayMs: 1, jitter: "none" as const };

test("a first attest that times out is retried and gets the receipt (no 409 'already-receipted' any more)", async () => {
  let calls = 0;
  const att = await startJsonServer(async (_req, _body, res) => {
    if (++calls === 1) await new Promise((r) => setTimeout(r, 1_000)); // the answer the client never sees
    sendJson(res, 200, receipt);
  });
  try {
    const r = await obtainReceipt(att.url, req, { retry: fast, http: { timeoutMs: 300 } });
    assert.equal(calls, 2);
    assert.deepEqual(r.receipt.signature, { R8x: "11", R8y: "22", S: "33" });
    assert.equal(r.commitment, commitment);
  } finally {
    await att.close();
  }
});

test("attester answers: not-finalized (409) and 5xx/429 are retried; memo-mismatch, no-transfer and any other typed 4xx are final", async () => {
  const problem = (status: number, slug: string) => ({ status, body: { type: `urn:x402-zk:problem:${slug}`, title: slug, detail: slug } });
  const cases: { answers: { status: number; body: unknown }[]; ok: boolean; calls: number }[] = [
    { answers: [problem(409, "not-finalized"), problem(503, "rpc-unavailable"), problem(429, "rate-limited"), { status: 200, body: receipt }], ok: true, calls: 4 },
    { answers: [problem(422, "memo-mismatch")], ok: false, calls: 1 },
    { answers: [problem(422, "no-transfer")], ok: false, calls: 1 },
    { answers: [problem(409, "already-receipted")], ok: false, calls: 1 },
  ];
  for (const c of cases) {
    let calls = 0;
    const att = await startJsonServer((_req, _body, res) => {
      const a = c.answers[Math.min(calls++, c.answers.length - 1)]!;
      sendJson(res, a.status, a.body, a.status === 200 ? {} : { "content-type": "application/problem+json" });
    });
    try {
      const p = obtainReceipt(att.url, req, { retry: fast });
      if (c.ok) await p;
      else await assert.rejects(p, (e: unknown) => e instanceof ServiceError && e.code === "ATTESTER_REJECTED" && !isAttesterRetryable(e));
      assert.equal(calls, c.calls, JSON.stringify(c.answers[0]));
    } finally {
      await att.close();
    }
  }
});
