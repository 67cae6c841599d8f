import { type ChildProcess, spawn } from "node:child_process";
import { connect, type Sql } from "../../indexer/src/db/connection.js";
import { readCursor, replayLedger } from "../../indexer/src/engine/index.js";
import { countSettlementsAfter, listSettlements } from "../../indexer/src/ingest/store/settlements.js";
import type { ExpectedSettlement } from "../fixtures/ingest/localnet-scenario.js";
import { migrate } from "../../indexer/src/db/migrate.js";
import { startThrowawayPostgres } from "../fixtures/ingest/throwaway-postgres.js";
import { freshDb } from "../setup/db.js";
import { MERIT_BIN } from "./indexer-cli.js";

/** `merit start --roles …` as a child process in a process group of its own (a kill -9 takes it whole). */
export interface Daemon {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startDaemon(env: NodeJS.ProcessEnv, roles: string): Daemon {
  const child = spawn(MERIT_BIN, ["start", "--roles", roles], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => output, exited };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, check: () => Promise<boolean> | boolean, ms: number, context = () => ""): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms\n${context()}`);
    await sleep(50);
  }
  return Date.now() - t0;
}

const key = (r: { signature: string; outer_index: number; inner_index: number; amount: string | bigint; payer: string; payee: string }) =>
  `${r.signature}/${r.outer_index}/${r.inner_index} ${r.amount} ${r.payer} ${r.payee}`;

/** The stored settlements and the expected ones, in one comparable form (duplicates would show twice). */
export async function storedVsExpected(sql: Sql, expected: readonly ExpectedSettlement[]): Promise<{ got: string[]; want: string[] }> {
  const rows = await listSettlements(sql);
  return { got: rows.map((r) => key({ ...r, amount: String(r.amount) })).sort(), want: expected.map(key).sort() };
}

/** Everything stored is scored, and the ledger equals a replay from the settlements (`merit ledger verify`). */
export async function engineState(url: string): Promise<{ backlog: number; mismatches: number; settlements: number }> {
  // the replay reads through a cursor: a connection of its own, as `merit ledger verify` has
  const sql = connect(url, { max: 1, name: "merit-test-verify" });
  try {
    const cursor = await readCursor(sql);
    const r = await replayLedger(sql, { untilSeq: cursor.seq });
    return { backlog: await countSettlementsAfter(sql, cursor), mismatches: r.mismatchCount, settlements: r.settlements };
  } finally {
    await sql.end();
  }
}

/**
 * A real server for tests where several processes write at once or one is killed mid-transaction:
 * the test run's DATABASE_URL, emptied, or (when the run uses the embedded PGlite, one session for
 * everyone) a throwaway cluster of its own.
 */
export async function realPostgres(): Promise<{ url: string; sql: Sql; stop(): Promise<void> }> {
  if (process.env.MERIT_TEST_EMBEDDED_PG !== "1") {
    const sql = await freshDb({ max: 3 });
    return { url: process.env.DATABASE_URL!, sql, stop: () => sql.end() };
  }
  const pg = await startThrowawayPostgres();
  const sql = connect(pg.url, { max: 3, name: "merit-test" });
  await migrate(sql);
  return {
    url: pg.url,
    sql,
    async stop() {
      await sql.end();
      pg.stop();
    },
  };
}
