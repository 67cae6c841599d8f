import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset, writeDataset, type DatasetRecord, type WalletTotals } from "@merit/clients/dataset";
import { decodeKey58 } from "@merit/clients/merkle";
import type { Checks, VerifyContext } from "@merit/clients/verify";
import { claimantAt, openSource, VerifyError } from "@merit/clients/verify";
import { verifySignature } from "../accounts/signatures.js";
import { MeritError } from "../errors.js";
import { convert, parseConversion } from "../epochs/convert.js";
import { BlockIndex } from "../ingest/rpc/block-index.js";
import { RpcClient } from "../ingest/rpc/client.js";
import { compile, pickRuleSet } from "../scoring/compiled.js";
import { dayOf } from "../scoring/points/math.js";
import { eventTime, scoreSettlement } from "../scoring/score.js";
import { ScoringState } from "../scoring/state.js";
import { MAX_WINDOW_DAYS } from "../rules/schema.js";
import type { Settlement } from "../scoring/types.js";
import { ManifestError, readManifest, type ParsedManifest } from "./manifest.js";
import { fetchSettlements } from "./settlements.js";

const ZERO_HASH = "0".repeat(64);

export interface ReplayOptions {
  rpc: string;
  epoch: bigint;
  /**
   * Where the manifests of epochs 1..N−1 are: a directory (or URL) holding `<k>/manifest.ndjson`,
   * the operator's publication layout. Scoring state (tiers, streaks, campaign budgets, first
   * settlements) carries across epochs, so an exact replay of epoch N > 1 starts at epoch 1.
   */
  manifestsDir?: string;
  requestsPerSecond?: number;
  concurrency?: number;
  onProgress?: (step: string) => void;
}

interface Figures {
  basePoints: bigint;
  campaignBonus: Record<string, bigint>;
  referralPoints: bigint;
  adjustmentPoints: bigint;
  settlementCount: number;
}

const newFigures = (): Figures => ({ basePoints: 0n, campaignBonus: {}, referralPoints: 0n, adjustmentPoints: 0n, settlementCount: 0 });
const pointsOf = (f: Figures) =>
  f.basePoints + f.referralPoints + f.adjustmentPoints + Object.values(f.campaignBonus).reduce((s, v) => s + v, 0n);
const isWallet = (a: string) => decodeKey58(a) !== undefined;

/** Field of the message a challenge put on its own line ("Account: …"). */
const messageField = (message: string, name: string) =>
  message
    .split("\n")
    .find((l) => l.startsWith(`${name}: `))
    ?.slice(name.length + 2);

/** The first link or referral whose signature or message does not hold. */
function checkSignatures(m: ParsedManifest): { what: string; field: string; expected: string; got: string } | undefined {
  for (const l of m.links) {
    const what = `link ${l.address} -> ${l.account}`;
    if (l.message === null) return { what, field: "message", expected: "the signed message", got: "none" };
    if (
      messageField(l.message, "Purpose") !== "link" ||
      messageField(l.message, "Account") !== l.account ||
      messageField(l.message, "Address")?.toLowerCase() !== l.address.toLowerCase()
    ) {
      return { what, field: "message", expected: `a link of ${l.address} to ${l.account}`, got: JSON.stringify(l.message) };
    }
    if (!verifySignature(l.chain, l.address, l.message, l.signature))
      return { what, field: "signature", expected: `signed by ${l.address}`, got: "invalid" };
  }
  for (const r of m.referrals) {
    const what = `referral ${r.referee} -> ${r.referrer} (code ${r.code})`;
    if (r.message === null) return { what, field: "message", expected: "the signed message", got: "none" };
    const signer = messageField(r.message, "Address");
    if (
      messageField(r.message, "Purpose") !== "referral" ||
      messageField(r.message, "Subject") !== r.code ||
      messageField(r.message, "Account") !== r.referee ||
      !signer
    ) {
      return { what, field: "message", expected: `an adoption of code ${r.code} for ${r.referee}`, got: JSON.stringify(r.message) };
    }
    // The wallet that signed is the referee's own or an address linked to it.
    const own = signer === r.referee || m.links.some((l) => l.address === signer && l.account === r.referee);
    if (!own) return { what, field: "signer", expected: `${r.referee} or an address linked to it`, got: signer };
    if (!verifySignature("solana", signer, r.message, r.signature))
      return { what, field: "signature", expected: `signed by ${signer}`, got: "invalid" };
  }
  return undefined;
}

