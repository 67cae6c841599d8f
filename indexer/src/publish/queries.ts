import type { Queryable } from "../db/connection.js";
import type { EpochRootState } from "./chain.js";

/** The on-chain life of epochs in Postgres: closed -> proposed (signature) -> pending -> active | vetoed. */

const at = (unix: bigint) => new Date(Number(unix) * 1000);

/** Before sending: the signature and until when it can land, committed so a restart finds it. */
export async function markProposing(
  q: Queryable,
  distributor: string,
  epoch: bigint,
  signature: string,
  validUntil: bigint,
): Promise<void> {
  await q`
    update epochs set status = 'proposed', propose_signature = ${signature}, propose_valid_until = ${validUntil}, proposed_at = now()
    where distributor = ${distributor} and epoch = ${epoch} and status in ('closed', 'proposed')`;
}

/** The proposal was refused and cannot land: the epoch is closed again, as before the attempt. */
export async function unmarkProposing(q: Queryable, distributor: string, epoch: bigint): Promise<void> {
  await q`
    update epochs set status = 'closed', propose_signature = null, propose_valid_until = null, proposed_at = null
    where distributor = ${distributor} and epoch = ${epoch} and status = 'proposed'`;
}

/** The EpochRoot account as found on-chain (the truth): its status and times. */
export async function recordChainState(
  q: Queryable,
  distributor: string,
  epoch: bigint,
  root: EpochRootState,
  signature: string | undefined,
): Promise<void> {
  await q`
    update epochs set
      status = ${root.status},
      propose_signature = coalesce(${signature ?? null}, propose_signature),
      propose_valid_until = null,
      proposed_at = ${at(root.proposedAt)},
      activates_at = ${at(root.activatesAt)},
      activated_at = ${root.status === "active" ? at(root.activatedAt) : null},
      vetoed_at = case when ${root.status} = 'vetoed' then coalesce(vetoed_at, now()) else null end
    where distributor = ${distributor} and epoch = ${epoch}`;
}
