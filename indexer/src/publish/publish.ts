import { join } from "node:path";
import { type Connection, type Keypair, PublicKey } from "@solana/web3.js";
import { loadDataset } from "@merit/clients/dataset";
import { proposeRootInstruction, type MeritDistributorProgram } from "@merit/clients/idl";
import { verifyTreeIndependently } from "@merit/clients/merkle";
import type { Queryable, Sql } from "../db/connection.js";
import { DATASET_FILE, epochDir } from "../epochs/close.js";
import { type EpochRow, type EpochStatus, getDistributor, listEpochs } from "../epochs/queries.js";
import { BugError, CallerError, type CallerErrorCode } from "../errors.js";
import { type ChainView, type EpochRootState, landedOk, offlineProgram, proposalSignature, readChain } from "./chain.js";
import { BUSY, withPublisherLock } from "./lock.js";
import { markProposing, recordChainState, unmarkProposing } from "./queries.js";
import { RejectedError, type SendSettings, sendWithRetries, unsignedBase64, waitForLanding } from "./send.js";

/**
 * Publishing a closed epoch: `propose_root` with its root, cumulative total, leaf count, dataset
 * hash and inputs hash, after checking the files and the chain (docs/publishing.md). The EpochRoot
 * account is the truth: the same root on-chain means done, a different one stops everything.
 */
export interface PublishContext {
  sql: Sql;
  connection: Connection;
  dataDir: string;
  /** Signs and pays; not needed with `unsigned`. Only its public key is ever logged. */
  signer?: Keypair;
  send: SendSettings;
  log: (line: string) => void;
  program?: MeritDistributorProgram;
}

export type PublishOutcome =
  | { outcome: "proposed"; epoch: bigint; signature: string; status: EpochStatus; activatesAt: bigint }
  | { outcome: "recorded"; epoch: bigint; signature: string | undefined; status: EpochStatus }
  | { outcome: "unsigned"; epoch: bigint; publisher: string; transaction: string; instruction: UnsignedInstruction }
  | { outcome: "nothing" }
  | { outcome: "busy" };

/** The bare instruction, for a multisig that builds its own transaction (Squads vault transactions). */
export interface UnsignedInstruction {
  programId: string;
  accounts: { pubkey: string; isSigner: boolean; isWritable: boolean }[];
  data: string;
}

export interface PublishOptions {
  distributor: string;
  /** The epoch to publish; default the oldest closed one not on-chain yet. */
  epoch?: bigint;
  /** Send despite an uncovered vault or a growth over the program's cap. */
  force?: boolean;
  /** Print the transaction for a multisig instead of signing: the fee payer and publisher. */
  unsigned?: { publisher?: PublicKey };
}

/** A reason not to send, and whether --force overrides it. */
export interface Refusal {
  code: CallerErrorCode;
  message: string;
  forceable: boolean;
}

const programOf = (ctx: PublishContext) => ctx.program ?? offlineProgram(ctx.connection);

/**
 * What would make the proposal fail or leave claims unpaid, from the Distributor account, the
 * vault and the signer. Pure, so each refusal is tested on its own.
 */
