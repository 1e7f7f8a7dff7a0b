/**
 * The HTTP calls to the attester and the prover, and nothing else: every JSON field name of those
 * two APIs lives in this file (see README "x402 flow and payload").
 *
 * Errors: a transport failure, 5xx or 429 is a retryable {@link ServiceError}
 * (`*_UNAVAILABLE`); any other non-2xx is final (`*_REJECTED`) and carries the RFC 9457 problem
 * `type` (`urn:x402-zk:problem:<reason>`) when the service sent one.
 */
import { ServiceError, describe } from "./errors";
import { decodeProof, parseFieldElement, parseU64, toHex32 } from "./encoding";

/** An EdDSA-Poseidon signature, decimal strings. */
export interface EddsaSignature {
  R8x: string;
  R8y: string;
  S: string;
}

/** A BabyJubJub public key, decimal strings. */
export interface AttesterKey {
  x: string;
  y: string;
}

/** A receipt as the prover wants it (`POST /v1/proofs` `receipt`). */
export interface Receipt {
  payTo: string;
  asset: string;
  /** Base units, decimal string. */
  amount: string;
  /** Unix seconds. */
  paidAt: number;
  signature: EddsaSignature;
}

/** What the attester answered, normalized. */
export interface AttestResult {
  receipt: Receipt;
  /** The commitment the attester read from the memo, `0x` hex. */
  commitment: string;
  attester: AttesterKey;
}

/** The statement's public parameters (`POST /v1/proofs` `public`). */
export interface ProofPublicParams {
  attester: AttesterKey;
  /** Base units, decimal string. */
  minAmount: string;
  /** Unix seconds; the prover uses its clock when omitted. */
  now?: number;
  /** Seconds. */
  maxAge: number;
  /** Field element, `0x` hex. */
  resourceHash: string;
  /** Verifier program id, base58. */
  programId: string;
}

/** `POST /v1/proofs` answer. */
export interface ProofResult {
  /** 256-byte groth16-solana proof, base64. */
  proof: string;
  /** `0x` hex, 32 bytes each (one: `pubHash`). */
  publicInputs: string[];
  /** `0x` hex, 32 bytes. */
  nullifier: string;
  /** The `now` the proof is for, unix seconds. */
  now: number;
  snarkjs?: { proof: unknown; publicSignals: string[] };
}

export interface ServiceCallOptions {
  /** Per-request timeout, ms (default 30 000; proving can take seconds). */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

type ServiceName = "attester" | "prover";

async function postJson(
  service: ServiceName,
  url: string,
  body: unknown,
  opts: ServiceCallOptions,
): Promise<Record<string, unknown>> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const unavailable = service === "attester" ? "ATTESTER_UNAVAILABLE" : "PROVER_UNAVAILABLE";
  const rejected = service === "attester" ? "ATTESTER_REJECTED" : "PROVER_REJECTED";
  let res: Response;
  try {
    res = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, application/problem+json" },
      body: JSON.stringify(body),
      signal,
    });
  } catch (cause) {
    throw new ServiceError(unavailable, `${service} at ${url} unreachable: ${describe(cause)}`, {
      service,
      status: 0,
      retryable: !opts.signal?.aborted,
      cause,
    });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const problem = (json ?? {}) as { type?: unknown; detail?: unknown; title?: unknown; retryAfter?: unknown; error?: unknown };
    const retryHeader = Number(res.headers.get("retry-after"));
    const retryAfterS = Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : typeof problem.retryAfter === "number" ? problem.retryAfter : undefined;
    const transient = res.status >= 500 || res.status === 429;
    const detail = typeof problem.detail === "string" ? problem.detail : typeof problem.error === "string" ? problem.error : text.slice(0, 200);
    throw new ServiceError(transient ? unavailable : rejected, `${service} answered ${res.status}: ${detail}`, {
      service,
      status: res.status,
      problemType: typeof problem.type === "string" ? problem.type : undefined,
      retryAfterMs: retryAfterS === undefined ? undefined : retryAfterS * 1000,
      retryable: transient,
    });
  }
  if (!json || typeof json !== "object") {
    throw new ServiceError("SERVICE_RESPONSE_INVALID", `${service} answered ${res.status} without a JSON object`, {
      service,
      status: res.status,
      retryable: false,
    });
  }
  return json as Record<string, unknown>;
}

function invalid(service: ServiceName, what: string, cause?: unknown): ServiceError {
  return new ServiceError("SERVICE_RESPONSE_INVALID", `${service} response: ${what}`, { service, status: 200, retryable: false, cause });
}

function str(o: Record<string, unknown>, k: string, service: ServiceName, path: string): string {
  const v = o[k];
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  throw invalid(service, `${path}${k} missing or not a string`);
}

function obj(o: Record<string, unknown>, k: string, service: ServiceName, path: string): Record<string, unknown> {
  const v = o[k];
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  throw invalid(service, `${path}${k} missing or not an object`);
}

function pick(o: Record<string, unknown>, names: string[], service: ServiceName, path: string): string {
  for (const n of names) if (o[n] !== undefined) return str(o, n, service, path);
  throw invalid(service, `${path}${names[0]} missing`);
}

/** Joins a base URL and a path without doubling slashes. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}

/** The signature JSON field names: written `R8x, R8y, S`; lower case also read (the attester writes it). */
const SIGNATURE_FIELDS = { R8x: ["R8x", "r8x"], R8y: ["R8y", "r8y"], S: ["S", "s"] } as const;

