// Shared helpers for the anchor test suites: the program client, PDAs, logs and compute units.
import * as anchor from "@anchor-lang/core";
import { Program } from "@anchor-lang/core";
import * as fs from "fs";
import * as path from "path";
import { X402ZkVerifier } from "../../target/types/x402_zk_verifier";

export const provider = anchor.AnchorProvider.env();
anchor.setProvider(provider);
export const program = anchor.workspace.x402ZkVerifier as Program<X402ZkVerifier>;

export const [configPda] = anchor.web3.PublicKey.findProgramAddressSync(
  [Buffer.from("config")],
  program.programId
);

/** The verifying key account `[b"vk"]` every verify instruction reads. */
export const [vkPda] = anchor.web3.PublicKey.findProgramAddressSync([Buffer.from("vk")], program.programId);

/** The committed dev verifying key (keys/dev/solana_vk.bin, the deterministic dev setup's Solana
 * export): what the config is initialized with, so the dev-key fixtures verify. */
export const DEV_VK: number[] = Array.from(fs.readFileSync(path.join(__dirname, "..", "..", "keys", "dev", "solana_vk.bin")));

/** The upgradeable loader (loader-v3), which owns the deployed program and its ProgramData. */
export const BPF_LOADER_UPGRADEABLE = new anchor.web3.PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/** The program's ProgramData account: `[programId]` under the upgradeable loader. `anchor test`
 * loads the program upgradeable (Anchor.toml `[test] upgradeable = true`) with the provider
 * wallet as upgrade authority, the only key `initialize_config` accepts. */
export const [programDataPda] = anchor.web3.PublicKey.findProgramAddressSync(
  [program.programId.toBuffer()],
  BPF_LOADER_UPGRADEABLE
);

/** Logs and consumed compute units of a confirmed transaction (for our program only). */
export async function txInfo(sig: string): Promise<{ cu: number | null; logs: string[] }> {
  const latest = await provider.connection.getLatestBlockhash("confirmed");
  await provider.connection.confirmTransaction({ signature: sig, ...latest }, "confirmed");
  const tx = await provider.connection.getTransaction(sig, {
    commitment: "confirmed",
    maxSupportedTransactionVersion: 0,
  });
  const logs = tx?.meta?.logMessages ?? [];
  return { cu: cuFromLogs(logs), logs };
}

/** "Program <id> consumed N of M compute units" for this program. */
export function cuFromLogs(logs: string[]): number | null {
  const id = program.programId.toBase58();
  for (const l of logs) {
    const m = l.match(/^Program (\S+) consumed (\d+) of (\d+) compute units/);
    if (m && m[1] === id) return Number(m[2]);
  }
  return null;
}

/** The program logs carried by a failed `.rpc()` call, whatever shape the error has. */
export async function logsOfFailure(e: any): Promise<string[]> {
  if (Array.isArray(e?.logs)) return e.logs;
  if (Array.isArray(e?.transactionLogs)) return e.transactionLogs;
  if (typeof e?.getLogs === "function") {
    try {
      return await e.getLogs(provider.connection);
    } catch (_) {
      /* fall through */
    }
  }
  return [];
}

/** Runs `fn`, requires it to fail, and returns the error with its logs. */
export async function expectFailure(fn: () => Promise<unknown>): Promise<{ err: any; logs: string[] }> {
  try {
    await fn();
  } catch (err) {
    return { err, logs: await logsOfFailure(err) };
  }
  throw new Error("expected the transaction to fail, but it succeeded");
}

/** Collects compute units per instruction across suites; written to target/cu-report.json. */
export const cuReport: Record<string, number | null> = {};
after(() => {
  const out = path.join(__dirname, "..", "..", "target", "cu-report.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(cuReport, null, 2));
  console.log("compute units (validator):", JSON.stringify(cuReport));
});

/** Airdrops SOL to a fresh keypair so it can sign and pay fees. */
export async function fundedKeypair(sol = 2): Promise<anchor.web3.Keypair> {
  const kp = anchor.web3.Keypair.generate();
  const sig = await provider.connection.requestAirdrop(kp.publicKey, sol * anchor.web3.LAMPORTS_PER_SOL);
  const latest = await provider.connection.getLatestBlockhash("confirmed");
  await provider.connection.confirmTransaction({ signature: sig, ...latest }, "confirmed");
  return kp;
}
