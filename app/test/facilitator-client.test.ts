/**
 * A resource server whose facilitator is down answers a clear JSON error (502
 * `facilitator_unavailable`), never an HTML 500, a hang, or a 402 that blames the payment.
 * Real `@x402/express` middleware and real sockets; the "facilitator" is a closed port or a
 * plain HTTP server that answers an HTML error page.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { encodePaymentSignatureHeader } from "@x402/core/http";
import { VERIFIER_PROGRAM_ID } from "../src/index";
import { ZK_RECEIPT_SCHEME, SOLANA_LOCALNET_CAIP2 } from "../src/zk-receipt/types";
import { registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";
import {
  FACILITATOR_CONFIG_MISMATCH,
  FACILITATOR_OVERLOADED,
  FACILITATOR_UNAVAILABLE,
  FacilitatorOverloadedError,
  OVERLOADED_PREFIX,
  createZkReceiptFacilitatorClient,
  zkReceiptOverload,
} from "../src/zk-receipt/facilitator";
import { sendJson, startJsonServer } from "./helpers";

const network = SOLANA_LOCALNET_CAIP2;
const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const attester = { x: "1234", y: "5678" };

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function resourceServer(facilitatorUrl: string, opts: { overload?: boolean } = {}) {
  const rs = registerZkReceiptServer(new x402ResourceServer(createZkReceiptFacilitatorClient(facilitatorUrl, { timeoutMs: 5_000 })), {
    networks: [network],
    programId: VERIFIER_PROGRAM_ID.toBase58(),
    attester,
    attesterUrl: "http://127.0.0.1:9/",
    proverUrl: "http://127.0.0.1:9/",
    maxAge: 600,
    resourceSalt: "5a".repeat(32),
  });
  const app = express();
  if (opts.overload) app.use(zkReceiptOverload());
  app.use(
    paymentMiddleware(
      { "GET /premium": { accepts: { scheme: ZK_RECEIPT_SCHEME, network, payTo, price: zkReceiptPrice({ amount: 1000 }), maxTimeoutSeconds: 60 }, description: "premium" } },
      rs,
    ),
  );
  app.get("/premium", (_req, res) => {
    res.json({ ok: true });
  });
  const http = await new Promise<import("node:http").Server>((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/premium`,
    close: () => new Promise<void>((r) => { http.closeAllConnections(); http.close(() => r()); }),
  };
}

async function expectFacilitatorUnavailable(res: Response, op: string, why = `did not answer ${op}`): Promise<void> {
  assert.equal(res.status, 502);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = (await res.json()) as { error?: string };
  assert.ok(body.error?.startsWith(`${FACILITATOR_UNAVAILABLE}: `), JSON.stringify(body));
  assert.match(body.error!, new RegExp(why));
  assert.doesNotMatch(body.error!, /127\.0\.0\.1|<html/i, "neither the facilitator's address nor an HTML page leaks");
}

test("facilitator down from the start: the unpaid request gets 502 facilitator_unavailable (JSON)", async () => {
  const server = await resourceServer(`http://127.0.0.1:${await deadPort()}`);
  try {
    const t0 = Date.now();
    const res = await fetch(server.url);
    await expectFacilitatorUnavailable(res, "supported");
    assert.ok(Date.now() - t0 < 5_000, "no hang");
  } finally {
    await server.close();
  }
});

test("facilitator answering an HTML error page: 502 facilitator_unavailable, not HTML", async () => {
  const html = await startJsonServer((_req, _body, res) => {
    res.writeHead(500, { "content-type": "text/html" });
    res.end("<html><body>Internal Server Error</body></html>");
  });
  const server = await resourceServer(html.url);
  try {
    const res = await fetch(server.url);
    await expectFacilitatorUnavailable(res.clone(), "supported");
    assert.match(((await res.json()) as { error: string }).error, /\(HTTP 500\)/);
  } finally {
    await server.close();
    await html.close();
  }
});

test("facilitator gone after start-up: a paid retry gets 502 facilitator_unavailable, not a 402 blaming the payment", async () => {
  const fac = await startJsonServer((req, _body, res) => {
    if (req.url === "/supported") {
      return sendJson(res, 200, { kinds: [{ x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network, extra: {} }], extensions: [], signers: {} });
    }
    sendJson(res, 404, {});
  });
  const server = await resourceServer(fac.url);
  try {
    const unpaid = await fetch(server.url);
    assert.equal(unpaid.status, 402);
    const required = JSON.parse(Buffer.from(unpaid.headers.get("payment-required")!, "base64").toString("utf8"));
    await fac.close();
    const header = encodePaymentSignatureHeader({
      x402Version: 2,
      resource: required.resource,
      accepted: required.accepts[0],
      payload: { proof: Buffer.alloc(256, 1).toString("base64"), nullifier: "0x" + "11".repeat(32), now: 1, resourceHash: required.accepts[0].extra.resourceHash },
    });
    await expectFacilitatorUnavailable(await fetch(server.url, { headers: { "PAYMENT-SIGNATURE": header } }), "verify");
  } finally {
    await server.close();
  }
});

test("facilitator refusing with 503 config_mismatch (keys disagree with the chain Config), bare or in the x402 shape: 502 facilitator_unavailable naming config_mismatch, not a 402 blaming the payment — for verify and for settle", async () => {
  let refuse: "verify" | "settle" = "verify";
  let x402Shape = false;
  const detail = "attester key differs from chain Config (chain 1/2, ours 3/4)";
  const fac = await startJsonServer((req, _body, res) => {
    if (req.url === "/supported") {
      return sendJson(res, 200, { kinds: [{ x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network, extra: {} }], extensions: [], signers: {} });
    }
    if (req.url === `/${refuse}`) {
      const fields = !x402Shape
        ? {}
        : refuse === "verify"
          ? { isValid: false, invalidReason: "config_mismatch", invalidMessage: detail }
          : { success: false, errorReason: "config_mismatch", errorMessage: detail, transaction: "", network };
      return sendJson(res, 503, { error: "config_mismatch", detail, ...fields }, { "retry-after": "2" });
    }
    if (req.url === "/verify") return sendJson(res, 200, { isValid: true, payer: "p" });
    sendJson(res, 404, {});
  });
  const server = await resourceServer(fac.url);
  try {
    const unpaid = await fetch(server.url);
    assert.equal(unpaid.status, 402);
    const required = JSON.parse(Buffer.from(unpaid.headers.get("payment-required")!, "base64").toString("utf8"));
    const header = encodePaymentSignatureHeader({
      x402Version: 2,
      resource: required.resource,
      accepted: required.accepts[0],
      payload: { proof: Buffer.alloc(256, 1).toString("base64"), nullifier: "0x" + "11".repeat(32), now: 1, resourceHash: required.accepts[0].extra.resourceHash },
    });
    for (const shape of [false, true]) {
      for (const op of ["verify", "settle"] as const) {
        refuse = op;
        x402Shape = shape;
        const res = await fetch(server.url, { headers: { "PAYMENT-SIGNATURE": header } });
        await expectFacilitatorUnavailable(res.clone(), op, `^${FACILITATOR_UNAVAILABLE}: ${FACILITATOR_CONFIG_MISMATCH}: .*not serving ${op}`);
        assert.equal(res.headers.get("payment-response"), null, "no settlement header");
      }
    }
  } finally {
    await server.close();
    await fac.close();
  }
});

test("facilitator failing itself (5xx in the x402 shape, e.g. rpc_unavailable): 502 facilitator_unavailable, also through zkReceiptOverload (only overloaded becomes 503); a 4xx/200 refusal of the payment stays a 402", async () => {
  let verifyAnswer: { status: number; body: unknown } = { status: 503, body: { isValid: false, invalidReason: "rpc_unavailable", invalidMessage: "every RPC endpoint failed" } };
  const fac = await startJsonServer((req, _body, res) => {
    if (req.url === "/supported") {
      return sendJson(res, 200, { kinds: [{ x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network, extra: {} }], extensions: [], signers: {} });
    }
    if (req.url === "/verify") return sendJson(res, verifyAnswer.status, verifyAnswer.body);
    sendJson(res, 404, {});
  });
  const server = await resourceServer(fac.url, { overload: true });
  try {
    const unpaid = await fetch(server.url);
    const required = JSON.parse(Buffer.from(unpaid.headers.get("payment-required")!, "base64").toString("utf8"));
    const header = encodePaymentSignatureHeader({
      x402Version: 2,
      resource: required.resource,
      accepted: required.accepts[0],
      payload: { proof: Buffer.alloc(256, 1).toString("base64"), nullifier: "0x" + "11".repeat(32), now: 1, resourceHash: required.accepts[0].extra.resourceHash },
    });
    const res = await fetch(server.url, { headers: { "PAYMENT-SIGNATURE": header } });
    await expectFacilitatorUnavailable(res.clone(), "verify", "could not verify \\(HTTP 503 rpc_unavailable\\)");

    verifyAnswer = { status: 200, body: { isValid: false, invalidReason: "nullifier_already_used", invalidMessage: "spent" } };
    const refused = await fetch(server.url, { headers: { "PAYMENT-SIGNATURE": header } });
    assert.equal(refused.status, 402);
    assert.equal(JSON.parse(Buffer.from(refused.headers.get("payment-required")!, "base64").toString("utf8")).error, "nullifier_already_used");
  } finally {
    await server.close();
    await fac.close();
  }
});

test("facilitator at its admission limit (503 overloaded + Retry-After, x402 shape) on verify and on settle: the resource server with zkReceiptOverload answers 503 + Retry-After + JSON naming overloaded and a PAYMENT-RESPONSE saying nothing settled; without it, 502; never a 402", async () => {
  let refuse: "verify" | "settle" = "verify";
  const message = "the facilitator is at its limit of 2 requests in flight; retry after 3 s";
  const fac = await startJsonServer((req, _body, res) => {
    if (req.url === "/supported") {
      return sendJson(res, 200, { kinds: [{ x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network, extra: {} }], extensions: [], signers: {} });
    }
    if (req.url === `/${refuse}`) {
      const body = refuse === "verify"
        ? { isValid: false, invalidReason: FACILITATOR_OVERLOADED, invalidMessage: message }
        : { success: false, errorReason: FACILITATOR_OVERLOADED, errorMessage: message, transaction: "", network };
      return sendJson(res, 503, body, { "retry-after": "3" });
    }
    if (req.url === "/verify") return sendJson(res, 200, { isValid: true, payer: "p" });
    sendJson(res, 404, {});
  });
  const passing = await resourceServer(fac.url, { overload: true });
  const plain = await resourceServer(fac.url);
  try {
    const headerFor = async (url: string): Promise<string> => {
      const unpaid = await fetch(url);
      assert.equal(unpaid.status, 402);
      const required = JSON.parse(Buffer.from(unpaid.headers.get("payment-required")!, "base64").toString("utf8"));
      return encodePaymentSignatureHeader({
        x402Version: 2,
        resource: required.resource,
        accepted: required.accepts[0],
        payload: { proof: Buffer.alloc(256, 1).toString("base64"), nullifier: "0x" + "12".repeat(32), now: 1, resourceHash: required.accepts[0].extra.resourceHash },
      });
    };
    const header = await headerFor(passing.url);
    const plainHeader = await headerFor(plain.url);
    for (const op of ["verify", "settle"] as const) {
      refuse = op;
      const res = await fetch(passing.url, { headers: { "PAYMENT-SIGNATURE": header } });
      assert.equal(res.status, 503, `${op}: ${await res.clone().text()}`);
      assert.equal(res.headers.get("retry-after"), "3", "the facilitator's wait");
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      const body = (await res.json()) as { error?: string };
      assert.ok(body.error?.startsWith(OVERLOADED_PREFIX), JSON.stringify(body));
      assert.match(body.error!, new RegExp(`did not ${op}; retry after 3 s$`));
      assert.doesNotMatch(body.error!, /127\.0\.0\.1/);
      const settled = JSON.parse(Buffer.from(res.headers.get("payment-response")!, "base64").toString("utf8"));
      assert.equal(settled.success, false);
      assert.equal(settled.errorReason, FACILITATOR_OVERLOADED);
      assert.equal(settled.transaction, "");

      // The same refusal through a server without the pass-through: @x402/express's 502.
      const plainRes = await fetch(plain.url, { headers: { "PAYMENT-SIGNATURE": plainHeader } });
      await expectFacilitatorUnavailable(plainRes, op, `^${OVERLOADED_PREFIX}`);
    }
  } finally {
    await passing.close();
    await plain.close();
    await fac.close();
  }
});

test("/v1/settlement at the admission limit (503 problem+json reason overloaded) is a FacilitatorOverloadedError with the wait; other 5xx stay facilitator_unavailable", async () => {
  let status = 503;
  const fac = await startJsonServer((req, _body, res) => {
    if (req.url === "/v1/settlement") {
      if (status === 503) {
        return sendJson(res, 503, { type: "urn:x402-zk:problem:overloaded", title: "overloaded", status: 503, detail: "at its limit of 2 requests in flight; retry after 2 s", reason: "overloaded", retryAfter: 2 }, { "retry-after": "2" });
      }
      return sendJson(res, 500, { error: "boom" });
    }
    sendJson(res, 404, {});
  });
  try {
    const client = createZkReceiptFacilitatorClient(fac.url, { timeoutMs: 5_000 });
    const payload = { x402Version: 2, accepted: {}, payload: { nullifier: "0x" + "13".repeat(32) } } as never;
    const err = await client.lookUpSettlement(payload, { network } as never).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FacilitatorOverloadedError, String(err));
    assert.equal(err.retryAfterSeconds, 2);
    assert.ok(err.message.startsWith(OVERLOADED_PREFIX), err.message);
    status = 500;
    const other = await client.lookUpSettlement(payload, { network } as never).then(() => undefined, (e: unknown) => e);
    assert.ok(!(other instanceof FacilitatorOverloadedError), String(other));
    assert.match(String((other as Error).message), new RegExp(`^${FACILITATOR_UNAVAILABLE}: `));
  } finally {
    await fac.close();
  }
});
