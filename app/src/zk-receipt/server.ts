/**
 * Resource-server role of the `zk-receipt` scheme, for `x402ResourceServer` / `@x402/express`.
 *
 * The offer binds the request: `extra.resourceHash` = H(`x402-zk/resource/v1\nSALT\nMETHOD\nURL\npayTo\nasset\namount`)
 * with the merchant's secret salt (`resourceSalt` / `X402_RESOURCE_SALT`), so a chain observer cannot
 * tell from the hash which resource was bought. The HTTP layer knows the method and URL, the scheme
 * does not, so routes price with {@link zkReceiptPrice}, a dynamic price that hands the binding to
 * {@link ZkReceiptServerScheme.enhancePaymentRequirements} (through a private `extra` key that is
 * removed again). A paid retry to the same URL rebuilds the same requirements, so x402 core's
 * requirement matching rejects a payload made for another resource.
 *
 * Set-up is checked before the first request: the scheme refuses to be constructed without a salt,
 * and at x402 core's start-up sync with the facilitator (`initialize()`, which `@x402/express` runs
 * when the middleware is created) {@link ZkReceiptServerScheme.validateFacilitatorSupport} refuses a
 * facilitator whose `/supported` `extra` does not supply what the server's own config lacks
 * (`programId`, `attester`, `attesterUrl`, `maxAge`; `proverUrl` and `provingKeyUrl` are passed on
 * when present): x402 core then throws a
 * `FacilitatorCapabilityError` and `@x402/express` exits the process with that message, instead of
 * answering 500 to every request.
 */
import type { x402ResourceServer } from "@x402/core/server";
import type { AssetAmount, Network, PaymentRequirements, Price, SchemeNetworkServer, SupportedKind } from "@x402/core/types";
import { ConfigError, describe } from "../errors";
import { NATIVE_SOL_ASSET, parseFieldElement, parseKey, parseResourceSalt, parseU64, resourceHashHex } from "../encoding";
import { ZK_RECEIPT_SCHEME, parseZkReceiptExtra, type ZkReceiptExtra } from "./types";

/** Private `extra` key carrying `{method, url}` from {@link zkReceiptPrice} to the scheme. */
export const BINDING_EXTRA_KEY = "__zkReceiptBinding";

/** Environment variable holding the merchant's resource salt (hex, ≥ 16 bytes). */
export const RESOURCE_SALT_ENV = "X402_RESOURCE_SALT";

export interface ZkReceiptServerConfig {
  /**
   * The merchant's secret resource salt: hex, ≥ 16 random bytes (`openssl rand -hex 32`). Default:
   * the `X402_RESOURCE_SALT` environment variable; without either the scheme refuses to start. Keep it
   * secret (it is what stops a chain observer from recomputing `resourceHash` from your URLs) and
   * stable (changing it only changes future offers).
   */
  resourceSalt?: string;
  /** Verifier program id. Default: `extra.programId` of the facilitator's `/supported`. */
  programId?: string;
  /** Attester key. Default: from the facilitator's `/supported`. */
  attester?: { x: string; y: string };
  /** Attester base URL. Default: from the facilitator's `/supported`. */
  attesterUrl?: string;
  /** Prover base URL to advertise (optional; clients prove locally and ignore it). Default: from the facilitator's `/supported`. */
  proverUrl?: string;
  /** Proving-key URL to advertise (optional). Default: the facilitator's `/supported` `provingKeyUrl` (its `GET /v1/proving-key`). */
  provingKeyUrl?: string;
  /** Oldest receipt accepted, seconds. Default: from the facilitator's `/supported`. */
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

/** The offer fields that come from the server's config or the facilitator (everything but resourceHash). */
type OfferParams = Omit<ZkReceiptExtra, "resourceHash">;
const OFFER_FIELDS = ["programId", "attester", "attesterUrl", "maxAge"] as const;
/** Advertised when the config or the facilitator has them; an offer is complete without. */
const OPTIONAL_OFFER_FIELDS = ["proverUrl", "provingKeyUrl"] as const;
const CONFIG_HINT: Record<(typeof OFFER_FIELDS)[number], string> = {
  programId: "programId (facilitator --program-id)",
  attester: "attester {x, y} (facilitator --attester-key)",
  attesterUrl: "attesterUrl (facilitator --public-url)",
  maxAge: "maxAge (facilitator --max-age)",
};

export class ZkReceiptServerScheme implements SchemeNetworkServer {
  readonly scheme = ZK_RECEIPT_SCHEME;
  readonly defaultAssetTransferMethod = "default";
  /** Verify before the handler, settle (burn the nullifier) after it. */
  readonly paymentFlows = { default: { supported: ["authorization"] as const, default: "authorization" as const } };
  private readonly cfg: ZkReceiptServerConfig;
  private readonly salt: string;

