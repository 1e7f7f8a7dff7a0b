/**
 * Lost settle answers (issue #19, "no payment lost"; docs/PROTOCOL.md §Flow 6), against the stack
 * `scripts/e2e-settle.sh` starts (solana-test-validator, Rust facilitator) plus, in this process,
 * real @x402/express servers (the demo app) whose facilitator URL is an answer-dropping proxy: the
 * proxy forwards `/settle` to the facilitator, waits for its answer (the transaction landed), and
 * closes the connection instead of passing it on — deterministically what a facilitator killed
 * after landing the settlement looks like to the resource server (a `502 facilitator_unavailable`).
 *
 * Before the fix, the payer's retry got `402 nullifier_already_used` and the payer paid again: one
 * request, two payments. Now the merchant's settlement journal recovers it through the
 * facilitator's `POST /v1/settlement` and serves it exactly once; nothing else is served: replays,
 * a forged proof carrying the public nullifier, a proof of the same receipt for another resource,
 * a nullifier burned outside this merchant's journal. The tests that call `/v1/settlement` directly
 * fail against a facilitator without it (404).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { decodePaymentResponseHeader } from "@x402/fetch";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { MemoryReceiptStore, parseZkReceiptPayload, parseZkReceiptRequirements, verifyInputFromPayment } from "../../src/index";
import { createDemoApp } from "../../examples/demo-app";
import { network, nullifierOf, outcomeOf, payingClient, postJson, requirementsOf, sendPaid, sleep, spent, verifier } from "../common";
import { cfg as baseCfg } from "../common";

interface SettleConfig {
  facilitator: string;
  merchant: string;
  proxyPort: number;
  serverPort: number;
  journalServerPort: number;
  workDir: string;
}
const cfg = (baseCfg as unknown as { settle: SettleConfig }).settle;
const proxyUrl = `http://127.0.0.1:${cfg.proxyPort}`;
const server = `http://127.0.0.1:${cfg.serverPort}`;

/** The proxy's switch: how many `/settle` answers to drop, and what the facilitator had answered. */
const proxy = { dropSettle: 0, dropped: [] as { status: number; body: Record<string, unknown> }[] };
const servers: Server[] = [];

function listen(s: Server, port: number): Promise<Server> {
  return new Promise((ok, fail) => {
    s.once("error", fail);
    s.listen(port, "127.0.0.1", () => ok(s));
  });
}

function close(s: Server): Promise<void> {
  return new Promise((ok) => {
    s.closeAllConnections();
    s.close(() => ok());
  });
}

/** The answer-dropping proxy in front of the facilitator. */
function startProxy(): Promise<Server> {
  const s = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const up = await fetch(`${cfg.facilitator}${req.url}`, {
        method: req.method,
        headers: { "content-type": String(req.headers["content-type"] ?? "application/json") },
        body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
      });
      const text = await up.text();
      if (req.url === "/settle" && proxy.dropSettle > 0) {
        proxy.dropSettle--;
        proxy.dropped.push({ status: up.status, body: JSON.parse(text) as Record<string, unknown> });
        req.socket.destroy(); // the settlement landed; its answer never arrives
        return;
      }
      res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" });
      res.end(text);
    } catch (e) {
      res.writeHead(599);
      res.end(String(e));
    }
  });
  return listen(s, cfg.proxyPort);
}

function demoServer(port: number, journalDir?: string): Promise<Server> {
  const app = createDemoApp({ name: `settle:${port}`, network, facilitatorUrl: proxyUrl, payTo: cfg.merchant, minAmount: baseCfg.minAmount, slowMs: 50, facilitatorTimeoutMs: 20_000, journalDir });
  return listen(createServer(app), port);
}

/** Unpaid GETs until the (re)started server answers 402 with its offer (bounded). */
async function until402(url: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 402) return;
    await sleep(250);
  }
  assert.fail(`${url}: no 402 offer within 10 s`);
}

async function handlerRuns(base: string): Promise<{ premium: number; slow: number }> {
  return ((await (await fetch(`${base}/stats`)).json()) as { handlerRuns: { premium: number; slow: number } }).handlerRuns;
}

