/**
 * The `zk-receipt` scheme's wire shapes: `requirements.extra` and `paymentPayload.payload`, with
 * strict parsers used by all three roles.
 */
import type { Network, PaymentRequirements } from "@x402/core/types";
import { ConfigError } from "../errors";
import { decodeProof, parseFieldElement, parseKey, parseU64, toHex32 } from "../encoding";

/** The scheme name. */
export const ZK_RECEIPT_SCHEME = "zk-receipt";

/** CAIP-2 ids of the public clusters (genesis-hash prefixes, as @x402/svm uses them). */
export const SOLANA_MAINNET_CAIP2 = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp" as const;
export const SOLANA_DEVNET_CAIP2 = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1" as const;
export const SOLANA_TESTNET_CAIP2 = "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z" as const;
/**
 * A local validator has a fresh genesis hash per ledger, so the default local id is this fixed
 * name; set `X402_NETWORK` (or pass `network`) to `solana:<genesis hash prefix>` to pin a ledger.
 * Use {@link caip2ForGenesisHash} to derive it.
 */
export const SOLANA_LOCALNET_CAIP2 = "solana:localnet" as const;

/** `solana:<first 32 characters of the genesis hash>`, the CAIP-2 form for Solana. */
export function caip2ForGenesisHash(genesisHash: string): Network {
  return `solana:${genesisHash.slice(0, 32)}`;
}

/** `X402_NETWORK` or `solana:localnet`. */
export function networkFromEnv(env: NodeJS.ProcessEnv = process.env): Network {
  const n = env.X402_NETWORK ?? SOLANA_LOCALNET_CAIP2;
  if (!/^solana:[A-Za-z0-9]{1,32}$/.test(n)) throw new ConfigError("CONFIG_INVALID", `X402_NETWORK: not a solana CAIP-2 id: ${n}`);
  return n as Network;
}

/** `requirements.extra` of a zk-receipt offer. */
export interface ZkReceiptExtra {
  /** Verifier program id, base58. */
  programId: string;
  /** The attester's BabyJubJub key, decimal strings. */
  attester: { x: string; y: string };
  /** Base URL of the attester (`POST /v1/attest` is appended). */
  attesterUrl: string;
  /**
   * Base URL of a prover service a merchant may advertise. Informational: the SDK proves locally
   * and never sends the secret to an offer's prover (a payer opts in with `remoteProver`).
   */
  proverUrl?: string;
  /**
   * Where the proving key can be downloaded (the facilitator's `GET /v1/proving-key`). Not trusted:
   * the client uses a key only when its vk hash equals the on-chain `Config.vk_hash`.
   */
  provingKeyUrl?: string;
  /** Oldest receipt accepted, seconds. */
  maxAge: number;
  /** Binding of this request, `0x` + 62 hex digits. */
  resourceHash: string;
}

/** `paymentPayload.payload` of scheme zk-receipt. */
export interface ZkReceiptPayload {
  /** base64 of the 256-byte groth16-solana proof (proof_a negated). */
  proof: string;
  /** `0x` + 64 hex digits. */
  nullifier: string;
  /** Unix seconds the proof was made for. */
  now: number;
  /** Must equal `requirements.extra.resourceHash`. */
  resourceHash: string;
}

/** Validated view of a zk-receipt payment requirement. */
export interface ZkReceiptRequirements {
  network: Network;
  amount: bigint;
  asset: string;
  payTo: string;
  maxTimeoutSeconds: number;
  extra: ZkReceiptExtra;
}

function fail(msg: string): never {
  throw new ConfigError("REQUIREMENTS_INVALID", `zk-receipt requirements: ${msg}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function httpUrl(v: unknown, what: string): string {
  if (typeof v !== "string") fail(`${what} missing`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    fail(`${what} is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") fail(`${what} must be http(s)`);
  return v;
}

/** Parses and validates the extra of an offer (field elements canonical, keys 32 bytes). */
export function parseZkReceiptExtra(extra: unknown): ZkReceiptExtra {
  if (!isObject(extra)) fail("extra missing");
  const att = extra.attester;
  if (!isObject(att) || typeof att.x !== "string" || typeof att.y !== "string") fail("extra.attester must be {x, y}");
  if (typeof extra.programId !== "string") fail("extra.programId missing");
  if (typeof extra.resourceHash !== "string") fail("extra.resourceHash missing");
  const maxAge = extra.maxAge;
  if (typeof maxAge !== "number" || !Number.isSafeInteger(maxAge) || maxAge <= 0) fail("extra.maxAge must be a positive integer (seconds)");
  parseKey(extra.programId, "extra.programId");
  const rh = parseFieldElement(extra.resourceHash, "extra.resourceHash");
  if (rh >= 1n << 248n) fail("extra.resourceHash must fit in 31 bytes");
  return {
    programId: extra.programId,
    attester: {
      x: parseFieldElement(att.x, "extra.attester.x").toString(),
      y: parseFieldElement(att.y, "extra.attester.y").toString(),
    },
    attesterUrl: httpUrl(extra.attesterUrl, "extra.attesterUrl"),
    ...(extra.proverUrl !== undefined ? { proverUrl: httpUrl(extra.proverUrl, "extra.proverUrl") } : {}),
    ...(extra.provingKeyUrl !== undefined ? { provingKeyUrl: httpUrl(extra.provingKeyUrl, "extra.provingKeyUrl") } : {}),
    maxAge,
    resourceHash: extra.resourceHash,
  };
}

/** Validates a whole requirement of scheme zk-receipt. */
export function parseZkReceiptRequirements(req: PaymentRequirements): ZkReceiptRequirements {
  if (req.scheme !== ZK_RECEIPT_SCHEME) fail(`scheme is ${req.scheme}`);
  if (!/^solana:/.test(req.network)) fail(`network ${req.network} is not a solana CAIP-2 id`);
  parseKey(req.payTo, "payTo");
  parseKey(req.asset, "asset");
  return {
    network: req.network,
    amount: parseU64(req.amount, "amount"),
    asset: req.asset,
    payTo: req.payTo,
    maxTimeoutSeconds: req.maxTimeoutSeconds,
    extra: parseZkReceiptExtra(req.extra),
  };
}

/** Parses a zk-receipt payment payload strictly (unknown fields rejected). */
export function parseZkReceiptPayload(payload: unknown): ZkReceiptPayload {
  const bad = (msg: string): never => {
    throw new ConfigError("PAYLOAD_INVALID", `zk-receipt payload: ${msg}`);
  };
  if (!isObject(payload)) return bad("not an object");
  for (const k of Object.keys(payload)) if (!["proof", "nullifier", "now", "resourceHash"].includes(k)) bad(`unknown field ${k}`);
  if (typeof payload.proof !== "string") bad("proof missing");
  if (typeof payload.nullifier !== "string") bad("nullifier missing");
  if (typeof payload.resourceHash !== "string") bad("resourceHash missing");
  if (typeof payload.now !== "number" || !Number.isSafeInteger(payload.now) || payload.now < 0) bad("now must be unix seconds");
  decodeProof(payload.proof as string);
  const nullifier = toHex32(parseFieldElement(payload.nullifier as string, "nullifier"));
  parseFieldElement(payload.resourceHash as string, "resourceHash");
  return { proof: payload.proof as string, nullifier, now: payload.now as number, resourceHash: payload.resourceHash as string };
}
