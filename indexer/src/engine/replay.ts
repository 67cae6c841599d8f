import { createHash, type Hash } from "node:crypto";
import type { Queryable, Sql } from "../db/connection.js";
import { compile, pickRuleSet, type CompiledRuleSet } from "../scoring/compiled.js";
import { loadRuleHistory } from "../rules/rule-sets.js";
import { MAX_WINDOW_DAYS } from "../rules/schema.js";
import { dayOf } from "../scoring/points/math.js";
import { readCursor } from "./cursor.js";
import { CHAIN_ORDER, SETTLEMENT_COLUMNS, toSettlement } from "./load.js";
import { eventTime, scoreSettlement } from "../scoring/score.js";
import { ScoringState } from "../scoring/state.js";
import type { Exclusion, LedgerRow, Settlement } from "../scoring/types.js";
import { eventTimeOf, scoreEvent } from "../scoring/events/score-event.js";
import { comparePositions, scoredEventsSince } from "./events.js";
import { compareExclusions } from "./side-state.js";

/** One ledger row as a line; the same text is built in SQL below so both sides hash identically. */
export function canonicalLine(r: LedgerRow): string {
  return [
    r.settlementId ?? `e${r.eventId}`,
    r.account,
    r.delta,
    r.reason,
    r.campaignId ?? "",
    r.ruleId ?? "",
    r.referralPath?.join(",") ?? "",
    r.ruleSetVersion ?? "",
    r.occurredAt.getTime(),
  ].join("|");
}

const CANONICAL_SQL = `concat(coalesce(settlement_id::text, 'e' || event_id), '|', account, '|', delta, '|', reason, '|', coalesce(campaign_id, ''), '|', coalesce(rule_id, ''), '|',
  coalesce(array_to_string(referral_path, ','), ''), '|', coalesce(rule_set_version::text, ''), '|', floor(extract(epoch from occurred_at) * 1000)::bigint)`;

/** Digests cover blocks of this many consecutive seqs: few rows back from SQL, cheap to hash. */
export const REPLAY_BLOCK = 1024n;
const blockOf = (seq: bigint) => (seq - 1n) / REPLAY_BLOCK;

export interface ReplayResult {
  settlements: number;
  rows: number;
  /** first seq of each block of REPLAY_BLOCK seqs whose recomputed rows differ from the stored ledger (first 20) */
  mismatches: bigint[];
  mismatchCount: number;
  /** settlements whose fraud catch (reason, held points) differs from settlement_exclusions, or is missing on either side (first 20) */
  exclusionMismatches: bigint[];
  /** recomputed rows, only when `collect` was asked for (from `collectFrom` on, if given) */
  ledger?: LedgerRow[];
}

/**
 * Recomputes the ledger from settlements + rule history + links, in chain order, entirely in
 * memory (one state for the whole history) up to the engine cursor (or `untilSeq`), and compares
 * it with the stored point_ledger block by
 * block (md5 over each block's canonical lines, ordered by seq then text, computed in SQL for the
 * stored side). Reads only: safe to run beside a live engine.
 */
