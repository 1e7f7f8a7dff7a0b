/**
 * The whole-path stress driver's admission check (app/test-load/admission.ts, used by
 * `load.js stress-path`): the facilitator's refusals must reach the payer as 503 + Retry-After +
 * `overloaded`, and every answer must be JSON.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { admissionCheck } from "../test-load/admission";

test("stress admission check: well-formed refusals pass, a 502, a missing Retry-After, a 503 without the word or a non-JSON body are violations", () => {
  const ok = admissionCheck([
    { client: 0, attempts: [{ status: 200, json: true }, { status: 402, reason: "nullifier_already_used", json: true }] },
    { client: 1, attempts: [{ status: 503, reason: "overloaded", retryAfter: "1", json: true }, { status: 0, error: "timeout" }] },
  ]);
  assert.deepEqual(ok, { overloaded: 1, violations: [] });
  const bad = admissionCheck([
    { client: 2, attempts: [{ status: 503, reason: "overloaded", json: true }] },
    { client: 3, attempts: [{ status: 503, retryAfter: "1", json: true }] },
    { client: 4, attempts: [{ status: 502, reason: "overloaded", retryAfter: "1", json: true }] },
    { client: 5, attempts: [{ status: 503, reason: "overloaded", retryAfter: "0.5", json: true }] },
    { client: 6, attempts: [{ status: 500, json: false, error: "<html>" }] },
  ]);
  assert.equal(bad.overloaded, 4);
  assert.equal(bad.violations.length, 5, bad.violations.join("\n"));
  assert.match(bad.violations[4]!, /client 6: 500: the body is not JSON/);
});