/** Pays for `url` through the proxy with the next settle answer dropped: a 502, the nullifier burnt. */
async function payWithLostAnswer(url: string, c = payingClient()) {
  proxy.dropSettle = 1;
  const first = await outcomeOf(await c.fetch(url));
  assert.equal(proxy.dropSettle, 0, "the settle answer was dropped");
  assert.equal(first.status, 502, `the lost answer is a 502: ${first.body}`);
  assert.match(first.body, /facilitator_unavailable/);
  const payload = c.seen.payload!;
  const lost = proxy.dropped[proxy.dropped.length - 1]!;
  assert.equal(lost.body.success, true, `the facilitator had settled: ${JSON.stringify(lost.body)}`);
  assert.equal(await spent(nullifierOf(payload)), true, "the nullifier is burnt on chain");
  return { c, payload, transaction: lost.body.transaction as string };
}

/** The body of `/verify`, `/settle` and `/v1/settlement`. */
function facilitatorBody(payload: PaymentPayload, requirements: PaymentRequirements) {
  return { x402Version: 2, paymentPayload: payload, paymentRequirements: requirements };
}

before(async () => {
  servers.push(await startProxy(), await demoServer(cfg.serverPort));
});

after(async () => {
  for (const s of servers) await close(s);
});

describe("lost settle answers: served exactly once, nothing else served", { concurrency: false }, () => {
  let settled: { payload: PaymentPayload; retry: PaymentPayload } | undefined;

  test("(1) the settle answer is lost after the transaction landed → the payer's retry is served with that settlement: one payment, one nullifier, one response", async () => {
    const url = `${server}/premium`;
    const runs0 = await handlerRuns(server);
    const { c, payload, transaction } = await payWithLostAnswer(url);
    const res = await c.fetch(url);
    const again = await outcomeOf(res);
    assert.equal(again.status, 200, `the retry is served: ${again.reason ?? ""} ${again.body}`);
    const retry = c.seen.payload!;
    assert.equal(nullifierOf(retry), nullifierOf(payload), "the retry re-presents the same receipt (a new proof of it)");
    assert.notEqual(retry.payload.proof, payload.payload.proof);
    const pr = decodePaymentResponseHeader(res.headers.get("payment-response")!);
    assert.equal(pr.success, true);
    assert.equal(pr.transaction, transaction, "served with the transaction that burned the nullifier");
    const entries = await c.scheme.store.list();
    assert.equal(entries.length, 1, `one receipt bought (no second payment): ${entries.map((e) => e.state).join(",")}`);
    assert.ok(c.paidRequests.length === 2, `two paid requests: ${c.paidRequests.length}`);
    const runs = await handlerRuns(server);
    assert.equal(runs.premium - runs0.premium, 2, "the handler ran for the lost answer and for the retry");
    settled = { payload, retry };
  });

  test("(2) after that, a replay of either header is refused: 402 nullifier_already_used", async () => {
    assert.ok(settled, "needs (1)");
    for (const p of [settled.payload, settled.retry, settled.retry]) {
      const o = await outcomeOf(await sendPaid(`${server}/premium`, p));
      assert.equal(o.status, 402, o.body);
      assert.equal(o.reason, "nullifier_already_used");
    }
  });

  test("(3) while a payment's answer is lost, a header with its public nullifier but a forged or borrowed proof is refused, at the server and at /v1/settlement; the payer's retry is still served", async () => {
    const url = `${server}/premium`;
    const { c, payload } = await payWithLostAnswer(url);
    const requirements = payload.accepted;
    // A valid proof of another payment (another nullifier), and random bytes.
    const other = await payingClient().client.createPaymentPayload(await requirementsOf(url));
    for (const proof of [other.payload.proof as string, randomBytes(256).toString("base64")]) {
      const forged: PaymentPayload = { ...payload, payload: { ...payload.payload, proof, now: Math.floor(Date.now() / 1000) } };
      const o = await outcomeOf(await sendPaid(url, forged));
      assert.equal(o.status, 402, o.body);
      assert.equal(o.reason, "invalid_zk_proof");
      const direct = await postJson(`${cfg.facilitator}/v1/settlement`, facilitatorBody(forged, requirements));
      assert.equal(direct.status, 422, JSON.stringify(direct.json));
      assert.equal(direct.json.reason, "invalid_zk_proof");
      assert.match(direct.headers.get("content-type") ?? "", /application\/problem\+json/);
    }
    const again = await outcomeOf(await c.fetch(url));
    assert.equal(again.status, 200, `the payer's retry is served: ${again.body}`);
  });

  test("(4) a proof of the same receipt for ANOTHER resource of the merchant is refused although its nullifier is burnt (settlement_mismatch); the payer's retry of the paid resource is served", async () => {
    const url = `${server}/premium`;
    const { c, payload } = await payWithLostAnswer(url);
    // The payer holds the secret: it proves the same receipt again, for /slow.
    const [entry] = await c.scheme.store.list();
    const store = new MemoryReceiptStore();
    await store.put({ ...entry!, state: "attested", nullifier: undefined, usedNow: undefined, usedResourceHash: undefined, unanswered: undefined });
    const c2 = payingClient({ store });
    const slowRequired = await requirementsOf(`${server}/slow`);
    const forSlow = await c2.client.createPaymentPayload(slowRequired);
    assert.equal(nullifierOf(forSlow), nullifierOf(payload), "same receipt, same nullifier");
    const runs0 = await handlerRuns(server);
    const o = await outcomeOf(await sendPaid(`${server}/slow`, forSlow));
    assert.equal(o.status, 402, o.body);
    assert.equal(o.reason, "nullifier_already_used");
    assert.equal((await handlerRuns(server)).slow, runs0.slow, "the other resource's handler never ran");
    const direct = await postJson(`${cfg.facilitator}/v1/settlement`, facilitatorBody(forSlow, forSlow.accepted));
    assert.equal(direct.status, 409, JSON.stringify(direct.json));
    assert.equal(direct.json.reason, "settlement_mismatch");
    // The same request, honestly retried, is served.
    const again = await outcomeOf(await c.fetch(url));
    assert.equal(again.status, 200, `the payer's retry is served: ${again.body}`);
  });

  test("(5) a nullifier burnt outside this merchant's journal (verify_payment sent directly on chain) is refused as before, although /v1/settlement confirms the burn", async () => {
    const url = `${server}/premium`;
    const c = payingClient();
    const required = await requirementsOf(url);
    const payload = await c.client.createPaymentPayload(required);
    const requirements = payload.accepted;
    await verifier.verifyOnChain(verifyInputFromPayment(parseZkReceiptPayload(payload.payload), parseZkReceiptRequirements(requirements)));
    assert.equal(await spent(nullifierOf(payload)), true);
    const o = await outcomeOf(await sendPaid(url, payload));
    assert.equal(o.status, 402, o.body);
    assert.equal(o.reason, "nullifier_already_used");
    // The chain does say "burned for these terms": it is the journal (no attempt of this merchant) that refuses.
    const direct = await postJson(`${cfg.facilitator}/v1/settlement`, facilitatorBody(payload, requirements));
    assert.equal(direct.status, 200, JSON.stringify(direct.json));
    assert.equal(direct.json.settled, true);
  });

  test("/v1/settlement: an unburnt nullifier is settlement_not_found (404 problem+json)", async () => {
    const c = payingClient();
    const payload = await c.client.createPaymentPayload(await requirementsOf(`${server}/premium`));
    const direct = await postJson(`${cfg.facilitator}/v1/settlement`, facilitatorBody(payload, payload.accepted));
    assert.equal(direct.status, 404, JSON.stringify(direct.json));
    assert.equal(direct.json.reason, "settlement_not_found");
  });

  test("durable journal (FileJournalStore): the settle answer is lost, the resource server restarts, the retry is served once", async () => {
    const dir = mkdtempSync(join(cfg.workDir, "journal-"));
    try {
      const port = cfg.journalServerPort;
      const base = `http://127.0.0.1:${port}`;
      let s = await demoServer(port, dir);
      const { c } = await payWithLostAnswer(`${base}/premium`);
      await close(s);
      await sleep(500); // let the clients' pooled connections to the old server see it closed
      s = await demoServer(port, dir);
      try {
        await until402(`${base}/premium`);
        const again = await outcomeOf(await c.fetch(`${base}/premium`));
        assert.equal(again.status, 200, `served after the restart: ${again.body}`);
        const replay = await outcomeOf(await sendPaid(`${base}/premium`, c.seen.payload!));
        assert.equal(replay.status, 402);
        assert.equal(replay.reason, "nullifier_already_used");
      } finally {
        await close(s);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
