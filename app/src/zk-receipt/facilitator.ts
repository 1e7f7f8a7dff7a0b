/**
 * The resource server's side of the facilitator: {@link createZkReceiptFacilitatorClient}, x402
 * core's `HTTPFacilitatorClient` for our Rust facilitator (`prover-service/facilitator`), which is the
 * one implementation of `/verify` and `/settle` (one set of replay rules and reason words). A
 * TypeScript facilitator scheme lived here before issue #14; it was removed rather than kept in step
 * with the Rust rules.
 */
import { FacilitatorResponseError, HTTPFacilitatorClient, type FacilitatorConfig } from "@x402/core/server";
import type { PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse } from "@x402/core/types";
import { describe } from "../errors";
import { SettlementJournal, journalKey } from "./journal";

export { MemoryJournalStore, SettlementJournal, type JournalEntry, type JournalState, type JournalStore } from "./journal";

/** Prefix of the error a resource server answers with when the facilitator cannot be reached. */
export const FACILITATOR_UNAVAILABLE = "facilitator_unavailable";

/** The facilitator's reason for a nullifier that is burnt or being burnt. */
export const NULLIFIER_ALREADY_USED = "nullifier_already_used";

/** Path of the facilitator's settlement look-up (docs/PROTOCOL.md §Flow 6, "Lost settle answers"). */
export const SETTLEMENT_PATH = "/v1/settlement";

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
  /** Settle attempts by nullifier: what makes a lost `/settle` answer recoverable (see {@link SettlementJournal}). */
  readonly journal: SettlementJournal;

  constructor(config: FacilitatorConfig & { journal?: SettlementJournal } = {}) {
    const { journal, ...rest } = config;
    super(rest);
    this.journal = journal ?? new SettlementJournal();
  }

  /**
   * `/verify`; a `nullifier_already_used` for a nullifier this journal holds an unserved attempt
   * for is looked up with `POST /v1/settlement`: when the facilitator confirms the burn was for
   * exactly this payment, the payment is valid (the handler runs, and {@link settle} serves it
   * once with that transaction). Any other answer leaves the refusal as it was.
   */
  override async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const r = await this.guard("verify", () => super.verify(payload, requirements));
    if (r.isValid || r.invalidReason !== NULLIFIER_ALREADY_USED) return r;
    const key = journalKey((payload.payload as { nullifier?: unknown } | undefined)?.nullifier);
    if (!key || !(await this.journal.recoverable(key))) return r;
    const transaction = await this.lookUpSettlement(payload, requirements);
    if (!transaction) return r;
    await this.journal.settled(key, transaction);
    return { isValid: true, payer: r.payer ?? key };
  }

  /**
   * `/settle`, journaled: the attempt is recorded before anything is sent; a success is served
   * only through the journal's exclusive `serve`; a `nullifier_already_used` after an earlier
   * attempt of this journal whose answer was lost is recovered with `POST /v1/settlement`.
   */
  override async settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse> {
    const key = journalKey((payload.payload as { nullifier?: unknown } | undefined)?.nullifier);
    if (!key) return this.guard("settle", () => super.settle(payload, requirements));
    const resourceHash = typeof requirements.extra?.resourceHash === "string" ? requirements.extra.resourceHash : undefined;
    const begun = await this.journal.begin(key, resourceHash);
    if (begun.kind === "refuse") return refusedSettle(requirements, key);
    if (begun.kind === "recovered") return this.serveOnce(key, begun.transaction, requirements);
    try {
      const r = await this.guard("settle", () => super.settle(payload, requirements));
      if (r.success) return this.serveOnce(key, r.transaction, requirements, r);
      if (r.errorReason !== NULLIFIER_ALREADY_USED || !begun.prior) return r;
      const transaction = await this.lookUpSettlement(payload, requirements);
      return transaction ? this.serveOnce(key, transaction, requirements) : r;
    } finally {
      this.journal.end(key);
    }
  }

  /** The journal's exclusive `serve`: a success for the first request of `key`, a refusal for any other. */
  private async serveOnce(key: string, transaction: string, requirements: PaymentRequirements, settled?: SettleResponse): Promise<SettleResponse> {
    if (!(await this.journal.serve(key, transaction))) return refusedSettle(requirements, key);
    return settled ?? { success: true, transaction, network: requirements.network, payer: key };
  }

  /**
   * `POST /v1/settlement`: the transaction that burned this payment's nullifier for exactly these
   * requirements, or `undefined` for a typed refusal (not burned, burned for other terms, a proof
   * that does not verify). A facilitator that cannot answer is {@link FACILITATOR_UNAVAILABLE} (a
   * 502: the payer retries later, its receipt and this journal's entry intact).
   */
  async lookUpSettlement(payload: PaymentPayload, requirements: PaymentRequirements): Promise<string | undefined> {
    return this.guard("settlement", async () => {
      const res = await fetch(`${this.url}${SETTLEMENT_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ x402Version: payload.x402Version, paymentPayload: payload, paymentRequirements: requirements }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      if (res.status >= 500) throw new Error(`Facilitator settlement failed (${res.status}): ${text.slice(0, 200)}`);
      let body: { settled?: unknown; transaction?: unknown; reason?: unknown };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new Error(`Facilitator settlement failed (${res.status}): not JSON`);
      }
      if (res.status === 200 && body.settled === true && typeof body.transaction === "string" && body.transaction) return body.transaction;
      return undefined;
    });
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

/** The settle refusal for a nullifier this journal has served (or is settling) already. */
function refusedSettle(requirements: PaymentRequirements, key: string): SettleResponse {
  return {
    success: false,
    errorReason: NULLIFIER_ALREADY_USED,
    errorMessage: "this receipt has already paid for a response",
    payer: key,
    transaction: "",
    network: requirements.network,
  };
}

/**
 * An x402 facilitator client for our facilitator at `url` (`/verify`, `/settle`, `/supported`,
 * `/v1/settlement`): a {@link ZkReceiptHTTPFacilitatorClient} with a
 * {@link DEFAULT_FACILITATOR_TIMEOUT_MS} deadline and `journal` (default: in memory; for a journal
 * that survives a restart of the resource server, `new SettlementJournal(new FileJournalStore(dir))`
 * from `./journal-file`). All server instances of one merchant must share one journal.
 */
export function createZkReceiptFacilitatorClient(url: string, opts: { timeoutMs?: number; journal?: SettlementJournal } = {}): ZkReceiptHTTPFacilitatorClient {
  return new ZkReceiptHTTPFacilitatorClient({ url, timeoutMs: opts.timeoutMs ?? DEFAULT_FACILITATOR_TIMEOUT_MS, journal: opts.journal });
}
