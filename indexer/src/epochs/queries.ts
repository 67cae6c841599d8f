import { KEY58_MAX, type KeyTexts } from "@merit/clients/merkle";
import { int32, int64At, jsonb, keyText, NUMERIC_BOUND, numericAt, raw, textBound, type Words64, words64 } from "../db/binary-copy.js";
import type { Queryable, Tx } from "../db/connection.js";
import { type CopySegment, copyRowsPaced } from "../db/copy-pipe.js";
import type { JsonValue } from "../json.js";

/** Queries of the epochs stage: `distributors`, `epochs`, `epoch_wallets` (migration 00021). */

export interface DistributorRow {
  address: string;
  mint: string;
  conversion: JsonValue;
}

export type EpochStatus = "closed" | "proposed" | "pending" | "active" | "vetoed";

export interface EpochRow {
  distributor: string;
  epoch: bigint;
  status: EpochStatus;
  prevCutoffSeq: bigint;
  cutoffSeq: bigint;
  firstSlot: bigint | null;
  cutoffSlot: bigint;
  prevOtherId: bigint;
  otherId: bigint;
  conversion: JsonValue;
  points: bigint;
  allocated: bigint;
  released: bigint;
  cumulativeTotal: bigint;
  leafCount: number;
  settlementCount: bigint;
  root: string;
  datasetHash: string;
  inputsHash: string;
  closedAt: Date;
  filesAt: Date | null;
  proposeSignature: string | null;
  /** Last block height the in-flight proposal's blockhash is valid for (publish/). */
  proposeValidUntil: bigint | null;
  proposedAt: Date | null;
  activatesAt: Date | null;
  activatedAt: Date | null;
  vetoedAt: Date | null;
}

/** The columns publishing writes (indexer/src/publish), never set by a close. */
type PublishFields = "proposeSignature" | "proposeValidUntil" | "proposedAt" | "activatesAt" | "activatedAt" | "vetoedAt";

export interface EpochWalletRow {
  claimant: string;
  points: bigint;
  basePoints: bigint;
  campaignBonus: Record<string, bigint>;
  referralPoints: bigint;
  adjustmentPoints: bigint;
  settlementCount: number;
  allocated: bigint;
  released: bigint;
  pending: bigint;
  cumulative: bigint;
}

/**
 * The wallets an epoch stores, as columns: row k is wallet `rows[k]` of every other array (the
 * epochs stage holds a million wallets as typed arrays, never as objects).
 */
export interface EpochWalletColumns {
  rows: Uint32Array;
  claimant: KeyTexts;
  points: BigInt64Array;
  basePoints: BigInt64Array;
  /** Points per campaign id, for the wallets that have any (by wallet index). */
  campaignBonus: ReadonlyArray<Record<string, bigint> | undefined>;
  referralPoints: BigInt64Array;
  adjustmentPoints: BigInt64Array;
  settlementCount: Uint32Array;
  allocated: BigInt64Array;
  released: BigUint64Array;
  pending: BigInt64Array;
  cumulative: BigUint64Array;
}

const NO_CAMPAIGNS: Record<string, bigint> = Object.freeze({}) as Record<string, bigint>;

/** Row k of the columns as an object. */
export function walletRowAt(c: EpochWalletColumns, k: number): EpochWalletRow {
  const i = c.rows[k]!;
  return {
    claimant: c.claimant.at(i),
    points: c.points[i]!,
    basePoints: c.basePoints[i]!,
    campaignBonus: c.campaignBonus[i] ?? NO_CAMPAIGNS,
    referralPoints: c.referralPoints[i]!,
    adjustmentPoints: c.adjustmentPoints[i]!,
    settlementCount: c.settlementCount[i]!,
    allocated: c.allocated[i]!,
    released: c.released[i]!,
    pending: c.pending[i]!,
    cumulative: c.cumulative[i]!,
  };
}

type Raw = Record<string, unknown>;
const big = (v: unknown): bigint => BigInt(v as string | bigint);

