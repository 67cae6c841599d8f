import assert from "node:assert/strict";
import { Keypair } from "@solana/web3.js";
import { eventsRoutes } from "../indexer/src/api/events/routes.js";
import type { Sql } from "../indexer/src/db/connection.js";
import { publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import { WorkerCache } from "../indexer/src/engine/worker.js";
import { acceptEvents, type EventInput } from "../indexer/src/events/ingest.js";
import { createEventSource } from "../indexer/src/events/sources.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import type { RuleSetInput } from "../indexer/src/rules/schema.js";
import { call, serveRouters } from "./helpers/api-app.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const T0 = Date.parse("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const wallet = () => Keypair.generate().publicKey.toBase58();
const pay = (slot: number, payer: string, units = 1) => ({
  slot,
  payer,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});
/** The example: API usage earns 1, 3, 7 or 15 points by service tier; a signup 5 points. */
const RULES: RuleSetInput = {
  earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
  rules: [
    {
      id: "api-by-tier",
      trigger: "event",
      priority: 1,
      when: { event: { types: ["api_call"] } },
      award: { kind: "byProperty", property: "tier", points: { basic: 1000, standard: 3000, pro: 7000, enterprise: 15000 } },
    },
    { id: "signup", trigger: "event", priority: 2, when: { event: { types: ["signup"] } }, award: { kind: "flat", points: 5000 } },
  ],
  campaigns: [
    {
      id: "welcome",
      type: "flat",
      points: 2000,
      budget: 100_000,
      startsAt: new Date(T0 + DAY).toISOString(),
      endsAt: new Date(T0 + 30 * DAY).toISOString(),
      scope: { eventTypes: ["signup"] },
    },
  ],
  referral: { model: "fixed", levels: [1000] },
};

async function drain(sql: Sql, opts: Parameters<typeof scoreBatch>[1] = {}): Promise<void> {
  for (let i = 0; i < 50; i++) if ((await scoreBatch(sql, opts)) === 0) return;
  assert.fail("the engine did not catch up in 50 batches");
}

type Row = {
  seq: bigint;
  settlement_id: bigint | null;
  event_id: bigint | null;
  account: string;
  delta: bigint;
  reason: string;
  rule_id: string | null;
};
const ledger = (sql: Sql) =>
  sql<Row[]>`select seq, settlement_id, event_id, account, delta, reason, rule_id from point_ledger order by seq, id`;

describe("off-chain events in the engine: order, ledger rows, replay, campaign analytics", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let source: bigint;
  const accept = async (events: EventInput[]) => acceptEvents(db(), source, events);

  beforeEach(async () => {
    await truncateAll(db());
    source = (await createEventSource(db(), { name: "app", kind: "generic" })).id;
    await publishRuleSet(db(), { body: RULES, createdBy: "test", effectiveFrom: new Date(0) });
  });

  it("given events accepted at watermark 2, when settlements of slots 1-4 are scored, then the events come after slot 2's and before slot 3's, and their rows name the event", async () => {
    const [a, b] = [wallet(), wallet()];
    await insertSettlements(db(), [pay(1, a), pay(2, b)]);
    await advanceIngestWatermark(db(), 2n);
    const at = new Date(T0 + 2 * DAY).toISOString();
    const res = await accept([
      { wallet: a, type: "api_call", key: "r1", properties: { tier: "pro" }, occurredAt: at },
      { wallet: b, type: "api_call", key: "r2", properties: { tier: "enterprise" }, occurredAt: at },
    ]);
    assert.equal(res.anchorSlot, "2");
    // slot 3 lands in the database before the engine runs: it must still come after the events
    await insertSettlements(db(), [pay(3, a), pay(4, b)]);
    await advanceIngestWatermark(db(), 4n);
    await drain(db(), { maxSlot: 4n });
    const rows = await ledger(db());
    const what = rows.map((r) => (r.event_id !== null ? `e:${r.reason}:${r.rule_id}:${r.delta}` : `s:${r.reason}:${r.delta}`));
    assert.deepEqual(what, [
      "s:earn:1000",
      "s:earn:1000",
      "e:event:api-by-tier:7000",
      "e:event:api-by-tier:15000",
      "s:earn:1000",
      "s:earn:1000",
    ]);
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1n, 2n, 3n, 4n, 5n, 6n],
    );
    const scores = await db()<{ seq: bigint; slot: bigint; points: bigint }[]>`select seq, slot, points from event_scores order by seq`;
    assert.deepEqual(
      scores.map((s) => [s.seq, s.slot, s.points]),
      [
        [3n, 2n, 7000n],
        [4n, 2n, 15000n],
      ],
    );
    const [st] = await db()<{ balance: bigint }[]>`select balance from account_stats where account = ${b}`;
    assert.equal(st!.balance, 17000n);
    const replay = await replayLedger(db());
    assert.deepEqual([replay.mismatchCount, replay.settlements, replay.rows], [0, 6, 6]);
  });

  it("given an event whose anchor is above ingest's watermark, when the engine runs, then it waits until the watermark passes it", async () => {
    const a = wallet();
    await advanceIngestWatermark(db(), 10n);
    await accept([{ wallet: a, type: "signup", key: "s" }]);
    await insertSettlements(db(), [pay(5, a)]);
    await drain(db(), { maxSlot: 8n });
    assert.deepEqual(
      (await ledger(db())).map((r) => r.reason),
      ["earn"],
    );
    await drain(db(), { maxSlot: 10n });
    assert.deepEqual(
      (await ledger(db())).map((r) => r.reason),
      ["earn", "event"],
    );
  });

  it("given an event the engine has passed the anchor of (accepted during a batch), when scored, then it takes the engine's position and replay reproduces it", async () => {
    const [a, b] = [wallet(), wallet()];
    await insertSettlements(db(), [pay(1, a), pay(2, a), pay(5, b)]);
    await drain(db());
    // the race: an event anchored at slot 2 commits after the engine scored slot 5
    await db()`insert into events (seq, source_id, wallet, type, dedup_key, occurred_at, anchor_slot)
      values (1, ${source}, ${b}, 'api_call', 'late', now(), 2)`;
    await db()`update event_sequence set last = 1`;
    await db()`update events set properties = '{"tier":"basic"}'`;
    await drain(db());
    await insertSettlements(
      db(),
      [pay(5, a), pay(7, a)].map((s, i) => ({ ...s, txIndex: i + 1 })),
    );
    await drain(db());
    const [late] = await db()<{ slot: bigint; tx_index: number; seq: bigint }[]>`select slot, tx_index, seq from event_scores`;
    assert.deepEqual([late!.slot, late!.tx_index, late!.seq], [5n, 0, 4n]);
    const replay = await replayLedger(db());
    assert.deepEqual([replay.mismatchCount, replay.settlements], [0, 6]);
  });

  it("given settlements and events interleaved at many watermarks, when scored by warm and by cold workers, then both ledgers match replay", async () => {
    const ws = Array.from({ length: 5 }, wallet);
    const tiers = ["basic", "standard", "pro", "enterprise"];
    let slot = 0;
    for (let round = 0; round < 6; round++) {
      await insertSettlements(
        db(),
        ws.map((w, i) => pay(++slot, w, i + 1)),
      );
      await advanceIngestWatermark(db(), BigInt(slot));
      await accept(
        ws.map((w, i) => ({ wallet: w, type: "api_call", key: `${round}-${i}`, properties: { tier: tiers[(round + i) % 4]! } })),
      );
      if (round % 2 === 1)
        await accept([{ wallet: ws[round % ws.length]!, type: "signup", key: "once", occurredAt: new Date(T0 + 2 * DAY).toISOString() }]);
      // warm worker on even rounds; a new cache (cold: loads the checkpoint) on odd ones, in small batches
      await drain(
        db(),
        round % 2 === 0 ? { maxSlot: BigInt(slot), cache: new WorkerCache() } : { maxSlot: BigInt(slot), batchSize: 2, chunkSize: 2 },
      );
    }
    const replay = await replayLedger(db());
    assert.equal(replay.mismatchCount, 0);
    const [n] = await db()<{ events: number; scored: number }[]>`
      select (select count(*)::int from events) as events, (select count(*)::int from event_scores) as scored`;
    assert.deepEqual([n!.events, n!.scored], [33, 33]);
    // a stored row changed behind the engine's back is caught
    await db()`alter table point_ledger disable trigger point_ledger_append_only`;
    await db()`update point_ledger set delta = delta + 1 where id = (select min(id) from point_ledger where event_id is not null)`;
    await db()`alter table point_ledger enable trigger point_ledger_append_only`;
    assert.equal((await replayLedger(db())).mismatchCount, 1);
  });

  it("given a signup campaign, when a new wallet and an existing one sign up in it, then analytics count 2 participants, the points paid, the budget left and 1 conversion", async () => {
    const [fresh, existing] = [wallet(), wallet()];
    await insertSettlements(db(), [pay(1, existing)]);
    await advanceIngestWatermark(db(), 1n);
    const inWindow = new Date(T0 + 2 * DAY).toISOString();
    await accept([
      { wallet: fresh, type: "signup", key: "s", occurredAt: inWindow },
      { wallet: existing, type: "signup", key: "s", occurredAt: inWindow },
    ]);
    await drain(db(), { maxSlot: 1n });
    const api = await serveRouters([{ at: "/v1", router: eventsRoutes({ sql: db(), replayWindowSeconds: 300 }) }]);
    try {
      const r = await call(`${api.url}/v1/campaigns/welcome/analytics`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        [r.body.participants, r.body.pointsPaid, r.body.budgetLeft, r.body.conversions, r.body.conversionsBy],
        [2, "4000", "96000", 1, { settlement: 0, event: 1 }],
      );
      const missing = await call(`${api.url}/v1/campaigns/nope/analytics`);
      assert.deepEqual([missing.status, missing.body.error], [404, "unknown_campaign"]);
    } finally {
      await api.close();
    }
  });
});
