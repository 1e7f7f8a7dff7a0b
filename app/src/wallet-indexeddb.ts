/**
 * Browsers: the receipt wallet ({@link IndexedDbReceiptStore}) and the proving-key cache
 * ({@link IndexedDbProvingKeyCache}) in IndexedDB, so a closed tab, a reload or a crashed browser
 * after paying leaves the payment's secret and receipt for the next page load to resume with, and the
 * proving key (megabytes) is downloaded once per verifying key.
 *
 * - One database (default {@link IDB_DEFAULT_NAME}) with two object stores: `receipts` (one record
 *   per {@link ReceiptEntry}, key = its commitment `id`) and `proving-keys` (key = vk hash).
 * - `put` resolves when its transaction **completes** with `durability: "strict"` (the browser has
 *   flushed it to disk), not when the request succeeds: the client writes an entry before paying and
 *   must not pay on a write that a crash would lose.
 * - Every record read back is validated ({@link entryProblem}); a bad one makes `list` fail with
 *   `STORE_CORRUPT` naming it, and nothing is dropped or rewritten.
 * - Records are per entry, so two tabs of one origin writing different entries never overwrite
 *   each other (unlike one file rewritten whole).
 *
 * The secrets are as safe as the origin: any script running on the page's origin can read this
 * database (an XSS can spend the receipts). Serve the paying page with a strict Content-Security-Policy.
 * No Node-only module is imported here.
 */
import { StoreError, describe } from "./errors";
import type { ProvingKeyCache } from "./proving-key";
import { clone, entryProblem, type ReceiptEntry, type ReceiptStore } from "./wallet";

/** The default database name. */
export const IDB_DEFAULT_NAME = "x402-zk-wallet";
/** Schema version of the database. */
export const IDB_VERSION = 1;
const RECEIPTS = "receipts";
const PROVING_KEYS = "proving-keys";
const ID_RE = /^0x[0-9a-f]{64}$/;

export interface IndexedDbStoreOptions {
  /** Database name (default {@link IDB_DEFAULT_NAME}); one per wallet. */
  name?: string;
  /** The IndexedDB factory (default `globalThis.indexedDB`: pages and workers). */
  indexedDB?: IDBFactory;
}

function fail(db: string, what: string, cause?: unknown): StoreError {
  return new StoreError("STORE_IO", `IndexedDB ${db}: ${what}${cause === undefined ? "" : `: ${describe(cause)}`}`, { path: db, cause });
}

/**
 * Opens (creating or upgrading) the wallet database. An upgrade waits while another tab holds an
 * older version open; our connections close themselves on `versionchange`, so that wait is short.
 */
function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let req: IDBOpenDBRequest;
    try {
      req = factory.open(name, IDB_VERSION);
    } catch (e) {
      reject(fail(name, "open failed", e));
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(RECEIPTS)) db.createObjectStore(RECEIPTS, { keyPath: "id" });
      if (!db.objectStoreNames.contains(PROVING_KEYS)) db.createObjectStore(PROVING_KEYS);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(fail(name, "open failed", req.error ?? undefined));
  });
}

/** One lazily opened connection, reopened after the browser or another tab closed it. */
class Connection {
  private db: Promise<IDBDatabase> | undefined;
  readonly name: string;
  private readonly factory: IDBFactory | undefined;

  constructor(o: IndexedDbStoreOptions) {
    this.name = o.name ?? IDB_DEFAULT_NAME;
    this.factory = o.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  }

  private open(): Promise<IDBDatabase> {
    if (!this.factory) return Promise.reject(fail(this.name, "no IndexedDB in this environment (globalThis.indexedDB is missing)"));
    if (this.db) return this.db;
    const p = openDatabase(this.factory, this.name);
    this.db = p;
    const forget = () => {
      if (this.db === p) this.db = undefined;
    };
    p.then((db) => {
      db.onclose = forget; // closed by the browser (storage cleared, disk error)
      db.onversionchange = () => {
        // Another tab wants a newer schema: let it; the next call here reopens.
        db.close();
        forget();
      };
    }, forget); // a failed open is tried again by the next call
    return p;
  }

