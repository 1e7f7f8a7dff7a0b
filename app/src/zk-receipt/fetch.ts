/**
 * `@x402/fetch`'s `wrapFetchWithPayment`, keeping the SDK's typed errors. When creating the payment
 * fails, @x402/fetch throws a plain `Error("Failed to create payment payload: <message>")`, losing the
 * {@link X402ZkError} `code` a caller branches on (`PROVER_REJECTED`, `ATTESTER_UNAVAILABLE`, …).
 * This wrapper rethrows the original error instead; every other outcome is unchanged.
 */
import { wrapFetchWithPayment, type x402Client } from "@x402/fetch";

const FETCH_FAILURE_PREFIX = "Failed to create payment payload: ";
/** Failures kept for matching; more only under heavy concurrent failure, where the oldest go first. */
const MAX_PENDING = 64;

export function wrapFetchWithZkPayment(fetchFn: typeof fetch, client: x402Client): typeof fetch {
  const failures: unknown[] = [];
  client.onPaymentCreationFailure(async (ctx) => {
    failures.push(ctx.error);
    if (failures.length > MAX_PENDING) failures.shift();
  });
  const paid = wrapFetchWithPayment(fetchFn, client);
  return async (input, init) => {
    try {
      return await paid(input, init);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(FETCH_FAILURE_PREFIX)) {
        const message = e.message.slice(FETCH_FAILURE_PREFIX.length);
        // Concurrent calls share the client's hook: match this call's failure by its message.
        const i = failures.findIndex((f) => f instanceof Error && f.message === message);
        if (i >= 0) throw failures.splice(i, 1)[0];
      }
      throw e;
    }
  };
}
