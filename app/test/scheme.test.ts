/**
 * The zk-receipt scheme inside the official x402 packages: a real express server with
 * `@x402/express` `paymentMiddleware`, a real `@x402/fetch` client, and `HTTPFacilitatorClient`
 * over HTTP. The facilitator, attester and prover are local HTTP stand-ins (the chain-backed flow
 * is the e2e suite's job); the payment itself is a `pay` function.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { x402Facilitator } from "@x402/core/facilitator";
import { NATIVE_SOL_ASSET, VERIFIER_PROGRAM_ID, commitment, nullifierFor, parseFieldElement, resourceHashHex, toHex32 } from "../src/index";
import { ZK_RECEIPT_SCHEME, SOLANA_LOCALNET_CAIP2 } from "../src/zk-receipt/types";
import { registerZkReceiptClient, type ZkReceiptStep } from "../src/zk-receipt/client";
import { ZkReceiptServerScheme, registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";
import { createZkReceiptFacilitatorClient } from "../src/zk-receipt/facilitator";
import { wrapFetchWithZkPayment } from "../src/zk-receipt/fetch";
import { X402ZkError } from "../src/errors";
import { sendJson, startJsonServer } from "./helpers";

const network = SOLANA_LOCALNET_CAIP2;
const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const attester = { x: "1234", y: "5678" };
const resourceSalt = "c0ffee".repeat(6);

async function standIns(opts: { proverRejects?: boolean } = {}) {
  const settled: unknown[] = [];
  const services = await startJsonServer((req, body, res) => {
    const b = body as Record<string, unknown>;
    if (req.url === "/v1/attest") {
      return sendJson(res, 200, {
        receipt: { payTo, asset: NATIVE_SOL_ASSET, amount: "1000", paidAt: 1_700_000_000, commitment: b.commitment },
        signature: { R8x: "1", R8y: "2", S: "3" },
        attester,
      });
    }
    if (req.url === "/v1/proofs" && opts.proverRejects) {
      return sendJson(res, 422, { type: "urn:x402-zk:problem:statement-unsatisfied", title: "statement does not hold", detail: "amount below minAmount" });
    }
    if (req.url === "/v1/proofs") {
      const pub = b.public as Record<string, unknown>;
      const secret = parseFieldElement(b.secret as string);
      return sendJson(res, 200, {
        proof: Buffer.alloc(256, 7).toString("base64"),
        proofEncoding: "base64",
        publicInputs: [toHex32(99n)],
        nullifier: toHex32(nullifierFor(secret, pub.programId as string)),
        now: pub.now,
        snarkjs: { proof: {}, publicSignals: ["99"] },
      });
    }
    sendJson(res, 404, { type: "urn:x402-zk:problem:not-found" });
  });
  const facilitator = await startJsonServer((req, body, res) => {
    const b = body as { paymentPayload: { payload: Record<string, unknown> }; paymentRequirements: { extra: Record<string, unknown>; network: string } };
    if (req.url === "/supported") {
      return sendJson(res, 200, {
        kinds: [{ x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network, extra: { programId: VERIFIER_PROGRAM_ID.toBase58(), attester, attesterUrl: services.url, proverUrl: services.url, maxAge: 600 } }],
        extensions: [],
        signers: {},
      });
    }
    if (req.url === "/verify") {
      const ok = b.paymentPayload.payload.resourceHash === b.paymentRequirements.extra.resourceHash;
      return sendJson(res, 200, ok ? { isValid: true } : { isValid: false, invalidReason: "resource_hash_mismatch" });
    }
    if (req.url === "/settle") {
      settled.push(b.paymentPayload.payload);
      return sendJson(res, 200, { success: true, transaction: "5igSettleTx", network: b.paymentRequirements.network });
    }
    sendJson(res, 404, {});
  });
  return { services, facilitator, settled };
}

test("server scheme: plain prices are base units, money is refused, the binding is required", async () => {
  const s = new ZkReceiptServerScheme({ programId: VERIFIER_PROGRAM_ID.toBase58(), attester, attesterUrl: "http://a", proverUrl: "http://p", maxAge: 600, resourceSalt });
  assert.deepEqual(await s.parsePrice("1500", network), { amount: "1500", asset: NATIVE_SOL_ASSET, extra: {} });
  await assert.rejects(s.parsePrice("$0.01", network), /base units/);
  const base = { scheme: ZK_RECEIPT_SCHEME, network, amount: "1500", asset: NATIVE_SOL_ASSET, payTo, maxTimeoutSeconds: 60, extra: {} };
  const kind = { x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network };
  await assert.rejects(s.enhancePaymentRequirements(base, kind, []), /zkReceiptPrice/);
  const priced = zkReceiptPrice({ amount: 1500 })({ method: "GET", adapter: { getMethod: () => "GET", getUrl: () => "http://h/r" } });
  const r = await s.enhancePaymentRequirements({ ...base, extra: priced.extra! }, kind, []);
  assert.equal(r.extra.resourceHash, resourceHashHex({ salt: resourceSalt, method: "GET", url: "http://h/r", payTo, asset: NATIVE_SOL_ASSET, amount: "1500" }));
  assert.equal(Object.keys(r.extra).some((k) => k.startsWith("__")), false);
});

test("x402 core: the scheme registers per network for server, client and facilitator", () => {
  const server = registerZkReceiptServer(new x402ResourceServer(), { networks: [network], resourceSalt });
  assert.ok(server.hasRegisteredScheme(network, ZK_RECEIPT_SCHEME));
  const client = registerZkReceiptClient(new x402Client(), { pay: async () => "sig", networks: [network], remoteProver: { url: "http://127.0.0.1:1" } });
  assert.ok(client);
  assert.ok(new x402Facilitator());
});

/** An @x402/express server selling GET /premium for 1000 base units through the facilitator at `facilitatorUrl`. */
async function premiumServer(facilitatorUrl: string): Promise<{ http: import("node:http").Server; url: string }> {
  const resourceServer = registerZkReceiptServer(new x402ResourceServer(createZkReceiptFacilitatorClient(facilitatorUrl)), { networks: [network], resourceSalt });
  const app = express();
  app.use(
    paymentMiddleware(
      { "GET /premium": { accepts: { scheme: ZK_RECEIPT_SCHEME, network, payTo, price: zkReceiptPrice({ amount: 1000 }), maxTimeoutSeconds: 120 }, description: "premium" } },
      resourceServer,
    ),
  );
  app.get("/premium", (_req, res) => {
    res.json({ secret: "the premium content" });
  });
  const http = await new Promise<import("node:http").Server>((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/premium`;
  return { http, url };
}

test("express paymentMiddleware + @x402/fetch: 402 → pay → receipt → proof → retry → 200 with settlement", async () => {
  const { services, facilitator, settled } = await standIns();
  const { http, url } = await premiumServer(facilitator.url);
  try {
    // Unpaid: 402 with our requirements in the PAYMENT-REQUIRED header.
    const unpaid = await fetch(url);
    assert.equal(unpaid.status, 402);
    const header = unpaid.headers.get("payment-required");
    assert.ok(header, "PAYMENT-REQUIRED header");
    const required = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
    const offer = required.accepts[0];
    assert.equal(offer.scheme, ZK_RECEIPT_SCHEME);
    assert.equal(offer.amount, "1000");
    assert.equal(offer.extra.resourceHash, resourceHashHex({ salt: resourceSalt, method: "GET", url, payTo, asset: NATIVE_SOL_ASSET, amount: "1000" }));
    // Everything else comes from the facilitator's /supported extra (the server configured only its salt).
    assert.deepEqual(
      { programId: offer.extra.programId, attester: offer.extra.attester, attesterUrl: offer.extra.attesterUrl, proverUrl: offer.extra.proverUrl, maxAge: offer.extra.maxAge },
      { programId: VERIFIER_PROGRAM_ID.toBase58(), attester, attesterUrl: services.url, proverUrl: services.url, maxAge: 600 },
    );

    // Paid, through the official client.
    const steps: ZkReceiptStep[] = [];
    let paidMemo = "";
    const client = registerZkReceiptClient(new x402Client(), {
      networks: [network],
      remoteProver: { url: services.url }, // a loopback stand-in; the default is local proving
      pay: async (p) => {
        paidMemo = p.memo;
        return "3xPaySig";
      },
      onStep: (s) => steps.push(s),
      allowAssets: [{ network, asset: NATIVE_SOL_ASSET, maxAmountPerPayment: "1000000" }],
    });
    const res = await wrapFetchWithPayment(fetch, client)(url);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { secret: "the premium content" });
    assert.deepEqual(steps.map((s) => s.step), ["requirements", "paying", "paid", "receipt", "proof", "payload"]);
    const paying = steps[1] as Extract<ZkReceiptStep, { step: "paying" }>;
    assert.equal(paidMemo, `x402-zk:${paying.commitment}`);
    const settlement = decodePaymentResponseHeader(res.headers.get("payment-response")!);
    assert.equal(settlement.success, true);
    assert.equal(settlement.transaction, "5igSettleTx");
    assert.equal(settled.length, 1);
    const payload = settled[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(payload).sort(), ["now", "nullifier", "proof", "resourceHash"]);
    assert.equal(payload.resourceHash, offer.extra.resourceHash);
    // The attester got only the signature and the commitment, never the secret.
    const attestReq = services.requests.find((r) => r.url === "/v1/attest")!.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(attestReq).sort(), ["asset", "commitment", "payTo", "txSignature"]);
    assert.ok(parseFieldElement(attestReq.commitment as string) > 0n);
    void commitment;
  } finally {
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    await services.close();
    await facilitator.close();
  }
});

test("wrapFetchWithZkPayment: a failed payment rethrows the SDK's typed error, not @x402/fetch's plain Error", async () => {
  const { services, facilitator } = await standIns({ proverRejects: true });
  const { http, url } = await premiumServer(facilitator.url);
  const newClient = () =>
    registerZkReceiptClient(new x402Client(), {
      networks: [network],
      remoteProver: { url: services.url },
      pay: async () => "3xPaySig",
      allowAssets: [{ network, asset: NATIVE_SOL_ASSET, maxAmountPerPayment: "1000000" }],
    });
  try {
    // The official wrapper keeps only the message.
    await assert.rejects(wrapFetchWithPayment(fetch, newClient())(url), (e: unknown) => {
      assert.ok(e instanceof Error && !(e instanceof X402ZkError));
      assert.match(e.message, /^Failed to create payment payload: /);
      return true;
    });
    // Ours rethrows the typed error, for two concurrent calls on one client.
    const zkFetch = wrapFetchWithZkPayment(fetch, newClient());
    const outcomes = await Promise.allSettled([zkFetch(url), zkFetch(url)]);
    for (const o of outcomes) {
      assert.equal(o.status, "rejected");
      const e = (o as PromiseRejectedResult).reason as X402ZkError;
      assert.ok(e instanceof X402ZkError, String(e));
      assert.equal(e.code, "PROVER_REJECTED");
      assert.equal(e.retryable, false);
      assert.match(e.message, /amount below minAmount/);
    }
    // Each of the three calls asked the prover once and stopped there (no retry of a 4xx).
    assert.equal(services.requests.filter((r) => r.url === "/v1/proofs").length, 3);
  } finally {
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    await services.close();
    await facilitator.close();
  }
});
