// Which pending roots a transaction must activate first. Roots activate lazily and strictly in
// epoch order: a claim against a due root that is not the oldest pending one fails with
// OutOfOrderActivation, so clients prepend activate_root for every due root before it.

/** The part of a decoded Distributor account this needs (Anchor's `program.account.distributor`). */
export interface PendingQueue {
  pending: { epoch: { toString(): string }; activatesAt: { toString(): string } }[];
  pendingCount: number;
}

/** Epochs of the due pending roots up to and including `epoch`, oldest first. */
export function activationsBefore(queue: PendingQueue, epoch: bigint, now: bigint): bigint[] {
  const due: bigint[] = [];
  for (const root of queue.pending.slice(0, queue.pendingCount)) {
    const e = BigInt(root.epoch.toString());
    if (e > epoch || BigInt(root.activatesAt.toString()) > now) break;
    due.push(e);
  }
  return due;
}
