/**
 * `generateProof` and `obtainReceipt`: the attester and prover calls of the payer flow, with
 * {@link retryWithBackoff} around them (transport failures, 5xx, 429 and "not yet finalized" are
 * retried; a rejected statement is not).
 */
import { isRetryableError, retryWithBackoff, type RetryOptions } from "./retry";
import { requestProof, requestReceipt, type AttestResult, type ProofPublicParams, type ProofResult, type Receipt, type ServiceCallOptions } from "./services";
import { ServiceError } from "./errors";
import { nullifierFor, parseFieldElement, toHex32 } from "./encoding";

export interface GenerateProofRequest {
  proverUrl: string;
  receipt: Receipt;
  /** The payer's secret, decimal or `0x` hex. */
  secret: string | bigint;
  public: ProofPublicParams;
}

/**
 * Asks the prover for a Groth16 proof of the receipt statement. Checks the returned nullifier
 * against `Poseidon(secret, domain(programId))` so a wrong prover answer fails here, not on-chain.
 */
export async function generateProof(
  req: GenerateProofRequest,
  opts: { retry?: RetryOptions; http?: ServiceCallOptions } = {},
): Promise<ProofResult> {
  const secret = parseFieldElement(req.secret, "secret");
  const res = await retryWithBackoff(
    () => requestProof(req.proverUrl, { receipt: req.receipt, secret: secret.toString(), public: req.public }, opts.http),
    { maxAttempts: 4, baseDelayMs: 500, ...opts.retry },
  );
  const expected = toHex32(nullifierFor(secret, req.public.programId));
  if (res.nullifier !== expected) {
    throw new ServiceError("SERVICE_RESPONSE_INVALID", `prover returned nullifier ${res.nullifier}, expected ${expected}`, {
      service: "prover",
      status: 200,
      retryable: false,
    });
  }
  return res;
}

/** Problem types of the attester that mean "ask again shortly" (the transfer is not final yet). */
const ATTESTER_NOT_YET = /not-finalized|not-found|pending/;

/**
 * Whether an attester error is worth asking again. Attestation is idempotent (the receipt is a
 * pure function of the finalized transaction, the same for every caller and every call), so a retry
 * after a timeout, a dropped connection, a 5xx or a 429 simply gets the receipt. Also retried: "not
 * final yet" (409/425, or a problem type `not-finalized`/`not-found`/`pending`). Any other 4xx
 * (`memo-mismatch`, `no-transfer`, …) is final: asking again cannot change the transaction.
 */
export function isAttesterRetryable(e: unknown): boolean {
  if (!(e instanceof ServiceError)) return isRetryableError(e);
  if (e.retryable) return true;
  if (ATTESTER_NOT_YET.test(e.problemType ?? "")) return true;
  // A bare 409/425 without a problem type: "too early" from a proxy or an older attester.
  return (e.status === 409 || e.status === 425) && e.problemType === undefined;
}

/**
 * Asks the attester for a receipt, retrying while the transaction is not yet visible/finalized and
 * on transient failures ({@link isAttesterRetryable}).
 */
export async function obtainReceipt(
  attesterUrl: string,
  req: { txSignature: string; commitment: string; payTo: string; asset: string },
  opts: { retry?: RetryOptions; http?: ServiceCallOptions } = {},
): Promise<AttestResult> {
  return retryWithBackoff(() => requestReceipt(attesterUrl, req, opts.http), {
    maxAttempts: 8,
    baseDelayMs: 500,
    maxDelayMs: 5_000,
    isRetryable: isAttesterRetryable,
    ...opts.retry,
  });
}
