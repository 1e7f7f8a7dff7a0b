/**
 * Facilitator role of the `zk-receipt` scheme.
 *
 * Production runs the Rust facilitator (`prover-service`); resource servers reach it with
 * {@link createZkReceiptFacilitatorClient} (x402 core's `HTTPFacilitatorClient`). This module also
 * has a TypeScript {@link ZkReceiptFacilitatorScheme} for `x402Facilitator`, useful without the Rust
 * service: it checks the payload against the requirements, the clock and the nullifier, runs the
 * real Groth16 check by simulating `verify_payment`, and settles with `verifyOnChain` under
 * {@link retryWithBackoff}.
 */
import { FacilitatorResponseError, HTTPFacilitatorClient } from "@x402/core/server";
import type { x402Facilitator } from "@x402/core/facilitator";
import type { Network, PaymentPayload, PaymentRequirements, SchemeNetworkFacilitator, SettleResponse, VerifyResponse } from "@x402/core/types";
import { X402ZkError, describe } from "../errors";
import { parseFieldElement } from "../encoding";
import { retryWithBackoff, type RetryOptions } from "../retry";
import { VerifierClient, verifyInputFromPayment } from "../program";
import { ZK_RECEIPT_SCHEME, parseZkReceiptPayload, parseZkReceiptRequirements } from "./types";

/** Prefix of the error a resource server answers with when the facilitator cannot be reached. */
export const FACILITATOR_UNAVAILABLE = "facilitator_unavailable";

/** Default per-request deadline to the facilitator (x402 core's is 90 s; settlement takes seconds). */
export const DEFAULT_FACILITATOR_TIMEOUT_MS = 30_000;

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
 * refused, reset, DNS, a non-JSON error page) becomes a `FacilitatorResponseError` whose message
 * starts with {@link FACILITATOR_UNAVAILABLE}. `@x402/express` answers those with
 * `502 {"error": "facilitator_unavailable: …"}` (JSON) instead of `500 Internal Server Error`, or —
 * for a failed `/verify` — a misleading `402` that blames the payment. The message names the
 * operation and the error code, never the facilitator's URL (an internal address).
 * Facilitator answers in the x402 shapes (`isValid:false`, `success:false`) pass through unchanged.
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
      const name = (e as { name?: unknown } | undefined)?.name;
      // x402-shaped refusals (VerifyError / SettleError) and core's own boundary errors stay as they are.
      if (e instanceof FacilitatorResponseError || name === "VerifyError" || name === "SettleError") throw e;
      const err = new FacilitatorResponseError(`${FACILITATOR_UNAVAILABLE}: the payment facilitator did not answer ${op} (${transportDetail(e)}); try again later`);
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

/** `invalidReason` / `errorReason` values (snake_case, like the x402 spec's). */
export type ZkReceiptInvalidReason =
  | "invalid_scheme"
  | "invalid_network"
  | "invalid_payload"
  | "invalid_requirements"
  | "resource_hash_mismatch"
  | "requirements_mismatch"
  | "timestamp_out_of_range"
  | "nullifier_spent"
  | "invalid_proof"
  | "program_paused"
  | "unexpected_verify_error"
  | "unexpected_settle_error";

export interface ZkReceiptFacilitatorOptions {
  client: VerifierClient;
  /** Extra data advertised in `/supported` (attester key, URLs, maxAge). */
  advertise?: { attester?: { x: string; y: string }; attesterUrl?: string; proverUrl?: string; maxAge?: number };
  /** Simulate `verify_payment` during verify (default true): the real Groth16 check. */
  simulate?: boolean;
  /** Unix seconds (default wall clock). */
  clock?: () => number;
  /** Allowed |now − clock| when the config cannot be read (default 300 s). */
  defaultSkewSeconds?: number;
  retry?: RetryOptions;
}

export class ZkReceiptFacilitatorScheme implements SchemeNetworkFacilitator {
  readonly scheme = ZK_RECEIPT_SCHEME;
  readonly caipFamily = "solana:*";
  private readonly o: ZkReceiptFacilitatorOptions;

  constructor(o: ZkReceiptFacilitatorOptions) {
    this.o = o;
  }

