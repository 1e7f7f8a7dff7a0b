/**
 * Demo resource server: express + @x402/express `paymentMiddleware` with the zk-receipt scheme,
 * one paid route `GET /premium` (see `demo-app.ts`). Verification and settlement go to our Rust
 * facilitator.
 *
 * Environment: PORT (4021), FACILITATOR_URL (http://127.0.0.1:8080), MERCHANT_PUBKEY (payTo),
 * MIN_PAYMENT_AMOUNT (base units, 1000), PAYMENT_ASSET (native SOL), X402_NETWORK
 * (solana:localnet), MAX_RECEIPT_AGE (600 s). PROGRAM_ID, ATTESTER_X/ATTESTER_Y, ATTESTER_URL,
 * PROVER_URL override what the facilitator advertises in GET /supported.
 */
import { networkFromEnv } from "../src/zk-receipt/types";
import { createDemoApp } from "./demo-app";

const env = process.env;
const port = Number(env.PORT ?? 4021);
const network = networkFromEnv(env);
const facilitatorUrl = env.FACILITATOR_URL ?? "http://127.0.0.1:8080";
const payTo = env.MERCHANT_PUBKEY ?? "";

const app = createDemoApp({
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

app.listen(port, "127.0.0.1", () => {
  console.log(`[server] listening on http://127.0.0.1:${port} (network ${network}, payTo ${payTo}, facilitator ${facilitatorUrl})`);
});
