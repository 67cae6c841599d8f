import { createHash } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type BuildOptions,
  type KeyLike,
  type MerkleTree,
  allocEntries,
  buildTree,
  canonicalOrder,
  firstOutOfOrder,
  I64_MAX,
  I64_MIN,
  checkAmount,
  hashBytes,
  keyBase58,
  keyBytes,
  checksInWorker,
  KeyTexts,
  verifyTreeIndependently,
  verifyTreeInWorker,
} from "../merkle/index.js";
import { DatasetError } from "./errors.js";
import {
  type CampaignPoints,
  DATASET_FORMAT,
  DATASET_VERSION,
  type DatasetHeader,
  addCampaigns,
  campaignsJson,
  emptyTotals,
  headerLine,
} from "./format.js";
import { AsciiChunks, ascii, BIG_MAX } from "../merkle/format/ascii.mjs";
import { CAMPAIGN_ID } from "./parse.js";

export interface DatasetMeta {
  distributor: KeyLike;
  mint: KeyLike;
  epoch: bigint;
  slots: { first: bigint; last: bigint };
  /**
   * sha256 of the epoch manifest (docs/epoch-manifest.md); a promise when it is still being
   * written: the tree is built meanwhile, and only the header waits for it.
   */
  inputsHash: Uint8Array | string | PromiseLike<Uint8Array | string>;
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

function invalid(message: string, index: number): never {
  throw new DatasetError("INVALID_INPUT", `wallet #${index}: ${message}`);
}

const NO_CAMPAIGNS: CampaignPoints = Object.freeze({});
const EMPTY_CAMPAIGNS = Object.freeze({ campaigns: NO_CAMPAIGNS, bonus: 0n });

const isMap = <K, V>(m: ReadonlyMap<K, V> | ReadonlyArray<V | undefined>): m is ReadonlyMap<K, V> => m instanceof Map;

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** The wallet's bonuses as the dataset holds them (no zero entries) and their sum. */
function campaignsOf(input: CampaignPoints, index: number): { campaigns: CampaignPoints; bonus: bigint } {
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

/**
 * The wallets as columns, index i across every array: what the epochs stage computes for a million
 * wallets without an object each. Amount columns may be typed arrays or plain arrays of bigints.
 */
export interface DatasetColumns {
  size: number;
  /** 32 key bytes per wallet. */
  claimants: Uint8Array;
  /**
   * Each claimant's base58 text, when the caller already has it (else it is encoded from the
   * bytes): strings, or texts as bytes (KeyTexts, by wallet index).
   */
  claimantText?: ArrayLike<string> | KeyTexts;
  cumulativeAmount: ArrayLike<bigint>;
  epochAmount: ArrayLike<bigint>;
  basePoints: ArrayLike<bigint>;
  referralPoints: ArrayLike<bigint>;
  /** Signed; absent: all zero. */
  adjustmentPoints?: ArrayLike<bigint>;
  settlementCount: ArrayLike<number>;
  /**
   * The wallets' campaign points, by index: a Map of the wallets that have any, or an array with an
   * entry (or undefined) per wallet, which is read without a hash lookup; absent: none.
   */
  campaignBonus?: ReadonlyMap<number, Readonly<Record<string, bigint>>> | ReadonlyArray<Readonly<Record<string, bigint>> | undefined>;
}

export interface ColumnsOptions extends BuildOptions {
  /**
   * The wallets that become records, by index, in canonical order (the caller sorted them already,
   * or leaves some out: wallets with no leaf yet). Default: every wallet, sorted here.
   */
  order?: Uint32Array;
  /**
   * `claimants` holds the claimants of `order`'s records in that order, 32 bytes each, instead of
   * wallet i's at i: a caller that sorted them in place (canonicalOrder's `inPlace`). In shared
   * memory they become the tree's own, with no copy.
   */
  claimantsInOrder?: boolean;
  /**
   * Called once the tree is built, before the records are written, with the tree's independent
   * check (it may still run on another thread): the caller may write what else comes from the
   * tree meanwhile, the proof shards, and must publish none of it unless the check passed.
   */
  onTree?: (tree: MerkleTree, checked: Promise<unknown>) => void;
}

/**
 * Checks every record's wallet and derives what the dataset adds: its bonuses (by position in
 * `order`) and the totals.
 */
function figuresOf(c: DatasetColumns, order: Uint32Array) {
  const n = order.length;
  // by position in `order`, an entry each (an index, not a hash, for a million lookups)
  const campaigns: (CampaignPoints | undefined)[] = [];
  const totals = emptyTotals();
  const given = c.campaignBonus;
  const bonusOf = given === undefined ? () => undefined : isMap(given) ? (i: number) => given.get(i) : (i: number) => given[i];
  const adjustments = c.adjustmentPoints;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (i >= c.size) throw new DatasetError("INVALID_INPUT", `the order names wallet #${i} of ${c.size}`);
    const cumulative = checkAmount(c.cumulativeAmount[i]!);
    const base = checkAmount(c.basePoints[i]!);
    const referral = checkAmount(c.referralPoints[i]!);
    const adjustment = adjustments ? adjustments[i]! : 0n;
    const epochAmount = checkAmount(c.epochAmount[i]!);
    if (epochAmount > cumulative) invalid("epochAmount exceeds cumulativeAmount", i);
    const count = c.settlementCount[i]!;
    if (!Number.isSafeInteger(count) || count < 0) invalid("settlementCount must be a count", i);
    let p = base + referral + adjustment;
    const input = bonusOf(i);
    let kept: CampaignPoints | undefined;
    if (input) {
      const { campaigns: cp, bonus } = campaignsOf(input, i);
      if (cp !== NO_CAMPAIGNS) {
        kept = cp;
        addCampaigns(totals.campaignBonus as Record<string, bigint>, cp);
      }
      p += bonus;
    }
    campaigns.push(kept);
    if (p < I64_MIN || p > I64_MAX) invalid(`points ${p} do not fit in 64 bits`, i);
    // addFigures' sums, without an object per wallet to hand them over in
    totals.cumulativeAmount += cumulative;
    totals.epochAmount += epochAmount;
    totals.points += p;
    totals.basePoints += base;
    totals.referralPoints += referral;
    totals.adjustmentPoints += adjustment;
    totals.settlementCount += count;
  }
  // Every total is a u64 in the header too.
  for (const v of [totals.cumulativeAmount, totals.epochAmount, totals.basePoints, totals.referralPoints]) checkAmount(v);
  for (const v of Object.values(totals.campaignBonus)) checkAmount(v);
  return { campaigns, totals };
}

/** Objects as columns (the claimants' bytes decoded once). */
function columnsOf(wallets: readonly WalletTotals[]): DatasetColumns {
  const n = wallets.length;
  const claimants = Buffer.alloc(n * 32);
  const text: string[] = new Array(n);
  const campaignBonus = new Map<number, Readonly<Record<string, bigint>>>();
  const col = <T>(f: (w: WalletTotals) => T): T[] => wallets.map(f);
  for (let i = 0; i < n; i++) {
    const w = wallets[i]!;
    claimants.set(keyBytes(w.claimant, "claimant"), i * 32);
    text[i] = typeof w.claimant === "string" ? w.claimant : keyBase58(w.claimant);
    if (w.campaignBonus && !isEmpty(w.campaignBonus)) campaignBonus.set(i, w.campaignBonus);
  }
  return {
    size: n,
    claimants,
    claimantText: text,
    cumulativeAmount: col((w) => w.cumulativeAmount),
    epochAmount: col((w) => w.epochAmount),
    basePoints: col((w) => w.basePoints),
    referralPoints: col((w) => w.referralPoints),
    adjustmentPoints: col((w) => w.adjustmentPoints ?? 0n),
    settlementCount: col((w) => w.settlementCount),
    campaignBonus,
  };
}

/**
 * Sorts the wallets into canonical order, builds the tree and streams the dataset to `target`
 * (a path or a Writable) in chunks, hashing the bytes as they go out. The tree is re-checked by a
 * second implementation (verifyTreeIndependently) before a byte goes out, or, for a large tree
 * written to a path, on another thread while the file is written under a temporary name that
 * becomes `target` only once the check passed. A failure is a MerkleError of kind "invariant",
 * and no file is left at `target`.
 */
export async function writeDataset(
  target: string | Writable,
  meta: DatasetMeta,
  wallets: readonly WalletTotals[],
  options: BuildOptions = {},
): Promise<WrittenDataset> {
  return writeDatasetColumns(target, meta, columnsOf(wallets), options);
}

/** writeDataset for wallets held as columns. */
export async function writeDatasetColumns(
  target: string | Writable,
  meta: DatasetMeta,
  c: DatasetColumns,
  options: ColumnsOptions = {},
): Promise<WrittenDataset> {
  // a manifest that fails while the tree is built surfaces where the header needs it
  const inputsHashing = Promise.resolve(meta.inputsHash);
  inputsHashing.catch(() => {});
  const inOrder = options.claimantsInOrder === true;
  if (inOrder && !options.order) throw new DatasetError("INVALID_INPUT", "claimantsInOrder needs the order they are in");
  const order = options.order ?? canonicalOrder(c.claimants, c.size);
  const n = order.length;
  if (c.claimants.length < (inOrder ? n : c.size) * 32)
    throw new DatasetError("INVALID_INPUT", `${inOrder ? n : c.size} wallets but ${c.claimants.length} claimant bytes`);
  const { campaigns, totals } = figuresOf(c, order);
  // Shared arrays handed over with reuseInput: the tree keeps them, no copy for the helper thread.
  const reuse = inOrder && c.claimants.buffer instanceof SharedArrayBuffer;
  const packed = reuse
    ? {
        claimants: Buffer.from(c.claimants.buffer, c.claimants.byteOffset, n * 32),
        amounts: new BigUint64Array(new SharedArrayBuffer(n * 8)),
      }
    : allocEntries(n);
  const { amounts } = packed;
  const sortedClaimants = packed.claimants;
  const from = c.claimants;
  if (inOrder && !reuse) sortedClaimants.set(from.subarray(0, n * 32));
  for (let k = 0; k < n; k++) {
    const src = order[k]!;
    // 32 bytes by hand: a Buffer.copy per wallet costs more in its native call than in the copy
    if (!inOrder) for (let b = 0, s = src * 32, to = k * 32; b < 32; b++) sortedClaimants[to + b] = from[s + b]!;
    amounts[k] = c.cumulativeAmount[src]!;
  }
  if (options.order) {
    // The lines follow `order`: the tree, which sorts its own entries, must see them in the same one.
    const bad = firstOutOfOrder(sortedClaimants, n);
    if (bad >= 0) invalid(`the order given puts it at ${bad}, after a claimant that does not sort before it`, order[bad]!);
  }
  const tree = await buildTree(meta.distributor, packed, { ...options, reuseInput: true });
  // A file is written under a temporary name while a large tree is checked on another thread, and
  // takes its name only once the check passed; anything else is checked before a byte goes out.
  const partial = typeof target === "string" && checksInWorker(tree) ? `${target}.partial` : undefined;
  if (!partial) verifyTreeIndependently(tree);
  const checking = partial ? verifyTreeInWorker(tree) : undefined;
  checking?.catch(() => {}); // awaited below
  options.onTree?.(tree, checking ?? Promise.resolve());
  const inputsHash = await inputsHashing;
  const header: DatasetHeader = {
    format: DATASET_FORMAT,
    version: DATASET_VERSION,
    distributor: keyBase58(meta.distributor),
    mint: keyBase58(meta.mint),
    epoch: checkAmount(meta.epoch),
    slots: { first: checkAmount(meta.slots.first), last: checkAmount(meta.slots.last) },
    inputsHash: Buffer.from(hashBytes(inputsHash, "inputsHash")).toString("hex"),
    root: tree.root.toString("hex"),
    leafCount: n,
    totals,
  };

  const hash = createHash("sha256");
  let bytes = 0;
  const out = (chunk: Buffer): Buffer => {
    hash.update(chunk);
    bytes += chunk.length;
    return chunk;
  };
  const texts = c.claimantText instanceof KeyTexts ? c.claimantText : undefined;
  const text = texts ? undefined : (c.claimantText as ArrayLike<string> | undefined);
  const adjustments = c.adjustmentPoints;
  const nodes = tree.nodes;
  const w = new AsciiChunks();
  function* chunks(): Generator<Buffer> {
    const head = `${headerLine(header)}\n`;
    w.room(head.length);
    w.str(head);
    for (let k = 0; k < n; k++) {
      const src = order[k]!;
      const bonus = campaigns[k];
      const bonusText = bonus ? campaignsJson(bonus) : "{}";
      const full = w.room(RECORD_FIXED + 44 + 8 * BIG_MAX + 64 + bonusText.length);
      if (full) yield out(full);
      w.raw(K_CLAIMANT);
      if (texts) w.keyText(texts, src);
      else w.str(text ? text[src]! : tree.claimantBase58At(k));
      w.raw(K_CUMULATIVE);
      w.big(amounts[k]!);
      w.raw(K_EPOCH);
      w.big(c.epochAmount[src]!);
      w.raw(K_POINTS);
      // derived again rather than kept: figuresOf checked the same sum
      let points = c.basePoints[src]! + c.referralPoints[src]! + (adjustments ? adjustments[src]! : 0n);
      if (bonus) for (const id in bonus) points += bonus[id]!;
      w.big(points);
      w.raw(K_BASE);
      w.big(c.basePoints[src]!);
      w.raw(K_BONUS);
      w.str(bonusText);
      w.raw(K_REFERRAL);
      w.big(c.referralPoints[src]!);
      w.raw(K_ADJUSTMENT);
      w.big(adjustments ? adjustments[src]! : 0n);
      w.raw(K_COUNT);
      w.uint(c.settlementCount[src]!);
      w.raw(K_LEAF);
      w.hex(nodes, k * 32, k * 32 + 32);
      w.raw(K_END);
    }
    if (w.off > 0) yield out(w.take());
  }
  try {
    if (typeof target === "string") {
      // Two buffers in turn: each goes back to the writer once the file has its bytes.
      const file = await open(partial ?? target, "w");
      try {
        for (const chunk of chunks()) {
          await file.write(chunk);
          w.recycle(chunk);
        }
      } finally {
        await file.close();
      }
    } else await pipeline(Readable.from(chunks()), target);
    await checking;
  } catch (err) {
    if (partial) await rm(partial, { force: true });
    // the check's failure is the reason when there is one
    await checking;
    throw err;
  }
  if (partial) await rename(partial, target as string);
  return { header, tree, datasetHash: hash.digest(), bytes };
}

/** A record's fixed text, in the order it is written (recordLine is the definition). */
const [K_CLAIMANT, K_CUMULATIVE, K_EPOCH, K_POINTS, K_BASE, K_BONUS, K_REFERRAL, K_ADJUSTMENT, K_COUNT, K_LEAF, K_END] = [
  '{"claimant":"',
  '","cumulativeAmount":"',
  '","epochAmount":"',
  '","points":"',
  '","basePoints":"',
  '","campaignBonus":',
  ',"referralPoints":"',
  '","adjustmentPoints":"',
  '","settlementCount":',
  ',"leaf":"',
  '"}\n',
].map(ascii) as [
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
  Uint8Array,
];

/** The record's fixed text (keys, quotes, braces) with room to spare. */
const RECORD_FIXED = 200;
