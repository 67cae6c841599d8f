import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeCampaigns, decodeDays, encodeCampaigns, encodeDays, newAccountStats, ScoringState, type AccountStats } from "./state.js";
import { compile } from "./compiled.js";
import { eventTime, scoreSettlement } from "./score.js";
import { dayOf } from "./points/math.js";
import { MAX_WINDOW_DAYS, ruleSetBody } from "../rules/schema.js";
import type { Settlement } from "./types.js";

describe("scoring state: account stats", () => {
  it("given a new account, when its stats are created, then every counter starts at zero and nothing is set", () => {
    assert.deepEqual(newAccountStats(), {
      settlementCount: 0n,
      volumeTotal: 0n,
      score: 0n,
      balance: 0n,
      firstSeq: null,
      firstActivityAt: null,
      lastDay: null,
      streakDays: 0,
      referralCount: 0,
      dirty: false,
      days: undefined,
      parts: undefined,
    });
  });

  it("given two new stats, when one is changed, then the other is not (no shared object)", () => {
    const a = newAccountStats();
    const b = newAccountStats();
    a.score = 5n;
    assert.equal(b.score, 0n);
  });

  it("given an unknown account, when statsFor is asked, then it creates the row once, marks it dirty and returns the same row again", () => {
    const state = new ScoringState();
    const st = state.statsFor("A");
    st.score = 7n;
    assert.equal(state.statsFor("A"), st);
    assert.equal(state.stats.get("A")!.score, 7n);
    assert.deepEqual([...state.dirtyStats], ["A"]);
    assert.equal(st.dirty, true);
  });

  it("given dirty stats and campaigns, when clearDirty runs, then both sets are empty and the row's flag is reset, so the next touch marks it again", () => {
    const state = new ScoringState();
    const st = state.statsFor("A");
    state.campaignFor("c");
    state.clearDirty();
    assert.equal(state.dirtyStats.size, 0);
    assert.equal(state.dirtyCampaigns.size, 0);
    assert.equal(st.dirty, false);
    state.statsFor("A");
    assert.deepEqual([...state.dirtyStats], ["A"]);
  });

  it("given day volumes added, when the same day is added again, then the bucket accumulates", () => {
    const state = new ScoringState();
    const st = state.statsFor("A");
    state.addDayVolume(st, 100, 5n);
    state.addDayVolume(st, 100, 7n);
    state.addDayVolume(st, 101, 1n);
    assert.deepEqual(
      [...st.days!],
      [
        [100, 12n],
        [101, 1n],
      ],
    );
  });

  it("given day buckets, when pruned before day 100, then days before 100 are dropped and day 100 onwards kept", () => {
    const state = new ScoringState();
    const st = state.statsFor("A");
    for (const d of [98, 99, 100, 101]) state.addDayVolume(st, d, BigInt(d));
    state.pruneDays("A", 100);
    assert.deepEqual([...st.days!.keys()], [100, 101]);
    state.pruneDays("unknown", 100); // no row: nothing to do, no throw
    assert.equal(state.stats.has("unknown"), false);
  });

  it("given an unknown campaign, when campaignFor is asked, then its totals start at zero, are marked dirty and are reused", () => {
    const state = new ScoringState();
    const c = state.campaignFor("c");
    assert.deepEqual(c, { spent: 0n, participants: 0 });
    c.spent = 10n;
    assert.equal(state.campaignFor("c").spent, 10n);
    assert.deepEqual([...state.dirtyCampaigns], ["c"]);
  });

  it("given an account row, when a participant is asked for, then it is created on the row once and the row is marked dirty", () => {
    const state = new ScoringState();
    const st: AccountStats = newAccountStats();
    state.stats.set("A", st);
    const p = state.participantFor(st, "c", "A");
    assert.deepEqual(p, { campaignId: "c", account: "A", awards: 0, points: 0n, lastAwardAt: null, seen: 0, volume: 0n });
    p.awards = 2;
    assert.equal(state.participantFor(st, "c", "A").awards, 2);
    assert.deepEqual([...state.dirtyStats], ["A"]);
  });
});

