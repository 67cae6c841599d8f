import { Clock, type LiteSvm as InnerSvm } from "litesvm/dist/internal.js";

/**
 * Block production. A slot is a block; the open block takes transactions until its slot time has
 * passed or it holds `maxTxPerSlot`, then the next slot opens. Slots advance lazily (on the next
 * request) rather than on a timer: nothing runs while the chain is idle, yet every reader sees the
 * slot wall time implies. Each new block sets the Clock sysvar (unix time = wall clock + warp
 * offset), a fresh blockhash and the SlotHashes sysvar (address lookup tables check it).
 */
export interface Block {
  slot: number;
  parentSlot: number;
  blockHeight: number;
  blockhash: string;
  previousBlockhash: string;
  blockTime: number;
  /** Sequence numbers (history positions) of the block's transactions, in execution order. */
  txs: number[];
}

/** Blocks a blockhash stays valid for, as on mainnet (`MAX_PROCESSING_AGE`). */
export const BLOCKHASH_VALIDITY = 150;
const SLOT_HASHES_MAX = 512;

export interface BlockProducerOptions {
  slotMs: number;
  maxTxPerSlot: number;
}

export class BlockProducer {
  readonly genesisSlot: number;
  readonly blocks = new Map<number, Block>();
  private current: Block;
  private openedAt: number;
  private warpMs = 0;
  private readonly validHashes = new Map<string, number>();
  private slotHashes: { slot: bigint; hash: string }[] = [];

  constructor(
    private readonly svm: InnerSvm,
    private readonly opts: BlockProducerOptions,
    genesisSlot = Number(svm.getClock().slot),
  ) {
    this.genesisSlot = genesisSlot;
    this.openedAt = Date.now();
    this.current = this.open(this.genesisSlot, this.wallSeconds());
  }

  /** The open block, after advancing the slot if its time is up or it is full. */
  tick(now = Date.now()): Block {
    const elapsed = Math.floor((now - this.openedAt) / this.opts.slotMs);
    if (elapsed > 0 || this.current.txs.length >= this.opts.maxTxPerSlot) {
      this.openedAt = elapsed > 0 ? this.openedAt + elapsed * this.opts.slotMs : now;
      this.current = this.open(this.current.slot + Math.max(1, elapsed), this.wallSeconds(now));
    }
    return this.current;
  }

  /** Shifts chain time and/or skips slots; always opens a new block so the Clock changes at once. */
  warp(opts: { seconds?: number; slots?: number }): Block {
    this.warpMs += (opts.seconds ?? 0) * 1000;
    const slot = this.tick().slot + Math.max(1, opts.slots ?? 0);
    this.openedAt = Date.now();
    this.current = this.open(slot, this.wallSeconds());
    return this.current;
  }

  /**
   * Replay: reopen a recorded block at its slot and time, so re-executed transactions see the same
   * Clock. The recorded time is taken as it is: the block opened at start-up carries this
   * machine's clock, which must not push replayed blocks to the restart's time.
   */
  reopen(slot: number, blockTime: number): Block {
    if (slot !== this.current.slot || blockTime !== this.current.blockTime) {
      this.current = this.open(slot, blockTime, true);
      this.openedAt = Date.now();
    }
    return this.current;
  }

  /** Replay: the warp offset in force from here on. */
  restoreWarp(warpMs: number): void {
    this.warpMs = warpMs;
  }

  /** After replay: a new block at `slot`, on wall time shifted by the recorded warps. */
  resumeAt(slot: number): void {
    this.openedAt = Date.now();
    this.current = this.open(Math.max(slot, this.current.slot + 1), this.wallSeconds());
  }

  get warpOffsetMs(): number {
    return this.warpMs;
  }

  blockHeight(slot = this.current.slot): number {
    return slot - this.genesisSlot;
  }

  lastValidBlockHeight(): number {
    return this.blockHeight() + BLOCKHASH_VALIDITY;
  }

  isBlockhashValid(hash: string): boolean {
    const height = this.validHashes.get(hash);
    return height !== undefined && height + BLOCKHASH_VALIDITY >= this.blockHeight();
  }

