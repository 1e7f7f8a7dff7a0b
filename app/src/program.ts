/**
 * Client of the `x402_zk_verifier` program, built on the IDL synced into `src/idl/`
 * (`npm run sync-idl` after `anchor build`).
 *
 * Instructions whose final shape is still moving (`verify_payment`, `verify_batch`,
 * `set_attester`) are built from the IDL at run time: argument and account names are looked up in
 * the synced IDL, so a renamed field fails with `INSTRUCTION_NOT_IN_IDL` naming what is missing
 * instead of a silently wrong encoding. Transactions are confirmed by polling (no WebSocket), so a
 * {@link createRpcFallback} connection works for everything here.
 */
import { Buffer } from "buffer"; // explicit: browsers have no global Buffer
import { AnchorProvider, BN, Program, type Idl, type Wallet } from "@anchor-lang/core";
import { AccountMeta, ComputeBudgetProgram, Connection, Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction, VersionedTransaction } from "@solana/web3.js";
import { sha256 } from "@noble/hashes/sha2";
import idlJson from "./idl/x402_zk_verifier.json";
import type { X402ZkVerifier } from "./idl/x402_zk_verifier";
import { ProgramError, ConfigError } from "./errors";
import { PROOF_A, PROOF_B, PROOF_C, decodeProof, fieldToBytes32, fromBytesBE, parseFieldElement, parseKey, parseU64, policyHash, toBytes32, toHex32 } from "./encoding";
import { programErrorFromLogs, programErrorNames, sendAndConfirm, toProgramError, type SendOptions } from "./chain";
import type { ZkReceiptPayload, ZkReceiptRequirements } from "./zk-receipt/types";

/** The IDL this SDK was built with (snake_case, as `anchor build` writes it). */
export const VERIFIER_IDL = idlJson as unknown as Idl;
/** Program id from the synced IDL (the localnet deployment key). */
export const VERIFIER_PROGRAM_ID = new PublicKey(idlJson.address);
export const CONFIG_SEED = Buffer.from("config");
/** Seed of the verifying key account (`[b"vk"]`), which the config authority writes. */
export const VK_SEED = Buffer.from("vk");
/** Length of the verifying key bytes the program takes: the ceremony export's `solana_vk.bin`
 * (`SolanaVk::to_bytes`, α ‖ β ‖ γ ‖ δ ‖ IC₀ ‖ IC₁ for the one public input). */
export const VERIFYING_KEY_LEN = 576;
export const NULLIFIER_SEED = Buffer.from("nullifier");
/** Seed prefix of a merchant `Policy` account: `[b"policy", policyHash (32 bytes BE)]`. */
export const POLICY_SEED = Buffer.from("policy");
/** Size of a `Policy` account (`x402_zk_encoding::layout::policy_account::SPACE`). */
export const POLICY_ACCOUNT_SIZE = 217;
/** The upgradeable BPF loader (loader-v3): owner of a deployed program and of its ProgramData. */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");
/** Size of a `Nullifier` account: discriminator 8 ‖ expires_at i64 LE ‖ rent_payer 32. */
export const NULLIFIER_ACCOUNT_SIZE = 48;
/** Offset of `rent_payer` in a `Nullifier` account (for `getProgramAccounts` memcmp filters). */
export const NULLIFIER_RENT_PAYER_OFFSET = 16;
/** The program's upper bound on `maxReceiptAgeSeconds` (and on the clock skew). */
export const MAX_RECEIPT_AGE_SECONDS = 3_600;
/** `[nullifier, rent_payer]` pairs that fit one `close_expired_nullifiers` transaction when the
 * fee payer is the rent payer (measured in tests/litesvm `recycle.rs`: 29 with a compute-budget
 * instruction); the SDK sends fewer per transaction by default. */
export const CLOSE_NULLIFIERS_MAX_PAIRS = 29;
/**
 * Compute-unit limits (`x402_zk_encoding::compute`, equal to `compute` in
 * circuits/encoding/vectors/encoding.json: test/vectors.test.ts). A limit is what the transaction
 * reserves of a block and what a priority fee is paid on, so it follows the measured cost: the
 * canonical PDA search for the nullifier is the one part that varies (one try per bump from 255).
 */
export const COMPUTE_UNITS = {
  verifyPaymentFirstTry: 83_788,
  perBumpTry: 347,
  registerPolicy: 13_300,
  marginPercent: 5,
  max: 1_400_000,
} as const;

/** The compute-unit limit of `verify_payment` for a nullifier PDA with `bump`, after `register_policy` when `registersPolicy`. */
export function verifyPaymentComputeUnits(bump: number, registersPolicy: boolean): number {
  const c = COMPUTE_UNITS;
  const units = c.verifyPaymentFirstTry + c.perBumpTry * (256 - bump - 1) + (registersPolicy ? c.registerPolicy : 0);
  return Math.min(units + Math.floor((units * c.marginPercent) / 100), c.max);
}

