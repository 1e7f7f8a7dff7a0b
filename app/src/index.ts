/**
 * @x402-zk/sdk — private, replay-proof x402 payments on Solana.
 *
 * Entry points: this module (program client, prover/attester calls, encodings, retry, RPC
 * fallback) and one per role of the `zk-receipt` scheme, as in `@x402/svm`:
 * `@x402-zk/sdk/zk-receipt/client`, `/server`, `/facilitator`.
 */
export * from "./errors";
export * from "./encoding";
export * from "./retry";
export * from "./rpc";
export * from "./services";
export * from "./chain";
export * from "./prover";
export * from "./program";
export * from "./zk-receipt/types";
export * from "./wallet";
export * from "./local-prover";
export * from "./proving-key";
export * from "./remote-prover";