/** Manifests 1..N chain by hash and by range; each lists exactly its range's settlements. */
function checkChain(
  ms: readonly ParsedManifest[],
  distributor: string,
): { field: string; expected: string; got: string; epoch: bigint } | undefined {
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const before = ms[i - 1];
    const pairs: [string, string, string][] = [
      ["distributor", distributor, m.distributor],
      ["epoch", String(i + 1), m.epoch.toString()],
      ["previousInputsHash", before?.inputsHash ?? ZERO_HASH, m.previousInputsHash],
      ["range.afterSeq", (before?.range.throughSeq ?? 0n).toString(), m.range.afterSeq.toString()],
      ["range.afterOtherId", (before?.range.throughOtherId ?? 0n).toString(), m.range.afterOtherId.toString()],
      ["settlements", (m.range.throughSeq - m.range.afterSeq).toString(), m.settlements.length.toString()],
    ];
    for (const [field, expected, got] of pairs) if (expected !== got) return { field, expected, got, epoch: m.epoch };
    let prevSlot = before ? before.slots.last : -1n;
    for (const s of m.settlements) {
      if (s.slot < prevSlot || s.slot < m.slots.first || s.slot > m.slots.last)
        return {
          field: `settlement ${s.signature} slot`,
          expected: `in ${m.slots.first}..${m.slots.last}, chain order`,
          got: s.slot.toString(),
          epoch: m.epoch,
        };
      prevSlot = s.slot;
    }
  }
  return undefined;
}

/** An RPC failure (after the client's retries) is "the RPC is unreachable" (exit 3), not a verdict. */
async function viaRpc<T>(url: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof MeritError && err.kind === "upstream") throw new VerifyError("rpc", `the RPC at ${url} failed: ${err.message}`);
    throw err;
  }
}

/**
 * The manifests' order is the chain's: slots ascend; within a slot, transactions by their position
 * in the block (getBlock, only for slots holding several of them); within a transaction,
 * instructions by (outer, inner). Scoring depends on this order (tiers, budgets, first settlements).
 */
async function checkOrder(
  rpc: RpcClient,
  manifests: readonly ParsedManifest[],
): Promise<{ signature: string; field: string; expected: string; got: string } | undefined> {
  const blocks = new BlockIndex(rpc, "confirmed");
  const all = manifests.flatMap((m) => m.settlements);
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1]!, all[i]!];
    if (a.slot !== b.slot) continue; // ascending slots: checked with the ranges
    if (a.signature === b.signature) {
      if (a.outer > b.outer || (a.outer === b.outer && a.inner >= b.inner)) {
        return {
          signature: b.signature,
          field: "instruction order",
          expected: `after ${a.outer}/${a.inner}`,
          got: `${b.outer}/${b.inner}`,
        };
      }
      continue;
    }
    const [x, y] = [await blocks.resolve(a.slot, a.signature), await blocks.resolve(b.slot, b.signature)];
    if (x === null || y === null)
      return {
        signature: x === null ? a.signature : b.signature,
        field: "position in block",
        expected: `in block ${a.slot}`,
        got: "not found (an archival RPC has every block)",
      };
    if (x >= y)
      return { signature: b.signature, field: "position in block", expected: `after ${a.signature} (position ${x})`, got: `position ${y}` };
  }
  return undefined;
}

/**
 * Scores every settlement of epochs 1..N in chain order from an empty state, as the engine's
 * replay does (indexer/src/engine/replay.ts), and sums each epoch's rows and adjustments per
 * account as the epochs stage does (ledger/epoch-range.ts accountFigures): one map per epoch.
 */
