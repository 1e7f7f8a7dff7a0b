/**
 * The worker thread behind prover-worker-host.ts (Node only): loads `@x402-zk/prover-wasm` and one
 * proving key (`workerData.provingKey`, copied in once when the worker starts), answers `ready` with
 * the key's vk hash, then proves one request per message. Nothing here logs: requests carry the
 * payer's secret and stay inside the process (the worker's message port).
 *
 * Messages (host → worker): `{ id, requestJson }`. Worker → host: `{ type: "ready", vkHash }`,
 * `{ type: "load-failed", code, message }`, `{ type: "result", id, proofJson, verified }`,
 * `{ type: "refused", id, stage: "prove" | "verify", message, trap }` (`trap`: the wasm trapped, its
 * memory may be inconsistent; the host then discards this worker).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WasmProverModule, WasmReceiptProver } from "./local-prover";

export type HostToWorker = { id: number; requestJson: string };
export type WorkerToHost =
  | { type: "ready"; vkHash: string }
  | { type: "load-failed"; code: "PROVER_LOAD_FAILED" | "PROVING_KEY_UNAVAILABLE"; message: string }
  | { type: "result"; id: number; proofJson: string; verified: boolean }
  | { type: "refused"; id: number; stage: "prove" | "verify"; message: string; trap: boolean };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function main(): void {
  const port = parentPort;
  if (!port) return; // loaded as a plain module: nothing to do
  const post = (m: WorkerToHost) => port.postMessage(m);
  const { provingKey, packageName } = workerData as { provingKey: Uint8Array; packageName: string };
  let mod: WasmProverModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(packageName) as Partial<WasmProverModule> & { default?: WasmProverModule };
    mod = (typeof m.ReceiptProver === "function" ? m : m.default) as WasmProverModule;
    if (typeof mod?.ReceiptProver !== "function") throw new Error(`${packageName} does not export ReceiptProver`);
  } catch (e) {
    post({ type: "load-failed", code: "PROVER_LOAD_FAILED", message: message(e) });
    return;
  }
  let prover: WasmReceiptProver;
  try {
    prover = new mod.ReceiptProver(provingKey);
  } catch (e) {
    post({ type: "load-failed", code: "PROVING_KEY_UNAVAILABLE", message: message(e) });
    return;
  }
  port.on("message", (m: HostToWorker) => {
    let proofJson: string;
    try {
      proofJson = prover.prove(m.requestJson);
    } catch (e) {
      post({ type: "refused", id: m.id, stage: "prove", message: message(e), trap: e instanceof WebAssembly.RuntimeError });
      return;
    }
    try {
      post({ type: "result", id: m.id, proofJson, verified: prover.verify(proofJson) });
    } catch (e) {
      post({ type: "refused", id: m.id, stage: "verify", message: message(e), trap: e instanceof WebAssembly.RuntimeError });
    }
  });
  post({ type: "ready", vkHash: prover.vkHash() });
}

main();
