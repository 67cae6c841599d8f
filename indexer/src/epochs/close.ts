import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeDatasetColumns } from "@merit/clients/dataset";
import { canonicalOrder, decodeKey58Into, type MerkleTree, U64_MAX, writeProofShardsInWorker } from "@merit/clients/merkle";
import { advisoryXactLock } from "../db/advisory-lock.js";
import { type Queryable, type Sql, supportsCopy } from "../db/connection.js";
import { BugError, CallerError } from "../errors.js";
import { epochCloseDuration } from "../metrics/index.js";
import { AccountColumns, type AccountsPart, type LedgerRange, readAccounts } from "../ledger/epoch-range.js";
import { type Conversion, convertColumns, parseConversion } from "./convert.js";
import { findCutoff } from "./cutoff.js";
import { type WrittenManifest, writeManifest } from "./manifest.js";
import {
  type DistributorRow,
  type EpochRow,
  type EpochWalletColumns,
  epochsWithoutFiles,
  getDistributor,
  getEpoch,
  insertEpoch,
  setEpochFileHashes,
  latestEpoch,
  markFilesWritten,
} from "./queries.js";

export const DATASET_FILE = "dataset.ndjson";
export const MANIFEST_FILE = "manifest.ndjson";
export const SHARDS_DIR = "shards";
const ZERO_HASH = "0".repeat(64);

export interface CloseOptions {
  distributor: string;
  /** Files go under `<dataDir>/epochs/<distributor>/<epoch>/`. */
  dataDir: string;
  log?: (line: string) => void;
  /** Close even when no ledger row landed since the last epoch. */
  allowEmpty?: boolean;
  /** Called with each phase's wall time (bench:epoch reports them). */
  onPhase?: (phase: string, ms: number) => void;
}

export interface ClosedEpoch {
  epoch: bigint;
  dir: string;
  root: string;
  datasetHash: string;
  inputsHash: string;
  leafCount: number;
  released: bigint;
  cumulativeTotal: bigint;
  /** Accounts with points that are not Solana addresses (nothing can pay them). */
  unpayable: string[];
}

export const epochDir = (dataDir: string, distributor: string, epoch: bigint) => join(dataDir, "epochs", distributor, epoch.toString());

/** What one epoch is computed from: the same inputs give the same files, byte for byte. */
interface EpochInputs {
  distributor: DistributorRow;
  conversion: Conversion;
  epoch: bigint;
  range: LedgerRange;
  slots: { first: bigint; last: bigint };
  previousInputsHash: string;
}

/**
 * An epoch's wallets as columns (index i in every array, AccountColumns' order), with the orders
 * the files and the rows follow. A million wallets are typed arrays here, never objects.
 */
interface EpochWallets {
  /** The accounts; their `keys` now hold the leaves' keys in canonical order (key k is leaf k's). */
  a: AccountColumns;
  points: BigInt64Array;
  allocated: BigInt64Array;
  released: BigUint64Array;
  pending: BigInt64Array;
  cumulative: BigUint64Array;
  /** Wallets with a leaf (a cumulative amount), in canonical order. */
  leaves: Uint32Array;
  /** Wallets whose figures changed this epoch (each gets a row), in canonical order. */
  stored: Uint32Array;
}

/** What an epoch's row holds before its files exist: all but the root and the dataset hash. */
interface Summed {
  wallets: EpochWalletColumns;
  inputsHash: string;
  leafCount: number;
  settlementCount: bigint;
  points: bigint;
  allocated: bigint;
  released: bigint;
  cumulativeTotal: bigint;
}

interface Computed extends Omit<Summed, "wallets"> {
  root: string;
  datasetHash: string;
  unpayable: string[];
}

/**
 * The epoch's wallets from the ledger and the epoch before it (`a`, every account read): every
 * wallet with activity in the range or figures from earlier epochs. A wallet absent this epoch
 * keeps its leaf and its amount.
 */
