/**
 * Local proving with the real WebAssembly prover (`@x402-zk/prover-wasm`, built by
 * scripts/build-wasm.sh) on a real key (`x402-zk keys dev-setup --deterministic`) and a real attester
 * signature (`x402-zk attester sign`): a proof that verifies, typed refusals carrying the prover's
 * reason word, and the proving-key check: a key whose vk hash is not the chain's is refused and never
 * cached; a matching key is downloaded once, cached by vk hash, and a tampered cache file is ignored.
 * Both places a proof runs: the calling thread, and (Node's default) a worker thread, during whose
 * proof the event loop keeps running; a killed worker is a typed error and the next proof gets a new one.
 *
 * Needs the `x402-zk` CLI (`cargo build --workspace`; `X402_ZK_BIN` overrides its path).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NATIVE_SOL_ASSET, ProverError, VERIFIER_PROGRAM_ID, commitment, decodeProof, nullifierFor, randomFieldElement, toHex32 } from "../src/index";
import { LocalProver, loadProverWasm, normalizeVkHash, type WasmProverModule } from "../src/local-prover";
import { openCheckedProver } from "../src/proving-key";
import { WorkerPoolHandle, terminateProverWorker } from "../src/prover-worker-host";
import { FileProvingKeyCache } from "../src/proving-key-file";
import { startJsonServer } from "./helpers";

const APP = resolve(__dirname, "..", "..");
const BIN = process.env.X402_ZK_BIN ?? resolve(APP, "..", "target", "debug", "x402-zk");
const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const programId = VERIFIER_PROGRAM_ID.toBase58();

let mod: WasmProverModule;
let pk: Uint8Array;
let attesterKeyFile: string;
let attester: { x: string; y: string };

before(async () => {
  assert.ok(existsSync(BIN), `the x402-zk CLI is needed at ${BIN} (cargo build --workspace, or set X402_ZK_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), "x402-local-prover-"));
  execFileSync(BIN, ["keys", "dev-setup", "--deterministic", "--out", join(dir, "keys")], { stdio: "ignore" });
  pk = new Uint8Array(readFileSync(join(dir, "keys", "receipt.pk")));
  attesterKeyFile = join(dir, "attester.json");
  execFileSync(BIN, ["attester", "keygen", "--out", attesterKeyFile], { stdio: "ignore" });
  attester = (JSON.parse(readFileSync(attesterKeyFile, "utf8")) as { publicKey: { x: string; y: string } }).publicKey;
  mod = await loadProverWasm();
});

/** A receipt for `amount` paid now, signed by the real attester CLI. */
function receiptFor(secret: bigint, amount: number, paidAt = Math.floor(Date.now() / 1000) - 10) {
  const r = { payTo, asset: NATIVE_SOL_ASSET, amount, paidAt, commitment: toHex32(commitment(secret)) };
  const sig = JSON.parse(execFileSync(BIN, ["attester", "sign", "--key", attesterKeyFile], { input: JSON.stringify(r) }).toString()) as { R8x: string; R8y: string; S: string };
  return { payTo, asset: NATIVE_SOL_ASSET, amount: String(amount), paidAt, signature: sig };
}

function publicFor(minAmount: number, now = Math.floor(Date.now() / 1000)) {
  return { attester, minAmount: String(minAmount), now, maxAge: 600, resourceHash: "0x" + "11".repeat(31), programId };
}

/** The two places a proof can run: the calling thread (a loader given, the browser path) and Node's default worker thread. */
const modes: [string, () => Promise<LocalProver>][] = [
  ["calling thread", async () => LocalProver.create(mod, pk)],
  ["worker thread", () => LocalProver.open(pk)],
];

for (const [mode, open] of modes) {
  test(`local proof (${mode}): a real receipt proves, the proof verifies with the key, the nullifier is Poseidon(secret, domain)`, async () => {
    const prover = await open();
    try {
      assert.equal(prover.runsIn, mode === "worker thread" ? "worker" : "calling-thread");
      assert.ok(normalizeVkHash(prover.vkHash));
      const secret = randomFieldElement();
      const pub = publicFor(1000);
      const proof = await prover.prove({ receipt: receiptFor(secret, 1000), secret, public: pub });
      assert.equal(decodeProof(proof.proof).length, 256);
      assert.equal(proof.nullifier, toHex32(nullifierFor(secret, programId)));
      assert.equal(proof.now, pub.now);
      assert.equal(proof.publicInputs.length, 1);
      assert.ok(proof.ms > 0);
    } finally {
      prover.free();
    }
  });

  test(`local proof (${mode}): a statement that does not hold is ProverError PROOF_REFUSED with the prover's reason word, never the secret`, async () => {
    const prover = await open();
    try {
      const secret = randomFieldElement();
      const cases: [string, () => Promise<unknown>][] = [
        ["amount_below_minimum", () => prover.prove({ receipt: receiptFor(secret, 999), secret, public: publicFor(1000) })],
        ["invalid_signature", () => prover.prove({ receipt: { ...receiptFor(secret, 1000), amount: "1001" }, secret, public: publicFor(1000) })],
        ["statement_unsatisfied", () => prover.prove({ receipt: receiptFor(secret, 1000, Math.floor(Date.now() / 1000) - 700), secret, public: publicFor(1000) })],
      ];
      for (const [reason, f] of cases) {
        await assert.rejects(f(), (e: unknown) => {
          assert.ok(e instanceof ProverError, String(e));
          assert.equal(e.code, "PROOF_REFUSED");
          assert.equal(e.reason, reason, e.message);
          assert.ok(!e.message.includes(secret.toString()), "no secret in the message");
          return true;
        });
      }
      // A wrong secret for the receipt's commitment: the signature is over another C.
      await assert.rejects(prover.prove({ receipt: receiptFor(secret, 1000), secret: secret + 1n, public: publicFor(1000) }), (e: unknown) => e instanceof ProverError && e.code === "PROOF_REFUSED");
    } finally {
      prover.free();
    }
  });
}

