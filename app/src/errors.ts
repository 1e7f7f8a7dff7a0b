/**
 * Every failure the SDK raises is an {@link X402ZkError} with a stable `code`, so callers can branch
 * on the exact reason (`err.code === "PROVER_UNAVAILABLE"`) instead of parsing messages. Subclasses
 * group the codes by the stage that failed; `retryable` tells {@link retryWithBackoff} whether
 * trying again can help.
 */

/** All error codes, one per way to fail. */
export type X402ZkErrorCode =
  // encoding.ts
  | "FIELD_NOT_CANONICAL" // a value ≥ r (rejected, never reduced)
  | "FIELD_MALFORMED" // not a decimal / 0x-hex string
  | "KEY_MALFORMED" // not a 32-byte base58 / 0x-hex key
  | "PROOF_MALFORMED" // proof is not 256 bytes of base64
  | "U64_OUT_OF_RANGE"
  // configuration / requirements
  | "CONFIG_INVALID"
  | "REQUIREMENTS_INVALID" // 402 requirements are not a valid zk-receipt offer
  | "PAYLOAD_INVALID" // payment payload is not a valid zk-receipt payload
  | "DEV_KEY_REFUSED" // a provenance "dev" key used off localnet
  // services (attester, prover, facilitator)
  | "ATTESTER_REJECTED" // 4xx from the attester: the payment does not qualify
  | "ATTESTER_UNAVAILABLE" // network error / 5xx / 429
  | "PROVER_REJECTED" // 4xx from the prover: the statement does not hold
  | "PROVER_UNAVAILABLE"
  | "FACILITATOR_UNAVAILABLE"
  | "SERVICE_RESPONSE_INVALID" // a service answered 2xx with a body of the wrong shape
  // chain
  | "RPC_UNAVAILABLE" // every RPC endpoint failed
  | "RPC_ERROR" // JSON-RPC level error that is not a transport failure
  | "PAYMENT_FAILED" // the payment transaction failed or did not finalize
  | "PROGRAM_ERROR" // the verifier program returned an error (see `programCode`)
  | "INSTRUCTION_NOT_IN_IDL" // the synced IDL lacks an instruction; run `npm run sync-idl`
  | "NULLIFIER_SPENT"
  // local proving (the WebAssembly prover) and proving keys
  | "VK_HASH_MISMATCH" // the proving key's verifying-key hash is not the on-chain Config.vk_hash
  | "PROVING_KEY_UNAVAILABLE" // no proving key configured, or it could not be downloaded
  | "PROVER_LOAD_FAILED" // @x402-zk/prover-wasm could not be loaded
  | "PROOF_REFUSED" // the local prover refused the statement (`reason`: the prover's reason word)
  | "PROOF_SELF_CHECK_FAILED" // the local proof did not verify against the key, or its nullifier is wrong
  | "PROVER_CRASHED" // the prover's worker thread died or failed (`reason`: worker_exited, worker_error, wasm_trap); the next proof starts a new one
  | "INSECURE_PROVER_URL" // a remote prover over plain http to a host that is not loopback
  // receipt wallet
  | "STORE_CORRUPT" // the store file is not a receipt store (left untouched)
  | "STORE_INSECURE" // the store file can be read by group/others (it holds payment secrets)
  | "STORE_IO" // reading or writing the store failed
  // retry
  | "RETRY_EXHAUSTED"
  | "ABORTED";

/** Base class of every SDK error. */
export class X402ZkError extends Error {
  /** Stable machine-readable reason. */
  readonly code: X402ZkErrorCode;
  /** True when retrying the same operation may succeed (transport failures, 5xx, 429). */
  readonly retryable: boolean;

