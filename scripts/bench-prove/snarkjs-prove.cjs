// snarkjs 0.7.x Groth16 proving time for a precomputed witness (no witness calculation): the zkey and
// the .wtns are read into memory once, then `groth16.prove` runs `runs` times after one warm-up.
// The first proof is verified with the zkey's own verifying key, so a broken setup is not timed.
//   node scripts/bench-prove/snarkjs-prove.cjs ZKEY WTNS RUNS  → JSON on stdout
"use strict";
const fs = require("fs");
const path = require("path");
const { performance } = require("perf_hooks");

const root = path.resolve(__dirname, "../..");
const pkgDir = path.join(root, "circuits/js/node_modules/snarkjs");
const snarkjs = require(pkgDir);

async function main() {
  const [zkeyPath, wtnsPath, runsArg] = process.argv.slice(2);
  if (!zkeyPath || !wtnsPath) throw new Error("usage: snarkjs-prove.cjs ZKEY WTNS [RUNS]");
  const runs = Number(runsArg || 5);
  const zkey = { type: "mem", data: new Uint8Array(fs.readFileSync(zkeyPath)) };
  const wtns = { type: "mem", data: new Uint8Array(fs.readFileSync(wtnsPath)) };
  const first = await snarkjs.groth16.prove(zkey, wtns);
  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  if (!(await snarkjs.groth16.verify(vk, first.publicSignals, first.proof))) {
    throw new Error("snarkjs did not verify its own proof: the zkey or the witness is wrong");
  }
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await snarkjs.groth16.prove(zkey, wtns);
    ms.push(performance.now() - t);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
  process.stdout.write(
    JSON.stringify({
      runtime: `Node ${process.version}`,
      snarkjs: version,
      runs,
      prove_ms: ms.map((x) => Math.round(x * 10) / 10),
      median_ms: Math.round(sorted[Math.floor(runs / 2)] * 10) / 10,
      min_ms: Math.round(sorted[0] * 10) / 10,
      public_signals: first.publicSignals,
    }) + "\n",
  );
}

main().then(
  () => process.exit(0), // snarkjs keeps its worker threads alive
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  },
);
