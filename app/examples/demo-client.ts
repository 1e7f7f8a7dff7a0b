/**
 * Demo payer: @x402/fetch `wrapFetchWithPayment` (through `wrapFetchWithZkPayment`, which keeps typed errors) with the zk-receipt client scheme. Tells the story
 * step by step: request → 402 → pay → receipt → proof → retry → 200 + settlement → nullifier
 * on-chain → replaying the same payment header gets 402.
 *
 * Environment: RESOURCE_URL (http://127.0.0.1:4021/premium), SOLANA_RPC_URL / SOLANA_RPC_URLS
 * (comma list, fails over), PAYER_KEYPAIR (~/.config/solana/id.json), X402_NETWORK
 * (solana:localnet), MAX_PAYMENT (1000000 base units), RECEIPT_STORE (receipt wallet file, default
 * ~/.x402-zk/receipts.json), KEY_CACHE_DIR (proving keys, default ~/.cache/x402-zk/keys), REMOTE_PROVER_URL
 * (opt in to proving on that service instead of locally: it then sees the payment secret).
 * Exits 0 only when the whole story holds.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { decodePaymentResponseHeader, x402Client } from "@x402/fetch";
import { encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload } from "@x402/core/types";
import { NATIVE_SOL_ASSET, VerifierClient, createRpcFallback, rpcUrlsFromEnv, describe } from "../src/index";
import { networkFromEnv } from "../src/zk-receipt/types";
import { registerZkReceiptClient, type ZkReceiptStep } from "../src/zk-receipt/client";
import { wrapFetchWithZkPayment } from "../src/zk-receipt/fetch";
import { FileProvingKeyCache, FileReceiptStore } from "../src/node";

const env = process.env;
const url = env.RESOURCE_URL ?? "http://127.0.0.1:4021/premium";
const network = networkFromEnv(env);
const payer = Keypair.fromSecretKey(
  Uint8Array.from(JSON.parse(readFileSync(env.PAYER_KEYPAIR ?? join(homedir(), ".config/solana/id.json"), "utf8")) as number[]),
);
const rpc = createRpcFallback(rpcUrlsFromEnv(env), { onFailover: (f) => say("rpc", `${f.from} failed (${f.reason}) → ${f.to ?? "none left"}`) });
const connection = rpc.connection("confirmed");

let n = 0;
function say(who: string, msg: string): void {
  console.log(`${String(++n).padStart(2)}. [${who}] ${msg}`);
}

function onStep(s: ZkReceiptStep): void {
  switch (s.step) {
    case "requirements":
      return say("client", `offer: ${s.requirements.amount} base units of ${s.requirements.asset === NATIVE_SOL_ASSET ? "SOL (lamports)" : s.requirements.asset} to ${s.requirements.payTo}, resourceHash ${s.requirements.extra.resourceHash}`);
    case "paying":
      return say("client", `paying with memo commitment C = ${s.commitment} (secret stays local)`);
    case "paid":
      return say("chain", `payment finalized: ${s.signature}`);
    case "receipt":
      return say("attester", `receipt: paidAt ${s.receipt.receipt.paidAt}, amount ${s.receipt.receipt.amount}, signature R8x ${s.receipt.receipt.signature.R8x.slice(0, 12)}…`);
    case "stored":
      return say("wallet", `using a stored receipt (${s.state}${s.prefetched ? ", bought ahead" : ""}): no new payment`);
    case "proof":
      return say(s.prover === "local" ? "client" : "prover", `Groth16 proof (${s.prover === "local" ? "local WebAssembly, the secret stays here" : "remote prover"}) in ${s.ms} ms, nullifier ${s.nullifier}`);
    case "spent":
      return say("chain", `receipt ${s.id.slice(0, 10)}… spent (nullifier burnt)`);
    case "failed":
      return say("wallet", `receipt ${s.id.slice(0, 10)}… failed: ${s.error}`);
    case "released":
    case "prefetch-error":
    case "warning":
      return say("wallet", JSON.stringify(s));
    case "payload":
      return say("client", `retrying with PAYMENT-SIGNATURE {proof: ${s.payload.proof.length} b64 chars, nullifier, now: ${s.payload.now}, resourceHash}`);
  }
}

async function main(): Promise<void> {
  say("client", `GET ${url}`);
  const first = await fetch(url);
  const reqHeader = first.headers.get("payment-required");
  say("server", `${first.status}${reqHeader ? " with PAYMENT-REQUIRED" : ""}`);
  if (first.status !== 402 || !reqHeader) throw new Error(`expected 402 with requirements, got ${first.status}`);
  const required = JSON.parse(Buffer.from(reqHeader, "base64").toString("utf8"));
  console.log(JSON.stringify(required.accepts, null, 2).replace(/^/gm, "      "));

  let lastPayload: PaymentPayload | undefined;
  const client = registerZkReceiptClient(new x402Client(), {
    networks: [network],
    connection,
    payer,
    store: new FileReceiptStore(env.RECEIPT_STORE ?? join(homedir(), ".x402-zk/receipts.json")),
    keyCache: new FileProvingKeyCache(env.KEY_CACHE_DIR ?? join(homedir(), ".cache/x402-zk/keys")),
    ...(env.REMOTE_PROVER_URL ? { remoteProver: { url: env.REMOTE_PROVER_URL } } : {}),
    maxAmount: BigInt(env.MAX_PAYMENT ?? "1000000"),
    onStep,
    allowAssets: [{ network, asset: required.accepts[0]?.asset ?? NATIVE_SOL_ASSET, maxAmountPerPayment: env.MAX_PAYMENT ?? "1000000" }],
  });
  client.onAfterPaymentCreation(async (ctx) => {
    lastPayload = ctx.paymentPayload;
  });

  const res = await wrapFetchWithZkPayment(fetch, client)(url);
  const body = await res.text();
  say("server", `${res.status} ${body}`);
  if (res.status !== 200) throw new Error(`paid request failed with ${res.status}`);
  const settleHeader = res.headers.get("payment-response");
  if (!settleHeader) throw new Error("no PAYMENT-RESPONSE header");
  const settlement = decodePaymentResponseHeader(settleHeader);
  say("facilitator", `settlement: ${JSON.stringify(settlement)}`);

  const payload = lastPayload!.payload as { nullifier: string };
  const offer = required.accepts[0] as { extra: { programId: string } };
  const verifier = new VerifierClient({ connection, payer, programId: offer.extra.programId });
  const record = await verifier.fetchNullifier(payload.nullifier);
  say("chain", record ? `nullifier account ${record.address.toBase58()} exists (expires at ${record.expiresAt}, rent payer ${record.rentPayer.toBase58()})` : "nullifier account NOT found");
  if (!record) throw new Error("nullifier account missing after settlement");

  say("client", "replaying the same PAYMENT-SIGNATURE header");
  const replay = await fetch(url, { headers: { "PAYMENT-SIGNATURE": encodePaymentSignatureHeader(lastPayload!) } });
  say("server", `${replay.status}${replay.status === 402 ? " — replay refused" : ""}`);
  if (replay.status !== 402) throw new Error(`replay was not refused (status ${replay.status})`);
  say("demo", "done: paid privately once, replay refused");
}

main().catch((e: unknown) => {
  console.error(`[client] FAILED: ${describe(e)}${(e as { code?: string }).code ? ` (${(e as { code?: string }).code})` : ""}`);
  process.exit(1);
});
