/**
 * Client (payer) role of the `zk-receipt` scheme, for `x402Client` / `@x402/fetch`:
 *
 *   requirements → a stored receipt for this offer, or: random secret, C = Poseidon(secret, 0) →
 *   pay `amount` to `payTo` with memo `x402-zk:<C>` (finalized) → attester receipt → **local** proof
 *   (WebAssembly, key checked against the chain) → payload {proof, nullifier, now, resourceHash}
 *
 * The secret never leaves the process unless the payer configures a remote prover
 * (`remoteProver`); an offer's `extra.proverUrl` is never used. Every payment goes through the
 * receipt wallet ({@link ReceiptStore}): written before paying and after each step, resumed after a
 * crash, marked spent only once its nullifier account exists on chain. With `prefetch: n` the client
 * buys receipts ahead of time, so a paid request only proves.
 *
 * Each step is reported through `onStep` (never the secret), so a demo can tell the story.
 */
import { Buffer } from "buffer"; // explicit: browsers have no global Buffer
import type { x402Client } from "@x402/core/client";
import type { Network, PaymentPayloadResult, PaymentRequirements, SchemeNetworkClient } from "@x402/core/types";
import { Keypair, type Connection } from "@solana/web3.js";
import { ConfigError, ProverError, ServiceError, X402ZkError, describe } from "../errors";
import { commitment, commitmentMemo, parseFieldElement, randomFieldElement, toHex32 } from "../encoding";
import { signPaymentWithMemo, sendSignedPayment, waitForSignature, type PayerSigner, type SendOptions } from "../chain";
import { generateProof, obtainReceipt } from "../prover";
import type { AttestResult, ProofResult } from "../services";
import type { RetryOptions } from "../retry";
import { MAX_RECEIPT_AGE_SECONDS, VerifierClient, type VerifierConfig } from "../program";
import { LocalProver, MAX_PROVER_WORKERS, loadProverWasm, proverWorkersValid, type WasmProverModule } from "../local-prover";
import { openCheckedProver, type ProvingKeyCache } from "../proving-key";
import { checkRemoteProverUrl } from "../remote-prover";
import { MemoryReceiptStore, termsServe, type OfferMatch, type OfferTerms, type ReceiptEntry, type ReceiptState, type ReceiptStore } from "../wallet";
import { ZK_RECEIPT_SCHEME, parseZkReceiptRequirements, type ZkReceiptPayload, type ZkReceiptRequirements } from "./types";

/** One step of the payer flow, for logging. `background` marks a prefetch purchase (not on a request's path). */
export type ZkReceiptStep =
  | { step: "requirements"; requirements: ZkReceiptRequirements }
  | { step: "stored"; id: string; state: ReceiptState; prefetched: boolean }
  | { step: "paying"; payTo: string; asset: string; amount: string; commitment: string; background?: boolean }
  | { step: "paid"; signature: string; background?: boolean }
  | { step: "receipt"; receipt: AttestResult; background?: boolean }
  | { step: "proof"; nullifier: string; now: number; ms: number; prover: "local" | "remote" }
  | { step: "payload"; payload: ZkReceiptPayload }
  | { step: "spent"; id: string; nullifier: string }
  | { step: "released"; id: string }
  | { step: "failed"; id: string; error: string }
  | { step: "prefetch-error"; error: string; code?: string }
  | { step: "warning"; message: string };

/** How the payer pays: the default sends a real transfer; tests and custodial wallets plug in. */
export type PayFunction = (p: { payTo: string; asset: string; amount: bigint; memo: string }) => Promise<string>;

/** Most receipts `prefetch` may keep bought ahead per offer. */
export const MAX_PREFETCH = 16;
/** Most re-presentations of one receipt whose settle answer was lost (see `lostSettlement`). */
export const MAX_RECOVERY_TRIES = 3;
/** The facilitator's refusal of a nullifier that is burnt: a definitive answer. */
const NULLIFIER_ALREADY_USED = "nullifier_already_used";
/**
 * The facilitator's admission-limit refusal, passed on by the merchant as `503` + `Retry-After` with a
 * `PAYMENT-RESPONSE` `{success: false, errorReason: "overloaded"}`: nothing was checked or sent, so the
 * receipt is released at once for the retry (the same word as `x402_zk_encoding::Reason::Overloaded`).
 */
export const OVERLOADED = "overloaded";

