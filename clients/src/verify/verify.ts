// The auditor's verify (docs/verify.md): checks a published epoch against the chain with the files
// the operator published, and nothing of the operator's database.
import { createReadStream } from "node:fs";
import { DatasetError, loadDataset } from "../dataset/index.js";
import { buildTree } from "../merkle/index.js";
import { readChain, vaultBalance, type ChainState } from "./chain.js";
import { inputError } from "./errors.js";
import { claimantAt, scanDataset, scanDatasetBeside, type ScannedDataset } from "./scan.js";
import { openSource, sha256File, type LocalFile } from "./source.js";

export type CheckStatus = "pass" | "fail" | "skip";

/** The first thing that differs: which record (when one is at fault), which field, the expected value, the value found. */
export interface Mismatch {
  claimant?: string;
  field: string;
  expected: string;
  got: string;
}

export interface CheckResult {
  /** Stable id: chain, dataset-hash, tree, inputs-hash, manifest, previous, vault, replay. */
  id: string;
  status: CheckStatus;
  /** One line: what was compared and what was found. */
  detail: string;
  mismatch?: Mismatch;
}

export interface VerifyReport {
  epoch: string;
  distributor: string;
  /** Root status on-chain (pending, active, vetoed), when the root exists. */
  rootStatus?: string;
  checks: CheckResult[];
  /** True when no check failed. */
  ok: boolean;
  /** The first failed check's mismatch, with the check's id. */
  firstFailure?: Mismatch & { check: string; detail: string };
}

export interface VerifyOptions {
  epoch: bigint;
  rpc: string;
  /** PATH or http(s) URL of the epoch's dataset. */
  dataset: string;
  /** PATH or URL of the epoch's manifest: its sha256 must be the inputs hash on-chain. */
  manifest?: string;
  /** PATH or URL of epoch N−1's dataset: no cumulative amount may decrease, no wallet disappear. */
  previousDataset?: string;
  /** The distributor the auditor means; by default the one the dataset's header names. */
  distributor?: string;
  /**
   * Also load the dataset as records (`loadDataset`): each record's own checks (points = its parts,
   * its leaf field, every total of the header, the canonical serialization of every field). The
   * default reads only what the root depends on (claimant, cumulative amount); --replay proves the rest.
   */
  full?: boolean;
  /** Progress of long steps (the CLI shows it on a terminal). */
  onProgress?: (step: string) => void;
  /** Sees each verdict as soon as it is known. */
  onCheck?: (c: CheckResult) => void;
}

/** What a caller with more checks (the replay) needs from the run. */
export interface VerifyContext {
  chain: ChainState;
  /** The dataset's records (claimant, cumulative amount), when it could be read. */
  dataset: ScannedDataset | undefined;
  datasetPath: string;
  /** Epoch N−1's dataset, when given and committed on-chain. */
  previous: ScannedDataset | undefined;
  manifestPath: string | undefined;
}

export class Checks {
  readonly list: CheckResult[] = [];
  constructor(private readonly onCheck?: (c: CheckResult) => void) {}
  add(c: CheckResult): CheckResult {
    this.list.push(c);
    this.onCheck?.(c);
    return c;
  }
  pass(id: string, detail: string) {
    return this.add({ id, status: "pass", detail });
  }
  skip(id: string, detail: string) {
    return this.add({ id, status: "skip", detail });
  }
  fail(id: string, detail: string, mismatch: Mismatch) {
    return this.add({ id, status: "fail", detail, mismatch });
  }
  /** Compares a list of (field, expected, got): fails on the first that differs. */
  compare(id: string, passDetail: string, pairs: readonly (readonly [string, string, string])[], claimant?: string) {
    for (const [field, expected, got] of pairs) {
      if (expected !== got)
        return this.fail(id, `${field}: expected ${expected}, got ${got}`, { ...(claimant ? { claimant } : {}), field, expected, got });
    }
    return this.pass(id, passDetail);
  }
}

export function report(epoch: bigint, distributor: string, rootStatus: string | undefined, checks: readonly CheckResult[]): VerifyReport {
  const failed = checks.find((c) => c.status === "fail");
  return {
    epoch: epoch.toString(),
    distributor,
    ...(rootStatus ? { rootStatus } : {}),
    checks: [...checks],
    ok: failed === undefined,
    ...(failed ? { firstFailure: { check: failed.id, detail: failed.detail, ...failed.mismatch! } } : {}),
  };
}

