/**
 * The explicit opt-in to a remote prover. A prover sees the whole witness (the payer's secret, the
 * receipt, the amount and payment time), so it can link the payer's wallet to the nullifier and even
 * spend the receipt first. The SDK proves locally by default; a remote prover is used only when the
 * payer configures one (`remoteProver: { url }`), never one named by a merchant's offer, and never
 * over plain http to a host that is not this machine.
 */
import { ConfigError } from "./errors";

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1` (as `URL.hostname` spells them). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!m && Number(m[1]) === 127 && m.slice(1).every((o) => Number(o) <= 255);
}

/**
 * Checks a remote prover URL: `https:` anywhere, `http:` only to a loopback host; anything else is
 * a {@link ConfigError} `INSECURE_PROVER_URL` (or `CONFIG_INVALID` for a URL that does not parse).
 * Returns the URL unchanged.
 */
export function checkRemoteProverUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new ConfigError("CONFIG_INVALID", `remoteProver.url is not a URL: ${url}`, { cause });
  }
  if (u.protocol === "https:") return url;
  if (u.protocol === "http:" && isLoopbackHost(u.hostname)) return url;
  if (u.protocol === "http:") {
    throw new ConfigError(
      "INSECURE_PROVER_URL",
      `remoteProver.url ${u.origin}: plain http to a host that is not loopback would send your payment secret in the clear; use https (or prove locally, the default)`,
    );
  }
  throw new ConfigError("INSECURE_PROVER_URL", `remoteProver.url must be https (or http to a loopback host), got ${u.protocol}`);
}
