/**
 * Serves the browser demo from an express app (examples/demo-server.ts): the page (web/index.html),
 * its bundle (web/dist/, `npm run build:web`), the WebAssembly prover's web build
 * (prover-wasm/web/, scripts/build-wasm.sh) and GET /web/config.json (RPC URL, network, paid path).
 *
 * The page holds a payer key and a receipt wallet, so it is served with a strict
 * Content-Security-Policy: scripts only from this origin (plus `wasm-unsafe-eval` to compile the
 * prover), connections only to this origin and loopback (the local validator and attester).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import express from "express";

const APP_DIR = [join(__dirname, ".."), join(__dirname, "..", "..")].find((d) => existsSync(join(d, "web", "index.html"))) ?? join(__dirname, "..");
const WEB_DIR = join(APP_DIR, "web");
const PROVER_PKG = join(APP_DIR, "prover-wasm");

export interface WebDemoOptions {
  /** The validator's JSON-RPC URL as the browser reaches it. */
  rpcUrl: string;
  network: string;
  /** The paid route the page buys (default `/premium`). */
  resourcePath?: string;
  /** Most base units the page pays per request. */
  maxPayment: string;
}

/** The web entry of @x402-zk/prover-wasm (its package.json "browser"/"module"), when built. */
export function proverWebEntry(pkgDir = PROVER_PKG): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { browser?: unknown; module?: unknown };
    const rel = typeof pkg.browser === "string" ? pkg.browser : typeof pkg.module === "string" ? pkg.module : undefined;
    return rel && existsSync(join(pkgDir, rel)) ? join(pkgDir, rel) : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(url: string): boolean {
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self' http://127.0.0.1:* http://localhost:*",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Adds GET /, /web/**, /web/prover/** and /web/config.json to `app`. */
export function mountWebDemo(app: express.Express, o: WebDemoOptions): void {
  const entry = proverWebEntry();
  const security: express.RequestHandler = (_req, res, next) => {
    res.setHeader("content-security-policy", CSP);
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    next();
  };
  app.get("/", (_req, res) => res.redirect(302, "/web/"));
  app.get("/web/config.json", security, (_req, res) => {
    res.setHeader("cache-control", "no-store");
    res.json({
      rpcUrl: o.rpcUrl,
      network: o.network,
      resourcePath: o.resourcePath ?? "/premium",
      proverModuleUrl: entry ? `/web/prover/${basename(entry)}` : null,
      localnet: isLoopback(o.rpcUrl),
      maxPayment: o.maxPayment,
    });
  });
  if (entry) app.use("/web/prover", security, express.static(dirname(entry), { index: false, fallthrough: false }));
  app.use("/web/dist", security, express.static(join(WEB_DIR, "dist"), { index: false, fallthrough: false }));
  app.get(["/web", "/web/", "/web/index.html"], security, (_req, res) => {
    res.setHeader("cache-control", "no-store");
    // `root` + a relative name: send() refuses ("ignore"s) a path with a dot-directory in it, and an
    // absolute path includes the checkout's own (a clone under ~/.cache/… answered 404 here).
    res.sendFile("index.html", { root: WEB_DIR });
  });
}