function walletsOf(a: AccountColumns, x: EpochInputs, phase: (name: string) => void): EpochWallets {
  const n = a.size;
  const points = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    let p = a.base[i]! + a.referral[i]! + a.adjustment[i]!;
    const bonus = a.campaigns[i];
    if (bonus) for (const k in bonus) p += bonus[k]!;
    points[i] = p;
  }
  const keyOf = (i: number) => a.keys.subarray(i * 32, i * 32 + 32);
  const { allocated, released, pending } = convertColumns(points, a.prevPending, n, x.conversion, keyOf);
  // the previous cumulative amounts become this epoch's in place (a million wallets: 8 MB less)
  const cumulative = a.prevCumulative;
  for (let i = 0; i < n; i++) {
    const c = cumulative[i]! + released[i]!;
    if (c > U64_MAX) throw new CallerError("amount_out_of_range", `${a.texts.at(i)}: its cumulative amount ${c} exceeds a u64`);
    cumulative[i] = c;
  }
  phase("convert");
  // The keys are sorted in place (from here on, key k is the k-th in canonical order, no longer
  // wallet k's), then cut down to the leaves': the tree takes them as they are.
  const order = canonicalOrder(a.keys, n, { inPlace: true });
  const keys = a.keys;
  // in shared memory: the shard thread reads which wallet each leaf is
  const leaves = new Uint32Array(new SharedArrayBuffer(n * 4));
  const stored = new Uint32Array(n);
  let l = 0;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (cumulative[i] !== 0n) {
      // dust still pending: no leaf yet
      if (l !== k) keys.copyWithin(l * 32, k * 32, k * 32 + 32);
      leaves[l++] = i;
    }
    // wallets whose balance did not move have no row of their own this epoch
    if (a.active[i] || points[i] !== 0n || released[i] !== 0n || pending[i] !== a.prevPending[i]) stored[s++] = i;
  }
  phase("canonical order");
  return { a, points, allocated, released, pending, cumulative, leaves: leaves.subarray(0, l), stored: stored.subarray(0, s) };
}

/** The rows of the wallets that changed, in canonical order (claimant order for the table's key). */
function rowsOf(w: EpochWallets): EpochWalletColumns {
  const { a } = w;
  return {
    rows: w.stored,
    claimant: a.texts,
    points: w.points,
    basePoints: a.base,
    campaignBonus: a.campaigns,
    referralPoints: a.referral,
    adjustmentPoints: a.adjustment,
    settlementCount: a.settlementCount,
    allocated: w.allocated,
    released: w.released,
    pending: w.pending,
    cumulative: w.cumulative,
  };
}

/**
 * Computes an epoch from the ledger and the epoch before it, and writes its manifest, dataset and
 * proof shards into `dir`. Used to close an epoch and to rebuild the files of a closed one.
 * `copy`: the server takes COPY (db/connection.ts supportsCopy). `store`, given the figures once
 * the manifest is written, runs on the connection while this process writes the dataset and the
 * shards (which need no database), so the server stores the wallets meanwhile. `side`: transactions
 * beside `q`'s, where half the accounts are summed and the manifest is written meanwhile.
 */
