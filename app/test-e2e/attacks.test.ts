/**
 * Issue #14's attacks, against the real stack `scripts/e2e.sh` starts (validator, prover, Rust
 * facilitators, @x402/express servers, @x402/fetch client). Each of these passed for the attacker
 * before issue #14:
 *
 * - one payment header replayed against a slow paid route (8 staggered, 4 in parallel; with and
 *   without settlement batching) must buy exactly one response;
 * - an observer who asks the attester for the payer's receipt first must not hurt the payer, and
 *   gets nothing it can spend;
 * - a burst of `/v1/attest` requests from one address is rate limited (429 JSON + Retry-After);
 * - a merchant server set up exactly as app/README.md says serves a paid request.
 *
 * The chain-config guard and the payTo allow-list (which need the chain quiet) are in
 * `serial/chain.test.ts`, run after this file.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PublicKey, type ParsedInstruction, type PartiallyDecodedInstruction } from "@solana/web3.js";
import { decodePaymentResponseHeader } from "@x402/fetch";
import type { PaymentPayload } from "@x402/core/types";
import { MEMO_PROGRAM_ID, NATIVE_SOL_ASSET, ServiceError, generateProof, obtainReceipt, randomFieldElement, toHex32, payWithMemo } from "../src/index";
import type { ZkReceiptStep } from "../src/zk-receipt/client";
import { cfg, liveRpc, nullifierOf, outcomeOf, payer, payingClient, postJson, premium, requirementsOf, sendPaid, sleep, spent } from "./common";

/** A random 64-byte value in base58: shaped like a transaction signature, naming no transaction. */
function randomSignature(): string {
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  let v = BigInt("0x" + randomBytes(64).toString("hex"));
  let out = "";
  while (v > 0n) {
    out = alphabet[Number(v % 58n)] + out;
    v /= 58n;
  }
  return out;
}

/**
 * Pays once for `GET {server}/slow` (handler: cfg.slowMs), then sends that one payment header `n`
 * times: `staggered` 250 ms apart, or all at once. Exactly one request may be served.
 */
async function replayStorm(server: string, n: number, mode: "staggered" | "parallel"): Promise<void> {
  const url = `${server}/slow`;
  const required = await requirementsOf(url);
  const c = payingClient();
  const payload = await c.client.createPaymentPayload(required);
  const t0 = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      if (mode === "staggered") await sleep(i * 250);
      const sentAt = Date.now() - t0;
      const o = await outcomeOf(await sendPaid(url, payload));
      return { i, sentAt, doneAt: Date.now() - t0, ...o };
    }),
  );
  const summary = JSON.stringify(outcomes.map(({ i, sentAt, doneAt, status, reason }) => ({ i, sentAt, doneAt, status, reason })));
  const served = outcomes.filter((o) => o.status === 200);
  assert.equal(served.length, 1, `exactly one 200: ${summary}`);
  assert.equal((JSON.parse(served[0]!.body) as { content: string }).content, "slow premium data");
  for (const o of outcomes.filter((x) => x.status !== 200)) {
    assert.equal(o.status, 402, `refused with 402: ${summary}`);
    assert.equal(o.reason, "nullifier_already_used", `refusal reason: ${summary}`);
  }
  if (mode === "staggered") assert.ok(outcomes[n - 1]!.sentAt >= 1_700, "the copies were spread over ~2 s");
  assert.equal(await spent(nullifierOf(payload)), true);
}

/** The memo commitment and transfer of a finalized payment, as any chain observer reads them. */
async function readPaymentFromChain(signature: string): Promise<{ commitment: string; payTo: string; asset: string }> {
  const tx = await liveRpc.connection("confirmed").getParsedTransaction(signature, { commitment: "finalized", maxSupportedTransactionVersion: 0 });
  assert.ok(tx, "the payment is on chain");
  let commitment: string | undefined;
  let payTo: string | undefined;
  for (const ix of tx.transaction.message.instructions as (ParsedInstruction | PartiallyDecodedInstruction)[]) {
    if ("parsed" in ix && ix.programId.equals(MEMO_PROGRAM_ID) && typeof ix.parsed === "string" && ix.parsed.startsWith("x402-zk:")) commitment = ix.parsed.slice("x402-zk:".length);
    if ("parsed" in ix && ix.program === "system" && (ix.parsed as { type?: string }).type === "transfer") payTo = (ix.parsed as { info: { destination: string } }).info.destination;
  }
  assert.ok(commitment && payTo, `memo and transfer found in ${signature}`);
  return { commitment, payTo, asset: NATIVE_SOL_ASSET };
}

