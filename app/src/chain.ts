/**
 * Transactions without WebSockets: send, then poll `getSignatureStatuses` until the wanted
 * commitment (so an {@link createRpcFallback} connection works end to end), and the payer's
 * transfer-with-memo that starts every zk-receipt payment.
 */
import { Buffer } from "buffer"; // explicit: browsers have no global Buffer (bundlers resolve the npm `buffer` package)
import {
  Commitment,
  ComputeBudgetProgram,
  Connection,
  PublicKey,
  SendTransactionError,
  Signer,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import { utils } from "@anchor-lang/core";
import { ProgramError, X402ZkError, describe } from "./errors";
import { NATIVE_SOL_ASSET, parseKey, parseU64 } from "./encoding";

export const MEMO_PROGRAM_ID = new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
export const TOKEN_2022_PROGRAM_ID = new PublicKey("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWrLfHgREfrsnCDrg");

export interface SendOptions {
  /** Commitment to wait for (default "confirmed"). */
  commitment?: Commitment;
  /** Give up waiting after this many ms (default 90 000). */
  timeoutMs?: number;
  /** Poll interval, ms (default 400). */
  pollMs?: number;
  /** Compute-unit limit to request, when the default 200k is not enough. */
  computeUnits?: number;
}

const RANK: Record<string, number> = { processed: 0, confirmed: 1, finalized: 2 };

/**
 * A signer that holds no secret key here: a browser wallet adapter (`@solana/wallet-adapter-base`'s
 * `signTransaction`), a hardware wallet, a remote signer. It signs the whole transaction and
 * returns it (the same object or a new one).
 */
export interface TransactionSigner {
  readonly publicKey: PublicKey;
  signTransaction(tx: Transaction): Promise<Transaction>;
}

/** Who signs a payment: a `Keypair` (or any `{publicKey, secretKey}`) or a {@link TransactionSigner}. */
export type PayerSigner = Signer | TransactionSigner;

/** True for a {@link TransactionSigner} (it has `signTransaction`), false for a key pair. */
export function isTransactionSigner(s: PayerSigner): s is TransactionSigner {
  return typeof (s as Partial<TransactionSigner>).signTransaction === "function";
}

/**
 * Signs `tx` with every signer: key pairs first (partial signatures), then each
 * {@link TransactionSigner} in turn on the partly signed transaction. Returns the signed
 * transaction (a wallet may return a new object). A refused or incomplete signature is a
 * non-retryable `PAYMENT_FAILED`.
 */
export async function signWith(tx: Transaction, signers: PayerSigner[]): Promise<Transaction> {
  const keys = signers.filter((s): s is Signer => !isTransactionSigner(s));
  const wallets = signers.filter(isTransactionSigner);
  if (wallets.length === 0) {
    tx.sign(...keys);
    return tx;
  }
  if (keys.length > 0) tx.partialSign(...keys);
  let signed = tx;
  for (const w of wallets) {
    try {
      signed = await w.signTransaction(signed);
    } catch (cause) {
      throw new ProgramError("PAYMENT_FAILED", `the wallet ${w.publicKey.toBase58()} did not sign: ${describe(cause)}`, { cause });
    }
  }
  return signed;
}

/**
 * Signs (key pairs and/or wallet {@link TransactionSigner}s; the first signer pays the fee), sends
 * and polls until `commitment`; throws {@link ProgramError} with logs on failure.
 */
export async function sendAndConfirm(
  connection: Connection,
  instructions: TransactionInstruction[],
  signers: PayerSigner[],
  opts: SendOptions = {},
): Promise<string> {
  const commitment = opts.commitment ?? "confirmed";
  let tx = new Transaction();
  if (opts.computeUnits) tx.add(ComputeBudgetProgram.setComputeUnitLimit({ units: opts.computeUnits }));
  tx.add(...instructions);
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  tx.recentBlockhash = blockhash;
  tx.feePayer = signers[0]!.publicKey;
  tx = await signWith(tx, signers);
  let raw: Uint8Array;
  try {
    raw = tx.serialize(); // checks that every required signature is present and valid
  } catch (cause) {
    throw new ProgramError("PAYMENT_FAILED", `the transaction is not fully signed: ${describe(cause)}`, { cause });
  }
  let signature: string;
  try {
    signature = await connection.sendRawTransaction(raw, { preflightCommitment: "confirmed" });
  } catch (e) {
    throw toProgramError(e);
  }
  await waitForSignature(connection, signature, { ...opts, commitment, lastValidBlockHeight });
  return signature;
}

/** Polls until `signature` reaches `commitment`, fails, or its blockhash expires. */
export async function waitForSignature(
  connection: Connection,
  signature: string,
  opts: SendOptions & { lastValidBlockHeight?: number } = {},
): Promise<void> {
  const want = RANK[opts.commitment ?? "confirmed"] ?? 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  let polls = 0;
  for (;;) {
    const { value } = await connection.getSignatureStatuses([signature], { searchTransactionHistory: true });
    const st = value[0];
    if (st?.err) {
      const tx = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 }).catch(() => null);
      throw programErrorFromLogs(`transaction ${signature} failed: ${JSON.stringify(st.err)}`, tx?.meta?.logMessages ?? undefined);
    }
    if (st?.confirmationStatus && (RANK[st.confirmationStatus] ?? -1) >= want) return;
    if (Date.now() > deadline) {
      throw new ProgramError("PAYMENT_FAILED", `transaction ${signature} did not reach ${opts.commitment ?? "confirmed"} in time`, { retryable: true });
    }
    if (!st && opts.lastValidBlockHeight !== undefined && ++polls % 10 === 0) {
      const height = await connection.getBlockHeight("confirmed");
      if (height > opts.lastValidBlockHeight) {
        throw new ProgramError("PAYMENT_FAILED", `transaction ${signature} expired before landing`, { retryable: true });
      }
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 400));
  }
}

