/**
 * The receipt wallet's stores: `FileReceiptStore` on a real file system (mode, atomic replacement,
 * a corrupt or group-readable file refused and left untouched) and `MemoryReceiptStore`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NATIVE_SOL_ASSET, StoreError, toHex32 } from "../src/index";
import { MemoryReceiptStore, entryProblem, termsServe, type ReceiptEntry, type ReceiptStore } from "../src/wallet";
import { FileReceiptStore, RECEIPT_STORE_VERSION } from "../src/wallet-file";
import { FileProvingKeyCache } from "../src/proving-key-file";

const payTo = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const programId = "11111111111111111111111111111112";

function entry(i: number, over: Partial<ReceiptEntry> = {}): ReceiptEntry {
  return {
    id: toHex32(BigInt(1000 + i)),
    state: "pending",
    secret: String(123456789n * BigInt(i + 1)),
    offer: { network: "solana:localnet", payTo, asset: NATIVE_SOL_ASSET, amount: "1000", programId, attester: { x: "1", y: "2" }, attesterUrl: "http://127.0.0.1:1" },
    createdAt: 1,
    updatedAt: 1,
    ...over,
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "x402-wallet-"));
}

async function expectStoreError(p: Promise<unknown>, code: string): Promise<StoreError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return e instanceof StoreError && e.code === code;
  });
  return caught as StoreError;
}

for (const [name, make] of [
  ["MemoryReceiptStore", () => new MemoryReceiptStore()],
  ["FileReceiptStore", () => new FileReceiptStore(join(tmp(), "receipts.json"))],
] as [string, () => ReceiptStore][]) {
  test(`${name}: put is an upsert by id, list returns copies, delete removes`, async () => {
    const s = make();
    assert.deepEqual(await s.list(), []);
    await s.put(entry(1));
    await s.put(entry(2));
    await s.put(entry(1, { state: "paid", signature: "sig1" }));
    const all = await s.list();
    assert.equal(all.length, 2);
    const one = all.find((e) => e.id === entry(1).id)!;
    assert.equal(one.state, "paid");
    one.state = "spent"; // a copy: the store is not changed
    assert.equal((await s.list()).find((e) => e.id === entry(1).id)!.state, "paid");
    await s.delete(entry(2).id);
    assert.deepEqual((await s.list()).map((e) => e.id), [entry(1).id]);
  });
}

test("FileReceiptStore: the file is created mode 0600 (its new directory 0700), survives a new instance, and holds a versioned list", async () => {
  const dir = join(tmp(), "nested", "wallet");
  const path = join(dir, "receipts.json");
  const s = new FileReceiptStore(path);
  await s.put(entry(1));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const json = JSON.parse(readFileSync(path, "utf8")) as { version: number; entries: ReceiptEntry[] };
  assert.equal(json.version, RECEIPT_STORE_VERSION);
  assert.deepEqual(json.entries, [entry(1)]);
  const again = new FileReceiptStore(path);
  assert.deepEqual(await again.list(), [entry(1)]);
});

test("FileReceiptStore: writes are atomic — 40 concurrent puts all land, a concurrent reader always sees valid JSON, no temporary file is left", async () => {
  const dir = tmp();
  const path = join(dir, "receipts.json");
  const s = new FileReceiptStore(path);
  await s.put(entry(0));
  let reads = 0;
  let stop = false;
  const reader = (async () => {
    while (!stop) {
      const text = readFileSync(path, "utf8");
      const parsed = JSON.parse(text) as { entries: unknown[] }; // throws on a torn write
      assert.ok(parsed.entries.length >= 1);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  await Promise.all(Array.from({ length: 40 }, (_, i) => s.put(entry(i + 1, { state: "paid", signature: `sig${i}` }))));
  stop = true;
  await reader;
  assert.ok(reads > 0);
  assert.equal((await new FileReceiptStore(path).list()).length, 41);
  assert.deepEqual(readdirSync(dir), ["receipts.json"], "no temporary files left behind");
});

test("FileReceiptStore: a group/world-readable file is refused (STORE_INSECURE), not used and not changed", async () => {
  const path = join(tmp(), "receipts.json");
  await new FileReceiptStore(path).put(entry(1));
  chmodSync(path, 0o644);
  const before = readFileSync(path);
  const s = new FileReceiptStore(path);
  const e = await expectStoreError(s.list(), "STORE_INSECURE");
  assert.match(e.message, /chmod 600/);
  await expectStoreError(s.put(entry(2)), "STORE_INSECURE");
  assert.deepEqual(readFileSync(path), before);
  assert.equal(statSync(path).mode & 0o777, 0o644, "the mode is the owner's decision: not silently changed");
  chmodSync(path, 0o600);
  assert.equal((await new FileReceiptStore(path).list()).length, 1, "usable again after chmod 600");
});

test("FileReceiptStore: a corrupt file is a typed error (STORE_CORRUPT) and is never overwritten — no data loss", async () => {
  const cases: [string, string][] = [
    ["not JSON", '{"version": 1, "entries": [ {"id": "0x'],
    ["wrong version", JSON.stringify({ version: 99, entries: [] })],
    ["an invalid entry", JSON.stringify({ version: RECEIPT_STORE_VERSION, entries: [entry(1), { ...entry(2), state: "attested" }] })],
  ];
  for (const [what, text] of cases) {
    const path = join(tmp(), "receipts.json");
    writeFileSync(path, text, { mode: 0o600 });
    const s = new FileReceiptStore(path);
    const e = await expectStoreError(s.list(), "STORE_CORRUPT");
    assert.match(e.message, /left untouched/, what);
    await expectStoreError(s.put(entry(3)), "STORE_CORRUPT");
    await expectStoreError(s.delete(entry(1).id), "STORE_CORRUPT");
    assert.equal(readFileSync(path, "utf8"), text, `${what}: the file is unchanged`);
  }
});

test("entryProblem / termsServe: what the stores accept and which stored payment serves an offer", () => {
  assert.equal(entryProblem(entry(1)), undefined);
  assert.match(entryProblem({ ...entry(1), id: "abc" })!, /id/);
  assert.match(entryProblem({ ...entry(1), state: "used", receipt: undefined })!, /without a receipt/);
  const want = { network: "solana:localnet", payTo, asset: NATIVE_SOL_ASSET, programId, attester: { x: "1", y: "2" }, amount: 1000n };
  assert.equal(termsServe(entry(1).offer, want), true);
  assert.equal(termsServe(entry(1).offer, { ...want, amount: 999n }), true, "paid more than asked");
  assert.equal(termsServe(entry(1).offer, { ...want, amount: 1001n }), false);
  assert.equal(termsServe(entry(1).offer, { ...want, payTo: programId }), false);
  assert.equal(termsServe(entry(1).offer, { ...want, attester: { x: "1", y: "3" } }), false);
  assert.equal(termsServe(entry(1).offer, { ...want, programId: payTo }), false);
});

test("FileProvingKeyCache: keyed by vk hash, atomic, absent → undefined", async () => {
  const dir = join(tmp(), "keys");
  const c = new FileProvingKeyCache(dir);
  const h = "0x" + "ab".repeat(32);
  assert.equal(await c.get(h), undefined);
  await c.put(h, new Uint8Array([1, 2, 3]));
  assert.deepEqual(await c.get(h.toUpperCase().replace("0X", "0x")), new Uint8Array([1, 2, 3]));
  assert.deepEqual(readdirSync(dir), ["ab".repeat(32) + ".pk"]);
  assert.throws(() => c.pathFor("../../etc/passwd"));
  rmSync(dir, { recursive: true });
});
