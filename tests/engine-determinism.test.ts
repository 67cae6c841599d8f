import assert from "node:assert/strict";
import fc from "fast-check";
import { truncateAll, useFreshDb } from "./setup/db.js";
import { adopt, insertSettlements, testWallet, type SettlementSpec } from "./helpers/ledger-fixtures.js";
import { publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import { WorkerCache } from "../indexer/src/engine/worker.js";
import { completeLink, requestLink } from "../indexer/src/accounts/accounts.js";
import type { Sql } from "../indexer/src/db/connection.js";
import type { RuleSetInput } from "../indexer/src/rules/schema.js";

/**
 * Property: the stored ledger equals a from-scratch recomputation over the settlements and the
 * rule/link history, whatever the settlement stream, the rule sets, the moment a second version or
 * an address link lands, and however two workers interleave their batches.
 */
const T0 = Date.parse("2026-06-01T00:00:00Z");
const MERCHANTS = ["SHOP", "CAFE", "API"];
const rounding = fc.constantFrom("floor" as const, "nearest" as const, "ceil" as const);
const action = fc.constantFrom("exclude" as const, "review" as const);
const window = fc.tuple(fc.integer({ min: -2, max: 4 }), fc.integer({ min: 1, max: 6 })).map(([s, len]) => ({
  startsAt: new Date(T0 + s * 86_400_000).toISOString(),
  endsAt: new Date(T0 + (s + len) * 86_400_000).toISOString(),
}));
const limits = {
  budget: fc.integer({ min: 0, max: 20_000 }),
  maxParticipants: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  perWallet: fc.record({
    maxCount: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    maxPoints: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    cooldownSeconds: fc.option(fc.integer({ min: 0, max: 40_000 }), { nil: undefined }),
  }),
  requireReferrer: fc.boolean(),
  scope: fc.option(fc.subarray(MERCHANTS, { minLength: 1 }), { nil: undefined }).map((m) => (m ? { merchants: m } : {})),
};
const campaign = fc.oneof(
  fc.record({ type: fc.constant("multiplier" as const), multiplierBps: fc.integer({ min: 10000, max: 30000 }), rounding, ...limits }),
  fc.record({
    type: fc.constant("flat" as const),
    points: fc.integer({ min: 0, max: 3000 }),
    minVolume: fc.integer({ min: 0, max: 2_000_000 }),
    ...limits,
  }),
  fc.record({
    type: fc.constant("volumeThreshold" as const),
    threshold: fc.integer({ min: 1, max: 8_000_000 }),
    points: fc.integer({ min: 1, max: 3000 }),
    ...limits,
  }),
  fc.record({
    type: fc.constant("milestone" as const),
    on: fc.constantFrom("settlements" as const, "referrals" as const),
    n: fc.integer({ min: 1, max: 4 }),
    points: fc.integer({ min: 1, max: 3000 }),
    ...limits,
  }),
  fc.record({
    type: fc.constant("streak" as const),
    days: fc.integer({ min: 2, max: 3 }),
    points: fc.integer({ min: 1, max: 3000 }),
    ...limits,
  }),
);
const conditions = fc.record(
  {
    merchants: fc.option(fc.subarray(MERCHANTS, { minLength: 1 }), { nil: undefined }),
    minVolume: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: undefined }),
    memo: fc.option(fc.constantFrom("gold*", "*silver", "?x*"), { nil: undefined }),
    firstSettlement: fc.option(fc.boolean(), { nil: undefined }),
    nthSettlement: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    referralCount: fc.option(fc.record({ op: fc.constantFrom("eq" as const, "gte" as const), n: fc.integer({ min: 0, max: 2 }) }), {
      nil: undefined,
    }),
    minScore: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
  },
  { requiredKeys: [] },
);
const ruleSet: fc.Arbitrary<RuleSetInput> = fc.record({
  earn: fc
    .tuple(
      fc.record({
        pointsPerUnit: fc.integer({ min: 0, max: 5000 }),
        multiplierBps: fc.integer({ min: 5000, max: 20000 }),
        rounding,
        minVolume: fc.integer({ min: 0, max: 500_000 }),
      }),
      fc.option(fc.record({ merchant: fc.constantFrom(...MERCHANTS), pointsPerUnit: fc.integer({ min: 0, max: 5000 }), rounding }), {
        nil: undefined,
      }),
    )
    .map(([g, m]) => [
      { scope: { kind: "global" as const }, ...g },
      ...(m ? [{ scope: { kind: "merchant" as const, merchant: m.merchant }, pointsPerUnit: m.pointsPerUnit, rounding: m.rounding }] : []),
    ]),
  rules: fc
    .array(
      fc.record({
        priority: fc.integer({ min: 0, max: 5 }),
        when: conditions,
        stop: fc.boolean(),
        award: fc.oneof(
          fc.record({ kind: fc.constant("flat" as const), points: fc.integer({ min: 0, max: 2000 }) }),
          fc.record({ kind: fc.constant("perVolume" as const), pointsPerUnit: fc.integer({ min: 0, max: 2000 }), rounding }),
        ),
      }),
      { maxLength: 4 },
    )
    .map((rs) => rs.map((r, i) => ({ ...r, id: `r${i}` }))),
  tiers: fc.option(
    fc
      .record({
        windowDays: fc.integer({ min: 1, max: 3 }),
        silver: fc.integer({ min: 0, max: 6_000_000 }),
        mult: fc.integer({ min: 10000, max: 20000 }),
      })
      .map((t) => ({
        windowDays: t.windowDays,
        levels: [
          { name: "bronze", minVolume: 0, multiplierBps: 10000 },
          { name: "silver", minVolume: t.silver, multiplierBps: t.mult },
        ],
      })),
    { nil: undefined },
  ),
  campaigns: fc.array(fc.tuple(campaign, window), { maxLength: 5 }).map((cs) => cs.map(([c, w], i) => ({ ...c, ...w, id: `c${i}` }))),
  referral: fc.oneof(
    fc.constant({ model: "none" as const }),
    fc.record({
      model: fc.constant("fixed" as const),
      levels: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      model: fc.constant("diminishing" as const),
      poolBps: fc.integer({ min: 0, max: 10000 }),
      userShareBps: fc.integer({ min: 0, max: 10000 }),
      levelShareBps: fc.integer({ min: 0, max: 10000 }),
      levels: fc.integer({ min: 1, max: 3 }),
    }),
  ),
  fraud: fc.option(
    fc.record(
      {
        linkedAddresses: fc.record({ action }),
        roundTrip: fc.record({ windowSeconds: fc.integer({ min: 1, max: 7200 }), action }),
        minVolume: fc.record({ volume: fc.integer({ min: 0, max: 1_000_000 }), action }),
        dailyCap: fc.record({ maxSettlements: fc.integer({ min: 1, max: 5 }), action }),
        review: fc.record({ minVolume: fc.integer({ min: 0, max: 4_000_000 }) }),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  sides: fc.option(
    fc.record({
      payer: fc.record({ enabled: fc.boolean() }),
      provider: fc.record({
        earn: fc.integer({ min: 0, max: 3000 }).map((p) => [{ scope: { kind: "global" as const }, pointsPerUnit: p }]),
        rules: fc
          .array(
            fc.record({
              priority: fc.integer({ min: 0, max: 3 }),
              when: conditions,
              award: fc.record({ kind: fc.constant("flat" as const), points: fc.integer({ min: 0, max: 2000 }) }),
            }),
            { maxLength: 2 },
          )
          .map((rs) => rs.map((r, i) => ({ ...r, id: `pr${i}` }))),
        campaigns: fc.array(fc.tuple(campaign, window), { maxLength: 2 }).map((cs) => cs.map(([c, w], i) => ({ ...c, ...w, id: `p${i}` }))),
        payerShareBps: fc.integer({ min: 0, max: 5000 }),
        shareOfPayerBps: fc.integer({ min: 0, max: 5000 }),
      }),
    }),
    { nil: undefined },
  ),
}) as fc.Arbitrary<RuleSetInput>;

const settlement = fc.record({
  payer: fc.integer({ min: 0, max: 5 }),
  payee: fc.constantFrom(...MERCHANTS),
  /** sometimes a wallet is paid instead: round trips, linked addresses and providers that also pay */
  payeeWallet: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 3 }),
  amount: fc.integer({ min: 0, max: 4_000_000 }),
  nineDecimals: fc.boolean(),
  /** minutes after the previous one; occasionally a missing block time or one that goes backwards */
  gap: fc.integer({ min: 0, max: 1800 }),
  time: fc.constantFrom("ok", "ok", "ok", "ok", "null", "back"),
  memo: fc.option(fc.constantFrom("gold/api", "xsilver", "axe"), { nil: null }),
});

const scenario = fc.record({
  first: ruleSet,
  second: fc.option(ruleSet, { nil: undefined }),
  settlements: fc.array(settlement, { minLength: 1, maxLength: 40 }),
  referrers: fc.array(fc.option(fc.nat(), { nil: undefined }), { minLength: 6, maxLength: 6 }),
  linkWallet: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  batches: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 15 })), { minLength: 1, maxLength: 10 }),
  singleBatch: fc.integer({ min: 1, max: 50 }),
});