/** The header line of a dataset, read without loading the rest (the distributor to look up). */
async function peekHeader(path: string): Promise<{ distributor?: unknown; epoch?: unknown }> {
  let text = "";
  for await (const chunk of createReadStream(path, { end: 64 * 1024 })) {
    text += chunk.toString();
    if (text.includes("\n")) break;
  }
  const line = text.slice(0, text.indexOf("\n"));
  try {
    return JSON.parse(line);
  } catch {
    // a damaged header still names its distributor, most likely: the checks then say what is wrong
    return { distributor: /"distributor":"([1-9A-HJ-NP-Za-km-z]{32,44})"/.exec(line)?.[1] };
  }
}

function datasetFailure(err: unknown): Mismatch & { detail: string } {
  if (!(err instanceof DatasetError)) throw err;
  return {
    ...(err.claimant ? { claimant: err.claimant } : {}),
    field: err.code,
    expected: "a valid dataset",
    got: err.message,
    detail: `the dataset is refused: ${err.message}`,
  };
}

/** Epoch N−1 → N: every wallet of N−1 still has a leaf, with a cumulative amount at least as large. */
function comparePrevious(checks: Checks, a: ScannedDataset, b: ScannedDataset, epoch: bigint): void {
  const [na, nb] = [a.header.leafCount, b.header.leafCount];
  let j = 0;
  for (let i = 0; i < na; i++) {
    const at = i * 32;
    while (j < nb && b.claimants.compare(a.claimants, at, at + 32, j * 32, j * 32 + 32) < 0) j++;
    if (j >= nb || b.claimants.compare(a.claimants, at, at + 32, j * 32, j * 32 + 32) !== 0) {
      const name = claimantAt(a, i);
      checks.fail("previous", `wallet ${name} had a leaf in epoch ${epoch - 1n} and has none in epoch ${epoch}`, {
        claimant: name,
        field: "leaf",
        expected: `present (cumulative ${a.amounts[i]} in epoch ${epoch - 1n})`,
        got: "absent",
      });
      return;
    }
    if (b.amounts[j]! < a.amounts[i]!) {
      const name = claimantAt(a, i);
      checks.fail("previous", `wallet ${name}: cumulative amount decreased from ${a.amounts[i]} to ${b.amounts[j]}`, {
        claimant: name,
        field: "cumulativeAmount",
        expected: `>= ${a.amounts[i]}`,
        got: String(b.amounts[j]),
      });
      return;
    }
  }
  checks.pass("previous", `${na} wallets of epoch ${epoch - 1n} all kept their leaf, none decreased (${nb - na} new)`);
}

/**
 * Checks 1–3 of docs/verify.md: the dataset against the EpochRoot (hash, rebuilt root, total, leaf
 * count, inputs hash), the manifest's hash, epoch N−1 → N, the vault. Throws VerifyError on bad
 * input ("input") or an unreachable RPC ("rpc"); every check that ran is in the report.
 * `more` runs extra checks (the replay) with what this run loaded, before the files are released.
 */
