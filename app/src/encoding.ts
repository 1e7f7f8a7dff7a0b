/**
 * Wire encodings shared by every component (docs/PROTOCOL.md, "Encodings"):
 *
 * - field elements are BN254 scalars, written as decimal or `0x`-hex strings; a value ≥ r is
 *   **rejected, never reduced**;
 * - a 32-byte key (payTo, asset, program id) enters the field as two 128-bit big-endian halves;
 *   native SOL is the all-zero key `11111111111111111111111111111111`;
 * - `resourceHash` = first 31 bytes of SHA-256(`x402-zk/resource/v1\n` salt `\nMETHOD\nURL\npayTo\nasset\namount`),
 *   big-endian, where `salt` is the merchant's secret (lower-case hex, ≥ 16 bytes);
 * - the Groth16 proof is 256 bytes in groth16-solana layout (proof_a negated), base64 on the wire.
 */
import { Buffer } from "buffer"; // explicit: browsers have no global Buffer (bundlers resolve the npm `buffer` package)
import { sha256 } from "@noble/hashes/sha2";
import { PublicKey } from "@solana/web3.js";
import { poseidon2 } from "poseidon-lite/poseidon2"; // these widths only: the package index holds every width (~600 KB in a bundle)
import { poseidon9 } from "poseidon-lite/poseidon9";
import { ConfigError, EncodingError } from "./errors";

/** BN254 scalar field modulus r. */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Largest u64. */
export const U64_MAX = (1n << 64n) - 1n;
/** The asset id of native SOL (32 zero bytes). */
export const NATIVE_SOL_ASSET = "11111111111111111111111111111111";
/** BN254 base field modulus p (proof coordinates). */
export const BN254_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** Length of a groth16-solana proof: `−A (64) ‖ B (128) ‖ C (64)` (Rust owner: `x402_zk_encoding::proof`). */
export const PROOF_LEN = 256;
/** Byte ranges `[start, end)` of `−A`, `B` and `C` in a proof. */
export const PROOF_A: readonly [number, number] = [0, 64];
export const PROOF_B: readonly [number, number] = [64, 192];
export const PROOF_C: readonly [number, number] = [192, 256];
/** Prefix of the payment memo: `x402-zk:0x<C, 64 hex digits>`. */
export const MEMO_PREFIX = "x402-zk:";

/**
 * `n` cryptographically random bytes from WebCrypto (`globalThis.crypto`: Node ≥ 19 and every
 * browser), so the client path needs no Node-only module.
 */
export function randomBytes(n: number): Uint8Array {
  const c = globalThis.crypto;
  if (!c || typeof c.getRandomValues !== "function") {
    throw new ConfigError("CONFIG_INVALID", "no WebCrypto: globalThis.crypto.getRandomValues is missing (needs Node >= 19 or a browser)");
  }
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < n; i += 65_536) c.getRandomValues(out.subarray(i, Math.min(n, i + 65_536)));
  return out;
}

const DEC_RE = /^[0-9]{1,80}$/;
const HEX_RE = /^0[xX][0-9a-fA-F]{1,64}$/;

/**
 * Parses a field element from a decimal string, a `0x`-hex string (1–64 digits), a bigint or a
 * safe non-negative integer. Throws `FIELD_NOT_CANONICAL` for values ≥ r (never reduces).
 */
export function parseFieldElement(value: string | bigint | number, what = "field element"): bigint {
  let v: bigint;
  if (typeof value === "bigint") {
    v = value;
  } else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new EncodingError("FIELD_MALFORMED", `${what}: not a safe integer`);
    v = BigInt(value);
  } else if (HEX_RE.test(value) || DEC_RE.test(value)) {
    v = BigInt(value);
  } else {
    throw new EncodingError("FIELD_MALFORMED", `${what}: expected a decimal or 0x-hex string`);
  }
  if (v < 0n) throw new EncodingError("FIELD_MALFORMED", `${what}: negative`);
  if (v >= BN254_R) throw new EncodingError("FIELD_NOT_CANONICAL", `${what}: not below the BN254 scalar field modulus`);
  return v;
}

/** True when `v` is a canonical field element. */
export function isCanonicalField(v: bigint): boolean {
  return v >= 0n && v < BN254_R;
}

/** 32-byte big-endian encoding of a non-negative integer < 2^256. */
export function toBytes32(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 256n) throw new EncodingError("FIELD_MALFORMED", "value does not fit in 32 bytes");
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Big-endian bytes → bigint. */
export function fromBytesBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** `0x` + 64 lower-case hex digits (32 bytes big-endian). */
export function toHex32(v: bigint): string {
  return "0x" + Buffer.from(toBytes32(v)).toString("hex");
}

