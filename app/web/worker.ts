/**
 * The browser demo's Web Worker (bundled by web/build.mjs into web/dist/worker.js, started by
 * web/main.ts as a module worker): runs the whole x402 client off the page's main thread, as the
 * SDK advises for browsers (`loadProver` proves on the calling thread). It pays for the offer
 * through @x402/fetch with the zk-receipt scheme, keeps the receipt in the IndexedDB wallet (the
 * same origin's database as a page would use), loads @x402-zk/prover-wasm's web build here and
 * proves here, so a proof's seconds of CPU never freeze the page. Every step goes to the page as a
 * message (web/protocol.ts); the page draws it.
 *
 * LOCALNET ONLY: the payer is a key pair the page keeps in localStorage (workers have none, so the
 * page hands it over), funded by the local validator's airdrop. A real page would take a wallet
 * adapter: the client only calls `signTransaction` (see `walletAdapterOf`).
 */
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey, type Transaction } from "@solana/web3.js";
import { x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import type { Network } from "@x402/core/types";
import { describe } from "../src/errors";
import type { TransactionSigner } from "../src/chain";
import type { WasmProverModule } from "../src/local-prover";
import { registerZkReceiptClient, type ZkReceiptStep } from "../src/zk-receipt/client";
import { wrapFetchWithZkPayment } from "../src/zk-receipt/fetch";
import { IndexedDbProvingKeyCache, IndexedDbReceiptStore } from "../src/wallet-indexeddb";
import type { StartMessage, WorkerMessage } from "./protocol";

/** This worker's global scope, typed for what it uses (the project's `lib` is the DOM's). */
const scope = globalThis as unknown as {
  postMessage(m: WorkerMessage): void;
  onmessage: ((e: MessageEvent<StartMessage>) => void) | null;
};

const post = (m: WorkerMessage): void => scope.postMessage(m);
const row = (step: string, text: string, detail?: unknown): void => post({ type: "row", step, text, detail });

/** The constructor name of the scope code runs in: `DedicatedWorkerGlobalScope` here, `Window` on a page. */
function scopeName(): string {
  return (Object.getPrototypeOf(globalThis) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "unknown";
}

function short(s: string, n = 10): string {
  return s.length > 2 * n + 1 ? `${s.slice(0, n)}…${s.slice(-n)}` : s;
}

/** A wallet adapter over a key pair: what `@solana/wallet-adapter` gives a page (signTransaction only). */
function walletAdapterOf(kp: Keypair): TransactionSigner {
  return {
    publicKey: kp.publicKey,
    async signTransaction(tx: Transaction) {
      tx.partialSign(kp);
      return tx;
    },
  };
}

/** The page's payer (LOCALNET ONLY): the key the page kept, or a new one the page then keeps. */
function payerOf(secretKey: number[] | null): Keypair {
  if (secretKey) {
    try {
      const kp = Keypair.fromSecretKey(Uint8Array.from(secretKey));
      post({ type: "payer", publicKey: kp.publicKey.toBase58() });
      return kp;
    } catch {
      // not a key: make a new one
    }
  }
  const kp = Keypair.generate();
  post({ type: "payer", publicKey: kp.publicKey.toBase58(), secretKey: Array.from(kp.secretKey) });
  return kp;
}

/** Airdrop requests before the page gives up (30 s each). */
const AIRDROP_TRIES = 3;

async function fund(connection: Connection, who: PublicKey, atLeast: bigint): Promise<void> {
  const balance = BigInt(await connection.getBalance(who, "confirmed"));
  if (balance >= atLeast) {
    row("funds", `payer ${short(who.toBase58(), 6)} has ${Number(balance) / LAMPORTS_PER_SOL} SOL`);
    return;
  }
  // A busy local validator can drop the faucet's transaction (seen once in CI, with the other test
  // lane loading the machine): one not confirmed within 30 s is asked for again, three times at most,
  // unless the balance shows an earlier one landed after all.
  for (let attempt = 1; attempt <= AIRDROP_TRIES; attempt++) {
    const sig = await connection.requestAirdrop(who, 2 * LAMPORTS_PER_SOL);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const st = (await connection.getSignatureStatuses([sig])).value[0];
      if (st?.err) throw new Error(`airdrop failed: ${JSON.stringify(st.err)}`);
      if (st?.confirmationStatus === "confirmed" || st?.confirmationStatus === "finalized") {
        row("funds", `localnet airdrop: 2 SOL to the page's payer ${short(who.toBase58(), 6)}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    if (BigInt(await connection.getBalance(who, "confirmed")) >= atLeast) {
      row("funds", `localnet airdrop: landed late; the page's payer ${short(who.toBase58(), 6)} is funded`);
      return;
    }
  }
  throw new Error(`airdrop did not confirm in ${AIRDROP_TRIES} tries of 30 s`);
}

function onStep(s: ZkReceiptStep): void {
  switch (s.step) {
    case "requirements":
      return row("requirements", `${s.requirements.amount} lamports to ${short(s.requirements.payTo, 6)} on ${s.requirements.network}`, {
        scheme: "zk-receipt",
        amount: s.requirements.amount.toString(),
        asset: s.requirements.asset,
        payTo: s.requirements.payTo,
        extra: s.requirements.extra,
      });
    case "stored":
      return row("wallet", `using a receipt from the IndexedDB wallet (${s.state}${s.prefetched ? ", bought ahead" : ""}): no new payment`);
    case "paying":
      return row("paying", `transfer with memo x402-zk:${short(s.commitment)} (the secret stays in this browser)`);
    case "paid":
      return row("paid", `finalized: ${short(s.signature, 12)}`);
    case "receipt":
      return row("receipt", `attester signed: paidAt ${s.receipt.receipt.paidAt}, amount ${s.receipt.receipt.amount}`);
    case "proof": {
      // onStep runs where the client runs: this worker, which is also where the prover was loaded.
      const where = scopeName();
      post({ type: "proof", ms: s.ms, prover: s.prover, scope: where });
      const by = s.prover === "local" ? `WebAssembly in a Web Worker (${where}); the page stayed responsive` : "remote prover";
      return row("proof", `Groth16 proof in ${s.ms} ms (${by}), nullifier ${short(s.nullifier)}`);
    }
    case "payload":
      return row("payload", `retrying GET with PAYMENT-SIGNATURE`, { ...s.payload, proof: `${s.payload.proof.slice(0, 32)}… (${s.payload.proof.length} base64 chars)` });
    case "spent":
      return row("spent", `receipt ${short(s.id)} spent: nullifier account on chain`);
    case "failed":
      return row("failed", `receipt ${short(s.id)}: ${s.error}`);
    case "released":
    case "prefetch-error":
    case "warning":
      return row(s.step, JSON.stringify(s));
  }
}

async function loadProver(url: string): Promise<WasmProverModule> {
  const t = performance.now();
  const mod = (await import(/* @vite-ignore */ url)) as WasmProverModule & { default: () => Promise<unknown> };
  await mod.default(); // fetch + instantiate the .wasm next to the module
  row("prover", `WebAssembly prover loaded in the worker (${scopeName()}) in ${Math.round(performance.now() - t)} ms`);
  return mod;
}

async function run(m: StartMessage): Promise<void> {
  const cfg = m.config;
  const connection = new Connection(cfg.rpcUrl, "confirmed");
  const kp = payerOf(m.payerSecretKey);
  await fund(connection, kp.publicKey, BigInt(cfg.maxPayment) + 10_000_000n);

  const proverUrl = new URL(cfg.proverModuleUrl!, location.href).href;
  const network = cfg.network as Network;
  const client = registerZkReceiptClient(new x402Client(), {
    networks: [network],
    connection,
    payer: walletAdapterOf(kp),
    store: new IndexedDbReceiptStore(),
    keyCache: new IndexedDbProvingKeyCache(),
    loadProver: () => loadProver(proverUrl),
    maxAmount: BigInt(cfg.maxPayment),
    onStep,
    allowAssets: [{ network, asset: "11111111111111111111111111111111", maxAmountPerPayment: cfg.maxPayment }],
  });
  const paidFetch = wrapFetchWithZkPayment(fetch.bind(globalThis), client);
  row("request", `GET ${cfg.resourcePath} (from the worker)`);
  const res = await paidFetch(new URL(cfg.resourcePath, location.href).href);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: show the text
  }
  const settle = res.headers.get("payment-response");
  post({ type: "response", status: res.status, statusText: res.statusText, body, settlement: settle ? decodePaymentResponseHeader(settle) : undefined });
  if (res.status !== 200) throw new Error(`the paid request answered ${res.status}`);
}

let started = false;
scope.onmessage = (e) => {
  if (e.data?.type !== "start" || started) return;
  started = true;
  run(e.data)
    .then(() => post({ type: "done", ok: true }))
    .catch((err: unknown) => {
      post({ type: "error", error: describe(err), code: (err as { code?: string }).code });
      post({ type: "done", ok: false });
    });
};
