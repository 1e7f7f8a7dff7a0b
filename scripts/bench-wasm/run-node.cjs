// Times the WebAssembly receipt prover in Node (app/prover-wasm/node): module load, key parse,
// prove and verify of the committed dev vector. Prints one JSON object.
//   node scripts/bench-wasm/run-node.cjs PROVING_KEY VECTOR_JSON [runs=5]
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const [pkPath, vectorPath, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 5);
const ms = (x) => Math.round(x * 10) / 10;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

let t = performance.now();
const { ReceiptProver } = require(path.resolve(__dirname, "../../app/prover-wasm"));
const res = { runtime: `Node ${process.version}`, load_ms: ms(performance.now() - t) };
const pk = new Uint8Array(fs.readFileSync(pkPath));
const request = JSON.stringify(JSON.parse(fs.readFileSync(vectorPath, "utf8")).request);
t = performance.now();
const prover = new ReceiptProver(pk);
res.key_parse_ms = ms(performance.now() - t);
res.pk_bytes = pk.length;
prover.verify(prover.prove(request)); // warm-up
const prove = [], verify = [], cpu = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  const c0 = process.cpuUsage();
  const out = prover.prove(request);
  const c1 = process.cpuUsage(c0);
  prove.push(ms(performance.now() - t));
  cpu.push(ms((c1.user + c1.system) / 1000));
  t = performance.now();
  if (!prover.verify(out)) throw new Error("own proof does not verify");
  verify.push(ms(performance.now() - t));
}
Object.assign(res, { prove_ms: prove, prove_cpu_ms: cpu, verify_ms: verify,
  prove_median_ms: median(prove), prove_min_ms: Math.min(...prove), verify_median_ms: median(verify) });
prover.free();
console.log(JSON.stringify(res));
