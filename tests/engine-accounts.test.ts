import assert from "node:assert/strict";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { truncateAll, useFreshDb } from "./setup/db.js";
import { insertSettlements, testWallet } from "./helpers/ledger-fixtures.js";
import { balanceOf, publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import { WorkerCache } from "../indexer/src/engine/worker.js";
import { adoptReferrer, createReferralCode, requestReferral } from "../indexer/src/accounts/referrals.js";
import { accountOf, completeLink, linkedAddresses, requestLink } from "../indexer/src/accounts/accounts.js";
import { evmAddressOfPublicKey, personalMessageHash } from "../indexer/src/accounts/signatures.js";

/** An EVM key that signs like a wallet's personal_sign: r || s || v with v = 27/28. */
function evmWallet() {
  const sk = secp256k1.utils.randomSecretKey();
  return {
    address: evmAddressOfPublicKey(secp256k1.getPublicKey(sk)),
    sign(message: string) {
      const rec = secp256k1.sign(personalMessageHash(message), sk, { prehash: false, format: "recovered" });
      const out = new Uint8Array(65);
      out.set(rec.subarray(1), 0);
      out[64] = rec[0]! + 27;
      return `0x${bytesToHex(out)}`;
    },
  };
}

const T0 = Date.parse("2026-06-01T10:00:00Z");

describe("engine: accounts and linked addresses", () => {
  const db = useFreshDb();
  beforeEach(() => truncateAll(db()));

  it("given a Solana wallet signs the link challenge, then it is linked and its later settlements earn for the account, pooling volume for tiers", async () => {
    const [main, second] = [testWallet(), testWallet()];
    await publishRuleSet(db(), {
      createdBy: "t",
      body: {
        earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
        tiers: {
          windowDays: 30,
          levels: [
            { name: "base", minVolume: 0, multiplierBps: 10000 },
            { name: "gold", minVolume: 5_000_000, multiplierBps: 20000 },
          ],
        },
      },
    });
    await insertSettlements(db(), [{ slot: 1, payer: second.address, payee: "S", amount: 1_000_000n, time: new Date(T0) }]);
    await scoreBatch(db());
    const ch = await requestLink(db(), { account: main.address, address: second.address, chain: "solana" });
    assert.match(ch.message, new RegExp(`Account: ${main.address}`));
    assert.match(ch.message, /Expires: /);
    await completeLink(db(), { nonce: ch.nonce, signature: second.sign(ch.message) });
    assert.equal(await accountOf(db(), second.address), main.address);
    assert.deepEqual(
      (await linkedAddresses(db(), main.address)).map((l) => l.address),
      [second.address],
    );

    await insertSettlements(db(), [
      { slot: 2, payer: main.address, payee: "S", amount: 4_000_000n, time: new Date(T0 + 1000) },
      { slot: 3, payer: second.address, payee: "S", amount: 1_000_000n, time: new Date(T0 + 2000) },
    ]);
    await scoreBatch(db());
    assert.equal(await balanceOf(db(), second.address), 1000n, "history earned before the link stays where it was");
    // main: 4 units (base) then the linked wallet's 1 unit with pooled volume 5 -> gold, 2x
    assert.equal(await balanceOf(db(), main.address), 4000n + 2000n);
    assert.equal((await replayLedger(db())).mismatchCount, 0);
  });

  it("given a warm worker that already scored a wallet, when the wallet is linked into an account with referrers, then its next settlement pays up the account's chain and keeps the referrers' stored totals", async () => {
    const [wallet, main, ref1, ref2] = [testWallet(), testWallet(), testWallet(), testWallet()];
    await publishRuleSet(db(), {
      createdBy: "t",
      body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }], referral: { model: "fixed", levels: [2000, 1000] } },
    });
    for (const [referee, referrer] of [
      [main, ref1.address],
      [ref1, ref2.address],
    ] as const) {
      const ch = await requestReferral(db(), { wallet: referee.address, code: await createReferralCode(db(), { account: referrer }) });
      await adoptReferrer(db(), { nonce: ch.nonce, signature: referee.sign(ch.message) });
    }
    // ref1's own settlement is scored by another worker: the warm one below never holds ref1 in memory
    await insertSettlements(db(), [{ slot: 1, payer: ref1.address, payee: "S", amount: 3_000_000n, time: new Date(T0) }]);
    await scoreBatch(db(), { cache: new WorkerCache() });
    const warm = new WorkerCache();
    await insertSettlements(db(), [{ slot: 2, payer: wallet.address, payee: "S", amount: 1_000_000n, time: new Date(T0 + 1000) }]);
    await scoreBatch(db(), { cache: warm });

    const ch = await requestLink(db(), { account: main.address, address: wallet.address, chain: "solana" });
    await completeLink(db(), { nonce: ch.nonce, signature: wallet.sign(ch.message) });
    await insertSettlements(db(), [{ slot: 3, payer: wallet.address, payee: "S", amount: 10_000_000n, time: new Date(T0 + 2000) }]);
    await scoreBatch(db(), { cache: warm });

    assert.equal(await balanceOf(db(), main.address), 10_000n);
    assert.equal(await balanceOf(db(), ref1.address), 3000n + 2000n, "its own earlier points stay, plus 20% of main's");
    assert.equal(await balanceOf(db(), ref2.address), 1000n + 600n, "10% of main's, plus 20% of ref1's earlier points");
    assert.equal((await replayLedger(db())).mismatchCount, 0);
  });

  it("given an EVM address signs with personal_sign, then it is linked (lower-cased); a second account cannot take it", async () => {
    const [main, other] = [testWallet(), testWallet()];
    const evm = evmWallet();
    const ch = await requestLink(db(), { account: main.address, address: evm.address.toUpperCase().replace("0X", "0x"), chain: "evm" });
    await completeLink(db(), { nonce: ch.nonce, signature: evm.sign(ch.message) });
    assert.equal(await accountOf(db(), evm.address), main.address);
    const again = await requestLink(db(), { account: other.address, address: evm.address, chain: "evm" });
    await assert.rejects(completeLink(db(), { nonce: again.nonce, signature: evm.sign(again.message) }), { code: "address_taken" });
  });

  it("refuses a wrong signer, an expired or reused challenge, malformed addresses, and linking an account into another", async () => {
    const [main, second, third] = [testWallet(), testWallet(), testWallet()];
    const ch = await requestLink(db(), { account: main.address, address: second.address, chain: "solana" });
    await assert.rejects(completeLink(db(), { nonce: ch.nonce, signature: third.sign(ch.message) }), { code: "bad_signature" });
    const old = await requestLink(db(), {
      account: main.address,
      address: second.address,
      chain: "solana",
      ttlSeconds: 60,
      now: new Date(Date.now() - 120_000),
    });
    await assert.rejects(completeLink(db(), { nonce: old.nonce, signature: second.sign(old.message) }), { code: "challenge_expired" });
    await completeLink(db(), { nonce: ch.nonce, signature: second.sign(ch.message) });
    await assert.rejects(completeLink(db(), { nonce: ch.nonce, signature: second.sign(ch.message) }), { code: "challenge_used" });
    await assert.rejects(requestLink(db(), { account: main.address, address: "0x1234", chain: "evm" }), { code: "bad_address" });
    await assert.rejects(requestLink(db(), { account: main.address, address: main.address, chain: "solana" }), { code: "link_self" });
    const nest = await requestLink(db(), { account: third.address, address: main.address, chain: "solana" });
    await assert.rejects(completeLink(db(), { nonce: nest.nonce, signature: main.sign(nest.message) }), { code: "address_is_account" });
  });
});
