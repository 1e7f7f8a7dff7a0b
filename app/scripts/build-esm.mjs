#!/usr/bin/env node
// The ES-module build of the SDK (dist/esm/*.mjs); `tsc -p tsconfig.json` writes the CommonJS one
// (dist/*.js + .d.ts). Entry points are read from package.json "exports": each subpath's "require"
// file dist/X.js is built from src/X.ts into its "import" file dist/esm/X.mjs. Node itself takes the
// CommonJS build for `import` too (condition "node" first): one copy of the SDK per Node process
// however it is loaded (no dual-package hazard: one X402ZkError class), and @anchor-lang/core, a
// CommonJS package in Node, keeps all its exports. Bundlers and browsers take the ES modules. One esbuild run with
// code splitting, so modules shared by several entry points exist once (one X402ZkError class, one
// receipt-wallet module). Dependencies (and Node built-ins, where a Node-only module such as the
// file receipt store uses them) stay imports: packages "external", platform "neutral". Whether the
// browser path is free of Node built-ins is checked by bundling the web demo for the browser
// (web/build.mjs), which fails on any.
//
//   node scripts/build-esm.mjs
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
const entryPoints = {};
for (const [sub, target] of Object.entries(pkg.exports)) {
  if (typeof target === "string") continue; // plain files (the IDL JSON)
  const m = /^\.\/dist\/(.+)\.js$/.exec(target.require ?? "");
  if (!m || target.import !== `./dist/esm/${m[1]}.mjs` || target.node !== target.require) {
    throw new Error(`package.json exports["${sub}"]: expected {types, node: ./dist/X.js, import: ./dist/esm/X.mjs, require: ./dist/X.js}`);
  }
  entryPoints[m[1]] = join(app, "src", `${m[1]}.ts`);
}
rmSync(join(app, "dist", "esm"), { recursive: true, force: true });
await build({
  entryPoints,
  outdir: join(app, "dist", "esm"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  packages: "external",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
});
console.log(`dist/esm: ${Object.keys(entryPoints).join(", ")}`);