/** Proves with a 20 ms interval running; returns the proof and how many times the interval fired before it resolved. */
async function proveCountingTicks(prover: LocalProver) {
  const secret = randomFieldElement();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  try {
    const proof = await prover.prove({ receipt: receiptFor(secret, 1000), secret, public: publicFor(1000) });
    return { proof, ticks };
  } finally {
    clearInterval(timer);
  }
}

test("worker thread (Node default): the event loop keeps running during a proof; on the calling thread it does not", async () => {
  const worker = await LocalProver.open(pk);
  const inThread = LocalProver.create(mod, pk);
  try {
    assert.equal(worker.runsIn, "worker");
    assert.equal(worker.vkHash, inThread.vkHash, "the worker answers the same vk hash");
    const w = await proveCountingTicks(worker);
    // A proof takes seconds; the assertion only needs the timer to have fired a few times before it resolved.
    assert.ok(w.ticks >= (w.proof.ms >= 1000 ? 3 : 1), `${w.ticks} ticks of a 20 ms interval during a ${w.proof.ms} ms worker proof`);
    // Control: the same proof on the calling thread runs inside the call; no timer fires before it resolves.
    const t = await proveCountingTicks(inThread);
    assert.equal(t.ticks, 0, "the calling-thread prover holds the event loop (what the worker avoids)");
  } finally {
    worker.free();
    inThread.free();
  }
});

test("worker thread: proofs queue one at a time on one worker; a killed worker fails the proof in flight with PROVER_CRASHED, the next proof gets a new worker", async () => {
  const prover = await LocalProver.open(pk);
  try {
    const secret = randomFieldElement();
    const req = () => ({ receipt: receiptFor(secret, 1000), secret, public: publicFor(1000) });
    // Two at once: both answered, by the one worker, in turn.
    const [a, b] = await Promise.all([prover.prove(req()), prover.prove(req())]);
    assert.equal(a.nullifier, b.nullifier);

    const inFlight = prover.prove(req());
    await new Promise((r) => setTimeout(r, 200)); // let the proof start (the outcome is the same if it has not)
    assert.equal(await terminateProverWorker(prover), true);
    await assert.rejects(inFlight, (e: unknown) => {
      assert.ok(e instanceof ProverError, String(e));
      assert.equal(e.code, "PROVER_CRASHED");
      assert.equal(e.reason, "worker_exited", e.message);
      assert.equal(e.retryable, true);
      assert.ok(!e.message.includes(secret.toString()), "no secret in the message");
      return true;
    });
    const again = await prover.prove(req());
    assert.equal(again.nullifier, toHex32(nullifierFor(secret, programId)));
    assert.equal(await terminateProverWorker(prover), true, "a new worker answered it");
    // Killed while idle: the next proof also starts a new one.
    assert.equal((await prover.prove(req())).nullifier, again.nullifier);
  } finally {
    prover.free();
  }
  await assert.rejects(prover.prove({ receipt: receiptFor(1n, 1000), secret: 1n, public: publicFor(1000) }), (e: unknown) => e instanceof ProverError && e.code === "PROVER_LOAD_FAILED");
});

