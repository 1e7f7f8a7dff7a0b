/**
 * Resource-server role of the `zk-receipt` scheme, for `x402ResourceServer` / `@x402/express`.
 *
 * The offer binds the request: `extra.resourceHash` = H(`METHOD\nURL\npayTo\nasset\namount`).
 * The HTTP layer knows the method and URL, the scheme does not, so routes price with
 * {@link zkReceiptPrice}, a dynamic price that hands the binding to
 * {@link ZkReceiptServerScheme.enhancePaymentRequirements} (through a private `extra` key that is
 * removed again). A paid retry to the same URL rebuilds the same requirements, so x402 core's
 * requirement matching rejects a payload made for another resource.
 */
import type { x402ResourceServer } from "@x402/core/server";
import type { AssetAmount, Network, PaymentRequirements, Price, SchemeNetworkServer, SupportedKind } from "@x402/core/types";
import { ConfigError } from "../errors";
import { NATIVE_SOL_ASSET, parseFieldElement, parseKey, parseU64, resourceHashHex } from "../encoding";
import { ZK_RECEIPT_SCHEME, parseZkReceiptExtra } from "./types";

/** Private `extra` key carrying `{method, url}` from {@link zkReceiptPrice} to the scheme. */
export const BINDING_EXTRA_KEY = "__zkReceiptBinding";

export interface ZkReceiptServerConfig {
  /** Verifier program id. Default: `supportedKind.extra.programId` from the facilitator. */
  programId?: string;
  /** Attester key. Default: from the facilitator's `/supported`. */
  attester?: { x: string; y: string };
  /** Attester base URL. Default: from the facilitator's `/supported`. */
  attesterUrl?: string;
  /** Prover base URL. Default: from the facilitator's `/supported`. */
  proverUrl?: string;
  /** Oldest receipt accepted, seconds (default 600). */
  maxAge?: number;
  /** Asset for plain numeric prices (default native SOL). */
  defaultAsset?: string;
}

/** The minimal request context {@link zkReceiptPrice} needs (what @x402/core passes: HTTPRequestContext). */
interface BindingContext {
  method?: string;
  adapter: { getMethod(): string; getUrl(): string };
}

/**
 * A route price for the zk-receipt scheme: `amount` base units of `asset` (default native SOL),
 * bound to the request's method and URL. Use as `accepts.price` in `@x402/express` routes.
 */
export function zkReceiptPrice(p: { amount: string | bigint | number; asset?: string }): (ctx: BindingContext) => AssetAmount {
  const amount = parseU64(typeof p.amount === "number" ? BigInt(p.amount) : p.amount, "price.amount").toString();
  const asset = p.asset ?? NATIVE_SOL_ASSET;
  parseKey(asset, "price.asset");
  return (ctx) => ({
    amount,
    asset,
    extra: { [BINDING_EXTRA_KEY]: { method: (ctx.method ?? ctx.adapter.getMethod()).toUpperCase(), url: ctx.adapter.getUrl() } },
  });
}

export class ZkReceiptServerScheme implements SchemeNetworkServer {
  readonly scheme = ZK_RECEIPT_SCHEME;
  readonly defaultAssetTransferMethod = "default";
  /** Verify before the handler, settle (burn the nullifier) after it. */
  readonly paymentFlows = { default: { supported: ["authorization"] as const, default: "authorization" as const } };
  private readonly cfg: ZkReceiptServerConfig;

  constructor(cfg: ZkReceiptServerConfig = {}) {
    if (cfg.programId) parseKey(cfg.programId, "programId");
    if (cfg.attester) {
      parseFieldElement(cfg.attester.x, "attester.x");
      parseFieldElement(cfg.attester.y, "attester.y");
    }
    if (cfg.defaultAsset) parseKey(cfg.defaultAsset, "defaultAsset");
    this.cfg = cfg;
  }

  /**
   * Accepts an {@link AssetAmount} (base units) or a plain integer (base units of `defaultAsset`).
   * Dollar prices are refused: this scheme has no price oracle.
   */
  async parsePrice(price: Price, network: Network): Promise<AssetAmount> {
    if (typeof price === "object" && price !== null) {
      if (!price.asset) throw new ConfigError("CONFIG_INVALID", `zk-receipt on ${network}: AssetAmount needs an asset`);
      parseKey(price.asset, "asset");
      return { amount: parseU64(price.amount, "amount").toString(), asset: price.asset, extra: price.extra ?? {} };
    }
    const s = String(price).trim();
    if (!/^[0-9]+$/.test(s)) {
      throw new ConfigError("CONFIG_INVALID", `zk-receipt on ${network}: price ${s} must be base units (an integer), not money`);
    }
    return { amount: parseU64(s, "price").toString(), asset: this.cfg.defaultAsset ?? NATIVE_SOL_ASSET, extra: {} };
  }

  async enhancePaymentRequirements(
    paymentRequirements: PaymentRequirements,
    supportedKind: SupportedKind,
    _facilitatorExtensions: string[],
  ): Promise<PaymentRequirements> {
    void _facilitatorExtensions;
    const { [BINDING_EXTRA_KEY]: binding, ...rest } = paymentRequirements.extra ?? {};
    const b = binding as { method?: unknown; url?: unknown } | undefined;
    if (!b || typeof b.method !== "string" || typeof b.url !== "string") {
      throw new ConfigError("CONFIG_INVALID", "zk-receipt: price the route with zkReceiptPrice(...) so the offer can bind the request (method, URL)");
    }
    const fk = (supportedKind.extra ?? {}) as Record<string, unknown>;
    const extra = {
      ...rest,
      programId: this.cfg.programId ?? fk.programId,
      attester: this.cfg.attester ?? fk.attester,
      attesterUrl: this.cfg.attesterUrl ?? fk.attesterUrl,
      proverUrl: this.cfg.proverUrl ?? fk.proverUrl,
      maxAge: this.cfg.maxAge ?? (typeof fk.maxAge === "number" ? fk.maxAge : 600),
      resourceHash: resourceHashHex({
        method: b.method,
        url: b.url,
        payTo: paymentRequirements.payTo,
        asset: paymentRequirements.asset,
        amount: paymentRequirements.amount,
      }),
    };
    parseZkReceiptExtra(extra); // fail at the server, not at the payer, when something is missing
    return { ...paymentRequirements, extra };
  }
}

/** Registers the zk-receipt server scheme for `networks` (default `solana:*`). */
export function registerZkReceiptServer(
  server: x402ResourceServer,
  cfg: ZkReceiptServerConfig & { networks?: Network[] } = {},
): x402ResourceServer {
  const scheme = new ZkReceiptServerScheme(cfg);
  for (const n of cfg.networks ?? (["solana:*"] as Network[])) server.register(n, scheme);
  return server;
}
