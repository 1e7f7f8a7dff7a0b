/**
 * Node only: {@link FileReceiptStore}, the receipt wallet in one JSON file.
 *
 * - The file holds payment secrets, so it is created with mode 0600 (its directory, when created,
 *   0700), and an existing file that group or others may read is **refused** (`STORE_INSECURE`),
 *   not silently fixed: its secrets may already have been read, which the owner should know.
 *   `chmod 600 <file>` after checking, then start again.
 * - Every `put`/`delete` rewrites the whole file atomically (temporary file in the same directory,
 *   fsync, rename, fsync of the directory): a crash leaves the old or the new file, never half of one.
 * - A file that is not a receipt store (bad JSON, unknown version, an invalid entry) is refused with
 *   `STORE_CORRUPT` and left untouched: no operation of this store writes over it.
 * - One process per file: writes of one store instance are serialized; two processes writing the
 *   same file would overwrite each other's entries.
 */
import { lstat, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { StoreError, describe } from "./errors";
import { atomicWriteFile } from "./fs-atomic";
import { clone, entryProblem, type ReceiptEntry, type ReceiptStore } from "./wallet";

/** The file's format version. */
export const RECEIPT_STORE_VERSION = 1;

interface StoreFile {
  version: number;
  entries: ReceiptEntry[];
}

export class FileReceiptStore implements ReceiptStore {
  readonly path: string;
  private entries: Map<string, ReceiptEntry> | undefined;
  private loadError: StoreError | undefined;
  /** Serializes loads and writes of this instance. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  list(): Promise<ReceiptEntry[]> {
    return this.serial(async () => [...(await this.load()).values()].map(clone));
  }

  put(entry: ReceiptEntry): Promise<void> {
    return this.serial(async () => {
      const m = await this.load();
      const next = new Map(m);
      next.set(entry.id, clone(entry));
      await this.write(next);
      this.entries = next;
    });
  }

  delete(id: string): Promise<void> {
    return this.serial(async () => {
      const m = await this.load();
      if (!m.has(id)) return;
      const next = new Map(m);
      next.delete(id);
      await this.write(next);
      this.entries = next;
    });
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => {});
    return run;
  }

  private async load(): Promise<Map<string, ReceiptEntry>> {
    if (this.entries) return this.entries;
    if (this.loadError) throw this.loadError;
    try {
      this.entries = await this.read();
      return this.entries;
    } catch (e) {
      // Remember it: later writes must not replace a file we could not read.
      this.loadError = e instanceof StoreError ? e : new StoreError("STORE_IO", `receipt store ${this.path}: ${describe(e)}`, { path: this.path, cause: e });
      throw this.loadError;
    }
  }

  private async read(): Promise<Map<string, ReceiptEntry>> {
    let st;
    try {
      st = await lstat(this.path);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return new Map();
      throw e;
    }
    if (!st.isFile()) throw new StoreError("STORE_CORRUPT", `receipt store ${this.path} is not a regular file`, { path: this.path });
    if ((st.mode & 0o077) !== 0) {
      throw new StoreError(
        "STORE_INSECURE",
        `receipt store ${this.path} has mode ${(st.mode & 0o777).toString(8)}: group/others may read the payment secrets in it. ` +
          `Refusing to use it; check who could have read it, then \`chmod 600 ${this.path}\``,
        { path: this.path },
      );
    }
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) {
      throw new StoreError("STORE_INSECURE", `receipt store ${this.path} belongs to uid ${st.uid}, not to this process (uid ${process.getuid()})`, { path: this.path });
    }
    const text = await readFile(this.path, "utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new StoreError("STORE_CORRUPT", `receipt store ${this.path} is not valid JSON (${describe(e)}); left untouched`, { path: this.path, cause: e });
    }
    const f = parsed as Partial<StoreFile>;
    if (!f || typeof f !== "object" || f.version !== RECEIPT_STORE_VERSION || !Array.isArray(f.entries)) {
      throw new StoreError("STORE_CORRUPT", `receipt store ${this.path}: not a version ${RECEIPT_STORE_VERSION} receipt store; left untouched`, { path: this.path });
    }
    const m = new Map<string, ReceiptEntry>();
    f.entries.forEach((e, i) => {
      const problem = entryProblem(e);
      if (problem) throw new StoreError("STORE_CORRUPT", `receipt store ${this.path}: entry ${i}: ${problem}; left untouched`, { path: this.path });
      m.set(e.id, e);
    });
    return m;
  }

  private async write(m: Map<string, ReceiptEntry>): Promise<void> {
    const body: StoreFile = { version: RECEIPT_STORE_VERSION, entries: [...m.values()] };
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await atomicWriteFile(this.path, JSON.stringify(body, null, 1) + "\n", 0o600);
    } catch (e) {
      throw new StoreError("STORE_IO", `receipt store ${this.path}: write failed: ${describe(e)}`, { path: this.path, cause: e });
    }
  }
}