type Row = Record<string, unknown>;
const ledgerRows = (sql: Sql) => sql<Row[]>`
  select seq, settlement_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at
  from point_ledger order by seq, id`;
const engineTables = [
  "point_ledger",
  "settlement_scores",
  "account_stats",
  "campaign_state",
  "engine_cursor",
  "engine_side_state",
  "provider_stats",
  "settlement_exclusions",
];
const exclusionRows = (sql: Sql) =>
  sql<Row[]>`select settlement_id, seq, wallet, account, reason, detail, status, held_points from settlement_exclusions order by seq`;

describe("engine: determinism (property)", () => {
  const db = useFreshDb();

  it("for random streams, rule sets, links and two interleaved workers, the ledger equals its replay and a single worker's run", async function () {
    this.timeout(600_000);
    const seen = { caught: 0, provider: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const sql = db();
        await truncateAll(sql);
        const wallets = Array.from({ length: 6 }, () => testWallet());
        // a random forest: wallet i may adopt a wallet with a smaller index, so no cycles
        for (let i = 1; i < 6; i++) {
          const r = sc.referrers[i];
          if (r !== undefined) await adopt(sql, wallets[i]!, wallets[r % i]!.address);
        }
        await publishRuleSet(sql, { createdBy: "prop", body: sc.first });
        let t = T0;
        const specs: SettlementSpec[] = sc.settlements.map((s, i) => {
          t += s.gap * 60_000;
          const time = s.time === "null" ? null : s.time === "back" ? new Date(t - 3_600_000) : new Date(t);
          return {
            slot: 100 + i * 3,
            txIndex: i % 2,
            payer: wallets[s.payer]!.address,
            payee: s.payeeWallet === undefined ? s.payee : wallets[s.payeeWallet]!.address,
            memo: s.memo,
            time,
            amount: s.nineDecimals ? BigInt(s.amount) * 1000n : BigInt(s.amount),
            decimals: s.nineDecimals ? 9 : 6,
          };
        });
        await insertSettlements(sql, specs);

        const workers = [new WorkerCache(), new WorkerCache()];
        let step = 0;
        for (const [which, size] of sc.batches) {
          // chunks of 1-3: a batch is read and scored chunk by chunk (the next read overlaps the scoring)
          await scoreBatch(sql, { batchSize: size, chunkSize: 1 + (size % 3), cache: workers[which ? 1 : 0] });
          if (step++ === 0 && sc.second) await publishRuleSet(sql, { createdBy: "prop", body: sc.second });
          if (step === 2 && sc.linkWallet !== undefined) {
            const ch = await requestLink(sql, { account: wallets[0]!.address, address: wallets[sc.linkWallet]!.address, chain: "solana" });
            await completeLink(sql, { nonce: ch.nonce, signature: wallets[sc.linkWallet]!.sign(ch.message) });
          }
        }
        while ((await scoreBatch(sql, { batchSize: 7, chunkSize: 3, cache: workers[0] })) > 0);

        const stored = await ledgerRows(sql);
        const replay = await replayLedger(sql, { collect: true });
        assert.equal(replay.mismatchCount, 0, `replay mismatches at seqs ${replay.mismatches.join(",")}`);
        assert.deepEqual(replay.exclusionMismatches, [], "fraud screening replays");
        const caught = await exclusionRows(sql);
        seen.caught += caught.length;
        seen.provider += stored.filter((r) => String(r.rule_id ?? "").startsWith("provider:")).length;
        assert.equal(replay.rows, stored.length);
        assert.equal(replay.settlements, specs.length);
        const budgets = await sql`select campaign_id, spent from campaign_state`;

        // Same history, one worker (warm between its batches), one batch size: identical rows.
        await sql.unsafe(`truncate ${engineTables.join(", ")}`);
        const single = new WorkerCache();
        while ((await scoreBatch(sql, { batchSize: sc.singleBatch, cache: single })) > 0);
        assert.deepEqual(await ledgerRows(sql), stored);
        assert.deepEqual(await exclusionRows(sql), caught);
        // Budgets are never exceeded: spent stays within the largest budget any version gave the campaign.
        const all = [sc.first, sc.second].flatMap((v) => [...(v?.campaigns ?? []), ...(v?.sides?.provider?.campaigns ?? [])]);
        for (const b of budgets) {
          const cap = Math.max(...all.filter((c) => c.id === b.campaign_id).map((c) => Number(c.budget)));
          assert.ok(b.spent <= BigInt(cap), `campaign ${b.campaign_id} spent ${b.spent} of ${cap}`);
        }
      }),
      { numRuns: Number(process.env.MERIT_PROPERTY_RUNS ?? 12) },
    );
    // the runs did exercise fraud screening and the provider side, not only rule sets without them
    assert.ok(seen.caught > 0 && seen.provider > 0, `caught ${seen.caught}, provider rows ${seen.provider}`);
  });
});