for (const e of (idlJson as { errors?: { code: number; name: string }[] }).errors ?? []) programErrorNames.set(e.code, e.name);

/** The program's `Config`, decoded. */
export interface VerifierConfig {
  authority: PublicKey;
  /** BabyJubJub key, decimal strings. */
  attester: { x: string; y: string };
  maxClockSkewSeconds: number;
  /** Largest `maxAge` a proof may carry; may only be lowered. */
  maxReceiptAgeSeconds: number;
  paused: boolean;
  /** `0x` hex. */
  domain: string;
  /** `0x` hex of the verifying key's SHA-256. */
  vkHash: string;
  /** Lamports every nullifier account is funded with (returned at close); `syncNullifierRent` refreshes it. */
  nullifierRentLamports: bigint;
}

/**
 * A spent nullifier's record. On chain it holds only what replay protection and recycling need:
 * when it expires (the burning proof's `now` + the config's age cap + clock skew; after that no
 * proof for it can pass and anyone may close it) and who paid its rent (gets it back on close).
 * Nothing says which resource or merchant was paid for.
 */
export interface NullifierRecord {
  address: PublicKey;
  /** Unix seconds; `close_expired_nullifiers` accepts it once the validator clock is past it. */
  expiresAt: number;
  rentPayer: PublicKey;
}

/** Who may upgrade the program (and therefore create its config), read from its ProgramData. */
export interface UpgradeAuthorityInfo {
  /** The ProgramData account (`[programId]` under the upgradeable loader). */
  programData: PublicKey;
  /** False when the program is not deployed with the upgradeable loader (no ProgramData). */
  upgradeable: boolean;
  /** The upgrade authority; null when the program is immutable or not upgradeable. */
  authority: PublicKey | null;
  /** Slot of the last deployment (the program is invocable from the next slot); null if not upgradeable. */
  deploySlot: number | null;
}

/** Everything `verify_payment` needs: the payload plus the offer it pays for. */
export interface VerifyPaymentInput {
  /** base64 or raw 256 bytes. */
  proof: string | Uint8Array;
  nullifier: string | bigint;
  now: number | bigint;
  resourceHash: string | bigint;
  payTo: string | PublicKey;
  asset: string | PublicKey;
  minAmount: string | bigint;
  maxAge: number | bigint;
}

/** Builds a {@link VerifyPaymentInput} from a parsed payload and its requirements. */
export function verifyInputFromPayment(payload: ZkReceiptPayload, req: ZkReceiptRequirements): VerifyPaymentInput {
  return {
    proof: payload.proof,
    nullifier: payload.nullifier,
    now: payload.now,
    resourceHash: payload.resourceHash,
    payTo: req.payTo,
    asset: req.asset,
    minAmount: req.amount,
    maxAge: req.extra.maxAge,
  };
}

export interface VerifierClientOptions {
  connection: Connection;
  /** Signs and pays for transactions (the facilitator's or the authority's key). */
  payer: Keypair;
  /** Defaults to the IDL's address. */
  programId?: PublicKey | string;
  /** Per-send options (commitment, timeout). */
  send?: SendOptions;
}

type AnyMethods = Record<string, (...args: unknown[]) => {
  accountsPartial(a: Record<string, PublicKey>): { remainingAccounts(r: AccountMeta[]): { instruction(): Promise<TransactionInstruction> }; instruction(): Promise<TransactionInstruction> };
}>;

interface IdlField {
  name: string;
  type: unknown;
}

/** Client of the verifier program. */
export class VerifierClient {
  readonly program: Program<X402ZkVerifier>;
  readonly connection: Connection;
  readonly programId: PublicKey;
  readonly payer: Keypair;
  private readonly sendOpts: SendOptions;

  constructor(opts: VerifierClientOptions) {
    this.connection = opts.connection;
    this.payer = opts.payer;
    this.programId = opts.programId ? parseKey(opts.programId, "programId") : VERIFIER_PROGRAM_ID;
    const provider = new AnchorProvider(opts.connection, keypairWallet(opts.payer), { commitment: "confirmed" });
    const idl = { ...(idlJson as object), address: this.programId.toBase58() } as unknown as X402ZkVerifier;
    this.program = new Program<X402ZkVerifier>(idl, provider);
    this.sendOpts = opts.send ?? {};
  }

  /** `[b"config"]`. */
  configPda(): PublicKey {
    return PublicKey.findProgramAddressSync([CONFIG_SEED], this.programId)[0];
  }