function toEpoch(r: Raw): EpochRow {
  return {
    distributor: r.distributor as string,
    epoch: big(r.epoch),
    status: r.status as EpochStatus,
    prevCutoffSeq: big(r.prev_cutoff_seq),
    cutoffSeq: big(r.cutoff_seq),
    firstSlot: r.first_slot === null ? null : big(r.first_slot),
    cutoffSlot: big(r.cutoff_slot),
    prevOtherId: big(r.prev_other_id),
    otherId: big(r.other_id),
    conversion: r.conversion as JsonValue,
    points: big(r.points),
    allocated: big(r.allocated),
    released: big(r.released),
    cumulativeTotal: big(r.cumulative_total),
    leafCount: Number(r.leaf_count),
    settlementCount: big(r.settlement_count),
    root: r.root as string,
    datasetHash: r.dataset_hash as string,
    inputsHash: r.inputs_hash as string,
    closedAt: r.closed_at as Date,
    filesAt: (r.files_at as Date | null) ?? null,
    proposeSignature: (r.propose_signature as string | null) ?? null,
    proposeValidUntil: r.propose_valid_until === null || r.propose_valid_until === undefined ? null : big(r.propose_valid_until),
    proposedAt: (r.proposed_at as Date | null) ?? null,
    activatesAt: (r.activates_at as Date | null) ?? null,
    activatedAt: (r.activated_at as Date | null) ?? null,
    vetoedAt: (r.vetoed_at as Date | null) ?? null,
  };
}

export async function addDistributor(q: Queryable, d: DistributorRow): Promise<void> {
  await q`insert into distributors (address, mint, conversion) values (${d.address}, ${d.mint}, ${q.json(d.conversion)})`;
}

export async function getDistributor(q: Queryable, address: string): Promise<DistributorRow | undefined> {
  const [r] = await q<
    { address: string; mint: string; conversion: JsonValue }[]
  >`select address, mint, conversion from distributors where address = ${address}`;
  return r;
}

export async function listDistributors(q: Queryable): Promise<DistributorRow[]> {
  return q<DistributorRow[]>`select address, mint, conversion from distributors order by address`;
}

export async function getEpoch(q: Queryable, distributor: string, epoch: bigint): Promise<EpochRow | undefined> {
  const [r] = await q<Raw[]>`select * from epochs where distributor = ${distributor} and epoch = ${epoch}`;
  return r ? toEpoch(r) : undefined;
}

export async function latestEpoch(q: Queryable, distributor: string): Promise<EpochRow | undefined> {
  const [r] = await q<Raw[]>`select * from epochs where distributor = ${distributor} order by epoch desc limit 1`;
  return r ? toEpoch(r) : undefined;
}

export async function listEpochs(q: Queryable, distributor: string): Promise<EpochRow[]> {
  return (await q<Raw[]>`select * from epochs where distributor = ${distributor} order by epoch`).map(toEpoch);
}

/** Epochs whose files were not (or not completely) written: a crash after the commit. */
export async function epochsWithoutFiles(q: Queryable, distributor: string): Promise<EpochRow[]> {
  return (await q<Raw[]>`select * from epochs where distributor = ${distributor} and files_at is null order by epoch`).map(toEpoch);
}

export async function markFilesWritten(q: Queryable, distributor: string, epoch: bigint): Promise<void> {
  await q`update epochs set files_at = now() where distributor = ${distributor} and epoch = ${epoch}`;
}

export async function epochWallets(q: Queryable, distributor: string, epoch: bigint): Promise<EpochWalletRow[]> {
  const rows = await q<Raw[]>`
    select claimant, points, base_points, campaign_bonus, referral_points, adjustment_points, settlement_count,
      allocated::text, released::text, pending::text, cumulative::text
    from epoch_wallets where distributor = ${distributor} and epoch = ${epoch} order by claimant`;
  return rows.map((r) => ({
    claimant: r.claimant as string,
    points: big(r.points),
    basePoints: big(r.base_points),
    campaignBonus: Object.fromEntries(Object.entries(r.campaign_bonus as Record<string, string>).map(([k, v]) => [k, BigInt(v)])),
    referralPoints: big(r.referral_points),
    adjustmentPoints: big(r.adjustment_points),
    settlementCount: Number(r.settlement_count),
    allocated: big(r.allocated),
    released: big(r.released),
    pending: big(r.pending),
    cumulative: big(r.cumulative),
  }));
}

/**
 * The balances carried into the epoch after `epoch`: each wallet's pending amount in its newest row
 * at or before it, where not zero, in claimant order (the manifest's carry lines).
 */
export async function carriedBalances(q: Queryable, distributor: string, epoch: bigint): Promise<{ claimant: string; pending: bigint }[]> {
  const rows = await q<{ claimant: string; pending: string }[]>`
    select claimant, pending::text from (
      select distinct on (claimant) claimant, pending from epoch_wallets
      where distributor = ${distributor} and epoch <= ${epoch} order by claimant, epoch desc) p
    where pending <> 0 order by claimant`;
  return rows.map((r) => ({ claimant: r.claimant, pending: BigInt(r.pending) }));
}

