import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import type { Sql } from "../db/connection.js";
import { openDatabase } from "../db/open.js";
import { toJson } from "../json.js";
import { CallerError } from "../errors.js";
import type { RowDifference } from "../engine/replay.js";
import { parsePoints } from "../ledger/adjust.js";
import { formatPoints } from "../scoring/points/math.js";
import type { RuleSetBody } from "../rules/schema.js";
import { progress } from "./context.js";
import { checkFailed } from "./exit.js";

/**
 * Commands for admins (rule sets, manual adjustments), operators (rejected input) and auditors
 * (recompute the ledger and compare): thin wrappers over the functions the daemon and the API use.
 * Points print as points with three decimals (the ledger counts millipoints).
 */
/** The database for one command (db/open.ts: DATABASE_URL, the daemon's embedded server, or the data directory). */
export async function withDb<T>(name: string, f: (sql: Sql) => Promise<T>): Promise<T> {
  const db = await openDatabase({ name, max: 2 });
  try {
    return await f(db.sql);
  } finally {
    await db.close();
  }
}

export { formatPoints, parsePoints };

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
    .option("--allow-empty", "publish a rule set without any earn config (settlements then earn no base points)")
    .option(
      "--dry-run",
      "publish nothing: print the changes against the current version and what they do to a sample of recent settlements",
    )
    .option("--sample <n>", "with --dry-run: how many of the latest scored settlements to rescore", positiveInt, 1000)
    .option("--json", "print the result as JSON")
    .action(
      async (
        file: string,
        o: { by: string; note: string; effectiveFrom?: string; allowEmpty?: boolean; dryRun?: boolean; sample: number; json?: boolean },
      ) => {
        let raw: unknown;
        try {
          raw = JSON.parse(readFileSync(file, "utf8"));
        } catch (err) {
          throw new CallerError("bad_rule_file", `${file}: ${(err as Error).message}`);
        }
        const effectiveFrom = o.effectiveFrom === undefined ? undefined : new Date(o.effectiveFrom);
        if (effectiveFrom && Number.isNaN(effectiveFrom.getTime()))
          throw new CallerError("bad_time", `--effective-from "${o.effectiveFrom}" is not an ISO time`);
        const [{ parseRuleSetBody }, { publishRuleSet }] = await Promise.all([
          import("../rules/schema.js"),
          import("../rules/rule-sets.js"),
        ]);
        const body = parseRuleSetBody(raw);
        const empty =
          body.earn.length === 0
            ? `${file} has no earn config: settlements earn no base points under it (as under a file of {}); pass --allow-empty to publish it anyway`
            : undefined;
        if (o.dryRun) {
          const report = await withDb("merit-rules", (sql) => dryRun(sql, body, o.sample));
          if (o.json) return out(json({ dryRun: true, warning: o.allowEmpty ? undefined : empty, report }));
          out("dry run: nothing published");
          if (empty && !o.allowEmpty) out(`note: ${empty}`);
          for (const line of report) out(line);
          return;
        }
        if (empty && !o.allowEmpty) throw new CallerError("empty_rule_set", empty);
        const rs = await withDb("merit-rules", (sql) =>
          publishRuleSet(sql, { body: raw as never, createdBy: o.by, note: o.note, effectiveFrom }),
        );
        if (o.json) return out(json(rs));
        out(
          `published rule set version ${rs.version} (scores settlements after seq ${rs.afterSeq}, effective from ${rs.effectiveFrom.toISOString()})`,
        );
      },
    );
  rules
    .command("show [version]")
    .description("print a rule set version as JSON (default: the newest)")
    .option("--json", "the same JSON (accepted like every command's --json)")
    .action(async (version?: string) => {
      const { getRuleSet, loadRuleHistory } = await import("../rules/rule-sets.js");
      if (version !== undefined && !/^\d+$/.test(version)) throw new CallerError("bad_version", `"${version}" is not a version number`);
      const rs = await withDb("merit-rules", async (sql) =>
        version === undefined ? (await loadRuleHistory(sql)).at(-1) : getRuleSet(sql, BigInt(version)),
      );
      if (!rs)
        throw new CallerError(
          "no_rule_set",
          version === undefined ? "no rule set has been published yet" : `rule set version ${version} does not exist`,
        );
      out(json(rs));
    });
  return rules;
}

export { compactJson, formatChange, type JsonChange, jsonDiff } from "../rules/diff.js";

const signed = (milli: bigint) => `${milli < 0n ? "" : "+"}${formatPoints(milli)}`;

/** `rules publish --dry-run`: reads only (it works on a read-only session), returns the lines to print. */
async function dryRun(sql: Sql, body: RuleSetBody, sampleSize: number): Promise<string[]> {
  const { dryRunRuleSet, formatDryRun } = await import("../engine/rule-dry-run.js");
  return formatDryRun(await dryRunRuleSet(sql, body, sampleSize));
}

