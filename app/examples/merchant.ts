// examples/merchant.ts — a paid API with the zk-receipt scheme; app/README.md ("Merchant set-up") shows exactly this file.
// Env: FACILITATOR_URL, MERCHANT_PUBKEY, X402_RESOURCE_SALT (required); PRICE (base units, default 1000000), PORT (4021), X402_NETWORK.
import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { networkFromEnv } from "../src/index";
import { createZkReceiptFacilitatorClient, zkReceiptOverload } from "../src/zk-receipt/facilitator";
import { registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";

const network = networkFromEnv(); // X402_NETWORK, default solana:localnet: must match the facilitator's
const facilitator = createZkReceiptFacilitatorClient(process.env.FACILITATOR_URL ?? "http://127.0.0.1:8403");
// The salt comes from X402_RESOURCE_SALT; programId, attester, attesterUrl, maxAge (and provingKeyUrl) from the
// facilitator's GET /supported. Without them the process exits at start-up, saying what is missing.
const server = registerZkReceiptServer(new x402ResourceServer(facilitator), { networks: [network] });

const app = express();
app.use(zkReceiptOverload()); // a facilitator at its admission limit: 503 + Retry-After to the payer, not 502
app.use(
  paymentMiddleware(
    {
      "GET /premium": {
        accepts: {
          scheme: "zk-receipt",
          network,
          payTo: process.env.MERCHANT_PUBKEY!,
          price: zkReceiptPrice({ amount: process.env.PRICE ?? "1000000" }), // lamports of native SOL
          maxTimeoutSeconds: 300,
        },
        description: "Premium content, paid privately",
      },
    },
    server,
  ),
);
app.get("/premium", (_req, res) => {
  res.json({ content: "premium data" });
});
app.get("/health", (_req, res) => {
  res.json({ ok: true });
});
app.listen(Number(process.env.PORT ?? 4021), "127.0.0.1");
