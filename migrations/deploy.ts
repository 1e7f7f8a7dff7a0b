/**
 * Deploys and initializes the x402-zk verifier, idempotently, from the environment.
 *
 *   npx ts-node migrations/deploy.ts          (from the repository root; app/ must have `npm ci` run)
 *
 * Environment:
 *   SOLANA_RPC_URL          RPC endpoint (default http://127.0.0.1:8899); SOLANA_RPC_URLS (comma list) for fallbacks
 *   MERCHANT_PUBKEY         merchant (payTo) address, base58: checked and recorded for the resource server
 *   MIN_PAYMENT_AMOUNT      minimum price, base units (u64): checked and recorded
 *   ATTESTER_KEY_PATH       attester public key JSON written by `x402-zk attester keygen`
 *   AUTHORITY_KEYPAIR       upgrade authority + config authority + fee payer (default ~/.config/solana/id.json)
 *   PROGRAM_SO              program binary (default target/deploy/x402_zk_verifier.so)
 *   PROGRAM_KEYPAIR         program id keypair (default target/deploy/x402_zk_verifier-keypair.json)
 *   MAX_CLOCK_SKEW_SECONDS  allowed |proof now − validator clock| (default 120, program max 3600)
 *   MAX_RECEIPT_AGE_SECONDS largest maxAge a proof may carry (default 600, program max 3600); with
 *                           the skew it bounds how long a nullifier account lives before anyone
 *                           may close it and return its rent. Both may only be lowered later.
 *   DEPLOYMENT_OUT          where to write the deployment summary JSON (default: stdout only)
 *
 * Steps, each skipped when already done: deploy the program (`solana program deploy`, upgradeable,
 * with AUTHORITY_KEYPAIR as upgrade authority) when the program account is absent; create the
 * config when absent; update the attester when it differs.
 *
 * Front-running: the program accepts `initialize_config` only from its upgrade authority (checked
 * on chain through the ProgramData account), so nobody can create the config between the deploy
 * and the initialize transactions. Before initializing, this script checks that the wallet is the
 * upgrade authority and stops with the reason when it is not.
 *
 * Refuses, off localnet, an attester key whose provenance is "dev" and the committed localnet
 * program keypair — there is no override.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { Keypair } from "@solana/web3.js";
import {
  ConfigError,
  MAX_RECEIPT_AGE_SECONDS,
  VerifierClient,
  createRpcFallback,
  parseFieldElement,
  parseKey,
  parseU64,
  rpcUrlsFromEnv,
} from "../app/src/index";

const ROOT = resolve(__dirname, "..");

/** The attester public key file: `{x, y, provenance}` (also accepts `{publicKey: {x, y}}`). */
export interface AttesterKeyFile {
  x: string;
  y: string;
  provenance: string;
}

export function readAttesterKey(path: string): AttesterKeyFile {
  if (!existsSync(path)) throw new ConfigError("CONFIG_INVALID", `ATTESTER_KEY_PATH ${path} does not exist (run \`x402-zk attester keygen\`)`);
  const j = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const pk = (j.publicKey ?? j.public_key ?? j.pubkey ?? j) as Record<string, unknown>;
  const x = pk.x ?? pk.Ax;
  const y = pk.y ?? pk.Ay;
  if (typeof x !== "string" || typeof y !== "string") throw new ConfigError("CONFIG_INVALID", `${path}: expected {x, y} (decimal or 0x-hex strings)`);
  const provenance = typeof j.provenance === "string" ? j.provenance : "unknown";
  return { x: parseFieldElement(x, "attester.x").toString(), y: parseFieldElement(y, "attester.y").toString(), provenance };
}

/** True for RPC URLs on this machine. */
export function isLocalnet(url: string): boolean {
  const h = new URL(url).hostname;
  return h === "127.0.0.1" || h === "localhost" || h === "::1" || h === "[::1]";
}

function loadKeypair(path: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]));
}

function log(msg: string): void {
  console.error(`[deploy] ${msg}`);
}

