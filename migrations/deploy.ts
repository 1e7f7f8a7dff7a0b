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
 *   VK_PATH                 Groth16 verifying key for the program: `solana_vk.bin` as the ceremony's
 *                           `finalize` (or `x402-zk export-vk --format solana`) writes it, or a key
 *                           directory holding it; a `solana_vk.sha256` next to it must agree
 *   KEYS_DIR                key directory to take `solana_vk.bin` from when VK_PATH is unset
 *                           (on localnet, with neither set: the committed dev key keys/dev/solana_vk.bin)
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
 * config with the verifying key when absent; write the verifying key (`set_verifying_key`) when
 * the on-chain `Config.vk_hash` differs from the key's SHA-256; update the attester when it
 * differs. Then it reads `Config.vk_hash` back and fails unless it is the key file's hash.
 *
 * Front-running: the program accepts `initialize_config` only from its upgrade authority (checked
 * on chain through the ProgramData account), so nobody can create the config between the deploy
 * and the initialize transactions. Before initializing, this script checks that the wallet is the
 * upgrade authority and stops with the reason when it is not.
 *
 * Refuses, off localnet (an RPC URL whose host is not loopback), the dev verifying key (its hash is
 * that of keys/dev/solana_vk.bin), the dev attester key (provenance "dev", or the key in
 * keys/dev/attester.json) and the committed localnet program keypair, before any RPC call — there
 * is no override.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
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
import { VERIFYING_KEY_LEN, vkHashOf } from "../app/src/program";

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

/** True for RPC URLs on this machine: the parsed host is loopback (`127.0.0.1.evil.com` is not). */
export function isLocalnet(url: string): boolean {
  let h: string;
  try {
    h = new URL(url).hostname;
  } catch {
    throw new ConfigError("CONFIG_INVALID", `RPC URL ${JSON.stringify(url)} is not a URL`);
  }
  return h === "127.0.0.1" || h === "localhost" || h === "::1" || h === "[::1]";
}

/** The committed dev keys (localnet only): what the tests and `scripts/demo.sh` use. */
export const DEV_KEYS_DIR = join(ROOT, "keys/dev");
/** File names written by the ceremony's Solana export (`circuits/src/export/solana.rs`). */
export const SOLANA_VK_FILE = "solana_vk.bin";
export const SOLANA_VK_SHA256_FILE = "solana_vk.sha256";

/** A verifying key file: its bytes and `Config.vk_hash` for them. */
export interface VerifyingKeyFile {
  path: string;
  bytes: Uint8Array;
  vkHash: string;
}

/**
 * Reads `solana_vk.bin` (a file, or a directory holding it) and checks it against the
 * `solana_vk.sha256` next to it when present.
 */