describe("scoring state: links", () => {
  it("given an address linked into an account after seq 5, when settlements 5 and 6 are scored, then 5 stays with the address and 6 goes to the account", () => {
    const state = new ScoringState();
    state.addressLinks.set("addr", { to: "ACC", afterSeq: 5n });
    assert.equal(state.accountOf("addr", 5n), "addr");
    assert.equal(state.accountOf("addr", 6n), "ACC");
    assert.equal(state.accountOf("other", 6n), "other");
  });

  it("given a referral adopted after seq 3, when the referee's settlements 3 and 4 are scored, then only 4 has a referrer", () => {
    const state = new ScoringState();
    state.referralLinks.set("W", { to: "R", afterSeq: 3n });
    assert.equal(state.referrerOf("W", 3n), undefined);
    assert.equal(state.referrerOf("W", 4n), "R");
    assert.equal(state.referrerOf("R", 4n), undefined);
  });

  it("given a referrer wallet later linked into an account, when the referee settles after the link, then the account is the referrer (before it, the wallet)", () => {
    const state = new ScoringState();
    state.referralLinks.set("W", { to: "rwallet", afterSeq: 0n });
    state.addressLinks.set("rwallet", { to: "RACC", afterSeq: 10n });
    assert.equal(state.referrerOf("W", 10n), "rwallet");
    assert.equal(state.referrerOf("W", 11n), "RACC");
  });

  it("given the referee linked the wallet whose code it adopted, when it settles after the link, then it has no referrer", () => {
    const state = new ScoringState();
    state.referralLinks.set("W", { to: "w2", afterSeq: 0n });
    state.addressLinks.set("w2", { to: "W", afterSeq: 10n });
    assert.equal(state.referrerOf("W", 10n), "w2");
    assert.equal(state.referrerOf("W", 11n), undefined);
  });

  it("given a chain W -> R1 -> R2 -> R3, when asked 3 or 2 or 5 deep, then it lists the referrers nearest first up to the depth", () => {
    const state = new ScoringState();
    for (const [a, b] of [
      ["W", "R1"],
      ["R1", "R2"],
      ["R2", "R3"],
    ] as const)
      state.referralLinks.set(a, { to: b, afterSeq: 0n });
    assert.deepEqual(state.chainOf("W", 1n, 3), ["R1", "R2", "R3"]);
    assert.deepEqual(state.chainOf("W", 1n, 2), ["R1", "R2"]);
    assert.deepEqual(state.chainOf("W", 1n, 5), ["R1", "R2", "R3"]);
    assert.deepEqual(state.chainOf("R2", 1n, 5), ["R3"]);
    assert.deepEqual(state.chainOf("W", 1n, 0), []);
  });

  it("given a link in the chain adopted later, when an earlier settlement is scored, then the chain stops below it", () => {
    const state = new ScoringState();
    state.referralLinks.set("W", { to: "R1", afterSeq: 0n });
    state.referralLinks.set("R1", { to: "R2", afterSeq: 9n });
    assert.deepEqual(state.chainOf("W", 9n, 3), ["R1"]);
    assert.deepEqual(state.chainOf("W", 10n, 3), ["R1", "R2"]);
  });

  it("given a (refused on adoption) cycle in the links, when the chain is walked, then it stops instead of looping and lists nobody twice", () => {
    const state = new ScoringState();
    state.referralLinks.set("A", { to: "B", afterSeq: 0n });
    state.referralLinks.set("B", { to: "A", afterSeq: 0n });
    state.referralLinks.set("X", { to: "B", afterSeq: 0n });
    assert.deepEqual(state.chainOf("A", 1n, 8), ["B"]);
    assert.deepEqual(state.chainOf("X", 1n, 8), ["B", "A"]);
  });
});

