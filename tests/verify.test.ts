// verify_payment / verify_batch / replay / set_attester on a real solana-test-validator, with real
// receipt proofs generated at test time for the validator's clock (tests/litesvm `make-fixtures`,
// the dev Groth16 setup whose key the admin suite writes with initialize_config).
import * as anchor from "@anchor-lang/core";
import { assert } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configPda, cuReport, expectFailure, fundedKeypair, program, provider, txInfo, vkPda } from "./helpers/anchor";

const { PublicKey, ComputeBudgetProgram, Keypair } = anchor.web3;
const BN = anchor.BN;
const ROOT = path.join(__dirname, "..");

type Payment = {
  proof: string;
  now: number;
  resourceHash: string;
  nullifier: string;
  asset: string;
  minAmount: number;
  maxAge: number;
  policyHash: string;
};
type Fixtures = { attester: string; payTo: string; payments: Payment[] };

const hex = (h: string) => Array.from(Buffer.from(h, "hex"));

let fixturesBin: string | undefined;

/** The `make-fixtures` binary, built first if needed. Call it before reading the clock: when the build has
 * work to do (another cargo environment built the tree last) it takes minutes, and proofs made for a
 * `now` read before it would be outside the allowed clock skew. */
function fixturesBinary(): string {
  if (!fixturesBin) {
    // The feature set of scripts/test.sh's `cargo test --workspace` (--workspace --tests), so after
    // that step this is a no-op; another selection (-p, cargo run) resolves other features and
    // rebuilds part of the tree (minutes). --ignore-rust-version: see the root Cargo.toml.
    execFileSync("cargo", ["build", "--quiet", "--workspace", "--bins", "--tests", "--ignore-rust-version"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    fixturesBin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target"), "debug", "make-fixtures");
  }
  return fixturesBin;
}

/** Proves `count` payments for `payTo` at `now` (seconds) with the dev keys. */
function makeFixtures(payTo: anchor.web3.PublicKey, now: number, count: number, seed: number): Fixtures {
  const out = path.join(os.tmpdir(), `x402-fixtures-${process.pid}-${seed}.json`);
  execFileSync(
    fixturesBinary(),
    [program.programId.toBase58(), payTo.toBase58(), String(now), String(count), String(seed), out],
    { stdio: ["ignore", "inherit", "inherit"] }
  );
  return JSON.parse(fs.readFileSync(out, "utf8"));
}

const terms = (p: Payment) => ({
  asset: new PublicKey(Buffer.from(p.asset, "hex")),
  minAmount: new BN(p.minAmount),
  maxAge: new BN(p.maxAge),
});
const payment = (p: Payment) => ({
  proof: hex(p.proof),
  now: new BN(p.now),
  resourceHash: hex(p.resourceHash),
  nullifier: hex(p.nullifier),
});
const nullifierPda = (p: Payment) =>
  PublicKey.findProgramAddressSync([Buffer.from("nullifier"), Buffer.from(p.nullifier, "hex")], program.programId)[0];
const policyPda = (p: Payment) =>
  PublicKey.findProgramAddressSync([Buffer.from("policy"), Buffer.from(p.policyHash, "hex")], program.programId)[0];
const budget = ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 });

/** Sends `register_policy` for the fixture's terms (idempotent on chain), in a transaction of its
 * own so the verification's compute units stay its own. Its account is the PDA of the hash under the
 * proof's attester: under another config attester the program computes another hash and refuses the
 * account (`PolicyAccountMismatch`). */
async function registerPolicy(fx: Fixtures, p: Payment) {
  const t = terms(p);
  await program.methods
    .registerPolicy(new PublicKey(fx.payTo), t.asset, t.minAmount, t.maxAge)
    .accountsPartial({ policy: policyPda(p) })
    .rpc();
}

async function verifyPayment(fx: Fixtures, p: Payment) {
  await registerPolicy(fx, p);
  return program.methods
    .verifyPayment(payment(p))
    .accountsPartial({ config: configPda, verifyingKey: vkPda, policy: policyPda(p), nullifier: nullifierPda(p) })
    .preInstructions([budget]);
}

