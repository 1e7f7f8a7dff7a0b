/**
 * The SDK in a real browser (Debian's Chromium, headless, via playwright-core): the IndexedDB receipt
 * wallet and proving-key cache (tabs, reloads, a killed browser), the encodings (equal to Node's),
 * WebCrypto randomness, and paying with a wallet adapter's signTransaction. No fakes: IndexedDB,
 * WebCrypto and the bundle are Chromium's own.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { MODULE_PAGE, bundle, launch, launchPersistent, ownBrowserPids, serveFiles, type StaticServer } from "./harness";
import {
  commitment,
  commitmentMemo,
  encodeProof,
  nullifierFor,
  programDomain,
  resourceHashHex,
  toHex32,
  type ResourceBinding,
} from "../src/encoding";
import type { ReceiptEntry } from "../src/wallet";

let server: StaticServer;
let browser: Browser;

before(async () => {
  const js = await bundle(join(__dirname, "..", "..", "test-browser", "pages", "wallet-page.ts"));
  server = await serveFiles({
    "/": { body: MODULE_PAGE, type: "text/html" },
    "/page.js": { body: js, type: "text/javascript" },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(b: { newPage(): Promise<Page> } = browser): Promise<Page> {
  const page = await b.newPage();
  page.setDefaultTimeout(30_000);
  page.on("pageerror", (e) => console.error("[page error]", e.message));
  await page.goto(server.url + "/");
  await page.waitForFunction(() => window.__ready === true);
  return page;
}

function entry(n: number, state: ReceiptEntry["state"] = "pending"): ReceiptEntry {
  return {
    id: "0x" + n.toString(16).padStart(64, "0"),
    state,
    secret: String(1000 + n),
    offer: {
      network: "solana:localnet",
      payTo: "11111111111111111111111111111112",
      asset: "11111111111111111111111111111111",
      amount: "1000000",
      programId: "11111111111111111111111111111113",
      attester: { x: "1", y: "2" },
      attesterUrl: "http://127.0.0.1:1/",
    },
    createdAt: 1,
    updatedAt: 2,
    signature: state === "pending" ? undefined : "5".repeat(88),
  };
}

test("IndexedDbReceiptStore: put, list, replace, delete; another tab on the same database sees every write", async () => {
  const ctx = await browser.newContext(); // one profile, two tabs (browser.newPage() would isolate them)
  const [a, b] = [await openPage(ctx), await openPage(ctx)];
  const db = "wallet-tabs";
  await a.evaluate(
    async ([db, e1, e2]) => {
      const s = new window.sdk.IndexedDbReceiptStore({ name: db });
      (window as unknown as { wallet: typeof s }).wallet = s; // kept open for the end of the test
      await s.put(e1);
      await s.put(e2);
      await s.put({ ...e1, state: "sent", signature: "sig1" }); // replace by id
    },
    [db, entry(1), entry(2)] as const,
  );
  const seen = await b.evaluate(async (db) => {
    const s = new window.sdk.IndexedDbReceiptStore({ name: db });
    const list = await s.list();
    await s.delete(list.find((e) => e.state === "pending")!.id);
    await s.delete("0x" + "f".repeat(64)); // absent: no error
    return list;
  }, db);
  assert.equal(seen.length, 2);
  assert.deepEqual(
    seen.find((e) => e.id === entry(1).id),
    { ...entry(1), state: "sent", signature: "sig1" },
  );
  assert.deepEqual(seen.find((e) => e.id === entry(2).id), JSON.parse(JSON.stringify(entry(2))));
  const left = await a.evaluate(async (db) => (await new window.sdk.IndexedDbReceiptStore({ name: db }).list()).map((e) => e.id), db);
  assert.deepEqual(left, [entry(1).id]);
  // Another tab deletes the database while tab a holds it open: a's connection steps aside
  // (versionchange), the delete is not blocked, and a's next call reopens a fresh, empty wallet.
  const deleted = await b.evaluate(
    (db) =>
      new Promise<string>((resolve) => {
        const req = indexedDB.deleteDatabase(db);
        req.onsuccess = () => resolve("deleted");
        req.onerror = () => resolve(`error ${String(req.error)}`);
        req.onblocked = () => resolve("blocked");
      }),
    db,
  );
  assert.equal(deleted, "deleted");
  const afterDelete = await a.evaluate(async (e3) => {
    const s = (window as unknown as { wallet: InstanceType<typeof window.sdk.IndexedDbReceiptStore> }).wallet;
    const empty = await s.list();
    await s.put(e3);
    return { empty, now: (await s.list()).map((e) => e.id) };
  }, entry(3));
  assert.deepEqual(afterDelete, { empty: [], now: [entry(3).id] });
  await ctx.close();
});

test("IndexedDbReceiptStore: a receipt whose put resolved survives the browser being killed (SIGKILL) and restarted", async () => {
  const profile = mkdtempSync(join(tmpdir(), "x402-zk-chromium-"));
  try {
    let ctx = await launchPersistent(profile);
    const page = await openPage(ctx);
    await page.evaluate(async (e) => {
      await new window.sdk.IndexedDbReceiptStore().put(e);
    }, entry(7, "sent"));
    const pids = ownBrowserPids(profile);
    assert.ok(pids.length > 0, "found the browser's pid");
    for (const pid of pids) process.kill(pid, "SIGKILL"); // no shutdown, no flush on exit
    await ctx.close().catch(() => {}); // the connection is gone; free playwright's side
    ctx = await launchPersistent(profile);
    try {
      const list = await (await openPage(ctx)).evaluate(async () => new window.sdk.IndexedDbReceiptStore().list());
      assert.deepEqual(list, [JSON.parse(JSON.stringify(entry(7, "sent")))]);
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test("IndexedDbReceiptStore: a record that is not a receipt is refused (STORE_CORRUPT) and left in place; a bad id is not written", async () => {
  const page = await openPage();
  const r = await page.evaluate(async () => {
    const name = "wallet-corrupt";
    const s = new window.sdk.IndexedDbReceiptStore({ name });
    await s.put({
      id: "0x" + "a".repeat(64),
      state: "pending",
      secret: "5",
      offer: { network: "n", payTo: "p", asset: "a", amount: "1", programId: "g", attester: { x: "1", y: "2" }, attesterUrl: "u" },
      createdAt: 1,
      updatedAt: 1,
    });
    s.close();
    // Another program on this origin writes garbage into the wallet's object store.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => {
        const tx = req.result.transaction("receipts", "readwrite");
        tx.objectStore("receipts").put({ id: "0x" + "b".repeat(64), state: "mystery" });
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
        tx.onabort = () => reject(tx.error);
      };
      req.onerror = () => reject(req.error);
    });
    const codeOf = async (f: () => Promise<unknown>) => {
      try {
        await f();
        return "ok";
      } catch (e) {
        return `${(e as { code?: string }).code}: ${(e as Error).message}`;
      }
    };
    const listed = await codeOf(() => s.list());
    const badId = await codeOf(() => s.put({ id: "not-a-commitment" } as Parameters<typeof s.put>[0]));
    const raw = await new Promise<number>((resolve) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => {
        const c = req.result.transaction("receipts").objectStore("receipts").count();
        c.onsuccess = () => {
          resolve(c.result);
          req.result.close();
        };
      };
    });
    return { listed, badId, raw };
  });
  assert.match(r.listed, /^STORE_CORRUPT: .*0xbbbb.*unknown state mystery/);
  assert.match(r.badId, /^STORE_IO: .*not a 0x-hex commitment/);
  assert.equal(r.raw, 2, "nothing dropped");
  await page.close();
});

test("IndexedDbProvingKeyCache: megabytes of key bytes come back equal after a reload; absent keys are undefined", async () => {
  const page = await openPage();
  const put = await page.evaluate(async () => {
    const key = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < key.length; i += 65536) crypto.getRandomValues(key.subarray(i, i + 65536));
    const view = new Uint8Array(key.buffer, 1024, key.length - 2048); // a view: stored as its own bytes
    await new window.sdk.IndexedDbProvingKeyCache({ name: "keys" }).put("0x" + "1".repeat(64), view);
    return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", view)));
  });
  await page.reload();
  await page.waitForFunction(() => window.__ready === true);
  const got = await page.evaluate(async () => {
    const c = new window.sdk.IndexedDbProvingKeyCache({ name: "keys" });
    const k = await c.get("0x" + "1".repeat(64));
    const none = await c.get("0x" + "2".repeat(64));
    return { len: k?.length, hash: k ? Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", k.slice()))) : [], none: none === undefined };
  });
  assert.equal(got.len, 3 * 1024 * 1024 - 2048);
  assert.deepEqual(got.hash, put);
  assert.ok(got.none);
  await page.close();
});

test("encodings in Chromium equal Node's (resource hash, commitment, nullifier, memo, proof base64); WebCrypto randomness is canonical", async () => {
  const page = await openPage();
  const binding: ResourceBinding = {
    salt: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    method: "get",
    url: "http://127.0.0.1:4021/premium?q=ü",
    payTo: "11111111111111111111111111111112",
    asset: "11111111111111111111111111111111",
    amount: "1000000",
  };
  const secret = "12345678901234567890123456789";
  const programId = "Fg6PaFpoGXkYsidMpWTK6W2BeZ7FEfcYkg476zPFsLnS";
  const proof = Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
  const node = {
    rh: resourceHashHex(binding),
    c: toHex32(commitment(BigInt(secret))),
    memo: commitmentMemo(commitment(BigInt(secret))),
    domain: toHex32(programDomain(programId)),
    nullifier: toHex32(nullifierFor(BigInt(secret), programId)),
    proof: encodeProof(Uint8Array.from(proof)),
  };
  const web = await page.evaluate(
    ([binding, secret, programId, proof]) => {
      const e = window.sdk.encoding;
      const randoms = Array.from({ length: 8 }, () => e.randomFieldElement());
      return {
        rh: e.resourceHashHex(binding),
        c: e.toHex32(e.commitment(BigInt(secret))),
        memo: e.commitmentMemo(e.commitment(BigInt(secret))),
        domain: e.toHex32(e.programDomain(programId)),
        nullifier: e.toHex32(e.nullifierFor(BigInt(secret), programId)),
        proof: e.encodeProof(Uint8Array.from(proof)),
        proofBack: Array.from(e.decodeProof(e.encodeProof(Uint8Array.from(proof)))),
        randomsCanonical: randoms.every((r) => r > 0n && r < e.BN254_R),
        randomsDistinct: new Set(randoms.map(String)).size,
        salt: e.randomResourceSalt(),
        hasGlobalBuffer: "Buffer" in globalThis,
      };
    },
    [binding, secret, programId, proof] as const,
  );
  const { proofBack, randomsCanonical, randomsDistinct, salt, hasGlobalBuffer, ...same } = web;
  assert.deepEqual(same, node);
  assert.deepEqual(proofBack, proof);
  assert.ok(randomsCanonical);
  assert.equal(randomsDistinct, 8);
  assert.match(salt, /^[0-9a-f]{64}$/);
  assert.equal(hasGlobalBuffer, false, "the bundle works without a global Buffer");
  await page.close();
});

test("paying with a wallet adapter in Chromium: signWith asks the wallet's signTransaction, the signatures verify", async () => {
  const page = await openPage();
  const ok = await page.evaluate(async () => {
    const { Keypair, SystemProgram, Transaction, signWith, walletOf } = window.sdk;
    const payer = Keypair.generate();
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 }));
    tx.recentBlockhash = Keypair.generate().publicKey.toBase58();
    tx.feePayer = payer.publicKey;
    const signed = await signWith(tx, [walletOf(payer)]);
    return signed.verifySignatures();
  });
  assert.equal(ok, true);
  await page.close();
});