export function scoreManifests(manifests: readonly ParsedManifest[], settlements: readonly Settlement[][]): Map<string, Figures>[] {
  const last = manifests.at(-1)!;
  const history = last.ruleSets.map(compile);
  const state = new ScoringState();
  for (const l of last.links) state.addressLinks.set(l.address, { to: l.account, afterSeq: l.afterSeq });
  for (const r of last.referrals) state.referralLinks.set(r.referee, { to: r.referrer, afterSeq: r.afterSeq });
  const perEpoch: Map<string, Figures>[] = [];
  let prev: Date | null = null;
  let seq = 0n;
  for (let e = 0; e < manifests.length; e++) {
    const figures = new Map<string, Figures>();
    const at = (a: string) => figures.get(a) ?? figures.set(a, newFigures()).get(a)!;
    for (const s of settlements[e]!) {
      seq += 1n;
      const time = (prev = eventTime(s, prev));
      const out = scoreSettlement(state, pickRuleSet(history, seq, time), s, seq, time);
      for (const r of out.rows) {
        const f = at(r.account);
        if (r.reason === "campaign") f.campaignBonus[r.campaignId ?? ""] = (f.campaignBonus[r.campaignId ?? ""] ?? 0n) + r.delta;
        else if (r.reason === "referral") f.referralPoints += r.delta;
        else f.basePoints += r.delta;
      }
      if (out.score.counted) at(out.score.account).settlementCount++;
      const acct = out.score.account;
      if ((state.stats.get(acct)?.days?.size ?? 0) > MAX_WINDOW_DAYS + 8) state.pruneDays(acct, dayOf(time) - MAX_WINDOW_DAYS);
    }
    state.clearDirty();
    for (const a of manifests[e]!.adjustments) at(a.account).adjustmentPoints += a.delta;
    perEpoch.push(figures);
  }
  return perEpoch;
}

/** An epoch's points to token amounts, with its carried balances (as epochs/close.ts converts them): wallets only. */
function convertEpoch(figures: Map<string, Figures>, m: ParsedManifest) {
  const active = new Map([...figures].filter(([a]) => isWallet(a)));
  const claimants = [...new Set([...active.keys(), ...m.carried.keys()])].sort();
  const converted = convert(
    claimants.map((c) => ({ claimant: c, points: active.has(c) ? pointsOf(active.get(c)!) : 0n, pending: m.carried.get(c) ?? 0n })),
    parseConversion(m.conversion),
  );
  return { active, converted };
}

/**
 * Each epoch's carried balances (amounts under the minimum, debts of negative points) are what the
 * epoch before left pending: recomputed from epoch 1 (which carries nothing) on.
 */
function checkCarries(
  manifests: readonly ParsedManifest[],
  perEpoch: readonly Map<string, Figures>[],
): { epoch: bigint; claimant: string; field: string; expected: string; got: string } | undefined {
  let expected = new Map<string, bigint>();
  for (let e = 0; e < manifests.length; e++) {
    const m = manifests[e]!;
    for (const c of [...new Set([...expected.keys(), ...m.carried.keys()])].sort()) {
      const [x, y] = [expected.get(c) ?? 0n, m.carried.get(c) ?? 0n];
      if (x !== y) return { epoch: m.epoch, claimant: c, field: "carry", expected: x.toString(), got: y.toString() };
    }
    expected = new Map(
      convertEpoch(perEpoch[e]!, m)
        .converted.filter((c) => c.pending !== 0n)
        .map((c) => [c.claimant, c.pending]),
    );
  }
  return undefined;
}

/** Epoch N's dataset leaves from its figures, its carried balances and epoch N−1's cumulative amounts (as epochs/close.ts computes them). */
function leavesOf(figures: Map<string, Figures>, m: ParsedManifest, previous: Map<string, bigint>): WalletTotals[] {
  const { active, converted } = convertEpoch(figures, m);
  const released = new Map(converted.map((c) => [c.claimant, c.released]));
  const leaves: WalletTotals[] = [];
  for (const claimant of new Set([...previous.keys(), ...released.keys()])) {
    const cumulative = (previous.get(claimant) ?? 0n) + (released.get(claimant) ?? 0n);
    if (cumulative === 0n) continue;
    const f = (released.has(claimant) && active.get(claimant)) || newFigures();
    leaves.push({ claimant, cumulativeAmount: cumulative, epochAmount: released.get(claimant) ?? 0n, ...f });
  }
  return leaves;
}

