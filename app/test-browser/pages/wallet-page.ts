// Bundled for Chromium by wallet.test.ts: exposes the SDK's browser modules to page.evaluate.
import { Keypair, SystemProgram, Transaction } from "@solana/web3.js";
import * as encoding from "../../src/encoding";
import { signWith, type TransactionSigner } from "../../src/chain";
import { IDB_DEFAULT_NAME, IndexedDbProvingKeyCache, IndexedDbReceiptStore } from "../../src/wallet-indexeddb";

/** A wallet adapter as a browser wallet exposes it: the key stays inside, only signTransaction. */
function walletOf(kp: Keypair): TransactionSigner {
  return {
    publicKey: kp.publicKey,
    async signTransaction(tx) {
      tx.partialSign(kp);
      return tx;
    },
  };
}

const sdk = { encoding, signWith, walletOf, Keypair, SystemProgram, Transaction, IDB_DEFAULT_NAME, IndexedDbProvingKeyCache, IndexedDbReceiptStore };

declare global {
  interface Window {
    sdk: typeof sdk;
    __ready: boolean;
  }
}
window.sdk = sdk;
window.__ready = true;
