/**
 * `createRpcFallback`: one logical Solana RPC over an ordered list of endpoints.
 *
 * It works at the HTTP layer: {@link RpcFallback.fetch} is a drop-in `fetch` for
 * `new Connection(url, { fetch })`, so every JSON-RPC call of `@solana/web3.js` and Anchor fails
 * over without wrapping each method. An endpoint that refuses the connection, times out, or answers
 * 5xx / 429 is marked unhealthy for a cooldown that doubles with each consecutive failure; requests
 * go to healthy endpoints first, in the configured order, so the primary takes traffic back as soon
 * as its cooldown ends and it answers again. A JSON-RPC error inside a 200 response is the
 * request's fault, not the endpoint's: it is returned unchanged.
 *
 * WebSocket subscriptions are not covered; confirm transactions by polling (as `program.ts` does).
 */
import { Commitment, Connection } from "@solana/web3.js";
import { RpcError } from "./errors";
import { isTransportError } from "./retry";

export interface RpcFallbackOptions {
  /** First cooldown after a failure, ms (default 2 000); doubles per consecutive failure. */
  cooldownMs?: number;
  /** Longest cooldown, ms (default 60 000). */
  maxCooldownMs?: number;
  /** Per-request timeout, ms (default 15 000). */
  timeoutMs?: number;
  /** The underlying fetch (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
  /** Called whenever a request leaves an endpoint for the next one. */
  onFailover?: (info: { from: string; to: string | undefined; reason: string }) => void;
  /** Clock, ms (default Date.now); injectable for tests. */
  now?: () => number;
}

/** What the fallback remembers about one endpoint. */
export interface EndpointHealth {
  url: string;
  healthy: boolean;
  consecutiveFailures: number;
  /** Until when (ms since epoch) the endpoint is skipped while others are healthy. */
  downUntil: number;
  lastError: string | undefined;
  lastSuccessAt: number | undefined;
  requests: number;
  failures: number;
}

export interface RpcFallback {
  readonly urls: readonly string[];
  /** A `fetch` that sends each request to the best endpoint and fails over. */
  readonly fetch: typeof globalThis.fetch;
  /** A web3.js Connection using {@link fetch}. */
  connection(commitment?: Commitment): Connection;
  /** Snapshot of each endpoint's health, in configured order. */
  health(): EndpointHealth[];
  /** The endpoint the next request goes to first. */
  current(): string;
}

/** Builds a fallback over `urls` (at least one; tried in this order while healthy). */
export function createRpcFallback(urls: string[], opts: RpcFallbackOptions = {}): RpcFallback {
  if (urls.length === 0) throw new RpcError("RPC_UNAVAILABLE", "createRpcFallback: no RPC URLs given");
  for (const u of urls) {
    try {
      new URL(u);
    } catch (cause) {
      throw new RpcError("RPC_UNAVAILABLE", `createRpcFallback: not a URL: ${u}`, { cause });
    }
  }
  const baseFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const now = opts.now ?? Date.now;
  const cooldown = opts.cooldownMs ?? 2_000;
  const maxCooldown = opts.maxCooldownMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const state: EndpointHealth[] = urls.map((url) => ({
    url,
    healthy: true,
    consecutiveFailures: 0,
    downUntil: 0,
    lastError: undefined,
    lastSuccessAt: undefined,
    requests: 0,
    failures: 0,
  }));

  const order = (): EndpointHealth[] => {
    const t = now();
    const up = state.filter((s) => s.downUntil <= t);
    const down = state.filter((s) => s.downUntil > t).sort((a, b) => a.downUntil - b.downUntil);
    return [...up, ...down];
  };
  const markFailure = (s: EndpointHealth, reason: string): void => {
    s.failures++;
    s.consecutiveFailures++;
    s.healthy = false;
    s.lastError = reason;
    s.downUntil = now() + Math.min(maxCooldown, cooldown * 2 ** (s.consecutiveFailures - 1));
  };
  const markSuccess = (s: EndpointHealth): void => {
    s.healthy = true;
    s.consecutiveFailures = 0;
    s.downUntil = 0;
    s.lastSuccessAt = now();
  };

  const fallbackFetch = async (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit): Promise<Response> => {
    const requested = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    // Requests addressed to one of our endpoints (what Connection sends) are re-targeted; anything
    // else passes through untouched.
    if (!urls.some((u) => sameEndpoint(u, requested))) return baseFetch(input, init);
    // A Request body can be read once only; web3.js passes a string body, keep it for retries.
    const body = init?.body;
    let lastResponse: Response | undefined;
    let lastError: unknown;
    const tried = order();
    for (let i = 0; i < tried.length; i++) {
      const s = tried[i]!;
      s.requests++;
      const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
      let reason: string;
      try {
        const res = await baseFetch(s.url, { ...init, body, signal });
        if (res.status < 500 && res.status !== 429) {
          markSuccess(s);
          return res;
        }
        reason = `HTTP ${res.status}`;
        lastResponse = res;
      } catch (err) {
        if (init?.signal?.aborted) throw err;
        if (!isTransportError(err)) throw err;
        reason = describeTransport(err);
        lastError = err;
      }
      markFailure(s, reason);
      opts.onFailover?.({ from: s.url, to: tried[i + 1]?.url, reason });
    }
    if (lastResponse) return lastResponse; // every endpoint answered 5xx/429: let the caller see it
    throw new RpcError("RPC_UNAVAILABLE", `every RPC endpoint failed (${state.map((s) => `${s.url}: ${s.lastError}`).join("; ")})`, {
      endpoint: tried[tried.length - 1]?.url,
      retryable: true,
      cause: lastError,
    });
  };

  return {
    urls,
    fetch: fallbackFetch as typeof globalThis.fetch,
    connection(commitment: Commitment = "confirmed"): Connection {
      return new Connection(urls[0]!, { commitment, fetch: fallbackFetch as typeof globalThis.fetch, disableRetryOnRateLimit: true });
    },
    health: () => state.map((s) => ({ ...s })),
    current: () => order()[0]!.url,
  };
}

function sameEndpoint(a: string, b: string): boolean {
  const norm = (u: string): string => u.replace(/\/+$/, "");
  return norm(a) === norm(b);
}

function describeTransport(err: unknown): string {
  let e: unknown = err;
  while (e && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" ? code : e instanceof Error ? e.message : String(e);
}

/** Reads a comma-separated RPC list (`SOLANA_RPC_URLS`), falling back to a single URL. */
export function rpcUrlsFromEnv(env: NodeJS.ProcessEnv = process.env, fallback = "http://127.0.0.1:8899"): string[] {
  const list = env.SOLANA_RPC_URLS ?? env.SOLANA_RPC_URL ?? fallback;
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
