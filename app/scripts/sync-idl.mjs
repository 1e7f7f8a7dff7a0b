#!/usr/bin/env node
// Copies the IDL and TypeScript types that `anchor build` writes into ../target/ into src/idl/,
// so the SDK builds without the Rust target directory. Commit the result.
//
//   node scripts/sync-idl.mjs            copy (fails if the target files are missing)
//   node scripts/sync-idl.mjs --check    exit 1 when src/idl/ differs from target/ (for CI)
import { readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = process.env.ANCHOR_TARGET_DIR ?? join(here, "..", "..", "target");
const out = join(here, "..", "src", "idl");
// The sources hash (scripts/lib.sh x402_idl_sources_hash, written by scripts/build.sh) says which program
// sources the IDL was built from: scripts/build.sh skips the IDL build while it still matches.
const files = [
  ["idl/x402_zk_verifier.json", "x402_zk_verifier.json"],
  ["types/x402_zk_verifier.ts", "x402_zk_verifier.ts"],
  ["idl/x402_zk_verifier.sources.sha256", "x402_zk_verifier.sources.sha256"],
];
const check = process.argv.includes("--check");
let differs = false;
mkdirSync(out, { recursive: true });
for (const [from, to] of files) {
  const src = join(target, from);
  if (!existsSync(src)) {
    console.error(`sync-idl: ${src} is missing; run scripts/build.sh first (it writes the sources hash too)`);
    process.exit(2);
  }
  const body = readFileSync(src, "utf8");
  const dst = join(out, to);
  const old = existsSync(dst) ? readFileSync(dst, "utf8") : null;
  if (old === body) continue;
  differs = true;
  if (check) {
    console.error(`sync-idl: ${dst} differs from ${src}; run \`npm run sync-idl\` in app/`);
  } else {
    writeFileSync(dst, body);
    console.log(`sync-idl: ${from} -> src/idl/${to}`);
  }
}
if (check && differs) process.exit(1);
if (!differs) console.log("sync-idl: src/idl is up to date");