  constructor(code: X402ZkErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message);
    // Set by hand (not via the ES2022 constructor option) so the SDK also compiles against older libs.
    if (options?.cause !== undefined) {
      Object.defineProperty(this, "cause", { value: options.cause, enumerable: false, writable: true, configurable: true });
    }
    this.name = new.target.name;
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** A value could not be parsed or is outside its domain. Never retryable. */
export class EncodingError extends X402ZkError {}

/** Configuration, requirements or payload do not have the expected shape. */
export class ConfigError extends X402ZkError {}

/**
 * An HTTP service (attester, prover, facilitator) failed. `status` is the HTTP status (0 for a
 * transport failure); `problemType` is the RFC 9457 `type` URI when the service sent one
 * (`urn:x402-zk:problem:<reason>`).
 */
export class ServiceError extends X402ZkError {
  readonly service: "attester" | "prover" | "facilitator";
  readonly status: number;
  readonly problemType: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: X402ZkErrorCode,
    message: string,
    details: {
      service: "attester" | "prover" | "facilitator";
      status: number;
      problemType?: string;
      retryAfterMs?: number;
      retryable: boolean;
      cause?: unknown;
    },
  ) {
    super(code, message, { cause: details.cause, retryable: details.retryable });
    this.service = details.service;
    this.status = details.status;
    this.problemType = details.problemType;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * Local proving failed: the WebAssembly prover refused the statement (`PROOF_REFUSED`, `reason` is
 * the prover's reason word, e.g. the amount is below the minimum), its proof did not verify
 * (`PROOF_SELF_CHECK_FAILED`), or the proving key does not match the chain (`VK_HASH_MISMATCH`,
 * `PROVING_KEY_UNAVAILABLE`, `PROVER_LOAD_FAILED`). Never carries the secret.
 */
export class ProverError extends X402ZkError {
  /** The prover's reason word (first word of its error message), when it gave one. */
  readonly reason: string | undefined;
  constructor(code: X402ZkErrorCode, message: string, opts?: { reason?: string; retryable?: boolean; cause?: unknown }) {
    super(code, message, { cause: opts?.cause, retryable: opts?.retryable });
    this.reason = opts?.reason;
  }
}

/** The receipt wallet's store failed (`STORE_CORRUPT`, `STORE_INSECURE`, `STORE_IO`). `path` names the file. */
export class StoreError extends X402ZkError {
  readonly path: string | undefined;
  constructor(code: X402ZkErrorCode, message: string, opts?: { path?: string; cause?: unknown }) {
    super(code, message, { cause: opts?.cause, retryable: false });
    this.path = opts?.path;
  }
}

/** RPC transport or JSON-RPC failure. */
export class RpcError extends X402ZkError {
  /** The endpoint that failed last, when known. */
  readonly endpoint: string | undefined;
  constructor(code: X402ZkErrorCode, message: string, opts?: { endpoint?: string; retryable?: boolean; cause?: unknown }) {
    super(code, message, { cause: opts?.cause, retryable: opts?.retryable });
    this.endpoint = opts?.endpoint;
  }
}

/** The verifier program (or the payment transaction) failed. */
export class ProgramError extends X402ZkError {
  /** Anchor error code (6000…) when the program returned one. */
  readonly programCode: number | undefined;
  /** Anchor error name (`NullifierAlreadyUsed`, …) when known. */
  readonly programErrorName: string | undefined;
  readonly logs: string[] | undefined;
  constructor(
    code: X402ZkErrorCode,
    message: string,
    opts?: { programCode?: number; programErrorName?: string; logs?: string[]; retryable?: boolean; cause?: unknown },
  ) {
    super(code, message, { cause: opts?.cause, retryable: opts?.retryable });
    this.programCode = opts?.programCode;
    this.programErrorName = opts?.programErrorName;
    this.logs = opts?.logs;
  }
}

/** All retries were used; `cause` is the last error. */
export class RetryExhaustedError extends X402ZkError {
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super("RETRY_EXHAUSTED", `gave up after ${attempts} attempts: ${describe(cause)}`, { cause });
    this.attempts = attempts;
  }
}

/** Short description of any thrown value. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
