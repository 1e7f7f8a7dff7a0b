// Times the WebAssembly receipt prover in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; downloads no browser). Serves WWW (a directory with index.html, web/,
// receipt.pk, vector.json) on 127.0.0.1 with a bounded `python3 -m http.server`. Prints one JSON object.
//   node scripts/bench-wasm/run-chromium.cjs WWW [runs=5] [port=8767]
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");
const ROOT = path.resolve(__dirname, "../..");
const { chromium } = require(require.resolve("playwright-core", { paths: [ROOT, path.join(ROOT, "app")] }));
const [www, runsArg, portArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 5), PORT = Number(portArg || 8767);
const exe = process.env.CHROMIUM || "/usr/bin/chromium";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  // `timeout` bounds the server even if this script dies.
  const srv = spawn("timeout", ["900", "python3", "-m", "http.server", String(PORT), "--bind", "127.0.0.1", "--directory", www],
    { stdio: ["ignore", "ignore", "ignore"] });
  let browser, code = 1;
  try {
    for (let i = 0; i < 100; i++) { try { await fetch(`http://127.0.0.1:${PORT}/index.html`); break; } catch { await sleep(100); } }
    browser = await chromium.launch({ executablePath: exe, headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") console.error("[page]", m.text()); });
    await page.goto(`http://127.0.0.1:${PORT}/index.html?runs=${RUNS}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 600000, polling: 500 });
    const res = await page.evaluate(() => window.__result);
    res.runtime = `Chromium ${browser.version()} headless`;
    console.log(JSON.stringify(res));
    code = res.error ? 1 : 0;
  } catch (e) {
    console.error(e);
  } finally {
    if (browser) await browser.close();
    srv.kill("SIGTERM");
  }
  process.exit(code);
})();
