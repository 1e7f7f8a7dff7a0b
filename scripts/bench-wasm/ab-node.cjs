// Interleaved A/B of two builds of the WebAssembly receipt prover in one Node process: rounds of
// `runs` proofs with each build, the order swapped every round (this host's speed drifts within
// minutes, so only figures taken side by side compare). Prints one JSON object: per build the median
// of its round medians and its fastest proof, and the per-round ratio B/A.
//   node scripts/bench-wasm/ab-node.cjs PROVING_KEY VECTOR_JSON ROUNDS RUNS PKG_A PKG_B
// PKG_*: a copy of app/prover-wasm (scripts/ab-wasm.sh saves and compares them).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const [pkPath, vectorPath, roundsArg, runsArg, pkgA, pkgB] = process.argv.slice(2);
if (!pkgB) throw new Error("usage: ab-node.cjs PROVING_KEY VECTOR_JSON ROUNDS RUNS PKG_A PKG_B");
const ROUNDS = Number(roundsArg), RUNS = Number(runsArg);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pk = new Uint8Array(fs.readFileSync(pkPath));
const request = JSON.stringify(JSON.parse(fs.readFileSync(vectorPath, "utf8")).request);
const builds = [pkgA, pkgB].map((dir) => {
  const { ReceiptProver } = require(path.resolve(dir));
  const prover = new ReceiptProver(pk);
  if (!prover.verify(prover.prove(request))) throw new Error(`${dir}: own proof does not verify`);
  return { dir, prover, medians: [], all: [] };
});
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0];
  const med = [];
  for (const i of order) {
    const times = [];
    for (let k = 0; k < RUNS; k++) {
      const t = performance.now();
      builds[i].prover.prove(request);
      times.push(performance.now() - t);
    }
    med[i] = median(times);
    builds[i].medians.push(med[i]);
    builds[i].all.push(...times);
  }
  ratios.push(med[1] / med[0]);
  process.stderr.write(`round ${r + 1}/${ROUNDS}: A ${med[0].toFixed(0)} ms, B ${med[1].toFixed(0)} ms, B/A ${(med[1] / med[0]).toFixed(3)}\n`);
}
const round1 = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({
  runtime: `Node ${process.version}`, rounds: ROUNDS, runs: RUNS,
  a: { dir: pkgA, median_ms: round1(median(builds[0].medians)), min_ms: round1(Math.min(...builds[0].all)) },
  b: { dir: pkgB, median_ms: round1(median(builds[1].medians)), min_ms: round1(Math.min(...builds[1].all)) },
  ratio_b_over_a: Math.round(median(ratios) * 1000) / 1000,
  ratios: ratios.map((q) => Math.round(q * 1000) / 1000),
}));