export async function verifyEpoch(o: VerifyOptions, more?: (ctx: VerifyContext, checks: Checks) => Promise<void>): Promise<VerifyReport> {
  if (o.epoch < 1n) throw inputError(`epoch must be 1 or more, got ${o.epoch}`);
  const progress = o.onProgress ?? (() => {});
  const opened: LocalFile[] = [];
  try {
    const dataset = await openSource(o.dataset, "dataset");
    opened.push(dataset);
    const manifest = o.manifest ? await openSource(o.manifest, "manifest") : undefined;
    if (manifest) opened.push(manifest);
    const previous = o.previousDataset ? await openSource(o.previousDataset, "previous dataset") : undefined;
    if (previous) opened.push(previous);

    const header = await peekHeader(dataset.path);
    const distributor = o.distributor ?? (typeof header.distributor === "string" ? header.distributor : undefined);
    if (!distributor)
      throw inputError(`dataset ${o.dataset}: no distributor in its first line (not a merit epoch dataset?); name it with --distributor`);

    const checks = new Checks(o.onCheck);
    progress("reading the chain");
    const chain = await readChain(o.rpc, distributor, o.epoch);
    const root = chain.root;
    if (!root) {
      checks.fail("chain", `no root for epoch ${o.epoch} of ${distributor} on-chain`, {
        field: "epochRoot",
        expected: `an EpochRoot for epoch ${o.epoch}`,
        got: "none",
      });
      return report(o.epoch, distributor, undefined, checks.list);
    }
    checks.pass(
      "chain",
      `EpochRoot ${root.address} (${root.status}), distributor latest epoch ${chain.distributor.latestEpoch}, read at slot ${chain.slot}`,
    );

    // Epoch N−1's dataset is read on a second core while this thread reads epoch N's.
    const previousScan = previous && o.epoch > 1n && chain.previousRoot ? scanDatasetBeside(previous.path) : undefined;
    previousScan?.catch(() => {}); // awaited below; an early failure here is not unhandled
    progress("reading the dataset");
    let scanned: ScannedDataset | undefined;
    try {
      scanned = await scanDataset(dataset.path);
    } catch (err) {
      const f = datasetFailure(err);
      const hash = await sha256File(dataset.path);
      checks.compare("dataset-hash", `sha256 ${hash} is the dataset hash on-chain`, [["datasetHash", root.datasetHash, hash]]);
      checks.fail("tree", f.detail, f);
    }
    if (scanned) {
      const h = scanned.header;
      checks.compare("dataset-hash", `sha256 ${scanned.datasetHash} is the dataset hash on-chain`, [
        ["datasetHash", root.datasetHash, scanned.datasetHash],
      ]);
      progress("rebuilding the tree");
      const tree = await buildTree(h.distributor, { claimants: scanned.claimants, amounts: scanned.amounts }, { reuseInput: true });
      const built = tree.root.toString("hex");
      checks.compare("tree", `root ${built}, ${h.leafCount} leaves, cumulative total ${scanned.total}: as on-chain`, [
        ["distributor", distributor, h.distributor],
        ["mint", chain.distributor.mint, h.mint],
        ["epoch", o.epoch.toString(), h.epoch.toString()],
        ["root", root.root, built],
        ["header.root", built, h.root],
        ["cumulativeTotal", root.cumulativeTotal.toString(), scanned.total.toString()],
        ["header.totals.cumulativeAmount", scanned.total.toString(), h.totals.cumulativeAmount.toString()],
        ["leafCount", root.leafCount.toString(), h.leafCount.toString()],
      ]);
      checks.compare("inputs-hash", `the dataset's inputs hash ${h.inputsHash} is the one on-chain`, [
        ["inputsHash", root.inputsHash, h.inputsHash],
      ]);
      if (o.full) {
        progress("loading every record");
        try {
          await loadDataset(dataset.path);
          checks.pass("records", "every record passes its own checks (points = its parts, its leaf), the header's totals add up");
        } catch (err) {
          const f = datasetFailure(err);
          checks.fail("records", f.detail, f);
        }
      }
    }

    if (manifest) {
      const mh = await sha256File(manifest.path);
      checks.compare("manifest", `sha256 ${mh} is the inputs hash on-chain`, [["manifest sha256", root.inputsHash, mh]]);
    } else checks.skip("manifest", "no --manifest given");

    let prev: ScannedDataset | undefined;
    if (previous) {
      progress("reading the previous dataset");
      const prevRoot = chain.previousRoot;
      if (o.epoch === 1n) throw inputError("epoch 1 has no previous epoch: drop --previous-dataset");
      if (!prevRoot) {
        checks.fail("previous", `no root for epoch ${o.epoch - 1n} on-chain`, {
          field: "epochRoot",
          expected: `an EpochRoot for epoch ${o.epoch - 1n}`,
          got: "none",
        });
      } else {
        try {
          prev = await previousScan!;
        } catch (err) {
          const f = datasetFailure(err);
          checks.fail("previous", `epoch ${o.epoch - 1n}'s dataset: ${f.detail}`, f);
        }
        if (prev && prev.datasetHash !== prevRoot.datasetHash) {
          checks.fail("previous", `epoch ${o.epoch - 1n}'s dataset is not the one committed on-chain`, {
            field: "previous datasetHash",
            expected: prevRoot.datasetHash,
            got: prev.datasetHash,
          });
          prev = undefined;
        } else if (prev && scanned) comparePrevious(checks, prev, scanned, o.epoch);
      }
    } else checks.skip("previous", o.epoch === 1n ? "epoch 1: nothing before it" : "no --previous-dataset given");

    progress("reading the vault");
    const balance = await vaultBalance(o.rpc, chain.distributor.vault);
    const owed = chain.distributor.latestTotal - chain.distributor.totalClaimed;
    if (balance >= owed)
      checks.pass(
        "vault",
        `vault ${chain.distributor.vault} holds ${balance}, owes ${owed} (newest cumulative total ${chain.distributor.latestTotal} - claimed ${chain.distributor.totalClaimed})`,
      );
    else
      checks.fail(
        "vault",
        `vault ${chain.distributor.vault} holds ${balance} but owes ${owed} (newest cumulative total ${chain.distributor.latestTotal} - claimed ${chain.distributor.totalClaimed})`,
        { field: "vaultBalance", expected: `>= ${owed}`, got: balance.toString() },
      );

    if (more) await more({ chain, dataset: scanned, datasetPath: dataset.path, previous: prev, manifestPath: manifest?.path }, checks);
    return report(o.epoch, distributor, root.status, checks.list);
  } finally {
    await Promise.all(opened.map((f) => f.dispose()));
  }
}
