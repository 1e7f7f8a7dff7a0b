/**
 * Where a client gets the proving key, and why it need not trust the source: a key is used only
 * when the verifying-key hash the prover computes from it (`ReceiptProver.vkHash()`) equals the
 * on-chain `Config.vk_hash`. A wrong key from any URL (the offer's `extra.provingKeyUrl`, a mirror,
 * a stale cache file) is refused with `VK_HASH_MISMATCH`, never used.
 *
 * Sources, first configured wins: the `provingKey` bytes, the `provingKeyUrl` option, the offer's
 * `extra.provingKeyUrl` (the facilitator's `GET /v1/proving-key`). A key that matched the chain is
 * cached by its vk hash ({@link ProvingKeyCache}; on disk in Node with `FileProvingKeyCache`), so it
 * is downloaded once per verifying key.
 */
import { ProverError, describe } from "./errors";
import { LocalProver, normalizeVkHash, type WasmProverModule } from "./local-prover";

/** Proving keys by the vk hash they were checked against. */
export interface ProvingKeyCache {
  get(vkHash: string): Promise<Uint8Array | undefined>;
  put(vkHash: string, key: Uint8Array): Promise<void>;
}

export class MemoryProvingKeyCache implements ProvingKeyCache {
  private readonly keys = new Map<string, Uint8Array>();
  async get(vkHash: string): Promise<Uint8Array | undefined> {
    return this.keys.get(vkHash);
  }
  async put(vkHash: string, key: Uint8Array): Promise<void> {
    this.keys.set(vkHash, key);
  }
}

/** Largest proving key accepted from a URL (the receipt circuit's is ~2.6 MB). */
export const MAX_PROVING_KEY_BYTES = 64 * 1024 * 1024;

/** GETs a proving key; `PROVING_KEY_UNAVAILABLE` (retryable on transport failures and 5xx) otherwise. */
export async function downloadProvingKey(url: string, opts: { fetch?: typeof globalThis.fetch; timeoutMs?: number; maxBytes?: number } = {}): Promise<Uint8Array> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const max = opts.maxBytes ?? MAX_PROVING_KEY_BYTES;
  let res: Response;
  try {
    res = await doFetch(url, { headers: { accept: "application/octet-stream" }, signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
  } catch (cause) {
    throw new ProverError("PROVING_KEY_UNAVAILABLE", `proving key at ${url} unreachable: ${describe(cause)}`, { retryable: true, cause });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new ProverError("PROVING_KEY_UNAVAILABLE", `proving key at ${url}: HTTP ${res.status}`, { retryable: res.status >= 500 || res.status === 429 });
  }
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new ProverError("PROVING_KEY_UNAVAILABLE", `proving key at ${url}: ${declared} bytes, more than the ${max} accepted`);
  }
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > max) throw new ProverError("PROVING_KEY_UNAVAILABLE", `proving key at ${url}: more than ${max} bytes`);
  return buf;
}

export interface ProvingKeySources {
  /** The key itself. */
  provingKey?: Uint8Array;
  /** A URL configured by the payer. */
  provingKeyUrl?: string;
  /** The offer's `extra.provingKeyUrl` (not trusted: the hash is checked against the chain). */
  offerProvingKeyUrl?: string;
}

/**
 * A {@link LocalProver} whose verifying-key hash equals `chainVkHash` (the on-chain `Config.vk_hash`):
 * from the cache when it holds a matching key, else from the first configured source, which is
 * cached once it matched. Throws `VK_HASH_MISMATCH` when the source's key is not the chain's.
 */
export async function openCheckedProver(o: {
  chainVkHash: string;
  sources: ProvingKeySources;
  cache?: ProvingKeyCache;
  /** Loads the prover module onto the calling thread; default: in Node a worker thread ({@link LocalProver.open}). */
  load?: () => Promise<WasmProverModule>;
  /** Node, without `load`: worker threads proving side by side (default 1). */
  workers?: number;
  fetch?: typeof globalThis.fetch;
  /** Told when a cached key or the cache write failed (the key is then fetched again next time). */
  onCacheProblem?: (message: string) => void;
}): Promise<LocalProver> {
  const expected = normalizeVkHash(o.chainVkHash);
  if (!expected) throw new ProverError("VK_HASH_MISMATCH", `on-chain vk hash ${o.chainVkHash} is not a 32-byte hex hash`);
  if (o.cache) {
    let cached: Uint8Array | undefined;
    try {
      cached = await o.cache.get(expected);
    } catch (e) {
      o.onCacheProblem?.(`proving key cache: ${describe(e)}`);
    }
    if (cached) {
      try {
        const p = await LocalProver.open(cached, o.load, o.workers);
        if (p.vkHash === expected) return p;
        p.free();
        o.onCacheProblem?.(`cached proving key for ${expected} has vk hash ${p.vkHash}; ignoring it`);
      } catch (e) {
        o.onCacheProblem?.(`cached proving key for ${expected} unusable: ${describe(e)}`);
      }
    }
  }
  let bytes: Uint8Array;
  let source: string;
  if (o.sources.provingKey) {
    bytes = o.sources.provingKey;
    source = "the provingKey option";
  } else if (o.sources.provingKeyUrl || o.sources.offerProvingKeyUrl) {
    const url = (o.sources.provingKeyUrl ?? o.sources.offerProvingKeyUrl)!;
    bytes = await downloadProvingKey(url, { fetch: o.fetch });
    source = o.sources.provingKeyUrl ? `provingKeyUrl ${url}` : `the offer's extra.provingKeyUrl ${url}`;
  } else {
    throw new ProverError("PROVING_KEY_UNAVAILABLE", "no proving key: set provingKey or provingKeyUrl, or use a facilitator that advertises extra.provingKeyUrl (or configure remoteProver)");
  }
  const p = await LocalProver.open(bytes, o.load, o.workers);
  if (p.vkHash !== expected) {
    p.free();
    throw new ProverError("VK_HASH_MISMATCH", `the proving key from ${source} has vk hash ${p.vkHash}, but the chain's Config.vk_hash is ${expected}: refusing it`);
  }
  if (o.cache) {
    await o.cache.put(expected, bytes).catch((e: unknown) => o.onCacheProblem?.(`proving key cache write: ${describe(e)}`));
  }
  return p;
}
