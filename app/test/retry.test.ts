import { test } from "node:test";
import assert from "node:assert/strict";
import { RetryExhaustedError, ServiceError, X402ZkError, backoffDelay, retryWithBackoff } from "../src/index";

const transient = () => new X402ZkError("PROVER_UNAVAILABLE", "down", { retryable: true });

test("retries retryable errors until success", async () => {
  let calls = 0;
  const delays: number[] = [];
  const v = await retryWithBackoff(
    async () => {
      if (++calls < 3) throw transient();
      return "ok";
    },
    { baseDelayMs: 1, jitter: "none", onRetry: (i) => delays.push(i.delayMs) },
  );
  assert.equal(v, "ok");
  assert.equal(calls, 3);
  assert.deepEqual(delays, [1, 2]);
});

test("stops at once on a non-retryable error", async () => {
  let calls = 0;
  const err = new X402ZkError("PROVER_REJECTED", "statement does not hold");
  await assert.rejects(
    retryWithBackoff(async () => {
      calls++;
      throw err;
    }, { baseDelayMs: 1 }),
    (e) => e === err,
  );
  assert.equal(calls, 1);
});

test("gives up after maxAttempts with the last error as cause", async () => {
  let calls = 0;
  await assert.rejects(
    retryWithBackoff(async () => {
      calls++;
      throw transient();
    }, { maxAttempts: 3, baseDelayMs: 1 }),
    (e: unknown) => e instanceof RetryExhaustedError && e.attempts === 3 && (e.cause as X402ZkError).code === "PROVER_UNAVAILABLE",
  );
  assert.equal(calls, 3);
});

test("network errors from fetch are retryable; plain errors are not", async () => {
  let calls = 0;
  await assert.rejects(
    retryWithBackoff(() => {
      calls++;
      return fetch("http://127.0.0.1:1/"); // nothing listens on port 1
    }, { maxAttempts: 2, baseDelayMs: 1 }),
    RetryExhaustedError,
  );
  assert.equal(calls, 2);
  calls = 0;
  await assert.rejects(retryWithBackoff(async () => { calls++; throw new Error("bug"); }), /bug/);
  assert.equal(calls, 1);
});

test("backoff grows exponentially, is capped, and jitter stays within the cap", () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: "none" as const };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, o)), [100, 200, 400, 800, 1000, 1000]);
  for (let a = 1; a < 8; a++) {
    const full = backoffDelay(a, { ...o, jitter: "full" });
    const equal = backoffDelay(a, { ...o, jitter: "equal" });
    const cap = backoffDelay(a, o);
    assert.ok(full >= 0 && full <= cap);
    assert.ok(equal >= cap / 2 && equal <= cap);
  }
});

test("Retry-After from a service raises the delay", async () => {
  const delays: number[] = [];
  let calls = 0;
  await retryWithBackoff(
    async () => {
      if (++calls === 1) throw new ServiceError("PROVER_UNAVAILABLE", "queue full", { service: "prover", status: 503, retryAfterMs: 30, retryable: true });
    },
    { baseDelayMs: 1, jitter: "none", onRetry: (i) => delays.push(i.delayMs) },
  );
  assert.deepEqual(delays, [30]);
});

test("abort stops waiting", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(
    retryWithBackoff(async () => { throw transient(); }, { baseDelayMs: 10_000, jitter: "none", signal: ac.signal }),
    (e: unknown) => e instanceof X402ZkError && e.code === "ABORTED",
  );
});
