#!/usr/bin/env node
// Bundles the browser demo with esbuild for browsers: the page (web/main.ts → web/dist/app.js) and
// the module Web Worker running the x402 client and the proof (web/worker.ts → web/dist/worker.js).
// This build is also the check that the SDK's payer path needs no Node built-in: platform "browser"
// fails on any.
//
//   node web/build.mjs
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(fileURLToPath(import.meta.url));
let r;
try {
  r = await build({
    entryPoints: { app: join(web, "main.ts"), worker: join(web, "worker.ts") },
    outdir: join(web, "dist"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    minify: true,
    metafile: true,
    logLevel: "error", // esbuild prints each error with its location
  });
} catch {
  process.exit(1);
}
for (const name of ["app.js", "worker.js"]) {
  const out = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith(`dist/${name}`));
  console.log(`web/dist/${name}: ${Math.round(out[1].bytes / 1024)} KB`);
}
