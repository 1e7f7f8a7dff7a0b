/**
 * The end-to-end suite's resource servers: one Node process, several real @x402/express servers
 * (`createDemoApp`) on their own ports, each with its own merchant, receipt age and facilitator.
 *
 * Environment: E2E_SERVERS = JSON array of
 *   {name, port, facilitatorUrl, payTo, minAmount, maxAge?, attesterUrl?, proverUrl?, slowMs?, …}
 * (`DemoAppOptions`), X402_RESOURCE_SALT (the merchants' salt) and X402_NETWORK (solana:localnet).
 * Every server also sells `GET /slow`, whose handler takes `slowMs` (default 2000 ms), for the replay
 * tests. Prints `[name] listening on …` per server.
 */
import { networkFromEnv } from "../src/zk-receipt/types";
import { createDemoApp, type DemoAppOptions } from "../examples/demo-app";

type ServerSpec = Omit<DemoAppOptions, "network"> & { port: number };

const specs = JSON.parse(process.env.E2E_SERVERS ?? "[]") as ServerSpec[];
if (specs.length === 0) throw new Error("E2E_SERVERS: no servers configured");
const network = networkFromEnv(process.env);
for (const s of specs) {
  createDemoApp({ slowMs: 2_000, ...s, network }).listen(s.port, "127.0.0.1", () => {
    console.log(`[${s.name}] listening on http://127.0.0.1:${s.port} (payTo ${s.payTo}, maxAge ${s.maxAge ?? "default"}, facilitator ${s.facilitatorUrl})`);
  });
}
