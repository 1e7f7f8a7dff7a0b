/**
 * The demo resource server as a function: an express app with @x402/express `paymentMiddleware`
 * and the zk-receipt scheme, one paid route `GET /premium` and `GET /health`. Verification and
 * settlement go to our Rust facilitator. Used by `demo-server.ts` (one server from the
 * environment) and by the end-to-end suite (`test-e2e/servers.ts`, several servers with different
 * merchants, receipt ages and facilitators).
 */
import express from "express";
import type { Network } from "@x402/core/types";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { NATIVE_SOL_ASSET, parseKey } from "../src/index";
import { ZK_RECEIPT_SCHEME } from "../src/zk-receipt/types";
import { registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";
import { createZkReceiptFacilitatorClient } from "../src/zk-receipt/facilitator";

export interface DemoAppOptions {
  /** Log prefix, e.g. `server`. */
  name: string;
  network: Network;
  facilitatorUrl: string;
  /** Merchant (payTo), base58. */
  payTo: string;
  /** Price, base units. */
  minAmount: string;
  asset?: string;
  programId?: string;
  attester?: { x: string; y: string };
  attesterUrl?: string;
  proverUrl?: string;
  /** Oldest receipt accepted, seconds. */
  maxAge?: number;
  facilitatorTimeoutMs?: number;
}

export function createDemoApp(o: DemoAppOptions): express.Express {
  const payTo = parseKey(o.payTo, "MERCHANT_PUBKEY").toBase58();
  const resourceServer = registerZkReceiptServer(
    new x402ResourceServer(createZkReceiptFacilitatorClient(o.facilitatorUrl, { timeoutMs: o.facilitatorTimeoutMs })),
    {
      networks: [o.network],
      programId: o.programId,
      attester: o.attester,
      attesterUrl: o.attesterUrl,
      proverUrl: o.proverUrl,
      maxAge: o.maxAge,
    },
  );
  resourceServer.onAfterSettle(async (ctx) => {
    console.log(`[${o.name}] settled: ${JSON.stringify(ctx.result)}`);
  });

  const app = express();
  app.use((req, _res, next) => {
    console.log(`[${o.name}] ${req.method} ${req.originalUrl}${req.header("payment-signature") ? " (with payment)" : ""}`);
    next();
  });
  app.use(
    paymentMiddleware(
      {
        "GET /premium": {
          accepts: {
            scheme: ZK_RECEIPT_SCHEME,
            network: o.network,
            payTo,
            price: zkReceiptPrice({ amount: o.minAmount, asset: o.asset ?? NATIVE_SOL_ASSET }),
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
  return app;
}
