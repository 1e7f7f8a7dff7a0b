/**
 * Local proving with the WebAssembly prover (`@x402-zk/prover-wasm`, built from the same Rust
 * circuit code as the native prover): the payer's secret never leaves the process.
 *
 * The package is loaded lazily (first proof), so code that never proves locally never loads it.
 * `ReceiptProver.prove` takes exactly the prover service's `POST /v1/proofs` request body and
 * answers its response body (the circuits crate's `wire` types), so the SDK encodes both with the
 * same functions as for a remote prover (`proofRequestBody`, `parseProofResponse` in services.ts).
 *
 * Where the proof runs: a proof holds its thread for seconds. In Node, by default
 * ({@link LocalProver.open} without a loader), it runs in a `node:worker_threads` worker (one per
 * loaded key, see prover-worker-host.ts, a Node-only module loaded by `import()` only in Node), so the
 * event loop keeps serving sockets and timers meanwhile. With a loader (a browser's `init()`ed web
 * build, the `loadProver` option) or where no worker can be started, it runs on the calling thread.
 */
import { ProverError, describe } from "./errors";
import { nullifierFor, parseFieldElement, toHex32 } from "./encoding";
import { parseProofResponse, proofRequestBody, type ProofPublicParams, type ProofResult, type Receipt } from "./services";

/** What `@x402-zk/prover-wasm` exports (interface 1 of the session contract). */
export interface WasmReceiptProver {
  /** `0x` + 64 hex: SHA-256 of the groth16-solana verifying key (the on-chain `Config.vk_hash`). */
  vkHash(): string;
  prove(requestJson: string): string;
  verify(proofJson: string): boolean;
  free(): void;
}

export interface WasmProverModule {
  ReceiptProver: new (provingKey: Uint8Array) => WasmReceiptProver;
}

/** Most worker threads one key may prove in (Node; each holds the key and a wasm instance). */
export const MAX_PROVER_WORKERS = 16;

/** Whether `n` is a worker count {@link LocalProver.open} takes: an integer in 1..{@link MAX_PROVER_WORKERS}. */
export function proverWorkersValid(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_PROVER_WORKERS;
}

/** The npm name of the WebAssembly prover. */
export const PROVER_WASM_PACKAGE = "@x402-zk/prover-wasm";

let loaded: Promise<WasmProverModule> | undefined;

/** Loads `@x402-zk/prover-wasm` once (Node: its CommonJS entry, which instantiates the wasm synchronously). */
export function loadProverWasm(): Promise<WasmProverModule> {
  loaded ??= (async () => {
    const specifier: string = PROVER_WASM_PACKAGE; // a variable: the SDK compiles without the package present
    let m: Record<string, unknown>;
    try {
      m = (await import(specifier)) as Record<string, unknown>;
    } catch (cause) {
      throw new ProverError("PROVER_LOAD_FAILED", `could not load ${PROVER_WASM_PACKAGE} (local proving): ${describe(cause)}. Build it with scripts/build-wasm.sh, or configure remoteProver`, { cause });
    }
    const ns = (typeof m.ReceiptProver === "function" ? m : m.default) as Partial<WasmProverModule> | undefined;
    if (!ns || typeof ns.ReceiptProver !== "function") {
      throw new ProverError("PROVER_LOAD_FAILED", `${PROVER_WASM_PACKAGE} does not export ReceiptProver`);
    }
    return ns as WasmProverModule;
  })();
  loaded.catch(() => {
    loaded = undefined; // let a later call try again
  });
  return loaded;
}

/** `0x` + 64 lower-case hex digits, or undefined when `s` is not a 32-byte hash. */
export function normalizeVkHash(s: string): string | undefined {
  const m = /^(?:0x)?([0-9a-fA-F]{64})$/.exec(s.trim());
  return m ? "0x" + m[1]!.toLowerCase() : undefined;
}

