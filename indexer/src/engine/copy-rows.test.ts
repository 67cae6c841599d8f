import assert from "node:assert/strict";
import { truncateAll, useFreshDb } from "../../../tests/setup/db.js";
import { supportsCopy } from "../db/connection.js";
import { CopyPipe, CopySegment } from "../db/copy-pipe.js";
import { LEDGER_COPY_TARGET, SCORES_COPY_TARGET, writeLedgerRow, writeScoreRow } from "./copy-rows.js";
import type { LedgerRow, ScoreRow } from "../scoring/types.js";
import { insertLedgerRows, insertScores } from "./write.js";

const awkward = [
  'a"b',
  "c\\d",
  "e,f",
  "{g}",
  " h ",
  "tab\there",
  "line\nbreak",
  "cr\rx",
  "NULL",
  "ünï",
  "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
];

describe("COPY binary encoding", () => {
  const bytes = (write: (seg: CopySegment) => void) => {
    const seg = new CopySegment("t");
    write(seg);
    return seg.buf.subarray(0, seg.off);
  };
  const row: LedgerRow = {
    seq: 1n,
    settlementId: -2n,
    account: "ü",
    delta: 2n ** 63n - 1n,
    reason: "earn",
    campaignId: null,
    ruleId: null,
    referralPath: [],
    ruleSetVersion: null,
    occurredAt: new Date("2000-01-01T00:00:01.5Z"),
  };

  it("starts with the format's signature and zero flags", () => {
    assert.equal(bytes(() => {}).toString("latin1"), "PGCOPY\n\xff\r\n\0" + "\0".repeat(8));
  });

  it("writes a row as field count, then length-prefixed send-format values: -1 for null, UTF-8 text, microseconds since 2000 for times", () => {
    const b = bytes((seg) => writeLedgerRow(seg, row)).subarray(19);
    const hex = (...parts: string[]) => Buffer.from(parts.join(""), "hex");
    assert.deepEqual(
      b,
      Buffer.concat([
        hex("000a"),
        hex("00000008", "0000000000000001"), // seq
        hex("00000008", "fffffffffffffffe"), // settlement_id -2
        hex("00000002", "c3bc"), // "ü"
        hex("00000008", "7fffffffffffffff"),
        hex("00000004"),
        Buffer.from("earn"),
        hex("ffffffff", "ffffffff"), // campaign, rule: null
        hex("0000000c", "00000000", "00000000", "00000019"), // an empty text[]: no dimensions
        hex("ffffffff"),
        hex("00000008", "000000000016e360"), // 1.5 s after the epoch = 1,500,000 µs
      ]),
    );
  });

  it("refuses an invalid Date instead of writing the epoch", () => {
    assert.throws(() => bytes((seg) => writeLedgerRow(seg, { ...row, occurredAt: new Date(Number.NaN) })), /invalid Date/);
  });

  it("ends a statement with the trailer -1", () => {
    const seg = new CopySegment("t");
    seg.end();
    assert.deepEqual(seg.buf.subarray(19, seg.off), Buffer.from("ffff", "hex"));
  });
});