/** Anchor error names by code, from the synced IDL (filled by program.ts). */
export const programErrorNames = new Map<number, string>();

/** Extracts `custom program error: 0x…` / Anchor `Error Code: X` from logs. */
export function programErrorFromLogs(message: string, logs: string[] | undefined, cause?: unknown): ProgramError {
  let programCode: number | undefined;
  let name: string | undefined;
  for (const l of logs ?? []) {
    const m = /Error Code: (\w+)\. Error Number: (\d+)/.exec(l);
    if (m) {
      name = m[1];
      programCode = Number(m[2]);
    }
    const c = /custom program error: 0x([0-9a-fA-F]+)/.exec(l);
    if (c && programCode === undefined) programCode = parseInt(c[1]!, 16);
  }
  if (programCode === undefined) {
    const c = /custom program error: 0x([0-9a-fA-F]+)/.exec(message) ?? /"Custom":(\d+)/.exec(message);
    if (c) programCode = c[0].startsWith("custom") ? parseInt(c[1]!, 16) : Number(c[1]);
  }
  if (programCode !== undefined && !name) name = programErrorNames.get(programCode);
  const code = name === "NullifierAlreadyUsed" ? "NULLIFIER_SPENT" : "PROGRAM_ERROR";
  return new ProgramError(code, name ? `${message} (${name})` : message, { programCode, programErrorName: name, logs, cause });
}

/** Maps a send/simulate failure to a {@link ProgramError}; passes SDK errors through. */
export function toProgramError(e: unknown): X402ZkError {
  if (e instanceof X402ZkError) return e;
  if (e instanceof SendTransactionError) {
    return programErrorFromLogs(e.message, e.logs ?? undefined, e);
  }
  const logs = (e as { logs?: unknown }).logs;
  return programErrorFromLogs(describe(e), Array.isArray(logs) ? (logs as string[]) : undefined, e);
}

