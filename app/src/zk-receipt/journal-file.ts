/**
 * Node only: the settlement journal on disk, so that a payment whose `/settle` answer was lost is
 * still served once after the resource server itself restarts. One JSON file per nullifier
 * (`<dir>/<nullifier hex>.json`), each write atomic and fsynced (`../fs-atomic`): a crash leaves
 * the old entry or the new one. `served` entries older than the retention are deleted when the
 * store opens (they are only a record; recovery never applies to them).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWriteFile } from "../fs-atomic";
import { DEFAULT_SERVED_RETENTION_MS, type JournalEntry, type JournalStore } from "./journal";

const NAME = /^0x[0-9a-f]{64}\.json$/;

export class FileJournalStore implements JournalStore {
  constructor(
    readonly dir: string,
    servedRetentionMs = DEFAULT_SERVED_RETENTION_MS,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const cutoff = Date.now() - servedRetentionMs;
    for (const name of readdirSync(dir)) {
      if (!NAME.test(name)) continue;
      const path = join(dir, name);
      try {
        if (statSync(path).mtimeMs >= cutoff) continue;
        const e = JSON.parse(readFileSync(path, "utf8")) as JournalEntry;
        if (e.state === "served") unlinkSync(path);
      } catch {
        // Unreadable entries stay for an operator to look at; they never block other nullifiers.
      }
    }
  }

  private path(nullifier: string): string {
    const name = `${nullifier}.json`;
    if (!NAME.test(name)) throw new Error(`journal: not a canonical nullifier key: ${nullifier}`);
    return join(this.dir, name);
  }

  async get(nullifier: string): Promise<JournalEntry | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(nullifier), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    return JSON.parse(text) as JournalEntry;
  }

  async put(entry: JournalEntry): Promise<void> {
    await atomicWriteFile(this.path(entry.nullifier), JSON.stringify(entry) + "\n");
  }
}
