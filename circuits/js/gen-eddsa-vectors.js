// Generates EdDSA-Poseidon test vectors with circomlibjs (the independent implementation).
// Usage: node gen-eddsa-vectors.js <out.json>   (run `npm ci` in circuits/js first)
// The Rust test circuits/tests/circomlibjs_vectors.rs checks them natively and in-circuit.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const { buildEddsa, buildPoseidon } = require("circomlibjs");

async function main() {
  const out = process.argv[2] || "../tests/vectors/eddsa-circomlibjs.json";
  const eddsa = await buildEddsa();
  const poseidon = await buildPoseidon();
  const F = eddsa.babyJub.F;
  const r = BigInt("21888242871839275222246405745257275088548364400416034343698204186575808495617");
  const vectors = [];
  for (let i = 0; i < 8; i++) {
    const prv = crypto.createHash("sha256").update(`x402-zk eddsa vector ${i}`).digest();
    const pub = eddsa.prv2pub(prv);
    let msgInt;
    if (i === 0) msgInt = 0n;
    else if (i === 1) msgInt = r - 1n;
    else {
      // a receipt message M = Poseidon(payTo_hi, payTo_lo, asset_hi, asset_lo, amount, paidAt, C)
      const h = crypto.createHash("sha256").update(`msg ${i}`).digest("hex");
      msgInt = BigInt("0x" + h) % r;
    }
    const msg = F.e(msgInt);
    const sig = eddsa.signPoseidon(prv, msg);
    if (!eddsa.verifyPoseidon(msg, sig, pub)) throw new Error("circomlibjs rejected its own signature");
    vectors.push({
      privateKey: prv.toString("hex"),
      Ax: F.toObject(pub[0]).toString(),
      Ay: F.toObject(pub[1]).toString(),
      msg: msgInt.toString(),
      R8x: F.toObject(sig.R8[0]).toString(),
      R8y: F.toObject(sig.R8[1]).toString(),
      S: sig.S.toString(),
    });
  }
  // Poseidon cross-check for the 7-input receipt message and the 12-input public hash.
  const poseidonVectors = [];
  for (const n of [1, 2, 5, 7, 12]) {
    const inputs = [];
    for (let j = 0; j < n; j++) inputs.push((BigInt(1000 * n + j) * 7919n) % r);
    poseidonVectors.push({ inputs: inputs.map(String), output: poseidon.F.toObject(poseidon(inputs)).toString() });
  }
  const doc = {
    generator: "circuits/js/gen-eddsa-vectors.js (circomlibjs 0.1.7)",
    eddsa: vectors,
    poseidon: poseidonVectors,
  };
  fs.mkdirSync(require("path").dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(doc, null, 2) + "\n");
  console.log(`wrote ${vectors.length} eddsa and ${poseidonVectors.length} poseidon vectors to ${out}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
