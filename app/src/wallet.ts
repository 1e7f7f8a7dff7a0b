/**
 * The receipt wallet: what a payer must keep so that no failure after paying loses the payment.
 *
 * One {@link ReceiptEntry} per payment, keyed by its commitment `C = Poseidon(secret, 0)`. The
 * client writes it before paying (secret + the offer's terms), right after signing/sending (the
 * transaction signature), after attestation (the receipt), when a proof is handed out (the
 * nullifier and the proof's `now`), and marks it `spent` only once the nullifier account exists on
 * chain. A restarted client resumes every entry that is not spent: paid → attest, attested → prove.
 *
 * Stores: {@link MemoryReceiptStore} here (tests, short-lived processes: a crash loses it), and
 * `FileReceiptStore` (`wallet-file.ts`, Node: one JSON file, mode 0600, atomic writes). Browsers use
 * an IndexedDB store implementing the same interface.
 *
 * An entry holds the payer's secret: whoever reads the store can spend its receipts. Never log an
 * entry; {@link describeEntry} gives a loggable summary.
 */
import type { AttestResult } from "./services";

/**
 * Where a payment stands.
 * - `pending`: secret and offer written, nothing sent (a crash here never paid, unless a custom
 *   `pay` function was interrupted: then it may have, and the entry is left for the operator).
 * - `sent`: the signed transfer's signature is recorded (it may or may not have landed).
 * - `paid`: the transfer is finalized.
 * - `attested`: the attester's receipt is stored; ready to prove.
 * - `used`: a proof was handed out for it (nullifier, proof `now`); spent once the nullifier burns,
 *   usable again once that proof can no longer be accepted (`now` + the chain's clock skew passed).
 * - `spent`: the nullifier account exists on chain. Final.
 * - `failed`: the payment did not land, or the attester refused it for good (reason in `error`). Final.
 * - `expired`: the receipt is older than the offer's `maxAge` allows. Final (the money is gone).
 */
export type ReceiptState = "pending" | "sent" | "paid" | "attested" | "used" | "spent" | "failed" | "expired";

/** The states from which an entry can still serve a request. */
export const LIVE_STATES: readonly ReceiptState[] = ["pending", "sent", "paid", "attested", "used"];

/** The terms of the offer a payment was made for (all a resumed entry needs to finish). */
export interface OfferTerms {
  network: string;
  payTo: string;
  asset: string;
  /** Base units paid, decimal string. */
  amount: string;
  programId: string;
  attester: { x: string; y: string };
  attesterUrl: string;
}

export interface ReceiptEntry {
  /** The commitment `C` as `0x` + 64 hex digits: unique per payment. */
  id: string;
  state: ReceiptState;
  /** The payer's secret, decimal. Never log it. */
  secret: string;
  offer: OfferTerms;
  /** ms since epoch. */
  createdAt: number;
  updatedAt: number;
  /** Bought ahead of time (`prefetch`), not for a request in progress. */
  prefetched?: boolean;
  /** The client signed the transfer itself and recorded the signature before sending it. */
  presigned?: boolean;
  /** The transfer's signature (base58). */
  signature?: string;
  /** The signed transfer, base64: re-sent as is after a crash (the same bytes can land at most once). */
  rawTx?: string;
  /** The transfer's blockhash is valid up to this block height (to tell "never landed" from "pending"). */
  lastValidBlockHeight?: number;
  /** The attester's answer. */
  receipt?: AttestResult;
  /** `0x` hex, set once a proof was handed out. */
  nullifier?: string;
  /** The `now` of the last proof handed out (unix seconds). */
  usedNow?: number;
  /** `resourceHash` of the last proof handed out: a retry of that resource may re-present the receipt. */
  usedResourceHash?: string;
  /**
   * The last request that presented this receipt got no definitive answer (no response, a 502, a
   * settle failure other than `nullifier_already_used`): if its nullifier burned, the settle answer
   * was lost and the merchant serves a retry once (docs/PROTOCOL.md §Flow 6, "Lost settle answers").
   */
  unanswered?: boolean;
  /** Times the receipt was re-presented for such a retry; bounded by the scheme. */
  recoveryTries?: number;
  /** Why the entry is `failed`/`expired`, or the last transient error. */
  error?: string;
}