const bonusJson = (b: Record<string, bigint>): string => {
  let out = "";
  for (const k in b) out += `${out ? "," : ""}${JSON.stringify(k)}:"${b[k]}"`;
  return `{${out}}`;
};

/**
 * The rows in their claimants' text order, the primary key's: each row then goes into the index
 * beside the one before it, not anywhere in it, and the server spends a third less storing them.
 * Rows in canonical (byte) order are already a few runs in text order, one per length of the
 * base58 text, so the sort (V8's TimSort) merges runs instead of sorting.
 */
function inKeyOrder(rows: Uint32Array, claimant: KeyTexts): Uint32Array {
  const order = Array.from(rows);
  order.sort((x, y) => claimant.compare(x, y));
  return Uint32Array.from(order);
}

const WALLETS_COPY_TARGET =
  "epoch_wallets (distributor, epoch, claimant, points, base_points, campaign_bonus, referral_points, adjustment_points, settlement_count, allocated, released, pending, cumulative)";

/**
 * The binary COPY row of each wallet, written from the columns: the distributor and the epoch are
 * the same in every row and encoded once; numbers are copied from the arrays' bytes, never made
 * into a BigInt each.
 */
function walletRowWriter(distributor: string, epoch: bigint, c: EpochWalletColumns) {
  const d = Buffer.from(distributor, "utf8");
  const head = Buffer.alloc(2 + 4 + d.length + 12);
  head.writeInt16BE(13, 0);
  head.writeInt32BE(d.length, 2);
  d.copy(head, 6);
  head.writeInt32BE(8, 6 + d.length);
  head.writeBigInt64BE(epoch, 10 + d.length);
  const noBonus = Buffer.from([0, 0, 0, 3, 1, 0x7b, 0x7d]); // jsonb '{}'
  const [points, base, referral, adjustment, allocated, released, pending, cumulative] = [
    c.points,
    c.basePoints,
    c.referralPoints,
    c.adjustmentPoints,
    c.allocated,
    c.released,
    c.pending,
    c.cumulative,
  ].map(words64) as [Words64, Words64, Words64, Words64, Words64, Words64, Words64, Words64];
  return (seg: CopySegment, k: number): void => {
    const i = c.rows[k]!;
    const bonus = c.campaignBonus[i];
    const bonusText = bonus ? bonusJson(bonus) : undefined;
    seg.room(head.length + 4 + KEY58_MAX + 1 + textBound(bonusText ?? null) + noBonus.length + 5 * 12 + 8 + 4 * NUMERIC_BOUND);
    raw(seg, head);
    keyText(seg, c.claimant, i);
    int64At(seg, points, i);
    int64At(seg, base, i);
    if (bonusText === undefined) raw(seg, noBonus);
    else jsonb(seg, bonusText);
    int64At(seg, referral, i);
    int64At(seg, adjustment, i);
    int32(seg, c.settlementCount[i]!);
    numericAt(seg, allocated, i);
    numericAt(seg, released, i);
    numericAt(seg, pending, i);
    numericAt(seg, cumulative, i);
  };
}

/**
 * `copy`: the server takes COPY FROM STDIN (db/connection.ts supportsCopy); the wallets then go
 * in one binary COPY (a million rows as `unnest` arrays cost the server their text input
 * functions and this process their array literals), else as multi-row inserts.
 */
