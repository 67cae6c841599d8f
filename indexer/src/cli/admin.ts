import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import type { Sql } from "../db/connection.js";
import { openDatabase } from "../db/open.js";
import { toJson } from "../json.js";
import { CallerError } from "../errors.js";
import type { RowDifference } from "../engine/replay.js";
import { formatPoints, MILLI_PER_POINT } from "../scoring/points/math.js";
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

/** "12", "-0.5", "3.125" points -> millipoints, exactly (no float on the way). */
export function parsePoints(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m)
    throw new CallerError(
      "bad_points",
      `"${text}" is not a number of points: write a whole number or one with at most 3 decimals (e.g. 250, -12.5, 0.001)`,
    );
  const milli = BigInt(m[2]!) * MILLI_PER_POINT + BigInt((m[3] ?? "").padEnd(3, "0"));
  return m[1] === "-" ? -milli : milli;
}

export { formatPoints };

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

/** One difference between two JSON-like values, at a path such as `earn[0].pointsPerUnit`. */
export interface JsonChange {
  op: "+" | "-" | "~";
  path: string;
  before?: unknown;
  after?: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
const sameLeaf = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * The changes from `before` to `after`, leaf by leaf: objects by key (the keys of `after` in their
 * order, then the ones only `before` has), arrays by index. A missing key and `undefined` are the same.
 */
export function jsonDiff(before: unknown, after: unknown, path = ""): JsonChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ op: "+", path, after }];
  if (after === undefined) return [{ op: "-", path, before }];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    return keys.flatMap((k) => jsonDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => jsonDiff(before[i], after[i], `${path}[${i}]`)).flat();
  }
  return sameLeaf(before, after) ? [] : [{ op: "~", path, before, after }];
}

/** JSON on one line, with bigints as plain numbers (the rule set's units are integers). */
export function compactJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `\u0000${x}\u0000` : x))!.replace(/"\\u0000(-?\d+)\\u0000"/g, "$1");
}

export function formatChange(c: JsonChange): string {
  if (c.op === "~") return `~ ${c.path}: ${compactJson(c.before)} -> ${compactJson(c.after)}`;
  return `${c.op} ${c.path}: ${compactJson(c.op === "+" ? c.after : c.before)}`;
}

const signed = (milli: bigint) => `${milli < 0n ? "" : "+"}${formatPoints(milli)}`;

/** `rules publish --dry-run`: reads only (it works on a read-only session), returns the lines to print. */
async function dryRun(sql: Sql, body: RuleSetBody, sampleSize: number): Promise<string[]> {
  const [{ loadRuleHistory }, { compile }, { compareOnSample, loadAllLinks }, { scoredSince }, { ScoringState }] = await Promise.all([
    import("../rules/rule-sets.js"),
    import("../scoring/compiled.js"),
    import("../engine/replay.js"),
    import("../engine/load.js"),
    import("../scoring/state.js"),
  ]);
  const current = (await loadRuleHistory(sql)).at(-1);
  const lines: string[] = [];
  const changes = jsonDiff(current?.body ?? {}, body);
  lines.push(current ? `changes against version ${current.version}:` : "changes against no published version:");
  lines.push(...(changes.length === 0 ? ["  (none: the same rules as the current version)"] : changes.map((c) => `  ${formatChange(c)}`)));

  // the cursor is read without readCursor, which creates the row when missing (a write)
  const [cursor] = await sql<{ seq: bigint }[]>`select seq from engine_cursor where id = 1`;
  const head = cursor?.seq ?? 0n;
  if (head === 0n) return [...lines, "sample: no settlement has been scored yet"];
  const from = head > BigInt(sampleSize) ? head - BigInt(sampleSize) : 0n;
  const sample = await scoredSince(sql, from, head);
  const links = new ScoringState();
  await loadAllLinks(sql, links);
  const candidate = compile({ version: (current?.version ?? 0n) + 1n, effectiveFrom: new Date(0), afterSeq: head, body });
  const r = compareOnSample(sample, links, current && compile(current), candidate);
  lines.push(
    `sample: the last ${r.settlements} scored settlements (seq ${r.firstSeq}..${r.lastSeq}), rescored from an empty state with ${current ? `version ${current.version}` : "no rule set"} and with the candidate`,
    `  points: ${formatPoints(r.before)} -> ${formatPoints(r.after)} (${signed(r.after - r.before)})`,
    `  settlements whose points change: ${r.changedSettlements} of ${r.settlements}`,
  );
  if (r.accounts.length === 0) return [...lines, "  no account's points change"];
  lines.push(`  top changed accounts (${Math.min(10, r.accounts.length)} of ${r.accounts.length}):`);
  const top = r.accounts.slice(0, 10);
  const width = Math.max(...top.map((x) => x.account.length));
  for (const x of top)
    lines.push(`    ${x.account.padEnd(width)}  ${formatPoints(x.before)} -> ${formatPoints(x.after)} (${signed(x.after - x.before)})`);
  return lines;
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
        const [{ adjustPoints, balanceOf, hasActivity }, { isSolanaAddress }] = await Promise.all([
          import("../ledger/queries.js"),
          import("../accounts/signatures.js"),
        ]);
        const [id, balance] = await withDb("merit-points", async (sql) => {
          const known = await hasActivity(sql, account);
          if (!known && !o.new)
            throw new CallerError(
              "unknown_account",
              `account ${account} has no activity: check the address, or pass --new to credit it anyway`,
            );
          // accounts are named by their Solana claim wallet; anything else would break the epoch's tree
          if (!known && !isSolanaAddress(account))
            throw new CallerError(
              "bad_account",
              `${account} is not a Solana address (32 bytes in base58): an account is named by its claim wallet`,
            );
          const row = await adjustPoints(sql, { account, delta, note: o.note, by: o.by, allowNegative: o.allowNegative });
          return [row, await balanceOf(sql, account)] as const;
        });
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
    .option("--json", "one JSON array instead of a table")
    .action(async (o: { limit: number; epoch?: string; json?: boolean }) => {
      const { leaderboard, leaderboardSnapshot } = await import("../ledger/queries.js");
      const epoch = o.epoch === undefined ? undefined : epochOf(o.epoch);
      const rows = await withDb("merit-points", (sql) =>
        epoch === undefined ? leaderboard(sql, { limit: o.limit }) : leaderboardSnapshot(sql, epoch, { limit: o.limit }),
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
          ok: r.mismatchCount === 0,
          settlements: r.settlements,
          rows: r.rows,
          mismatchCount: r.mismatchCount,
          mismatches: r.mismatches,
        };
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
