/**
 * Merchant set-up fails at start-up, with a message that says what is missing, never as a 500 per
 * request: no resource salt, or offer parameters (programId, attester, attesterUrl, proverUrl,
 * maxAge) that neither the server's config nor the facilitator's `/supported` `extra` provides.
 * Also: app/README.md's merchant code is exactly `examples/merchant.ts`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { x402HTTPResourceServer, x402ResourceServer, isFatalStartupInitError } from "@x402/core/server";
import { ConfigError, NATIVE_SOL_ASSET, VERIFIER_PROGRAM_ID, resourceHashHex } from "../src/index";
import { ZK_RECEIPT_SCHEME, SOLANA_LOCALNET_CAIP2 } from "../src/zk-receipt/types";
import { RESOURCE_SALT_ENV, ZkReceiptServerScheme, registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";
import { createZkReceiptFacilitatorClient } from "../src/zk-receipt/facilitator";
import { sendJson, startJsonServer } from "./helpers";

const network = SOLANA_LOCALNET_CAIP2;
const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const attester = { x: "1234", y: "5678" };
const resourceSalt = "ab".repeat(16);
const APP = join(__dirname, "..", "..");

function withoutSaltEnv<T>(f: () => T): T {
  const saved = process.env[RESOURCE_SALT_ENV];
  delete process.env[RESOURCE_SALT_ENV];
  try {
    return f();
  } finally {
    if (saved !== undefined) process.env[RESOURCE_SALT_ENV] = saved;
  }
}

/** A stand-in facilitator whose /supported advertises `extra`. */
function facilitatorAdvertising(extra: Record<string, unknown>) {
  return startJsonServer((req, _body, res) => {
    if (req.url === "/supported") return sendJson(res, 200, { kinds: [{ x402Version: 2, scheme: ZK_RECEIPT_SCHEME, network, extra }], extensions: [], signers: {} });
    sendJson(res, 404, {});
  });
}

const FULL_EXTRA = { programId: VERIFIER_PROGRAM_ID.toBase58(), attester, attesterUrl: "http://127.0.0.1:8403", proverUrl: "http://127.0.0.1:8080", maxAge: 300 };
/** What the Rust facilitator advertised before issue #14. */
const OLD_EXTRA = { programId: VERIFIER_PROGRAM_ID.toBase58(), attester };

function routes() {
  return { "GET /premium": { accepts: { scheme: ZK_RECEIPT_SCHEME, network, payTo, price: zkReceiptPrice({ amount: 1000 }), maxTimeoutSeconds: 60 }, description: "premium" } };
}