  /** `[b"vk"]`: the verifying key account every verify instruction reads. */
  vkPda(): PublicKey {
    return PublicKey.findProgramAddressSync([VK_SEED], this.programId)[0];
  }

  /** `Config.vk_hash` (`0x` hex): SHA-256 of the active verifying key's bytes, computed on chain;
   * null before `initialize_config`. Compare with {@link vkHashOf} of the key you prove with. */
  async fetchVkHash(): Promise<string | null> {
    return (await this.fetchConfig())?.vkHash ?? null;
  }

  /** The verifying key account: its key bytes and the hash the program recorded for them. */
  async fetchVerifyingKey(): Promise<{ address: PublicKey; vkHash: string; key: Uint8Array } | null> {
    const address = this.vkPda();
    const acc = await this.program.account.verifyingKeyAccount.fetchNullable(address, "confirmed");
    if (!acc) return null;
    return { address, vkHash: "0x" + Buffer.from(acc.vkHash as number[]).toString("hex"), key: Uint8Array.from(acc.key as number[]) };
  }

  /** `[b"nullifier", nullifier (32 bytes BE)]`. */
  nullifierPda(nullifier: string | bigint): PublicKey {
    return this.nullifierAddress(nullifier)[0];
  }

  /** The nullifier PDA and its bump (the bump sets the payment's compute-unit limit). */
  nullifierAddress(nullifier: string | bigint): [PublicKey, number] {
    return PublicKey.findProgramAddressSync([NULLIFIER_SEED, Buffer.from(fieldToBytes32(nullifier, "nullifier"))], this.programId);
  }

  /** `[b"policy", policyHash]` for `input`'s terms under `config` (its attester and domain). */
  policyPda(input: Pick<VerifyPaymentInput, "payTo" | "asset" | "minAmount" | "maxAge">, config: Pick<VerifierConfig, "attester" | "domain">): PublicKey {
    const h = policyHash({ ...input, attester: config.attester, domain: config.domain });
    return PublicKey.findProgramAddressSync([POLICY_SEED, Buffer.from(toBytes32(h))], this.programId)[0];
  }

  /**
   * The `Policy` account for `input`'s terms, and the `register_policy` instruction to put in front
   * of a verification when it does not exist yet (idempotent on chain; the payer pays the rent).
   */
  async policyFor(input: VerifyPaymentInput): Promise<{ policy: PublicKey; register: TransactionInstruction | null }> {
    const config = await this.fetchConfig();
    if (!config) throw new ProgramError("PROGRAM_ERROR", "the program's config is not initialized");
    const policy = this.policyPda(input, config);
    const info = await this.connection.getAccountInfo(policy, "confirmed");
    if (info && info.owner.equals(this.programId) && info.data.length > 0) return { policy, register: null };
    const register = await this.program.methods
      .registerPolicy(parseKey(input.payTo, "payTo"), parseKey(input.asset, "asset"), new BN(parseU64(input.minAmount, "minAmount").toString()), new BN(parseU64(BigInt(input.maxAge), "maxAge").toString()))
      .accountsPartial({ payer: this.payer.publicKey, policy })
      .instruction();
    return { policy, register };
  }

  /** The program's ProgramData account (loader-v3): `[programId]` under the upgradeable loader. */
  programDataAddress(): PublicKey {
    return PublicKey.findProgramAddressSync([this.programId.toBuffer()], BPF_LOADER_UPGRADEABLE_ID)[0];
  }

  /**
   * The program's upgrade authority, from its ProgramData account: the only key `initialize_config`
   * accepts.
   */
  async fetchUpgradeAuthority(): Promise<UpgradeAuthorityInfo> {
    const programData = this.programDataAddress();
    const info = await this.connection.getAccountInfo(programData, "confirmed");
    // UpgradeableLoaderState::ProgramData (bincode): tag u32 LE = 3 ‖ slot u64 ‖ Option<Pubkey>.
    if (!info || !info.owner.equals(BPF_LOADER_UPGRADEABLE_ID) || info.data.length < 45 || info.data.readUInt32LE(0) !== 3) {
      return { programData, upgradeable: false, authority: null, deploySlot: null };
    }
    const authority = info.data[12] === 1 ? new PublicKey(info.data.subarray(13, 45)) : null;
    return { programData, upgradeable: true, authority, deploySlot: Number(info.data.readBigUInt64LE(4)) };
  }

