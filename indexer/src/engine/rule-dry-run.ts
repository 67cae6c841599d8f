import type { Sql } from "../db/connection.js";
import { formatChange, type JsonChange, jsonDiff } from "../rules/diff.js";
import { loadRuleHistory } from "../rules/rule-sets.js";
import type { RuleSetBody } from "../rules/schema.js";
import { compile } from "../scoring/compiled.js";
import { formatPoints } from "../scoring/points/math.js";
import { ScoringState } from "../scoring/state.js";
import { scoredSince } from "./load.js";
import { compareOnSample, loadAllLinks, type SampleComparison } from "./replay.js";

/** What publishing a candidate rule set would do, found without writing anything. */
export interface DryRunReport {
  /** The version the candidate is compared with (undefined: none published yet). */
  against?: bigint;
  changes: JsonChange[];
  /** The latest scored settlements rescored with both (undefined: nothing scored yet). */
  sample?: SampleComparison;
}

/**
 * `rules publish --dry-run` and the admin API's dry run: reads only (it works on a read-only
 * session).
 */
export async function dryRunRuleSet(sql: Sql, body: RuleSetBody, sampleSize: number): Promise<DryRunReport> {
  const current = (await loadRuleHistory(sql)).at(-1);
  const report: DryRunReport = { against: current?.version, changes: jsonDiff(current?.body ?? {}, body) };
  // the cursor is read without readCursor, which creates the row when missing (a write)
  const [cursor] = await sql<{ seq: bigint }[]>`select seq from engine_cursor where id = 1`;
  const head = cursor?.seq ?? 0n;
  if (head === 0n) return report;
  const from = head > BigInt(sampleSize) ? head - BigInt(sampleSize) : 0n;
  const sample = await scoredSince(sql, from, head);
  const links = new ScoringState();
  await loadAllLinks(sql, links);
  const candidate = compile({ version: (current?.version ?? 0n) + 1n, effectiveFrom: new Date(0), afterSeq: head, body });
  return { ...report, sample: compareOnSample(sample, links, current && compile(current), candidate) };
}

const signed = (milli: bigint) => `${milli < 0n ? "" : "+"}${formatPoints(milli)}`;

/** The report as the CLI prints it. */
export function formatDryRun(report: DryRunReport): string[] {
  const { against, changes, sample: r } = report;
  const lines: string[] = [];
  lines.push(against !== undefined ? `changes against version ${against}:` : "changes against no published version:");
  lines.push(...(changes.length === 0 ? ["  (none: the same rules as the current version)"] : changes.map((c) => `  ${formatChange(c)}`)));
  if (!r) return [...lines, "sample: no settlement has been scored yet"];
  lines.push(
    `sample: the last ${r.settlements} scored settlements (seq ${r.firstSeq}..${r.lastSeq}), rescored from an empty state with ${against !== undefined ? `version ${against}` : "no rule set"} and with the candidate`,
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
