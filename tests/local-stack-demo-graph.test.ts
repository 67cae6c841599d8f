import assert from "node:assert/strict";
import { Keypair } from "@solana/web3.js";
import { demoGraph, ensureDemoGraph } from "../indexer/src/dev/demo-accounts.js";
import { useFreshDb } from "./setup/db.js";

/**
 * The local stack's demo graph on the real database: made through the signed-challenge accounts
 * module on the first start, found again on a restart (nothing doubled, nothing refused), and a
 * start stopped half-way is completed.
 */
describe("local stack demo graph (referrals and linked addresses of the demo payers)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  const payers = Array.from({ length: 40 }, () => Keypair.generate());
  const wallets = payers.map((p) => p.publicKey.toBase58());
  const g = demoGraph(payers.length);

  const counts = async () => {
    const [r] = await db()<{ referrals: number; links: number; codes: number; challenges: number }[]>`
      select (select count(*) from referral_links where referee = any(${wallets}))::int as referrals,
             (select count(*) from linked_addresses where address = any(${wallets}))::int as links,
             (select count(*) from referral_codes)::int as codes,
             (select count(*) from challenges where used_at is not null)::int as challenges`;
    return r!;
  };

  it("given a fresh database, when the graph is ensured, then every referral and link exists, signed by the payer it names", async () => {
    assert.deepEqual(await ensureDemoGraph(db(), payers), { referrals: g.referrals.length, links: g.links.length });
    const c = await counts();
    assert.deepEqual([c.referrals, c.links], [g.referrals.length, g.links.length]);
    assert.equal(c.challenges, g.referrals.length + g.links.length, "each one consumed a signed challenge");
    const [referee, referrer] = g.referrals[g.referrals.length - 1]!;
    const [row] = await db()<{ referrer: string }[]>`select referrer from referral_links where referee = ${wallets[referee]!}`;
    assert.equal(row!.referrer, wallets[referrer]);
    const [address, account] = g.links[0]!;
    const [link] = await db()<{ account: string }[]>`select account from linked_addresses where address = ${wallets[address]!}`;
    assert.equal(link!.account, wallets[account]);
  });

  it("given the graph exists, when it is ensured again (a restart), then nothing is added and nothing is refused", async () => {
    const before = await counts();
    assert.deepEqual(await ensureDemoGraph(db(), payers), { referrals: g.referrals.length, links: g.links.length });
    assert.deepEqual(await counts(), before);
  });

  it("given a first start stopped half-way (some referrals and links missing), when it is ensured, then the missing ones are made", async () => {
    const [referee] = g.referrals[0]!;
    const [address] = g.links[0]!;
    await db()`delete from referral_links where referee = ${wallets[referee]!}`;
    await db()`delete from linked_addresses where address = ${wallets[address]!}`;
    assert.deepEqual(await ensureDemoGraph(db(), payers), { referrals: g.referrals.length, links: g.links.length });
    const c = await counts();
    assert.deepEqual([c.referrals, c.links], [g.referrals.length, g.links.length]);
  });
});