  /**
   * Throws `CONFIG_INVALID` with the reason unless the payer is the program's upgrade authority
   * (checked before `initialize_config`, which the program refuses from anyone else).
   */
  async requireUpgradeAuthority(): Promise<UpgradeAuthorityInfo> {
    const ua = await this.fetchUpgradeAuthority();
    const program = this.programId.toBase58();
    const me = this.payer.publicKey.toBase58();
    if (!ua.upgradeable) {
      throw new ConfigError("CONFIG_INVALID", `program ${program} has no ProgramData account (${ua.programData.toBase58()}): it is not deployed with the upgradeable loader, so nobody can create its config; deploy it with \`solana program deploy\``);
    }
    if (!ua.authority) {
      throw new ConfigError("CONFIG_INVALID", `program ${program} is immutable (no upgrade authority), so nobody can create its config; initialize the config before making a program immutable`);
    }
    if (!ua.authority.equals(this.payer.publicKey)) {
      throw new ConfigError("CONFIG_INVALID", `wallet ${me} is not the upgrade authority of program ${program} (that is ${ua.authority.toBase58()}): only the upgrade authority can initialize the config`);
    }
    return ua;
  }

  /** True when the program account exists and is executable. */
  async isDeployed(): Promise<boolean> {
    const info = await this.connection.getAccountInfo(this.programId, "confirmed");
    return !!info?.executable;
  }

  /** The config, or null before `initialize_config`. */
  async fetchConfig(): Promise<VerifierConfig | null> {
    const c = await this.program.account.config.fetchNullable(this.configPda(), "confirmed");
    if (!c) return null;
    const att = Uint8Array.from(c.attester as number[]);
    return {
      authority: c.authority,
      attester: { x: fromBytesBE(att.subarray(0, 32)).toString(), y: fromBytesBE(att.subarray(32, 64)).toString() },
      maxClockSkewSeconds: c.maxClockSkewSeconds,
      maxReceiptAgeSeconds: c.maxReceiptAgeSeconds,
      paused: c.paused,
      domain: "0x" + Buffer.from(c.domain as number[]).toString("hex"),
      vkHash: "0x" + Buffer.from(c.vkHash as number[]).toString("hex"),
      nullifierRentLamports: BigInt(c.nullifierRentLamports.toString()),
    };
  }

  /**
   * `initialize_config` with the payer as authority. The program accepts it only from its upgrade
   * authority, shown by the ProgramData account passed here (else `Unauthorized`).
   */
  async initializeConfig(args: ConfigArgs): Promise<string> {
    const ix = await this.program.methods
      .initializeConfig({
        attester: attesterBytes(args.attester),
        maxClockSkewSeconds: args.maxClockSkewSeconds,
        maxReceiptAgeSeconds: args.maxReceiptAgeSeconds,
        verifyingKey: verifyingKeyArg(args.verifyingKey),
      })
      .accountsPartial({
        authority: this.payer.publicKey,
        config: this.configPda(),
        verifyingKey: this.vkPda(),
        program: this.programId,
        programData: this.programDataAddress(),
      })
      .instruction();
    return this.send([ix]);
  }

  /**
   * Idempotent set-up: initializes the config (with the verifying key) when absent (only the
   * program's upgrade authority may: checked first, with a clear `CONFIG_INVALID` otherwise); when
   * present, checks the authority, then writes the verifying key when `Config.vk_hash` differs
   * from its hash and updates the attester when it differs. Never pauses/unpauses. `actions`
   * lists what was done (`created`, `vk-updated`, `attester-updated`; empty: unchanged).
   */
  async ensureConfig(args: ConfigArgs): Promise<{
    action: "created" | "unchanged" | "updated";
    actions: ("created" | "vk-updated" | "attester-updated")[];
    signatures: string[];
    config: VerifierConfig;
  }> {
    const existing = await this.fetchConfig();
    if (!existing) {
      await this.requireUpgradeAuthority();
      const signature = await this.initializeConfig(args);
      return { action: "created", actions: ["created"], signatures: [signature], config: (await this.fetchConfig())! };
    }
    if (!existing.authority.equals(this.payer.publicKey)) {
      throw new ConfigError("CONFIG_INVALID", `config exists with authority ${existing.authority.toBase58()}, not ${this.payer.publicKey.toBase58()}`);
    }
    const actions: ("vk-updated" | "attester-updated")[] = [];
    const signatures: string[] = [];
    if (existing.vkHash !== vkHashOf(args.verifyingKey)) {
      signatures.push(await this.setVerifyingKey(args.verifyingKey));
      actions.push("vk-updated");
    }
    const want = { x: parseFieldElement(args.attester.x).toString(), y: parseFieldElement(args.attester.y).toString() };
    if (existing.attester.x !== want.x || existing.attester.y !== want.y) {
      signatures.push(await this.setAttester(want));
      actions.push("attester-updated");
    }
    if (actions.length === 0) return { action: "unchanged", actions, signatures, config: existing };
    return { action: "updated", actions, signatures, config: (await this.fetchConfig())! };
  }

