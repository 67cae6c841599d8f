import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type BuildOptions,
  type KeyLike,
  type MerkleTree,
  allocEntries,
  buildTree,
  canonicalOrder,
  checkAmount,
  hashBytes,
  keyBase58,
  keyBytes,
  verifyTreeIndependently,
} from "../merkle/index.js";
import { DatasetError } from "./errors.js";
import {
  type CampaignPoints,
  DATASET_FORMAT,
  DATASET_VERSION,
  type DatasetHeader,
  addCampaigns,
  emptyTotals,
  headerLine,
  recordLine,
} from "./format.js";
import { CAMPAIGN_ID } from "./parse.js";

export interface DatasetMeta {
  distributor: KeyLike;
  mint: KeyLike;
  epoch: bigint;
  slots: { first: bigint; last: bigint };
  /** sha256 of the epoch manifest (docs/epoch-manifest.md). */
  inputsHash: Uint8Array | string;
}

/** One wallet's figures as the epochs stage computes them; points and the leaf are derived. */
export interface WalletTotals {
  claimant: KeyLike;
  cumulativeAmount: bigint;
  epochAmount: bigint;
  basePoints: bigint;
  campaignBonus?: Readonly<Record<string, bigint>>;
  referralPoints: bigint;
  /** Signed: a correction may take points away. */
  adjustmentPoints?: bigint;
  settlementCount: number;
}

export interface WrittenDataset {
  header: DatasetHeader;
  tree: MerkleTree;
  /** sha256 of the exact bytes written: the dataset hash to store on-chain. */
  datasetHash: Buffer;
  bytes: number;
}

const LINES_PER_CHUNK = 2000;

function invalid(message: string, index: number): never {
  throw new DatasetError("INVALID_INPUT", `wallet #${index}: ${message}`);
}

const NO_CAMPAIGNS: CampaignPoints = Object.freeze({});
const EMPTY_CAMPAIGNS = Object.freeze({ campaigns: NO_CAMPAIGNS, bonus: 0n });

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** The wallet's bonuses as the dataset holds them (no zero entries) and their sum. */
function campaignsOf(w: WalletTotals, index: number): { campaigns: CampaignPoints; bonus: bigint } {
  const input = w.campaignBonus ?? NO_CAMPAIGNS;
  if (isEmpty(input)) return EMPTY_CAMPAIGNS;
  let bonus = 0n;
  let zeros = false;
  for (const id in input) {
    if (!CAMPAIGN_ID.test(id)) invalid(`campaign id ${JSON.stringify(id)} is not valid`, index);
    const v = checkAmount(input[id]!);
    zeros ||= v === 0n;
    bonus += v;
  }
  if (!zeros) return { campaigns: input, bonus };
  const campaigns: Record<string, bigint> = {};
  for (const id in input) if (input[id]! > 0n) campaigns[id] = input[id]!;
  return { campaigns, bonus };
}

/** Checks every wallet and derives what the dataset adds: packed keys, bonuses, points, totals. */
function figuresOf(wallets: readonly WalletTotals[]) {
  const n = wallets.length;
  const claimants = Buffer.alloc(n * 32);
  const campaigns: CampaignPoints[] = [];
  const points: bigint[] = [];
  const totals = emptyTotals();
  for (let i = 0; i < n; i++) {
    const w = wallets[i]!;
    claimants.set(keyBytes(w.claimant, "claimant"), i * 32);
    checkAmount(w.cumulativeAmount);
    checkAmount(w.basePoints);
    checkAmount(w.referralPoints);
    if (checkAmount(w.epochAmount) > w.cumulativeAmount) invalid("epochAmount exceeds cumulativeAmount", i);
    if (!Number.isSafeInteger(w.settlementCount) || w.settlementCount < 0) invalid("settlementCount must be a count", i);
    const { campaigns: c, bonus } = campaignsOf(w, i);
    campaigns[i] = c;
    points[i] = w.basePoints + w.referralPoints + bonus + (w.adjustmentPoints ?? 0n);
    // addFigures' sums, without an object per wallet to hand them over in
    totals.cumulativeAmount += w.cumulativeAmount;
    totals.epochAmount += w.epochAmount;
    totals.points += points[i]!;
    totals.basePoints += w.basePoints;
    totals.referralPoints += w.referralPoints;
    totals.adjustmentPoints += w.adjustmentPoints ?? 0n;
    totals.settlementCount += w.settlementCount;
    if (c !== NO_CAMPAIGNS) addCampaigns(totals.campaignBonus as Record<string, bigint>, c);
  }
  // Every total is a u64 in the header too.
  for (const v of [totals.cumulativeAmount, totals.epochAmount, totals.basePoints, totals.referralPoints]) checkAmount(v);
  for (const v of Object.values(totals.campaignBonus)) checkAmount(v);
  return { claimants, campaigns, points, totals };
}

