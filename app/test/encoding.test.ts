import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  BN254_R,
  EncodingError,
  commitment,
  commitmentMemo,
  decodeProof,
  encodeProof,
  keyHalves,
  parseFieldElement,
  parseKey,
  parseU64,
  poseidonHash2,
  parseResourceSalt,
  randomFieldElement,
  randomResourceSalt,
  resourceBindingString,
  resourceHash,
  resourceHashHex,
  toHex32,
} from "../src/index";

test("BN254 r is the scalar field modulus", () => {
  assert.equal(BN254_R, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n);
});

test("field elements ≥ r are rejected, never reduced", () => {
  assert.equal(parseFieldElement((BN254_R - 1n).toString()), BN254_R - 1n);
  for (const v of [BN254_R.toString(), "0x" + BN254_R.toString(16), "0x" + "f".repeat(64), BN254_R + 5n]) {
    assert.throws(() => parseFieldElement(v), (e: unknown) => e instanceof EncodingError && e.code === "FIELD_NOT_CANONICAL");
  }
  for (const v of ["", "0x", "-1", "1e3", "0x" + "1".repeat(65), " 1"]) {
    assert.throws(() => parseFieldElement(v), (e: unknown) => e instanceof EncodingError && e.code === "FIELD_MALFORMED");
  }
  assert.equal(parseFieldElement("0x0a"), parseFieldElement("10"));
});

test("u64 parsing", () => {
  assert.equal(parseU64("18446744073709551615"), (1n << 64n) - 1n);
  assert.throws(() => parseU64("18446744073709551616"), /64 bits/);
  assert.throws(() => parseU64(2 ** 60), /safe integer/);
  assert.throws(() => parseU64("0x10"));
});

test("keys split into 128-bit big-endian halves", () => {
  const bytes = new Uint8Array(32);
  bytes[0] = 0xaa;
  bytes[15] = 0x01;
  bytes[16] = 0x02;
  bytes[31] = 0xbb;
  const { hi, lo } = keyHalves(bytes);
  assert.equal(hi, 0xaa000000000000000000000000000001n);
  assert.equal(lo, 0x020000000000000000000000000000bbn);
  assert.deepEqual(keyHalves("11111111111111111111111111111111"), { hi: 0n, lo: 0n });
  assert.equal(parseKey("0x" + "ab".repeat(32)).toBytes()[0], 0xab);
  assert.throws(() => parseKey("0xabcd"), /64 hex/);
});

test("Poseidon matches circomlib's test vector", () => {
  // circomlibjs test: poseidon([1, 2])
  assert.equal(poseidonHash2(1n, 2n), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
});

test("commitment and memo", () => {
  const s = randomFieldElement();
  assert.ok(s > 0n && s < BN254_R);
  const c = commitment(s);
  assert.equal(c, poseidonHash2(s, 0n));
  const memo = commitmentMemo(c);
  assert.match(memo, /^x402-zk:0x[0-9a-f]{64}$/);
  assert.equal(memo, "x402-zk:" + toHex32(c));
});

test("resourceHash: first 31 bytes of SHA-256 of the salted binding (vectors from the documented formula)", () => {
  // docs/PROTOCOL.md: SHA-256("x402-zk/resource/v1\n" salt "\n" METHOD "\n" URL "\n" payTo "\n" asset "\n" amount),
  // first 31 bytes big-endian; salt = the merchant's secret as lower-case hex.
  const salt = "00112233445566778899aabbccddeeff";
  const b = { salt, method: "get", url: "http://localhost:4021/premium", payTo: "11111111111111111111111111111112", asset: "11111111111111111111111111111111", amount: "1000" };
  const expectedString = "x402-zk/resource/v1\n00112233445566778899aabbccddeeff\nGET\nhttp://localhost:4021/premium\n11111111111111111111111111111112\n11111111111111111111111111111111\n1000";
  assert.equal(resourceBindingString(b), expectedString);
  const expected = BigInt("0x" + createHash("sha256").update(Buffer.from(expectedString, "utf8")).digest().subarray(0, 31).toString("hex"));
  assert.equal(resourceHash(b), expected);
  assert.equal(resourceHashHex(b), "0x" + expected.toString(16).padStart(62, "0"));
  assert.match(resourceHashHex(b), /^0x[0-9a-f]{62}$/);
  assert.ok(resourceHash(b) < BN254_R);
  // The salt's canonical form is lower-case hex without 0x: these spell the same salt.
  assert.equal(resourceHash({ ...b, salt: "0x" + salt.toUpperCase() }), expected);
  // A different salt, a different hash: without the salt an observer cannot recompute it.
  assert.notEqual(resourceHash({ ...b, salt: "ff" + salt.slice(2) }), expected);
  const unsalted = createHash("sha256").update(`GET\n${b.url}\n${b.payTo}\n${b.asset}\n1000`).digest().subarray(0, 31);
  assert.notEqual(resourceHash(b), BigInt("0x" + unsalted.toString("hex")));
  assert.throws(() => resourceBindingString({ ...b, url: "http://x/\n" }));
});

test("resource salt: hex, at least 16 bytes; parsed to lower-case hex", () => {
  assert.equal(parseResourceSalt("0xAABBCCDDEEFF00112233445566778899"), "aabbccddeeff00112233445566778899");
  for (const bad of ["", "00112233445566778899aabbccddee" /* 15 bytes */, "0011223344556677889", "zz112233445566778899aabbccddeeff", "00112233445566778899aabbccddeef"]) {
    assert.throws(() => parseResourceSalt(bad), (e: unknown) => e instanceof EncodingError, bad);
  }
  const r = randomResourceSalt();
  assert.match(r, /^[0-9a-f]{64}$/);
  assert.equal(parseResourceSalt(r), r);
  assert.throws(() => resourceHash({ salt: "short", method: "GET", url: "u", payTo: "p", asset: "a", amount: "1" }), EncodingError);
});

test("proof encoding is 256 bytes of base64", () => {
  const p = new Uint8Array(256).map((_, i) => i);
  assert.deepEqual(decodeProof(encodeProof(p)), p);
  assert.throws(() => decodeProof(Buffer.alloc(255).toString("base64")), (e: unknown) => e instanceof EncodingError && e.code === "PROOF_MALFORMED");
  assert.throws(() => decodeProof("not base64!"), /base64/);
});