async function verifyBatch(fx: Fixtures, ps: Payment[]) {
  await registerPolicy(fx, ps[0]);
  return program.methods
    .verifyBatch(ps.map(payment))
    .accountsPartial({ config: configPda, verifyingKey: vkPda, policy: policyPda(ps[0]) })
    .remainingAccounts(ps.map((p) => ({ pubkey: nullifierPda(p), isSigner: false, isWritable: true })))
    .preInstructions([budget]);
}

describe("verify_payment and verify_batch (real proofs)", () => {
  let fx: Fixtures;

  before(async () => {
    fixturesBinary();
    const slot = await provider.connection.getSlot("confirmed");
    const now = (await provider.connection.getBlockTime(slot)) ?? Math.floor(Date.now() / 1000);
    const merchant = Keypair.generate().publicKey;
    fx = makeFixtures(merchant, now, 5, 7000);
    // Proving takes a while: the admin suite created the config with ten minutes of skew (it may
    // only be lowered afterwards, never raised).
    const config = await program.account.config.fetch(configPda);
    assert.equal(config.maxClockSkewSeconds, 600);
  });

  it("a proof for the admin suite's dummy attester fails; set_attester to the real key fixes it", async () => {
    // Under the dummy attester the program hashes the terms to another policy address.
    const { err } = await expectFailure(async () => (await verifyPayment(fx, fx.payments[0])).rpc());
    assert.equal(err.error?.errorCode?.code, "PolicyAccountMismatch");
    const intruder = await fundedKeypair();
    const denied = await expectFailure(() =>
      program.methods.setAttester(hex(fx.attester)).accounts({ authority: intruder.publicKey }).signers([intruder]).rpc()
    );
    assert.equal(denied.err.error?.errorCode?.code, "Unauthorized");
    const sig = await program.methods.setAttester(hex(fx.attester)).rpc();
    cuReport.set_attester = (await txInfo(sig)).cu;
    const config = await program.account.config.fetch(configPda);
    assert.deepEqual(Array.from(config.attester), hex(fx.attester));
  });

  it("verify_payment accepts a valid proof, burns the nullifier and emits PaymentVerified", async () => {
    const p = fx.payments[0];
    const sig = await (await verifyPayment(fx, p)).rpc();
    const info = await txInfo(sig);
    cuReport.verify_payment = info.cu;
    assert.ok(info.logs.some((l) => l.startsWith("Program data: ")), info.logs.join("\n"));
    // Nullifier layout: discriminator (8) ‖ expires_at i64 (8) ‖ rent_payer (32) — no
    // resourceHash, no payTo.
    const acc = await provider.connection.getAccountInfo(nullifierPda(p), "confirmed");
    assert.ok(acc && acc.owner.equals(program.programId));
    assert.equal(acc!.data.length, 48);
    assert.notInclude(acc!.data.toString("hex"), p.resourceHash);
    assert.notInclude(acc!.data.toString("hex"), new PublicKey(fx.payTo).toBuffer().toString("hex"));
    const config = await program.account.config.fetch(configPda);
    assert.equal(
      acc!.data.readBigInt64LE(8),
      BigInt(p.now + config.maxReceiptAgeSeconds + config.maxClockSkewSeconds),
      "expires at the proof's now + age cap + skew"
    );
    assert.ok(new PublicKey(acc!.data.subarray(16, 48)).equals(provider.wallet.publicKey), "rent payer = the payer");
    assert.equal(acc!.lamports, await provider.connection.getMinimumBalanceForRentExemption(48));
    assert.equal(config.nullifierRentLamports.toString(), String(acc!.lamports), "funded with Config.nullifier_rent_lamports");
    console.log(`      nullifier account: ${acc!.data.length} bytes, rent ${acc!.lamports} lamports`);
  });

  it("sync_nullifier_rent needs no signer and keeps the cluster's exempt minimum", async () => {
    const sig = await program.methods.syncNullifierRent().accountsPartial({ config: configPda }).rpc();
    cuReport.sync_nullifier_rent = (await txInfo(sig)).cu;
    const config = await program.account.config.fetch(configPda);
    assert.equal(
      config.nullifierRentLamports.toString(),
      String(await provider.connection.getMinimumBalanceForRentExemption(48))
    );
  });

  it("a replayed proof fails with NullifierAlreadyUsed", async () => {
    const { err, logs } = await expectFailure(async () => (await verifyPayment(fx, fx.payments[0])).rpc());
    assert.equal(err.error?.errorCode?.code, "NullifierAlreadyUsed");
    assert.ok(logs.some((l) => l.includes("This nullifier was already spent")), logs.join("\n"));
  });

  it("close_expired_nullifiers: nobody can close a nullifier before it expires; malformed pairs and foreign accounts are refused", async () => {
    const closer = await fundedKeypair();
    const pair = (rentPayer: anchor.web3.PublicKey) => [
      { pubkey: nullifierPda(fx.payments[0]), isSigner: false, isWritable: true },
      { pubkey: rentPayer, isSigner: false, isWritable: true },
    ];
    let f = await expectFailure(() =>
      program.methods.closeExpiredNullifiers().remainingAccounts(pair(provider.wallet.publicKey)).rpc()
    );
    assert.equal(f.err.error?.errorCode?.code, "NullifierNotExpired");
    f = await expectFailure(() => program.methods.closeExpiredNullifiers().remainingAccounts([]).rpc());
    assert.equal(f.err.error?.errorCode?.code, "NullifierPairsMalformed");
    f = await expectFailure(() =>
      program.methods
        .closeExpiredNullifiers()
        .remainingAccounts([{ pubkey: configPda, isSigner: false, isWritable: true }, ...pair(closer.publicKey).slice(1)])
        .rpc()
    );
    assert.equal(f.err.error?.errorCode?.code, "NullifierAccountMismatch");
    assert.isNotNull(await provider.connection.getAccountInfo(nullifierPda(fx.payments[0])), "still open");
  });

  it("a tampered proof fails with InvalidProof and burns nothing", async () => {
    const p = { ...fx.payments[1] };
    const bytes = Buffer.from(p.proof, "hex");
    bytes[200] ^= 1;
    p.proof = bytes.toString("hex");
    const { err } = await expectFailure(async () => (await verifyPayment(fx, p)).rpc());
    assert.equal(err.error?.errorCode?.code, "InvalidProof");
    assert.isNull(await provider.connection.getAccountInfo(nullifierPda(p)));
  });

  it("verify_batch verifies two proofs in one pairing product and burns both nullifiers", async () => {
    const ps = fx.payments.slice(1, 3);
    const sig = await (await verifyBatch(fx, ps)).rpc();
    cuReport["verify_batch n=2"] = (await txInfo(sig)).cu;
    for (const p of ps) assert.isNotNull(await provider.connection.getAccountInfo(nullifierPda(p)));
  });

  it("a batch containing a spent nullifier fails as a whole", async () => {
    const ps = [fx.payments[3], fx.payments[0]];
    const { err } = await expectFailure(async () => (await verifyBatch(fx, ps)).rpc());
    assert.equal(err.error?.errorCode?.code, "NullifierAlreadyUsed");
    assert.isNull(await provider.connection.getAccountInfo(nullifierPda(fx.payments[3])));
  });

  it("a batch with a duplicate nullifier fails with DuplicateNullifierInBatch", async () => {
    const p = fx.payments[4];
    const { err } = await expectFailure(async () => (await verifyBatch(fx, [p, p])).rpc());
    assert.equal(err.error?.errorCode?.code, "DuplicateNullifierInBatch");
  });

  it("paused: verification fails until resumed", async () => {
    await program.methods.setPaused(true).rpc();
    const { err } = await expectFailure(async () => (await verifyPayment(fx, fx.payments[4])).rpc());
    assert.equal(err.error?.errorCode?.code, "Paused");
    await program.methods.setPaused(false).rpc();
    await (await verifyPayment(fx, fx.payments[4])).rpc();
  });
});
