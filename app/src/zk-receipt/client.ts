/**
 * Client (payer) role of the `zk-receipt` scheme, for `x402Client` / `@x402/fetch`:
 *
 *   requirements → random secret, C = Poseidon(secret, 0) → pay `amount` to `payTo` with memo
 *   `x402-zk:<C>` (finalized) → attester receipt → prover → payload {proof, nullifier, now, resourceHash}
 *
 * Each step is reported through `onStep`, so a demo can tell the story.
 */
import type { x402Client } from "@x402/core/client";
import type { Network, PaymentPayloadResult, PaymentRequirements, SchemeNetworkClient } from "@x402/core/types";
import type { Connection, Keypair } from "@solana/web3.js";
import { ConfigError, ServiceError } from "../errors";
import { commitment, commitmentMemo, parseFieldElement, randomFieldElement, toHex32 } from "../encoding";
import { payWithMemo, type SendOptions } from "../chain";
import { generateProof, obtainReceipt } from "../prover";
import type { AttestResult } from "../services";
import type { RetryOptions } from "../retry";
import { ZK_RECEIPT_SCHEME, parseZkReceiptRequirements, type ZkReceiptPayload, type ZkReceiptRequirements } from "./types";

/** One step of the payer flow, for logging. */
export type ZkReceiptStep =
  | { step: "requirements"; requirements: ZkReceiptRequirements }
  | { step: "paying"; payTo: string; asset: string; amount: string; commitment: string }
  | { step: "paid"; signature: string }
  | { step: "receipt"; receipt: AttestResult }
  | { step: "proof"; nullifier: string; now: number; ms: number }
  | { step: "payload"; payload: ZkReceiptPayload };

/** How the payer pays: the default sends a real transfer; tests and custodial wallets plug in. */
export type PayFunction = (p: { payTo: string; asset: string; amount: bigint; memo: string }) => Promise<string>;

export interface ZkReceiptClientOptions {
  /** RPC connection (a {@link createRpcFallback} connection works). Needed unless `pay` is given. */
  connection?: Connection;
  /** Pays and signs; needed unless `pay` is given. */
  payer?: Keypair;
  /** Custom payment (must put `memo` in a Memo-program instruction of the paying transaction and wait for finalized). */
  pay?: PayFunction;
  /** Use this prover instead of `extra.proverUrl` (e.g. one you run yourself: it sees your secret). */
  proverUrl?: string;
  /** Refuse offers above this many base units (default: no cap here; x402Client spend controls also apply). */
  maxAmount?: bigint;
  /** Unix seconds (default: wall clock). */
  clock?: () => number;
  onStep?: (s: ZkReceiptStep) => void;
  retry?: RetryOptions;
  send?: SendOptions;
}

export class ZkReceiptClientScheme implements SchemeNetworkClient {
  readonly scheme = ZK_RECEIPT_SCHEME;
  private readonly opts: ZkReceiptClientOptions;

  constructor(opts: ZkReceiptClientOptions) {
    if (!opts.pay && !(opts.connection && opts.payer)) {
      throw new ConfigError("CONFIG_INVALID", "ZkReceiptClientScheme needs either `pay` or both `connection` and `payer`");
    }
    this.opts = opts;
  }

  async createPaymentPayload(x402Version: number, paymentRequirements: PaymentRequirements): Promise<PaymentPayloadResult> {
    const req = parseZkReceiptRequirements(paymentRequirements);
    const step = this.opts.onStep ?? (() => {});
    step({ step: "requirements", requirements: req });
    if (this.opts.maxAmount !== undefined && req.amount > this.opts.maxAmount) {
      throw new ConfigError("REQUIREMENTS_INVALID", `offer asks ${req.amount} base units, above this client's cap of ${this.opts.maxAmount}`);
    }

    // 1. Pay with a commitment to a fresh secret.
    const secret = randomFieldElement();
    const c = commitment(secret);
    const memo = commitmentMemo(c);
    step({ step: "paying", payTo: req.payTo, asset: req.asset, amount: req.amount.toString(), commitment: toHex32(c) });
    const signature = await this.pay({ payTo: req.payTo, asset: req.asset, amount: req.amount, memo });
    step({ step: "paid", signature });

    // 2. Receipt.
    const receipt = await obtainReceipt(req.extra.attesterUrl, { txSignature: signature, commitment: toHex32(c), payTo: req.payTo, asset: req.asset }, { retry: this.opts.retry });
    if (
      parseFieldElement(receipt.attester.x) !== parseFieldElement(req.extra.attester.x) ||
      parseFieldElement(receipt.attester.y) !== parseFieldElement(req.extra.attester.y)
    ) {
      throw new ServiceError("ATTESTER_REJECTED", "the attester signed with a key other than the offer's extra.attester", {
        service: "attester",
        status: 200,
        retryable: false,
      });
    }
    step({ step: "receipt", receipt });

    // 3. Proof. `now` never before the payment's block time (validator and local clocks differ).
    const clock = this.opts.clock ?? (() => Math.floor(Date.now() / 1000));
    const now = Math.max(clock(), receipt.receipt.paidAt);
    const t0 = Date.now();
    const proof = await generateProof(
      {
        proverUrl: this.opts.proverUrl ?? req.extra.proverUrl,
        receipt: receipt.receipt,
        secret,
        public: {
          attester: req.extra.attester,
          minAmount: req.amount.toString(),
          now,
          maxAge: req.extra.maxAge,
          resourceHash: req.extra.resourceHash,
          programId: req.extra.programId,
        },
      },
      { retry: this.opts.retry },
    );
    step({ step: "proof", nullifier: proof.nullifier, now: proof.now, ms: Date.now() - t0 });

    const payload: ZkReceiptPayload = { proof: proof.proof, nullifier: proof.nullifier, now: proof.now, resourceHash: req.extra.resourceHash };
    step({ step: "payload", payload });
    return { x402Version, payload: { ...payload } };
  }

  private pay(p: { payTo: string; asset: string; amount: bigint; memo: string }): Promise<string> {
    if (this.opts.pay) return this.opts.pay(p);
    return payWithMemo(this.opts.connection!, this.opts.payer!, p, this.opts.send);
  }
}

/**
 * Registers the zk-receipt client for `networks` (default every Solana network, `solana:*`) and
 * allows the offered assets through the x402Client spend controls when `allowAssets` is given
 * (x402Client by default only pays known USD stablecoins).
 */
export function registerZkReceiptClient(
  client: x402Client,
  opts: ZkReceiptClientOptions & {
    networks?: Network[];
    allowAssets?: { network: Network; asset: string; maxAmountPerPayment?: string }[];
  },
): x402Client {
  const scheme = new ZkReceiptClientScheme(opts);
  for (const n of opts.networks ?? (["solana:*"] as Network[])) client.register(n, scheme);
  if (opts.allowAssets) client.setSpendControls({ allowedAssets: opts.allowAssets });
  return client;
}