async function computeEpoch(
  q: Queryable,
  x: EpochInputs,
  dir: string,
  copy: boolean,
  onPhase: (phase: string, ms: number) => void = () => {},
  store?: (s: Summed) => Promise<void>,
  side?: SideConnections,
): Promise<Computed> {
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    onPhase(name, now - t);
    t = now;
  };
  const manifestOn = (m: Queryable) =>
    writeManifest(
      m,
      join(dir, MANIFEST_FILE),
      {
        distributor: x.distributor.address,
        mint: x.distributor.mint,
        epoch: x.epoch,
        previousInputsHash: x.previousInputsHash,
        slots: x.slots,
        range: x.range,
        conversion: x.distributor.conversion,
      },
      copy,
    );
  // With a second connection the server sums half the accounts on each (its aggregate returns
  // nothing until it is complete, so one backend on two cores left this process idle). The
  // manifest goes on a third when there is one, else after the half on the second.
  const a = new AccountColumns();
  const previous = { distributor: x.distributor.address, epoch: x.epoch - 1n };
  const read = (m: Queryable, part: AccountsPart) => readAccounts(m, x.range, previous, decodeKey58Into, a, { copy, part });
  const sideHalf = side?.run((m) => read(m, { index: 1, of: 2 }));
  sideHalf?.catch(() => {}); // awaited below
  const early = side ? (side.spare >= 2 ? side.run(manifestOn) : sideHalf!.then(() => side.run(manifestOn))) : undefined;
  early?.catch(() => {}); // awaited below
  try {
    await Promise.all([read(q, side ? { index: 0, of: 2 } : { index: 0, of: 1 }), sideHalf]);
  } catch (err) {
    await Promise.allSettled([sideHalf, early]);
    throw err;
  }
  a.finish();
  phase("aggregate ledger and previous epoch");
  let w: EpochWallets;
  try {
    w = walletsOf(a, x, phase);
  } catch (err) {
    await early?.catch(() => {}); // the manifest writes into the directory the caller removes
    throw err;
  }
  // A manifest still being written holds back only what needs its hash: the dataset's header (its
  // tree is built meanwhile) and the epoch's row.
  const manifesting = early ?? manifestOn(q);
  manifesting.catch(() => {}); // awaited below
  let cumulativeTotal = 0n;
  for (const i of w.leaves) cumulativeTotal += w.cumulative[i]!;
  let points = 0n;
  let allocated = 0n;
  let released = 0n;
  for (let i = 0; i < a.size; i++) {
    points += w.points[i]!;
    allocated += w.allocated[i]!;
    released += w.released[i]!;
  }
  const summedWith = (m: WrittenManifest): Summed => ({
    wallets: rowsOf(w),
    inputsHash: m.inputsHash,
    leafCount: w.leaves.length,
    settlementCount: BigInt(m.settlements),
    points,
    allocated,
    released,
    cumulativeTotal,
  });
  // (measured: storing the rows before the manifest is written, as they could be, was slower: the
  // two compete for the cores while the tree is built)
  const storing = store ? manifesting.then((m) => store(summedWith(m))) : undefined;
  storing?.catch(() => {}); // awaited below, after the files or before a failure propagates
  let written: Awaited<ReturnType<typeof writeDatasetColumns>>;
  // The proof shards are written on a thread of their own while this one writes the dataset.
  let sharding: Promise<unknown> | undefined;
  const shards = (tree: MerkleTree, checked: Promise<unknown>) => {
    sharding = writeProofShardsInWorker(tree, join(dir, SHARDS_DIR), {
      epoch: x.epoch,
      checked,
      claimantText: { texts: a.texts, of: w.leaves },
    });
    sharding.catch(() => {}); // awaited below
  };
  try {
    written = await writeDatasetColumns(
      join(dir, DATASET_FILE),
      {
        distributor: x.distributor.address,
        mint: x.distributor.mint,
        epoch: x.epoch,
        slots: x.slots,
        inputsHash: inputsHashOf(manifesting),
      },
      {
        size: a.size,
        claimants: a.keys, // the leaves' keys, in order (walletsOf)
        claimantText: a.texts,
        cumulativeAmount: w.cumulative,
        // a dataset record's figures are never negative except adjustments: a wallet whose
        // corrections exceed its earnings shows them as such
        epochAmount: w.released,
        basePoints: a.base,
        referralPoints: a.referral,
        adjustmentPoints: a.adjustment,
        settlementCount: a.settlementCount,
        campaignBonus: a.campaigns,
      },
      {
        order: w.leaves,
        claimantsInOrder: true,
        onTree: (tree, checked) => {
          if (w.leaves.length > 0) shards(tree, checked);
        },
      },
    );
    phase("dataset + tree + independent check");
    await sharding;
    phase("proof shards (beyond the dataset they overlap)");
  } catch (err) {
    // the connection is the caller's transaction: it may only roll back once the store is over
    // (and the directory goes only once the manifest and the shards are no longer written into it)
    await Promise.allSettled([storing, manifesting, sharding]);
    throw err;
  }
  if (storing) {
    await storing;
    phase("store epoch wallets (beyond the dataset and shards it overlaps)");
  }
  if (written.header.totals.cumulativeAmount !== cumulativeTotal)
    throw new BugError(
      "epoch_total_mismatch",
      `epoch ${x.epoch}: the dataset's cumulative total is ${written.header.totals.cumulativeAmount}, its leaves sum to ${cumulativeTotal}`,
    );
  const { wallets: _, ...figures } = summedWith(await manifesting);
  return { ...figures, root: written.header.root, datasetHash: written.datasetHash.toString("hex"), unpayable: a.unpayable };
}

/** The manifest's hash, once it is written (a failure is the caller's to see where it awaits). */
function inputsHashOf(manifesting: Promise<WrittenManifest>): Promise<string> {
  const h = manifesting.then((m) => m.inputsHash);
  h.catch(() => {});
  return h;
}

