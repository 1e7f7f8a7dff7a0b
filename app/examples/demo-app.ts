/**
 * The demo resource server as a function: an express app with @x402/express `paymentMiddleware`
 * and the zk-receipt scheme, one paid route `GET /premium` and `GET /health`. Verification and
 * settlement go to our Rust facilitator. Used by `demo-server.ts` (one server from the
 * environment) and by the end-to-end suite (`test-e2e/servers.ts`, several servers with different
 * merchants, receipt ages and facilitators). With `slowMs`, a second paid route `GET /slow` whose
 * handler takes that long (the usual x402 case: an LLM call), for the replay tests; `GET /stats`
 * counts how often each paid handler ran.
 */
import express from "express";
import type { Network } from "@x402/core/types";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { NATIVE_SOL_ASSET, parseKey } from "../src/index";
import { ZK_RECEIPT_SCHEME } from "../src/zk-receipt/types";
import { registerZkReceiptServer, zkReceiptPrice } from "../src/zk-receipt/server";
import { createZkReceiptFacilitatorClient } from "../src/zk-receipt/facilitator";
import { SettlementJournal } from "../src/zk-receipt/journal";
import { FileJournalStore } from "../src/zk-receipt/journal-file";

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
  /** The merchant's resource salt (hex, ≥ 16 bytes). Default: `X402_RESOURCE_SALT`. */
  resourceSalt?: string;
  /** Adds `GET /slow`, a paid route whose handler takes this many ms. */
  slowMs?: number;
  /**
   * Directory of the durable settlement journal (`FileJournalStore`); default: in memory. With a
   * directory, a payment whose settle answer was lost is still served once after a restart.
   */
  journalDir?: string;
}

export function createDemoApp(o: DemoAppOptions): express.Express {
  const payTo = parseKey(o.payTo, "MERCHANT_PUBKEY").toBase58();
  const resourceServer = registerZkReceiptServer(
    new x402ResourceServer(
      createZkReceiptFacilitatorClient(o.facilitatorUrl, {
        timeoutMs: o.facilitatorTimeoutMs,
        journal: o.journalDir ? new SettlementJournal(new FileJournalStore(o.journalDir)) : undefined,
      }),
    ),
    {
      networks: [o.network],
      programId: o.programId,
      attester: o.attester,
      attesterUrl: o.attesterUrl,
      proverUrl: o.proverUrl,
      maxAge: o.maxAge,
      resourceSalt: o.resourceSalt,
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
  const accepts = {
    scheme: ZK_RECEIPT_SCHEME,
    network: o.network,
    payTo,
    price: zkReceiptPrice({ amount: o.minAmount, asset: o.asset ?? NATIVE_SOL_ASSET }),
    maxTimeoutSeconds: 300,
  };
  const routes: Record<string, { accepts: typeof accepts; description: string; mimeType: string }> = {
    "GET /premium": { accepts, description: "Premium content, paid privately with a zk-receipt", mimeType: "application/json" },
  };
  if (o.slowMs !== undefined) routes["GET /slow"] = { accepts, description: `A slow paid answer (${o.slowMs} ms)`, mimeType: "application/json" };
  app.use(paymentMiddleware(routes, resourceServer));
  const ran = { premium: 0, slow: 0 };
  app.get("/premium", (_req, res) => {
    ran.premium++;
    res.json({ content: "premium data", servedAt: new Date().toISOString() });
  });
  if (o.slowMs !== undefined) {
    const ms = o.slowMs;
    app.get("/slow", async (_req, res) => {
      ran.slow++;
      await new Promise((r) => setTimeout(r, ms));
      res.json({ content: "slow premium data", servedAt: new Date().toISOString() });
    });
  }
  app.get("/stats", (_req, res) => {
    res.json({ handlerRuns: ran });
  });
  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}
