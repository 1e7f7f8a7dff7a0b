/**
 * The resource server's settlement journal: what it tried to settle, by nullifier, so that a
 * payment whose `/settle` answer was lost (the facilitator died or the connection dropped after
 * the transaction landed) is served exactly once when the payer retries, instead of being refused
 * as `nullifier_already_used` and paid again (docs/PROTOCOL.md §Flow 6, "Lost settle answers").
 *
 * Each entry goes `attempted` (a `/settle` was sent; its outcome may be unknown) → `settled`
 * (the facilitator's `POST /v1/settlement` confirmed the burn was for this payment) → `served`
 * (a settle succeeded for a request, so x402 core released that one response). Only an entry that
 * is not `served` and has no settle in flight in this process may be recovered; `serve` is the
 * one exclusive step, so of any number of requests carrying one nullifier at most one is served.
 *
 * The store is pluggable: {@link MemoryJournalStore} (default: survives a facilitator crash, not a
 * resource server restart) or `FileJournalStore` (`./journal-file`, durable, atomic writes). Every
 * server instance of one merchant must share one journal: the journal is what says "this payment
 * was attempted here and not yet served".
 */
import { parseFieldElement, toHex32 } from "../encoding";

export type JournalState = "attempted" | "settled" | "served";

export interface JournalEntry {
  /** 0x-hex, 32 bytes (the payload's nullifier, canonical). */
  nullifier: string;
  state: JournalState;
  /** `extra.resourceHash` of the requirements of the first attempt (for operators; the facilitator checks the burn). */
  resourceHash?: string;
  /** The burning transaction, once known. */
  transaction?: string;
  /** Unix ms of the first attempt and of the last change. */
  attemptedAt: number;
  updatedAt: number;
}

/** Where entries live. `put` must be durable when it resolves (for a durable store). */
export interface JournalStore {
  get(nullifier: string): Promise<JournalEntry | undefined>;
  put(entry: JournalEntry): Promise<void>;
}

/** How long a `served` entry is kept (it is only a record: recovery never applies to it). */
export const DEFAULT_SERVED_RETENTION_MS = 24 * 60 * 60 * 1000;
/** The in-memory store prunes `served` entries past retention once it holds this many. */
const MEMORY_PRUNE_AT = 10_000;

/** Entries in a `Map`: lost when the resource server restarts. */
export class MemoryJournalStore implements JournalStore {
  private readonly entries = new Map<string, JournalEntry>();
  constructor(private readonly servedRetentionMs = DEFAULT_SERVED_RETENTION_MS) {}

  async get(nullifier: string): Promise<JournalEntry | undefined> {
    const e = this.entries.get(nullifier);
    return e ? { ...e } : undefined;
  }

  async put(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.nullifier, { ...entry });
    if (this.entries.size > MEMORY_PRUNE_AT) {
      const cutoff = Date.now() - this.servedRetentionMs;
      for (const [k, e] of this.entries) if (e.state === "served" && e.updatedAt < cutoff) this.entries.delete(k);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The canonical key of a payload's nullifier, or `undefined` when it is not a field element. */
export function journalKey(nullifier: unknown): string | undefined {
  if (typeof nullifier !== "string") return undefined;
  try {
    return toHex32(parseFieldElement(nullifier, "nullifier"));
  } catch {
    return undefined;
  }
}

/** What {@link SettlementJournal.begin} decided for a settle. */
export type BeginResult =
  /** Send `/settle`; `prior` when an earlier attempt of this nullifier is recorded (its outcome unknown). */
  | { kind: "send"; prior: boolean }
  /** Already confirmed for this payment by `/v1/settlement`: serve with this transaction, send nothing. */
  | { kind: "recovered"; transaction: string }
  /** Served already, or a settle of it is in flight in this process: refuse. */
  | { kind: "refuse" };

export class SettlementJournal {
  /** Nullifiers with a `/settle` in flight in this process (never persisted: after a restart, none). */
  private readonly inFlight = new Set<string>();
  /** Per-nullifier queue: every transition of one nullifier runs alone. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly store: JournalStore = new MemoryJournalStore()) {}

  private async exclusive<T>(key: string, f: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(f, f);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  get(key: string): Promise<JournalEntry | undefined> {
    return this.store.get(key);
  }

  /** Before a `/settle`: records the attempt (durably) and marks it in flight, or says why not. */
  begin(key: string, resourceHash: string | undefined): Promise<BeginResult> {
    return this.exclusive(key, async () => {
      if (this.inFlight.has(key)) return { kind: "refuse" };
      const e = await this.store.get(key);
      if (e?.state === "served") return { kind: "refuse" };
      if (e?.state === "settled" && e.transaction) return { kind: "recovered", transaction: e.transaction };
      const now = Date.now();
      if (!e) await this.store.put({ nullifier: key, state: "attempted", resourceHash, attemptedAt: now, updatedAt: now });
      this.inFlight.add(key);
      return { kind: "send", prior: e !== undefined };
    });
  }

  /** After the `/settle` of {@link begin} ended, whatever the outcome. */
  end(key: string): void {
    this.inFlight.delete(key);
  }

  /** Whether a `nullifier_already_used` for `key` may be this merchant's own lost settlement. */
  recoverable(key: string): Promise<boolean> {
    return this.exclusive(key, async () => {
      if (this.inFlight.has(key)) return false;
      const e = await this.store.get(key);
      return e !== undefined && e.state !== "served";
    });
  }

  /** `/v1/settlement` confirmed the burn for this payment (not served yet). */
  settled(key: string, transaction: string): Promise<void> {
    return this.exclusive(key, async () => {
      const e = await this.store.get(key);
      if (!e || e.state === "served") return;
      await this.store.put({ ...e, state: "settled", transaction, updatedAt: Date.now() });
    });
  }

  /**
   * The one exclusive step: marks `key` served by `transaction` and returns true, or returns false
   * when it was served already (that request got the response; this one must not).
   */
  serve(key: string, transaction: string): Promise<boolean> {
    return this.exclusive(key, async () => {
      const e = await this.store.get(key);
      if (e?.state === "served") return false;
      const now = Date.now();
      await this.store.put({ nullifier: key, attemptedAt: now, ...e, state: "served", transaction, updatedAt: now });
      return true;
    });
  }
}
