import assert from "node:assert/strict";
import { adopt, insertSettlements, testWallet, type TestWallet } from "./helpers/ledger-fixtures.js";
import { balanceOf, publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import { WorkerCache } from "../indexer/src/engine/worker.js";
import { completeLink, requestLink } from "../indexer/src/accounts/accounts.js";
import type { Sql } from "../indexer/src/db/connection.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

/**
 * A referral code's owner links its wallet into an account. Decision (docs/rewards-engine.md,
 * "Referrals"): a link means "these addresses are one user", so from the link on the account is
 * the referrer, whether the code was adopted before or after the link; settlements scored before
 * the link keep paying the wallet, as every link counts only for settlements scored after it.
 */
const T0 = Date.parse("2026-06-01T10:00:00Z");
let slot = 0;
const pay = (w: TestWallet, units: number) => ({
  slot: ++slot,
  payer: w.address,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});

async function link(sql: Sql, account: TestWallet, wallet: TestWallet): Promise<void> {
  const ch = await requestLink(sql, { account: account.address, address: wallet.address, chain: "solana" });
  await completeLink(sql, { nonce: ch.nonce, signature: wallet.sign(ch.message) });
}

async function referralCredits(sql: Sql): Promise<[string, bigint][]> {
  const rows = await sql<
    { account: string; delta: bigint }[]
  >`select account, delta from point_ledger where reason = 'referral' order by id`;
  return rows.map((r) => [r.account, r.delta]);
}

describe("engine flow: a referral code's owner links its wallet into an account", () => {
  const db = useFreshDb();
  let main: TestWallet, owner: TestWallet, early: TestWallet, late: TestWallet;
  beforeEach(async () => {
    await truncateAll(db());
    [main, owner, early, late] = [testWallet(), testWallet(), testWallet(), testWallet()];
    await publishRuleSet(db(), {
      createdBy: "t",
      body: {
        earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
        referral: { model: "fixed", levels: [2000] },
        campaigns: [
          {
            id: "second-referral",
            type: "milestone",
            on: "referrals",
            n: 2,
            points: 777,
            budget: 1e9,
            startsAt: new Date(T0 - 1000).toISOString(),
            endsAt: new Date(T0 + 86_400_000).toISOString(),
          },
        ],
      },
    });
  });
  afterEach(async () => assert.equal((await replayLedger(db())).mismatchCount, 0, "replay reproduces the stored ledger"));

  it("given one referee adopted the owner's code before the link and one after, when both settle after the link, then both pay the account, which counts both referrals", async () => {
    await adopt(db(), early, owner.address);
    await link(db(), main, owner);
    await adopt(db(), late, owner.address);
    await insertSettlements(db(), [pay(early, 10), pay(late, 10)]);
    await scoreBatch(db());
    assert.deepEqual(await referralCredits(db()), [
      [main.address, 2000n],
      [main.address, 2000n],
    ]);
    assert.equal(await balanceOf(db(), owner.address), 0n, "the linked wallet is paid nothing after the link");
    assert.equal(await balanceOf(db(), main.address), 4000n + 777n, "the account's second referral reaches the milestone");
    const referees = await db()<{ referee: string }[]>`
      select referee from referral_links where referrer = ${main.address} or referrer in (select address from linked_addresses where account = ${main.address})`;
    assert.deepEqual(referees.map((r) => r.referee).sort(), [early.address, late.address].sort());
  });

  it("given a warm worker that paid the wallet before the link, when the referee settles after it, then the account is paid and keeps its stored totals", async () => {
    // main's own settlement is scored by another worker: the warm one never held main in memory
    await insertSettlements(db(), [pay(main, 3)]);
    await scoreBatch(db(), { cache: new WorkerCache() });
    await adopt(db(), early, owner.address);
    const warm = new WorkerCache();
    await insertSettlements(db(), [pay(early, 1)]);
    await scoreBatch(db(), { cache: warm });
    await link(db(), main, owner);
    await insertSettlements(db(), [pay(early, 10)]);
    await scoreBatch(db(), { cache: warm });
    assert.equal(await scoreBatch(db(), { cache: warm }), 0, "caught up: this call writes the checkpoint");
    assert.deepEqual(
      await referralCredits(db()),
      [
        [owner.address, 200n],
        [main.address, 2000n],
      ],
      "before the link the wallet, after it the account",
    );
    const [stats] = await db()`select settlement_count, balance from account_stats where account = ${main.address}`;
    assert.deepEqual(
      [stats!.settlement_count, stats!.balance],
      [1n, 3000n + 2000n],
      "main's own settlement and balance survive the checkpoint",
    );
  });

  it("given a referee of the owner's code, when the account the owner linked into adopts that referee's code, then it is a cycle and refused", async () => {
    await adopt(db(), early, owner.address);
    await link(db(), main, owner);
    await assert.rejects(adopt(db(), main, early.address), { code: "referral_cycle" });
  });
});