/** The reason word a prover error message starts with (`amount_below_minimum: …` → `amount_below_minimum`). */
export function reasonWord(message: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9_-]*)/.exec(message)?.[1];
}

/** What one local proof needs: the receipt, the secret, and the statement's public values (`now` set). */
export interface LocalProofRequest {
  receipt: Receipt;
  secret: string | bigint;
  public: ProofPublicParams & { now: number };
}

/**
 * One proving key loaded into a WebAssembly prover, on this thread or in a worker. Errors are
 * {@link ProverError}s: `PROOF_REFUSED` (the statement does not hold; `reason` = the prover's reason
 * word), `PROOF_SELF_CHECK_FAILED` (verify threw), `PROVER_CRASHED` (the worker died; the next call
 * starts a new one).
 */
export interface ReceiptProverHandle {
  /** What `ReceiptProver.vkHash()` returned (not yet normalized). */
  readonly vkHash: string;
  /** Where the proofs run. */
  readonly runsIn: "worker" | "calling-thread";
  /** `prove(requestJson)`, then `verify` of its answer with the same key. */
  proveAndVerify(requestJson: string): Promise<{ proofJson: string; verified: boolean }>;
  free(): void;
}

/** `ReceiptProver` on the calling thread (the browser path, and Node with an explicit loader). */
export function openOnThisThread(mod: WasmProverModule, provingKey: Uint8Array): ReceiptProverHandle {
  let p: WasmReceiptProver | undefined;
  try {
    p = new mod.ReceiptProver(provingKey);
  } catch (cause) {
    throw keyRefused(provingKey.length, describe(cause), cause);
  }
  const vkHash = p.vkHash();
  return {
    vkHash,
    runsIn: "calling-thread",
    async proveAndVerify(requestJson) {
      if (!p) throw new ProverError("PROVER_LOAD_FAILED", "LocalProver used after free()");
      let proofJson: string;
      try {
        proofJson = p.prove(requestJson);
      } catch (cause) {
        throw proofRefused(describe(cause), cause);
      }
      try {
        return { proofJson, verified: p.verify(proofJson) };
      } catch (cause) {
        throw verifyFailed(describe(cause), cause);
      }
    },
    free() {
      p?.free();
      p = undefined;
    },
  };
}

/** `PROVING_KEY_UNAVAILABLE`: `new ReceiptProver(key)` threw `message`. */
export function keyRefused(bytes: number, message: string, cause?: unknown): ProverError {
  return new ProverError("PROVING_KEY_UNAVAILABLE", `the proving key (${bytes} bytes) could not be loaded: ${message}`, { reason: reasonWord(message), cause });
}

/** `PROOF_REFUSED`: `prove` threw `message` (starts with the prover's reason word, never holds the secret). */
export function proofRefused(message: string, cause?: unknown): ProverError {
  return new ProverError("PROOF_REFUSED", `local prover refused: ${message}`, { reason: reasonWord(message), cause });
}

/** `PROOF_SELF_CHECK_FAILED`: `verify` threw `message`. */
export function verifyFailed(message: string, cause?: unknown): ProverError {
  return new ProverError("PROOF_SELF_CHECK_FAILED", `local proof could not be checked: ${message}`, { reason: reasonWord(message), cause });
}

/** The Node-only worker host, or undefined outside Node or where it cannot be loaded (an ES-module bundle). */
async function workerHost(): Promise<{ openInWorker(provingKey: Uint8Array, workers?: number): Promise<ReceiptProverHandle> } | undefined> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return undefined;
  // A variable: bundlers (the browser build) neither follow nor bundle it; the CommonJS build
  // resolves it next to this file (dist/ or build-test/src/).
  const specifier: string = "./prover-worker-host.js";
  try {
    const m = (await import(specifier)) as { openInWorker?: unknown; default?: { openInWorker?: unknown } };
    const open = m.openInWorker ?? m.default?.openInWorker;
    return typeof open === "function" ? { openInWorker: open as (pk: Uint8Array, workers?: number) => Promise<ReceiptProverHandle> } : undefined;
  } catch {
    return undefined;
  }
}