/** Parses a `0x`-hex field element into its 32 canonical big-endian bytes. */
export function fieldToBytes32(value: string | bigint, what = "field element"): Uint8Array {
  return toBytes32(parseFieldElement(value, what));
}

/** Parses a u64 from a number or decimal string (use strings above 2^53). */
export function parseU64(value: string | number | bigint, what = "u64"): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new EncodingError("U64_OUT_OF_RANGE", `${what}: not a safe integer; pass a decimal string`);
    v = BigInt(value);
  } else if (/^[0-9]{1,20}$/.test(value)) v = BigInt(value);
  else throw new EncodingError("U64_OUT_OF_RANGE", `${what}: expected a decimal unsigned integer`);
  if (v < 0n || v > U64_MAX) throw new EncodingError("U64_OUT_OF_RANGE", `${what}: does not fit in 64 bits`);
  return v;
}

/** Parses a 32-byte key given as base58 or `0x` + 64 hex digits. */
export function parseKey(value: string | PublicKey | Uint8Array, what = "key"): PublicKey {
  if (value instanceof PublicKey) return value;
  // A PublicKey from another copy of @solana/web3.js (e.g. a caller's own node_modules).
  if (typeof (value as { toBase58?: unknown }).toBase58 === "function") {
    return new PublicKey((value as unknown as { toBase58(): string }).toBase58());
  }
  if (value instanceof Uint8Array) {
    if (value.length !== 32) throw new EncodingError("KEY_MALFORMED", `${what}: key must be 32 bytes`);
    return new PublicKey(value);
  }
  if (value.startsWith("0x")) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new EncodingError("KEY_MALFORMED", `${what}: expected 0x followed by 64 hex digits`);
    return new PublicKey(Buffer.from(value.slice(2), "hex"));
  }
  try {
    const k = new PublicKey(value);
    return k;
  } catch (cause) {
    throw new EncodingError("KEY_MALFORMED", `${what}: not a base58 32-byte key`, { cause });
  }
}

/** The two 128-bit big-endian halves `(hi, lo)` of a 32-byte key, as field elements. */
export function keyHalves(key: string | PublicKey | Uint8Array): { hi: bigint; lo: bigint } {
  const bytes = parseKey(key).toBytes();
  return { hi: fromBytesBE(bytes.subarray(0, 16)), lo: fromBytesBE(bytes.subarray(16, 32)) };
}

/** circomlib Poseidon of two inputs (poseidon-lite; equals circomlibjs and the sol_poseidon syscall). */
export function poseidonHash2(a: bigint, b: bigint): bigint {
  return poseidon2([parseFieldElement(a), parseFieldElement(b)]);
}

/** A uniformly random canonical field element (rejection sampling on 254-bit values). */
export function randomFieldElement(): bigint {
  for (;;) {
    const b = randomBytes(32);
    b[0] = b[0]! & 0x3f; // 254 bits
    const v = fromBytesBE(b);
    if (v !== 0n && v < BN254_R) return v;
  }
}

/** The payment commitment `C = Poseidon(secret, 0)`. */
export function commitment(secret: bigint): bigint {
  return poseidonHash2(secret, 0n);
}

/** `domain = Poseidon(programId_hi, programId_lo)`. */
export function programDomain(programId: string | PublicKey): bigint {
  const { hi, lo } = keyHalves(programId);
  return poseidonHash2(hi, lo);
}

/** The nullifier `Poseidon(secret, domain)` (for checking a prover's answer locally). */
export function nullifierFor(secret: bigint, programId: string | PublicKey): bigint {
  return poseidonHash2(secret, programDomain(programId));
}

/** A merchant's terms as `policyHash` binds them (with the attester and the program's domain). */
export interface PolicyTerms {
  /** BabyJubJub key, decimal or `0x` hex strings. */
  attester: { x: string | bigint; y: string | bigint };
  payTo: string | PublicKey;
  asset: string | PublicKey;
  minAmount: string | bigint;
  maxAge: number | bigint;
  /** `domain` (`Config.domain`) or the program id it is derived from. */
  domain: string | bigint;
}

/**
 * `policyHash = Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, maxAge, domain)`
 * (`x402_zk_encoding::PolicyHashInputs::ordered`): the seed of the program's `Policy` account.
 */
export function policyHash(t: PolicyTerms): bigint {
  const pay = keyHalves(t.payTo);
  const asset = keyHalves(t.asset);
  return poseidon9([
    parseFieldElement(t.attester.x, "attester.x"),
    parseFieldElement(t.attester.y, "attester.y"),
    pay.hi,
    pay.lo,
    asset.hi,
    asset.lo,
    parseU64(t.minAmount, "minAmount"),
    parseU64(BigInt(t.maxAge), "maxAge"),
    parseFieldElement(t.domain, "domain"),
  ]);
}

