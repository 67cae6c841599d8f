import { MEMO_PROGRAMS } from "@merit/clients/programs";
import bs58 from "bs58";
import { Account, type LiteSvm as InnerSvm } from "litesvm/dist/internal.js";
import { BlockProducer, type Block } from "./blocks.js";
import { decodeTransaction, type DecodedTransaction } from "./decode-transaction.js";
import { Executor } from "./execute.js";
import { Faucet } from "./faucet.js";
import { History, type TxMeta, type TxRecord } from "./history.js";
import { recordFromLine, type LedgerFile, type LedgerLine } from "./ledger-file.js";
import { RPC_PREFLIGHT_FAILURE, RPC_SIGNATURE_VERIFICATION_FAILURE, RpcError } from "./rpc-error.js";
import { txErrorMessage, type TxErrorJson } from "./tx-error.js";

/** Lamports the faucet starts with: far more than tests need, below 2^53 so JSON numbers stay exact. */
const FAUCET_LAMPORTS = 5_000_000_000_000_000n;

export interface ChainOptions {
  slotMs: number;
  maxTxPerSlot: number;
  log: (line: string) => void;
}

/**
 * The chain: litesvm state plus what a validator adds around it (blocks, blockhash lifetimes,
 * transaction history, the faucet). Every state change goes through `submit`, so history,
 * persistence and subscriptions see all of them.
 */
export class Chain {
  readonly producer: BlockProducer;
  readonly executor: Executor;
  readonly history = new History();
  readonly faucet = new Faucet();
  private ledger: LedgerFile | undefined;
  private readonly listeners: ((record: TxRecord) => void)[] = [];

  /** `restored`: `inner` was loaded from a snapshot, whose faucet and genesis slot must be kept. */
  constructor(
    readonly inner: InnerSvm,
    private readonly opts: ChainOptions,
    restored?: { genesisSlot: number },
  ) {
    // Blockhash lifetimes and duplicate detection are the chain's (see blocks.ts, submit).
    inner.setBlockhashCheck(false);
    inner.setTransactionHistory(0n);
    if (!restored) inner.setAccount(this.faucet.publicKey, new Account(FAUCET_LAMPORTS, new Uint8Array(), new Uint8Array(32), false, 0n));
    this.producer = new BlockProducer(inner, opts, restored?.genesisSlot);
    this.executor = new Executor(inner);
  }

  get blocks(): ReadonlyMap<number, Block> {
    return this.producer.blocks;
  }

  onTransaction(listener: (record: TxRecord) => void): void {
    this.listeners.push(listener);
  }

  /**
   * sendTransaction. With preflight, a failing transaction is rejected untouched (-32002 with its
   * err and logs, as a validator's simulation reports them). Without it, a transaction that fails
   * after paying its fee is recorded like on a cluster, and one that cannot land is dropped with
   * its signature returned.
   */
  submit(wire: Uint8Array, opts: { skipPreflight: boolean }): string {
    const tx = decodeTransaction(wire);
    const block = this.producer.tick();
    const drop = (err: TxErrorJson, meta?: TxMeta): string => {
      if (!opts.skipPreflight) throw preflightFailure(err, meta);
      this.opts.log(`dropped ${tx.signature}: ${txErrorMessage(err)}`);
      return tx.signature;
    };
    if (this.history.get(tx.signature)) return drop("AlreadyProcessed");
    if (!this.producer.isBlockhashValid(tx.recentBlockhash)) return drop("BlockhashNotFound");
    const outcome = this.executor.execute(tx, { undoFailure: !opts.skipPreflight });
    const err = outcome.meta.err;
    if (err === "SignatureFailure") throw signatureFailure();
    if (err !== null && (!opts.skipPreflight || !outcome.landed)) return drop(err, outcome.meta);
    this.commit(tx, block, outcome.accountKeys, outcome.meta);
    return tx.signature;
  }

  requestAirdrop(to: string, lamports: bigint): string {
    let block = this.producer.tick();
    for (;;) {
      const wire = this.faucet.transfer(bs58.decode(to), lamports, block.blockhash);
      // The same airdrop twice in one block is the same transaction; the next block makes it new.
      if (!this.history.get(decodeTransaction(wire).signature)) return this.submit(wire, { skipPreflight: false });
      block = this.producer.warp({});
    }
  }

