import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { connect, type Sql } from "../db/connection.js";
import { toJson } from "../json.js";
import { env } from "../env.js";
import { CallerError } from "../errors.js";
import { log } from "./context.js";

/**
 * Commands for admins (rule sets, manual adjustments), operators (rejected input) and auditors
 * (recompute the ledger and compare): thin wrappers over the functions the daemon and the API use.
 * Points print as points with three decimals (the ledger counts millipoints).
 */
function database(name: string): Sql {
  const e = env();
  if (!e.DATABASE_URL) throw new CallerError("no_database", "DATABASE_URL is required for this command (the daemon's `npm start` runs the embedded database)");
  return connect(e.DATABASE_URL, { max: 2, name });
}

export async function withDb<T>(name: string, f: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = database(name);
  try {
    return await f(sql);
  } finally {
    await sql.end();
  }
}

/** "12", "-0.5", "3.125" points -> millipoints, exactly (no float on the way). */
export function parsePoints(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a number of points with at most 3 decimals (e.g. 250, -12.5)`);
  const milli = BigInt(m[2]!) * 1000n + BigInt((m[3] ?? "").padEnd(3, "0"));
  return m[1] === "-" ? -milli : milli;
}

export function formatPoints(milli: bigint): string {
  const sign = milli < 0n ? "-" : "";
  const abs = milli < 0n ? -milli : milli;
  return `${sign}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, "0")}`;
}

const positiveInt = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
  return Number(v);
};

export const out = (line: string): void => void process.stdout.write(`${line}\n`);
export const json = (v: unknown) => toJson(v, 2);

export function rulesCommand(): Command {
  const rules = new Command("rules").description("versioned rule sets (earn rates, tiers, point rules, campaigns, referral split)");
  rules
    .command("publish <file>")
    .description("validate a rule set (JSON) and publish it as the next version; it scores settlements after the engine's current position")
    .requiredOption("--by <who>", "who publishes it (kept with the version)")
    .option("--note <text>", "why", "")
    .option("--effective-from <iso-time>", "event time from which it applies (default: at once)")
    .action(async (file: string, o: { by: string; note: string; effectiveFrom?: string }) => {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(file, "utf8"));
      } catch (err) {
        throw new CallerError("bad_rule_file", `${file}: ${(err as Error).message}`);
      }
      const effectiveFrom = o.effectiveFrom === undefined ? undefined : new Date(o.effectiveFrom);
      if (effectiveFrom && Number.isNaN(effectiveFrom.getTime())) throw new CallerError("bad_time", `--effective-from "${o.effectiveFrom}" is not an ISO time`);
      const { publishRuleSet } = await import("../rules/rule-sets.js");
      const rs = await withDb("merit-rules", (sql) => publishRuleSet(sql, { body: body as never, createdBy: o.by, note: o.note, effectiveFrom }));
      out(`published rule set version ${rs.version} (scores settlements after seq ${rs.afterSeq}, effective from ${rs.effectiveFrom.toISOString()})`);
    });
  rules
    .command("show [version]")
    .description("print a rule set version as JSON (default: the newest)")
    .action(async (version?: string) => {
      const { getRuleSet, loadRuleHistory } = await import("../rules/rule-sets.js");
      if (version !== undefined && !/^\d+$/.test(version)) throw new CallerError("bad_version", `"${version}" is not a version number`);
      const rs = await withDb("merit-rules", async (sql) => (version === undefined ? (await loadRuleHistory(sql)).at(-1) : getRuleSet(sql, BigInt(version))));
      if (!rs) throw new CallerError("no_rule_set", version === undefined ? "no rule set has been published yet" : `rule set version ${version} does not exist`);
      out(json(rs));
    });
  return rules;
}

export function pointsCommand(): Command {
  const points = new Command("points").description("balances and manual adjustments");
  points
    .command("adjust <account> <points>")
    .description("add (or with a minus sign, remove) points as a ledger row of its own; a note is required")
    .requiredOption("--note <text>", "why (kept in the ledger)")
    .requiredOption("--by <who>", "who adjusts")
    .option("--new", "credit an account that has no activity yet (otherwise refused: a mistyped address would be credited silently)")
    .action(async (account: string, text: string, o: { note: string; by: string; new?: boolean }) => {
      const delta = parsePoints(text);
      const { adjustPoints, balanceOf } = await import("../ledger/queries.js");
      const [id, balance] = await withDb("merit-points", async (sql) => {
        const [known] = await sql`select 1 from account_stats where account = ${account}`;
        if (!known && !o.new) throw new CallerError("unknown_account", `account ${account} has no activity: check the address, or pass --new to credit it anyway`);
        const row = await adjustPoints(sql, { account, delta, note: o.note, by: o.by });
        return [row, await balanceOf(sql, account)] as const;
      });
      out(`${account}: ${delta < 0n ? "" : "+"}${formatPoints(delta)} points (ledger row ${id}), balance ${formatPoints(balance)}`);
    });
  points
    .command("leaderboard")
    .description("accounts by points as of the engine's position; ties go to the earliest first activity")
    .option("--limit <n>", "rows", positiveInt, 20)
    .option("--epoch <n>", "the snapshot frozen for this epoch instead of the live board")
    .option("--json", "one JSON array instead of a table")
    .action(async (o: { limit: number; epoch?: string; json?: boolean }) => {
      const { leaderboard, leaderboardSnapshot } = await import("../ledger/queries.js");
      const epoch = o.epoch === undefined ? undefined : epochOf(o.epoch);
      const rows = await withDb("merit-points", (sql) => (epoch === undefined ? leaderboard(sql, { limit: o.limit }) : leaderboardSnapshot(sql, epoch, { limit: o.limit })));
      if (epoch !== undefined && rows.length === 0) throw new CallerError("no_snapshot", `epoch ${epoch} has no leaderboard snapshot (take one with \`points snapshot ${epoch}\`)`);
      if (o.json) return out(json(rows));
      for (const r of rows) out(`${String(r.rank).padStart(5)}  ${formatPoints(r.balance).padStart(16)}  ${r.account}`);
    });
  points
    .command("snapshot <epoch>")
    .description("freeze the leaderboard as of the engine's position for an epoch (once per epoch)")
    .action(async (text: string) => {
      const epoch = epochOf(text);
      const { snapshotLeaderboard } = await import("../ledger/queries.js");
      const r = await withDb("merit-points", (sql) => snapshotLeaderboard(sql, epoch));
      out(`epoch ${epoch}: leaderboard of ${r.rows} accounts frozen as of seq ${r.asOfSeq}`);
    });
  return points;
}

