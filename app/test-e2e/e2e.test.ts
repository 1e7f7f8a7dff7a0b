/**
 * End-to-end suite against real processes started by `scripts/e2e.sh`: solana-test-validator with
 * the program, the Rust prover, several Rust facilitators (+ attester), real @x402/express servers
 * (`servers.ts`) and the @x402/fetch client with the zk-receipt scheme. Nothing is mocked: every
 * payment is a real transfer, every receipt a real attester signature, every proof a real Groth16
 * proof, every settlement a real `verify_payment` transaction.
 *
 * Configuration: E2E_CONFIG = path of the JSON file e2e.sh writes (see {@link E2eConfig} in `common.ts`).
 * The cases run concurrently (each waits ~15 s for its payment to finalize).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Keypair } from "@solana/web3.js";
import { decodePaymentResponseHeader } from "@x402/fetch";
import { encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { commitment, commitmentMemo, createRpcFallback, generateProof, obtainReceipt, payWithMemo, randomFieldElement, toHex32 } from "../src/index";
import { FACILITATOR_UNAVAILABLE } from "../src/zk-receipt/facilitator";
import type { ZkReceiptStep } from "../src/zk-receipt/client";
import {
  cfg,
  facilitatorHealth,
  liveRpc,
  metric,
  nullifierOf,
  payInstead,
  payer,
  payingClient,
  premium,
  proverFailure,
  refusedWith,
  requirementsOf,
  serviceFailure,
  sleep,
  spent,
  verifier,
} from "./common";

describe("x402-zk end to end (real validator, prover, facilitators, express servers)", { concurrency: true }, () => {
  test("happy path: 402 → pay → receipt → proof → 200 with settlement; nullifier on-chain; replay refused with nullifier_already_used", async () => {
    const c = payingClient();
    const res = await c.fetch(premium(cfg.servers.a));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { content: string }).content, "premium data");
    const settlement = decodePaymentResponseHeader(res.headers.get("payment-response")!);
    assert.equal(settlement.success, true);
    assert.match(settlement.transaction, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/, "a real transaction signature");
    assert.deepEqual(c.steps.map((s) => s.step), ["requirements", "paying", "paid", "receipt", "proof", "payload"]);
    assert.equal(await spent(nullifierOf(c.seen.payload)), true);
    assert.equal(await refusedWith(premium(cfg.servers.a), c.seen.payload!), "nullifier_already_used");
  });

  test("malformed payment headers: every one is a 4xx with a JSON body, never a 5xx or HTML", async () => {
    const url = premium(cfg.servers.a);
    const required = await requirementsOf(url);
    const accepted = required.accepts[0] as PaymentRequirements & { extra: { resourceHash: string } };
    const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
    const payload = (p: unknown) => b64({ x402Version: 2, resource: required.resource, accepted, payload: p });
    const headers: [string, string][] = [
      ["not base64", "%%% not base64 %%%"],
      ["base64 of text", b64("not json")],
      ["empty object", b64({})],
      ["payload a string", payload("x")],
      ["short proof", payload({ proof: "AAAA", nullifier: "0x01", now: 1, resourceHash: accepted.extra.resourceHash })],
      ["unknown payload field", payload({ proof: Buffer.alloc(256).toString("base64"), nullifier: "0x01", now: 1, resourceHash: accepted.extra.resourceHash, extra: 1 })],
      ["non-canonical nullifier (≥ r)", payload({ proof: Buffer.alloc(256, 1).toString("base64"), nullifier: "0x" + "ff".repeat(32), now: Math.floor(Date.now() / 1000), resourceHash: accepted.extra.resourceHash })],
      ["negative now", payload({ proof: Buffer.alloc(256, 1).toString("base64"), nullifier: "0x01", now: -1, resourceHash: accepted.extra.resourceHash })],
      ["points not on the curve", payload({ proof: Buffer.alloc(256, 0xff).toString("base64"), nullifier: "0x01", now: Math.floor(Date.now() / 1000), resourceHash: accepted.extra.resourceHash })],
    ];
    for (const [what, header] of headers) {
      const res = await fetch(url, { headers: { "PAYMENT-SIGNATURE": header } });
      assert.ok(res.status >= 400 && res.status < 500, `${what}: status ${res.status} ${await res.clone().text()}`);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/, `${what}: JSON body`);
      await res.json();
    }
    // (@x402/express settles only after a handler answered < 400, so no 4xx here settled anything.)
  });

  test("underpayment, honest client: the attester receipts what was paid, the local prover refuses (PROOF_REFUSED amount_below_minimum); no paid request is sent", async () => {
    const c = payingClient({ pay: payInstead((p) => ({ ...p, amount: p.amount - 1n })) });
    await assert.rejects(c.fetch(premium(cfg.servers.a)), /Failed to create payment payload: local prover refused: amount_below_minimum/);
    const e = proverFailure(c.seen);
    assert.equal(e.code, "PROOF_REFUSED");
    assert.equal(e.reason, "amount_below_minimum");
    assert.equal((await c.scheme.store.list())[0]!.state, "failed", "the receipt can never serve this offer");
    const receipt = c.steps.find((s) => s.step === "receipt") as Extract<ZkReceiptStep, { step: "receipt" }>;
    assert.equal(receipt.receipt.receipt.amount, (BigInt(cfg.minAmount) - 1n).toString());
    assert.deepEqual(c.paidRequests, [], "nothing reached the server with a payment");
  });

  test("underpayment, cheating client: a proof for a lower minimum is refused by the facilitator (402 invalid_zk_proof), nullifier unspent", async () => {
    const url = premium(cfg.servers.a);
    const required = await requirementsOf(url);
    const offer = required.accepts[0] as PaymentRequirements & { extra: Record<string, unknown> };
    const paid = BigInt(offer.amount) - 1n;
    const secret = randomFieldElement();
    const c = toHex32(commitment(secret));
    const sig = await payWithMemo(liveRpc.connection("confirmed"), payer, { payTo: offer.payTo, asset: offer.asset, amount: paid, memo: commitmentMemo(commitment(secret)) });
    const receipt = await obtainReceipt(offer.extra.attesterUrl as string, { txSignature: sig, commitment: c, payTo: offer.payTo, asset: offer.asset });
    const proof = await generateProof({
      proverUrl: cfg.proverUrl,
      receipt: receipt.receipt,
      secret,
      public: {
        attester: offer.extra.attester as { x: string; y: string },
        minAmount: paid.toString(), // the lie: what was paid, not what is asked
        now: Math.max(Math.floor(Date.now() / 1000), receipt.receipt.paidAt),
        maxAge: offer.extra.maxAge as number,
        resourceHash: offer.extra.resourceHash as string,
        programId: offer.extra.programId as string,
      },
    });
    const payload: PaymentPayload = {
      x402Version: 2,
      resource: required.resource,
      accepted: offer,
      payload: { proof: proof.proof, nullifier: proof.nullifier, now: proof.now, resourceHash: offer.extra.resourceHash as string },
    };
    assert.equal(await refusedWith(url, payload), "invalid_zk_proof");
    assert.equal(await spent(proof.nullifier), false);
  });

  test("wrong merchant: a payment made for merchant A is refused by merchant B's server in every form, then still pays A", async () => {
    const a = payingClient();
    const requiredA = await requirementsOf(premium(cfg.servers.a));
    const requiredB = await requirementsOf(premium(cfg.servers.b));
    const offerB = requiredB.accepts[0] as PaymentRequirements & { extra: { resourceHash: string } };
    assert.notEqual(offerB.payTo, requiredA.accepts[0]!.payTo, "the two servers have different merchants");
    const forA = await a.client.createPaymentPayload(requiredA);
    const nullifier = nullifierOf(forA);

    // As made: B's server finds no matching requirement (payTo, resource differ).
    assert.equal(await refusedWith(premium(cfg.servers.b), forA), "No matching payment requirements");
    // Relabelled as B's offer: the proof's resource binding is A's.
    const relabelled = { ...forA, resource: requiredB.resource, accepted: offerB };
    assert.equal(await refusedWith(premium(cfg.servers.b), relabelled), "resource_mismatch");
    // Relabelled and resourceHash swapped too: the proof itself fails (it is bound to A's payTo).
    const swapped = { ...relabelled, payload: { ...forA.payload, resourceHash: offerB.extra.resourceHash } };
    assert.equal(await refusedWith(premium(cfg.servers.b), swapped), "invalid_zk_proof");
    // Straight to the facilitator, A's requirements with only payTo changed to B's merchant.
    const onlyPayTo = { ...forA.accepted, payTo: offerB.payTo };
    const v = await fetch(`${cfg.facilitators.main}/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ x402Version: 2, paymentPayload: { ...forA, accepted: onlyPayTo }, paymentRequirements: onlyPayTo }),
    });
    assert.equal(v.status, 200);
    assert.deepEqual(((await v.json()) as { isValid: boolean; invalidReason: string }).invalidReason, "invalid_zk_proof");
    assert.equal(await spent(nullifier), false, "no refusal burnt the nullifier");

    // The payment was good — for A.
    const ok = await fetch(premium(cfg.servers.a), { headers: { "PAYMENT-SIGNATURE": encodePaymentSignatureHeader(forA) } });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(await spent(nullifier), true);
  });

  test("wrong merchant, paid someone else: the attester refuses a receipt for B (ATTESTER_REJECTED no-transfer)", async () => {
    const someoneElse = Keypair.generate().publicKey.toBase58();
    const c = payingClient({ pay: payInstead((p) => ({ ...p, payTo: someoneElse })) });
    await assert.rejects(c.fetch(premium(cfg.servers.b)), /Failed to create payment payload: attester answered 422/);
    const e = serviceFailure(c.seen);
    assert.equal(e.code, "ATTESTER_REJECTED");
    assert.equal(e.status, 422);
    assert.equal(e.problemType, "urn:x402-zk:problem:no-transfer");
    assert.deepEqual(c.paidRequests, []);
  });

  test("expired receipt: older than the offer's maxAge → the local prover refuses (PROOF_REFUSED statement_unsatisfied), nothing sent", async () => {
    const c = payingClient({ pay: payInstead((p) => p, () => sleep((cfg.expiringMaxAge + 2) * 1000)) });
    const required = await requirementsOf(premium(cfg.servers.expiring));
    assert.equal((required.accepts[0]!.extra as { maxAge: number }).maxAge, cfg.expiringMaxAge);
    await assert.rejects(c.fetch(premium(cfg.servers.expiring)), /Failed to create payment payload: local prover refused: statement_unsatisfied/);
    const e = proverFailure(c.seen);
    assert.equal(e.code, "PROOF_REFUSED");
    assert.equal(e.reason, "statement_unsatisfied");
    assert.match(e.message, /older than maxAge/);
    assert.deepEqual(c.paidRequests, []);
  });

  test("expired payment: a valid proof presented after the facilitator's clock-skew window → 402 stale_timestamp, nullifier unspent", async () => {
    const c = payingClient();
    const required = await requirementsOf(premium(cfg.servers.stale));
    const payload = await c.client.createPaymentPayload(required);
    const now = (payload.payload as { now: number }).now;
    const waitMs = (now + cfg.staleSkewSeconds + 2) * 1000 - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    assert.equal(await refusedWith(premium(cfg.servers.stale), payload), "stale_timestamp");
    assert.equal(await spent(nullifierOf(payload)), false);
  });

  test("facilitator down from the start: the client gets 502 JSON facilitator_unavailable at once and never pays", async () => {
    const c = payingClient();
    const t0 = Date.now();
    const res = await c.fetch(premium(cfg.servers.deadFacilitator));
    assert.equal(res.status, 502);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = (await res.json()) as { error: string };
    assert.match(body.error, new RegExp(`^${FACILITATOR_UNAVAILABLE}: the payment facilitator did not answer supported \\(ECONNREFUSED\\)`));
    assert.ok(Date.now() - t0 < 5_000, `answered in ${Date.now() - t0} ms`);
    assert.deepEqual(c.steps, [], "no payment was started");
  });

  test("facilitator dies between the 402 and the paid retry: 502 JSON facilitator_unavailable (verify), nullifier unspent", async () => {
    let killed = false;
    const c = payingClient({
      pay: async (p) => {
        // The 402 came from a live facilitator; it dies now, before the payment is even sent.
        process.kill(cfg.killableFacilitatorPid, "SIGTERM");
        for (let i = 0; i < 40 && !killed; i++) {
          killed = await fetch(`${cfg.facilitators.killable}/health`).then(() => false, () => true);
          if (!killed) await sleep(250);
        }
        return payWithMemo(liveRpc.connection("confirmed"), payer, p);
      },
    });
    const res = await c.fetch(premium(cfg.servers.killable));
    assert.ok(killed, "the facilitator stopped");
    assert.equal(res.status, 502, await res.clone().text());
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.match(((await res.json()) as { error: string }).error, new RegExp(`^${FACILITATOR_UNAVAILABLE}: .*did not answer verify`));
    assert.equal(c.paidRequests.length, 1);
    assert.equal(await spent(nullifierOf(c.seen.payload)), false, "the receipt is still unspent (usable once a facilitator is back)");
  });

  test("RPC primary down: client and facilitator fail over to the live endpoint; the payment settles and the fallback is visible in /health and /metrics", async () => {
    const failovers: string[] = [];
    const rpc = createRpcFallback([cfg.deadRpc, cfg.rpc], { onFailover: (f) => failovers.push(`${f.from} → ${f.to} (${f.reason})`) });
    const c = payingClient({ rpc });
    const res = await c.fetch(premium(cfg.servers.fallback));
    assert.equal(res.status, 200, await res.clone().text());
    const settlement = decodePaymentResponseHeader(res.headers.get("payment-response")!);
    assert.equal(settlement.success, true);
    assert.equal(await spent(nullifierOf(c.seen.payload)), true);

    // Client side: it left the dead primary for the live one.
    assert.ok(failovers.some((f) => f.startsWith(cfg.deadRpc)), `client failovers: ${failovers.join("; ")}`);
    const [deadC, liveC] = rpc.health();
    assert.ok(deadC!.failures > 0 && liveC!.requests > 0);

    // Facilitator side (it was started with --rpc-urls dead,live): the dead primary failed, the
    // fallback answered, attest and settle both went through.
    const h = await facilitatorHealth(cfg.facilitators.fallback);
    const [dead, live] = h.rpc.endpoints;
    assert.ok(dead!.errors > 0 && dead!.ok === 0, JSON.stringify(h));
    assert.ok(live!.ok > 0, JSON.stringify(h));
    assert.ok(h.rpc.fallbackAnswers > 0);
    assert.ok((await metric(cfg.facilitators.fallback, "facilitator_rpc_fallback_answers_total")) > 0);
    assert.equal(await metric(cfg.facilitators.fallback, 'facilitator_settle_total{result="settled"}'), 1);
    assert.equal(await metric(cfg.facilitators.fallback, 'facilitator_attest_total{result="issued"}'), 1);
  });

  test("batching (--batch-max 4 --batch-window-ms 2000): two concurrent paid requests settle in one verify_batch transaction, each with its own 200", async () => {
    const url = premium(cfg.servers.batch);
    const required = await requirementsOf(url);
    const [c1, c2] = [payingClient(), payingClient()];
    const payloads = await Promise.all([c1.client.createPaymentPayload(required), c2.client.createPaymentPayload(required)]);
    const responses = await Promise.all(payloads.map((p) => fetch(url, { headers: { "PAYMENT-SIGNATURE": encodePaymentSignatureHeader(p) } })));
    const settlements = [];
    for (const res of responses) {
      assert.equal(res.status, 200, await res.clone().text());
      settlements.push(decodePaymentResponseHeader(res.headers.get("payment-response")!));
    }
    assert.ok(settlements.every((s) => s.success));
    assert.notEqual(settlements[0]!.payer, settlements[1]!.payer, "two different receipts");
    assert.match(settlements[0]!.transaction, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    assert.equal(settlements[0]!.transaction, settlements[1]!.transaction, "one shared transaction");
    const records = await Promise.all(payloads.map((p) => verifier.fetchNullifier(nullifierOf(p))));
    assert.ok(records[0] && records[1], "both nullifiers burnt");
    assert.ok(records[0]!.rentPayer.equals(records[1]!.rentPayer), "one fee payer paid both nullifiers");
    // The transaction on-chain writes both nullifier accounts.
    const tx = await liveRpc.connection("confirmed").getTransaction(settlements[0]!.transaction, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    const keys = tx!.transaction.message.getAccountKeys().staticAccountKeys.map((k) => k.toBase58());
    for (const r of records) assert.ok(keys.includes(r!.address.toBase58()));
    assert.equal(await metric(cfg.facilitators.batch, 'facilitator_settle_transactions_total{instruction="verify_batch"}'), 1);
    assert.equal(await metric(cfg.facilitators.batch, 'facilitator_settle_transactions_total{instruction="verify_payment"}'), 0);
    assert.equal(await metric(cfg.facilitators.batch, 'facilitator_settle_total{result="settled"}'), 2);
  });
});