test("worker pool: proofs made at once go to different workers, all verify; a killed member fails only its proof; a bad worker count is refused", async () => {
  const prover = await LocalProver.open(pk, undefined, 2);
  try {
    assert.equal(prover.runsIn, "worker");
    const pool = prover.handle;
    assert.ok(pool instanceof WorkerPoolHandle);
    const single = LocalProver.create(mod, pk);
    assert.equal(prover.vkHash, single.vkHash, "the pool answers the key's vk hash");
    single.free();
    const secrets = [randomFieldElement(), randomFieldElement(), randomFieldElement(), randomFieldElement()];
    const proofs = await Promise.all(secrets.map((secret) => prover.prove({ receipt: receiptFor(secret, 1000), secret, public: publicFor(1000) })));
    proofs.forEach((p, i) => assert.equal(p.nullifier, toHex32(nullifierFor(secrets[i]!, programId))));
    assert.deepEqual(pool.answered, [2, 2], "four proofs at once: two per worker");

    const secret = secrets[0]!;
    const req = () => ({ receipt: receiptFor(secret, 1000), secret, public: publicFor(1000) });
    const [first, second] = [prover.prove(req()), prover.prove(req())];
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await terminateProverWorker(prover), true, "the first member killed");
    await assert.rejects(first, (e: unknown) => e instanceof ProverError && e.code === "PROVER_CRASHED");
    assert.equal((await second).nullifier, proofs[0]!.nullifier, "the other member's proof is answered");
    assert.equal((await prover.prove(req())).nullifier, proofs[0]!.nullifier, "the killed member is replaced");
  } finally {
    prover.free();
  }
  for (const n of [0, 1.5, 17]) {
    await assert.rejects(LocalProver.open(pk, undefined, n), (e: unknown) => e instanceof ProverError && e.code === "PROVER_LOAD_FAILED" && /proverWorkers/.test(e.message));
  }
  await assert.rejects(LocalProver.open(new Uint8Array([1, 2, 3]), undefined, 2), (e: unknown) => e instanceof ProverError && e.code === "PROVING_KEY_UNAVAILABLE");
});

test("worker thread: a key that is not a proving key is PROVING_KEY_UNAVAILABLE with the reason word; openCheckedProver without a loader proves in a worker", async () => {
  await assert.rejects(LocalProver.open(new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof ProverError && e.code === "PROVING_KEY_UNAVAILABLE" && e.reason === "invalid_proving_key");
  const chainHash = LocalProver.create(mod, pk);
  const hash = chainHash.vkHash;
  chainHash.free();
  const p = await openCheckedProver({ chainVkHash: hash, sources: { provingKey: pk } });
  try {
    assert.equal(p.runsIn, "worker");
    assert.equal(p.vkHash, hash);
  } finally {
    p.free();
  }
  await assert.rejects(openCheckedProver({ chainVkHash: "0x" + "00".repeat(32), sources: { provingKey: pk } }), (e: unknown) => e instanceof ProverError && e.code === "VK_HASH_MISMATCH");
});

test("proving key: not the chain's (vk hash ≠ Config.vk_hash) → VK_HASH_MISMATCH, not cached; the chain's → downloaded once, cached by vk hash; a tampered cache file is ignored", async () => {
  const chainHash = (() => {
    const p = LocalProver.create(mod, pk);
    const h = p.vkHash;
    p.free();
    return h;
  })();
  const server = await startJsonServer((_req, _body, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(Buffer.from(pk));
  });
  const cacheDir = join(mkdtempSync(join(tmpdir(), "x402-keys-")), "keys");
  const cache = new FileProvingKeyCache(cacheDir);
  const problems: string[] = [];
  const open = (hash: string) =>
    openCheckedProver({ chainVkHash: hash, sources: { offerProvingKeyUrl: server.url + "/v1/proving-key" }, cache, load: loadProverWasm, onCacheProblem: (m) => problems.push(m) });
  try {
    const other = "0x" + "00".repeat(31) + "01";
    await assert.rejects(open(other), (e: unknown) => e instanceof ProverError && e.code === "VK_HASH_MISMATCH" && e.message.includes(chainHash) && e.message.includes(other));
    assert.equal(await cache.get(other), undefined, "a refused key is not cached");
    assert.equal(await cache.get(chainHash), undefined);

    const p1 = await open(chainHash.toUpperCase().replace("0X", "0x"));
    assert.equal(p1.vkHash, chainHash);
    p1.free();
    assert.equal(server.requests.length, 2, "downloaded for each open so far (refused, then accepted)");
    assert.deepEqual(await cache.get(chainHash), pk, "cached under its vk hash");
    (await open(chainHash)).free();
    assert.equal(server.requests.length, 2, "the second open used the cache");

    // A cache file that is not the key (tampered, truncated): ignored, fetched again, rewritten.
    writeFileSync(cache.pathFor(chainHash), Buffer.from(pk.subarray(0, 1000)));
    (await open(chainHash)).free();
    assert.equal(server.requests.length, 3);
    assert.ok(problems.some((m) => /cached proving key/.test(m)), problems.join("; "));
    assert.deepEqual(await cache.get(chainHash), pk);

    // The key's own bytes given directly are checked the same way.
    await assert.rejects(openCheckedProver({ chainVkHash: other, sources: { provingKey: pk }, load: loadProverWasm }), (e: unknown) => e instanceof ProverError && e.code === "VK_HASH_MISMATCH");
    // No source at all: a typed error naming the options.
    await assert.rejects(openCheckedProver({ chainVkHash: chainHash, sources: {}, load: loadProverWasm }), (e: unknown) => e instanceof ProverError && e.code === "PROVING_KEY_UNAVAILABLE");
    // A source that is not a key.
    await assert.rejects(openCheckedProver({ chainVkHash: chainHash, sources: { provingKey: new Uint8Array([1, 2, 3]) }, load: loadProverWasm }), (e: unknown) => e instanceof ProverError && e.code === "PROVING_KEY_UNAVAILABLE" && e.reason === "invalid_proving_key");
  } finally {
    await server.close();
  }
});
