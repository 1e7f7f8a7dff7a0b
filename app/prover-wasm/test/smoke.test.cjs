// Node smoke test of @x402-zk/prover-wasm (the node/ CommonJS build of circuits/wasm):
//   node --test app/prover-wasm/test/        (after scripts/build-wasm.sh and a native build of x402-zk)
// Proves the committed vector circuits/wasm/tests/vectors/dev-request.json (written by the crate's
// Rust test from the circuits crate's example witness) with the deterministic dev proving key that
// the native CLI writes (`x402-zk keys dev-setup --deterministic`), verifies it, and checks that
// vkHash() equals the native SolanaVk::sha256 recorded in the vector.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "../../..");
const { ReceiptProver } = require("..");
const vector = JSON.parse(fs.readFileSync(path.join(ROOT, "circuits/wasm/tests/vectors/dev-request.json"), "utf8"));

/**
 * receipt.pk of the deterministic dev keys, made by the native CLI once per circuit: the cache directory
 * (target/wasm/dev-keys-<vk hash>) is named after the committed dev key's hash, so a circuit change never
 * reuses keys of the old one (the build cache outlives checkouts).
 */
function devProvingKey() {
  const vkHash = fs.readFileSync(path.join(ROOT, "keys/dev/solana_vk.sha256"), "utf8").trim().replace(/^0x/, "");
  const dir = path.join(ROOT, `target/wasm/dev-keys-${vkHash.slice(0, 16)}`);
  const pk = path.join(dir, "receipt.pk");
  if (!fs.existsSync(pk)) {
    const cli = process.env.X402_ZK_CLI || path.join(ROOT, "target/debug/x402-zk");
    if (!fs.existsSync(cli)) throw new Error(`${cli} missing: build it (cargo build --workspace --tests) or set X402_ZK_CLI`);
    execFileSync(cli, ["keys", "dev-setup", "--deterministic", "--out", dir], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return new Uint8Array(fs.readFileSync(pk));
}

const prover = new ReceiptProver(devProvingKey());
const request = JSON.stringify(vector.request);

test("vkHash is the native SolanaVk::sha256 (on-chain Config.vk_hash)", () => {
  assert.match(prover.vkHash(), /^0x[0-9a-f]{64}$/);
  assert.equal(prover.vkHash(), vector.vkHash);
});

test("proves a valid request and verifies the proof", () => {
  const out = JSON.parse(prover.prove(request));
  assert.equal(out.proofEncoding, "base64");
  assert.equal(Buffer.from(out.proof, "base64").length, 256);
  assert.equal(out.publicInputs.length, 1);
  assert.match(out.nullifier, /^0x[0-9a-f]{64}$/);
  assert.equal(out.now, Number(vector.request.public.now));
  assert.equal(out.snarkjs.publicSignals.length, 1);
  assert.equal(prover.verify(JSON.stringify(out)), true);
  // A flipped byte of C: the proof no longer verifies.
  const bad = Buffer.from(out.proof, "base64");
  bad[255] ^= 1;
  assert.equal(prover.verify(JSON.stringify({ ...out, proof: bad.toString("base64") })), false);
  // Two proofs of the same request: fresh randomness, same public input and nullifier.
  const again = JSON.parse(prover.prove(request));
  assert.notEqual(again.proof, out.proof);
  assert.deepEqual([again.publicInputs, again.nullifier], [out.publicInputs, out.nullifier]);
});

test("a bad request throws an Error that starts with a reason and holds no secret", () => {
  const secret = vector.request.secret;
  const cases = [
    [{ ...vector.request, receipt: { ...vector.request.receipt, amount: vector.request.receipt.amount + 1 } }, "invalid_signature"],
    [{ ...vector.request, public: { ...vector.request.public, minAmount: vector.request.receipt.amount + 1 } }, "amount_below_minimum"],
    [{ ...vector.request, secret: "21888242871839275222246405745257275088548364400416034343698204186575808495617" }, "value_not_in_field"],
    [{ ...vector.request, secret: Number(secret.slice(0, 15)) }, "malformed_request"],
  ];
  for (const [req, reason] of cases) {
    assert.throws(() => prover.prove(JSON.stringify(req)), (e) => {
      assert.ok(e instanceof Error, String(e));
      assert.ok(e.message.startsWith(`${reason}: `), e.message);
      assert.ok(!e.message.includes(secret.slice(0, 12)), `secret in message: ${e.message}`);
      return true;
    });
  }
  assert.throws(() => prover.prove("{"), /^Error: malformed_request: /);
});

test("a bad proving key throws invalid_proving_key", () => {
  const pk = devProvingKey();
  assert.throws(() => new ReceiptProver(pk.subarray(0, 1000)), /^Error: invalid_proving_key: /);
});