  constructor(cfg: ZkReceiptServerConfig = {}) {
    const salt = cfg.resourceSalt ?? process.env[RESOURCE_SALT_ENV];
    if (salt === undefined || salt.trim() === "") {
      throw new ConfigError(
        "CONFIG_INVALID",
        `zk-receipt server: no resource salt. Set ${RESOURCE_SALT_ENV} (or the resourceSalt option) to a secret of at least 16 random bytes as hex, ` +
          "e.g. `openssl rand -hex 32`, and keep it: it is what keeps chain observers from learning which resource a payment bought",
      );
    }
    try {
      this.salt = parseResourceSalt(salt, cfg.resourceSalt !== undefined ? "resourceSalt" : RESOURCE_SALT_ENV);
    } catch (e) {
      throw new ConfigError("CONFIG_INVALID", `zk-receipt server: ${describe(e)}`, { cause: e });
    }
    if (cfg.programId) parseKey(cfg.programId, "programId");
    if (cfg.attester) {
      parseFieldElement(cfg.attester.x, "attester.x");
      parseFieldElement(cfg.attester.y, "attester.y");
    }
    if (cfg.maxAge !== undefined && !(Number.isSafeInteger(cfg.maxAge) && cfg.maxAge > 0)) {
      throw new ConfigError("CONFIG_INVALID", `zk-receipt server: maxAge must be a positive integer (seconds), got ${cfg.maxAge}`);
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

  /**
   * The offer parameters: the server's config first, then the facilitator's `/supported` `extra`.
   * Throws a {@link ConfigError} naming every missing or invalid field.
   */
  offerParams(supportedKind: SupportedKind | undefined): OfferParams {
    const fk = (supportedKind?.extra ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const k of OFFER_FIELDS) {
      const v = this.cfg[k] ?? fk[k];
      if (v === undefined || v === null || v === "") missing.push(CONFIG_HINT[k]);
      else merged[k] = v;
    }
    for (const k of OPTIONAL_OFFER_FIELDS) {
      const v = this.cfg[k] ?? fk[k];
      if (v !== undefined && v !== null && v !== "") merged[k] = v;
    }
    if (missing.length > 0) {
      throw new ConfigError(
        "CONFIG_INVALID",
        `zk-receipt server: the facilitator's /supported extra does not advertise, and the server config does not set: ${missing.join(", ")}. ` +
          "Start the facilitator with those flags or pass them to registerZkReceiptServer",
      );
    }
    const problems: string[] = [];
    if (this.cfg.programId && typeof fk.programId === "string" && fk.programId !== this.cfg.programId) {
      problems.push(`programId ${this.cfg.programId} differs from the facilitator's ${fk.programId}`);
    }
    const fa = fk.attester as { x?: unknown; y?: unknown } | undefined;
    if (this.cfg.attester && fa && typeof fa.x === "string" && typeof fa.y === "string") {
      try {
        if (parseFieldElement(fa.x) !== parseFieldElement(this.cfg.attester.x) || parseFieldElement(fa.y) !== parseFieldElement(this.cfg.attester.y)) {
          problems.push("the configured attester key differs from the facilitator's");
        }
      } catch (e) {
        problems.push(`the facilitator's attester key: ${describe(e)}`);
      }
    }
    if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `zk-receipt server: ${problems.join("; ")}`);
    try {
      // resourceHash 0 only to reuse the strict parser for the other fields.
      const { resourceHash: _r, ...params } = parseZkReceiptExtra({ ...merged, resourceHash: "0x0" });
      void _r;
      return params;
    } catch (e) {
      throw new ConfigError("CONFIG_INVALID", `zk-receipt server: ${describe(e)}`, { cause: e });
    }
  }

  /**
   * Called by x402 core's `initialize()` with the facilitator's advertised kind: a problem message
   * makes start-up fail (`FacilitatorCapabilityError`) instead of every paid request.
   */
  validateFacilitatorSupport(_network: Network, supportedKind: SupportedKind, _facilitatorExtensions: string[]): string | void {
    void _network;
    void _facilitatorExtensions;
    try {
      this.offerParams(supportedKind);
    } catch (e) {
      return describe(e);
    }
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
    const extra = {
      ...rest,
      ...this.offerParams(supportedKind),
      resourceHash: resourceHashHex({
        salt: this.salt,
        method: b.method,
        url: b.url,
        payTo: paymentRequirements.payTo,
        asset: paymentRequirements.asset,
        amount: paymentRequirements.amount,
      }),
    };
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