async function main(): Promise<void> {
  const env = process.env;
  const urls = rpcUrlsFromEnv(env);
  const primary = urls[0]!;
  const local = urls.every(isLocalnet);

  const merchant = parseKey(required(env, "MERCHANT_PUBKEY"), "MERCHANT_PUBKEY");
  const minAmount = parseU64(required(env, "MIN_PAYMENT_AMOUNT"), "MIN_PAYMENT_AMOUNT");
  if (minAmount === 0n) throw new ConfigError("CONFIG_INVALID", "MIN_PAYMENT_AMOUNT must be > 0");
  const attester = readAttesterKey(resolve(required(env, "ATTESTER_KEY_PATH")));
  const skew = Number(env.MAX_CLOCK_SKEW_SECONDS ?? "120");
  if (!Number.isInteger(skew) || skew < 0 || skew > 3600) throw new ConfigError("CONFIG_INVALID", "MAX_CLOCK_SKEW_SECONDS must be an integer in [0, 3600]");
  const maxReceiptAge = Number(env.MAX_RECEIPT_AGE_SECONDS ?? "600");
  if (!Number.isInteger(maxReceiptAge) || maxReceiptAge < 0 || maxReceiptAge > MAX_RECEIPT_AGE_SECONDS) {
    throw new ConfigError("CONFIG_INVALID", `MAX_RECEIPT_AGE_SECONDS must be an integer in [0, ${MAX_RECEIPT_AGE_SECONDS}]`);
  }

  const programKeypairPath = resolve(env.PROGRAM_KEYPAIR ?? join(ROOT, "target/deploy/x402_zk_verifier-keypair.json"));
  const programSo = resolve(env.PROGRAM_SO ?? join(ROOT, "target/deploy/x402_zk_verifier.so"));
  const authorityPath = resolve(env.AUTHORITY_KEYPAIR ?? join(homedir(), ".config/solana/id.json"));

  if (!local) {
    if (attester.provenance === "dev") {
      throw new ConfigError("DEV_KEY_REFUSED", `refusing to deploy with a dev attester key (${env.ATTESTER_KEY_PATH}) to ${primary}: dev keys are for localnet only`);
    }
    const committed = join(ROOT, "keys/x402_zk_verifier-keypair.json");
    if (existsSync(committed) && existsSync(programKeypairPath) && readFileSync(committed, "utf8").trim() === readFileSync(programKeypairPath, "utf8").trim()) {
      throw new ConfigError("DEV_KEY_REFUSED", `refusing to deploy the committed localnet program keypair to ${primary}: generate a fresh program id`);
    }
  }

  const authority = loadKeypair(authorityPath);
  const programId = existsSync(programKeypairPath) ? loadKeypair(programKeypairPath).publicKey : undefined;
  const fallback = createRpcFallback(urls, { onFailover: (f) => log(`RPC ${f.from} failed (${f.reason}); trying ${f.to ?? "nothing left"}`) });
  const client = new VerifierClient({ connection: fallback.connection(), payer: authority, programId });
  log(`rpc ${primary}${local ? " (localnet)" : ""}, program ${client.programId.toBase58()}, authority ${authority.publicKey.toBase58()}`);

  // 1. Program.
  let deployed = "already-deployed";
  if (!(await client.isDeployed())) {
    if (!existsSync(programSo)) throw new ConfigError("CONFIG_INVALID", `${programSo} missing: run scripts/build.sh (anchor build) first`);
    log(`deploying ${programSo}`);
    execFileSync("solana", ["program", "deploy", "--url", fallback.current(), "--keypair", authorityPath, "--upgrade-authority", authorityPath, "--program-id", programKeypairPath, programSo], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    deployed = "deployed";
    // A program can be invoked from the slot after its deployment ("Program is not deployed" before).
    const slot = (await client.fetchUpgradeAuthority()).deploySlot ?? 0;
    for (let i = 0; (await client.connection.getSlot("confirmed")) <= slot + 1; i++) {
      if (i > 150) throw new ConfigError("CONFIG_INVALID", `the cluster did not advance past the deployment slot ${slot} in 60 s`);
      await new Promise((r) => setTimeout(r, 400));
    }
  }
  log(`program: ${deployed}`);

  // 2. Config: only the program's upgrade authority may create it.
  if (!(await client.fetchConfig())) {
    const ua = await client.fetchUpgradeAuthority();
    log(`upgrade authority: ${ua.authority?.toBase58() ?? (ua.upgradeable ? "none (immutable)" : "none (not an upgradeable program)")}`);
    try {
      await client.requireUpgradeAuthority();
    } catch (e) {
      const hint = ua.authority ? "; set AUTHORITY_KEYPAIR to the upgrade authority's keypair" : "";
      throw new ConfigError("CONFIG_INVALID", `cannot initialize the config: ${(e as Error).message}${hint}`);
    }
  }
  const cfg = await client.ensureConfig({ attester: { x: attester.x, y: attester.y }, maxClockSkewSeconds: skew, maxReceiptAgeSeconds: maxReceiptAge });
  log(`config: ${cfg.action}${cfg.signature ? ` (${cfg.signature})` : ""}`);
  if (cfg.config.maxClockSkewSeconds !== skew) log(`note: config keeps maxClockSkewSeconds=${cfg.config.maxClockSkewSeconds} (set at creation)`);
  if (cfg.config.maxReceiptAgeSeconds !== maxReceiptAge) {
    log(`note: config keeps maxReceiptAgeSeconds=${cfg.config.maxReceiptAgeSeconds} (set at creation; may only be lowered)`);
  }

  const upgrade = await client.fetchUpgradeAuthority();
  const summary = {
    rpcUrl: primary,
    programId: client.programId.toBase58(),
    upgradeAuthority: upgrade.authority?.toBase58() ?? null,
    config: client.configPda().toBase58(),
    authority: cfg.config.authority.toBase58(),
    attester: cfg.config.attester,
    attesterProvenance: attester.provenance,
    maxClockSkewSeconds: cfg.config.maxClockSkewSeconds,
    maxReceiptAgeSeconds: cfg.config.maxReceiptAgeSeconds,
    paused: cfg.config.paused,
    vkHash: cfg.config.vkHash,
    merchant: merchant.toBase58(),
    minPaymentAmount: minAmount.toString(),
    program: deployed,
    configAction: cfg.action,
  };
  const out = JSON.stringify(summary, null, 2);
  if (env.DEPLOYMENT_OUT) writeFileSync(env.DEPLOYMENT_OUT, out + "\n");
  console.log(out);
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError("CONFIG_INVALID", `${name} is not set`);
  return v;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    const code = (e as { code?: string }).code;
    console.error(`[deploy] FAILED${code ? ` (${code})` : ""}: ${(e as Error).message ?? String(e)}`);
    if (process.env.DEBUG) console.error(e);
    process.exit(1);
  });
}