describe("issue #14 attacks (real validator, facilitators, express servers)", { concurrency: true }, () => {
  test("replay: one payment header sent 8 times, 250 ms apart, to a 2 s handler → exactly one 200, seven 402 nullifier_already_used", async () => {
    await replayStorm(cfg.servers.a, 8, "staggered");
  });

  test("replay with settlement batching (--batch-max 4 --batch-window-ms 2000): 8 staggered copies → one 200, seven 402 nullifier_already_used", async () => {
    await replayStorm(cfg.servers.replayBatch, 8, "staggered");
  });

  test("replay: 4 copies in parallel → one 200, three 402 nullifier_already_used", async () => {
    await replayStorm(cfg.servers.a, 4, "parallel");
  });

  test("replay with batching: 4 copies in parallel → one 200, three 402 nullifier_already_used", async () => {
    await replayStorm(cfg.servers.replayBatch, 4, "parallel");
  });

  test("attestation race: an observer attests the payer's transaction first; the payer still gets the identical receipt and is served; the observer cannot prove", async () => {
    const attesterUrl = cfg.facilitators.main;
    const stolen: { body?: Record<string, unknown>; again?: Record<string, unknown>; commitment?: string } = {};
    const c = payingClient({
      pay: async (p) => {
        const signature = await payWithMemo(liveRpc.connection("confirmed"), payer, p);
        // The observer: everything it needs is public on chain.
        const seen = await readPaymentFromChain(signature);
        const first = await postJson(`${attesterUrl}/v1/attest`, { txSignature: signature, ...seen });
        assert.equal(first.status, 200, `observer's attest: ${JSON.stringify(first.json)}`);
        const again = await postJson(`${attesterUrl}/v1/attest`, { txSignature: signature, ...seen });
        assert.equal(again.status, 200, `observer's second attest: ${JSON.stringify(again.json)}`);
        // A different commitment for the same transaction is refused.
        const other = await postJson(`${attesterUrl}/v1/attest`, { txSignature: signature, ...seen, commitment: toHex32(randomFieldElement()) });
        assert.ok(other.status >= 400 && other.status < 500, `other commitment: ${other.status} ${JSON.stringify(other.json)}`);
        assert.match(String(other.json.type ?? ""), /memo-mismatch/);
        Object.assign(stolen, { body: first.json, again: again.json, commitment: seen.commitment });
        return signature;
      },
    });
    const res = await c.fetch(premium(cfg.servers.a));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(decodePaymentResponseHeader(res.headers.get("payment-response")!).success, true);
    assert.equal(await spent(nullifierOf(c.seen.payload)), true);

    // Same transaction, same commitment → the same receipt, byte for byte, for everyone.
    assert.deepEqual(stolen.again, stolen.body, "attestation is deterministic");
    const mine = (c.steps.find((s) => s.step === "receipt") as Extract<ZkReceiptStep, { step: "receipt" }>).receipt;
    const theirs = stolen.body as { signature: Record<string, string>; receipt: Record<string, unknown> };
    assert.deepEqual(
      { R8x: theirs.signature.R8x ?? theirs.signature.r8x, R8y: theirs.signature.R8y ?? theirs.signature.r8y, S: theirs.signature.S ?? theirs.signature.s },
      mine.receipt.signature,
      "the observer's receipt is the payer's receipt",
    );
    assert.equal(String(theirs.receipt.paidAt), String(mine.receipt.paidAt));
    assert.equal(String(theirs.receipt.amount), mine.receipt.amount);

    // The observer holds the receipt and C, not the secret behind C: the prover cannot make a proof
    // from it (C itself, or any guess, as the secret fails the statement), so it has nothing to spend.
    const offer = (await requirementsOf(premium(cfg.servers.a))).accepts[0]!;
    const extra = offer.extra as { attester: { x: string; y: string }; maxAge: number; resourceHash: string; programId: string };
    for (const guess of [BigInt(stolen.commitment!), randomFieldElement()]) {
      await assert.rejects(
        generateProof(
          {
            proverUrl: cfg.proverUrl,
            receipt: mine.receipt,
            secret: guess,
            public: { attester: extra.attester, minAmount: offer.amount, now: Math.max(Math.floor(Date.now() / 1000), mine.receipt.paidAt), maxAge: extra.maxAge, resourceHash: extra.resourceHash, programId: extra.programId },
          },
          { retry: { maxAttempts: 1 } },
        ),
        (e: unknown) => e instanceof ServiceError && e.code === "PROVER_REJECTED" && e.status >= 400 && e.status < 500,
      );
    }
  });

  test("rate limit (--rate-limit-per-minute 60): 200 /v1/attest in a burst from one address → 429 problem JSON with Retry-After after the limit", async () => {
    const url = `${cfg.facilitators.rateLimited}/v1/attest`;
    const body = () => ({ txSignature: randomSignature(), commitment: toHex32(randomFieldElement()), payTo: new PublicKey(randomBytes(32)).toBase58(), asset: NATIVE_SOL_ASSET });
    const t0 = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body()) });
        return { status: res.status, type: res.headers.get("content-type") ?? "", retryAfter: res.headers.get("retry-after"), text: await res.text() };
      }),
    );
    const seconds = Math.ceil((Date.now() - t0) / 1000);
    const limited = answers.filter((a) => a.status === 429);
    const passed = answers.length - limited.length;
    assert.ok(passed >= 1 && passed <= 60 + seconds + 1, `${passed} requests passed the limiter in ${seconds} s (limit 60/min)`);
    assert.ok(limited.length >= 200 - 61 - seconds, `${limited.length} answered 429`);
    for (const a of limited) {
      assert.match(a.type, /json/, "429 is JSON");
      const j = JSON.parse(a.text) as Record<string, unknown>;
      assert.ok(typeof j === "object" && j !== null);
      assert.ok(a.retryAfter && Number(a.retryAfter) > 0, `Retry-After: ${a.retryAfter}`);
    }
  });

  test("merchant set-up exactly as app/README.md says (examples/merchant.ts + a facilitator with --public-url/--prover-url): a paid request is served", async () => {
    const required = await requirementsOf(premium(cfg.servers.readme));
    const offer = required.accepts[0]!;
    const extra = offer.extra as Record<string, unknown>;
    const supported = (await (await fetch(`${cfg.facilitators.readme}/supported`)).json()) as { kinds: { extra: Record<string, unknown> }[] };
    const advertised = supported.kinds[0]!.extra;
    // Nothing but the facilitator URL, payTo and salt was configured: the rest is /supported's.
    for (const k of ["programId", "attester", "attesterUrl", "proverUrl", "provingKeyUrl", "maxAge"]) assert.deepEqual(extra[k], advertised[k], k);
    assert.ok(typeof extra.provingKeyUrl === "string" && extra.provingKeyUrl.startsWith(cfg.facilitators.readme), `provingKeyUrl ${String(extra.provingKeyUrl)}`);
    assert.equal(extra.attesterUrl, cfg.facilitators.readme);
    assert.equal(extra.proverUrl, cfg.proverUrl);
    const c = payingClient();
    const res = await c.fetch(premium(cfg.servers.readme));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { content: "premium data" });
    assert.equal(decodePaymentResponseHeader(res.headers.get("payment-response")!).success, true);
    assert.equal(await spent(nullifierOf(c.seen.payload as PaymentPayload)), true);
  });
});
