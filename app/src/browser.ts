/**
 * `@x402-zk/sdk/browser`: what only a browser (or a worker) has — the receipt wallet and the
 * proving-key cache in IndexedDB. The counterpart of `@x402-zk/sdk/node` (files). Everything else a
 * browser payer needs is in `@x402-zk/sdk` and `@x402-zk/sdk/zk-receipt/client`, which import no
 * Node built-in.
 */
export * from "./wallet-indexeddb";
