/**
 * Demo resource server: express + @x402/express `paymentMiddleware` with the zk-receipt scheme,
 * one paid route `GET /premium`. Verification and settlement go to our Rust facilitator.
 *
 * Environment: PORT (4021), FACILITATOR_URL (http://127.0.0.1:8080), MERCHANT_PUBKEY (payTo),
 * MIN_PAYMENT_AMOUNT (base units, 1000), PAYMENT_ASSET (native SOL), X402_NETWORK
 * (solana:localnet), MAX_RECEIPT_AGE (600 s). PROGRAM_ID, ATTESTER_X/ATTESTER_Y, ATTESTER_URL,
 * PROVER_URL override what the facilitator advertises in GET /supported.
 */
import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { NATIVE_SOL_ASSET, parseKey } from "../src/index";
import { ZK_RECEIPT_SCHEME, networkFromEnv } from "../src/zk-receipt/types";
import { registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";
import { createZkReceiptFacilitatorClient } from "../src/zk-receipt/facilitator";

const env = process.env;
const port = Number(env.PORT ?? 4021);
const network = networkFromEnv(env);
const payTo = parseKey(env.MERCHANT_PUBKEY ?? "", "MERCHANT_PUBKEY").toBase58();
const facilitatorUrl = env.FACILITATOR_URL ?? "http://127.0.0.1:8080";

const resourceServer = registerZkReceiptServer(new x402ResourceServer(createZkReceiptFacilitatorClient(facilitatorUrl)), {
  networks: [network],
  programId: env.PROGRAM_ID,
  attester: env.ATTESTER_X && env.ATTESTER_Y ? { x: env.ATTESTER_X, y: env.ATTESTER_Y } : undefined,
  attesterUrl: env.ATTESTER_URL,
  proverUrl: env.PROVER_URL,
  maxAge: env.MAX_RECEIPT_AGE ? Number(env.MAX_RECEIPT_AGE) : undefined,
});
resourceServer.onAfterSettle(async (ctx) => {
  console.log(`[server] settled: ${JSON.stringify(ctx.result)}`);
});

const app = express();
app.use((req, _res, next) => {
  console.log(`[server] ${req.method} ${req.originalUrl}${req.header("payment-signature") ? " (with payment)" : ""}`);
  next();
});
app.use(
  paymentMiddleware(
    {
      "GET /premium": {
        accepts: {
          scheme: ZK_RECEIPT_SCHEME,
          network,
          payTo,
          price: zkReceiptPrice({ amount: env.MIN_PAYMENT_AMOUNT ?? "1000", asset: env.PAYMENT_ASSET ?? NATIVE_SOL_ASSET }),
          maxTimeoutSeconds: 300,
        },
        description: "Premium content, paid privately with a zk-receipt",
        mimeType: "application/json",
      },
    },
    resourceServer,
  ),
);
app.get("/premium", (_req, res) => {
  res.json({ content: "premium data", servedAt: new Date().toISOString() });
});
app.get("/health", (_req, res) => {
  res.json({ ok: true });
});

app.listen(port, "127.0.0.1", () => {
  console.log(`[server] listening on http://127.0.0.1:${port} (network ${network}, payTo ${payTo}, facilitator ${facilitatorUrl})`);
});