/**
 * Sorts the wallets into canonical order, builds the tree and streams the dataset to `target`
 * (a path or a Writable) in chunks, hashing the bytes as they go out. Before a byte goes out (and
 * before a path is opened), the tree is re-checked by a second implementation
 * (verifyTreeIndependently); a failure is a MerkleError of kind "invariant".
 */
export async function writeDataset(
  target: string | Writable,
  meta: DatasetMeta,
  wallets: readonly WalletTotals[],
  options: BuildOptions = {},
): Promise<WrittenDataset> {
  const n = wallets.length;
  const { claimants, campaigns, points, totals } = figuresOf(wallets);
  const order = canonicalOrder(claimants, n);
  // Shared arrays handed over with reuseInput: the tree keeps them, no copy for the helper thread.
  const packed = allocEntries(n);
  const { amounts } = packed;
  const sortedClaimants = packed.claimants;
  for (let k = 0; k < n; k++) {
    const src = order[k]!;
    // 32 bytes by hand: a Buffer.copy per wallet costs more in its native call than in the copy
    for (let b = 0, from = src * 32, to = k * 32; b < 32; b++) sortedClaimants[to + b] = claimants[from + b]!;
    amounts[k] = wallets[src]!.cumulativeAmount;
  }
  const tree = await buildTree(meta.distributor, packed, { ...options, reuseInput: true });
  verifyTreeIndependently(tree);
  const header: DatasetHeader = {
    format: DATASET_FORMAT,
    version: DATASET_VERSION,
    distributor: keyBase58(meta.distributor),
    mint: keyBase58(meta.mint),
    epoch: checkAmount(meta.epoch),
    slots: { first: checkAmount(meta.slots.first), last: checkAmount(meta.slots.last) },
    inputsHash: Buffer.from(hashBytes(meta.inputsHash, "inputsHash")).toString("hex"),
    root: tree.root.toString("hex"),
    leafCount: n,
    totals,
  };

  const hash = createHash("sha256");
  let bytes = 0;
  const flush = (lines: string[]): Buffer => {
    const chunk = Buffer.from(`${lines.join("\n")}\n`);
    hash.update(chunk);
    bytes += chunk.length;
    return chunk;
  };
  function* chunks(): Generator<Buffer> {
    let lines = [headerLine(header)];
    for (let k = 0; k < n; k++) {
      const src = order[k]!;
      const w = wallets[src]!;
      lines.push(
        recordLine({
          claimant: typeof w.claimant === "string" ? w.claimant : tree.claimantBase58At(k),
          cumulativeAmount: w.cumulativeAmount,
          epochAmount: w.epochAmount,
          points: points[src]!,
          basePoints: w.basePoints,
          campaignBonus: campaigns[src]!,
          referralPoints: w.referralPoints,
          adjustmentPoints: w.adjustmentPoints ?? 0n,
          settlementCount: w.settlementCount,
          leaf: tree.nodes.toString("hex", k * 32, k * 32 + 32),
        }),
      );
      if (lines.length >= LINES_PER_CHUNK) {
        yield flush(lines);
        lines = [];
      }
    }
    if (lines.length > 0) yield flush(lines);
  }
  await pipeline(Readable.from(chunks()), typeof target === "string" ? createWriteStream(target) : target);
  return { header, tree, datasetHash: hash.digest(), bytes };
}
