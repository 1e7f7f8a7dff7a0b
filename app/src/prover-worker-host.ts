/**
 * Node only (uses `node:worker_threads`; local-prover.ts loads it by `import()` in Node only, so no
 * browser bundle contains it): a proving key loaded into `@x402-zk/prover-wasm` in a worker thread,
 * so a proof (seconds of CPU) does not stop the event loop. One worker per loaded key: started when
 * the key is opened (it answers the key's vk hash), reused, one proof at a time (later ones queue).
 * The key bytes are copied into the worker once, when it starts. The worker is `unref()`ed while idle,
 * so it never keeps the process alive; while a proof or a start is in flight it is ref'ed, so a script
 * awaiting only that proof does not exit under it. If the worker dies or fails, the proof in flight
 * fails with `ProverError` `PROVER_CRASHED` (`reason` `worker_exited`, `worker_error` or `wasm_trap`;
 * retryable) and the next proof starts a new worker. Requests (they carry the secret) only travel
 * through the worker's message port, inside the process; nothing here logs them.
 */
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { ProverError, describe } from "./errors";
import { MAX_PROVER_WORKERS, PROVER_WASM_PACKAGE, proverWorkersValid, keyRefused, proofRefused, verifyFailed, type LocalProver, type ReceiptProverHandle } from "./local-prover";
import type { HostToWorker, WorkerToHost } from "./prover-worker";

/** The worker script, emitted by tsc next to this module (dist/, build-test/src/). */
export const PROVER_WORKER_SCRIPT = join(__dirname, "prover-worker.js");

type ProofAnswer = { proofJson: string; verified: boolean };

function crashed(reason: "worker_exited" | "worker_error" | "wasm_trap", detail: string): ProverError {
  return new ProverError("PROVER_CRASHED", `${reason}: the local prover's worker thread failed (${detail}); the next proof starts a new one`, { reason, retryable: true });
}

/** A proving key loaded in a worker thread. */
export class WorkerProverHandle implements ReceiptProverHandle {
  readonly runsIn = "worker" as const;
  private hash: string | undefined;
  private current: { w: Worker; ready: Promise<Worker> } | undefined;
  private pending: { w: Worker; id: number; resolve: (a: ProofAnswer) => void; reject: (e: unknown) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private freed = false;

  private constructor(private readonly provingKey: Uint8Array) {}

  /** Starts a worker with `provingKey`; resolves once the key is loaded there. */
  static async open(provingKey: Uint8Array): Promise<WorkerProverHandle> {
    const h = new WorkerProverHandle(provingKey);
    await h.spawn();
    return h;
  }

  get vkHash(): string {
    return this.hash!;
  }

  proveAndVerify(requestJson: string): Promise<ProofAnswer> {
    const run = this.queue.then(() => this.runOne(requestJson));
    this.queue = run.catch(() => {});
    return run;
  }

  free(): void {
    this.freed = true;
    const w = this.current?.w;
    this.current = undefined;
    if (w) void w.terminate();
  }

  /** Stops the current worker, as a crash would (for tests). Resolves when it has exited. */
  async terminateWorker(): Promise<boolean> {
    const w = this.current?.w;
    if (!w) return false;
    await w.terminate();
    return true;
  }

  private async runOne(requestJson: string): Promise<ProofAnswer> {
    if (this.freed) throw new ProverError("PROVER_LOAD_FAILED", "LocalProver used after free()");
    const w = await (this.current?.ready ?? this.spawn());
    w.ref();
    try {
      return await new Promise<ProofAnswer>((resolve, reject) => {
        const id = this.nextId++;
        this.pending = { w, id, resolve, reject };
        w.postMessage({ id, requestJson } satisfies HostToWorker);
      });
    } finally {
      w.unref();
    }
  }

  private spawn(): Promise<Worker> {
    // workerData is copied into the worker once: the key does not travel with each proof.
    const w = new Worker(PROVER_WORKER_SCRIPT, { workerData: { provingKey: this.provingKey, packageName: PROVER_WASM_PACKAGE } });
    const ready = new Promise<Worker>((resolve, reject) => {
      let loaded = false;
      const died = (e: ProverError) => {
        if (this.current?.w === w) this.current = undefined;
        // Before `ready` the worker could not start (script or package missing, out of memory).
        if (!loaded) reject(e.code === "PROVER_CRASHED" ? new ProverError("PROVER_LOAD_FAILED", `the prover worker stopped before loading the key: ${e.message}`, { reason: e.reason, cause: e }) : e);
        const p = this.pending;
        if (p?.w === w) {
          this.pending = undefined;
          p.reject(e);
        }
      };
      w.on("message", (m: WorkerToHost) => {
        if (m.type === "ready") {
          if (this.hash !== undefined && m.vkHash !== this.hash) {
            died(new ProverError("PROVER_LOAD_FAILED", `the prover worker reloaded the key with vk hash ${m.vkHash}, not ${this.hash}`));
            void w.terminate();
            return;
          }
          this.hash = m.vkHash;
          loaded = true;
          w.unref();
          resolve(w);
        } else if (m.type === "load-failed") {
          died(
            m.code === "PROVING_KEY_UNAVAILABLE"
              ? keyRefused(this.provingKey.length, m.message)
              : new ProverError("PROVER_LOAD_FAILED", `could not load ${PROVER_WASM_PACKAGE} (local proving, worker thread): ${m.message}. Build it with scripts/build-wasm.sh, or configure remoteProver`),
          );
          void w.terminate();
        } else {
          const p = this.pending;
          if (!p || p.w !== w || p.id !== m.id) return;
          this.pending = undefined;
          if (m.type === "result") p.resolve({ proofJson: m.proofJson, verified: m.verified });
          else if (m.trap) {
            // The wasm trapped: its memory may be inconsistent, so this worker is not reused.
            died(crashed("wasm_trap", `${m.stage}: ${m.message}`));
            p.reject(crashed("wasm_trap", `${m.stage}: ${m.message}`));
            void w.terminate();
          } else p.reject(m.stage === "prove" ? proofRefused(m.message) : verifyFailed(m.message));
        }
      });
      w.on("error", (e) => died(crashed("worker_error", describe(e))));
      w.on("exit", (code) => died(crashed("worker_exited", `exit code ${code}`)));
    });
    ready.catch(() => {}); // also reported to whoever awaits it
    this.current = { w, ready };
    return ready;
  }
}

/**
 * Several workers with the same key, for a process that proves for many payers at once (an agent, a
 * load driver): one proof runs on one thread (the wasm prover has no threads), so `n` workers use up to
 * `n` cores. Each proof goes to the worker with the fewest proofs queued; each worker holds its own copy
 * of the key and its own wasm memory.
 */
export class WorkerPoolHandle implements ReceiptProverHandle {
  readonly runsIn = "worker" as const;
  private readonly queued: number[];
  /** Proofs each member has answered (or refused). */
  readonly answered: number[];