/** A proving key loaded into the WebAssembly prover. Call {@link free} when done with it. */
export class LocalProver {
  /** `0x` + 64 lower-case hex digits. */
  readonly vkHash: string;
  /** @internal The loaded key (tests reach the worker through it). */
  readonly handle: ReceiptProverHandle;
  private freed = false;

  private constructor(handle: ReceiptProverHandle, vkHash: string) {
    this.handle = handle;
    this.vkHash = vkHash;
  }

  /** Where this key's proofs run. */
  get runsIn(): "worker" | "calling-thread" {
    return this.handle.runsIn;
  }

  /** Loads `provingKey` (the facilitator's `receipt.pk` bytes) into `mod` on the calling thread. */
  static create(mod: WasmProverModule, provingKey: Uint8Array): LocalProver {
    return LocalProver.fromHandle(openOnThisThread(mod, provingKey));
  }

  /**
   * Loads `provingKey`: with `load`, into that module on the calling thread; without, in Node into
   * `workers` worker threads (default 1; `@x402-zk/prover-wasm` loaded in each), elsewhere into
   * {@link loadProverWasm}'s module on the calling thread (`workers` is then ignored).
   */
  static async open(provingKey: Uint8Array, load?: () => Promise<WasmProverModule>, workers = 1): Promise<LocalProver> {
    if (!load) {
      const host = await workerHost();
      if (host) return LocalProver.fromHandle(await host.openInWorker(provingKey, workers));
    }
    return LocalProver.create(await (load ?? loadProverWasm)(), provingKey);
  }

  /** Wraps a loaded key; frees it and throws when its vk hash is not a 32-byte hash. */
  static fromHandle(handle: ReceiptProverHandle): LocalProver {
    const h = normalizeVkHash(handle.vkHash);
    if (!h) {
      handle.free();
      throw new ProverError("PROVER_LOAD_FAILED", `${PROVER_WASM_PACKAGE}: vkHash() did not return a 32-byte hex hash`);
    }
    return new LocalProver(handle, h);
  }

  /**
   * Proves, then verifies the proof with the same key before returning it (a proof the chain would
   * refuse fails here), and checks the nullifier is `Poseidon(secret, domain(programId))`.
   */
  async prove(req: LocalProofRequest): Promise<ProofResult & { ms: number }> {
    if (this.freed) throw new ProverError("PROVER_LOAD_FAILED", "LocalProver used after free()");
    const secret = parseFieldElement(req.secret, "secret");
    // The prover service's `POST /v1/proofs` body (circuits `wire::ProofRequest`): one encoder for both.
    const request = proofRequestBody({ receipt: req.receipt, secret: secret.toString(), public: req.public });
    const t0 = Date.now();
    const { proofJson, verified } = await this.handle.proveAndVerify(JSON.stringify(request));
    const ms = Date.now() - t0;
    let result: ProofResult;
    try {
      result = parseProofResponse(JSON.parse(proofJson) as Record<string, unknown>);
    } catch (cause) {
      throw new ProverError("PROOF_SELF_CHECK_FAILED", `local prover answer: ${describe(cause)}`, { cause });
    }
    if (result.now !== req.public.now) throw new ProverError("PROOF_SELF_CHECK_FAILED", `local proof is for now=${result.now}, asked ${req.public.now}`);
    if (!verified) throw new ProverError("PROOF_SELF_CHECK_FAILED", "the local proof does not verify against the proving key's verifying key");
    const expected = toHex32(nullifierFor(secret, req.public.programId));
    if (result.nullifier !== expected) {
      throw new ProverError("PROOF_SELF_CHECK_FAILED", `local prover returned nullifier ${result.nullifier}, expected ${expected}`);
    }
    return { ...result, ms };
  }

  /** Releases the wasm memory holding the key (and its worker). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.handle.free();
  }
}
