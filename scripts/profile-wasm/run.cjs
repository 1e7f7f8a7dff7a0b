// Samples where a WebAssembly receipt proof spends its time: loads the prover built WITH its name
// section (wasm-bindgen on the cargo output, not the shipped wasm-opt'd file), proves the committed
// dev vector once to warm up, then profiles RUNS proofs with the V8 sampling profiler and writes
// the profile (.cpuprofile JSON) to OUT.
//   node scripts/profile-wasm/run.cjs MODULE_JS PROVING_KEY VECTOR_JSON OUT [runs=5]
"use strict";
const fs = require("node:fs");
const inspector = require("node:inspector");
const [modPath, pkPath, vectorPath, out, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 5);
const { ReceiptProver } = require(modPath);
const prover = new ReceiptProver(new Uint8Array(fs.readFileSync(pkPath)));
const request = JSON.stringify(JSON.parse(fs.readFileSync(vectorPath, "utf8")).request);
prover.prove(request); // warm-up (not profiled)
const session = new inspector.Session();
session.connect();
const post = (method, params) =>
  new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))));
(async () => {
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 }); // µs
  await post("Profiler.start");
  const t = process.hrtime.bigint();
  for (let i = 0; i < RUNS; i++) prover.prove(request);
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const { profile } = await post("Profiler.stop");
  fs.writeFileSync(out, JSON.stringify({ runs: RUNS, wall_ms: wall, node: process.version, profile }));
  prover.free();
})().catch((e) => { console.error(e); process.exit(1); });