test("no resource salt: the scheme refuses to be built and says how to make one", () => {
  withoutSaltEnv(() => {
    assert.throws(
      () => new ZkReceiptServerScheme({}),
      (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_INVALID" && /X402_RESOURCE_SALT/.test(e.message) && /openssl rand -hex 32/.test(e.message),
    );
    assert.throws(() => new ZkReceiptServerScheme({ resourceSalt: "abcd" }), /at least 16/);
    assert.throws(() => new ZkReceiptServerScheme({ resourceSalt: "not hex at all, but long enough!!" }), /hex/);
    process.env[RESOURCE_SALT_ENV] = resourceSalt;
    try {
      assert.ok(new ZkReceiptServerScheme({}), "X402_RESOURCE_SALT is enough");
    } finally {
      delete process.env[RESOURCE_SALT_ENV];
    }
  });
});

test("start-up: a facilitator that does not advertise attesterUrl/maxAge, and a server that does not set them, fails initialize() (fatal), naming each; proverUrl is optional (clients prove locally)", async () => {
  const fac = await facilitatorAdvertising(OLD_EXTRA);
  try {
    const rs = registerZkReceiptServer(new x402ResourceServer(createZkReceiptFacilitatorClient(fac.url)), { networks: [network], resourceSalt });
    const http = new x402HTTPResourceServer(rs, routes());
    await assert.rejects(http.initialize(), (e: unknown) => {
      assert.ok(isFatalStartupInitError(e), `fatal start-up error (@x402/express exits the process): ${String(e)}`);
      const m = (e as Error).message;
      for (const f of ["attesterUrl (facilitator --public-url)", "maxAge (facilitator --max-age)"]) assert.ok(m.includes(f), m);
      assert.ok(!m.includes("proverUrl"), "an offer is complete without a prover");
      assert.ok(!m.includes("programId ("), "programId was advertised");
      return true;
    });
  } finally {
    await fac.close();
  }
});

test("start-up: what the facilitator lacks, the server's config can supply; a conflicting programId or attester key is refused", async () => {
  const fac = await facilitatorAdvertising(OLD_EXTRA);
  try {
    const own = { attesterUrl: "http://127.0.0.1:1/", proverUrl: "http://127.0.0.1:2/", maxAge: 120 };
    const rs = registerZkReceiptServer(new x402ResourceServer(createZkReceiptFacilitatorClient(fac.url)), { networks: [network], resourceSalt, ...own });
    const http = new x402HTTPResourceServer(rs, routes());
    await http.initialize();
    const [req] = await rs.buildPaymentRequirements({ scheme: ZK_RECEIPT_SCHEME, network, payTo, price: zkReceiptPrice({ amount: 1000 })({ method: "GET", adapter: { getMethod: () => "GET", getUrl: () => "http://m/premium" } }) });
    assert.deepEqual(req!.extra, {
      ...OLD_EXTRA,
      ...own,
      resourceHash: resourceHashHex({ salt: resourceSalt, method: "GET", url: "http://m/premium", payTo, asset: NATIVE_SOL_ASSET, amount: "1000" }),
    });

    for (const bad of [{ programId: "11111111111111111111111111111112" }, { attester: { x: "1", y: "2" } }]) {
      const rs2 = registerZkReceiptServer(new x402ResourceServer(createZkReceiptFacilitatorClient(fac.url)), { networks: [network], resourceSalt, ...own, ...bad });
      await assert.rejects(new x402HTTPResourceServer(rs2, routes()).initialize(), (e: unknown) => isFatalStartupInitError(e) && /differs from the facilitator/.test((e as Error).message));
    }
  } finally {
    await fac.close();
  }
});

/** Runs a compiled example with `env`; resolves with its exit code and output (kills it after `ms`). */
function runExample(file: string, env: Record<string, string>, ms = 15_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, "..", "examples", file)], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

test("examples refuse to start (exit 1, with the reason) without a salt, or against a facilitator that does not advertise what they need", async () => {
  const fac = await facilitatorAdvertising(OLD_EXTRA);
  const good = await facilitatorAdvertising(FULL_EXTRA);
  try {
    const base = { FACILITATOR_URL: fac.url, MERCHANT_PUBKEY: payTo, PORT: "0" };
    for (const file of ["merchant.js", "demo-server.js"]) {
      const noSalt = await runExample(file, base);
      assert.equal(noSalt.code, 1, `${file} without a salt: ${noSalt.out}`);
      assert.match(noSalt.out, /no resource salt\. Set X402_RESOURCE_SALT/);

      const missing = await runExample(file, { ...base, X402_RESOURCE_SALT: resourceSalt });
      assert.equal(missing.code, 1, `${file} against an old facilitator: ${missing.out}`);
      assert.match(missing.out, /FacilitatorCapabilityError/);
      assert.match(missing.out, /attesterUrl \(facilitator --public-url\)/);
    }
    // Against a facilitator that advertises everything, the same command keeps running.
    const ok = await runExample("merchant.js", { FACILITATOR_URL: good.url, MERCHANT_PUBKEY: payTo, PORT: "0", X402_RESOURCE_SALT: resourceSalt }, 3_000);
    assert.equal(ok.code, null, `still running after 3 s (killed): ${ok.out}`);
  } finally {
    await fac.close();
    await good.close();
  }
});

test("app/README.md's merchant code is examples/merchant.ts, imports spelled as the package", () => {
  const readme = readFileSync(join(APP, "README.md"), "utf8");
  const m = /<!-- examples\/merchant\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "README has the marked merchant.ts block");
  const asSource = m[1]!.replace(/"@x402-zk\/sdk\/zk-receipt\//g, '"../src/zk-receipt/').replace(/"@x402-zk\/sdk"/g, '"../src/index"');
  assert.equal(asSource, readFileSync(join(APP, "examples", "merchant.ts"), "utf8"));
});