async function scratchDir(dataDir: string, distributor: string, epoch: bigint): Promise<string> {
  const dir = join(dataDir, "epochs", distributor, `.tmp-${epoch}-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Moves a complete scratch directory into place; the final name appears only when every file is there. */
async function publishDir(scratch: string, final: string): Promise<void> {
  await rm(final, { recursive: true, force: true });
  await rename(scratch, final);
}

function inputsOf(d: DistributorRow, e: EpochRow, previous: EpochRow | undefined): EpochInputs {
  return {
    distributor: d,
    conversion: parseConversion(e.conversion),
    epoch: e.epoch,
    range: { afterSeq: e.prevCutoffSeq, throughSeq: e.cutoffSeq, afterOtherId: e.prevOtherId, throughOtherId: e.otherId },
    slots: { first: previous ? previous.cutoffSlot + 1n : 0n, last: e.cutoffSlot },
    previousInputsHash: previous?.inputsHash ?? ZERO_HASH,
  };
}

/**
 * Writes the files of a closed epoch again from the database, and checks they are the bytes its
 * hashes name. Runs after a crash between the commit and the files, and on request.
 */
export async function rebuildEpochFiles(sql: Sql, opts: { distributor: string; epoch: bigint; dataDir: string }): Promise<ClosedEpoch> {
  const d = await requireDistributor(sql, opts.distributor);
  const e = await getEpoch(sql, d.address, opts.epoch);
  if (!e) throw new CallerError("unknown_epoch", `epoch ${opts.epoch} of ${d.address} is not closed`);
  const previous = e.epoch > 1n ? await getEpoch(sql, d.address, e.epoch - 1n) : undefined;
  const scratch = await scratchDir(opts.dataDir, d.address, e.epoch);
  try {
    const copy = supportsCopy(sql);
    const c = await computeEpoch(sql, inputsOf(d, e, previous), scratch, copy, undefined, undefined, sideConnections(sql, copy));
    for (const [what, stored, got] of [
      ["root", e.root, c.root],
      ["dataset hash", e.datasetHash, c.datasetHash],
      ["inputs hash", e.inputsHash, c.inputsHash],
    ] as const) {
      if (stored !== got)
        throw new BugError("epoch_rebuild_mismatch", `epoch ${e.epoch}: the rebuilt ${what} is ${got}, the closed epoch's is ${stored}`);
    }
    const dir = epochDir(opts.dataDir, d.address, e.epoch);
    await publishDir(scratch, dir);
    await markFilesWritten(sql, d.address, e.epoch);
    return {
      epoch: e.epoch,
      dir,
      root: c.root,
      datasetHash: c.datasetHash,
      inputsHash: c.inputsHash,
      leafCount: c.leafCount,
      released: c.released,
      cumulativeTotal: c.cumulativeTotal,
      unpayable: c.unpayable,
    };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

async function requireDistributor(q: Queryable, address: string): Promise<DistributorRow> {
  const d = await getDistributor(q, address);
  if (!d)
    throw new CallerError("unknown_distributor", `distributor ${address} is not configured here (add it with: epoch distributor add)`);
  return d;
}

/** Scratch directories of closes that never committed (a crash): nothing refers to them. */
async function removeStaleScratch(dataDir: string, distributor: string): Promise<void> {
  const parent = join(dataDir, "epochs", distributor);
  const names = await readdir(parent).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(".tmp-")).map((n) => rm(join(parent, n), { recursive: true, force: true })));
}

/**
 * Closes the next epoch of a distributor: the ledger rows since the last cutoff become token
 * amounts and a Merkle tree of cumulative totals; the manifest, dataset and proof shards are
 * written under the data directory, the epoch and its wallets in Postgres (status `closed`).
 * Crash-safe: the database commit is the one moment an epoch exists; files are written before it
 * into a scratch directory and moved into place after it, and an epoch committed without its
 * files gets them rebuilt (byte-identical) by the next call. Returns undefined when there is
 * nothing to close.
 */
export async function closeEpoch(sql: Sql, opts: CloseOptions): Promise<ClosedEpoch | undefined> {
  const end = epochCloseDuration.startTimer();
  try {
    return await closeEpochUntimed(sql, opts);
  } finally {
    end();
  }
}

