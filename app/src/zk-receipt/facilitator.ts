/**
 * The resource server's side of the facilitator: {@link createZkReceiptFacilitatorClient}, x402
 * core's `HTTPFacilitatorClient` for our Rust facilitator (`prover-service/facilitator`), which is the
 * one implementation of `/verify` and `/settle` (one set of replay rules and reason words). A
 * TypeScript facilitator scheme lived here before issue #14; it was removed rather than kept in step
 * with the Rust rules.
 */
import { FacilitatorResponseError, HTTPFacilitatorClient } from "@x402/core/server";
import { describe } from "../errors";

/** Prefix of the error a resource server answers with when the facilitator cannot be reached. */
export const FACILITATOR_UNAVAILABLE = "facilitator_unavailable";

/** Default per-request deadline to the facilitator (x402 core's is 90 s; settlement takes seconds). */
export const DEFAULT_FACILITATOR_TIMEOUT_MS = 30_000;

/**
 * The facilitator's `503 {"error": "config_mismatch", "detail": …}`: its keys or settings disagree
 * with the on-chain `Config`, so it refuses `/verify` and `/settle` until they match (its `/health`
 * says why). A resource server passes it on as a {@link FACILITATOR_UNAVAILABLE} error, never as a
 * `402` that blames the payment.
 */
export const FACILITATOR_CONFIG_MISMATCH = "config_mismatch";

/** What a facilitator error says: HTTP status and x402 reason, when it answered in the x402 shape. */
function x402Refusal(e: unknown): { status: number; reason: string | undefined } | undefined {
  const err = e as { name?: unknown; statusCode?: unknown; invalidReason?: unknown; errorReason?: unknown } | undefined;
  if (err?.name !== "VerifyError" && err?.name !== "SettleError") return undefined;
  const reason = typeof err.invalidReason === "string" ? err.invalidReason : typeof err.errorReason === "string" ? err.errorReason : undefined;
  return { status: typeof err.statusCode === "number" ? err.statusCode : 0, reason };
}

/** A `503 config_mismatch`, in the x402 shape (`invalidReason`/`errorReason`) or as a bare `{"error": …}`. */
function isConfigMismatch(e: unknown): boolean {
  const refusal = x402Refusal(e);
  if (refusal) return refusal.reason === FACILITATOR_CONFIG_MISMATCH;
  const m = /failed \(503\): (.*)$/s.exec(describe(e));
  return !!m && /"error"\s*:\s*"config_mismatch"/.test(m[1]!);
}

function transportDetail(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string" && cause.message) return cause.message;
  // "Facilitator verify failed (500): <html>…": keep the status, drop the page.
  const status = /failed \((\d{3})\)/.exec(describe(e));
  if (status) return `HTTP ${status[1]}`;
  return describe(e).slice(0, 120);
}

/**
 * x402 core's `HTTPFacilitatorClient`, except that a facilitator that cannot be reached (connection
 * refused, reset, DNS, a non-JSON error page), that refuses to serve (`503 config_mismatch`) or
 * that fails itself (any 5xx, even in the x402 shape, e.g. `rpc_unavailable`) becomes a
 * `FacilitatorResponseError` whose message starts with {@link FACILITATOR_UNAVAILABLE}. `@x402/express` answers those with
 * `502 {"error": "facilitator_unavailable: …"}` (JSON) instead of `500 Internal Server Error`, or —
 * for a failed `/verify` — a misleading `402` that blames the payment. The message names the
 * operation and the error code, never the facilitator's URL (an internal address).
 * Refusals of the payment in the x402 shapes (`isValid:false`, `success:false` with a 2xx/4xx) pass
 * through unchanged.
 */
export class ZkReceiptHTTPFacilitatorClient extends HTTPFacilitatorClient {
  override async verify(...args: Parameters<HTTPFacilitatorClient["verify"]>): ReturnType<HTTPFacilitatorClient["verify"]> {
    return this.guard("verify", () => super.verify(...args));
  }

  override async settle(...args: Parameters<HTTPFacilitatorClient["settle"]>): ReturnType<HTTPFacilitatorClient["settle"]> {
    return this.guard("settle", () => super.settle(...args));
  }

  override async getSupported(): ReturnType<HTTPFacilitatorClient["getSupported"]> {
    return this.guard("supported", () => super.getSupported());
  }

  private async guard<T>(op: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof FacilitatorResponseError) throw e; // core's own boundary errors (timeouts, bad JSON)
      const refusal = x402Refusal(e);
      // An x402-shaped refusal of the payment (VerifyError / SettleError with a 4xx) stays as it is
      // (a 402 to the client); the facilitator's own failures (config_mismatch, any 5xx) are not the
      // payment's fault.
      if (refusal && !isConfigMismatch(e) && refusal.status < 500) throw e;
      const err = new FacilitatorResponseError(
        isConfigMismatch(e)
          ? `${FACILITATOR_UNAVAILABLE}: ${FACILITATOR_CONFIG_MISMATCH}: the payment facilitator is not serving ${op} while its configuration disagrees with the chain; try again later`
          : refusal
            ? `${FACILITATOR_UNAVAILABLE}: the payment facilitator could not ${op} (HTTP ${refusal.status}${refusal.reason ? ` ${refusal.reason}` : ""}); try again later`
            : `${FACILITATOR_UNAVAILABLE}: the payment facilitator did not answer ${op} (${transportDetail(e)}); try again later`,
      );
      Object.defineProperty(err, "cause", { value: e, enumerable: false, writable: true, configurable: true });
      throw err;
    }
  }
}

/**
 * An x402 facilitator client for our facilitator at `url` (`/verify`, `/settle`, `/supported`): a
 * {@link ZkReceiptHTTPFacilitatorClient} with a {@link DEFAULT_FACILITATOR_TIMEOUT_MS} deadline.
 */
export function createZkReceiptFacilitatorClient(url: string, opts: { timeoutMs?: number } = {}): HTTPFacilitatorClient {
  return new ZkReceiptHTTPFacilitatorClient({ url, timeoutMs: opts.timeoutMs ?? DEFAULT_FACILITATOR_TIMEOUT_MS });
}