  /**
   * `set_verifying_key` (authority only): replaces the verifying key with `key` (the ceremony's
   * `solana_vk.bin` bytes); the program checks the points and sets `Config.vk_hash` to their
   * SHA-256 ({@link vkHashOf}). Proofs for the previous key stop verifying at once.
   */
  async setVerifyingKey(key: Uint8Array): Promise<string> {
    const ix = await this.program.methods
      .setVerifyingKey(verifyingKeyArg(key))
      .accountsPartial({ authority: this.payer.publicKey, config: this.configPda(), verifyingKey: this.vkPda() })
      .instruction();
    try {
      return await this.send([ix]);
    } catch (e) {
      throw toProgramError(e);
    }
  }

  /** `set_paused` (authority only). */
  async setPaused(paused: boolean): Promise<string> {
    const ix = await this.program.methods.setPaused(paused).accountsPartial({ authority: this.payer.publicKey }).instruction();
    return this.send([ix]);
  }

  /**
   * `sync_nullifier_rent` (anyone): sets `Config.nullifier_rent_lamports` to the `Rent` sysvar's
   * exempt minimum for a nullifier account. Needed only if the cluster's rent rises (payments are
   * refused for insufficient rent until then).
   */
  async syncNullifierRent(): Promise<string> {
    const ix = await this.program.methods.syncNullifierRent().accountsPartial({ config: this.configPda() }).instruction();
    return this.send([ix]);
  }

  /**
   * `set_max_receipt_age` (authority only). The program refuses raising it
   * (`LifetimeMayOnlyShrink`): expired nullifiers get closed, so a receipt's lifetime never grows.
   */
  async setMaxReceiptAge(seconds: number): Promise<string> {
    const ix = await this.program.methods.setMaxReceiptAge(seconds).accountsPartial({ authority: this.payer.publicKey }).instruction();
    return this.send([ix]);
  }

  /** `set_max_clock_skew` (authority only). Like the age cap, it may only shrink (`LifetimeMayOnlyShrink`). */
  async setMaxClockSkew(seconds: number): Promise<string> {
    const ix = await this.program.methods.setMaxClockSkew(seconds).accountsPartial({ authority: this.payer.publicKey }).instruction();
    return this.send([ix]);
  }

  /** `set_attester` (authority only), when the synced IDL has it. */
  async setAttester(attester: { x: string; y: string }): Promise<string> {
    const ix = await this.dynamicInstruction("setAttester", { attester: attesterBytes(attester) }, {});
    return this.send([ix]);
  }

  /**
   * The nullifier's record, or null when unspent (or closed after expiry). Layout: discriminator
   * (8) ‖ expires_at i64 LE ‖ rent_payer (32) (the `Nullifier` account is not in the IDL: no
   * instruction takes it as a typed account).
   */
  async fetchNullifier(nullifier: string | bigint): Promise<NullifierRecord | null> {
    const address = this.nullifierPda(nullifier);
    const info = await this.connection.getAccountInfo(address, "confirmed");
    if (!info) return null;
    // A pre-funded, not yet burnt PDA is a system account: unspent.
    if (!info.owner.equals(this.programId) || info.data.length < NULLIFIER_ACCOUNT_SIZE) return null;
    return decodeNullifier(address, info.data);
  }

  /**
   * Nullifier accounts whose rent `rentPayer` (default: this payer) paid and that expired before
   * `nowUnix` (default: the local clock; the program compares with the validator clock).
   */
  async findExpiredNullifiers(opts: { rentPayer?: PublicKey; nowUnix?: number } = {}): Promise<NullifierRecord[]> {
    const rentPayer = opts.rentPayer ?? this.payer.publicKey;
    const now = opts.nowUnix ?? Math.floor(Date.now() / 1000);
    const accounts = await this.connection.getProgramAccounts(this.programId, {
      commitment: "confirmed",
      filters: [{ dataSize: NULLIFIER_ACCOUNT_SIZE }, { memcmp: { offset: NULLIFIER_RENT_PAYER_OFFSET, bytes: rentPayer.toBase58() } }],
    });
    return accounts.map((a) => decodeNullifier(a.pubkey, a.account.data)).filter((r) => r.expiresAt < now);
  }

  /** The `close_expired_nullifiers` instruction for `records` (each rent goes to its recorded payer). */
  async closeExpiredNullifiersInstruction(records: Pick<NullifierRecord, "address" | "rentPayer">[]): Promise<TransactionInstruction> {
    const remaining = records.flatMap((r) => [
      { pubkey: r.address, isSigner: false, isWritable: true },
      { pubkey: r.rentPayer, isSigner: false, isWritable: true },
    ]);
    return this.program.methods.closeExpiredNullifiers().remainingAccounts(remaining).instruction();
  }