async function closeEpochUntimed(sql: Sql, opts: CloseOptions): Promise<ClosedEpoch | undefined> {
  const log = opts.log ?? (() => {});
  const d = await requireDistributor(sql, opts.distributor);
  await removeStaleScratch(opts.dataDir, d.address);
  for (const e of await epochsWithoutFiles(sql, d.address)) {
    log(`epochs: epoch ${e.epoch} was committed without its files (a crash): rebuilding them`);
    await rebuildEpochFiles(sql, { distributor: d.address, epoch: e.epoch, dataDir: opts.dataDir });
  }
  const cut = await findCutoff(sql);
  if (!cut) throw new CallerError("no_cutoff", "ingest has not completed any slot yet: nothing can be closed");
  const conversion = parseConversion(d.conversion);
  const copy = supportsCopy(sql);
  const scratchParent = opts.dataDir;
  let scratch: string | undefined;
  const side = sideConnections(sql, copy);
  try {
    const closed = await sql.begin(async (tx) => {
      // One closer per distributor at a time; a second one waits, then finds the epoch closed.
      await advisoryXactLock(tx, `merit:epochs:${d.address}`);
      const previous = await latestEpoch(tx, d.address);
      const range: LedgerRange = {
        afterSeq: previous?.cutoffSeq ?? 0n,
        throughSeq: cut.seq,
        afterOtherId: previous?.otherId ?? 0n,
        throughOtherId: cut.otherId,
      };
      if (previous && (cut.slot <= previous.cutoffSlot || range.throughSeq < range.afterSeq)) return undefined;
      if (!opts.allowEmpty && range.throughSeq === range.afterSeq && range.throughOtherId === range.afterOtherId) return undefined;
      const epoch = (previous?.epoch ?? 0n) + 1n;
      const inputs: EpochInputs = {
        distributor: d,
        conversion,
        epoch,
        range,
        slots: { first: previous ? previous.cutoffSlot + 1n : 0n, last: cut.slot },
        previousInputsHash: previous?.inputsHash ?? ZERO_HASH,
      };
      scratch = await scratchDir(scratchParent, d.address, epoch);
      // The epoch's row goes in first (its wallets refer to it), with its files' hashes once known.
      const c = await computeEpoch(
        tx,
        inputs,
        scratch,
        copy,
        opts.onPhase,
        (s) =>
          insertEpoch(
            tx,
            {
              distributor: d.address,
              epoch,
              prevCutoffSeq: range.afterSeq,
              cutoffSeq: range.throughSeq,
              firstSlot: inputs.slots.first,
              cutoffSlot: cut.slot,
              prevOtherId: range.afterOtherId,
              otherId: range.throughOtherId,
              conversion: d.conversion,
              points: s.points,
              allocated: s.allocated,
              released: s.released,
              cumulativeTotal: s.cumulativeTotal,
              leafCount: s.leafCount,
              settlementCount: s.settlementCount,
              root: "",
              datasetHash: "",
              inputsHash: s.inputsHash,
            },
            s.wallets,
            copy,
          ),
        side,
      );
      await setEpochFileHashes(tx, d.address, epoch, c.root, c.datasetHash);
      return { epoch, c };
    });
    if (!closed) {
      if (scratch) await rm(scratch, { recursive: true, force: true });
      return undefined;
    }
    const dir = epochDir(opts.dataDir, d.address, closed.epoch);
    await publishDir(scratch!, dir);
    await markFilesWritten(sql, d.address, closed.epoch);
    const c = closed.c;
    log(
      `epochs: closed epoch ${closed.epoch} of ${d.address}: ${c.leafCount} leaves, ${c.released} released, cumulative ${c.cumulativeTotal}, root ${c.root}`,
    );
    if (c.unpayable.length > 0)
      log(`epochs: ${c.unpayable.length} accounts with points are not Solana addresses and were left out (first: ${c.unpayable[0]})`);
    return { epoch: closed.epoch, dir, ...c };
  } catch (err) {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

/** Runs work in a transaction of its own, beside the close's; `spare`: how many may run at once. */
interface SideConnections {
  run: <T>(work: (q: Queryable) => Promise<T>) => Promise<T>;
  spare: number;
}

/**
 * Transactions of their own for the manifest and half the sums, beside the close's: not on the
 * embedded PGlite (one connection, no COPY), nor from a pool of one, where they would wait for the
 * close's to end. They read only rows the ranges fixed before the close began (and epochs this
 * closer's lock keeps still), so they see what the close sees. A pool of N runs at most N - 1
 * closes at once: a close waiting for the lock holds a connection the one holding it may need.
 */
function sideConnections(sql: Sql, copy: boolean): SideConnections | undefined {
  const { max } = sql.options as { max?: number };
  if (!copy || max === undefined || max < 2) return undefined;
  return {
    run: (work) => sql.begin((tx) => work(tx)) as Promise<Awaited<ReturnType<typeof work>>>,
    spare: Math.min(2, max - 1),
  };
}