describe("scoring state: checkpoint encodings", () => {
  it("given day buckets, when encoded after day 100, then only later days are written as day:volume pairs", () => {
    assert.equal(
      encodeDays(
        new Map([
          [99, 1n],
          [100, 2n],
          [101, 30n],
          [102, 400n],
        ]),
        100,
      ),
      "101:30,102:400",
    );
    assert.equal(encodeDays(undefined, 0), "");
  });

  it("given encoded day buckets, when decoded, then the map is restored (and empty text is an empty map)", () => {
    assert.deepEqual(
      [...decodeDays("101:30,102:400")],
      [
        [101, 30n],
        [102, 400n],
      ],
    );
    assert.equal(decodeDays("").size, 0);
  });

  it("given participants met in any order, when encoded, then the text is sorted by campaign id and an unset last award is empty", () => {
    const state = new ScoringState();
    const st = state.statsFor("A");
    Object.assign(state.participantFor(st, "zeta", "A"), { awards: 1, points: 500n, lastAwardAt: new Date(1_000), seen: 2, volume: 7n });
    Object.assign(state.participantFor(st, "alpha", "A"), { seen: 3, volume: 9n });
    assert.equal(encodeCampaigns(st), "alpha:0:0::3:9,zeta:1:500:1000:2:7");
    assert.equal(encodeCampaigns(undefined), "");
    assert.equal(encodeCampaigns(newAccountStats()), "");
  });

  it("given encoded participants, when decoded for an account, then every counter and the last award time come back", () => {
    assert.deepEqual(decodeCampaigns("A", "alpha:0:0::3:9,zeta:1:500:1000:2:7"), [
      { campaignId: "alpha", account: "A", awards: 0, points: 0n, lastAwardAt: null, seen: 3, volume: 9n },
      { campaignId: "zeta", account: "A", awards: 1, points: 500n, lastAwardAt: new Date(1_000), seen: 2, volume: 7n },
    ]);
    assert.deepEqual(decodeCampaigns("A", ""), []);
  });

  it("for any day buckets, decode(encode(days, after)) is the buckets after that day", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.bigInt({ min: 0n, max: 10n ** 20n }))),
        fc.integer({ min: -1, max: 100_000 }),
        (entries, after) => {
          const days = new Map(entries);
          assert.deepEqual(decodeDays(encodeDays(days, after)), new Map([...days].filter(([d]) => d > after)));
        },
      ),
    );
  });

  it("for any participants, decoding the encoding restores them sorted by campaign id", () => {
    const participant = fc.record({
      campaignId: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/),
      awards: fc.nat(1000),
      points: fc.bigInt({ min: 0n, max: 10n ** 18n }),
      lastAwardAt: fc.option(
        fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms)),
        { nil: null },
      ),
      seen: fc.nat(1000),
      volume: fc.bigInt({ min: 0n, max: 10n ** 20n }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(participant, { selector: (p) => p.campaignId }), (ps) => {
        const st = newAccountStats();
        st.parts = new Map(ps.map((p) => [p.campaignId, { ...p, account: "A" }]));
        const sorted = [...ps].sort((a, b) => (a.campaignId < b.campaignId ? -1 : 1)).map((p) => ({ ...p, account: "A" }));
        assert.deepEqual(decodeCampaigns("A", encodeCampaigns(st)), sorted);
      }),
    );
  });
});