export interface ZkReceiptClientOptions {
  /**
   * RPC connection (a {@link createRpcFallback} connection works). Needed unless `pay` is given, and
   * for local proving (it reads `Config.vk_hash`) and for marking receipts spent (nullifier accounts).
   */
  connection?: Connection;
  /** Pays and signs: a `Keypair` or a wallet adapter's `signTransaction` ({@link PayerSigner}); needed unless `pay` is given. */
  payer?: PayerSigner;
  /**
   * Custom payment (must put `memo` in a Memo-program instruction of the paying transaction and wait
   * for finalized). Its signature is known only when it returns, so a crash inside it leaves a
   * `pending` entry that is never paid again automatically.
   */
  pay?: PayFunction;
  /**
   * The receipt wallet. Default: a {@link MemoryReceiptStore} (lost with the process); in Node pass
   * a `FileReceiptStore` (`@x402-zk/sdk/node`) so a crash after paying loses nothing.
   */
  store?: ReceiptStore;
  /**
   * Prove on this prover service instead of locally. It receives the secret, the receipt, the amount
   * and the payment time (it can link the payment to the nullifier and spend the receipt first):
   * only one you run or trust. `https:`, or `http:` to a loopback host; anything else is refused
   * (`INSECURE_PROVER_URL`). Never taken from the offer.
   */
  remoteProver?: { url: string; timeoutMs?: number };
  /** The proving key (the facilitator's `receipt.pk`); checked against the chain like any other source. */
  provingKey?: Uint8Array;
  /** Where to download the proving key; default the offer's `extra.provingKeyUrl`. Checked against the chain. */
  provingKeyUrl?: string;
  /** Keeps proving keys that matched the chain, by vk hash (Node: `FileProvingKeyCache`). Default: memory. */
  keyCache?: ProvingKeyCache;
  /**
   * Loads the WebAssembly prover, which then proves on the calling thread (a browser passes its
   * `init()`ed web build; run the client in a Web Worker there). Default: in Node,
   * `@x402-zk/prover-wasm` in a worker thread per proving key (the event loop keeps running during a
   * proof); elsewhere `import("@x402-zk/prover-wasm")` on the calling thread.
   */
  loadProver?: () => Promise<WasmProverModule>;
  /**
   * Node, without `loadProver`: prove in this many worker threads side by side (default 1, at most
   * {@link MAX_PROVER_WORKERS}). For a process paying for many requests at once; each worker holds
   * its own copy of the key and wasm memory. Clients of one process with the same `proverWorkers`
   * share the workers.
   */
  proverWorkers?: number;
  /** Keep up to this many receipts per offer bought ahead of time (0 = off, at most {@link MAX_PREFETCH}). */
  prefetch?: number;
  /** Refuse offers above this many base units (default: no cap here; x402Client spend controls also apply). */
  maxAmount?: bigint;
  /** A stored receipt is used only while it has at least this many seconds of `maxAge` left (default 10). */
  minRemainingAgeSeconds?: number;
  /** Unix seconds (default: wall clock). */
  clock?: () => number;
  onStep?: (s: ZkReceiptStep) => void;
  retry?: RetryOptions;
  send?: SendOptions;
}

/** Re-read the chain's `Config` (vk hash, clock skew) at most this often. */
const CONFIG_TTL_MS = 60_000;

/**
 * Loaded provers, per loader, vk hash and worker count, shared by every client of the process: any key whose vk
 * hash matched the chain's is the same key, and each loaded key holds megabytes of wasm memory.
 */
const sharedProvers = new WeakMap<() => Promise<WasmProverModule>, Map<string, Promise<LocalProver>>>();
/** The `sharedProvers` key of the default (no `loadProver`): a worker thread in Node. */
const DEFAULT_LOADER = (): Promise<WasmProverModule> => loadProverWasm();

export class ZkReceiptClientScheme implements SchemeNetworkClient {
  readonly scheme = ZK_RECEIPT_SCHEME;
  readonly store: ReceiptStore;
  private readonly opts: ZkReceiptClientOptions;
  private readonly prefetchN: number;
  /** Entries a request or a purchase of this process is working on. */
  private readonly reserved = new Set<string>();
  /** Background purchases in flight, per offer key. */
  private readonly background = new Map<string, Set<Promise<void>>>();
  private readonly configs = new Map<string, { at: number; config: Promise<VerifierConfig> }>();
  private readonly verifiers = new Map<string, VerifierClient>();
  private readonly readOnlyKey = Keypair.generate();