  /**
   * Runs `body` in one transaction on `store` and resolves with its result once the transaction
   * completed (for `readwrite`, durably: `durability: "strict"`).
   */
  async run<T>(store: string, mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const begin = (db: IDBDatabase) => (mode === "readwrite" ? db.transaction(store, mode, { durability: "strict" }) : db.transaction(store, mode));
    let db = await this.open();
    let tx: IDBTransaction;
    try {
      tx = begin(db);
    } catch {
      // The connection was closed under us (InvalidStateError): open a new one, once.
      if (this.db) this.db = undefined;
      db = await this.open();
      try {
        tx = begin(db);
      } catch (e) {
        throw fail(this.name, `${mode} transaction on ${store} refused`, e);
      }
    }
    return new Promise<T>((resolve, reject) => {
      let req: IDBRequest<T>;
      try {
        req = body(tx.objectStore(store));
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished
        }
        reject(fail(this.name, `${store}: request refused`, e));
        return;
      }
      tx.oncomplete = () => resolve(req.result);
      // A failed request aborts the transaction (its error is not prevented), so nothing half-written
      // is ever reported as stored.
      tx.onabort = () => reject(fail(this.name, `${mode} transaction on ${store} aborted`, tx.error ?? req.error ?? undefined));
    });
  }

  close(): void {
    const p = this.db;
    this.db = undefined;
    p?.then(
      (db) => db.close(),
      () => {},
    );
  }
}

/**
 * The receipt wallet in IndexedDB (a `ReceiptStore` for `ZkReceiptClientScheme`'s `store` option).
 * Construct it and use it: the database opens on first use.
 */
export class IndexedDbReceiptStore implements ReceiptStore {
  private readonly conn: Connection;

  constructor(opts: IndexedDbStoreOptions = {}) {
    this.conn = new Connection(opts);
  }

  /** The database name. */
  get name(): string {
    return this.conn.name;
  }

  async list(): Promise<ReceiptEntry[]> {
    const rows: unknown[] = await this.conn.run<unknown[]>(RECEIPTS, "readonly", (s) => s.getAll());
    rows.forEach((row, i) => {
      const problem = entryProblem(row);
      if (problem) {
        const id = typeof (row as { id?: unknown })?.id === "string" ? (row as { id: string }).id : `#${i}`;
        throw new StoreError("STORE_CORRUPT", `IndexedDB ${this.name}: receipt ${id}: ${problem}; left untouched`, { path: this.name });
      }
    });
    return rows as ReceiptEntry[];
  }

  async put(entry: ReceiptEntry): Promise<void> {
    if (typeof entry?.id !== "string" || !ID_RE.test(entry.id)) {
      throw new StoreError("STORE_IO", `IndexedDB ${this.name}: refusing to write an entry whose id is not a 0x-hex commitment`, { path: this.name });
    }
    const record = clone(entry); // plain JSON, as every store keeps it
    await this.conn.run(RECEIPTS, "readwrite", (s) => s.put(record));
  }

  async delete(id: string): Promise<void> {
    await this.conn.run(RECEIPTS, "readwrite", (s) => s.delete(id));
  }

  /** Closes the connection (it reopens on the next call). */
  close(): void {
    this.conn.close();
  }
}

/**
 * Proving keys by verifying-key hash in IndexedDB (a `ProvingKeyCache` for the client's `keyCache`
 * option). The client checks a cached key's vk hash against the chain before using it, so a stale or
 * tampered record is refused there, never trusted here.
 */
export class IndexedDbProvingKeyCache implements ProvingKeyCache {
  private readonly conn: Connection;

  constructor(opts: IndexedDbStoreOptions = {}) {
    this.conn = new Connection(opts);
  }

  get name(): string {
    return this.conn.name;
  }

  async get(vkHash: string): Promise<Uint8Array | undefined> {
    const v: unknown = await this.conn.run<unknown>(PROVING_KEYS, "readonly", (s) => s.get(vkHash));
    if (v === undefined) return undefined;
    if (v instanceof Uint8Array) return v;
    if (v instanceof ArrayBuffer) return new Uint8Array(v);
    throw new StoreError("STORE_CORRUPT", `IndexedDB ${this.name}: proving key ${vkHash} is not bytes`, { path: this.name });
  }

  async put(vkHash: string, key: Uint8Array): Promise<void> {
    const copy = key.slice(); // its own buffer, not a view into a larger one
    await this.conn.run(PROVING_KEYS, "readwrite", (s) => s.put(copy, vkHash));
  }

  /** Removes every cached key. */
  async clear(): Promise<void> {
    await this.conn.run(PROVING_KEYS, "readwrite", (s) => s.clear());
  }

  close(): void {
    this.conn.close();
  }
}