describe("scoring state: a checkpoint loses nothing scoring reads", () => {
  const window = { startsAt: "2026-01-01T00:00:00Z", endsAt: "2026-12-01T00:00:00Z" };
  const rs = compile({
    version: 1n,
    effectiveFrom: new Date(0),
    afterSeq: 0n,
    body: ruleSetBody.parse({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      tiers: {
        windowDays: 30,
        levels: [
          { name: "bronze", minVolume: 0, multiplierBps: 10000 },
          { name: "silver", minVolume: 40_000_000, multiplierBps: 12500 },
        ],
      },
      rules: [
        { id: "fifth", priority: 1, when: { nthSettlement: 5 }, award: { kind: "flat", points: 900 } },
        { id: "rich", priority: 2, when: { minScore: 100_000 }, award: { kind: "flat", points: 10 } },
      ],
      campaigns: [
        {
          id: "capped",
          type: "multiplier",
          multiplierBps: 13000,
          budget: 1_000_000_000,
          maxParticipants: 2,
          perWallet: { maxCount: 3, maxPoints: 9000, cooldownSeconds: 86_400 },
          ...window,
        },
        { id: "vol", type: "volumeThreshold", threshold: 60_000_000, points: 5000, budget: 1_000_000_000, ...window },
        { id: "fourth", type: "milestone", on: "settlements", n: 4, points: 700, budget: 1_000_000_000, ...window },
        { id: "ref2", type: "milestone", on: "referrals", n: 2, points: 300, budget: 1_000_000_000, ...window },
        { id: "streak", type: "streak", days: 3, points: 400, budget: 1_000_000_000, ...window },
      ],
      referral: { model: "fixed", levels: [1000, 500] },
    }),
  });
  const links = (state: ScoringState) => {
    for (const [a, b] of [
      ["B", "A"],
      ["C", "A"],
      ["D", "B"],
    ] as const)
      state.referralLinks.set(a, { to: b, afterSeq: 0n });
    return state;
  };

  /** What the engine writes to account_stats / campaign_state and reads back, in memory. */
  function viaCheckpoint(state: ScoringState, now: Date): ScoringState {
    const keepAfterDay = dayOf(now) - MAX_WINDOW_DAYS;
    const copy = links(new ScoringState());
    for (const [account, st] of state.stats) {
      const parts = decodeCampaigns(account, encodeCampaigns(st));
      const days = encodeDays(st.days, keepAfterDay);
      copy.stats.set(account, {
        settlementCount: st.settlementCount,
        volumeTotal: st.volumeTotal,
        score: st.score,
        balance: st.balance,
        firstSeq: st.firstSeq,
        firstActivityAt: st.firstActivityAt,
        lastDay: st.lastDay,
        streakDays: st.streakDays,
        referralCount: st.referralCount,
        dirty: false,
        days: days === "" ? undefined : decodeDays(days),
        parts: parts.length === 0 ? undefined : new Map(parts.map((p) => [p.campaignId, p])),
      });
    }
    for (const [id, c] of state.campaigns) copy.campaigns.set(id, { ...c });
    return copy;
  }

  it("for any stream cut anywhere, a state rebuilt from its encoded checkpoint scores the rest exactly like the state kept in memory", () => {
    const arb = fc.array(
      fc.record({
        payer: fc.constantFrom("A", "B", "C", "D"),
        units: fc.integer({ min: 1, max: 30 }),
        gapHours: fc.integer({ min: 0, max: 60 }),
      }),
      { minLength: 2, maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.nat(), (stream, cutAt) => {
        const cut = 1 + (cutAt % (stream.length - 1));
        let t = Date.parse("2026-03-01T00:00:00Z");
        let prev: Date | null = null;
        const items = stream.map((x, i) => {
          t += x.gapHours * 3_600_000;
          const s: Settlement = {
            id: BigInt(i + 1),
            slot: BigInt(i + 1),
            txIndex: 0,
            outerIndex: 0,
            innerIndex: 0,
            blockTime: new Date(t),
            mint: "USDC",
            amount: BigInt(x.units) * 1_000_000n,
            decimals: 6,
            payer: x.payer,
            payee: "SHOP",
            memo: null,
          };
          return { s, seq: BigInt(i + 1), time: (prev = eventTime(s, prev)) };
        });
        const memory = links(new ScoringState());
        for (const x of items.slice(0, cut)) scoreSettlement(memory, rs, x.s, x.seq, x.time);
        const restored = viaCheckpoint(memory, items[cut - 1]!.time);
        const rest = items.slice(cut);
        assert.deepEqual(
          rest.map((x) => scoreSettlement(restored, rs, x.s, x.seq, x.time)),
          rest.map((x) => scoreSettlement(memory, rs, x.s, x.seq, x.time)),
        );
      }),
      { numRuns: 150 },
    );
  });
});