export async function insertEpoch(
  tx: Tx,
  e: Omit<EpochRow, "status" | "closedAt" | "filesAt" | PublishFields>,
  wallets: EpochWalletColumns,
  copy = false,
): Promise<void> {
  await tx`
    insert into epochs (distributor, epoch, prev_cutoff_seq, cutoff_seq, first_slot, cutoff_slot, prev_other_id, other_id, conversion,
      points, allocated, released, cumulative_total, leaf_count, settlement_count, root, dataset_hash, inputs_hash)
    values (${e.distributor}, ${e.epoch}, ${e.prevCutoffSeq}, ${e.cutoffSeq}, ${e.firstSlot}, ${e.cutoffSlot}, ${e.prevOtherId}, ${e.otherId},
      ${tx.json(e.conversion)}, ${e.points}, ${e.allocated.toString()}, ${e.released.toString()}, ${e.cumulativeTotal.toString()}, ${e.leafCount},
      ${e.settlementCount}, ${e.root}, ${e.datasetHash}, ${e.inputsHash})`;
  const count = wallets.rows.length;
  if (copy) {
    const write = walletRowWriter(e.distributor, e.epoch, { ...wallets, rows: inKeyOrder(wallets.rows, wallets.claimant) });
    return copyRowsPaced(tx, WALLETS_COPY_TARGET, wallets.rows, (seg, _, k) => write(seg, k));
  }
  const CHUNK = 20_000;
  for (let i = 0; i < count; i += CHUNK) {
    const part = Array.from({ length: Math.min(CHUNK, count - i) }, (_, k) => walletRowAt(wallets, i + k));
    const col = <T>(f: (w: EpochWalletRow) => T) => part.map(f);
    await tx`
      insert into epoch_wallets (distributor, epoch, claimant, points, base_points, campaign_bonus, referral_points, adjustment_points,
        settlement_count, allocated, released, pending, cumulative)
      select ${e.distributor}, ${e.epoch}, claimant, points, base_points, campaign_bonus::jsonb, referral_points, adjustment_points,
        settlement_count, allocated, released, pending, cumulative
      from unnest(
        ${col((w) => w.claimant)}::text[], ${col((w) => w.points.toString())}::bigint[], ${col((w) => w.basePoints.toString())}::bigint[],
        ${col((w) => JSON.stringify(Object.fromEntries(Object.entries(w.campaignBonus).map(([k, v]) => [k, v.toString()]))))}::text[],
        ${col((w) => w.referralPoints.toString())}::bigint[], ${col((w) => w.adjustmentPoints.toString())}::bigint[],
        ${col((w) => w.settlementCount)}::int[], ${col((w) => w.allocated.toString())}::numeric[], ${col((w) => w.released.toString())}::numeric[],
        ${col((w) => w.pending.toString())}::numeric[], ${col((w) => w.cumulative.toString())}::numeric[])
        as u(claimant, points, base_points, campaign_bonus, referral_points, adjustment_points, settlement_count, allocated, released, pending, cumulative)`;
  }
}

/** The hashes of a closing epoch's files, known once they are written (after its wallets went in). */
export async function setEpochFileHashes(tx: Tx, distributor: string, epoch: bigint, root: string, datasetHash: string): Promise<void> {
  await tx`update epochs set root = ${root}, dataset_hash = ${datasetHash} where distributor = ${distributor} and epoch = ${epoch}`;
}

/** Roots proposed on-chain and not yet active or vetoed, over every distributor (merit_root_pending). */
export async function countPendingRoots(q: Queryable): Promise<number> {
  const [r] = await q<{ n: number }[]>`select count(*)::int as n from epochs where status in ('proposed', 'pending')`;
  return r!.n;
}

export interface WalletEpochRow {
  epoch: bigint;
  status: EpochStatus;
  points: bigint;
  basePoints: bigint;
  campaignPoints: bigint;
  referralPoints: bigint;
  adjustmentPoints: bigint;
  allocated: bigint;
  released: bigint;
  cumulative: bigint;
  closedAt: Date;
}

/** One wallet's rows of every epoch it had figures in, oldest first (epoch_wallets_claimant_idx). */
export async function epochWalletsOf(q: Queryable, distributor: string, claimant: string): Promise<WalletEpochRow[]> {
  const rows = await q<Raw[]>`
    select w.epoch, e.status, w.points, w.base_points, w.referral_points, w.adjustment_points,
      (select coalesce(sum(v::numeric), 0)::text from jsonb_each_text(w.campaign_bonus) as b(k, v)) as campaign_points,
      w.allocated::text, w.released::text, w.cumulative::text, e.closed_at
    from epoch_wallets w join epochs e on e.distributor = w.distributor and e.epoch = w.epoch
    where w.distributor = ${distributor} and w.claimant = ${claimant} order by w.epoch`;
  return rows.map((r) => ({
    epoch: big(r.epoch),
    status: r.status as EpochStatus,
    points: big(r.points),
    basePoints: big(r.base_points),
    campaignPoints: big(r.campaign_points),
    referralPoints: big(r.referral_points),
    adjustmentPoints: big(r.adjustment_points),
    allocated: big(r.allocated),
    released: big(r.released),
    cumulative: big(r.cumulative),
    closedAt: r.closed_at as Date,
  }));
}