  constructor(opts: ZkReceiptClientOptions) {
    if (!opts.pay && !(opts.connection && opts.payer)) {
      throw new ConfigError("CONFIG_INVALID", "ZkReceiptClientScheme needs either `pay` or both `connection` and `payer`");
    }
    if (opts.remoteProver) checkRemoteProverUrl(opts.remoteProver.url);
    else if (!opts.connection) {
      throw new ConfigError("CONFIG_INVALID", "local proving needs `connection`: the client checks its proving key against the chain's Config.vk_hash (or configure remoteProver)");
    }
    const n = opts.prefetch ?? 0;
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_PREFETCH) {
      throw new ConfigError("CONFIG_INVALID", `prefetch must be an integer in 0..${MAX_PREFETCH}, got ${opts.prefetch}`);
    }
    if (!proverWorkersValid(opts.proverWorkers ?? 1)) {
      throw new ConfigError("CONFIG_INVALID", `proverWorkers must be an integer in 1..${MAX_PROVER_WORKERS}, got ${opts.proverWorkers}`);
    }
    if (opts.provingKeyUrl !== undefined) {
      try {
        new URL(opts.provingKeyUrl);
      } catch (cause) {
        throw new ConfigError("CONFIG_INVALID", `provingKeyUrl is not a URL: ${opts.provingKeyUrl}`, { cause });
      }
    }
    this.prefetchN = n;
    this.store = opts.store ?? new MemoryReceiptStore();
    this.opts = opts;
  }

  async createPaymentPayload(x402Version: number, paymentRequirements: PaymentRequirements): Promise<PaymentPayloadResult> {
    const req = parseZkReceiptRequirements(paymentRequirements);
    this.step({ step: "requirements", requirements: req });
    this.checkAmount(req);
    const want = offerMatch(req);
    const entry = await this.acquire(req, want);
    try {
      const proof = await this.prove(entry, req);
      const used: ReceiptEntry = { ...entry, state: "used", nullifier: proof.nullifier, usedNow: proof.now, usedResourceHash: req.extra.resourceHash, unanswered: true, updatedAt: Date.now() };
      await this.store.put(used);
      const payload: ZkReceiptPayload = { proof: proof.proof, nullifier: proof.nullifier, now: proof.now, resourceHash: req.extra.resourceHash };
      this.step({ step: "payload", payload });
      return { x402Version, payload: { ...payload } };
    } catch (e) {
      if ((e instanceof ProverError && e.code === "PROOF_REFUSED") || (e instanceof ServiceError && e.code === "PROVER_REJECTED")) {
        // The statement does not hold for this receipt (e.g. it pays less than asked): it never will.
        await this.fail(entry, `prover refused: ${e instanceof ProverError ? (e.reason ?? e.message) : e.message}`);
      }
      throw e;
    } finally {
      this.reserved.delete(entry.id);
      this.topUp(req, want);
    }
  }

  /**
   * Buys receipts for this offer in the background until `prefetch` (or `n`) are ready or on the way.
   * Resolves when those purchases have ended; their failures are reported through `onStep`
   * (`prefetch-error`), never thrown.
   */
  async prefetch(paymentRequirements: PaymentRequirements, n = this.prefetchN): Promise<void> {
    const req = parseZkReceiptRequirements(paymentRequirements);
    this.checkAmount(req);
    const want = offerMatch(req);
    this.topUp(req, want, n);
    await Promise.allSettled([...(this.background.get(offerKey(want)) ?? [])]);
  }

  /**
   * Loads what proving for this offer needs ahead of the first request: the chain's `Config`, the
   * proving key (downloaded and checked against `Config.vk_hash`, or from the cache) and the
   * WebAssembly prover. No-op with a remote prover.
   */
  async warmUp(paymentRequirements: PaymentRequirements): Promise<void> {
    if (this.opts.remoteProver) return;
    await this.localProver(parseZkReceiptRequirements(paymentRequirements));
  }

  /** Waits for every background purchase to end. */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.background.values()].flatMap((s) => [...s]);
      if (all.length === 0) return;
      await Promise.allSettled(all);
    }
  }

  /**
   * Settles the wallet against the chain: every `used` entry whose nullifier account exists becomes
   * `spent`; one whose proof can no longer be accepted (its `now` + the chain's clock skew passed)
   * without the nullifier burnt becomes `attested` again (usable). Returns the entries after it.
   */
  async reconcile(): Promise<ReceiptEntry[]> {
    for (const e of await this.store.list()) {
      if (e.state === "used" && !this.reserved.has(e.id)) await this.reconcileUsed(e).catch((err: unknown) => this.step({ step: "warning", message: `reconcile ${e.id.slice(0, 10)}…: ${describe(err)}` }));
    }
    return this.store.list();
  }

  /** Waits for background purchases ({@link idle}). Loaded provers stay, shared by the process's clients. */
  async close(): Promise<void> {
    await this.idle();
  }

  // ---- acquiring a receipt -------------------------------------------------------------------

  /** A reserved entry in state `attested` that serves `want`: stored, resumed, awaited or bought now. */
  private async acquire(req: ZkReceiptRequirements, want: OfferMatch): Promise<ReceiptEntry> {
    for (let round = 0; ; round++) {
      const entries = (await this.store.list()).filter((e) => !this.reserved.has(e.id) && termsServe(e.offer, want));
      const lost = await this.lostSettlement(entries, req);
      if (lost) return lost;
      for (const e of entries.filter((x) => x.state === "used")) {
        await this.reconcileUsed(e).catch((err: unknown) => this.step({ step: "warning", message: `reconcile ${e.id.slice(0, 10)}…: ${describe(err)}` }));
      }
      for (const e of entries.filter((x) => x.state === "attested" && x.receipt && this.now() - x.receipt.receipt.paidAt > MAX_RECEIPT_AGE_SECONDS)) {
        // No offer can accept it any more (the chain caps maxAge): the money is gone.
        await this.update(e, { state: "expired", error: `older than ${MAX_RECEIPT_AGE_SECONDS} s, the largest receipt age any Config allows` });
      }
      const fresh = (await this.store.list())
        .filter((e) => !this.reserved.has(e.id) && termsServe(e.offer, want) && e.state === "attested" && this.receiptServes(e, req))
        .sort((a, b) => a.receipt!.receipt.paidAt - b.receipt!.receipt.paidAt); // the one expiring first
      const ready = fresh[0];
      if (ready) {
        this.reserved.add(ready.id);
        this.step({ step: "stored", id: ready.id, state: ready.state, prefetched: !!ready.prefetched });
        return ready;
      }
      // Paid (or sent) but not attested: finish those before paying again.
      const unfinished = entries.filter((e) => e.state === "sent" || e.state === "paid").sort((a, b) => a.createdAt - b.createdAt);
      for (const stale of unfinished) {
        if (this.reserved.has(stale.id)) continue;
        this.reserved.add(stale.id);
        // Re-read it: another request of this process may have finished and used it meanwhile.
        const e = (await this.store.list()).find((x) => x.id === stale.id);
        if (!e || (e.state !== "sent" && e.state !== "paid")) {
          this.reserved.delete(stale.id);
          continue;
        }
        this.step({ step: "stored", id: e.id, state: e.state, prefetched: !!e.prefetched });
        let done: ReceiptEntry | undefined;
        try {
          done = await this.finish(e, false);
        } catch (err) {
          this.reserved.delete(e.id);
          throw err;
        }
        if (done && this.receiptServes(done, req)) return done;
        this.reserved.delete(e.id);
      }
      for (const e of entries.filter((x) => x.state === "pending")) {
        if (e.signature) continue;
        if (e.presigned) {
          // Our own payment records its signature before sending: without one, nothing was sent.
          await this.fail(e, "never sent (the client stopped before sending the payment)");
          continue;
        }
        // A custom `pay` was interrupted: it may have paid. Never paid again automatically.
        this.step({ step: "warning", message: `receipt ${e.id.slice(0, 10)}… is pending: a custom pay() was interrupted before returning its signature; not paying it again (check the payer's history for memo x402-zk:${e.id})` });
      }
      // A purchase for this offer is already on the way (prefetch): wait for it rather than pay twice.
      const inflight = [...(this.background.get(offerKey(want)) ?? [])];
      if (inflight.length > 0 && round < MAX_PREFETCH) {
        await Promise.race(inflight.map((p) => p.catch(() => {})));
        continue;
      }
      return this.buy(req, false);
    }
  }

  /** True when the entry's receipt covers the offer and has at least `minRemainingAgeSeconds` of `maxAge` left. */
  private receiptServes(e: ReceiptEntry, req: ZkReceiptRequirements): boolean {
    const r = e.receipt?.receipt;
    if (!r) return false;
    if (BigInt(r.amount) < req.amount || r.payTo !== req.payTo || r.asset !== req.asset) return false;
    const margin = this.opts.minRemainingAgeSeconds ?? 10;
    return this.now() - r.paidAt <= req.extra.maxAge - margin;
  }

  /** Pays for a new entry and attests it; returns it reserved, in state `attested`. */
  private async buy(req: ZkReceiptRequirements, background: boolean): Promise<ReceiptEntry> {
    const secret = randomFieldElement();
    const c = toHex32(commitment(secret));
    const now = Date.now();
    let e: ReceiptEntry = {
      id: c,
      state: "pending",
      secret: secret.toString(),
      offer: offerTerms(req),
      createdAt: now,
      updatedAt: now,
      ...(background ? { prefetched: true } : {}),
      presigned: !this.opts.pay,
    };
    this.reserved.add(e.id);
    try {
      await this.store.put(e); // before anything can be paid
      const memo = commitmentMemo(BigInt(c));
      this.step({ step: "paying", payTo: req.payTo, asset: req.asset, amount: req.amount.toString(), commitment: c, ...bg(background) });
      if (this.opts.pay) {
        const signature = await this.opts.pay({ payTo: req.payTo, asset: req.asset, amount: req.amount, memo });
        e = await this.update(e, { state: "paid", signature });
      } else {
        const signed = await signPaymentWithMemo(this.opts.connection!, this.opts.payer!, { payTo: req.payTo, asset: req.asset, amount: req.amount, memo });
        // The signature is recorded before the transaction can land: a crash from here on is resumed.
        e = await this.update(e, { state: "sent", signature: signed.signature, lastValidBlockHeight: signed.lastValidBlockHeight, rawTx: Buffer.from(signed.raw).toString("base64") });
        await sendSignedPayment(this.opts.connection!, signed, this.opts.send);
        e = await this.update(e, { state: "paid" });
      }
      this.step({ step: "paid", signature: e.signature!, ...bg(background) });
      const done = await this.finish(e, background);
      if (!done) throw new X402ZkError("PAYMENT_FAILED", `receipt ${c.slice(0, 10)}… could not be completed`);
      return done;
    } catch (err) {
      this.reserved.delete(e.id);
      // Still `pending`: our own signed payment was never sent; a custom pay() threw (if it paid
      // anyway, the memo x402-zk:<id> names the transfer). Either way it is not paid again.
      if (e.state === "pending") {
        await this.fail(e, this.opts.pay ? `pay() failed: ${describe(err)}` : `not sent: ${describe(err)}`).catch(() => {});
      }
      throw err;
    }
  }

  /**
   * Takes a `sent` or `paid` entry to `attested` (waiting for finalization, re-sending the same signed
   * transaction when it has not landed yet). Returns undefined when the entry failed for good (it is
   * marked `failed`); rethrows transient errors with the entry unchanged.
   */
  private async finish(entry: ReceiptEntry, background: boolean): Promise<ReceiptEntry | undefined> {
    let e = entry;
    if (e.state === "sent") {
      const conn = this.opts.connection;
      if (!conn || !e.signature) return e; // cannot check here; leave it for a client with a connection
      const st = (await conn.getSignatureStatuses([e.signature], { searchTransactionHistory: true })).value[0];
      if (st?.err) {
        await this.fail(e, `payment transaction failed: ${JSON.stringify(st.err)}`);
        return undefined;
      }
      if (!st) {
        const raw = e.rawTx;
        const height = await conn.getBlockHeight("confirmed");
        if (e.lastValidBlockHeight !== undefined && height > e.lastValidBlockHeight) {
          await this.fail(e, "payment never landed (its blockhash expired): nothing was paid");
          return undefined;
        }
        if (raw) {
          await sendSignedPayment(conn, { signature: e.signature, raw: Buffer.from(raw, "base64"), lastValidBlockHeight: e.lastValidBlockHeight ?? height + 150 }, this.opts.send);
        } else {
          await waitForSignature(conn, e.signature, { commitment: "finalized", ...this.opts.send, lastValidBlockHeight: e.lastValidBlockHeight });
        }
      } else {
        await waitForSignature(conn, e.signature, { commitment: "finalized", ...this.opts.send, lastValidBlockHeight: e.lastValidBlockHeight });
      }
      e = await this.update(e, { state: "paid" });
      this.step({ step: "paid", signature: e.signature!, ...bg(background) });
    }
    if (e.state === "paid") {
      let receipt: AttestResult;
      try {
        receipt = await obtainReceipt(e.offer.attesterUrl, { txSignature: e.signature!, commitment: e.id, payTo: e.offer.payTo, asset: e.offer.asset }, { retry: this.opts.retry });
      } catch (err) {
        if (err instanceof ServiceError && err.code === "ATTESTER_REJECTED" && !err.retryable) {
          await this.fail(e, `attester refused: ${err.message}`);
        }
        throw err;
      }
      if (parseFieldElement(receipt.attester.x) !== parseFieldElement(e.offer.attester.x) || parseFieldElement(receipt.attester.y) !== parseFieldElement(e.offer.attester.y)) {
        throw new ServiceError("ATTESTER_REJECTED", "the attester signed with a key other than the offer's extra.attester", { service: "attester", status: 200, retryable: false });
      }
      e = await this.update(e, { state: "attested", receipt });
      this.step({ step: "receipt", receipt, ...bg(background) });
    }
    return e.state === "attested" ? e : undefined;
  }

  /**
   * Records how the request that presented `nullifier` ended (x402 core's `onPaymentResponse`, wired
   * by {@link registerZkReceiptClient}): served (`settleResponse.success`) or refused as
   * `nullifier_already_used` is definitive; `overloaded` (the facilitator's admission limit: nothing
   * sent) releases the receipt for the retry; anything else leaves the receipt `unanswered`, so a
   * retry of the same resource may re-present it if its nullifier burned.
   */
  async observeAnswer(nullifier: string, answer: { settled?: boolean; reason?: string }): Promise<void> {
    if (!answer.settled && answer.reason === OVERLOADED) {
      // Refused before anything was checked or sent: the receipt is as unspent as before the request,
      // so the retry (after Retry-After) uses it again instead of paying for a new one.
      const e = (await this.store.list()).find((x) => x.nullifier === nullifier && x.state === "used");
      if (e) {
        await this.update(e, { state: "attested", unanswered: false });
        this.step({ step: "released", id: e.id });
      }
      return;
    }
    if (!answer.settled && answer.reason !== NULLIFIER_ALREADY_USED) return;
    const e = (await this.store.list()).find((x) => x.nullifier === nullifier && x.state === "used");
    if (e?.unanswered) await this.update(e, { unanswered: false });
  }

  /** Set once answers are observed: only then may an `unanswered` receipt be re-presented. */
  private answersObserved = false;

  /** Called by {@link registerZkReceiptClient}, which wires {@link observeAnswer}. */
  observeAnswers(): void {
    this.answersObserved = true;
  }

  /**
   * A `used` receipt whose nullifier burned for this same resource while its request got no answer
   * (a `502`, a timeout: the settle answer was lost): re-presented, with a fresh proof, up to
   * {@link MAX_RECOVERY_TRIES} times, because the merchant serves it once from its settlement
   * journal (docs/PROTOCOL.md §Flow 6, "Lost settle answers"). Paying again instead would pay twice
   * for one request. When the merchant refuses it (`nullifier_already_used`), the next acquire
   * finds the tries used up and marks it `spent` as before.
   */
  private async lostSettlement(entries: ReceiptEntry[], req: ZkReceiptRequirements): Promise<ReceiptEntry | undefined> {
    const conn = this.opts.connection;
    if (!conn || !this.answersObserved) return undefined;
    for (const e of entries) {
      if (e.state !== "used" || !e.unanswered || !e.nullifier || !e.receipt || e.usedResourceHash !== req.extra.resourceHash) continue;
      if ((e.recoveryTries ?? 0) >= MAX_RECOVERY_TRIES || this.reserved.has(e.id)) continue;
      this.reserved.add(e.id); // before the await: a concurrent acquire must not take it too
      const burnt = await this.verifier(e.offer.programId)
        .fetchNullifier(e.nullifier)
        .catch(() => null);
      if (!burnt) {
        this.reserved.delete(e.id);
        continue;
      }
      const again = await this.update(e, { recoveryTries: (e.recoveryTries ?? 0) + 1 });
      this.step({ step: "stored", id: e.id, state: e.state, prefetched: !!e.prefetched });
      return again;
    }
    return undefined;
  }

  /** `used` → `spent` when the nullifier account exists; → `attested` when its proof can no longer land. */
  private async reconcileUsed(e: ReceiptEntry): Promise<void> {
    const conn = this.opts.connection;
    if (!conn || !e.nullifier) return;
    const verifier = this.verifier(e.offer.programId);
    if (await verifier.fetchNullifier(e.nullifier)) {
      await this.update(e, { state: "spent" });
      this.step({ step: "spent", id: e.id, nullifier: e.nullifier });
      return;
    }
    const cfg = await this.chainConfig(e.offer.programId);
    // The last proof is for `usedNow`; the program accepts it only while Clock ≤ usedNow + skew.
    // Past that (plus a margin for clock differences) the nullifier can no longer be burnt by it.
    if (e.usedNow !== undefined && this.now() > e.usedNow + cfg.maxClockSkewSeconds + 5) {
      await this.update(e, { state: "attested" });
      this.step({ step: "released", id: e.id });
    }
  }

  // ---- prefetch ---------------------------------------------------------------------------------

  private topUp(req: ZkReceiptRequirements, want: OfferMatch, n = this.prefetchN): void {
    if (n <= 0) return;
    const key = offerKey(want);
    const running = this.background.get(key) ?? new Set<Promise<void>>();
    this.background.set(key, running);
    const job = (async () => {
      const live = (await this.store.list()).filter(
        (e) => termsServe(e.offer, want) && ((e.state === "attested" && this.receiptServes(e, req)) || e.state === "sent" || e.state === "paid") && !this.reserved.has(e.id),
      ).length;
      const missing = n - live - (running.size - 1); // this job counts itself in `running`
      if (missing <= 0) return;
      const extra: Promise<void>[] = [];
      for (let i = 1; i < missing; i++) extra.push(this.track(key, running, this.buyInBackground(req)));
      await this.buyInBackground(req);
      await Promise.allSettled(extra);
    })().catch((e: unknown) => this.step({ step: "prefetch-error", error: describe(e), code: (e as { code?: string }).code }));
    this.track(key, running, job);
  }

  private track(key: string, running: Set<Promise<void>>, p: Promise<void>): Promise<void> {
    running.add(p);
    void p.finally(() => {
      running.delete(p);
      if (running.size === 0 && this.background.get(key) === running) this.background.delete(key);
    });
    return p;
  }

  private async buyInBackground(req: ZkReceiptRequirements): Promise<void> {
    try {
      const e = await this.buy(req, true);
      this.reserved.delete(e.id);
    } catch (err) {
      this.step({ step: "prefetch-error", error: describe(err), code: (err as { code?: string }).code });
    }
  }

  // ---- proving ----------------------------------------------------------------------------------

  private async prove(e: ReceiptEntry, req: ZkReceiptRequirements): Promise<ProofResult> {
    const receipt = e.receipt!.receipt;
    // `now` never before the payment's block time (validator and local clocks differ).
    const now = Math.max(this.now(), receipt.paidAt);
    const pub = { attester: req.extra.attester, minAmount: req.amount.toString(), now, maxAge: req.extra.maxAge, resourceHash: req.extra.resourceHash, programId: req.extra.programId };
    if (this.opts.remoteProver) {
      const t0 = Date.now();
      const proof = await generateProof(
        { proverUrl: this.opts.remoteProver.url, receipt, secret: e.secret, public: pub },
        { retry: this.opts.retry, http: { timeoutMs: this.opts.remoteProver.timeoutMs } },
      );
      this.step({ step: "proof", nullifier: proof.nullifier, now: proof.now, ms: Date.now() - t0, prover: "remote" });
      return proof;
    }
    const prover = await this.localProver(req);
    const proof = await prover.prove({ receipt, secret: e.secret, public: pub });
    // On the calling thread (a `loadProver`), proving held the thread for seconds: let the event loop
    // take in what arrived meanwhile (e.g. a server closing an idle keep-alive connection) before the
    // caller sends the paid request, or that request may go out on a socket that is already closed.
    await yieldToEventLoop();
    this.step({ step: "proof", nullifier: proof.nullifier, now: proof.now, ms: proof.ms, prover: "local" });
    return proof;
  }

  /** The WebAssembly prover with a key whose vk hash equals the chain's `Config.vk_hash` (re-checked every minute). */
  private async localProver(req: ZkReceiptRequirements): Promise<LocalProver> {
    const cfg = await this.chainConfig(req.extra.programId);
    const load = this.opts.loadProver;
    let byHash = sharedProvers.get(load ?? DEFAULT_LOADER);
    if (!byHash) sharedProvers.set(load ?? DEFAULT_LOADER, (byHash = new Map()));
    const workers = this.opts.proverWorkers ?? 1;
    const key = `${cfg.vkHash.toLowerCase()}/${workers}`;
    const cache = byHash;
    let p = cache.get(key);
    if (!p) {
      p = openCheckedProver({
        chainVkHash: cfg.vkHash,
        sources: { provingKey: this.opts.provingKey, provingKeyUrl: this.opts.provingKeyUrl, offerProvingKeyUrl: req.extra.provingKeyUrl },
        cache: this.opts.keyCache,
        load,
        workers,
        onCacheProblem: (message) => this.step({ step: "warning", message }),
      });
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  }

  private chainConfig(programId: string): Promise<VerifierConfig> {
    const hit = this.configs.get(programId);
    if (hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit.config;
    const config = this.verifier(programId)
      .fetchConfig()
      .then((c) => {
        if (!c) throw new ConfigError("CONFIG_INVALID", `program ${programId} has no Config account on this cluster: wrong programId or RPC?`);
        return c;
      });
    this.configs.set(programId, { at: Date.now(), config });
    config.catch(() => this.configs.delete(programId));
    return config;
  }

  /** A read-only program client (its key pair never signs anything). */
  private verifier(programId: string): VerifierClient {
    let v = this.verifiers.get(programId);
    if (!v) {
      if (!this.opts.connection) throw new ConfigError("CONFIG_INVALID", "reading the chain needs `connection`");
      v = new VerifierClient({ connection: this.opts.connection, payer: this.readOnlyKey, programId });
      this.verifiers.set(programId, v);
    }
    return v;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async update(e: ReceiptEntry, patch: Partial<ReceiptEntry>): Promise<ReceiptEntry> {
    const next: ReceiptEntry = { ...e, ...patch, updatedAt: Date.now() };
    await this.store.put(next);
    return next;
  }

  private async fail(e: ReceiptEntry, error: string): Promise<void> {
    await this.update(e, { state: "failed", error });
    this.step({ step: "failed", id: e.id, error });
  }

  private checkAmount(req: ZkReceiptRequirements): void {
    if (this.opts.maxAmount !== undefined && req.amount > this.opts.maxAmount) {
      throw new ConfigError("REQUIREMENTS_INVALID", `offer asks ${req.amount} base units, above this client's cap of ${this.opts.maxAmount}`);
    }
  }

  private now(): number {
    return (this.opts.clock ?? (() => Math.floor(Date.now() / 1000)))();
  }

  private step(s: ZkReceiptStep): void {
    try {
      this.opts.onStep?.(s);
    } catch {
      // a logging callback must not break a payment
    }
  }
}

/** Resolves after the event loop has polled for I/O once (setImmediate in Node; a macrotask elsewhere). */
function yieldToEventLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (si ? si(resolve) : setTimeout(resolve, 0)));
}