  /**
   * Permissionless: closes expired nullifier accounts (at most {@link CLOSE_NULLIFIERS_MAX_PAIRS}
   * per call), returning their rent to the recorded payers. Fails with `NullifierNotExpired` while
   * any of them could still be spent.
   */
  async closeExpiredNullifiers(records: Pick<NullifierRecord, "address" | "rentPayer">[]): Promise<string> {
    if (records.length === 0 || records.length > CLOSE_NULLIFIERS_MAX_PAIRS) {
      throw new ProgramError("PROGRAM_ERROR", `closeExpiredNullifiers: 1..${CLOSE_NULLIFIERS_MAX_PAIRS} records per transaction, got ${records.length}`);
    }
    try {
      return await this.send([await this.closeExpiredNullifiersInstruction(records)]);
    } catch (e) {
      throw toProgramError(e);
    }
  }

  /** The `verify_payment` instruction for one proof under the `policy` account of its terms. */
  async verifyPaymentInstruction(input: VerifyPaymentInput, policy?: PublicKey): Promise<TransactionInstruction> {
    const values = verifyValues(input);
    const p = policy ?? (await this.policyFor(input)).policy;
    return this.dynamicInstruction("verifyPayment", values, {
      policy: p,
      nullifier: this.nullifierPda(BigInt(toHex32(fromBytesBE(values.nullifier as Uint8Array)))),
    });
  }

  /** `verify_payment`, preceded by `register_policy` when the policy account does not exist yet. */
  private async verifyPaymentInstructions(input: VerifyPaymentInput): Promise<{ ixs: TransactionInstruction[]; computeUnits: number }> {
    const { policy, register } = await this.policyFor(input);
    const ix = await this.verifyPaymentInstruction(input, policy);
    const computeUnits = verifyPaymentComputeUnits(this.nullifierAddress(input.nullifier)[1], register !== null);
    return { ixs: register ? [register, ix] : [ix], computeUnits };
  }

  /**
   * Sends `verify_payment`: verifies the proof on-chain and burns the nullifier. Succeeds only
   * when this call's own transaction burnt it: a nullifier that is already spent (by anyone,
   * including an earlier call with the same payload) throws `ProgramError` `NULLIFIER_SPENT`, as
   * does the program's `NullifierAlreadyUsed` when another transaction burns it first.
   */
  async verifyOnChain(input: VerifyPaymentInput): Promise<{ signature: string; nullifierAccount: PublicKey }> {
    const nullifierAccount = this.nullifierPda(input.nullifier);
    const prior = await this.fetchNullifier(input.nullifier);
    if (prior) {
      throw new ProgramError("NULLIFIER_SPENT", `nullifier already spent (account ${nullifierAccount.toBase58()}, expires at ${prior.expiresAt})`, { programErrorName: "NullifierAlreadyUsed" });
    }
    const { ixs, computeUnits } = await this.verifyPaymentInstructions(input);
    try {
      const signature = await this.send(ixs, { computeUnits });
      return { signature, nullifierAccount };
    } catch (e) {
      throw toProgramError(e); // `NullifierAlreadyUsed` maps to NULLIFIER_SPENT
    }
  }

  /** Simulates `verify_payment` (the real on-chain Groth16 check, nothing written). */
  async simulateVerify(input: VerifyPaymentInput): Promise<{ ok: boolean; error?: ProgramError; logs: string[]; unitsConsumed?: number }> {
    const { ixs, computeUnits } = await this.verifyPaymentInstructions(input);
    const tx = new Transaction().add(ComputeBudgetProgram.setComputeUnitLimit({ units: computeUnits }), ...ixs);
    tx.feePayer = this.payer.publicKey;
    tx.recentBlockhash = (await this.connection.getLatestBlockhash("confirmed")).blockhash;
    tx.sign(this.payer);
    const sim = await this.connection.simulateTransaction(tx);
    const logs = sim.value.logs ?? [];
    if (sim.value.err) {
      return { ok: false, error: programErrorFromLogs(`simulation failed: ${JSON.stringify(sim.value.err)}`, logs), logs, unitsConsumed: sim.value.unitsConsumed };
    }
    return { ok: true, logs, unitsConsumed: sim.value.unitsConsumed };
  }

