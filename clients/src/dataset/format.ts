// The epoch dataset, format version 2 (docs/epoch-dataset.md): NDJSON, one header line then one
// line per wallet in canonical order. Every line has exactly one serialization (the functions
// below), so the file's sha256 — the dataset hash stored on-chain — is reproducible from the ledger.
export const DATASET_FORMAT = "merit-epoch-dataset";
export const DATASET_VERSION = 2;

/** Points (and bonus points) per campaign id, ids in ascending order, no zero entries. */
export type CampaignPoints = Readonly<Record<string, bigint>>;

/** What a record says about one wallet, and what the header sums over all of them. */
export interface WalletFigures {
  /** Earned from epoch 1 through this one: the amount in the leaf. */
  cumulativeAmount: bigint;
  /** Earned in this epoch alone. */
  epochAmount: bigint;
  /** basePoints + Σ campaignBonus + referralPoints + adjustmentPoints; negative after a correction. */
  points: bigint;
  basePoints: bigint;
  campaignBonus: CampaignPoints;
  referralPoints: bigint;
  /** Manual adjustments (with their notes in the epoch manifest); may be negative. */
  adjustmentPoints: bigint;
  settlementCount: number;
}

export type DatasetTotals = WalletFigures;

export function emptyTotals(): DatasetTotals {
  return {
    cumulativeAmount: 0n,
    epochAmount: 0n,
    points: 0n,
    basePoints: 0n,
    campaignBonus: {},
    referralPoints: 0n,
    adjustmentPoints: 0n,
    settlementCount: 0,
  };
}

/** Adds one wallet's figures into running totals (which own their campaignBonus object). */
export function addFigures(t: DatasetTotals, f: WalletFigures): void {
  t.cumulativeAmount += f.cumulativeAmount;
  t.epochAmount += f.epochAmount;
  t.points += f.points;
  t.basePoints += f.basePoints;
  t.referralPoints += f.referralPoints;
  t.adjustmentPoints += f.adjustmentPoints;
  t.settlementCount += f.settlementCount;
  addCampaigns(t.campaignBonus as Record<string, bigint>, f.campaignBonus);
}

/** Adds one wallet's campaign points into running totals. */
export function addCampaigns(into: Record<string, bigint>, c: CampaignPoints): void {
  for (const id in c) into[id] = (into[id] ?? 0n) + c[id]!;
}

export interface DatasetHeader {
  format: typeof DATASET_FORMAT;
  version: typeof DATASET_VERSION;
  /** Base58 Distributor PDA: part of every leaf. */
  distributor: string;
  mint: string;
  epoch: bigint;
  /** Inclusive slot range of the settlements counted in this epoch. */
  slots: { first: bigint; last: bigint };
  /**
   * Hex sha256 of the epoch manifest (docs/epoch-manifest.md): the settlements, rule sets,
   * adjustments, links and carried balances the figures were computed from.
   */
  inputsHash: string;
  /** Hex Merkle root over (claimant, cumulativeAmount) of every record. */
  root: string;
  leafCount: number;
  totals: DatasetTotals;
}

export interface DatasetRecord extends WalletFigures {
  claimant: string;
  /** Hex leaf hash, so a corrupted claimant or amount is caught at its own line. */
  leaf: string;
}

/** A record's campaignBonus object: ids sorted, amounts as strings. */
export function campaignsJson(c: CampaignPoints): string {
  const ids = Object.keys(c);
  if (ids.length === 0) return "{}";
  ids.sort();
  return `{${ids.map((id) => `${JSON.stringify(id)}:"${c[id]}"`).join(",")}}`;
}

/** The one serialization of a header (no trailing newline). */
export function headerLine(h: DatasetHeader): string {
  const t = h.totals;
  return (
    `{"format":"${h.format}","version":${h.version},"distributor":"${h.distributor}","mint":"${h.mint}",` +
    `"epoch":"${h.epoch}","slots":{"first":"${h.slots.first}","last":"${h.slots.last}"},` +
    `"inputsHash":"${h.inputsHash}","root":"${h.root}","leafCount":${h.leafCount},` +
    `"totals":{"cumulativeAmount":"${t.cumulativeAmount}","epochAmount":"${t.epochAmount}",` +
    `"points":"${t.points}","basePoints":"${t.basePoints}","campaignBonus":${campaignsJson(t.campaignBonus)},` +
    `"referralPoints":"${t.referralPoints}","adjustmentPoints":"${t.adjustmentPoints}","settlementCount":${t.settlementCount}}}`
  );
}

/** The one serialization of a record (no trailing newline). */
export function recordLine(r: DatasetRecord): string {
  return (
    `{"claimant":"${r.claimant}","cumulativeAmount":"${r.cumulativeAmount}","epochAmount":"${r.epochAmount}",` +
    `"points":"${r.points}","basePoints":"${r.basePoints}","campaignBonus":${campaignsJson(r.campaignBonus)},` +
    `"referralPoints":"${r.referralPoints}","adjustmentPoints":"${r.adjustmentPoints}","settlementCount":${r.settlementCount},"leaf":"${r.leaf}"}`
  );
}