export function pointsCommand(): Command {
  const points = new Command("points").description("balances and manual adjustments");
  points
    .command("adjust <account> <points>")
    .description("add (or with a minus sign, remove) points as a ledger row of its own; a note is required")
    .requiredOption("--note <text>", "why (kept in the ledger)")
    .requiredOption("--by <who>", "who adjusts")
    .option("--new", "credit an account that has no activity yet (otherwise refused: a mistyped address would be credited silently)")
    .option("--allow-negative", "let the adjustment leave the balance below zero (otherwise refused)")
    .option("--json", "print the result as JSON")
    .action(
      async (account: string, text: string, o: { note: string; by: string; new?: boolean; allowNegative?: boolean; json?: boolean }) => {
        const delta = parsePoints(text);
        const { adjustAccountPoints } = await import("../ledger/adjust.js");
        const { id, balance } = await withDb("merit-points", (sql) =>
          adjustAccountPoints(sql, { account, delta, note: o.note, by: o.by, allowNew: o.new, allowNegative: o.allowNegative }),
        );
        if (o.json) return out(json({ account, delta: formatPoints(delta), ledgerRow: id, balance: formatPoints(balance) }));
        out(`${account}: ${signed(delta)} points (ledger row ${id}), balance ${formatPoints(balance)}`);
      },
    );
  points
    .command("balance <account>")
    .description("an account's balance: the sum of its ledger rows (negative after a large enough adjustment)")
    .option("--json", "print the result as JSON")
    .action(async (account: string, o: { json?: boolean }) => {
      const { balanceOf } = await import("../ledger/queries.js");
      const balance = await withDb("merit-points", (sql) => balanceOf(sql, account));
      if (o.json) return out(json({ account, balance: formatPoints(balance) }));
      out(`${account}: ${formatPoints(balance)} points${balance < 0n ? " (negative)" : ""}`);
    });
  points
    .command("leaderboard")
    .description("accounts by points as of the engine's position; ties go to the earliest first activity")
    .option("--limit <n>", "rows", positiveInt, 20)
    .option("--epoch <n>", "the snapshot frozen for this epoch instead of the live board")
    .option("--side <side>", "user (points earned paying) or provider (points earned serving, sides.provider)", "user")
    .option("--json", "one JSON array instead of a table")
    .action(async (o: { limit: number; epoch?: string; side: string; json?: boolean }) => {
      const { leaderboardSnapshot } = await import("../ledger/queries.js");
      const { sideLeaderboard } = await import("../ledger/sides.js");
      if (o.side !== "user" && o.side !== "provider") throw new CallerError("bad_flags", `--side ${o.side}: use user or provider`);
      const side = o.side;
      const epoch = o.epoch === undefined ? undefined : epochOf(o.epoch);
      const rows = await withDb("merit-points", (sql) =>
        epoch === undefined ? sideLeaderboard(sql, side, { limit: o.limit }) : leaderboardSnapshot(sql, epoch, { limit: o.limit }),
      );
      if (epoch !== undefined && rows.length === 0)
        throw new CallerError("no_snapshot", `epoch ${epoch} has no leaderboard snapshot (take one with \`points snapshot ${epoch}\`)`);
      if (o.json) return out(json(rows));
      for (const r of rows) out(`${String(r.rank).padStart(5)}  ${formatPoints(r.balance).padStart(16)}  ${r.account}`);
    });
  points
    .command("snapshot <epoch>")
    .description("freeze the leaderboard as of the engine's position for an epoch (once per epoch)")
    .option("--json", "print the result as JSON")
    .action(async (text: string, o: { json?: boolean }) => {
      const epoch = epochOf(text);
      const { snapshotLeaderboard } = await import("../ledger/queries.js");
      const r = await withDb("merit-points", (sql) => snapshotLeaderboard(sql, epoch));
      if (o.json) return out(json({ epoch, ...r }));
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
    .description(
      "recompute the whole ledger from settlements and the rule history, compare it with the stored one; exit 1 on any difference",
    )
    .option("--until-seq <n>", "stop at this engine sequence (default: the engine's position now)")
    .option("--json", "print the result as JSON (the differing rows of the first differing block included)")
    .action(async (o: { untilSeq?: string; json?: boolean }) => {
      if (o.untilSeq !== undefined && !/^\d+$/.test(o.untilSeq))
        throw new CallerError("bad_seq", `--until-seq "${o.untilSeq}" is not a sequence number`);
      const [{ replayLedger, explainBlock }, { readCursor }] = await Promise.all([
        import("../engine/replay.js"),
        import("../engine/cursor.js"),
      ]);
      const started = performance.now();
      await withDb("merit-verify", async (sql) => {
        const head = (await readCursor(sql)).seq;
        const untilSeq = o.untilSeq === undefined ? head : BigInt(o.untilSeq);
        // past the head there is nothing scored to compare: replay would "verify" settlements the engine never scored
        if (untilSeq > head)
          throw new CallerError(
            "bad_seq",
            `--until-seq ${untilSeq} is beyond the engine's position (seq ${head}): only scored settlements can be verified`,
          );
        progress("ledger verify: recomputing every settlement in chain order (about 45 s per million on two cores)");
        const r = await replayLedger(sql, { untilSeq });
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        const summary = {
          ok: r.mismatchCount === 0 && r.exclusionMismatches.length === 0,
          settlements: r.settlements,
          rows: r.rows,
          mismatchCount: r.mismatchCount,
          mismatches: r.mismatches,
          exclusionMismatches: r.exclusionMismatches,
        };
        if (r.exclusionMismatches.length > 0) {
          // the ledger may still agree: fraud screening's catches are checked on their own
          checkFailed();
          if (o.json && r.mismatchCount === 0) return out(json(summary));
          out(
            `fraud screening DIFFERS for settlement(s) ${r.exclusionMismatches.join(", ")}: the stored exclusion (reason, held points) is not what the rules give, or one side has none`,
          );
          if (r.mismatchCount === 0) return;
        }
        if (r.mismatchCount === 0) {
          if (o.json) return out(json(summary));
          return out(`ledger verified: ${r.settlements} settlements, ${r.rows} rows recomputed and equal to the stored ledger (${secs} s)`);
        }
        checkFailed();
        const first = r.mismatches[0]!;
        progress(`ledger verify: recomputing up to the block at seq ${first} again to name its rows`);
        const diffs = await explainBlock(sql, first, untilSeq);
        if (o.json) return out(json({ ...summary, differences: diffs.slice(0, 20).map(describeDifference) }));
        out(
          `ledger DIFFERS in ${r.mismatchCount} block(s) of settlements; first seqs: ${r.mismatches.join(", ")} (${r.settlements} settlements, ${secs} s)`,
        );
        out(
          `rows that differ in the block from seq ${first} (expected: recomputed, got: stored)${diffs.length > 20 ? `, the first 20 of ${diffs.length}` : ""}:`,
        );
        for (const d of diffs.slice(0, 20)) out(`  ${describeDifference(d)}`);
      });
    });
  return ledger;
}

function describeDifference(d: RowDifference): string {
  const r = d.row;
  const what = [
    r.account,
    r.reason,
    r.campaignId && `campaign ${r.campaignId}`,
    r.ruleId && `rule ${r.ruleId}`,
    r.referralPath && `path ${r.referralPath.join(">")}`,
  ]
    .filter(Boolean)
    .join(" ");
  const at = `seq ${r.seq} (settlement ${r.settlementId}) ${what}`;
  if (d.kind === "extra") return `${at}: stored but not recomputed (got delta ${formatPoints(r.delta)})`;
  if (d.kind === "missing") return `${at}: recomputed but not stored (expected delta ${formatPoints(r.delta)})`;
  const show = (field: string, v: string) => (field === "delta" ? formatPoints(BigInt(v)) : v);
  return `${at}: ${d.fields.map((f) => `${f.field} expected ${show(f.field, f.expected)}, got ${show(f.field, f.got)}`).join("; ")}`;
}

export function rejectsCommand(): Command {
  return new Command("rejects")
    .description("input ingest stored instead of crashing on it: newest first, with reason and detail")
    .option("--reason <code>", "only this reason (e.g. malformed_json, bad_shape)")
    .option("--limit <n>", "rows", positiveInt, 50)
    .option("--body", "print each stored body too")
    .option("--json", "one JSON array (bodies included)")
    .action(async (o: { reason?: string; limit: number; body?: boolean; json?: boolean }) => {
      const { listRecentRejects } = await import("../ingest/store/rejects.js");
      const rows = await withDb("merit-rejects", (sql) => listRecentRejects(sql, { reason: o.reason, limit: o.limit }));
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out(o.reason ? `no rejects with reason ${o.reason}` : "no rejects");
      for (const r of rows) {
        out(
          `${r.last_seen_at.toISOString()}  ${r.source.padEnd(6)}  ${r.reason.padEnd(28)}  x${r.seen_count}  ${r.signature ?? "(no signature)"}`,
        );
        if (r.detail) out(`    ${r.detail}`);
        if (o.body && r.body !== null) out(`    body: ${r.body}`);
      }
    });
}