/** Persistence for {@link ReceiptEntry} values. Implementations must make `put` durable before resolving. */
export interface ReceiptStore {
  /** Every entry (any state). */
  list(): Promise<ReceiptEntry[]>;
  /** Inserts or replaces the entry with `entry.id`. Durable when it resolves. */
  put(entry: ReceiptEntry): Promise<void>;
  /** Removes an entry (e.g. a `spent` one the caller no longer wants). */
  delete(id: string): Promise<void>;
}

/** Keeps entries in memory only: for tests and for processes that accept losing them on a crash. */
export class MemoryReceiptStore implements ReceiptStore {
  private readonly entries = new Map<string, ReceiptEntry>();

  async list(): Promise<ReceiptEntry[]> {
    return [...this.entries.values()].map(clone);
  }

  async put(entry: ReceiptEntry): Promise<void> {
    this.entries.set(entry.id, clone(entry));
  }

  async delete(id: string): Promise<void> {
    this.entries.delete(id);
  }
}

/** A deep copy (entries are plain JSON). */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A loggable summary of an entry: never the secret. */
export function describeEntry(e: ReceiptEntry): string {
  return `receipt ${e.id.slice(0, 10)}… ${e.state} (${e.offer.amount} of ${e.offer.asset} to ${e.offer.payTo}${e.signature ? `, tx ${e.signature.slice(0, 12)}…` : ""})`;
}

/** What an offer requires of a stored receipt to serve it. */
export interface OfferMatch {
  network: string;
  payTo: string;
  asset: string;
  programId: string;
  attester: { x: string; y: string };
  /** Minimum amount, base units. */
  amount: bigint;
}

/**
 * True when a payment made under `terms` can serve an offer asking `want`: same network, merchant,
 * asset, program and attester key, and at least the amount asked. (`maxAge` is checked against the
 * receipt's `paidAt` separately, once it is known.)
 */
export function termsServe(terms: OfferTerms, want: OfferMatch): boolean {
  return (
    terms.network === want.network &&
    terms.payTo === want.payTo &&
    terms.asset === want.asset &&
    terms.programId === want.programId &&
    BigInt(terms.attester.x) === BigInt(want.attester.x) &&
    BigInt(terms.attester.y) === BigInt(want.attester.y) &&
    BigInt(terms.amount) >= want.amount
  );
}

/**
 * Validates a value read from a store as a {@link ReceiptEntry}; returns an error string when it is
 * not one (the store then refuses the whole file rather than dropping entries silently).
 */
export function entryProblem(v: unknown): string | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return "not an object";
  const e = v as Record<string, unknown>;
  if (typeof e.id !== "string" || !/^0x[0-9a-f]{64}$/.test(e.id)) return "id is not a 0x-hex commitment";
  if (typeof e.state !== "string" || !["pending", "sent", "paid", "attested", "used", "spent", "failed", "expired"].includes(e.state)) return `unknown state ${String(e.state)}`;
  if (typeof e.secret !== "string" || !/^[0-9]{1,80}$/.test(e.secret)) return "secret missing";
  const o = e.offer as Record<string, unknown> | undefined;
  if (!o || typeof o !== "object") return "offer missing";
  for (const k of ["network", "payTo", "asset", "amount", "programId", "attesterUrl"]) if (typeof o[k] !== "string") return `offer.${k} missing`;
  const a = o.attester as Record<string, unknown> | undefined;
  if (!a || typeof a.x !== "string" || typeof a.y !== "string") return "offer.attester missing";
  if (typeof e.createdAt !== "number" || typeof e.updatedAt !== "number") return "timestamps missing";
  if ((e.state === "attested" || e.state === "used") && !e.receipt) return `${e.state} without a receipt`;
  if (e.state === "used" && typeof e.nullifier !== "string") return "used without a nullifier";
  return undefined;
}