  constructor(readonly members: WorkerProverHandle[]) {
    this.queued = members.map(() => 0);
    this.answered = members.map(() => 0);
  }

  get vkHash(): string {
    return this.members[0]!.vkHash;
  }

  async proveAndVerify(requestJson: string): Promise<ProofAnswer> {
    const i = this.queued.indexOf(Math.min(...this.queued));
    this.queued[i]!++;
    try {
      return await this.members[i]!.proveAndVerify(requestJson);
    } finally {
      this.queued[i]!--;
      this.answered[i]!++;
    }
  }

  free(): void {
    for (const m of this.members) m.free();
  }
}

/**
 * Opens `provingKey` in `workers` new worker threads (default 1; what `LocalProver.open` does in Node
 * without a loader). With more than one, a {@link WorkerPoolHandle}; all must load the same key.
 */
export async function openInWorker(provingKey: Uint8Array, workers = 1): Promise<ReceiptProverHandle> {
  if (!proverWorkersValid(workers)) {
    throw new ProverError("PROVER_LOAD_FAILED", `proverWorkers must be an integer from 1 to ${MAX_PROVER_WORKERS}, not ${workers}`);
  }
  if (workers === 1) return WorkerProverHandle.open(provingKey);
  const opened = await Promise.allSettled(Array.from({ length: workers }, () => WorkerProverHandle.open(provingKey)));
  const members = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed || new Set(members.map((m) => m.vkHash)).size !== 1) {
    for (const m of members) m.free();
    throw failed ? failed.reason : new ProverError("PROVER_LOAD_FAILED", "the prover workers loaded keys with different vk hashes");
  }
  return new WorkerPoolHandle(members);
}

/** Test hook: terminates `prover`'s worker (a pool's first) as a crash would; false when it runs on the calling thread or has none. */
export async function terminateProverWorker(prover: LocalProver): Promise<boolean> {
  const h = prover.handle instanceof WorkerPoolHandle ? prover.handle.members[0] : prover.handle;
  return h instanceof WorkerProverHandle ? h.terminateWorker() : false;
}
