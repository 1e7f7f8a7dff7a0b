import { test } from "node:test";
import assert from "node:assert/strict";
import { RpcError, createRpcFallback } from "../src/index";
import { deadPortUrl, sendJson, startJsonServer } from "./helpers";

/** A minimal JSON-RPC endpoint answering getSlot with `slot`. */
function rpcServer(slot: number) {
  return startJsonServer((_req, body, res) => {
    const b = body as { id: unknown; method: string };
    if (b.method === "getSlot") return sendJson(res, 200, { jsonrpc: "2.0", id: b.id, result: slot });
    sendJson(res, 200, { jsonrpc: "2.0", id: b.id, error: { code: -32601, message: "Method not found" } });
  });
}

test("fails over from a refused connection and a 503 to a working endpoint, and remembers", async () => {
  const dead = await deadPortUrl();
  const failing = await startJsonServer((_req, _b, res) => sendJson(res, 503, { error: "overloaded" }));
  const good = await rpcServer(42);
  let t = 1_000_000;
  const failovers: string[] = [];
  try {
    const fb = createRpcFallback([dead, failing.url, good.url], { now: () => t, cooldownMs: 1000, onFailover: (f) => failovers.push(f.reason) });
    const conn = fb.connection();
    assert.equal(await conn.getSlot(), 42);
    assert.equal(failovers.length, 2);
    assert.match(failovers[0]!, /ECONNREFUSED|fetch failed/);
    assert.equal(failovers[1], "HTTP 503");
    const h = fb.health();
    assert.deepEqual(h.map((e) => e.healthy), [false, false, true]);
    assert.equal(fb.current(), good.url);

    // While the others cool down, requests go straight to the healthy endpoint.
    const before = failing.requests.length;
    assert.equal(await conn.getSlot(), 42);
    assert.equal(failing.requests.length, before);

    // After the cooldown the primary order is tried again.
    t += 5_000;
    assert.equal(fb.current(), dead);
  } finally {
    await failing.close();
    await good.close();
  }
});

test("a JSON-RPC error is the request's fault: no failover", async () => {
  const a = await rpcServer(1);
  const b = await rpcServer(2);
  try {
    const fb = createRpcFallback([a.url, b.url]);
    await assert.rejects(fb.connection().getBlockHeight(), /Method not found/);
    assert.equal(b.requests.length, 0);
    assert.equal(fb.health()[0]!.healthy, true);
  } finally {
    await a.close();
    await b.close();
  }
});

test("every endpoint down: a retryable RPC_UNAVAILABLE", async () => {
  const fb = createRpcFallback([await deadPortUrl(), await deadPortUrl()]);
  await assert.rejects(
    fb.fetch(fb.urls[0]!, { method: "POST", body: "{}" }),
    (e: unknown) => e instanceof RpcError && e.code === "RPC_UNAVAILABLE" && e.retryable,
  );
});
