/**
 * Node only: {@link FileProvingKeyCache}, proving keys on disk under `<dir>/<vk hash>.pk`, written
 * atomically (temporary file + fsync + rename), so a key is downloaded once per verifying key and a
 * crash never leaves half a key under the final name. The key is public; what makes a cached file
 * safe to use is the vk-hash check against the chain, done on every load (`openCheckedProver`).
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWriteFile } from "./fs-atomic";
import { normalizeVkHash } from "./local-prover";
import type { ProvingKeyCache } from "./proving-key";

export class FileProvingKeyCache implements ProvingKeyCache {
  constructor(readonly dir: string) {}

  pathFor(vkHash: string): string {
    const h = normalizeVkHash(vkHash);
    if (!h) throw new Error(`not a vk hash: ${vkHash}`);
    return join(this.dir, `${h.slice(2)}.pk`);
  }

  async get(vkHash: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathFor(vkHash)));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async put(vkHash: string, key: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await atomicWriteFile(this.pathFor(vkHash), key, 0o644);
  }
}