  private wallSeconds(now = Date.now()): number {
    return Math.floor((now + this.warpMs) / 1000);
  }

  private open(slot: number, wantTime: number, recorded = false): Block {
    const prev = this.blocks.get(this.current?.slot ?? -1) ?? this.current;
    // Block times never go backwards, even when a replayed history ran ahead of this machine's clock.
    const blockTime = recorded ? wantTime : Math.max(wantTime, prev?.blockTime ?? 0);
    this.svm.expireBlockhash();
    const blockhash = this.svm.latestBlockhash();
    const block: Block = {
      slot,
      parentSlot: prev?.slot ?? slot - 1, // the first block: its (never produced) predecessor
      blockHeight: this.blockHeight(slot),
      blockhash,
      previousBlockhash: prev?.blockhash ?? blockhash,
      blockTime,
      txs: [],
    };
    this.setClock(slot, blockTime);
    this.rememberHash(block);
    return block;
  }

  /** Blocks are stored once they hold a transaction; empty slots read as skipped. */
  record(block: Block, seq: number): number {
    const index = block.txs.length;
    block.txs.push(seq);
    if (index === 0) this.blocks.set(block.slot, block);
    return index;
  }

  private setClock(slot: number, unixTimestamp: number): void {
    const schedule = this.svm.getEpochSchedule();
    const epoch = epochOf(BigInt(slot), schedule);
    const old = this.svm.getClock();
    const epochStart = old.epoch === epoch ? old.epochStartTimestamp : BigInt(unixTimestamp);
    this.svm.setClock(new Clock(BigInt(slot), epochStart, epoch, epoch + 1n, BigInt(unixTimestamp)));
  }

  private rememberHash(block: Block): void {
    this.validHashes.set(block.blockhash, block.blockHeight);
    for (const [hash, height] of this.validHashes) {
      if (height + BLOCKHASH_VALIDITY >= block.blockHeight) break;
      this.validHashes.delete(hash);
    }
    // The open slot is included (a validator lists only parents): clients pass `getSlot()` as an
    // address lookup table's recent slot and expect to use it in this very block.
    this.slotHashes.unshift({ slot: BigInt(block.slot), hash: block.blockhash });
    if (this.slotHashes.length > SLOT_HASHES_MAX) this.slotHashes.length = SLOT_HASHES_MAX;
    this.svm.setSlotHashes(this.slotHashes);
  }

  get currentBlock(): Block {
    return this.current;
  }
}

export function epochOf(
  slot: bigint,
  s: { slotsPerEpoch: bigint; warmup: boolean; firstNormalSlot: bigint; firstNormalEpoch: bigint },
): bigint {
  if (!s.warmup || slot >= s.firstNormalSlot) {
    return s.firstNormalEpoch + (slot - (s.warmup ? s.firstNormalSlot : 0n)) / s.slotsPerEpoch;
  }
  // Warmup epochs double from 32 slots: epoch e spans [32 * (2^e - 1), 32 * (2^(e+1) - 1)).
  let epoch = 0n;
  while (32n * (2n ** (epoch + 1n) - 1n) <= slot) epoch++;
  return epoch;
}

export function epochInfo(
  slot: number,
  s: { slotsPerEpoch: bigint; warmup: boolean; firstNormalSlot: bigint; firstNormalEpoch: bigint },
): { epoch: number; slotIndex: number; slotsInEpoch: number } {
  const b = BigInt(slot);
  const epoch = epochOf(b, s);
  if (!s.warmup || b >= s.firstNormalSlot) {
    const start = (s.warmup ? s.firstNormalSlot : 0n) + (epoch - s.firstNormalEpoch) * s.slotsPerEpoch;
    return { epoch: Number(epoch), slotIndex: Number(b - start), slotsInEpoch: Number(s.slotsPerEpoch) };
  }
  const start = 32n * (2n ** epoch - 1n);
  return { epoch: Number(epoch), slotIndex: Number(b - start), slotsInEpoch: Number(32n * 2n ** epoch) };
}
