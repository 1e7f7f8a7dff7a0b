/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or $CHROMIUM) driven by
 * playwright-core (which downloads no browser), pages bundled with esbuild for the browser and
 * served from 127.0.0.1 (IndexedDB needs a real origin). Everything here is bounded: launches,
 * navigations and waits have timeouts, and each test closes what it opened.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from "playwright-core";

export const APP = join(__dirname, "..", "..");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const LAUNCH_TIMEOUT_MS = 60_000;

/** Launch options: headless, and `--no-sandbox` when running as root (Chromium refuses otherwise). */
export function launchOptions(): LaunchOptions {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return { executablePath: CHROMIUM, headless: true, timeout: LAUNCH_TIMEOUT_MS, args: root ? ["--no-sandbox"] : [] };
}

export function launch(): Promise<Browser> {
  return chromium.launch(launchOptions());
}

/** A browser with a profile on disk (`userDataDir`): what a real browser keeps across restarts. */
export function launchPersistent(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, launchOptions());
}

/**
 * PIDs of the Chromium processes this Node process started with `userDataDir` (its direct children
 * whose command line names the profile), for a test that kills its own browser.
 */
export function ownBrowserPids(userDataDir: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, "utf8").includes(userDataDir)) pids.push(Number(d));
    } catch {
      // the process exited meanwhile
    }
  }
  return pids;
}

/** Bundles a TypeScript page module for the browser (ES module, Node built-ins refused). */
export async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `files` (path → body, content type) on 127.0.0.1, an ephemeral port unless `port` is given. */
export function serveFiles(files: Record<string, { body: string | Uint8Array; type: string }>, port = 0): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const f = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!f) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": f.type, "cache-control": "no-store" }).end(f.body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const addr = server.address();
      const p = typeof addr === "object" && addr ? addr.port : port;
      resolve({
        url: `http://127.0.0.1:${p}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** An HTML page that loads `/page.js` as a module and sets `window.__ready` when it ran. */
export const MODULE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>test</title></head>
<body><script type="module" src="/page.js"></script></body></html>`;

/** "N vCPU, <CPU model>" of this machine, for measured figures. */
export function machine(): string {
  try {
    const cpu = /Model name:\s*(.+)/.exec(execFileSync("lscpu", { encoding: "utf8" }))?.[1]?.trim();
    return `${execFileSync("nproc", { encoding: "utf8" }).trim()} vCPU, ${cpu ?? "unknown CPU"}`;
  } catch {
    return "unknown";
  }
}