export function readVerifyingKey(pathOrDir: string): VerifyingKeyFile {
  const path = existsSync(pathOrDir) && statSync(pathOrDir).isDirectory() ? join(pathOrDir, SOLANA_VK_FILE) : pathOrDir;
  if (!existsSync(path)) {
    throw new ConfigError("CONFIG_INVALID", `verifying key ${path} does not exist (the ceremony's \`finalize\` writes ${SOLANA_VK_FILE}; or \`x402-zk export-vk --format solana\`)`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length !== VERIFYING_KEY_LEN) {
    throw new ConfigError("CONFIG_INVALID", `verifying key ${path}: ${bytes.length} bytes, expected ${VERIFYING_KEY_LEN} (${SOLANA_VK_FILE} from the ceremony's Solana export)`);
  }
  const vkHash = vkHashOf(bytes);
  const side = join(dirname(path), SOLANA_VK_SHA256_FILE);
  if (existsSync(side)) {
    const recorded = readFileSync(side, "utf8").trim().toLowerCase();
    if (recorded !== vkHash) throw new ConfigError("CONFIG_INVALID", `verifying key ${path} hashes to ${vkHash} but ${side} says ${recorded}: corrupted or mismatched files`);
  }
  return { path, bytes, vkHash };
}

/**
 * Everything that must hold before talking to a non-local cluster: no dev verifying key, no dev
 * attester key, no committed program keypair. Throws `DEV_KEY_REFUSED`; makes no network call.
 */
export function refuseDevKeysOffLocalnet(o: { rpcUrl: string; vk: VerifyingKeyFile; attester: AttesterKeyFile; attesterPath: string; programKeypairPath: string }): void {
  const devVk = readVerifyingKey(DEV_KEYS_DIR);
  if (o.vk.vkHash === devVk.vkHash) {
    throw new ConfigError("DEV_KEY_REFUSED", `refusing to deploy the dev verifying key (${o.vk.path}, vk hash ${o.vk.vkHash}) to ${o.rpcUrl}: anyone can forge proofs for it; set VK_PATH to your ceremony's ${SOLANA_VK_FILE}`);
  }
  const devAttester = readAttesterKey(join(DEV_KEYS_DIR, "attester.json"));
  if (o.attester.provenance === "dev" || (o.attester.x === devAttester.x && o.attester.y === devAttester.y)) {
    throw new ConfigError("DEV_KEY_REFUSED", `refusing to deploy with a dev attester key (${o.attesterPath}) to ${o.rpcUrl}: dev keys are for localnet only`);
  }
  const committed = join(ROOT, "keys/x402_zk_verifier-keypair.json");
  if (existsSync(committed) && existsSync(o.programKeypairPath) && readFileSync(committed, "utf8").trim() === readFileSync(o.programKeypairPath, "utf8").trim()) {
    throw new ConfigError("DEV_KEY_REFUSED", `refusing to deploy the committed localnet program keypair to ${o.rpcUrl}: generate a fresh program id`);
  }
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
  const attesterPath = resolve(required(env, "ATTESTER_KEY_PATH"));
  const attester = readAttesterKey(attesterPath);
  const skew = Number(env.MAX_CLOCK_SKEW_SECONDS ?? "120");
  if (!Number.isInteger(skew) || skew < 0 || skew > 3600) throw new ConfigError("CONFIG_INVALID", "MAX_CLOCK_SKEW_SECONDS must be an integer in [0, 3600]");
  const maxReceiptAge = Number(env.MAX_RECEIPT_AGE_SECONDS ?? "600");
  if (!Number.isInteger(maxReceiptAge) || maxReceiptAge < 0 || maxReceiptAge > MAX_RECEIPT_AGE_SECONDS) {
    throw new ConfigError("CONFIG_INVALID", `MAX_RECEIPT_AGE_SECONDS must be an integer in [0, ${MAX_RECEIPT_AGE_SECONDS}]`);
  }

  const programKeypairPath = resolve(env.PROGRAM_KEYPAIR ?? join(ROOT, "target/deploy/x402_zk_verifier-keypair.json"));
  const programSo = resolve(env.PROGRAM_SO ?? join(ROOT, "target/deploy/x402_zk_verifier.so"));
  const authorityPath = resolve(env.AUTHORITY_KEYPAIR ?? join(homedir(), ".config/solana/id.json"));

  const vkSource = env.VK_PATH ?? env.KEYS_DIR ?? (local ? DEV_KEYS_DIR : undefined);
  if (!vkSource) {
    throw new ConfigError("CONFIG_INVALID", `VK_PATH (or KEYS_DIR) is not set: off localnet the verifying key must come from your ceremony (${SOLANA_VK_FILE})`);
  }
  const vk = readVerifyingKey(resolve(vkSource));
  if (!local) refuseDevKeysOffLocalnet({ rpcUrl: primary, vk, attester, attesterPath, programKeypairPath });

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
  const cfg = await client.ensureConfig({
    attester: { x: attester.x, y: attester.y },
    maxClockSkewSeconds: skew,
    maxReceiptAgeSeconds: maxReceiptAge,
    verifyingKey: vk.bytes,
  });
  log(`config: ${cfg.action}${cfg.actions.length ? ` [${cfg.actions.join(", ")}]` : ""}${cfg.signatures.length ? ` (${cfg.signatures.join(", ")})` : ""}`);
  // The key the program verifies with is the file's: Config.vk_hash is computed on chain.
  const onChain = await client.fetchVkHash();
  if (onChain !== vk.vkHash) {
    throw new ConfigError("CONFIG_INVALID", `on-chain Config.vk_hash ${onChain} differs from ${vk.path} (${vk.vkHash}) after set-up`);
  }
  log(`verifying key ${vk.path}: vk hash ${vk.vkHash} (checked on chain)`);
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
    vkHash: onChain,
    vkPath: vk.path,
    verifyingKeyAccount: client.vkPda().toBase58(),
    merchant: merchant.toBase58(),
    minPaymentAmount: minAmount.toString(),
    program: deployed,
    configAction: cfg.action,
    configActions: cfg.actions,
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
