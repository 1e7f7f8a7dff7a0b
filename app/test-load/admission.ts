/**
 * The stress drivers' check of the facilitator's admission limit (`--max-in-flight`) as a payer sees
 * it through the merchant; no side effects (unlike ./lib), so `app/test/load-admission.test.ts` runs it.
 */

/** What {@link admissionCheck} reads of an attempt (a subset of ./lib's `Attempt`). */
export interface CheckedAttempt {
  status: number;
  reason?: string;
  error?: string;
  retryAfter?: string;
  json?: boolean;
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The facilitator's admission limit as the payer sees it through the merchant: each attempt answered
 * `503` or naming `overloaded` must be `503` + `Retry-After` (whole seconds ≥ 1) + the reason word
 * `overloaded` (the merchant's `PAYMENT-RESPONSE`, `zkReceiptOverload`), and every answer must be
 * JSON. Returns the refusals counted and a description of each attempt that breaks the rule.
 */
export function admissionCheck(records: { client: number; attempts: CheckedAttempt[] }[]): { overloaded: number; violations: string[] } {
  let overloaded = 0;
  const violations: string[] = [];
  for (const r of records) {
    for (const a of r.attempts) {
      if (a.status === 0) continue; // no answer (a client-side error): nothing to check
      const what = `client ${r.client}: ${a.status}${a.reason ? ` ${a.reason}` : ""}${a.retryAfter ? ` Retry-After ${a.retryAfter}` : ""}`;
      if (a.json === false) violations.push(`${what}: the body is not JSON: ${a.error ?? ""}`);
      if (a.status !== 503 && a.reason !== "overloaded") continue;
      overloaded++;
      const secs = Number(a.retryAfter);
      if (a.status !== 503 || a.reason !== "overloaded" || !Number.isInteger(secs) || secs < 1) {
        violations.push(`${what}: a refusal must be 503 + Retry-After (whole seconds ≥ 1) + overloaded`);
      }
    }
  }
  return { overloaded, violations };
}