export function proposalRefusals(
  e: Pick<EpochRow, "epoch" | "cumulativeTotal">,
  chain: ChainView,
  publisher: PublicKey | undefined,
): Refusal[] {
  const d = chain.distributor;
  const out: Refusal[] = [];
  if (d.paused)
    out.push({
      code: "distributor_paused",
      message: "the distributor is paused (by its guardian or admin): no root can be proposed until it is unpaused",
      forceable: false,
    });
  if (publisher && !publisher.equals(d.publisher)) {
    out.push({
      code: "not_publisher",
      message: `the key ${publisher.toBase58()} is not the distributor's publisher ${d.publisher.toBase58()}`,
      forceable: false,
    });
  }
  if (e.epoch <= d.latestEpoch) {
    out.push({
      code: "epoch_out_of_order",
      message: `epoch ${d.latestEpoch} is already proposed on-chain and epochs only increase: epoch ${e.epoch} can no longer be proposed`,
      forceable: false,
    });
  }
  if (e.cumulativeTotal < d.latestTotal) {
    out.push({
      code: "total_decreased",
      message: `the cumulative total ${e.cumulativeTotal} is below the newest non-vetoed root's ${d.latestTotal}: the program refuses a decrease`,
      forceable: false,
    });
  } else if (e.cumulativeTotal - d.latestTotal > d.maxTotalIncrease) {
    out.push({
      code: "cap_exceeded",
      message: `the growth ${e.cumulativeTotal - d.latestTotal} (cumulative total ${e.cumulativeTotal} over the newest non-vetoed root's ${d.latestTotal}) exceeds the program's per-epoch cap max_total_increase ${d.maxTotalIncrease}: the program would refuse it (CapExceeded); the admin can raise the cap with set_params`,
      forceable: true,
    });
  }
  const owed = e.cumulativeTotal - d.totalClaimed;
  if (chain.vaultBalance < owed) {
    out.push({
      code: "vault_uncovered",
      message: `the vault ${d.vault.toBase58()} holds ${chain.vaultBalance} but the new outstanding obligation is ${owed} (cumulative total ${e.cumulativeTotal} minus ${d.totalClaimed} claimed): fund it with at least ${owed - chain.vaultBalance} more, or --force to propose anyway`,
      forceable: true,
    });
  }
  return out;
}

/** Whether the on-chain root is this epoch's, field by field; a list of the differences. */
function differences(e: EpochRow, r: EpochRootState): string[] {
  const pairs: [string, string, string][] = [
    ["root", e.root, r.root],
    ["cumulative total", String(e.cumulativeTotal), String(r.cumulativeTotal)],
    ["leaf count", String(e.leafCount), String(r.leafCount)],
    ["dataset hash", e.datasetHash, r.datasetHash],
    ["inputs hash", e.inputsHash, r.inputsHash],
  ];
  return pairs.filter(([, a, b]) => a !== b).map(([what, a, b]) => `${what}: ours ${a}, on-chain ${b}`);
}

/**
 * An EpochRoot exists for this epoch: record it when it is ours, alert and stop when it is not
 * (never overwritten: the program cannot, and we would not).
 */
async function adoptChainRoot(
  ctx: PublishContext,
  q: Queryable,
  e: EpochRow,
  r: EpochRootState,
  sent?: string,
): Promise<{ signature: string | undefined; status: EpochStatus }> {
  const diff = differences(e, r);
  if (diff.length > 0) {
    const msg = `ALERT: epoch ${e.epoch} of ${e.distributor} has a different root on-chain than the one closed here (${diff.join("; ")}). Nothing was sent; find out who proposed it (the publisher key may be compromised) and have the guardian veto it while it is pending`;
    ctx.log(msg);
    throw new BugError("onchain_root_mismatch", msg);
  }
  // Ours when we sent it (now, or before a crash); else searched in the account's history.
  const signature =
    sent ??
    (e.proposeSignature && (await landedOk(ctx.connection, e.proposeSignature))
      ? e.proposeSignature
      : await proposalSignature(ctx.connection, new PublicKey(e.distributor), e.epoch, programOf(ctx).programId));
  await recordChainState(q, e.distributor, e.epoch, r, signature);
  return { signature, status: r.status };
}

/** Loads the epoch's dataset (checking its hash), re-checks its tree independently, compares with the row. */
export async function checkEpochFiles(dataDir: string, e: EpochRow): Promise<void> {
  const file = join(epochDir(dataDir, e.distributor, e.epoch), DATASET_FILE);
  let loaded: Awaited<ReturnType<typeof loadDataset>>;
  try {
    loaded = await loadDataset(file, { expectedDatasetHash: e.datasetHash });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CallerError(
        "files_missing",
        `epoch ${e.epoch}: ${file} is missing (write it again with: epoch rebuild ${e.epoch} --distributor ${e.distributor})`,
      );
    }
    throw new BugError("dataset_mismatch", `epoch ${e.epoch}: the dataset ${file} does not check out: ${(err as Error).message}`, err);
  }
  const root = verifyTreeIndependently(loaded.tree).toString("hex");
  const got = [
    ["root", e.root, root],
    ["leaf count", String(e.leafCount), String(loaded.tree.size)],
    ["cumulative total", String(e.cumulativeTotal), String(loaded.header.totals.cumulativeAmount)],
    ["inputs hash", e.inputsHash, loaded.header.inputsHash],
  ].filter(([, a, b]) => a !== b);
  if (got.length > 0)
    throw new BugError(
      "dataset_mismatch",
      `epoch ${e.epoch}: the dataset disagrees with the closed epoch (${got.map(([w, a, b]) => `${w} ${a} vs ${b}`).join("; ")})`,
    );
}