const FIELDS = [
  "cumulativeAmount",
  "epochAmount",
  "points",
  "basePoints",
  "campaignBonus",
  "referralPoints",
  "adjustmentPoints",
  "settlementCount",
] as const;
const show = (r: DatasetRecord, f: (typeof FIELDS)[number]) =>
  f === "campaignBonus"
    ? JSON.stringify(Object.fromEntries(Object.entries(r.campaignBonus).map(([k, v]) => [k, v.toString()])))
    : String(r[f]);

/** The first record (then header field) where the published dataset differs from the recomputed one. */
async function firstDifference(
  expectedPath: string,
  publishedPath: string,
): Promise<{ claimant?: string; field: string; expected: string; got: string }> {
  const expected = new Map<string, DatasetRecord>();
  const exp = await loadDataset(expectedPath, { onRecord: (r) => expected.set(r.claimant, r) });
  let found: { claimant?: string; field: string; expected: string; got: string } | undefined;
  const seen = new Set<string>();
  const pub = await loadDataset(publishedPath, {
    onRecord: (r) => {
      seen.add(r.claimant);
      if (found) return;
      const e = expected.get(r.claimant);
      if (!e) found = { claimant: r.claimant, field: "record", expected: "no record", got: `cumulative ${r.cumulativeAmount}` };
      else
        for (const f of FIELDS)
          if (!found && show(e, f) !== show(r, f)) found = { claimant: r.claimant, field: f, expected: show(e, f), got: show(r, f) };
    },
  });
  if (found) return found;
  for (const [claimant, e] of expected)
    if (!seen.has(claimant)) return { claimant, field: "record", expected: `cumulative ${e.cumulativeAmount}`, got: "no record" };
  for (const f of ["epoch", "slots", "inputsHash", "root"] as const) {
    const a = JSON.stringify(exp.header[f], (_, v) => (typeof v === "bigint" ? v.toString() : v));
    const b = JSON.stringify(pub.header[f], (_, v) => (typeof v === "bigint" ? v.toString() : v));
    if (a !== b) return { field: `header.${f}`, expected: a, got: b };
  }
  return { field: "datasetHash", expected: exp.datasetHash.toString("hex"), got: pub.datasetHash.toString("hex") };
}

/**
 * Check 4 of docs/verify.md (`verify --replay`): recomputes epoch N's dataset from its manifest (and
 * those before it) and the transactions on-chain, and compares it byte for byte with the one on-chain.
 */