  /**
   * Sends `verify_batch` for proofs that share one offer (payTo, asset, minAmount, maxAge): one
   * randomized batch check, every nullifier burnt. The nullifier PDAs go in as remaining accounts,
   * in proof order.
   */
  async batchVerifyOnChain(inputs: VerifyPaymentInput[], opts: { computeUnits?: number } = {}): Promise<{ signature: string; nullifierAccounts: PublicKey[] }> {
    if (inputs.length === 0) throw new ProgramError("PROGRAM_ERROR", "batchVerifyOnChain: empty batch");
    const first = inputs[0]!;
    for (const i of inputs) {
      if (
        parseKey(i.payTo).toBase58() !== parseKey(first.payTo).toBase58() ||
        parseKey(i.asset).toBase58() !== parseKey(first.asset).toBase58() ||
        parseU64(i.minAmount) !== parseU64(first.minAmount) ||
        BigInt(i.maxAge) !== BigInt(first.maxAge)
      ) {
        throw new ProgramError("PROGRAM_ERROR", "batchVerifyOnChain: every proof of a batch must share payTo, asset, minAmount and maxAge");
      }
    }
    const per = inputs.map(verifyValues);
    const shared = per[0]!;
    const nullifierAccounts = inputs.map((i) => this.nullifierPda(i.nullifier));
    const values: Record<string, unknown> = { ...shared, proofs: per, entries: per, items: per, payments: per };
    const { policy, register } = await this.policyFor(first);
    const ix = await this.dynamicInstruction(
      "verifyBatch",
      values,
      { policy },
      nullifierAccounts.map((pubkey) => ({ pubkey, isSigner: false, isWritable: true })),
    );
    const signature = await this.send(register ? [register, ix] : [ix], { computeUnits: opts.computeUnits ?? 1_400_000 });
    return { signature, nullifierAccounts };
  }

  private send(ixs: TransactionInstruction[], extra: SendOptions = {}): Promise<string> {
    return sendAndConfirm(this.connection, ixs, [this.payer], { ...this.sendOpts, ...extra });
  }

  /**
   * Builds `name` from the synced IDL: each argument (or each field of a struct argument) is taken
   * from `values` by its camelCase name; accounts are resolved by Anchor, with the payer offered
   * under the usual signer names and `accounts` for the rest.
   */
  private async dynamicInstruction(
    name: string,
    values: Record<string, unknown>,
    accounts: Record<string, PublicKey>,
    remaining?: AccountMeta[],
  ): Promise<TransactionInstruction> {
    const idl = this.program.idl as unknown as { instructions: { name: string; args: IdlField[]; accounts: { name: string }[] }[]; types?: { name: string; type: { kind: string; fields?: IdlField[] } }[] };
    const ixDef = idl.instructions.find((i) => i.name === name);
    if (!ixDef) {
      throw new ProgramError("INSTRUCTION_NOT_IN_IDL", `the synced IDL has no instruction ${name}; rebuild the program and run \`npm run sync-idl\` in app/`);
    }
    const types = new Map((idl.types ?? []).map((t) => [t.name, t.type]));
    const build = (field: IdlField, path: string): unknown => {
      if (field.name in values) return convert(values[field.name], field.type, path + field.name);
      const t = field.type as { defined?: { name: string } | string };
      const defName = typeof t.defined === "string" ? t.defined : t.defined?.name;
      const def = defName ? types.get(defName) : undefined;
      if (def?.kind === "struct" && def.fields) {
        return Object.fromEntries(def.fields.map((f) => [f.name, build(f, `${path}${field.name}.`)]));
      }
      throw new ProgramError("INSTRUCTION_NOT_IN_IDL", `${name}: the SDK has no value for argument ${path}${field.name}; update program.ts for the new IDL`);
    };
    const convert = (v: unknown, type: unknown, path: string): unknown => {
      const vec = (type as { vec?: unknown }).vec;
      if (vec !== undefined && Array.isArray(v) && v.length > 0 && typeof v[0] === "object" && !(v[0] instanceof Uint8Array)) {
        const t = vec as { defined?: { name: string } | string };
        const defName = typeof t.defined === "string" ? t.defined : t.defined?.name;
        const def = defName ? types.get(defName) : undefined;
        if (!def?.fields) throw new ProgramError("INSTRUCTION_NOT_IN_IDL", `${name}: cannot encode ${path}`);
        return (v as Record<string, unknown>[]).map((item) =>
          Object.fromEntries(def.fields!.map((f) => {
            if (!(f.name in item)) throw new ProgramError("INSTRUCTION_NOT_IN_IDL", `${name}: no value for ${path}[].${f.name}`);
            return [f.name, convert(item[f.name], f.type, `${path}[].${f.name}`)];
          })),
        );
      }
      if (v instanceof Uint8Array) {
        if (type === "bytes") return Buffer.from(v);
        return Array.from(v);
      }
      if (typeof v === "bigint") return new BN(v.toString());
      return v;
    };
    const args = ixDef.args.map((a) => build(a, ""));
    const names = new Set(ixDef.accounts.map((a) => a.name));
    const offered: Record<string, PublicKey> = {
      payer: this.payer.publicKey,
      authority: this.payer.publicKey,
      feePayer: this.payer.publicKey,
      settler: this.payer.publicKey,
      signer: this.payer.publicKey,
      config: this.configPda(),
      verifyingKey: this.vkPda(),
      systemProgram: SystemProgram.programId,
      ...accounts,
    };
    const given = Object.fromEntries(Object.entries(offered).filter(([k]) => names.has(k)));
    const methods = this.program.methods as unknown as AnyMethods;
    const builder = methods[name]!(...args).accountsPartial(given);
    try {
      return await (remaining ? builder.remainingAccounts(remaining).instruction() : builder.instruction());
    } catch (cause) {
      throw new ProgramError("INSTRUCTION_NOT_IN_IDL", `${name}: could not build the instruction from the IDL: ${(cause as Error).message}`, { cause });
    }
  }
}