async function target(q: Queryable, distributor: string, epoch: bigint | undefined): Promise<EpochRow | undefined> {
  const rows = await listEpochs(q, distributor);
  const open = rows.filter((r) => r.status === "closed" || r.status === "proposed");
  if (epoch === undefined) return open[0];
  const row = rows.find((r) => r.epoch === epoch);
  if (!row) throw new CallerError("unknown_epoch", `epoch ${epoch} of ${distributor} is not closed`);
  if (open.length > 0 && open[0]!.epoch < epoch) {
    throw new CallerError(
      "epoch_out_of_order",
      `epoch ${open[0]!.epoch} is not on-chain yet: publish it first (epochs go on-chain in order)`,
    );
  }
  return row;
}

const hexBytes = (h: string) => Buffer.from(h, "hex");

/** Publishes one epoch (default: the oldest not on-chain). Returns `busy` when another publisher holds the lock. */
export async function publishEpoch(ctx: PublishContext, opts: PublishOptions): Promise<PublishOutcome> {
  const r = await withPublisherLock(ctx.sql, opts.distributor, (q) => publishLocked(ctx, q, opts));
  return r === BUSY ? { outcome: "busy" } : r;
}

async function publishLocked(ctx: PublishContext, q: Queryable, opts: PublishOptions): Promise<PublishOutcome> {
  const program = programOf(ctx);
  if (!(await getDistributor(q, opts.distributor)))
    throw new CallerError(
      "unknown_distributor",
      `distributor ${opts.distributor} is not configured here (add it with: epoch distributor add)`,
    );
  const e = await target(q, opts.distributor, opts.epoch);
  if (!e) return { outcome: "nothing" };
  if (e.status !== "closed" && e.status !== "proposed")
    return { outcome: "recorded", epoch: e.epoch, signature: e.proposeSignature ?? undefined, status: e.status };
  const distributor = new PublicKey(e.distributor);
  let chain = await readChain(ctx.connection, program, distributor, e.epoch);
  if (chain.epochRoot) return { outcome: "recorded", epoch: e.epoch, ...(await adoptChainRoot(ctx, q, e, chain.epochRoot)) };

  // A proposal sent before a crash may still land: wait for it rather than sending a second one.
  if (e.status === "proposed" && e.proposeSignature && e.proposeValidUntil !== null) {
    ctx.log(`publish: epoch ${e.epoch}: a proposal (${e.proposeSignature}) was sent before a restart; waiting for it to land or expire`);
    const landing = await waitForLanding(ctx.connection, e.proposeSignature, e.proposeValidUntil, ctx.send.pollMs);
    chain = await readChain(ctx.connection, program, distributor, e.epoch);
    if (chain.epochRoot) return { outcome: "recorded", epoch: e.epoch, ...(await adoptChainRoot(ctx, q, e, chain.epochRoot)) };
    ctx.log(
      `publish: epoch ${e.epoch}: that proposal ${landing.landed ? "landed without an EpochRoot" : landing.reason === "expired" ? "expired" : `failed (${landing.error})`}; sending a new one`,
    );
  }

  await checkEpochFiles(ctx.dataDir, e);
  const publisher = opts.unsigned ? (opts.unsigned.publisher ?? chain.distributor.publisher) : ctx.signer?.publicKey;
  if (!publisher)
    throw new CallerError("no_publisher_key", "no publisher key: set PUBLISHER_KEYPAIR or PUBLISHER_SECRET_KEY, or use --unsigned");
  const refusals = proposalRefusals(e, chain, publisher);
  const blocking = refusals.filter((r) => !r.forceable || !opts.force);
  for (const r of refusals.filter((x) => x.forceable && opts.force)) ctx.log(`publish: epoch ${e.epoch}: --force: ${r.message}`);
  if (blocking.length > 0)
    throw new CallerError(blocking[0]!.code, `epoch ${e.epoch} not proposed: ${blocking.map((r) => r.message).join("; ")}`);

  const ix = proposeRootInstruction(program, publisher, distributor, {
    epoch: e.epoch,
    root: hexBytes(e.root),
    cumulativeTotal: e.cumulativeTotal,
    leafCount: BigInt(e.leafCount),
    datasetHash: hexBytes(e.datasetHash),
    inputsHash: hexBytes(e.inputsHash),
  });
  if (opts.unsigned) {
    const transaction = await unsignedBase64(ctx.connection, ctx.send, publisher, [ix]);
    const instruction = {
      programId: ix.programId.toBase58(),
      accounts: ix.keys.map((k) => ({ pubkey: k.pubkey.toBase58(), isSigner: k.isSigner, isWritable: k.isWritable })),
      data: ix.data.toString("base64"),
    };
    return { outcome: "unsigned", epoch: e.epoch, publisher: publisher.toBase58(), transaction, instruction };
  }

  ctx.log(
    `publish: proposing epoch ${e.epoch} of ${e.distributor} (root ${e.root}, cumulative total ${e.cumulativeTotal}) as ${publisher.toBase58()}`,
  );
  const onChain = async () => {
    chain = await readChain(ctx.connection, program, distributor, e.epoch);
    return chain.epochRoot;
  };
  let signature: string | undefined;
  try {
    signature = await sendWithRetries(ctx.connection, ctx.send, ctx.signer!, [ix], {
      beforeSend: (s) => markProposing(q, e.distributor, e.epoch, s.signature, s.validUntil),
      // A late landing of an earlier attempt shows up as the EpochRoot: then nothing more is sent.
      beforeRetry: async () => (await onChain()) === undefined,
      log: ctx.log,
    });
  } catch (err) {
    // Refused because the epoch is taken: someone (a racing publisher, a multisig) got there first.
    if (!(err instanceof RejectedError)) throw err;
    const root = await onChain();
    if (root) return { outcome: "recorded", epoch: e.epoch, ...(await adoptChainRoot(ctx, q, e, root)) };
    // A refused transaction never lands: the epoch is closed again, nothing in flight.
    await unmarkProposing(q, e.distributor, e.epoch);
    throw err;
  }
  const root = await onChain();
  if (!root)
    throw new BugError(
      "onchain_root_mismatch",
      `epoch ${e.epoch}: the proposal ${signature ?? ""} finalized but no EpochRoot account is there`,
    );
  const adopted = await adoptChainRoot(ctx, q, e, root, signature);
  if (!signature) return { outcome: "recorded", epoch: e.epoch, ...adopted };
  ctx.log(`publish: epoch ${e.epoch} proposed (${signature}); activates at ${new Date(Number(root.activatesAt) * 1000).toISOString()}`);
  return { outcome: "proposed", epoch: e.epoch, signature, status: adopted.status, activatesAt: root.activatesAt };
}

/** `epoch record N`: picks up an epoch proposed elsewhere (a multisig) from the chain. */
export async function recordEpoch(
  ctx: PublishContext,
  opts: { distributor: string; epoch: bigint },
): Promise<{ signature: string | undefined; status: EpochStatus } | "busy"> {
  const r = await withPublisherLock(ctx.sql, opts.distributor, async (q) => {
    const e = (await listEpochs(q, opts.distributor)).find((x) => x.epoch === opts.epoch);
    if (!e) throw new CallerError("unknown_epoch", `epoch ${opts.epoch} of ${opts.distributor} is not closed`);
    const chain = await readChain(ctx.connection, programOf(ctx), new PublicKey(e.distributor), e.epoch);
    if (!chain.epochRoot)
      throw new CallerError("not_on_chain", `epoch ${e.epoch} has no EpochRoot on-chain yet (was the multisig transaction executed?)`);
    return adoptChainRoot(ctx, q, e, chain.epochRoot);
  });
  return r === BUSY ? "busy" : r;
}
