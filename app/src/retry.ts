/**
 * `retryWithBackoff`: exponential backoff with jitter that stops at once on errors retrying cannot
 * fix. By default an error is retried only when it says so: an {@link X402ZkError} with
 * `retryable: true` (transport failures, 5xx, 429), or a plain network error from `fetch`.
 */
import { RetryExhaustedError, X402ZkError, ServiceError } from "./errors";

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry, ms (default 200). */
  baseDelayMs?: number;
  /** Upper bound of any single delay, ms (default 10 000). */
  maxDelayMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * `"full"` (default): delay uniform in [0, cap] (AWS "full jitter": spreads retrying clients
   * best); `"equal"`: cap/2 + uniform [0, cap/2]; `"none"`: exactly cap (for tests).
   */
  jitter?: "full" | "equal" | "none";
  /** Decides whether `err` is worth another attempt (default {@link isRetryableError}). */
  isRetryable?: (err: unknown) => boolean;
  /** Called before each wait with the attempt that failed (1-based) and the chosen delay. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Aborts waiting and further attempts; the pending attempt is not interrupted. */
  signal?: AbortSignal;
  /** Random source in [0, 1) (default Math.random); injectable for deterministic tests. */
  random?: () => number;
}

/** The delay before retry number `attempt` (1-based), before honouring `Retry-After`. */
export function backoffDelay(attempt: number, opts: RetryOptions = {}): number {
  const base = opts.baseDelayMs ?? 200;
  const max = opts.maxDelayMs ?? 10_000;
  const factor = opts.factor ?? 2;
  const cap = Math.min(max, base * Math.pow(factor, attempt - 1));
  const rnd = opts.random ?? Math.random;
  switch (opts.jitter ?? "full") {
    case "none":
      return cap;
    case "equal":
      return cap / 2 + rnd() * (cap / 2);
    default:
      return rnd() * cap;
  }
}

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
]);

/** True for errors that a retry can plausibly fix. */
export function isRetryableError(err: unknown): boolean {
  if (err instanceof X402ZkError) return err.retryable;
  return isTransportError(err);
}

/** True for a network-level failure (connection refused/reset, DNS, timeout), `fetch failed`. */
export function isTransportError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    if (e instanceof Error && (e.name === "TimeoutError" || e.message === "fetch failed")) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): X402ZkError {
  return new X402ZkError("ABORTED", "aborted", { cause: signal.reason });
}

/**
 * Runs `fn` until it succeeds, an error is not retryable (rethrown as is), or `maxAttempts` is
 * reached ({@link RetryExhaustedError} with the last error as `cause`). A `Retry-After` hint from a
 * {@link ServiceError} raises the delay to at least that value.
 */
export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  const retryable = opts.isRetryable ?? isRetryableError;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (!retryable(error)) throw error;
      if (attempt >= maxAttempts) throw new RetryExhaustedError(attempt, error);
      let delayMs = backoffDelay(attempt, opts);
      if (error instanceof ServiceError && error.retryAfterMs !== undefined) {
        delayMs = Math.max(delayMs, Math.min(error.retryAfterMs, opts.maxDelayMs ?? 10_000));
      }
      opts.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, opts.signal);
    }
  }
}
