/**
 * Demo resource server: express + @x402/express `paymentMiddleware` with the zk-receipt scheme,
 * one paid route `GET /premium` (see `demo-app.ts`). Verification and settlement go to our Rust
 * facilitator.
 *
 * Environment: PORT (4021), FACILITATOR_URL (http://127.0.0.1:8403, the facilitator's default port),
 * MERCHANT_PUBKEY (payTo), X402_RESOURCE_SALT (required: the merchant's secret, ≥ 16 bytes hex, e.g.
 * `openssl rand -hex 32`), MIN_PAYMENT_AMOUNT (base units, 1000), PAYMENT_ASSET (native SOL),
 * X402_NETWORK (solana:localnet). PROGRAM_ID, ATTESTER_X/ATTESTER_Y, ATTESTER_URL, PROVER_URL,
 * MAX_RECEIPT_AGE (s) override what the facilitator advertises in GET /supported; what neither
 * provides makes the server exit at start-up with the reason.
 *
 * Also serves the browser demo at /web/ (web/serve.ts: in-browser proving, IndexedDB receipt wallet;
 * localnet only), paying through the validator at SOLANA_RPC_URL (http://127.0.0.1:8899).
 */
import { describe } from "../src/errors";
import { networkFromEnv } from "../src/zk-receipt/types";
import { createDemoApp } from "./demo-app";
import { mountWebDemo } from "../web/serve";

const env = process.env;
const port = Number(env.PORT ?? 4021);
const network = networkFromEnv(env);
const facilitatorUrl = env.FACILITATOR_URL ?? "http://127.0.0.1:8403";
const payTo = env.MERCHANT_PUBKEY ?? "";

let app: ReturnType<typeof createDemoApp>;
try {
  app = createDemoApp({
    name: "server",
    network,
    facilitatorUrl,
    payTo,
    minAmount: env.MIN_PAYMENT_AMOUNT ?? "1000",
    asset: env.PAYMENT_ASSET,
    programId: env.PROGRAM_ID,
    attester: env.ATTESTER_X && env.ATTESTER_Y ? { x: env.ATTESTER_X, y: env.ATTESTER_Y } : undefined,
    attesterUrl: env.ATTESTER_URL,
    proverUrl: env.PROVER_URL,
    maxAge: env.MAX_RECEIPT_AGE ? Number(env.MAX_RECEIPT_AGE) : undefined,
  });
} catch (e) {
  console.error(`[server] refusing to start: ${describe(e)}`);
  process.exit(1);
}

mountWebDemo(app, { rpcUrl: env.SOLANA_RPC_URL ?? "http://127.0.0.1:8899", network, maxPayment: env.MIN_PAYMENT_AMOUNT ?? "1000" });

app.listen(port, "127.0.0.1", () => {
  console.log(`[server] listening on http://127.0.0.1:${port} (network ${network}, payTo ${payTo}, facilitator ${facilitatorUrl})`);
});