/**
 * Parses a signature JSON object by the protocol's one casing rule (docs/PROTOCOL.md, "Signature
 * JSON"; checked against circuits/encoding/vectors/statement.json): `{R8x, R8y, S}` or lower case
 * `{r8x, r8y, s}`, decimal or `0x`-hex field elements; unknown fields are refused.
 */
export function parseSignatureJson(sigObj: Record<string, unknown>): EddsaSignature {
  const known: string[] = Object.values(SIGNATURE_FIELDS).flat();
  for (const k of Object.keys(sigObj)) if (!known.includes(k)) throw invalid("attester", `signature: unknown field ${k}`);
  return {
    R8x: parseFieldElement(pick(sigObj, [...SIGNATURE_FIELDS.R8x], "attester", "signature."), "signature.R8x").toString(),
    R8y: parseFieldElement(pick(sigObj, [...SIGNATURE_FIELDS.R8y], "attester", "signature."), "signature.R8y").toString(),
    S: parseFieldElement(pick(sigObj, [...SIGNATURE_FIELDS.S], "attester", "signature."), "signature.S").toString(),
  };
}

/**
 * `POST {attesterUrl}/v1/attest` with `{txSignature, commitment, payTo, asset}`. Expects
 * `{receipt: {payTo, asset, amount, paidAt, commitment}, signature: {R8x|r8x, R8y|r8y, S|s}, attester: {x, y}}`
 * (the signature may also sit inside `receipt`). Checks that the attester receipted our commitment.
 */
export async function requestReceipt(
  attesterUrl: string,
  req: { txSignature: string; commitment: string; payTo: string; asset: string },
  opts: ServiceCallOptions = {},
): Promise<AttestResult> {
  const json = await postJson("attester", joinUrl(attesterUrl, "/v1/attest"), req, opts);
  const r = obj(json, "receipt", "attester", "");
  const sigObj = (json.signature ?? r.signature) as Record<string, unknown> | undefined;
  if (!sigObj || typeof sigObj !== "object") throw invalid("attester", "signature missing");
  const att = obj(json, "attester", "attester", "");
  try {
    const commitmentValue = r.commitment === undefined ? req.commitment : str(r, "commitment", "attester", "receipt.");
    if (parseFieldElement(commitmentValue) !== parseFieldElement(req.commitment)) {
      throw invalid("attester", "receipt.commitment differs from the commitment we paid with");
    }
    const signature = parseSignatureJson(sigObj);
    return {
      receipt: {
        payTo: str(r, "payTo", "attester", "receipt."),
        asset: str(r, "asset", "attester", "receipt."),
        amount: parseU64(str(r, "amount", "attester", "receipt."), "receipt.amount").toString(),
        paidAt: Number(parseU64(str(r, "paidAt", "attester", "receipt."), "receipt.paidAt")),
        signature,
      },
      commitment: toHex32(parseFieldElement(commitmentValue)),
      attester: {
        x: parseFieldElement(str(att, "x", "attester", "attester."), "attester.x").toString(),
        y: parseFieldElement(str(att, "y", "attester", "attester."), "attester.y").toString(),
      },
    };
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw invalid("attester", describe(e), e);
  }
}

/**
 * `POST {proverUrl}/v1/proofs` with `{receipt, secret, public, proofEncoding: "base64"}`; answer
 * `{proof, proofEncoding, publicInputs, nullifier, now, snarkjs: {proof, publicSignals}}`.
 */
export async function requestProof(
  proverUrl: string,
  req: { receipt: Receipt; secret: string; public: ProofPublicParams },
  opts: ServiceCallOptions = {},
): Promise<ProofResult> {
  const json = await postJson("prover", joinUrl(proverUrl, "/v1/proofs"), proofRequestBody(req), opts);
  return parseProofResponse(json);
}

/**
 * The `POST /v1/proofs` request body (the circuits crate's `wire::ProofRequest`), also what the
 * WebAssembly prover's `prove()` takes.
 */
export function proofRequestBody(req: { receipt: Receipt; secret: string; public: ProofPublicParams }): Record<string, unknown> {
  return {
    receipt: { payTo: req.receipt.payTo, asset: req.receipt.asset, amount: req.receipt.amount, paidAt: req.receipt.paidAt, signature: { ...req.receipt.signature } },
    secret: req.secret,
    public: { ...req.public },
    proofEncoding: "base64",
  };
}

/**
 * Reads a `POST /v1/proofs` answer (the circuits crate's `wire::ProofResponse`, also what the
 * WebAssembly prover's `prove()` returns) into a {@link ProofResult}.
 */
export function parseProofResponse(json: Record<string, unknown>): ProofResult {
  try {
    const proof = str(json, "proof", "prover", "");
    decodeProof(proof);
    const nullifier = toHex32(parseFieldElement(str(json, "nullifier", "prover", ""), "nullifier"));
    const pis = json.publicInputs;
    if (!Array.isArray(pis) || pis.some((p) => typeof p !== "string")) throw invalid("prover", "publicInputs must be an array of strings");
    const publicInputs = (pis as string[]).map((p) => toHex32(parseFieldElement(p, "publicInputs[]")));
    const now = Number(parseU64(str(json, "now", "prover", ""), "now"));
    const snarkjs = json.snarkjs as ProofResult["snarkjs"];
    return { proof, publicInputs, nullifier, now, snarkjs };
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw invalid("prover", describe(e), e);
  }
}