/** Arguments of `initialize_config` (and `ensureConfig`). */
export interface ConfigArgs {
  attester: { x: string; y: string };
  /** The verifying key bytes ({@link VERIFYING_KEY_LEN}): the ceremony's `solana_vk.bin`
   * (`x402-zk ceremony finalize` / `x402-zk export-vk --format solana` write it). */
  verifyingKey: Uint8Array;
  maxClockSkewSeconds: number;
  /** Largest `maxAge` a proof may carry, ≤ {@link MAX_RECEIPT_AGE_SECONDS}; may only be lowered later. */
  maxReceiptAgeSeconds: number;
}

/** Decodes a `Nullifier` account: discriminator (8) ‖ expires_at i64 LE ‖ rent_payer (32). */
export function decodeNullifier(address: PublicKey, data: Buffer): NullifierRecord {
  return {
    address,
    expiresAt: Number(data.readBigInt64LE(8)),
    rentPayer: new PublicKey(data.subarray(NULLIFIER_RENT_PAYER_OFFSET, NULLIFIER_RENT_PAYER_OFFSET + 32)),
  };
}

/**
 * `Config.vk_hash` for verifying key bytes: `0x` + SHA-256 of exactly the bytes the program is given
 * (the definition is `SolanaVk::sha256` in circuits/src/export/solana.rs: the hash of its export;
 * nothing is re-encoded here).
 */
export function vkHashOf(key: Uint8Array): string {
  return "0x" + Buffer.from(sha256(key)).toString("hex");
}

function verifyingKeyArg(key: Uint8Array): number[] {
  if (key.length !== VERIFYING_KEY_LEN) {
    throw new ConfigError("CONFIG_INVALID", `verifying key: ${key.length} bytes, expected ${VERIFYING_KEY_LEN} (the ceremony's solana_vk.bin)`);
  }
  return Array.from(key);
}

function attesterBytes(a: { x: string; y: string }): number[] {
  return [...toBytes32(parseFieldElement(a.x, "attester.x")), ...toBytes32(parseFieldElement(a.y, "attester.y"))];
}

/** The argument values of one proof, under every name the program may use. */
function verifyValues(i: VerifyPaymentInput): Record<string, unknown> {
  const proof = typeof i.proof === "string" ? decodeProof(i.proof) : i.proof;
  const nullifier = fieldToBytes32(i.nullifier, "nullifier");
  const resourceHash = fieldToBytes32(i.resourceHash, "resourceHash");
  const now = parseU64(BigInt(i.now), "now");
  const minAmount = parseU64(i.minAmount, "minAmount");
  const maxAge = parseU64(BigInt(i.maxAge), "maxAge");
  const payTo = parseKey(i.payTo, "payTo");
  const asset = parseKey(i.asset, "asset");
  return {
    proof,
    proofBytes: proof,
    proofA: proof.subarray(...PROOF_A),
    proofB: proof.subarray(...PROOF_B),
    proofC: proof.subarray(...PROOF_C),
    nullifier,
    resourceHash,
    now,
    timestamp: now,
    minAmount,
    maxAge,
    payTo,
    asset,
  };
}

/**
 * Anchor's `Wallet` for a key pair. Not anchor's `NodeWallet` class: its browser build does not
 * export it, and this module is on the browser payer's path.
 */
function keypairWallet(payer: Keypair): Wallet {
  const sign = <T extends Transaction | VersionedTransaction>(tx: T): T => {
    if (tx instanceof VersionedTransaction) tx.sign([payer]);
    else tx.partialSign(payer);
    return tx;
  };
  return {
    publicKey: payer.publicKey,
    payer,
    signTransaction: async (tx) => sign(tx),
    signAllTransactions: async (txs) => txs.map(sign),
  };
}
