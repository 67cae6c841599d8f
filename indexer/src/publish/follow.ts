import { PublicKey } from "@solana/web3.js";
import { activateRootInstruction } from "@merit/clients/idl";
import type { Queryable } from "../db/connection.js";
import { type EpochStatus, listEpochs } from "../epochs/queries.js";
import { chainTime, type ChainRootStatus, offlineProgram, readChain } from "./chain.js";
import { BUSY, withPublisherLock } from "./lock.js";
import type { PublishContext } from "./publish.js";
import { recordChainState } from "./queries.js";
import { RejectedError, sendWithRetries } from "./send.js";

/**
 * After a proposal: sends `activate_root` once a root's `activates_at` has passed (so claims need
 * no extra instruction), records vetoes and activations, and reports the pause.
 */
export interface EpochReport {
  epoch: bigint;
  status: EpochStatus;
  /** The EpochRoot's status, when it exists. */
  chain: ChainRootStatus | undefined;
  activatesAt: bigint | undefined;
}

export interface FollowReport {
  paused: boolean;
  /** Epochs this pass activated. */
  activated: bigint[];
  epochs: EpochReport[];
}

export async function followEpochs(ctx: PublishContext, opts: { distributor: string; activate?: boolean }): Promise<FollowReport | "busy"> {
  const r = await withPublisherLock(ctx.sql, opts.distributor, (q) => followLocked(ctx, q, opts.distributor, opts.activate ?? true));
  return r === BUSY ? "busy" : r;
}

async function followLocked(ctx: PublishContext, q: Queryable, address: string, activate: boolean): Promise<FollowReport> {
  const program = ctx.program ?? offlineProgram(ctx.connection);
  const distributor = new PublicKey(address);
  let { distributor: d } = await readChain(ctx.connection, program, distributor);
  const activated: bigint[] = [];
  if (d.paused) {
    ctx.log(`publish: distributor ${address} is paused: no activation until the guardian or admin unpauses it`);
  } else if (activate && ctx.signer && d.pending.length > 0) {
    const now = await chainTime(ctx.connection);
    // Roots activate strictly in epoch order: the oldest due one first.
    for (const p of d.pending) {
      if (p.activatesAt > now) break;
      try {
        const sig = await sendWithRetries(ctx.connection, ctx.send, ctx.signer, [activateRootInstruction(program, distributor, p.epoch)], {
          log: ctx.log,
        });
        ctx.log(`publish: epoch ${p.epoch} activated (${sig})`);
        activated.push(p.epoch);
      } catch (err) {
        // A claim activates due roots too, and the guardian may veto or pause meanwhile: the chain
        // moved on; what it holds now is recorded below.
        if (!(err instanceof RejectedError)) throw err;
        ctx.log(`publish: activate_root of epoch ${p.epoch} refused (${err.programError ?? err.message}); reading the chain again`);
        break;
      }
    }
    d = (await readChain(ctx.connection, program, distributor)).distributor;
  }
  const epochs: EpochReport[] = [];
  for (const e of await listEpochs(q, address)) {
    if (e.status === "closed" || e.status === "active" || e.status === "vetoed") {
      epochs.push({
        epoch: e.epoch,
        status: e.status,
        chain: e.status === "closed" ? undefined : e.status,
        activatesAt: e.activatesAt ? BigInt(e.activatesAt.getTime() / 1000) : undefined,
      });
      continue;
    }
    const { epochRoot } = await readChain(ctx.connection, program, distributor, e.epoch);
    if (!epochRoot) {
      epochs.push({ epoch: e.epoch, status: e.status, chain: undefined, activatesAt: undefined });
      continue;
    }
    if (epochRoot.status !== e.status) {
      await recordChainState(q, address, e.epoch, epochRoot, undefined);
      if (epochRoot.status === "vetoed")
        ctx.log(`publish: epoch ${e.epoch} was VETOED on-chain: its amounts are included again in the next epoch`);
      else ctx.log(`publish: epoch ${e.epoch} is ${epochRoot.status} on-chain`);
    }
    epochs.push({ epoch: e.epoch, status: epochRoot.status, chain: epochRoot.status, activatesAt: epochRoot.activatesAt });
  }
  return { paused: d.paused, activated, epochs };
}
