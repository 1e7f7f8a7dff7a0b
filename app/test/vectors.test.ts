/**
 * The SDK against the shared vectors the Rust crates generate and commit
 * (circuits/encoding/vectors/*.json: `x402-zk-encoding` bytes, the circuit's Poseidon values, the
 * program's PDAs). Every constant the SDK keeps its own copy of (seeds, layout sizes, reason words,
 * moduli) is checked here, so TypeScript agrees with Rust byte for byte without a validator.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BN, BorshCoder } from "@anchor-lang/core";
import { PublicKey } from "@solana/web3.js";
import { poseidon4 } from "poseidon-lite/poseidon4";
import { poseidon7 } from "poseidon-lite/poseidon7";
import { poseidon9 } from "poseidon-lite/poseidon9";
import {
  BN254_P,
  BN254_R,
  CONFIG_SEED,
  EncodingError,
  MEMO_PREFIX,
  NULLIFIER_ACCOUNT_SIZE,
  NULLIFIER_RENT_PAYER_OFFSET,
  NULLIFIER_SEED,
  POLICY_ACCOUNT_SIZE,
  POLICY_SEED,
  PROOF_A,
  PROOF_B,
  PROOF_C,
  PROOF_LEN,
  VERIFIER_IDL,
  VERIFIER_PROGRAM_ID,
  VERIFYING_KEY_LEN,
  VK_SEED,
  commitment,
  fromBytesBE,
  isCanonicalProof,
  keyHalves,
  nullifierFor,
  parseFieldElement,
  parseSignatureJson,
  parseU64,
  programDomain,
  toBytes32,
  toHex32,
} from "../src/index";
import { FACILITATOR_CONFIG_MISMATCH, FACILITATOR_OVERLOADED, FACILITATOR_UNAVAILABLE } from "../src/zk-receipt/facilitator";
import { OVERLOADED } from "../src/zk-receipt/client";
import { COMPUTE_UNITS, verifyPaymentComputeUnits } from "../src/program";

// build-test/test → app → repo root.
const VECTORS = resolve(__dirname, "..", "..", "..", "circuits", "encoding", "vectors");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any => JSON.parse(readFileSync(resolve(VECTORS, name), "utf8"));
const encoding = load("encoding.json");
const statement = load("statement.json");
const pda = load("pda.json");

const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.slice(2), "hex"));

test("memo prefix", () => {
  assert.equal(MEMO_PREFIX, encoding.memoPrefix);
});

test("moduli", () => {
  assert.equal(toHex32(BN254_R), encoding.frModulus);
  assert.equal(toHex32(BN254_P), encoding.fqModulus);
});

test("field strings: the same accept/reject set and bytes as Rust (≥ r rejected, never reduced)", () => {
  for (const c of encoding.field as { input: string; ok: boolean; be?: string; error?: string }[]) {
    if (c.ok) {
      assert.equal(toHex32(parseFieldElement(c.input)), c.be, c.input);
    } else {
      assert.throws(
        () => parseFieldElement(c.input),
        (e: unknown) => e instanceof EncodingError && e.code === (c.error === "NotCanonical" ? "FIELD_NOT_CANONICAL" : "FIELD_MALFORMED"),
        `${JSON.stringify(c.input)} should be refused as ${c.error}`,
      );
    }
  }
});

test("u64 and key halves", () => {
  for (const c of encoding.u64 as { value: string; be32: string }[]) {
    assert.equal(hex(toBytes32(parseU64(c.value))), c.be32);
  }
  for (const c of encoding.keyHalves as { key: string; hi: string; lo: string }[]) {
    const { hi, lo } = keyHalves(new PublicKey(bytes(c.key)));
    assert.equal(toHex32(hi), c.hi);
    assert.equal(toHex32(lo), c.lo);
  }
});

test("proof layout and canonical check", () => {
  assert.equal(PROOF_LEN, encoding.proof.len);
  assert.deepEqual([...PROOF_A], encoding.proof.a);
  assert.deepEqual([...PROOF_B], encoding.proof.b);
  assert.deepEqual([...PROOF_C], encoding.proof.c);
  for (const c of encoding.proof.cases as { name: string; proof: string; canonical: boolean }[]) {
    assert.equal(isCanonicalProof(bytes(c.proof)), c.canonical, c.name);
  }
});

test("compute-unit limits are the encoding crate's", () => {
  const c = encoding.compute;
  assert.deepEqual(
    { ...COMPUTE_UNITS },
    { verifyPaymentFirstTry: c.verifyPaymentFirstTry, perBumpTry: c.perBumpTry, registerPolicy: c.registerPolicy, marginPercent: c.marginPercent, max: c.max }
  );
  for (const v of c.verifyPayment as { bump: number; registersPolicy: boolean; units: number }[]) {
    assert.equal(verifyPaymentComputeUnits(v.bump, v.registersPolicy), v.units, JSON.stringify(v));
  }
});

test("seeds, account layouts and PDAs", () => {
  assert.equal(CONFIG_SEED.toString(), encoding.seeds.config);
  assert.equal(VK_SEED.toString(), encoding.seeds.vk);
  assert.equal(NULLIFIER_SEED.toString(), encoding.seeds.nullifier);
  assert.equal(NULLIFIER_ACCOUNT_SIZE, encoding.accounts.nullifier.space);
  assert.equal(NULLIFIER_RENT_PAYER_OFFSET, encoding.accounts.nullifier.rentPayerOffset);
  assert.equal(VERIFYING_KEY_LEN, encoding.accounts.vkLen);
  assert.equal(VERIFIER_PROGRAM_ID.toBase58(), pda.programId);
  const find = (seeds: Uint8Array[]) => PublicKey.findProgramAddressSync(seeds, VERIFIER_PROGRAM_ID);
  const [config, configBump] = find([CONFIG_SEED]);
  assert.deepEqual({ address: config.toBase58(), bump: configBump }, pda.config);
  const [vk, vkBump] = find([VK_SEED]);
  assert.deepEqual({ address: vk.toBase58(), bump: vkBump }, pda.vk);
  for (const n of pda.nullifiers as { nullifier: string; pda: { address: string; bump: number } }[]) {
    const [a, b] = find([NULLIFIER_SEED, bytes(n.nullifier)]);
    assert.deepEqual({ address: a.toBase58(), bump: b }, n.pda);
  }
  assert.equal(POLICY_SEED.toString(), encoding.seeds.policy);
  assert.equal(POLICY_ACCOUNT_SIZE, encoding.accounts.policy.space);
  for (const p of pda.policies as { policyHash: string; pda: { address: string; bump: number } }[]) {
    const [a, b] = find([POLICY_SEED, bytes(p.policyHash)]);
    assert.deepEqual({ address: a.toBase58(), bump: b }, p.pda);
  }
});

test("the 328-byte payment entry: the IDL's borsh coder writes the Rust bytes", () => {
  const ex = encoding.payment.example;
  const coder = new BorshCoder(VERIFIER_IDL);
  const encoded = coder.types.encode("PaymentProof", {
    proof: Array.from(bytes(ex.proof)),
    now: new BN(ex.now),
    resource_hash: Array.from(bytes(ex.resourceHash)), // the IDL keeps the Rust field name
    nullifier: Array.from(bytes(ex.nullifier)),
  });
  assert.equal(encoded.length, encoding.payment.len);
  assert.equal(hex(encoded), ex.bytes);
});

test("policyHash, pubHash, receipt message, domain, nullifier: the circuit's values from the SDK's encodings", () => {
  for (const c of statement.cases) {
    const pay = keyHalves(new PublicKey(bytes(c.payTo)));
    const asset = keyHalves(new PublicKey(bytes(c.asset)));
    assert.equal(toHex32(programDomain(c.programId)), c.domain);
    const secret = fromBytesBE(bytes(c.secret));
    assert.equal(toHex32(commitment(secret)), c.commitment);
    assert.equal(toHex32(nullifierFor(secret, c.programId)), c.nullifier);
    const policyOrdered = [
      parseFieldElement(c.attester.x),
      parseFieldElement(c.attester.y),
      pay.hi,
      pay.lo,
      asset.hi,
      asset.lo,
      parseU64(c.minAmount),
      parseU64(c.maxAge),
      parseFieldElement(c.domain),
    ];
    assert.deepEqual(
      policyOrdered.map(toHex32),
      c.policyHashInputs.map((i: { be: string }) => i.be),
    );
    assert.deepEqual(
      c.policyHashInputs.map((i: { name: string }) => i.name),
      encoding.policyHashOrder,
    );
    const policyHash = poseidon9(policyOrdered);
    assert.equal(toHex32(policyHash), c.policyHash);
    const ordered = [
      policyHash,
      parseU64(c.now),
      parseFieldElement(c.resourceHash),
      parseFieldElement(c.nullifier),
    ];
    assert.deepEqual(
      ordered.map(toHex32),
      c.pubHashInputs.map((i: { be: string }) => i.be),
    );
    assert.deepEqual(
      c.pubHashInputs.map((i: { name: string }) => i.name),
      encoding.pubHashOrder,
    );
    assert.equal(toHex32(poseidon4(ordered)), c.pubHash);
    const m = poseidon7([pay.hi, pay.lo, asset.hi, asset.lo, parseU64(c.receipt.amount), parseU64(c.receipt.paidAt), parseFieldElement(c.commitment)]);
    assert.equal(toHex32(m), c.receipt.message);
  }
});

test("signature JSON: one casing rule", () => {
  const canonical = statement.signature.canonical;
  for (const form of statement.signature.accepted) assert.deepEqual(parseSignatureJson(form), canonical);
  for (const form of statement.signature.rejected) assert.throws(() => parseSignatureJson(form));
});

test("reason words", () => {
  const words = new Map((encoding.reasons as { name: string; word: string }[]).map((r) => [r.name, r.word]));
  assert.equal(FACILITATOR_CONFIG_MISMATCH, words.get("ConfigMismatch"));
  assert.equal(FACILITATOR_OVERLOADED, words.get("Overloaded"));
  assert.equal(OVERLOADED, words.get("Overloaded"));
  assert.equal(FACILITATOR_UNAVAILABLE, encoding.clientWords.facilitatorUnavailable);
});