function epochOf(text: string): bigint {
  if (!/^\d+$/.test(text)) throw new CallerError("bad_epoch", `"${text}" is not an epoch number`);
  return BigInt(text);
}

export function ledgerCommand(): Command {
  const ledger = new Command("ledger").description("the append-only points ledger");
  ledger
    .command("verify")
    .description("recompute the whole ledger from settlements and the rule history, compare it with the stored one; exit 1 on any difference")
    .option("--until-seq <n>", "stop at this engine sequence (default: the engine's position now)")
    .action(async (o: { untilSeq?: string }) => {
      if (o.untilSeq !== undefined && !/^\d+$/.test(o.untilSeq)) throw new CallerError("bad_seq", `--until-seq "${o.untilSeq}" is not a sequence number`);
      const { replayLedger } = await import("../engine/replay.js");
      const started = performance.now();
      log("ledger verify: recomputing every settlement in chain order (about 45 s per million on two cores)");
      const r = await withDb("merit-verify", (sql) => replayLedger(sql, { untilSeq: o.untilSeq === undefined ? undefined : BigInt(o.untilSeq) }));
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      if (r.mismatchCount === 0) return out(`ledger verified: ${r.settlements} settlements, ${r.rows} rows recomputed and equal to the stored ledger (${secs} s)`);
      out(`ledger DIFFERS in ${r.mismatchCount} block(s) of settlements; first seqs: ${r.mismatches.join(", ")} (${r.settlements} settlements, ${secs} s)`);
      process.exitCode = 1;
    });
  return ledger;
}

export function rejectsCommand(): Command {
  return new Command("rejects")
    .description("input ingest stored instead of crashing on it: newest first, with reason and detail")
    .option("--reason <code>", "only this reason (e.g. malformed_json, bad_shape)")
    .option("--limit <n>", "rows", positiveInt, 50)
    .option("--body", "print each stored body too")
    .action(async (o: { reason?: string; limit: number; body?: boolean }) => {
      const { listRecentRejects } = await import("../ingest/store/rejects.js");
      const rows = await withDb("merit-rejects", (sql) => listRecentRejects(sql, { reason: o.reason, limit: o.limit }));
      if (rows.length === 0) return out(o.reason ? `no rejects with reason ${o.reason}` : "no rejects");
      for (const r of rows) {
        out(`${r.last_seen_at.toISOString()}  ${r.source.padEnd(6)}  ${r.reason.padEnd(28)}  x${r.seen_count}  ${r.signature ?? "(no signature)"}`);
        if (r.detail) out(`    ${r.detail}`);
        if (o.body && r.body !== null) out(`    body: ${r.body}`);
      }
    });
}