export async function replayLedger(
  sql: Sql,
  opts: { untilSeq?: bigint; compare?: boolean; collect?: boolean; collectFrom?: bigint; fetchSize?: number } = {},
): Promise<ReplayResult> {
  const history = (await loadRuleHistory(sql)).map(compile);
  const state = new ScoringState();
  await loadAllLinks(sql, state);
  const compare = opts.compare ?? true;
  const hashes = new Map<bigint, string>();
  let block = -1n;
  let hash: Hash | undefined;
  const closeBlock = () => {
    if (hash) hashes.set(block, hash.digest("hex"));
    hash = undefined;
  };
  const collected: LedgerRow[] = [];
  const caught: Exclusion[] = [];
  let seq = 0n;
  let rows = 0;
  let prev: Date | null = null;
  // Both sides cover the same settlements: those scored when replay starts (or up to untilSeq).
  const limit = opts.untilSeq ?? (await readCursor(sql)).seq;
  // The stored side's digests are computed by the server while this process recomputes: the two
  // halves of the work overlap instead of running one after the other.
  const stored = compare ? storedDigests(sql, limit) : undefined;
  stored?.catch(() => {}); // awaited below; keeps an early failure from being reported as unhandled

  // Off-chain events take the place the engine stored for each (engine/events.ts): before the first
  // settlement after their position, in event sequence order.
  const events = (await scoredEventsSince(sql, 0n, limit)).sort(
    (a, b) => comparePositions(a.position, b.position) || (a.e.eventSeq < b.e.eventSeq ? -1 : a.e.eventSeq > b.e.eventSeq ? 1 : 0),
  );
  let nextEvent = 0;
  // a settlement at an event's position was scored before it (the event's position is "after it")
  const eventsBefore = (s: Settlement | undefined) => {
    for (; nextEvent < events.length && seq < limit && (!s || comparePositions(events[nextEvent]!.position, s) < 0); nextEvent++) {
      const e = events[nextEvent]!.e;
      seq += 1n;
      const time = (prev = eventTimeOf(e, prev));
      record(scoreEvent(state, pickRuleSet(history, seq, time), e, seq, time).rows);
    }
  };
  const record = (scored: LedgerRow[]) => {
    rows += scored.length;
    if (scored.length === 0) return;
    if (compare) {
      const b = blockOf(seq);
      if (b !== block) {
        closeBlock();
        block = b;
      }
      hash ??= createHash("md5");
      const lines = scored.map(canonicalLine).sort();
      for (const line of lines) hash.update(`${line}\n`);
    }
    if (opts.collect && (opts.collectFrom === undefined || seq >= opts.collectFrom)) collected.push(...scored);
  };

  const cursor = sql.unsafe(`select ${SETTLEMENT_COLUMNS} from settlements order by ${CHAIN_ORDER}`).cursor(opts.fetchSize ?? 10_000);
  outer: for await (const chunk of cursor) {
    for (const raw of chunk) {
      const s = toSettlement(raw as never);
      eventsBefore(s);
      if (seq >= limit) break outer;
      seq += 1n;
      const time = (prev = eventTime(s, prev));
      const out = scoreSettlement(state, pickRuleSet(history, seq, time), s, seq, time);
      record(out.rows);
      if (out.exclusion) caught.push(out.exclusion);
      const acct = out.score.account;
      if ((state.stats.get(acct)?.days?.size ?? 0) > MAX_WINDOW_DAYS + 8) state.pruneDays(acct, dayOf(time) - MAX_WINDOW_DAYS);
    }
    state.clearDirty();
  }
  eventsBefore(undefined);

  closeBlock();

  const mismatches: bigint[] = [];
  let mismatchCount = 0;
  const mismatch = (b: bigint) => {
    if (++mismatchCount <= 20) mismatches.push(b * REPLAY_BLOCK + 1n);
  };
  if (stored) {
    for (const r of await stored) {
      if (hashes.get(r.block) !== r.h) mismatch(r.block);
      hashes.delete(r.block);
    }
    for (const b of hashes.keys()) mismatch(b);
  }
  const exclusionMismatches = compare ? await compareExclusions(sql, caught, limit) : [];
  return { settlements: Number(seq), rows, mismatches, mismatchCount, exclusionMismatches, ...(opts.collect ? { ledger: collected } : {}) };
}

/** Every address link and referral link, as replay holds them (each applies after its own seq). */
export async function loadAllLinks(q: Queryable, state: ScoringState): Promise<void> {
  for (const r of await q<
    { address: string; account: string; after_seq: bigint }[]
  >`select address, account, after_seq from linked_addresses`) {
    state.addressLinks.set(r.address, { to: r.account, afterSeq: r.after_seq });
  }
  for (const r of await q<
    { referee: string; referrer: string; after_seq: bigint }[]
  >`select referee, referrer, after_seq from referral_links`) {
    state.referralLinks.set(r.referee, { to: r.referrer, afterSeq: r.after_seq });
  }
}

async function storedDigests(sql: Sql, untilSeq: bigint): Promise<{ block: bigint; h: string }[]> {
  return (await sql.unsafe(
    `
    select (seq - 1) / ${REPLAY_BLOCK} as block, md5(string_agg(line || E'\\n', '' order by seq, line collate "C")) as h
    from (select seq, ${CANONICAL_SQL} as line from point_ledger where (settlement_id is not null or event_id is not null) and seq <= $1) l
    group by 1 order by 1`,
    [String(untilSeq)],
  )) as unknown as { block: bigint; h: string }[];
}

/** One row that differs between the recomputed (expected) and the stored (got) ledger. */
export type RowDifference =
  | { kind: "differs"; row: LedgerRow; fields: { field: string; expected: string; got: string }[] }
  | { kind: "missing"; row: LedgerRow }
  | { kind: "extra"; row: LedgerRow };

/** What names a row: the same settlement, account, reason, campaign, rule and referral path. */
const rowKey = (r: LedgerRow) =>
  [r.seq, r.settlementId ?? `e${r.eventId}`, r.account, r.reason, r.campaignId ?? "", r.ruleId ?? "", r.referralPath?.join(",") ?? ""].join(
    "|",
  );

/**
 * Pairs recomputed and stored rows by what names them and lists, in seq order, the rows whose
 * other fields (delta, rule_set_version, occurred_at) differ, and those only one side has.
 */