  warp(opts: { seconds?: number; slots?: number }): Block {
    const block = this.producer.warp(opts);
    this.ledger?.appendClock("warp", this.producer.warpOffsetMs, block.slot);
    return block;
  }

  /**
   * Takes over a history file: its transactions become this chain's history, the ones after the
   * first `alreadyApplied` (those a loaded snapshot does not hold) are executed again to rebuild
   * state, and new transactions are appended to it.
   */
  attachLedger(file: LedgerFile, lines: LedgerLine[], alreadyApplied = 0): { replayed: number; mismatched: number } {
    let seen = 0;
    let replayed = 0;
    let mismatched = 0;
    let lastSlot = -1;
    for (const line of lines) {
      if (line.t !== "tx") {
        this.producer.restoreWarp(line.warpMs);
        lastSlot = Math.max(lastSlot, line.slot);
        continue;
      }
      lastSlot = Math.max(lastSlot, line.record.slot);
      const record = recordFromLine(line);
      const block = this.producer.reopen(record.slot, record.blockTime);
      if (seen++ >= alreadyApplied) {
        const err = this.executor.replay(record.wire);
        if (JSON.stringify(err) !== JSON.stringify(record.meta.err)) {
          mismatched++;
          this.opts.log(`replay of ${record.signature} gave ${JSON.stringify(err)}, recorded ${JSON.stringify(record.meta.err)}`);
        }
        replayed++;
      }
      const seq = this.history.nextSeq();
      this.producer.record(block, seq);
      this.history.add({ ...record, seq });
    }
    // New blocks continue after the replayed ones, on the wall clock plus the recorded warp.
    if (lastSlot >= 0) this.producer.resumeAt(lastSlot + 1);
    this.ledger = file;
    return { replayed, mismatched };
  }

  close(): void {
    const ref = { txCount: this.history.size, genesisSlot: this.producer.genesisSlot };
    this.ledger?.stopWithSnapshot(this.inner, this.producer.warpOffsetMs, this.producer.tick().slot, ref);
    this.ledger?.close();
    this.ledger = undefined;
  }

  private commit(tx: DecodedTransaction, block: Block, accountKeys: string[], meta: TxMeta): void {
    const seq = this.history.nextSeq();
    const index = this.producer.record(block, seq);
    const record: TxRecord = {
      seq,
      signature: tx.signature,
      slot: block.slot,
      blockTime: block.blockTime,
      index,
      wire: tx.wire,
      accountKeys,
      memo: memoOf(tx),
      meta,
    };
    this.history.add(record);
    this.ledger?.appendTx(record);
    for (const listener of this.listeners) listener(record);
  }
}

/** The `memo` of getSignaturesForAddress: each memo instruction as "[len] text", joined by "; ". */
function memoOf(tx: DecodedTransaction): string | null {
  const memos: string[] = [];
  for (const ix of tx.message.instructions) {
    if (!MEMO_PROGRAMS.has(tx.staticKeys[ix.programIdIndex] ?? "")) continue;
    const text = Buffer.from(ix.data).toString("utf8");
    memos.push(`[${Buffer.byteLength(text)}] ${text}`);
  }
  return memos.length > 0 ? memos.join("; ") : null;
}

/** The validator's preflight error: -32002 with the simulation result as data. */
export function preflightFailure(err: TxErrorJson, meta?: TxMeta): RpcError {
  return new RpcError(RPC_PREFLIGHT_FAILURE, `Transaction simulation failed: ${txErrorMessage(err)}`, {
    accounts: null,
    err,
    innerInstructions: null,
    loadedAccountsDataSize: 0,
    logs: meta?.logMessages ?? [],
    replacementBlockhash: null,
    returnData: meta?.returnData ?? null,
    unitsConsumed: meta?.computeUnitsConsumed ?? 0,
  });
}

/** Bad signatures are refused before anything runs (-32003), with or without preflight. */
function signatureFailure(): RpcError {
  return new RpcError(RPC_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure");
}
