import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeDataset, type WalletTotals } from "@merit/clients/dataset";
import { decodeKey58, writeProofShards } from "@merit/clients/merkle";
import { advisoryXactLock } from "../db/advisory-lock.js";
import { type Queryable, type Sql, supportsCopy } from "../db/connection.js";
import { BugError, CallerError } from "../errors.js";
import { epochCloseDuration } from "../metrics/index.js";
import { accountFigures, type AccountFigures, type LedgerRange } from "../ledger/epoch-range.js";
import { type Conversion, convert, type EpochPoints, parseConversion } from "./convert.js";
import { findCutoff } from "./cutoff.js";
import { writeManifest } from "./manifest.js";
import {
  type DistributorRow,
  type EpochRow,
  type EpochWalletRow,
  epochsWithoutFiles,
  getDistributor,
  getEpoch,
  insertEpoch,
  setEpochFileHashes,
  latestEpoch,
  markFilesWritten,
  walletStateAsOf,
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

/** What an epoch's row holds before its files exist: all but the root and the dataset hash. */
interface Summed {
  wallets: EpochWalletRow[];
  inputsHash: string;
  leafCount: number;
  settlementCount: bigint;
  points: bigint;
  allocated: bigint;
  released: bigint;
  cumulativeTotal: bigint;
}

interface Computed extends Summed {
  root: string;
  datasetHash: string;
  unpayable: string[];
}

const isWallet = (a: string) => decodeKey58(a) !== undefined;
const pointsOf = (f: AccountFigures) =>
  f.basePoints + f.referralPoints + f.adjustmentPoints + Object.values(f.campaignBonus).reduce((s, v) => s + v, 0n);

/**
 * The epoch's wallets from the ledger and the epoch before it. A function of its own so that what
 * it reads (a row per account, a row per converted wallet) is garbage once it returns: the caller
 * keeps one object per wallet through the files.
 */
async function walletsOf(q: Queryable, x: EpochInputs, phase: (name: string) => void) {
  const figures = await accountFigures(q, x.range);
  phase("aggregate ledger");
  const before = await walletStateAsOf(q, x.distributor.address, x.epoch - 1n);
  phase("previous epoch");
  const unpayable: string[] = [];
  const active: AccountFigures[] = [];
  for (const f of figures) {
    if (isWallet(f.account)) active.push(f);
    else if (pointsOf(f) !== 0n) unpayable.push(f.account);
  }
  unpayable.sort();
  const carried = [...before].filter(([, s]) => s.pending !== 0n).map(([claimant, s]) => ({ claimant, pending: s.pending }));
  // Rows are indexed alike from here on: the active wallets, then carried wallets without activity
  // (the order only decides the order rows are stored in: the dataset sorts by claimant bytes).
  // Lookups by claimant are only needed when an earlier epoch left wallets behind.
  const activeSet = before.size > 0 ? new Set(active.map((f) => f.account)) : undefined;
  const points: EpochPoints[] = active.map((f) => ({
    claimant: f.account,
    points: pointsOf(f),
    pending: before.get(f.account)?.pending ?? 0n,
  }));
  for (const c of carried) if (!activeSet?.has(c.claimant)) points.push({ claimant: c.claimant, points: 0n, pending: c.pending });
  const converted = convert(points, x.conversion);
  // One object per wallet serves as its stored row and as its dataset record.
  const wallets: (EpochWalletRow & WalletTotals)[] = new Array(converted.length);
  const leaves: WalletTotals[] = [];
  let pointsSum = 0n;
  let allocatedSum = 0n;
  let releasedSum = 0n;
  for (let i = 0; i < converted.length; i++) {
    const c = converted[i]!;
    const f = i < active.length ? active[i] : undefined;
    const cumulative = (before.get(c.claimant)?.cumulative ?? 0n) + c.released;
    const w = {
      claimant: c.claimant,
      points: c.points,
      basePoints: f?.basePoints ?? 0n,
      campaignBonus: f?.campaignBonus ?? {},
      referralPoints: f?.referralPoints ?? 0n,
      adjustmentPoints: f?.adjustmentPoints ?? 0n,
      settlementCount: f?.settlementCount ?? 0,
      allocated: c.allocated,
      released: c.released,
      pending: c.pending,
      cumulative,
      // A dataset record's figures are never negative except adjustments: a wallet whose
      // corrections exceed its earnings shows them as such.
      cumulativeAmount: cumulative,
      epochAmount: c.released,
    };
    wallets[i] = w;
    if (cumulative !== 0n) leaves.push(w); // dust still pending: no leaf yet
    pointsSum += c.points;
    allocatedSum += c.allocated;
    releasedSum += c.released;
  }
  phase("convert");
  // Every wallet with a leaf so far keeps it; this epoch's figures where it had any.
  if (before.size > 0) {
    const changed = new Set(wallets.map((w) => w.claimant));
    for (const [claimant, b] of before) {
      if (changed.has(claimant) || b.cumulative === 0n) continue;
      leaves.push({
        claimant,
        cumulativeAmount: b.cumulative,
        epochAmount: 0n,
        basePoints: 0n,
        campaignBonus: {},
        referralPoints: 0n,
        adjustmentPoints: 0n,
        settlementCount: 0,
      });
    }
  }
  return { wallets, activeCount: active.length, leaves, before, carried, unpayable, pointsSum, allocatedSum, releasedSum };
}

/**
 * Computes an epoch from the ledger and the epoch before it, and writes its manifest, dataset and
 * proof shards into `dir`. Used to close an epoch and to rebuild the files of a closed one.
 * `copy`: the server takes COPY (db/connection.ts supportsCopy). `store`, given the figures once
 * the manifest is written, runs on the connection while this process writes the dataset and the
 * shards (which need no database), so the server stores the wallets meanwhile.
 */
async function computeEpoch(
  q: Queryable,
  x: EpochInputs,
  dir: string,
  copy: boolean,
  onPhase: (phase: string, ms: number) => void = () => {},
  store?: (s: Summed) => Promise<void>,
): Promise<Computed> {
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    onPhase(name, now - t);
    t = now;
  };
  const { wallets, activeCount, leaves, before, carried, unpayable, pointsSum, allocatedSum, releasedSum } = await walletsOf(q, x, phase);
  const manifest = await writeManifest(
    q,
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
    carried.sort((a, b) => (a.claimant < b.claimant ? -1 : 1)),
    copy,
  );
  phase("manifest");
  let cumulativeTotal = 0n;
  for (const l of leaves) cumulativeTotal += l.cumulativeAmount;
  const summed: Summed = {
    // carried wallets whose balance did not move have no row of their own this epoch
    wallets:
      wallets.length === activeCount
        ? wallets
        : wallets.filter(
            (w, i) => i < activeCount || w.points !== 0n || w.released !== 0n || w.pending !== (before.get(w.claimant)?.pending ?? 0n),
          ),
    inputsHash: manifest.inputsHash,
    leafCount: leaves.length,
    settlementCount: BigInt(manifest.settlements),
    points: pointsSum,
    allocated: allocatedSum,
    released: releasedSum,
    cumulativeTotal,
  };
  const storing = store?.(summed);
  storing?.catch(() => {}); // awaited below, after the files or before a failure propagates
  let written: Awaited<ReturnType<typeof writeDataset>>;
  try {
    written = await writeDataset(
      join(dir, DATASET_FILE),
      { distributor: x.distributor.address, mint: x.distributor.mint, epoch: x.epoch, slots: x.slots, inputsHash: manifest.inputsHash },
      leaves,
    );
    phase("dataset + tree + independent check");
    if (leaves.length > 0) await writeProofShards(written.tree, join(dir, SHARDS_DIR), { epoch: x.epoch });
    phase("proof shards");
  } catch (err) {
    // the connection is the caller's transaction: it may only roll back once the store is over
    await storing?.catch(() => {});
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
  return { ...summed, root: written.header.root, datasetHash: written.datasetHash.toString("hex"), unpayable };
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
    const c = await computeEpoch(sql, inputsOf(d, e, previous), scratch, supportsCopy(sql));
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
      const c = await computeEpoch(tx, inputs, scratch, copy, opts.onPhase, (s) =>
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
