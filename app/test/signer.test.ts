// Paying with a wallet adapter's signTransaction as well as a Keypair (chain.ts signWith).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Keypair, SystemProgram, Transaction } from "@solana/web3.js";
import { ProgramError, isTransactionSigner, memoInstruction, signWith, type TransactionSigner } from "../src/index";

function transferTx(from: Keypair, coSigner?: Keypair): Transaction {
  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 }));
  if (coSigner) tx.add(memoInstruction("x402-zk:test", coSigner.publicKey));
  tx.recentBlockhash = Keypair.generate().publicKey.toBase58(); // any 32 bytes: signing is offline
  tx.feePayer = from.publicKey;
  return tx;
}

/** A wallet adapter as browsers have it: the key stays inside, only signTransaction is exposed. */
function walletOf(kp: Keypair, log: string[] = []): TransactionSigner {
  return {
    publicKey: kp.publicKey,
    async signTransaction(tx) {
      log.push("wallet");
      tx.partialSign(kp);
      return tx;
    },
  };
}

test("a Keypair signs as before; a wallet is told apart from a key pair", async () => {
  const kp = Keypair.generate();
  assert.equal(isTransactionSigner(kp), false);
  assert.equal(isTransactionSigner(walletOf(kp)), true);
  const tx = await signWith(transferTx(kp), [kp]);
  assert.ok(tx.verifySignatures());
});

test("a wallet signTransaction signs the payment, after the key-pair co-signers", async () => {
  const payer = Keypair.generate();
  const co = Keypair.generate();
  const log: string[] = [];
  const tx = await signWith(transferTx(payer, co), [walletOf(payer, log), co]);
  assert.deepEqual(log, ["wallet"]);
  assert.ok(tx.verifySignatures(), "both signatures present and valid");
  assert.doesNotThrow(() => tx.serialize());
});

test("a wallet that refuses is PAYMENT_FAILED; one that does not sign leaves the tx unverifiable", async () => {
  const payer = Keypair.generate();
  const refusing: TransactionSigner = {
    publicKey: payer.publicKey,
    signTransaction: async () => {
      throw new Error("User rejected the request.");
    },
  };
  await assert.rejects(signWith(transferTx(payer), [refusing]), (e: unknown) => e instanceof ProgramError && e.code === "PAYMENT_FAILED" && /rejected/.test(e.message));
  const lazy: TransactionSigner = { publicKey: payer.publicKey, signTransaction: async (tx) => tx };
  const tx = await signWith(transferTx(payer), [lazy]);
  assert.equal(tx.verifySignatures(), false);
});
