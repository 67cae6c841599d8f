import type { Queryable, Sql } from "../db/connection.js";
import { withEngineLock } from "../engine/lock.js";
import { toJsonValue as toJson } from "../json.js";
import { parseRuleSetBody, type RuleSet, type RuleSetInput } from "./schema.js";

type Row = { version: bigint; effective_from: Date; after_seq: bigint; body: unknown };

const toRuleSet = (r: Row): RuleSet => ({
  version: r.version,
  effectiveFrom: r.effective_from,
  afterSeq: r.after_seq,
  body: parseRuleSetBody(r.body),
});

/**
 * Publishes a new immutable version. It is stamped with the engine's current sequence under the
 * cursor lock, so it can only ever affect settlements scored after it: replay then picks exactly the
 * versions the live engine used. `effectiveFrom` (event time) defaults to "already effective".
 * `body` may be derived from the newest version, read under the same lock, so two admins' edits
 * (a campaign each) cannot overwrite one another.
 */
export async function publishRuleSet(
  sql: Sql,
  opts: { body: RuleSetInput | ((current: RuleSet | undefined) => RuleSetInput); createdBy: string; note?: string; effectiveFrom?: Date },
): Promise<RuleSet> {
  return withEngineLock(sql, async (tx, cursor) => {
    const body = parseRuleSetBody(typeof opts.body === "function" ? opts.body(await latestRuleSet(tx)) : opts.body);
    const [row] = await tx<Row[]>`
      insert into rule_sets (version, effective_from, after_seq, body, created_by, note)
      select coalesce(max(version), 0) + 1, ${opts.effectiveFrom ?? new Date(0)}, ${cursor.seq}, ${tx.json(toJson(body))}, ${opts.createdBy}, ${opts.note ?? ""}
      from rule_sets
      returning version, effective_from, after_seq, body`;
    return toRuleSet(row!);
  });
}

/** Every version, oldest first: what the engine and replay choose from. */
export async function loadRuleHistory(q: Queryable): Promise<RuleSet[]> {
  const rows = await q<Row[]>`select version, effective_from, after_seq, body from rule_sets order by version`;
  return rows.map(toRuleSet);
}

export async function latestRuleSet(q: Queryable): Promise<RuleSet | undefined> {
  const rows = await q<Row[]>`select version, effective_from, after_seq, body from rule_sets order by version desc limit 1`;
  return rows[0] && toRuleSet(rows[0]);
}

export async function latestRuleSetVersion(q: Queryable): Promise<bigint> {
  const [r] = await q<{ v: bigint | null }[]>`select max(version) as v from rule_sets`;
  return r?.v ?? 0n;
}

export async function getRuleSet(q: Queryable, version: bigint): Promise<RuleSet | undefined> {
  const rows = await q<Row[]>`select version, effective_from, after_seq, body from rule_sets where version = ${version}`;
  return rows[0] && toRuleSet(rows[0]);
}