/** The memo text carried by the payment transaction: `x402-zk:0x<C as 32 bytes hex>`. */
export function commitmentMemo(c: bigint): string {
  return MEMO_PREFIX + toHex32(parseFieldElement(c, "commitment"));
}

/** Domain-separation tag that starts every resource binding. */
export const RESOURCE_BINDING_TAG = "x402-zk/resource/v1";
/** Minimum length of a resource salt, bytes. */
export const RESOURCE_SALT_MIN_BYTES = 16;

/**
 * Parses a merchant's resource salt: hex (upper- or lower-case, optional `0x`), an even number of
 * digits, at least {@link RESOURCE_SALT_MIN_BYTES} bytes. Returns it in its canonical form, the
 * lower-case hex digits without `0x`, which is what the binding hashes.
 */
export function parseResourceSalt(value: string, what = "resource salt"): string {
  const hex = value.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
    throw new EncodingError("FIELD_MALFORMED", `${what}: expected hex digits (an even number of them), e.g. from \`openssl rand -hex 32\``);
  }
  if (hex.length < RESOURCE_SALT_MIN_BYTES * 2) {
    throw new EncodingError("FIELD_MALFORMED", `${what}: ${hex.length / 2} bytes; needs at least ${RESOURCE_SALT_MIN_BYTES} random bytes (e.g. \`openssl rand -hex 32\`)`);
  }
  return hex.toLowerCase();
}

/** A fresh random resource salt (32 bytes, lower-case hex). */
export function randomResourceSalt(): string {
  return Buffer.from(randomBytes(32)).toString("hex");
}

/** The request binding a `resourceHash` commits to. */
export interface ResourceBinding {
  /**
   * The merchant's secret salt (hex, ≥ 16 bytes; see {@link parseResourceSalt}). Without it anyone
   * could recompute the hash from a merchant's public URLs and read off the chain which resource was bought.
   */
  salt: string;
  /** HTTP method, upper-cased before hashing. */
  method: string;
  /** Absolute URL of the resource as the server sees it. */
  url: string;
  payTo: string;
  asset: string;
  /** Minimum amount, base units, decimal string. */
  amount: string;
}

/**
 * The exact bytes hashed (UTF-8):
 * `"x402-zk/resource/v1" "\n" salt "\n" METHOD "\n" URL "\n" payTo "\n" asset "\n" amount`,
 * with `salt` canonical (lower-case hex, no `0x`) and METHOD upper-cased.
 */
export function resourceBindingString(b: ResourceBinding): string {
  const salt = parseResourceSalt(b.salt);
  const amount = parseU64(b.amount, "amount").toString();
  for (const [k, v] of Object.entries({ method: b.method, url: b.url, payTo: b.payTo, asset: b.asset })) {
    if (v.includes("\n")) throw new EncodingError("FIELD_MALFORMED", `resource binding ${k} contains a newline`);
  }
  return `${RESOURCE_BINDING_TAG}\n${salt}\n${b.method.toUpperCase()}\n${b.url}\n${b.payTo}\n${b.asset}\n${amount}`;
}

/** `resourceHash` as a field element: SHA-256 of the binding, first 31 bytes, big-endian (< r). */
export function resourceHash(b: ResourceBinding): bigint {
  const digest = sha256(new TextEncoder().encode(resourceBindingString(b)));
  return fromBytesBE(digest.subarray(0, 31));
}

/** `resourceHash` as it appears on the wire: `0x` + 62 hex digits (31 bytes). */
export function resourceHashHex(b: ResourceBinding): string {
  return "0x" + resourceHash(b).toString(16).padStart(62, "0");
}

/** Decodes a base64 groth16-solana proof and checks its length. */
export function decodeProof(b64: string): Uint8Array {
  if (typeof b64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    throw new EncodingError("PROOF_MALFORMED", "proof: expected standard base64");
  }
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length !== PROOF_LEN) {
    throw new EncodingError("PROOF_MALFORMED", `proof: expected ${PROOF_LEN} bytes, got ${bytes.length}`);
  }
  return new Uint8Array(bytes);
}

/**
 * True when all eight 32-byte coordinates of a 256-byte proof are `< p`: what the program
 * (`MalformedProof`) and the facilitator require (no coordinate is ever reduced).
 */
export function isCanonicalProof(proof: Uint8Array): boolean {
  if (proof.length !== PROOF_LEN) return false;
  for (let i = 0; i < PROOF_LEN; i += 32) if (fromBytesBE(proof.subarray(i, i + 32)) >= BN254_P) return false;
  return true;
}

/** Encodes a 256-byte proof as base64. */
export function encodeProof(proof: Uint8Array): string {
  if (proof.length !== PROOF_LEN) throw new EncodingError("PROOF_MALFORMED", `proof: expected ${PROOF_LEN} bytes, got ${proof.length}`);
  return Buffer.from(proof).toString("base64");
}
