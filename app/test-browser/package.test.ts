/**
 * The SDK as a package: every "exports" entry loads through `require` and `import` in Node (both the
 * CommonJS build, condition "node": one copy per process), and its ES-module build (dist/esm, what
 * bundlers and browsers take) bundles for the browser with no Node built-in. Needs `npm run build`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { APP } from "./harness";

const pkg = JSON.parse(readFileSync(join(APP, "package.json"), "utf8")) as { name: string; exports: Record<string, string | Record<string, string>> };
const entries = Object.entries(pkg.exports).filter((e): e is [string, Record<string, string>] => typeof e[1] !== "string");

test("every exports entry loads with require and with import, and both give the same module", async () => {
  for (const [sub, t] of entries) {
    const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
    for (const f of [t.types, t.require, t.import]) assert.ok(existsSync(join(APP, f!)), `${spec}: ${f} built`);
    const viaRequire = require(spec) as Record<string, unknown>;
    const viaImport = (await import(spec)) as Record<string, unknown>;
    const names = Object.keys(viaRequire).filter((k) => k !== "__esModule" && k !== "default").sort();
    assert.ok(names.length > 0, spec);
    for (const n of names) assert.equal(viaImport[n], viaRequire[n], `${spec}: ${n} is the same object either way`);
  }
});

test("the ES-module build bundles for the browser (no Node built-in on the payer path)", async () => {
  const browserEntries = ["index", "zk-receipt/client", "zk-receipt/fetch", "browser"].filter((e) => existsSync(join(APP, "dist", "esm", `${e}.mjs`)));
  assert.ok(browserEntries.includes("zk-receipt/client"));
  const r = await build({
    stdin: { contents: browserEntries.map((e, i) => `export * as m${i} from "./dist/esm/${e}.mjs";`).join("\n"), resolveDir: APP, loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    logLevel: "silent",
  });
  assert.equal(r.errors.length, 0);
  assert.ok(r.outputFiles[0]!.text.length > 0);
});

test("every SDK module a browser payer loads imports Buffer from \"buffer\" when it uses it (browsers have no global Buffer)", async () => {
  // The modules on the payer's path: what esbuild pulls in for the client, fetch and browser entries.
  const r = await build({
    stdin: {
      contents: ['export * from "./src/zk-receipt/client";', 'export * from "./src/zk-receipt/fetch";', 'export * from "./src/browser";', 'export * from "./src/index";'].join("\n"),
      resolveDir: APP,
      loader: "ts",
    },
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "browser",
    packages: "external",
    logLevel: "silent",
  });
  const ours = Object.keys(r.metafile!.inputs).filter((f) => f.startsWith("src/") && f.endsWith(".ts"));
  assert.ok(ours.includes("src/zk-receipt/client.ts") && ours.includes("src/encoding.ts"), ours.join(", "));
  const offenders = ours.filter((f) => {
    const code = readFileSync(join(APP, f), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    return /\bBuffer\s*[.(]/.test(code) && !/import\s*\{[^}]*\bBuffer\b[^}]*\}\s*from\s*"buffer"/.test(code);
  });
  assert.deepEqual(offenders, [], "use `import { Buffer } from \"buffer\"` in these");
});
