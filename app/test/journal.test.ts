/**
 * The settlement journal (app/src/zk-receipt/journal.ts): the state machine that serves a payment
 * whose settle answer was lost exactly once, on both stores (memory, and files with atomic writes
 * that survive a new process).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryJournalStore, SettlementJournal, journalKey, type JournalStore } from "../src/zk-receipt/journal";
import { FileJournalStore } from "../src/zk-receipt/journal-file";

const N = journalKey("0x01")!;

function withStores(name: string, f: (make: () => JournalStore) => Promise<void>): void {
  test(`${name} (memory)`, async () => {
    const store = new MemoryJournalStore();
    await f(() => store);
  });
  test(`${name} (files)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "x402-journal-"));
    try {
      await f(() => new FileJournalStore(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("journalKey: canonical 0x + 64 hex, or undefined", () => {
  assert.equal(journalKey("0x1"), "0x" + "0".repeat(63) + "1");
  assert.equal(journalKey("1"), journalKey("0x01"));
  assert.equal(journalKey("not a number"), undefined);
  assert.equal(journalKey(7), undefined);
});

withStores("a first attempt is sent, then served once; a second request of the nullifier is refused", async (make) => {
  const j = new SettlementJournal(make());
  assert.deepEqual(await j.begin(N, "0xaa"), { kind: "send", prior: false });
  assert.deepEqual(await j.begin(N, "0xaa"), { kind: "refuse" }, "in flight in this process");
  assert.equal(await j.recoverable(N), false, "in flight: not recoverable");
  j.end(N);
  assert.equal(await j.serve(N, "tx1"), true);
  assert.equal(await j.serve(N, "tx1"), false);
  assert.deepEqual(await j.begin(N, "0xaa"), { kind: "refuse" });
  assert.equal(await j.recoverable(N), false);
  assert.equal((await j.get(N))?.state, "served");
});

withStores("a lost answer: recoverable, settled by the look-up, served exactly once of many concurrent requests", async (make) => {
  let j = new SettlementJournal(make());
  assert.equal(await j.recoverable(N), false, "no attempt: nothing to recover");
  await j.begin(N, "0xaa");
  j.end(N); // the answer was lost
  j = new SettlementJournal(make()); // a restart (the file store keeps the entry)
  if ((await j.get(N)) === undefined) return; // memory store shared in this test: never undefined
  assert.equal(await j.recoverable(N), true);
  await j.settled(N, "tx1");
  assert.equal((await j.get(N))?.state, "settled");
  const outcomes = await Promise.all(Array.from({ length: 8 }, () => j.begin(N, "0xaa")));
  assert.ok(outcomes.every((o) => o.kind === "recovered" && o.transaction === "tx1"));
  const served = await Promise.all(Array.from({ length: 8 }, () => j.serve(N, "tx1")));
  assert.equal(served.filter(Boolean).length, 1, "exactly one request is served");
  assert.equal(await j.recoverable(N), false);
});

withStores("a second attempt after a lost answer is sent with prior = true", async (make) => {
  const j = new SettlementJournal(make());
  await j.begin(N, "0xaa");
  j.end(N);
  assert.deepEqual(await j.begin(N, "0xaa"), { kind: "send", prior: true });
  j.end(N);
});

test("files: entries survive a new store; served entries past the retention are pruned when it opens; other files are left alone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "x402-journal-"));
  try {
    const a = new SettlementJournal(new FileJournalStore(dir));
    const old = journalKey("0x02")!;
    await a.begin(N, "0xaa");
    a.end(N);
    await a.begin(old, "0xbb");
    a.end(old);
    await a.serve(old, "tx2");
    writeFileSync(join(dir, "README"), "not an entry");
    const past = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), past, past);
    const b = new SettlementJournal(new FileJournalStore(dir, 60 * 60 * 1000));
    assert.equal((await b.get(N))?.state, "attempted", "an unserved attempt is never pruned");
    assert.equal(await b.get(old), undefined, "the old served entry was pruned");
    assert.ok(readdirSync(dir).includes("README"));
    assert.equal(readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0, "no temporary files left");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("files: a key that is not a canonical nullifier is refused (no path outside the directory)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "x402-journal-"));
  try {
    const s = new FileJournalStore(dir);
    await assert.rejects(s.get("../../etc/passwd"), /canonical/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
