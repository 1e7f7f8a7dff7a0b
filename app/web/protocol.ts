/**
 * Messages between the browser demo's page (web/main.ts) and its Web Worker (web/worker.ts), which
 * runs the whole x402 client: payment, receipt wallet (IndexedDB), WebAssembly proof, paid retry.
 * Types only: each bundle carries nothing of the other.
 */

/** What the demo server says about this deployment (GET /web/config.json). */
export interface DemoConfig {
  rpcUrl: string;
  network: string;
  resourcePath: string;
  /** URL of @x402-zk/prover-wasm's web entry (ES module with a default `init()`), or null when it is not built. */
  proverModuleUrl: string | null;
  localnet: boolean;
  /** Most base units this page agrees to pay per request. */
  maxPayment: string;
}

/** Page → worker: start the paid request. */
export interface StartMessage {
  type: "start";
  config: DemoConfig;
  /**
   * LOCALNET ONLY: the page's payer key (64-byte secret key, kept in the page's localStorage so a reload
   * resumes with the same payer and wallet), or null to make one. A real page passes a wallet adapter's
   * `signTransaction` through messages instead and never holds a key.
   */
  payerSecretKey: number[] | null;
}

/** Worker → page. */
export type WorkerMessage =
  /** One step to show (`detail`: JSON shown under it). */
  | { type: "row"; step: string; text: string; detail?: unknown }
  /** The payer key the worker made (the page stores it). */
  | { type: "payer"; publicKey: string; secretKey?: number[] }
  /**
   * A proof finished: how long it took, who proved (`local` = WebAssembly in this worker), and the
   * global scope the prover ran in as the worker itself sees it (`DedicatedWorkerGlobalScope`).
   */
  | { type: "proof"; ms: number; prover: string; scope: string }
  /** The paid response. */
  | { type: "response"; status: number; statusText: string; body: unknown; settlement?: unknown }
  /** The request failed. */
  | { type: "error"; error: string; code?: string }
  /** Nothing more will come. */
  | { type: "done"; ok: boolean };