export async function replayChecks(o: ReplayOptions, ctx: VerifyContext, checks: Checks): Promise<void> {
  const progress = o.onProgress ?? (() => {});
  if (!ctx.manifestPath) throw new VerifyError("input", "--replay needs --manifest: the manifest names what the epoch is computed from");
  if (o.epoch > 1n && !o.manifestsDir) {
    throw new VerifyError(
      "input",
      `--replay of epoch ${o.epoch} needs the manifests of epochs 1..${o.epoch - 1n} (--manifests-dir): scoring state carries across epochs`,
    );
  }
  if (!ctx.dataset) return void checks.skip("replay", "the dataset itself is refused (see above): nothing to compare a replay with");
  if (o.epoch > 1n && !ctx.previous)
    return void checks.skip(
      "replay",
      `epoch ${o.epoch - 1n}'s dataset is refused (see previous): its cumulative amounts are what a replay adds to`,
    );

  const manifests: ParsedManifest[] = [];
  try {
    for (let k = 1n; k < o.epoch; k++) {
      const name = /^https?:\/\//.test(o.manifestsDir!)
        ? `${o.manifestsDir!.replace(/\/$/, "")}/${k}/manifest.ndjson`
        : join(o.manifestsDir!, String(k), "manifest.ndjson");
      const f = await openSource(name, `epoch ${k}'s manifest`);
      try {
        manifests.push(await readManifest(f.path));
      } finally {
        await f.dispose();
      }
    }
    manifests.push(await readManifest(ctx.manifestPath));
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return void checks.fail("manifest-chain", err.message, {
      field: `line ${err.line}`,
      expected: "a canonical manifest line",
      got: err.message,
    });
  }
  const broken = checkChain(manifests, ctx.chain.distributor.address);
  if (broken)
    return void checks.fail(
      "manifest-chain",
      `epoch ${broken.epoch}'s manifest: ${broken.field}: expected ${broken.expected}, got ${broken.got}`,
      broken,
    );
  checks.pass(
    "manifest-chain",
    `${manifests.length} manifest(s) chain by hash back to epoch 1; each lists exactly its range's ${manifests.map((m) => m.settlements.length).join(" + ")} settlements`,
  );

  const bad = checkSignatures(manifests.at(-1)!);
  if (bad) return void checks.fail("signatures", `${bad.what}: ${bad.field}: expected ${bad.expected}, got ${bad.got}`, bad);
  checks.pass("signatures", `${manifests.at(-1)!.links.length} link and ${manifests.at(-1)!.referrals.length} referral signatures hold`);

  const rpc = new RpcClient({
    url: o.rpc,
    requestsPerSecond: o.requestsPerSecond ?? 20,
    maxConcurrency: o.concurrency ?? 8,
    maxRetries: 3,
  });
  const settlements: Settlement[][] = [];
  const total = manifests.reduce((s, m) => s + m.settlements.length, 0);
  let done = 0;
  const t0 = Date.now();
  for (const m of manifests) {
    const onProgress = (d: number, t: number) =>
      progress(`fetching epoch ${m.epoch}'s transactions: ${d}/${t} (${done + m.settlements.length}/${total} settlements overall)`);
    const got = await viaRpc(o.rpc, () => fetchSettlements(rpc, m.settlements, { onProgress }));
    if (got.problem) {
      const p = got.problem;
      return void checks.fail(
        "settlements",
        `epoch ${m.epoch}: settlement ${p.signature}: ${p.field}: expected ${p.expected}, got ${p.got}`,
        p,
      );
    }
    settlements.push(got.settlements);
    done += m.settlements.length;
  }
  const secs = (Date.now() - t0) / 1000;
  checks.pass(
    "settlements",
    `${total} settlements fetched (${rpc.stats.calls} getTransaction calls, ${(total / Math.max(secs, 0.001)).toFixed(0)} settlements/s) and parsed`,
  );
  progress("checking the order within slots");
  const order = await viaRpc(o.rpc, () => checkOrder(rpc, manifests));
  if (order)
    return void checks.fail("order", `settlement ${order.signature}: ${order.field}: expected ${order.expected}, got ${order.got}`, order);
  checks.pass("order", "the settlements are listed in chain order (slot, position in the block, instruction)");

  progress("scoring");
  const m = manifests.at(-1)!;
  let leaves: WalletTotals[];
  try {
    const previous = new Map<string, bigint>();
    const p = ctx.previous;
    if (p) for (let i = 0; i < p.header.leafCount; i++) previous.set(claimantAt(p, i), p.amounts[i]!);
    const figures = scoreManifests(manifests, settlements);
    const carry = checkCarries(manifests, figures);
    if (carry)
      return void checks.fail(
        "carry",
        `epoch ${carry.epoch}'s carried balance of ${carry.claimant}: expected ${carry.expected}, got ${carry.got}`,
        carry,
      );
    checks.pass(
      "carry",
      manifests.length > 1 ? `the carried balances of epochs 2..${m.epoch} follow from the epochs before` : "epoch 1 carries nothing",
    );
    leaves = leavesOf(figures.at(-1)!, m, previous);
  } catch (err) {
    if (err instanceof MeritError && err.kind === "caller")
      return void checks.fail("replay", `the manifest cannot be replayed: ${err.message}`, {
        field: "manifest",
        expected: "replayable inputs",
        got: err.message,
      });
    throw err;
  }
  const dir = await mkdtemp(join(tmpdir(), "merit-replay-"));
  try {
    const path = join(dir, "dataset.ndjson");
    const w = await writeDataset(
      path,
      { distributor: m.distributor, mint: m.mint, epoch: m.epoch, slots: m.slots, inputsHash: m.inputsHash },
      leaves,
    );
    const hash = w.datasetHash.toString("hex");
    if (hash === ctx.chain.root!.datasetHash)
      return void checks.pass("replay", `recomputed ${leaves.length} records: the dataset hash ${hash} is reproduced exactly`);
    const d = await firstDifference(path, ctx.datasetPath);
    checks.fail(
      "replay",
      `the recomputed dataset differs${d.claimant ? ` at ${d.claimant}` : ""}: ${d.field}: expected ${d.expected}, got ${d.got}`,
      d,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
