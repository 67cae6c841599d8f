import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import bs58 from "bs58";
import {
  FailedTransactionMetadata,
  type Account,
  type LiteSvm as InnerSvm,
  type SimulatedTransactionInfo,
  type TransactionMetadata,
} from "litesvm/dist/internal.js";
import { resolveLookups, type DecodedTransaction, type LoadedAddresses } from "./decode-transaction.js";
import { tokenAccountMintOwnerAmount, tokenKind, uiTokenAmount } from "./token-layout.js";
import { txErrorToJson } from "./tx-error.js";
import type { CompiledInner, TokenBalance, TxMeta } from "./history.js";
import type { Message } from "./wire.js";

/**
 * Runs one transaction through litesvm and measures what litesvm does not report: balances before
 * and after (lamports and token accounts), the fee, and the loaded addresses of a v0 message.
 */
export interface Outcome {
  /** A failed transaction that charged its fee is on chain like a successful one. */
  landed: boolean;
  accountKeys: string[];
  meta: TxMeta;
}

const TOKEN_BYTES = bs58.decode(TOKEN_PROGRAM);
const TOKEN_2022_BYTES = bs58.decode(TOKEN_2022_PROGRAM);

export class Executor {
  /** Mint decimals never change once a mint is initialized, so they are cached per mint. */
  private readonly decimals = new Map<string, number>();

  constructor(private readonly inner: InnerSvm) {}

  /**
   * `undoFailure` (sendTransaction with preflight): a failed transaction is rolled back, fee
   * included, as if it had only been simulated. A failed transaction changes nothing but its fee
   * payer's balance, so restoring that one account is the whole rollback, and this saves running
   * every transaction twice (simulation, then execution).
   */
  execute(tx: DecodedTransaction, opts: { undoFailure: boolean }): Outcome {
    const { keys, bytes, loaded } = this.accountKeys(tx);
    const pre = this.balances(bytes);
    const result = this.inner.sendVersionedTransaction(tx.wire);
    const failed = result instanceof FailedTransactionMetadata;
    const post = this.balances(bytes);
    const [preBalances, preTokenBalances, postBalances, postTokenBalances] = [pre.lamports, pre.tokens, post.lamports, post.tokens];
    const fee = failed ? (preBalances[0] ?? 0) - (postBalances[0] ?? 0) : computeFee(tx.message);
    if (failed && opts.undoFailure && fee > 0 && pre.payer && bytes[0]) this.inner.setAccount(bytes[0], pre.payer);
    const meta = metaOf(failed ? result.meta() : (result as unknown as TransactionMetadata), {
      err: failed ? txErrorToJson(result.err()) : null,
      fee,
      preBalances,
      postBalances,
      preTokenBalances,
      postTokenBalances,
      loadedAddresses: loaded,
    });
    return { landed: !failed || fee > 0, accountKeys: keys, meta };
  }

  /**
   * Re-executes a recorded transaction only to rebuild state: its metadata is already known, and
   * its signatures were verified when it first ran.
   */
  replay(wire: Uint8Array): TxMeta["err"] {
    this.inner.setSigverify(false);
    try {
      const result = this.inner.sendVersionedTransaction(wire);
      return result instanceof FailedTransactionMetadata ? txErrorToJson(result.err()) : null;
    } finally {
      this.inner.setSigverify(true);
    }
  }

  /** Runs without committing. `sigVerify: false` is the RPC default for simulateTransaction. */
  simulate(
    tx: DecodedTransaction,
    sigVerify: boolean,
  ): { meta: TxMeta; accountKeys: string[]; post: SimulatedTransactionInfo | undefined } {
    const { keys, bytes, loaded } = this.accountKeys(tx);
    const balances = bytes.map((b) => this.lamports(b));
    const was = this.inner.getSigverify();
    this.inner.setSigverify(sigVerify);
    let result: SimulatedTransactionInfo | FailedTransactionMetadata;
    try {
      result = this.inner.simulateVersionedTransaction(tx.wire);
    } finally {
      this.inner.setSigverify(was);
    }
    const failed = result instanceof FailedTransactionMetadata;
    const meta = metaOf(result.meta(), {
      err: failed ? txErrorToJson((result as FailedTransactionMetadata).err()) : null,
      fee: computeFee(tx.message),
      preBalances: balances,
      postBalances: balances,
      preTokenBalances: [],
      postTokenBalances: [],
      loadedAddresses: loaded,
    });
    return { meta, accountKeys: keys, post: failed ? undefined : (result as SimulatedTransactionInfo) };
  }