/** The associated token account of `owner` for `mint` under `tokenProgram`. */
export function associatedTokenAddress(owner: PublicKey, mint: PublicKey, tokenProgram: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync([owner.toBuffer(), tokenProgram.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[0];
}

/** The Memo-program instruction carrying `memo` (signed by `signer`). */
export function memoInstruction(memo: string, signer: PublicKey): TransactionInstruction {
  return new TransactionInstruction({
    programId: MEMO_PROGRAM_ID,
    keys: [{ pubkey: signer, isSigner: true, isWritable: false }],
    data: Buffer.from(memo, "utf8"),
  });
}

/**
 * Instructions that pay `amount` base units of `asset` from `payer` to `payTo`: a System transfer
 * for native SOL; otherwise create-idempotent of the recipient's ATA plus an SPL `TransferChecked`
 * (Token or Token-2022, read from the mint's owner).
 */
export async function transferInstructions(
  connection: Connection,
  payer: PublicKey,
  p: { payTo: string; asset: string; amount: bigint | string },
): Promise<TransactionInstruction[]> {
  const payTo = parseKey(p.payTo, "payTo");
  const amount = parseU64(p.amount, "amount");
  if (p.asset === NATIVE_SOL_ASSET) {
    return [SystemProgram.transfer({ fromPubkey: payer, toPubkey: payTo, lamports: amount })];
  }
  const mint = parseKey(p.asset, "asset");
  const info = await connection.getAccountInfo(mint, "confirmed");
  if (!info) throw new ProgramError("PAYMENT_FAILED", `asset mint ${mint.toBase58()} not found`);
  const tokenProgram = info.owner;
  if (!tokenProgram.equals(TOKEN_PROGRAM_ID) && !tokenProgram.equals(TOKEN_2022_PROGRAM_ID)) {
    throw new ProgramError("PAYMENT_FAILED", `asset ${mint.toBase58()} is not an SPL token mint`);
  }
  const decimals = info.data[44];
  if (decimals === undefined) throw new ProgramError("PAYMENT_FAILED", `asset ${mint.toBase58()}: mint account too short`);
  const source = associatedTokenAddress(payer, mint, tokenProgram);
  const dest = associatedTokenAddress(payTo, mint, tokenProgram);
  const createDest = new TransactionInstruction({
    programId: ASSOCIATED_TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: dest, isSigner: false, isWritable: true },
      { pubkey: payTo, isSigner: false, isWritable: false },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: tokenProgram, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([1]), // CreateIdempotent
  });
  const data = Buffer.alloc(10);
  data.writeUInt8(12, 0); // TransferChecked
  data.writeBigUInt64LE(amount, 1);
  data.writeUInt8(decimals, 9);
  const transfer = new TransactionInstruction({
    programId: tokenProgram,
    keys: [
      { pubkey: source, isSigner: false, isWritable: true },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: dest, isSigner: false, isWritable: true },
      { pubkey: payer, isSigner: true, isWritable: false },
    ],
    data,
  });
  return [createDest, transfer];
}

/**
 * Pays `amount` of `asset` to `payTo` with the memo in the same transaction, and waits for
 * `finalized` (the attester receipts finalized transfers only). Returns the signature. `payer` is a
 * `Keypair` or a wallet's {@link TransactionSigner} (e.g. a browser wallet adapter).
 */
export async function payWithMemo(
  connection: Connection,
  payer: PayerSigner,
  p: { payTo: string; asset: string; amount: bigint | string; memo: string },
  opts: SendOptions = {},
): Promise<string> {
  const ixs = await transferInstructions(connection, payer.publicKey, p);
  ixs.push(memoInstruction(p.memo, payer.publicKey));
  return sendAndConfirm(connection, ixs, [payer], { commitment: "finalized", ...opts });
}

/** A payment signed but not yet sent: its signature is known before it can land (for the receipt wallet). */
export interface SignedPayment {
  /** base58; what the attester is asked about. */
  signature: string;
  /** The wire transaction. */
  raw: Uint8Array;
  /** The blockhash's last valid height: past it, a transaction that has not landed never will. */
  lastValidBlockHeight: number;
}

/** Builds and signs the transfer-with-memo of {@link payWithMemo} without sending it. */
export async function signPaymentWithMemo(
  connection: Connection,
  payer: PayerSigner,
  p: { payTo: string; asset: string; amount: bigint | string; memo: string },
): Promise<SignedPayment> {
  const ixs = await transferInstructions(connection, payer.publicKey, p);
  ixs.push(memoInstruction(p.memo, payer.publicKey));
  let tx = new Transaction().add(...ixs);
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  tx.recentBlockhash = blockhash;
  tx.feePayer = payer.publicKey;
  tx = await signWith(tx, [payer]);
  let raw: Uint8Array;
  try {
    raw = tx.serialize();
  } catch (cause) {
    throw new ProgramError("PAYMENT_FAILED", `the payment is not fully signed: ${describe(cause)}`, { cause });
  }
  if (!tx.signature) throw new ProgramError("PAYMENT_FAILED", "the payment has no fee-payer signature");
  return { signature: utils.bytes.bs58.encode(tx.signature), raw, lastValidBlockHeight };
}

/**
 * Sends a {@link SignedPayment} (again, if it was sent before: the same signed bytes can land at
 * most once) and waits for `finalized` (or `opts.commitment`).
 */
export async function sendSignedPayment(connection: Connection, signed: SignedPayment, opts: SendOptions = {}): Promise<string> {
  try {
    await connection.sendRawTransaction(signed.raw, { preflightCommitment: "confirmed" });
  } catch (e) {
    throw toProgramError(e);
  }
  await waitForSignature(connection, signed.signature, { commitment: "finalized", ...opts, lastValidBlockHeight: signed.lastValidBlockHeight });
  return signed.signature;
}
