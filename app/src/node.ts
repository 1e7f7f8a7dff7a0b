/**
 * `@x402-zk/sdk/node`: the Node-only parts of the client (they use `node:fs`): the receipt wallet
 * in a file and the proving-key cache on disk. The browser build never imports this module.
 *
 * ```ts
 * const scheme = new ZkReceiptClientScheme({
 *   connection, payer,
 *   store: new FileReceiptStore(`${home}/.x402-zk/receipts.json`),
 *   keyCache: new FileProvingKeyCache(`${home}/.cache/x402-zk/keys`),
 * });
 * ```
 */
export { FileReceiptStore, RECEIPT_STORE_VERSION } from "./wallet-file";
export { FileProvingKeyCache } from "./proving-key-file";
export { atomicWriteFile } from "./fs-atomic";
/** The resource server's durable settlement journal (`zk-receipt/facilitator`'s `SettlementJournal`). */
export { FileJournalStore } from "./zk-receipt/journal-file";