  private accountKeys(tx: DecodedTransaction): { keys: string[]; bytes: Uint8Array[]; loaded: LoadedAddresses } {
    const loaded =
      tx.message.lookups.length > 0 ? resolveLookups(tx.message, (a) => this.inner.getAccount(bs58.decode(a))?.data()) : undefined;
    const lookedUp = loaded ? [...loaded.writable, ...loaded.readonly] : [];
    const keys = [...tx.staticKeys, ...lookedUp];
    const bytes = [...tx.message.staticKeyBytes, ...lookedUp.map((k) => bs58.decode(k))];
    return { keys, bytes, loaded: loaded ?? { writable: [], readonly: [] } };
  }

  private lamports(key: Uint8Array): number {
    const b = this.inner.getBalance(key);
    return b === null ? 0 : Number(b);
  }

  /** Lamports of every key and the token balances among them, one account read per key. */
  private balances(keys: Uint8Array[]): { lamports: number[]; tokens: TokenBalance[]; payer: Account | null } {
    const lamports: number[] = [];
    const tokens: TokenBalance[] = [];
    let payer: Account | null = null;
    keys.forEach((key, accountIndex) => {
      const account = this.inner.getAccount(key);
      if (accountIndex === 0) payer = account;
      lamports.push(account ? Number(account.lamports()) : 0);
      if (!account) return;
      const owner = account.owner();
      const programId = equal(owner, TOKEN_BYTES) ? TOKEN_PROGRAM : equal(owner, TOKEN_2022_BYTES) ? TOKEN_2022_PROGRAM : undefined;
      if (!programId) return;
      const data = account.data();
      if (tokenKind(programId, data) !== "account") return;
      const t = tokenAccountMintOwnerAmount(data);
      const decimals = this.mintDecimals(t.mint);
      tokens.push({ accountIndex, mint: t.mint, owner: t.owner, programId, uiTokenAmount: uiTokenAmount(t.amount, decimals, true) });
    });
    return { lamports, tokens, payer };
  }

  mintDecimals(mint: string): number {
    let d = this.decimals.get(mint);
    if (d === undefined) {
      const data = this.inner.getAccount(bs58.decode(mint))?.data();
      if (!data || data.length < 46 || data[45] !== 1) return 0;
      d = data[44]!;
      this.decimals.set(mint, d);
    }
    return d;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function metaOf(
  m: TransactionMetadata,
  measured: Omit<TxMeta, "innerInstructions" | "logMessages" | "computeUnitsConsumed" | "returnData">,
): TxMeta {
  const innerInstructions: TxMeta["innerInstructions"] = [];
  m.innerInstructions().forEach((list, index) => {
    if (list.length === 0) return;
    const instructions: CompiledInner[] = list.map((ii) => {
      const ix = ii.instruction();
      return {
        programIdIndex: ix.programIdIndex(),
        accounts: Array.from(ix.accounts()),
        data: bs58.encode(ix.data()),
        stackHeight: ii.stackHeight(),
      };
    });
    innerInstructions.push({ index, instructions });
  });
  const rd = m.returnData();
  const rdData = rd.data();
  return {
    ...measured,
    innerInstructions,
    logMessages: m.logs(),
    computeUnitsConsumed: Number(m.computeUnitsConsumed()),
    returnData:
      rdData.length > 0 ? { programId: bs58.encode(rd.programId()), data: [Buffer.from(rdData).toString("base64"), "base64"] } : null,
  };
}

const LAMPORTS_PER_SIGNATURE = 5000;
const COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111";
const BUILTINS = new Set([
  "11111111111111111111111111111111",
  COMPUTE_BUDGET,
  "Vote111111111111111111111111111111111111111",
  "Stake11111111111111111111111111111111111111",
  "Config1111111111111111111111111111111111111",
  "BPFLoaderUpgradeab1e11111111111111111111111",
  "BPFLoader2111111111111111111111111111111111",
  "BPFLoader1111111111111111111111111111111111",
]);

/**
 * The fee a validator charges: 5000 lamports per signature plus the priority fee
 * (compute-unit price x limit). Precompile signatures (ed25519/secp256k1 instructions) are not
 * counted; for failed transactions the fee payer's actual debit is used instead.
 */
export function computeFee(message: Message): number {
  let price = 0n;
  let limit: bigint | undefined;
  let defaultLimit = 0n;
  for (const ix of message.instructions) {
    const program = message.staticKeys[ix.programIdIndex] ?? "";
    if (program === COMPUTE_BUDGET) {
      const d = ix.data;
      const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
      if (d[0] === 2 && d.length >= 5) limit = BigInt(v.getUint32(1, true));
      if (d[0] === 3 && d.length >= 9) price = v.getBigUint64(1, true);
    }
    defaultLimit += BUILTINS.has(program) ? 3000n : 200_000n;
  }
  const units = limit ?? (defaultLimit > 1_400_000n ? 1_400_000n : defaultLimit);
  const priority = (price * units + 999_999n) / 1_000_000n;
  return message.header.numRequiredSignatures * LAMPORTS_PER_SIGNATURE + Number(priority);
}
