import { createHash } from "node:crypto";
import {
  type BuildOptions,
  type MerkleTree,
  allocEntries,
  buildTree,
  decodeKey58,
  encodeKey58,
  hashBytes,
  leafHash,
} from "../merkle/index.js";
import { DatasetError } from "./errors.js";
import { type DatasetHeader, type DatasetRecord, type DatasetTotals, addFigures, emptyTotals } from "./format.js";
import { type DatasetSource, datasetLines } from "./lines.js";
import { parseHeader, parseRecord } from "./parse.js";

export interface LoadOptions extends BuildOptions {
  /** The dataset hash committed on-chain: the file's bytes must hash to it. */
  expectedDatasetHash?: Uint8Array | string;
  /** Sees every record once it passed its own line's checks (the file as a whole may still fail). */
  onRecord?: (record: DatasetRecord, line: number) => void;
}

export interface LoadedDataset {
  header: DatasetHeader;
  tree: MerkleTree;
  datasetHash: Buffer;
}

function checkRecord(r: DatasetRecord, line: number, header: DatasetHeader): void {
  let points = r.basePoints + r.referralPoints + r.adjustmentPoints;
  for (const [id, v] of Object.entries(r.campaignBonus)) {
    if (!(id in header.totals.campaignBonus)) {
      throw new DatasetError("UNKNOWN_CAMPAIGN", `campaign ${id} is not in the header's totals`, line, r.claimant);
    }
    points += v;
  }
  if (points !== r.points) {
    throw new DatasetError(
      "POINTS_MISMATCH",
      `points ${r.points} != base + campaign bonuses + referral + adjustments = ${points}`,
      line,
      r.claimant,
    );
  }
  if (r.epochAmount > r.cumulativeAmount) {
    throw new DatasetError("AMOUNT_MISMATCH", "epochAmount exceeds cumulativeAmount", line, r.claimant);
  }
}

function compareTotals(header: DatasetHeader, s: DatasetTotals): void {
  const t = header.totals;
  const pairs: Array<[string, bigint | number, bigint | number]> = [
    ["cumulativeAmount", t.cumulativeAmount, s.cumulativeAmount],
    ["epochAmount", t.epochAmount, s.epochAmount],
    ["points", t.points, s.points],
    ["basePoints", t.basePoints, s.basePoints],
    ["referralPoints", t.referralPoints, s.referralPoints],
    ["adjustmentPoints", t.adjustmentPoints, s.adjustmentPoints],
    ["settlementCount", t.settlementCount, s.settlementCount],
    ...Object.entries(t.campaignBonus).map(([id, v]): [string, bigint, bigint] => [`campaignBonus.${id}`, v, s.campaignBonus[id] ?? 0n]),
  ];
  for (const [name, expected, actual] of pairs) {
    if (expected !== actual) {
      throw new DatasetError("TOTALS_MISMATCH", `totals.${name} is ${expected} in the header but the records add up to ${actual}`);
    }
  }
}

function leafOk(distributor: string, claimants: Buffer, amounts: BigUint64Array, leaves: Buffer, i: number): boolean {
  const leaf = leafHash(distributor, claimants.subarray(i * 32, i * 32 + 32), amounts[i]!);
  return leaf.equals(leaves.subarray(i * 32, i * 32 + 32));
}

/**
 * Record `i` must sort strictly after record `i - 1`. When it does not, one of the two is wrong:
 * a record whose leaf does not match its own claimant and amount is the culprit, named as such.
 */
function checkOrder(
  header: DatasetHeader,
  claimants: Buffer,
  amounts: BigUint64Array,
  leaves: Buffer,
  i: number,
  line: number,
  claimant: string,
) {
  const order = claimants.compare(claimants, i * 32, i * 32 + 32, (i - 1) * 32, i * 32);
  if (order < 0) return;
  for (const [at, l] of [
    [i - 1, line - 1],
    [i, line],
  ] as const) {
    if (!leafOk(header.distributor, claimants, amounts, leaves, at)) {
      throw new DatasetError("LEAF_MISMATCH", LEAF_RULE, l, encodeKey58(claimants, at * 32));
    }
  }
  if (order === 0) throw new DatasetError("DUPLICATE_CLAIMANT", "claimant appears twice", line, claimant);
  throw new DatasetError("OUT_OF_ORDER", "claimant sorts before the previous record's", line, claimant);
}

const LEAF_RULE = "leaf is not sha256(0x00 || distributor || claimant || cumulativeAmount)";

/**
 * Streams a dataset and proves it whole: header schema and canonical form, every record's own
 * checks at its line, strictly ascending claimants (so no duplicate), counts and totals, each
 * record's leaf, and finally the rebuilt root against the header's (and the file's hash against
 * the chain's, when given). Returns the tree, ready for proofs.
 */
export async function loadDataset(source: DatasetSource, options: LoadOptions = {}): Promise<LoadedDataset> {
  const hash = createHash("sha256");
  let header: DatasetHeader | undefined;
  let entries = allocEntries(0);
  let leaves = Buffer.alloc(0);
  const sums = emptyTotals();
  let n = 0;
  let line = 0;
  for await (const text of datasetLines(source, hash)) {
    line++;
    if (!header) {
      header = parseHeader(text);
      // Shared arrays handed to buildTree with reuseInput: kept as the tree's, never copied.
      entries = allocEntries(header.leafCount);
      leaves = Buffer.alloc(header.leafCount * 32);
      continue;
    }
    const record = parseRecord(text, line);
    checkRecord(record, line, header);
    if (n === header.leafCount) {
      throw new DatasetError("COUNT_MISMATCH", `more records than the header's leafCount ${header.leafCount}`, line, record.claimant);
    }
    const key = decodeKey58(record.claimant);
    if (!key) throw new DatasetError("MALFORMED_RECORD", "claimant is not a canonical base58 32-byte key", line, record.claimant);
    const { claimants, amounts } = entries;
    claimants.set(key, n * 32);
    amounts[n] = record.cumulativeAmount;
    leaves.write(record.leaf, n * 32, 32, "hex");
    if (n > 0) checkOrder(header, claimants, amounts, leaves, n, line, record.claimant);
    addFigures(sums, record);
    options.onRecord?.(record, line);
    n++;
  }
  if (!header) throw new DatasetError("MALFORMED_HEADER", "the file is empty", 1);
  if (n !== header.leafCount) throw new DatasetError("COUNT_MISMATCH", `${n} records but the header's leafCount is ${header.leafCount}`);
  compareTotals(header, sums);
  const tree = await buildTree(header.distributor, entries, { ...options, reuseInput: true });
  for (let i = 0; i < n; i++) {
    if (tree.nodes.compare(leaves, i * 32, i * 32 + 32, i * 32, i * 32 + 32) !== 0) {
      throw new DatasetError("LEAF_MISMATCH", LEAF_RULE, i + 2, tree.claimantBase58At(i));
    }
  }
  if (tree.root.toString("hex") !== header.root) {
    throw new DatasetError(
      "ROOT_MISMATCH",
      `every record checks out but they build root ${tree.root.toString("hex")}, not the header's ${header.root}`,
    );
  }
  const datasetHash = hash.digest();
  if (options.expectedDatasetHash !== undefined && !datasetHash.equals(hashBytes(options.expectedDatasetHash, "expectedDatasetHash"))) {
    throw new DatasetError("HASH_MISMATCH", `the file hashes to ${datasetHash.toString("hex")}, not the expected dataset hash`);
  }
  return { header, tree, datasetHash };
}
