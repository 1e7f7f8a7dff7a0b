#!/usr/bin/env node
// Bundles the browser demo (web/main.ts → web/dist/app.js) with esbuild for browsers. This build is
// also the check that the SDK's payer path needs no Node built-in: platform "browser" fails on any.
//
//   node web/build.mjs
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(fileURLToPath(import.meta.url));
let r;
try {
  r = await build({
    entryPoints: [join(web, "main.ts")],
    outfile: join(web, "dist", "app.js"),
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
const out = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith("app.js"));
console.log(`web/dist/app.js: ${Math.round(out[1].bytes / 1024)} KB`);
