import assert from "node:assert/strict";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createReferralCode } from "../indexer/src/accounts/referrals.js";
import { evmAddressOfPublicKey, personalMessageHash } from "../indexer/src/accounts/signatures.js";
import { signedRoutes } from "../indexer/src/api/signed/routes.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { insertSettlements, testWallet } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

/** An EVM key that signs as a wallet's personal_sign does: r || s || v over the EIP-191 digest. */
function evmWallet() {
  const sk = secp256k1.utils.randomSecretKey();
  return {
    address: evmAddressOfPublicKey(secp256k1.getPublicKey(sk, false)),
    sign(message: string): string {
      const rec = secp256k1.sign(personalMessageHash(message), sk, { prehash: false, format: "recovered" });
      const out = new Uint8Array(65);
      out.set(rec.subarray(1), 0);
      out[64] = 27 + rec[0]!;
      return `0x${bytesToHex(out)}`;
    },
  };
}

describe("signed API over HTTP: links and referrals with real ed25519 and secp256k1 keys", function () {
  this.timeout(60_000);
  const db = useFreshDb();
  let api: TestApi;
  let shortLived: TestApi;
  const post = (path: string, body: unknown, base = api.url) => call(`${base}/v1${path}`, { body });
  const linked = async (address: string) =>
    (await db()<{ account: string }[]>`select account from linked_addresses where address = ${address}`)[0]?.account;

  before(async () => {
    api = await serveRouters([{ at: "/v1", router: signedRoutes({ sql: db() }) }]);
    shortLived = await serveRouters([{ at: "/v1", router: signedRoutes({ sql: db(), challengeTtlSeconds: 1 }) }]);
  });
  after(async () => {
    await api?.close();
    await shortLived?.close();
  });
  beforeEach(() => truncateAll(db()));

  describe("POST /v1/links", () => {
    it("given an EVM address signing its challenge with personal_sign, then it is linked; the same signature again is refused as used", async () => {
      const account = testWallet();
      const evm = evmWallet();
      const ch = await post("/links/challenge", { account: account.address, address: evm.address, chain: "evm" });
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      assert.match(ch.body.message, /Purpose: link/);
      assert.equal(ch.body.address, evm.address.toLowerCase());
      assert.ok(Date.parse(ch.body.expiresAt) > Date.now());
      const signature = evm.sign(ch.body.message);
      const r = await post("/links", { nonce: ch.body.nonce, signature });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body, { account: account.address, address: evm.address.toLowerCase() });
      assert.equal(await linked(evm.address.toLowerCase()), account.address);
      const again = await post("/links", { nonce: ch.body.nonce, signature });
      assert.deepEqual([again.status, again.body.error, again.body.field], [409, "challenge_used", "body.nonce"]);
    });

    it("given a Solana address signing with ed25519, then it is linked", async () => {
      const account = testWallet();
      const other = testWallet();
      const ch = await post("/links/challenge", { account: account.address, address: other.address, chain: "solana" });
      assert.equal(ch.status, 201);
      const r = await post("/links", { nonce: ch.body.nonce, signature: other.sign(ch.body.message) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(await linked(other.address), account.address);
    });

    it("given a signature by another key, then 400 bad_signature naming body.signature, and nothing is linked", async () => {
      const account = testWallet();
      const evm = evmWallet();
      const ch = await post("/links/challenge", { account: account.address, address: evm.address, chain: "evm" });
      const r = await post("/links", { nonce: ch.body.nonce, signature: evmWallet().sign(ch.body.message) });
      assert.deepEqual([r.status, r.body.error, r.body.field], [400, "bad_signature", "body.signature"]);
      assert.equal(await linked(evm.address.toLowerCase()), undefined);
      // the account's own key signing for the EVM address is no proof either
      const sol = await post("/links", { nonce: ch.body.nonce, signature: account.sign(ch.body.message) });
      assert.equal(sol.body.error, "bad_signature");
    });

    it("given an expired challenge, then 400 challenge_expired naming body.nonce", async () => {
      const account = testWallet();
      const other = testWallet();
      const ch = await post("/links/challenge", { account: account.address, address: other.address, chain: "solana" }, shortLived.url);
      await new Promise((r) => setTimeout(r, 1100));
      const r = await post("/links", { nonce: ch.body.nonce, signature: other.sign(ch.body.message) });
      assert.deepEqual([r.status, r.body.error, r.body.field], [400, "challenge_expired", "body.nonce"]);
      assert.equal(await linked(other.address), undefined);
    });

    it("given bad input, then 400 naming each field; an unknown nonce is 404; an address linked elsewhere is 409", async () => {
      const account = testWallet();
      const cases: [unknown, string][] = [
        [{ account: "nope", address: evmWallet().address, chain: "evm" }, "body.account"],
        [{ account: account.address, address: "0x1234", chain: "evm" }, "body.address"],
        [{ account: account.address, address: evmWallet().address, chain: "solana" }, "body.address"],
        [{ account: account.address, address: evmWallet().address, chain: "bitcoin" }, "body.chain"],
        [{ account: account.address, chain: "evm" }, "body.address"],
      ];
      for (const [body, field] of cases) {
        const r = await post("/links/challenge", body);
        assert.deepEqual([r.status, r.body.error, r.body.field], [400, "bad_request", field], JSON.stringify(body));
      }
      const self = await post("/links/challenge", { account: account.address, address: account.address, chain: "solana" });
      assert.deepEqual([self.status, self.body.error, self.body.field], [400, "link_self", "body.address"]);
      const noNonce = await post("/links", { nonce: "x", signature: "y" });
      assert.deepEqual([noNonce.status, noNonce.body.field], [400, "body.nonce"]);
      const unknown = await post("/links", { nonce: "0".repeat(32), signature: "y" });
      assert.deepEqual([unknown.status, unknown.body.error, unknown.body.field], [404, "unknown_challenge", "body.nonce"]);

      const evm = evmWallet();
      const first = await post("/links/challenge", { account: account.address, address: evm.address, chain: "evm" });
      assert.equal((await post("/links", { nonce: first.body.nonce, signature: evm.sign(first.body.message) })).status, 201);
      const second = await post("/links/challenge", { account: testWallet().address, address: evm.address, chain: "evm" });
      const taken = await post("/links", { nonce: second.body.nonce, signature: evm.sign(second.body.message) });
      assert.deepEqual([taken.status, taken.body.error, taken.body.field], [409, "address_taken", "body.address"]);
    });
  });

  describe("POST /v1/referrals", () => {
    const adopt = async (wallet: ReturnType<typeof testWallet>, code: string) => {
      const ch = await post("/referrals/challenge", { wallet: wallet.address, code });
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      return post("/referrals", { nonce: ch.body.nonce, signature: wallet.sign(ch.body.message) });
    };

    it("given a code, when a new wallet signs its adoption, then the code's owner is its referrer", async () => {
      const [alice, bob] = [testWallet(), testWallet()];
      await createReferralCode(db(), { account: alice.address, code: "ALICE1" });
      const r = await adopt(bob, "ALICE1");
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body, { referee: bob.address, referrer: alice.address });
      const [row] = await db()`select referrer from referral_links where referee = ${bob.address}`;
      assert.equal(row!.referrer, alice.address);
      const second = await adopt(bob, "ALICE1");
      assert.deepEqual([second.status, second.body.error], [409, "referrer_already_set"]);
    });

    it("given self-referral or a cycle, then each is refused with its reason", async () => {
      const [alice, bob] = [testWallet(), testWallet()];
      await createReferralCode(db(), { account: alice.address, code: "ALICE2" });
      await createReferralCode(db(), { account: bob.address, code: "BOB2" });
      const self = await adopt(alice, "ALICE2");
      assert.deepEqual([self.status, self.body.error], [400, "self_referral"]);
      assert.match(self.body.message, /cannot refer itself/);
      assert.equal((await adopt(bob, "ALICE2")).status, 201);
      const cycle = await adopt(alice, "BOB2");
      assert.deepEqual([cycle.status, cycle.body.error], [400, "referral_cycle"]);
      assert.match(cycle.body.message, /referral chain/);
    });

    it("given a wallet already scored, an unknown code or a bad wallet, then refused naming the reason or the field", async () => {
      const [alice, carol] = [testWallet(), testWallet()];
      await createReferralCode(db(), { account: alice.address, code: "ALICE3" });
      await publishRuleSet(db(), { createdBy: "t", body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] } });
      await insertSettlements(db(), [{ slot: 1, payer: carol.address, payee: "SHOP", amount: 1_000_000n }]);
      await scoreBatch(db());
      const active = await adopt(carol, "ALICE3");
      assert.deepEqual([active.status, active.body.error], [409, "referee_already_active"]);
      const unknown = await post("/referrals/challenge", { wallet: carol.address, code: "NOPE99" });
      assert.deepEqual([unknown.status, unknown.body.error, unknown.body.field], [404, "unknown_code", "body.code"]);
      const badWallet = await post("/referrals/challenge", { wallet: "0xabc", code: "ALICE3" });
      assert.deepEqual([badWallet.status, badWallet.body.field], [400, "body.wallet"]);
      const badCode = await post("/referrals/challenge", { wallet: carol.address, code: "a b" });
      assert.deepEqual([badCode.status, badCode.body.field], [400, "body.code"]);
      const badSig = await post("/referrals", { nonce: "1".repeat(32) });
      assert.deepEqual([badSig.status, badSig.body.field], [400, "body.signature"]);
    });
  });
});