  getExtra(_network: Network): Record<string, unknown> | undefined {
    void _network;
    return { programId: this.o.client.programId.toBase58(), ...this.o.advertise };
  }

  getSigners(_network: string): string[] {
    void _network;
    return [this.o.client.payer.publicKey.toBase58()];
  }

  async verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse> {
    const bad = (invalidReason: ZkReceiptInvalidReason, invalidMessage: string): VerifyResponse => ({ isValid: false, invalidReason, invalidMessage });
    if (requirements.scheme !== ZK_RECEIPT_SCHEME) return bad("invalid_scheme", `scheme ${requirements.scheme}`);
    if (payload.accepted && (payload.accepted.scheme !== requirements.scheme || payload.accepted.network !== requirements.network)) {
      return bad("requirements_mismatch", "payload.accepted differs from the requirements");
    }
    let req, p;
    try {
      req = parseZkReceiptRequirements(requirements);
    } catch (e) {
      return bad("invalid_requirements", describe(e));
    }
    try {
      p = parseZkReceiptPayload(payload.payload);
    } catch (e) {
      return bad("invalid_payload", describe(e));
    }
    if (req.extra.programId !== this.o.client.programId.toBase58()) return bad("invalid_requirements", "extra.programId is not this facilitator's program");
    if (parseFieldElement(p.resourceHash) !== parseFieldElement(req.extra.resourceHash)) {
      return bad("resource_hash_mismatch", "payload.resourceHash differs from requirements.extra.resourceHash");
    }
    try {
      const config = await this.o.client.fetchConfig();
      if (config?.paused) return bad("program_paused", "payment verification is paused");
      const skew = config?.maxClockSkewSeconds ?? this.o.defaultSkewSeconds ?? 300;
      const clock = (this.o.clock ?? (() => Math.floor(Date.now() / 1000)))();
      if (Math.abs(p.now - clock) > skew) return bad("timestamp_out_of_range", `now ${p.now} is more than ${skew}s from ${clock}`);
      const spent = await this.o.client.fetchNullifier(p.nullifier);
      if (spent) return bad("nullifier_spent", `nullifier spent in slot ${spent.slot}`);
      if (this.o.simulate !== false) {
        const sim = await this.o.client.simulateVerify(verifyInputFromPayment(p, req));
        if (!sim.ok) {
          const name = sim.error?.programErrorName;
          return bad(name === "NullifierAlreadyUsed" ? "nullifier_spent" : name === "TimestampOutOfRange" ? "timestamp_out_of_range" : "invalid_proof", sim.error?.message ?? "simulation failed");
        }
      }
    } catch (e) {
      return bad("unexpected_verify_error", describe(e));
    }
    return { isValid: true };
  }

  async settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse> {
    const network = requirements.network;
    const v = await this.verify(payload, requirements);
    if (!v.isValid && v.invalidReason !== "nullifier_spent") {
      return { success: false, errorReason: v.invalidReason, errorMessage: v.invalidMessage, transaction: "", network };
    }
    const req = parseZkReceiptRequirements(requirements);
    const p = parseZkReceiptPayload(payload.payload);
    try {
      const r = await retryWithBackoff(() => this.o.client.verifyOnChain(verifyInputFromPayment(p, req)), { maxAttempts: 3, ...this.o.retry });
      return { success: true, transaction: r.signature ?? r.nullifierAccount.toBase58(), network, extra: { nullifierAccount: r.nullifierAccount.toBase58(), alreadySettled: r.alreadySettled } };
    } catch (e) {
      const reason = e instanceof X402ZkError && e.code === "NULLIFIER_SPENT" ? "nullifier_spent" : "unexpected_settle_error";
      return { success: false, errorReason: reason, errorMessage: describe(e), transaction: "", network };
    }
  }
}

/** Registers the TS facilitator scheme with an `x402Facilitator` for `networks`. */
export function registerZkReceiptFacilitator(facilitator: x402Facilitator, opts: ZkReceiptFacilitatorOptions & { networks: Network[] }): x402Facilitator {
  return facilitator.register(opts.networks, new ZkReceiptFacilitatorScheme(opts));
}