export function diffLedgerRows(expected: readonly LedgerRow[], got: readonly LedgerRow[]): RowDifference[] {
  const byKey = new Map<string, { expected: LedgerRow[]; got: LedgerRow[] }>();
  const side = (k: string) => byKey.get(k) ?? byKey.set(k, { expected: [], got: [] }).get(k)!;
  for (const r of expected) side(rowKey(r)).expected.push(r);
  for (const r of got) side(rowKey(r)).got.push(r);
  const out: RowDifference[] = [];
  for (const { expected: e, got: g } of byKey.values()) {
    const byLine = (a: LedgerRow, b: LedgerRow) => (canonicalLine(a) < canonicalLine(b) ? -1 : canonicalLine(a) > canonicalLine(b) ? 1 : 0);
    e.sort(byLine);
    g.sort(byLine);
    for (let i = 0; i < Math.max(e.length, g.length); i++) {
      const [x, y] = [e[i], g[i]];
      if (!y) out.push({ kind: "missing", row: x! });
      else if (!x) out.push({ kind: "extra", row: y });
      else {
        const fields = (
          [
            ["delta", x.delta, y.delta],
            ["rule_set_version", x.ruleSetVersion ?? "-", y.ruleSetVersion ?? "-"],
            ["occurred_at", x.occurredAt.toISOString(), y.occurredAt.toISOString()],
          ] as const
        )
          .filter(([, a, b]) => String(a) !== String(b))
          .map(([field, a, b]) => ({ field, expected: String(a), got: String(b) }));
        if (fields.length > 0) out.push({ kind: "differs", row: y, fields });
      }
    }
  }
  return out.sort((a, b) => (a.row.seq < b.row.seq ? -1 : a.row.seq > b.row.seq ? 1 : 0));
}

/**
 * The rows behind one mismatching block of REPLAY_BLOCK seqs starting at `firstSeq`: replays up to
 * the block's end (collecting only that block) and reads the block's stored rows.
 */
export async function explainBlock(sql: Sql, firstSeq: bigint, untilSeq: bigint): Promise<RowDifference[]> {
  const last = firstSeq + REPLAY_BLOCK - 1n < untilSeq ? firstSeq + REPLAY_BLOCK - 1n : untilSeq;
  const { ledger = [] } = await replayLedger(sql, { untilSeq: last, compare: false, collect: true, collectFrom: firstSeq });
  const stored = await sql<
    {
      seq: bigint;
      settlement_id: bigint | null;
      event_id: bigint | null;
      account: string;
      delta: bigint;
      reason: LedgerRow["reason"];
      campaign_id: string | null;
      rule_id: string | null;
      referral_path: string[] | null;
      rule_set_version: bigint | null;
      occurred_at: Date;
    }[]
  >`
    select seq, settlement_id, event_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at from point_ledger
    where (settlement_id is not null or event_id is not null) and seq between ${firstSeq} and ${last}`;
  return diffLedgerRows(
    ledger,
    stored.map((r) => ({
      seq: r.seq,
      settlementId: r.settlement_id,
      ...(r.event_id === null ? {} : { eventId: r.event_id }),
      account: r.account,
      delta: r.delta,
      reason: r.reason,
      campaignId: r.campaign_id,
      ruleId: r.rule_id,
      referralPath: r.referral_path,
      ruleSetVersion: r.rule_set_version,
      occurredAt: r.occurred_at,
    })),
  );
}

export interface SampleComparison {
  settlements: number;
  firstSeq: bigint;
  lastSeq: bigint;
  before: bigint;
  after: bigint;
  changedSettlements: number;
  /** per credited account, largest change first */
  accounts: { account: string; before: bigint; after: bigint }[];
}

/**
 * Scores the same settlements twice from one empty state each (links as replay holds them), with
 * the engine's own scoring function: once under `current` and once under `candidate`. Counts,
 * tiers, streaks and campaign budgets start at zero at the sample's first settlement on both sides,
 * so the difference is the rules' alone.
 */
export function compareOnSample(
  sample: readonly { s: Settlement; seq: bigint; time: Date }[],
  links: ScoringState,
  current: CompiledRuleSet | undefined,
  candidate: CompiledRuleSet,
): SampleComparison {
  const side = (rs: CompiledRuleSet | undefined) => {
    const state = new ScoringState();
    for (const [k, v] of links.addressLinks) state.addressLinks.set(k, v);
    for (const [k, v] of links.referralLinks) state.referralLinks.set(k, v);
    const perSettlement: bigint[] = [];
    const perAccount = new Map<string, bigint>();
    for (const { s, seq, time } of sample) {
      let total = 0n;
      for (const r of scoreSettlement(state, rs, s, seq, time).rows) {
        total += r.delta;
        perAccount.set(r.account, (perAccount.get(r.account) ?? 0n) + r.delta);
      }
      perSettlement.push(total);
    }
    return { perSettlement, perAccount };
  };
  const b = side(current);
  const a = side(candidate);
  const sum = (xs: bigint[]) => xs.reduce((x, y) => x + y, 0n);
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const accounts = [...new Set([...b.perAccount.keys(), ...a.perAccount.keys()])]
    .map((account) => ({ account, before: b.perAccount.get(account) ?? 0n, after: a.perAccount.get(account) ?? 0n }))
    .filter((x) => x.before !== x.after)
    .sort((x, y) => {
      const d = abs(y.after - y.before) - abs(x.after - x.before);
      return d !== 0n ? (d > 0n ? 1 : -1) : x.account < y.account ? -1 : x.account > y.account ? 1 : 0;
    });
  return {
    settlements: sample.length,
    firstSeq: sample[0]?.seq ?? 0n,
    lastSeq: sample.at(-1)?.seq ?? 0n,
    before: sum(b.perSettlement),
    after: sum(a.perSettlement),
    changedSettlements: b.perSettlement.filter((x, i) => x !== a.perSettlement[i]).length,
    accounts,
  };
}