describe("COPY and unnest writers", () => {
  const db = useFreshDb({ max: 1 });
  const at = new Date("2026-06-01T10:00:00.123Z");
  const ledger = (seq: bigint): LedgerRow[] =>
    awkward.map((account, i) => ({
      seq,
      settlementId: seq * 100n + BigInt(i),
      account,
      delta: 2n ** 62n + BigInt(i),
      reason: i % 2 ? "campaign" : "referral",
      campaignId: i % 2 ? awkward[(i + 3) % awkward.length]! : null,
      ruleId: i % 3 ? null : "r,1",
      referralPath: i % 2 ? null : [account, ...awkward.slice(0, i % 5)],
      ruleSetVersion: i % 4 ? 7n : null,
      occurredAt: at,
    }));
  const scores = (seq: bigint): ScoreRow[] =>
    awkward.map((account, i) => ({
      settlementId: seq * 100n + BigInt(i),
      seq: seq * 100n + BigInt(i),
      account,
      volume: 2n ** 60n,
      tier: i % 2 ? null : "gold\tx",
      ruleSetVersion: i % 2 ? 3n : null,
      points: -5n,
      eventTime: at,
      counted: i % 3 !== 0,
    }));

  it("given the same rows, when one copy goes through COPY and one through unnest, then the stored rows are identical", async function () {
    if (!supportsCopy(db())) this.skip(); // the embedded PGlite takes no COPY; its unnest path is covered everywhere else
    await truncateAll(db());
    await db().begin(async (tx) => {
      await insertLedgerRows(tx, ledger(1n), true);
      await insertLedgerRows(tx, ledger(2n), false);
      await insertScores(tx, scores(1n), true);
      await insertScores(tx, scores(2n), false);
    });
    const pick = async (table: string, seqCol: string, seq: bigint) =>
      db().unsafe(
        `select to_jsonb(t) - 'id' - 'created_at' - 'scored_at' - '${seqCol}' - 'seq' as r from ${table} t where ${seqCol} / 100 = $1 order by ${seqCol}`,
        [String(seq)],
      );
    for (const [table, col] of [
      ["point_ledger", "settlement_id"],
      ["settlement_scores", "settlement_id"],
    ] as const) {
      const viaCopy = (await pick(table, col, 1n)).map((r) => r.r);
      const viaUnnest = (await pick(table, col, 2n)).map((r) => r.r);
      assert.equal(viaCopy.length, awkward.length);
      assert.deepEqual(viaCopy, viaUnnest, table);
    }
    const [row] = await db()`select account, referral_path from point_ledger where settlement_id = 104`;
    assert.deepEqual([row!.account, row!.referral_path], [" h ", [" h ", 'a"b', "c\\d", "e,f", "{g}"]]);
  });

  it("given a COPY the server refuses (a second score row for a settlement), then it fails with copy_rejected and rolls back instead of hanging", async function () {
    if (!supportsCopy(db())) this.skip();
    this.timeout(10_000); // a hang (porsager/postgres#1173) would hit this instead of the assertion
    await truncateAll(db());
    await assert.rejects(
      db().begin(async (tx) => {
        await insertScores(tx, scores(3n), true);
        await insertScores(tx, scores(3n), true);
      }),
      (err: Error & { code?: string; retryable?: boolean }) => err.code === "copy_rejected" && /settlement_scores/.test(err.message),
    );
    const [row] = await db()`select count(*)::int as n from settlement_scores`;
    assert.equal(row!.n, 0, "the whole transaction rolled back");
    assert.equal((await db()`select 1 as ok`)[0]!.ok, 1, "the pool is still usable");
  });

  describe("CopyPipe", () => {
    const target = SCORES_COPY_TARGET;
    const inBatch = async (fn: (pipe: CopyPipe) => Promise<void>) => {
      await truncateAll(db());
      await db().begin((tx) => fn(new CopyPipe(tx)));
    };
    const nothingWrittenAndPoolUsable = async () => {
      assert.equal((await db()`select count(*)::int as n from settlement_scores`)[0]!.n, 0, "the whole transaction rolled back");
      assert.equal((await db()`select 1 as ok`)[0]!.ok, 1, "the pool is still usable");
    };
    const score = (id: number): ScoreRow => ({
      settlementId: BigInt(id),
      seq: BigInt(id),
      account: `acct${id % 7}`,
      volume: 5n,
      tier: null,
      ruleSetVersion: null,
      points: 1n,
      eventTime: at,
      counted: true,
    });

    it("given segments of two tables alternating, when each is written after the one before it was opened, then every row lands once", async function () {
      if (!supportsCopy(db())) this.skip();
      await truncateAll(db());
      const rows = ledger(9n);
      await db().begin(async (tx) => {
        const pipe = new CopyPipe(tx);
        for (let chunk = 0; chunk < 5; chunk++) {
          const l = pipe.segment(LEDGER_COPY_TARGET);
          const sc = pipe.segment(SCORES_COPY_TARGET);
          // enough rows to spill several buffers, then a turn of the event loop mid-segment
          for (let i = 0; i < 3000; i++) {
            writeLedgerRow(l, { ...rows[i % rows.length]!, seq: BigInt(chunk * 3000 + i) });
            writeScoreRow(sc, score(chunk * 3000 + i));
            if (i === 1500) await new Promise(setImmediate);
          }
          l.end();
          sc.end();
        }
        await pipe.close();
      });
      const [n] =
        await db()`select (select count(*)::int from point_ledger) as l, (select count(*)::int from settlement_scores) as s, (select count(distinct seq)::int from point_ledger) as d`;
      assert.deepEqual(n, { l: 15_000, s: 15_000, d: 15_000 });
    });

    it("given a segment the server refuses followed by more, then close fails with copy_rejected instead of hanging", async function () {
      if (!supportsCopy(db())) this.skip();
      this.timeout(10_000); // a hang would hit this instead of the assertion
      await assert.rejects(
        inBatch(async (pipe) => {
          const a = pipe.segment(target);
          writeScoreRow(a, score(1));
          writeScoreRow(a, score(1)); // duplicate primary key
          a.end();
          const b = pipe.segment(target);
          writeScoreRow(b, score(2));
          b.end();
          await pipe.close();
        }),
        (err: Error & { code?: string }) => err.code === "copy_rejected" && /settlement_scores/.test(err.message),
      );
      await nothingWrittenAndPoolUsable();
    });

    it("given the caller fails while a segment is open, when the pipe is aborted, then the transaction rolls back and the connection recovers", async function () {
      if (!supportsCopy(db())) this.skip();
      this.timeout(10_000);
      await assert.rejects(
        inBatch(async (pipe) => {
          const a = pipe.segment(target);
          for (let i = 0; i < 5000; i++) writeScoreRow(a, score(i));
          await new Promise((r) => setTimeout(r, 50)); // the statement is open and has rows
          writeScoreRow(pipe.segment(target), score(99_999)); // queued behind it
          const err = new Error("scoring failed");
          pipe.abort(err);
          throw err;
        }),
        /scoring failed/,
      );
      await nothingWrittenAndPoolUsable();
    });
  });
});