function bg(background: boolean): { background?: true } {
  return background ? { background: true } : {};
}

function offerTerms(req: ZkReceiptRequirements): OfferTerms {
  return {
    network: req.network,
    payTo: req.payTo,
    asset: req.asset,
    amount: req.amount.toString(),
    programId: req.extra.programId,
    attester: req.extra.attester,
    attesterUrl: req.extra.attesterUrl,
  };
}

function offerMatch(req: ZkReceiptRequirements): OfferMatch {
  return { network: req.network, payTo: req.payTo, asset: req.asset, programId: req.extra.programId, attester: req.extra.attester, amount: req.amount };
}

function offerKey(w: OfferMatch): string {
  return [w.network, w.payTo, w.asset, w.programId, w.attester.x, w.attester.y, w.amount].join("|");
}

/**
 * Registers the zk-receipt client for `networks` (default every Solana network, `solana:*`) and
 * allows the offered assets through the x402Client spend controls when `allowAssets` is given
 * (x402Client by default only pays known USD stablecoins). Pass `scheme` to register one you keep
 * a handle on (for `prefetch`, `reconcile`, `idle`).
 */
export function registerZkReceiptClient(
  client: x402Client,
  opts: ZkReceiptClientOptions & {
    networks?: Network[];
    allowAssets?: { network: Network; asset: string; maxAmountPerPayment?: string }[];
    scheme?: ZkReceiptClientScheme;
  },
): x402Client {
  const scheme = opts.scheme ?? new ZkReceiptClientScheme(opts);
  for (const n of opts.networks ?? (["solana:*"] as Network[])) client.register(n, scheme);
  // How each paid request ended: a receipt whose settle answer was lost is re-presented once its
  // nullifier burned, instead of paying twice (docs/PROTOCOL.md §Flow 6, "Lost settle answers").
  scheme.observeAnswers();
  client.onPaymentResponse(async (ctx) => {
    if (ctx.requirements.scheme !== ZK_RECEIPT_SCHEME) return;
    const nullifier = (ctx.paymentPayload.payload as { nullifier?: unknown } | undefined)?.nullifier;
    if (typeof nullifier !== "string") return;
    await scheme.observeAnswer(nullifier, { settled: ctx.settleResponse?.success === true, reason: ctx.settleResponse?.errorReason ?? ctx.paymentRequired?.error });
  });
  if (opts.allowAssets) client.setSpendControls({ allowedAssets: opts.allowAssets });
  return client;
}
