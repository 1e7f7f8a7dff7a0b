/**
 * Issue #19: the express middleware's payment headers under fuzz, against the real stack
 * `scripts/load.sh fuzz` starts (solana-test-validator, Rust facilitator, @x402/express server of
 * examples/demo-app.ts on LOAD_CONFIG's `resourceUrl`).
 *
 * A deterministic run (fast-check, fixed seed) of `sizes.headerFuzz` (≥ 1,000) malicious requests to
 * the paid route, each sent as raw bytes on its own socket, so every header can be what a hostile
 * client sends: malformed base64, base64 of non-JSON or of the wrong JSON, a real payment payload
 * with fields deleted, retyped or replaced (wrong scheme, network, version, amount, payTo;
 * field elements ≥ r; off-curve and non-canonical proof points; proofs of the wrong length),
 * byte-level mutations of its base64, huge headers (beyond Node's 16 KiB limit too), raw UTF-8,
 * control characters, duplicate `PAYMENT-SIGNATURE` headers and `X-PAYMENT` (the v1 header)
 * beside or instead of it. Every payload carries a nullifier its proof was not made for, so no
 * input can pay.
 *
 * Asserted for every input: an answer (no reset, no hang), never a 5xx, never a 200; an answer
 * from the app is JSON and x402-shaped with a reason (`402` + `PAYMENT-REQUIRED` whose `error` is
 * set, or a JSON body with `error`); the only other answers allowed are Node's own 400/431 for a
 * request its HTTP parser refuses before any middleware runs (counted apart). Afterwards the server
 * process is alive and serves the genuine payment the malicious ones were derived from (200, settled).
 * Results → `target/readiness/fuzz.json` (`surfaces`), rendered by scripts/readiness.sh.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { PaymentPayload } from "@x402/core/types";
import { encodePaymentSignatureHeader } from "@x402/core/http";
import { decodePaymentResponseHeader } from "@x402/fetch";
import { lcfg, machine, makeClients, outcomeOf, prefetchAll, requirementsOf } from "./lib";
import { nullifierOf, sendPaid, spent } from "../test-e2e/common";

const SEED = Number(process.env.HEADER_FUZZ_SEED ?? 19);
const RUNS = Math.max(1000, lcfg.sizes.headerFuzz ?? 1000);
const PARALLEL = 6;
const R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
const Q = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
const hex32 = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");
const b64 = (v: string | Uint8Array) => Buffer.from(v).toString("base64");

/** One malicious request: a kind (for the report) and its header lines as raw bytes. */
interface Case {
  kind: string;
  headers: [string, Buffer][];
}

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** GET `path` with exactly these header lines, on its own connection; the whole answer. */
function rawGet(url: URL, headers: [string, Buffer][], timeoutMs = 60_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sock = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    sock.on("connect", () => {
      const head: Buffer[] = [Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\nConnection: close\r\n`)];
      for (const [name, value] of headers) head.push(Buffer.from(`${name}: `), value, Buffer.from("\r\n"));
      head.push(Buffer.from("\r\n"));
      // write, not end: a half-closed client socket makes Node drop the answer of a slow request.
      sock.write(Buffer.concat(head));
    });
    sock.on("data", (c) => chunks.push(c));
    let failure: Error | undefined;
    sock.on("error", (e) => {
      failure = e; // a reset after the answer arrived still leaves the answer to read ("close" follows)
    });
    sock.on("close", () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      if (split < 0) return reject(failure ?? new Error(`no HTTP answer (${all.length} bytes)`));
      const lines = all.subarray(0, split).toString("latin1").split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? NaN);
      const h = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) h.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      let body = all.subarray(split + 4);
      if (/chunked/i.test(h.get("transfer-encoding") ?? "")) {
        const out: Buffer[] = [];
        let at = 0;
        for (;;) {
          const eol = body.indexOf("\r\n", at);
          const n = parseInt(body.subarray(at, eol).toString(), 16);
          if (!(n > 0)) break;
          out.push(body.subarray(eol + 2, eol + 2 + n));
          at = eol + 2 + n + 2;
        }
        body = Buffer.concat(out);
      }
      resolve({ status, headers: h, body: body.toString("utf8") });
    });
  });
}

/** The reason an app answer gives, or why it is not x402-shaped. */
function reasonOf(a: Answer): { reason?: string; problem?: string } {
  if (!/application\/json/.test(a.headers.get("content-type") ?? "")) return { problem: `content-type ${a.headers.get("content-type")}` };
  let body: unknown;
  try {
    body = JSON.parse(a.body);
  } catch {
    return { problem: `body not JSON: ${a.body.slice(0, 80)}` };
  }
  if (a.status === 402) {
    const pr = a.headers.get("payment-required");
    if (!pr) return { problem: "402 without PAYMENT-REQUIRED" };
    let required: { x402Version?: unknown; error?: unknown; accepts?: unknown };
    try {
      required = JSON.parse(Buffer.from(pr, "base64").toString("utf8")) as typeof required;
    } catch {
      return { problem: "PAYMENT-REQUIRED not base64 JSON" };
    }
    if (required.x402Version !== 2 || !Array.isArray(required.accepts)) return { problem: "PAYMENT-REQUIRED not x402 v2" };
    if (typeof required.error !== "string" || required.error === "") return { problem: "PAYMENT-REQUIRED without an error" };
    // The reason word, without the detail some carry ("Unsupported x402 version: <the input>").
    return { reason: required.error.split(":")[0] };
  }
  const e = (body as { error?: unknown } | null)?.error;
  if (typeof e !== "string" || e === "") return { problem: `JSON without error: ${a.body.slice(0, 80)}` };
  return { reason: e.split(":")[0] };
}

// ---- the generator -------------------------------------------------------------------------------

/** Values that do not belong anywhere in a payload. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, "", " ", "0x", "💥", "\u0000", "\ud800", [], {}, [[[[[]]]]], "NaN", "Infinity"),
  fc.integer(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map((v) => hex32(v)),
);

/** Field-element strings that must be refused: ≥ r, malformed, or non-canonical spellings. */
const badField: fc.Arbitrary<unknown> = fc.oneof(
  fc.bigInt({ min: R, max: (1n << 256n) - 1n }).map(hex32),
  fc.bigInt({ min: R, max: (1n << 256n) - 1n }).map((v) => v.toString()),
  fc.constantFrom(hex32(R), hex32(Q), "0x" + "f".repeat(64), "0x" + "0".repeat(65) + "1", "-1", "0x-1", "0xg1", "1e3", " 0x05", "0x05 ", "0X05", "0x"),
  fc.bigInt({ min: 0n, max: R - 1n }).map((v) => v.toString(16)), // hex without 0x
  fc.integer({ min: 0, max: 1000 }), // a number, not a string
);

/** Proof values that must be refused before any pairing: wrong length, off curve, ≥ q, not base64. */
function badProof(real: Buffer): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 600 }).filter((a) => a.length !== 256).map(b64),
    fc.uint8Array({ minLength: 256, maxLength: 256 }).map(b64), // almost surely off the curve
    fc.tuple(fc.integer({ min: 0, max: 7 }), fc.bigInt({ min: Q, max: (1n << 256n) - 1n })).map(([i, v]) => {
      const p = Buffer.from(real);
      Buffer.from(v.toString(16).padStart(64, "0"), "hex").copy(p, i * 32);
      return b64(p);
    }),
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const p = Buffer.from(real);
      p[i] = p[i]! ^ x;
      return b64(p);
    }),
    fc.constantFrom(b64(Buffer.alloc(256)), b64(Buffer.alloc(256, 0xff)), "AAAA", "!!notbase64!!", real.toString("hex"), "0x" + real.toString("hex"), real.toString("base64url")),
  );
}

function setPath(o: Record<string, unknown>, path: readonly string[], v: unknown, del = false): Record<string, unknown> {
  const copy = structuredClone(o);
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    if (typeof at[k] !== "object" || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  if (del) delete at[path[path.length - 1]!];
  else at[path[path.length - 1]!] = v;
  return copy;
}

const PATHS = [
  ["x402Version"], ["resource"], ["resource", "url"], ["accepted"], ["accepted", "scheme"], ["accepted", "network"],
  ["accepted", "amount"], ["accepted", "payTo"], ["accepted", "asset"], ["accepted", "maxTimeoutSeconds"],
  ["accepted", "extra"], ["accepted", "extra", "resourceHash"], ["accepted", "extra", "programId"], ["accepted", "extra", "maxAge"],
  ["payload"], ["payload", "proof"], ["payload", "nullifier"], ["payload", "now"], ["payload", "resourceHash"], ["extensions"],
];

/** The arbitrary of malicious requests, derived from `decoy` (a real payload with a foreign nullifier). */
function cases(decoy: Record<string, unknown>): fc.Arbitrary<Case> {
  const proof = Buffer.from((decoy.payload as { proof: string }).proof, "base64");
  const sig = (kind: string, value: string | Buffer, name = "PAYMENT-SIGNATURE"): Case => ({ kind, headers: [[name, Buffer.from(value)]] });
  const enc = (o: unknown) => b64(JSON.stringify(o));
  const name = fc.constantFrom("PAYMENT-SIGNATURE", "payment-signature", "Payment-Signature");
  const decoyB64 = enc(decoy);
  const structural = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...PATHS), hostile).map(([p, v]) => ({ kind: "a field replaced by a hostile value", o: setPath(decoy, p, v) })) },
    fc.constantFrom(...PATHS).map((p) => ({ kind: "a field deleted", o: setPath(decoy, p, undefined, true) })),
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(["payload", "nullifier"], ["payload", "resourceHash"], ["accepted", "extra", "resourceHash"]), badField).map(([p, v]) => ({
        kind: `${p.join(".")} not a canonical field element`,
        o: setPath(decoy, p, v),
      })),
    },
    { weight: 3, arbitrary: badProof(proof).map((v) => ({ kind: "payload.proof malformed (length, curve, ≥ q, encoding)", o: setPath(decoy, ["payload", "proof"], v) })) },
    fc.constantFrom("exact", "upto", "ZK-RECEIPT", "zk-receipt ", "", "zk_receipt").map((v) => ({ kind: "wrong scheme", o: setPath(decoy, ["accepted", "scheme"], v) })),
    fc.constantFrom("solana:mainnet", "solana:devnet", "eip155:1", "solana:*", "solana", "x".repeat(300)).map((v) => ({ kind: "wrong network", o: setPath(decoy, ["accepted", "network"], v) })),
    fc.constantFrom(0, 1, 3, -1, "2", 2.5, null).map((v) => ({ kind: "wrong x402Version", o: setPath(decoy, ["x402Version"], v) })),
    fc.oneof(fc.constantFrom("0", "1", "18446744073709551616", "-1000000", "1e6"), fc.bigInt({ min: 0n, max: 999_999n }).map(String)).map((v) => ({
      kind: "wrong amount",
      o: setPath(decoy, ["accepted", "amount"], v),
    })),
    fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 64, -1, 0, 1.5, "1760000000")).map((v) => ({
      kind: "payload.now out of range or mistyped",
      o: setPath(decoy, ["payload", "now"], v),
    })),
    fc.dictionary(fc.string({ maxLength: 8 }), hostile, { maxKeys: 3 }).map((extra) => ({ kind: "unknown payload fields", o: setPath(decoy, ["payload"], { ...(decoy.payload as object), ...extra }) })),
  );
  return fc.oneof(
    { weight: 30, arbitrary: fc.tuple(structural, name).map(([{ kind, o }, n]) => sig(kind, enc(o), n)) },
    { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 200 }).map((s) => sig("not base64", s.replace(/[\r\n]/g, "") || "!")) },
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 400 }).map((a) => sig("base64 of random bytes", b64(a))) },
    { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 200 }).map((s) => sig("base64 of unicode text", b64(s))) },
    { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => sig("base64 of the wrong JSON", enc(v))) },
    {
      weight: 10,
      arbitrary: fc
        .array(fc.tuple(fc.nat(decoyB64.length - 1), fc.constantFrom("flip", "delete", "insert", "truncate"), fc.integer({ min: 32, max: 126 })), { minLength: 1, maxLength: 6 })
        .map((ops) => {
          let s = decoyB64;
          for (const [i, op, c] of ops) {
            const at = Math.min(i, s.length - 1);
            if (op === "flip") s = s.slice(0, at) + String.fromCharCode(c) + s.slice(at + 1);
            else if (op === "delete") s = s.slice(0, at) + s.slice(at + 1);
            else if (op === "insert") s = s.slice(0, at) + String.fromCharCode(c) + s.slice(at);
            else s = s.slice(0, at);
          }
          return sig("byte mutations of the base64", s || "A");
        }),
    },
    {
      weight: 4,
      arbitrary: fc.integer({ min: 4_000, max: 60_000 }).map((n) => sig(n + 200 > 16_000 ? "huge header (over 16 KiB)" : "huge header", enc({ ...decoy, pad: "A".repeat(n) }))),
    },
    { weight: 3, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 100 }).map((s) => sig("raw UTF-8 bytes in the header", Buffer.from(JSON.stringify({ ...decoy, note: s }), "utf8"))) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.nat(decoyB64.length - 1), fc.constantFrom("\r", "\n", "\r\n", "\u0000", "\u0007", "\u007f", "\r\nX-Injected: 1")).map(([i, c]) =>
        sig("control characters / CRLF in the header", decoyB64.slice(0, i) + c + decoyB64.slice(i)),
      ),
    },
    {
      weight: 6,
      arbitrary: fc.tuple(structural, fc.constantFrom("two PAYMENT-SIGNATURE", "PAYMENT-SIGNATURE + X-PAYMENT", "X-PAYMENT only", "empty + PAYMENT-SIGNATURE")).map(([{ o }, how]) => {
        const a = Buffer.from(enc(o));
        const d = Buffer.from(decoyB64);
        const headers: [string, Buffer][] =
          how === "two PAYMENT-SIGNATURE"
            ? [["PAYMENT-SIGNATURE", d], ["PAYMENT-SIGNATURE", a]]
            : how === "PAYMENT-SIGNATURE + X-PAYMENT"
              ? [["PAYMENT-SIGNATURE", a], ["X-PAYMENT", d]]
              : how === "X-PAYMENT only"
                ? [["X-PAYMENT", d]]
                : [["PAYMENT-SIGNATURE", Buffer.alloc(0)], ["PAYMENT-SIGNATURE", a]];
        return { kind: `duplicate headers: ${how}`, headers };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        sig("empty header", ""),
        sig("whitespace header", "   "),
        sig("base64url of the payload", Buffer.from(JSON.stringify(decoy)).toString("base64url")),
        sig("base64 without padding", decoyB64.replace(/=+$/, "")),
        sig("JSON, not base64", JSON.stringify(decoy)),
        sig("v1-shaped payload", enc({ x402Version: 1, scheme: "zk-receipt", network: "solana:localnet", payload: decoy.payload })),
      ),
    },
  );
}

// ---- the run -------------------------------------------------------------------------------------

test(`express middleware payment headers: ${RUNS} malicious inputs (seed ${SEED}), then a real paid request`, { timeout: 1_200_000 }, async () => {
  const url = new URL(lcfg.resourceUrl);
  const required = await requirementsOf(lcfg.resourceUrl);
  const offer = required.accepts[0]!;
  // One genuine payment: its payload is the template of the malicious ones (with another nullifier),
  // and is sent for real at the end.
  const [cl] = await makeClients(1, join(lcfg.workDir, "header-fuzz"), Number(lcfg.minAmount) * 3 + 10_000_000);
  await prefetchAll([cl!], offer, 1);
  const genuine: PaymentPayload = await cl!.c.client.createPaymentPayload(required);
  const decoyNullifier = hex32(BigInt(nullifierOf(genuine)) ^ 1n);
  const decoy = setPath(genuine as unknown as Record<string, unknown>, ["payload", "nullifier"], decoyNullifier);

  const inputs = fc.sample(cases(decoy), { seed: SEED, numRuns: RUNS });
  const statuses: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const failures: string[] = [];
  let parserRefusals = 0;
  let status5xx = 0;
  let noAnswer = 0;
  const t0 = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < inputs.length; i = next++) {
      const c = inputs[i]!;
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      let a: Answer;
      try {
        a = await rawGet(url, c.headers);
      } catch (e) {
        // Node's parser refuses a header block over its limit (16 KiB) with 431 and closes the
        // connection while the client is still sending: the kernel then resets it, and the 431 may
        // be lost. That is Node's transport refusal, not the middleware's (the process is checked alive).
        const bytes = c.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
        if ((e as NodeJS.ErrnoException).code === "ECONNRESET" && bytes > 16_384) {
          parserRefusals++;
          reasons["node http parser reset (headers over 16 KiB)"] = (reasons["node http parser reset (headers over 16 KiB)"] ?? 0) + 1;
          continue;
        }
        noAnswer++;
        failures.push(`#${i} ${c.kind}: no answer (${(e as Error).message})`);
        continue;
      }
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      if (a.status >= 500) status5xx++;
      if (!(a.status >= 400 && a.status < 500)) {
        failures.push(`#${i} ${c.kind}: status ${a.status} ${a.body.slice(0, 200)}`);
        continue;
      }
      // Node's HTTP parser answers a request it cannot parse itself (400, or 431 for headers over
      // its limit) with no body and none of the app's headers: the middleware never saw it.
      if (!a.headers.has("x-powered-by") && (a.status === 400 || a.status === 431) && a.body === "") {
        parserRefusals++;
        reasons[`node http parser ${a.status}`] = (reasons[`node http parser ${a.status}`] ?? 0) + 1;
        continue;
      }
      const r = reasonOf(a);
      if (r.problem) failures.push(`#${i} ${c.kind}: ${a.status} not x402-shaped: ${r.problem}`);
      else reasons[r.reason!] = (reasons[r.reason!] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const seconds = (Date.now() - t0) / 1000;

  // The server process survived, and still serves the genuine payment.
  const pidFile = (lcfg.pidFiles as Record<string, string>).servers;
  const alive = pidFile !== undefined && existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, "utf8").trim()));
  const paid = await outcomeOf(await sendPaid(lcfg.resourceUrl, genuine).then((res) => {
    if (res.status === 200) {
      const s = decodePaymentResponseHeader(res.headers.get("payment-response")!);
      assert.equal(s.success, true, "the genuine payment settled");
    }
    return res;
  }));
  const servedAfter = paid.status === 200 && (JSON.parse(paid.body) as { content?: string }).content === "premium data";

  writeSurface("express middleware headers (PAYMENT-SIGNATURE / X-PAYMENT)", {
    inputs: inputs.length,
    status5xx,
    panics: alive ? 0 : 1,
    noAnswer,
    notX402Shaped: failures.length - noAnswer - status5xx,
    nodeParserRefusals: parserRefusals,
    statuses,
    reasons,
    kinds,
    seed: SEED,
    seconds,
    servedAfter,
    command: `bash scripts/load.sh${lcfg.ci ? " --ci" : ""} fuzz`,
    date: new Date().toISOString(),
    machine: machine(),
  });
  console.log(`header fuzz: ${inputs.length} inputs in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(statuses)}; reasons ${JSON.stringify(reasons)}`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} inputs failed`);
  assert.ok(alive, "the express server process is alive");
  assert.equal(status5xx, 0);
  assert.ok(servedAfter, `the genuine payment is served after the fuzz: ${paid.status} ${paid.reason ?? ""} ${paid.body.slice(0, 200)}`);
  assert.equal(await spent(nullifierOf(genuine)), true, "its nullifier is burnt");
  assert.equal(await spent(decoyNullifier), false, "no malicious input burnt a nullifier");
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Merges one HTTP surface's result into `fuzz.json` (whose `cargoFuzz` part scripts/fuzz.sh writes). */
function writeSurface(name: string, result: Record<string, unknown>): void {
  mkdirSync(lcfg.outDir, { recursive: true });
  const file = join(lcfg.outDir, "fuzz.json");
  const doc = (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {}) as { surfaces?: Record<string, unknown> };
  doc.surfaces = { ...(doc.surfaces ?? {}), [name]: result };
  writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
}
