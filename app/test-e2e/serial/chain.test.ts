/**
 * Issue #14's attacks that need the chain to themselves, so `scripts/e2e.sh` runs this file alone,
 * after every other end-to-end file (its tests run one after the other):
 *
 * - `/verify` and `/settle` for a merchant the facilitator was not configured for (`--pay-to`) are
 *   refused with `pay_to_not_allowed`, and no transaction is sent: the fee payer's balance and
 *   signature history do not move, the nullifier account does not appear;
 * - a facilitator whose attester key is not the chain `Config`'s refuses to serve (`503
 *   config_mismatch`, `/health` says why; a merchant server passes it on as `502
 *   facilitator_unavailable`, not a 402), and serves the same payment once the authority sets the
 *   chain's attester to its key. The chain's attester is set back afterwards (every other
 *   facilitator refuses to serve meanwhile: that is why nothing else runs).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import { decodePaymentResponseHeader } from "@x402/fetch";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { NATIVE_SOL_ASSET, VerifierClient, commitment, commitmentMemo, generateProof, obtainReceipt, payWithMemo, randomFieldElement, toHex32 } from "../../src/index";
import { FACILITATOR_CONFIG_MISMATCH, FACILITATOR_UNAVAILABLE } from "../../src/zk-receipt/facilitator";
import { cfg, keypairFrom, liveRpc, network, nullifierOf, outcomeOf, payer, payingClient, postJson, premium, requirementsOf, sendPaid, spent, waitFor } from "../common";

interface Supported {
  kinds: { x402Version: number; scheme: string; network: string; extra: { programId: string; attester: { x: string; y: string }; attesterUrl: string; maxAge: number } }[];
  signers: Record<string, string[]>;
}
interface Health {
  chainConfig?: { ok: boolean; reason?: string };
}

const supported = async (f: string) => (await (await fetch(`${f}/supported`)).json()) as Supported;
const health = async (f: string) => (await (await fetch(`${f}/health`)).json()) as Health;
const connection = liveRpc.connection("confirmed");

test("payTo allow-list: /verify and /settle for a merchant the facilitator does not serve → pay_to_not_allowed, and no transaction is sent", async () => {
  const facilitator = cfg.facilitators.main; // --pay-to merchant A, merchant B
  const s = await supported(facilitator);
  const feePayer = new PublicKey(s.signers["solana:*"]![0]!);
  const { programId, attester, maxAge } = s.kinds[0]!.extra;

  // A genuine payment to a stranger's address, receipted and proven: without the allow-list this
  // would settle, and the facilitator would pay the nullifier account's rent for it.
  const stranger = Keypair.generate().publicKey.toBase58();
  const amount = BigInt(cfg.minAmount);
  const secret = randomFieldElement();
  const sig = await payWithMemo(connection, payer, { payTo: stranger, asset: NATIVE_SOL_ASSET, amount, memo: commitmentMemo(commitment(secret)) });
  const receipt = await obtainReceipt(facilitator, { txSignature: sig, commitment: toHex32(commitment(secret)), payTo: stranger, asset: NATIVE_SOL_ASSET });
  const resourceHash = "0x" + randomBytes(31).toString("hex");
  const proof = await generateProof({
    proverUrl: cfg.proverUrl,
    receipt: receipt.receipt,
    secret,
    public: { attester, minAmount: amount.toString(), now: Math.max(Math.floor(Date.now() / 1000), receipt.receipt.paidAt), maxAge, resourceHash, programId },
  });
  const requirements: PaymentRequirements = {
    scheme: "zk-receipt",
    network,
    amount: amount.toString(),
    asset: NATIVE_SOL_ASSET,
    payTo: stranger,
    maxTimeoutSeconds: 300,
    extra: { programId, attester, attesterUrl: facilitator, proverUrl: cfg.proverUrl, maxAge, resourceHash },
  };
  const paymentPayload: PaymentPayload = {
    x402Version: 2,
    resource: { url: "http://127.0.0.1/stranger", description: "", mimeType: "" },
    accepted: requirements,
    payload: { proof: proof.proof, nullifier: proof.nullifier, now: proof.now, resourceHash },
  };

  const balanceBefore = await connection.getBalance(feePayer, "confirmed");
  const [lastBefore] = await connection.getSignaturesForAddress(feePayer, { limit: 1 }, "confirmed");
  const body = { x402Version: 2, paymentPayload, paymentRequirements: requirements };
  const v = await postJson(`${facilitator}/verify`, body);
  assert.equal(v.status, 200, JSON.stringify(v.json));
  assert.equal(v.json.isValid, false);
  assert.equal(v.json.invalidReason, "pay_to_not_allowed", JSON.stringify(v.json));
  const st = await postJson(`${facilitator}/settle`, body);
  assert.equal(st.json.success, false, JSON.stringify(st.json));
  assert.equal(st.json.errorReason, "pay_to_not_allowed", JSON.stringify(st.json));
  assert.ok(!st.json.transaction, `no transaction: ${JSON.stringify(st.json)}`);

  // Give a transaction that was sent anyway time to land, then look.
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(await connection.getBalance(feePayer, "confirmed"), balanceBefore, "fee payer balance unchanged");
  const [lastAfter] = await connection.getSignaturesForAddress(feePayer, { limit: 1 }, "confirmed");
  assert.equal(lastAfter?.signature, lastBefore?.signature, "no new transaction from the fee payer");
  assert.equal(await spent(proof.nullifier), false, "nullifier account absent");
});

test("config guard: a facilitator whose attester key is not the chain's answers 503 config_mismatch and says why; once the authority sets the chain's attester to its key it serves the same payment; the chain is set back", async () => {
  const guard = cfg.facilitators.guard; // its own attester key, --config-check-interval-secs 1
  const chainKey = (await supported(cfg.facilitators.main)).kinds[0]!.extra.attester;
  const guardKey = (await supported(guard)).kinds[0]!.extra.attester;
  assert.notDeepEqual(guardKey, chainKey, "the guard facilitator has another attester key");
  const authority = new VerifierClient({ connection, payer: keypairFrom(cfg.authorityKeypair), programId: cfg.programId });
  const before = await authority.fetchConfig();
  assert.ok(before, "config exists");

  // Refuses, and says why.
  await waitFor("guard facilitator names the attester key as its disagreement", async () => /attester/i.test((await health(guard)).chainConfig?.reason ?? ""), 15_000);
  const h = await health(guard);
  assert.equal(h.chainConfig!.ok, false, JSON.stringify(h));
  assert.match(h.chainConfig!.reason ?? "", /attester/i, JSON.stringify(h));

  // A real payment through the guard's merchant server (receipt from the guard's attester).
  const c = payingClient();
  const payload = await c.client.createPaymentPayload(await requirementsOf(premium(cfg.servers.guard)));
  const body = { x402Version: 2, paymentPayload: payload, paymentRequirements: payload.accepted };
  for (const op of ["verify", "settle"]) {
    const r = await postJson(`${guard}/${op}`, body);
    assert.equal(r.status, 503, `${op}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error, "config_mismatch", `${op}: ${JSON.stringify(r.json)}`);
    assert.match(String(r.json.detail ?? ""), /attester/i);
  }
  const refused = await outcomeOf(await sendPaid(premium(cfg.servers.guard), payload));
  assert.equal(refused.status, 502, `merchant server passes it on as a facilitator failure: ${JSON.stringify(refused)}`);
  assert.match((JSON.parse(refused.body) as { error: string }).error, new RegExp(`^${FACILITATOR_UNAVAILABLE}: ${FACILITATOR_CONFIG_MISMATCH}: `));
  assert.equal(await spent(nullifierOf(payload)), false, "nothing settled");

  try {
    await authority.setAttester(guardKey);
    const waited = await waitFor("guard facilitator agrees with the chain", async () => (await health(guard)).chainConfig?.ok === true, 15_000);
    console.log(`guard facilitator served again ${waited} ms after the attester change`);
    const served = await sendPaid(premium(cfg.servers.guard), payload);
    assert.equal(served.status, 200, await served.clone().text());
    assert.equal(decodePaymentResponseHeader(served.headers.get("payment-response")!).success, true);
    assert.equal(await spent(nullifierOf(payload)), true);
  } finally {
    await authority.setAttester(chainKey);
  }
  // The other facilitators (30 s check interval) may have noticed the change meanwhile: all agree again.
  await waitFor("main facilitator agrees with the chain", async () => (await health(cfg.facilitators.main)).chainConfig?.ok === true, 40_000);
  await waitFor("guard facilitator refuses again", async () => (await health(guard)).chainConfig?.ok === false, 15_000);
  const after = await authority.fetchConfig();
  assert.deepEqual(after!.attester, before.attester, "the chain's attester is back");
});

// Last in this file, on purpose: it shrinks the chain's receipt lifetime (the program never lets it
// grow again), after which facilitators with a wider clock skew than the chain's refuse to serve.
test("recyclable nullifiers: a settled payment's nullifier is closed by a facilitator's sweeper after expiry, its rent comes back to the fee payer, and the same payment cannot pay again", async () => {
  const facilitator = cfg.facilitators.stale; // --max-clock-skew-seconds 4 (≤ the chain's after this test shrinks it), --sweep-interval-secs 2
  // Seconds: payment finality (~4 s at scripts/test.sh's 100 ms slots, ~13 s at the default 400 ms) and
  // proving must fit; the wait after it is the test's cost.
  const CAP = 25;
  const SKEW = 5;
  const authority = new VerifierClient({ connection, payer: keypairFrom(cfg.authorityKeypair), programId: cfg.programId });
  await authority.setMaxReceiptAge(CAP);
  await authority.setMaxClockSkew(SKEW);
  const conf = (await authority.fetchConfig())!;
  assert.equal(conf.maxReceiptAgeSeconds, CAP);
  assert.equal(conf.maxClockSkewSeconds, SKEW);

  const s = await supported(facilitator);
  const feePayer = new PublicKey(s.signers["solana:*"]![0]!);
  const { programId, attester } = s.kinds[0]!.extra;
  const offer = (await requirementsOf(premium(cfg.servers.stale))).accepts[0]!;
  const amount = BigInt(cfg.minAmount);
  const secret = randomFieldElement();
  const sig = await payWithMemo(connection, payer, { payTo: offer.payTo, asset: NATIVE_SOL_ASSET, amount, memo: commitmentMemo(commitment(secret)) });
  const receipt = await obtainReceipt(facilitator, { txSignature: sig, commitment: toHex32(commitment(secret)), payTo: offer.payTo, asset: NATIVE_SOL_ASSET });
  const resourceHash = "0x" + randomBytes(31).toString("hex");
  const proof = await generateProof({
    proverUrl: cfg.proverUrl,
    receipt: receipt.receipt,
    secret,
    public: { attester, minAmount: amount.toString(), now: Math.max(Math.floor(Date.now() / 1000), receipt.receipt.paidAt), maxAge: CAP, resourceHash, programId },
  });
  const requirements: PaymentRequirements = { ...offer, amount: amount.toString(), extra: { ...offer.extra, maxAge: CAP, resourceHash } };
  const paymentPayload: PaymentPayload = {
    x402Version: 2,
    resource: { url: premium(cfg.servers.stale), description: "", mimeType: "" },
    accepted: requirements,
    payload: { proof: proof.proof, nullifier: proof.nullifier, now: proof.now, resourceHash },
  };
  const body = { x402Version: 2, paymentPayload, paymentRequirements: requirements };
  const settled = await postJson(`${facilitator}/settle`, body);
  assert.equal(settled.json.success, true, JSON.stringify(settled.json));

  const rec = await authority.fetchNullifier(proof.nullifier);
  assert.ok(rec, "nullifier account written");
  assert.equal(rec.expiresAt, proof.now + CAP + SKEW, "expires at proof now + age cap + skew");
  assert.ok(rec.rentPayer.equals(feePayer), "the facilitator's fee payer paid the rent");
  const rent = await connection.getBalance(rec.address, "confirmed");
  assert.ok(rent > 0);

  // Nobody is asked to close it: a sweeper (every facilitator of this stack runs one) must.
  const waitMs = (rec.expiresAt - Math.floor(Date.now() / 1000)) * 1000 + 30_000;
  const waited = await waitFor("the nullifier account is closed", async () => (await authority.fetchNullifier(proof.nullifier)) === null, waitMs);
  console.log(`nullifier closed ${waited} ms into a wait of at most ${waitMs} ms`);
  // The close transaction, read from the chain: the whole rent went back to the fee payer.
  const history = await connection.getSignaturesForAddress(rec.address, { limit: 5 }, "confirmed");
  const closeTx = await connection.getTransaction(history[0]!.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
  assert.ok(closeTx?.meta && !closeTx.meta.err, "close transaction landed");
  const keys = closeTx.transaction.message.getAccountKeys().staticAccountKeys;
  const at = (k: PublicKey) => keys.findIndex((x) => x.equals(k));
  const meta = closeTx.meta;
  assert.equal(meta.postBalances[at(rec.address)], 0, "nullifier account emptied");
  assert.equal(meta.preBalances[at(rec.address)], rent, "it held exactly its rent");
  // Every account the close emptied (this nullifier, and any other expired one of the same payer).
  const returned = keys.reduce((sum, _, i) => sum + (meta.postBalances[i] === 0 && meta.preBalances[i]! > 0 ? meta.preBalances[i]! : 0), 0);
  const payerIx = at(feePayer);
  const sentByFeePayer = payerIx === 0;
  console.log(`close tx ${history[0]!.signature}: ${keys.length} keys, emptied ${returned} lamports, fee ${meta.fee}, sent by the fee payer: ${sentByFeePayer}`);
  // At least the rent less the close fee. Not exact here: this stack's fee payer is
  // ~/.config/solana/id.json, also the validator's genesis mint, and in our runs its pre/post balances
  // in the close transaction differed by 8 lamports more than fee and rent explain (cause not found).
  // The exact figure (fee + rent paid, rent back in full) is asserted by the anchor-client `payments`
  // test with a payer of its own.
  const delta = meta.postBalances[payerIx]! - meta.preBalances[payerIx]!;
  assert.ok(
    delta >= returned - (sentByFeePayer ? meta.fee : 0),
    `the rent came back to the rent payer: +${delta} lamports, emptied ${returned}, fee ${meta.fee}`,
  );

  // The same payment again, after the close: refused, and no nullifier account reappears.
  const replay = await postJson(`${facilitator}/settle`, body);
  assert.equal(replay.json.success, false, JSON.stringify(replay.json));
  assert.equal(await authority.fetchNullifier(proof.nullifier), null, "not re-created");
});
