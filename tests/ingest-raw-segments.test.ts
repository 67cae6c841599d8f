import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../indexer/src/db/connection.js";
import { migrate, MIGRATIONS_DIR } from "../indexer/src/db/migrate.js";
import { emptyBatch, persistBatch, type Batch } from "../indexer/src/ingest/store/persist.js";
import { getRawTransaction, readRawSegments } from "../indexer/src/ingest/store/raw-segments.js";
import type { SettlementRow } from "../indexer/src/ingest/types.js";
import { useFreshDb } from "./setup/db.js";

const sig = (n: number) => `A${n}`.padEnd(88, "x");
const body = (n: number) =>
  JSON.stringify({ transaction: { signatures: [sig(n)] }, note: `body ${n} with a comma, a quote " and \u001e escaped` });

function settlement(n: number, outerIndex = 0): SettlementRow {
  return {
    signature: sig(n),
    outerIndex,
    innerIndex: -1,
    slot: 1000n + BigInt(n),
    blockTime: new Date(1_700_000_000_000),
    mint: "M".repeat(44),
    tokenProgram: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
    amount: 5n,
    decimals: 6,
    payer: "P".repeat(44),
    payee: "Q".repeat(44),
    sourceAccount: "S".repeat(44),
    destinationAccount: "D".repeat(44),
    feePayer: "F".repeat(44),
    facilitator: null,
    memo: null,
    txIndex: n,
    source: "rpc",
  };
}

/** What build-batch makes of transactions `ns`: their settlements and bodies, positions matching. */
function batchOf(...ns: number[]): Batch {
  const b = emptyBatch();
  for (const n of ns) {
    for (const s of [settlement(n), ...(n % 2 === 0 ? [settlement(n, 1)] : [])]) b.settlements.push({ ...s, rawIndex: b.raws.length });
    b.raws.push({ signature: sig(n), slot: 1000n + BigInt(n), source: "rpc", encoding: "rpc-json", txIndex: n, body: body(n) });
  }
  return b;
}

describe("raw transaction bodies in segments (migration 00017)", () => {
  const db = useFreshDb();

  it("given a batch, when it is persisted twice, then one segment holds the bodies, each settlement finds its own, and the second persist writes nothing", async () => {
    assert.equal((await persistBatch(db(), batchOf(1, 2, 3))).inserted, 4); // 2 has two transfers
    assert.equal((await persistBatch(db(), batchOf(1, 2, 3))).inserted, 0);
    const [{ n }] = (await db()`select count(*)::int as n from raw_segments`) as unknown as [{ n: number }];
    assert.equal(n, 1);
    for (const k of [1, 2, 3]) {
      const raw = await getRawTransaction(db(), sig(k));
      assert.deepEqual(raw, { signature: sig(k), slot: 1000n + BigInt(k), source: "rpc", encoding: "rpc-json", txIndex: k, body: body(k) });
    }
    assert.equal(await getRawTransaction(db(), sig(9)), undefined);
  });

  it("given a batch with stored and new transactions, then the new segment blanks the stored bodies and replay reads each body once", async () => {
    assert.equal((await persistBatch(db(), batchOf(2, 4, 5))).inserted, 3); // 2 stored above; 4 (two settlements) and 5 new
    const [again] =
      (await db()`select signature, raw_segment_id, raw_index from settlements where signature = ${sig(2)} order by outer_index`) as unknown as {
        raw_segment_id: bigint;
        raw_index: number;
      }[];
    assert.equal(again!.raw_index, 1, "transaction 2 keeps pointing at its first copy");
    assert.equal((await getRawTransaction(db(), sig(4)))?.body, body(4));
    assert.equal((await getRawTransaction(db(), sig(5)))?.body, body(5));
    const seen: string[] = [];
    for await (const seg of readRawSegments(db())) for (const e of seg.entries) seen.push(e.signature);
    assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5].map(sig).sort());
  });

  it("given the same transactions persisted by two connections at once (webhook and poller racing), then each settlement exists once and points at a stored copy of its body", async function () {
    // two connections need a real server: the embedded PGlite serves one session
    if (process.env.MERIT_TEST_EMBEDDED_PG) this.skip();
    const a = connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-race-a" });
    const b = connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-race-b" });
    try {
      // Opposite orders are what deadlocked in CI (each held the key the other wanted next); many
      // rounds, because one round only deadlocks when the two statements interleave.
      for (let round = 0; round < 40; round++) {
        const base = 100 + round * 10,
          ns = [0, 1, 2, 3, 4, 5].map((k) => base + k);
        const [ra, rb] = await Promise.all([
          persistBatch(a, batchOf(...ns.slice(0, 5))),
          persistBatch(b, batchOf(...ns.slice(1).reverse())),
        ]);
        // base+0, +2, +4 have two transfers each: 9 settlements over both batches, each once
        assert.equal(ra.inserted + rb.inserted, 9, `round ${round}`);
        for (const k of ns) assert.equal((await getRawTransaction(db(), sig(k)))?.body, body(k), `body of ${k}`);
        const [{ n }] = (await db()`select count(*)::int as n from settlements where signature = any(${ns.map(sig)})`) as unknown as [
          { n: number },
        ];
        assert.equal(n, 9);
      }
    } finally {
      await a.end();
      await b.end();
    }
  });

  it("given raw_transactions rows from before migration 00017, when it runs, then each becomes a segment its settlements point at, positions taken from settlements where missing", async () => {
    // a private schema migrated to 00016 first; the shared test schema is left as it is
    const dir = mkdtempSync(join(tmpdir(), "merit-m17-"));
    for (const f of readdirSync(MIGRATIONS_DIR)) if (f < "00017") copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
    const sql = connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-m17" });
    try {
      await sql.unsafe("drop schema if exists m17 cascade; create schema m17; set search_path to m17");
      await migrate(sql, { dir });
      // settlements as written before 00017 (no pointer columns yet)
      for (const n of [1, 2]) {
        await sql`insert into settlements (signature, outer_index, slot, tx_index, mint, token_program, amount, decimals, payer, payee,
                    source_account, destination_account, fee_payer, source)
                  values (${sig(n)}, 0, ${1000 + n}, ${n}, 'M', 'T', 5, 6, 'P', 'Q', 'S', 'D', 'F', 'rpc')`;
      }
      await sql`insert into raw_transactions (signature, slot, source, encoding, body, tx_index) values
        (${sig(1)}, 1001, 'rpc', 'rpc-json', ${body(1)}, 1), (${sig(2)}, 1002, 'helius', 'helius-raw', ${body(2)}, null)`;
      await migrate(sql);
      assert.deepEqual(await getRawTransaction(sql, sig(1)), {
        signature: sig(1),
        slot: 1001n,
        source: "rpc",
        encoding: "rpc-json",
        txIndex: 1,
        body: body(1),
      });
      assert.deepEqual(await getRawTransaction(sql, sig(2)), {
        signature: sig(2),
        slot: 1002n,
        source: "helius",
        encoding: "helius-raw",
        txIndex: 2,
        body: body(2),
      });
      const [{ gone }] = (await sql`select to_regclass('raw_transactions') is null as gone`) as unknown as [{ gone: boolean }];
      assert.equal(gone, true);
    } finally {
      await sql.unsafe("reset search_path; drop schema if exists m17 cascade");
      await sql.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
