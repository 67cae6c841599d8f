// An Anchor Provider over a TestSvm, so `new Program(idl, provider)` works in-process:
// `.methods…rpc()`, `.simulate()`, `.view()`, `account.fetch/fetchNullable/all`, IDL error
// mapping (AnchorError / ProgramError) and events parsed from the logs (no websockets here).
import { createRequire } from "node:module";
import type { Idl, Program, Provider, Wallet } from "@coral-xyz/anchor";
import type { Address } from "@solana/kit";
import {
  type Keypair,
  PublicKey,
  Transaction,
  VersionedTransaction,
  type AccountInfo,
  type Commitment,
  type Connection,
  type GetProgramAccountsFilter,
  type Signer,
} from "@solana/web3.js";
import type { SendResult, TestSvm } from "./svm.js";

/**
 * @coral-xyz/anchor's CommonJS exports. Imported as ESM under tsx, its re-exports (BN,
 * EventParser, utils) are present or missing depending on which file loaded it first; require
 * is stable.
 */
export const anchor = createRequire(import.meta.url)("@coral-xyz/anchor") as typeof import("@coral-xyz/anchor");

/**
 * A failed send or simulation. Anchor maps it to the IDL's error only when the text holds
 * `custom program error: 0x…` exactly once, and reads `logs` for AnchorError.
 */
export class LiteSvmTransactionError extends Error {
  readonly logs: string[];
  readonly result: SendResult;
  constructor(result: SendResult) {
    super(result.error ?? "transaction failed");
    this.logs = result.logs;
    this.result = result;
  }
}

class KeypairWallet implements Wallet {
  constructor(readonly payer: Keypair) {}
  get publicKey(): PublicKey {
    return this.payer.publicKey;
  }
  async signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T> {
    if (tx instanceof VersionedTransaction) tx.sign([this.payer]);
    else tx.partialSign(this.payer);
    return tx;
  }
  async signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> {
    return Promise.all(txs.map((t) => this.signTransaction(t)));
  }
}

export class LiteSvmProvider implements Provider {
  readonly connection: Connection;
  readonly wallet: Wallet;
  readonly publicKey: PublicKey;
  /** Result of the last send, for CU and log assertions after `.rpc()`. */
  lastResult: SendResult | undefined;

  constructor(
    readonly chain: TestSvm,
    payer: Keypair = chain.payer,
  ) {
    this.wallet = new KeypairWallet(payer);
    this.publicKey = payer.publicKey;
    this.connection = svmConnection(chain);
  }

  async send(tx: Transaction | VersionedTransaction, signers: Signer[] = []): Promise<string> {
    return this.sendAndConfirm(tx, signers);
  }

  async sendAndConfirm(tx: Transaction | VersionedTransaction, signers: Signer[] = []): Promise<string> {
    if (tx instanceof Transaction) tx.feePayer ??= this.publicKey;
    const r = this.chain.send(tx, [this.wallet.payer!, ...signers]);
    this.lastResult = r;
    if (!r.ok) throw new LiteSvmTransactionError(r);
    return r.signature;
  }

  async sendAll<T extends Transaction | VersionedTransaction>(txs: { tx: T; signers?: Signer[] }[]): Promise<string[]> {
    const out: string[] = [];
    for (const { tx, signers } of txs) out.push(await this.sendAndConfirm(tx, signers));
    return out;
  }

  async simulate(tx: Transaction | VersionedTransaction, signers: Signer[] = []) {
    if (tx instanceof Transaction) tx.feePayer ??= this.publicKey;
    const r = this.chain.simulate(tx, [this.wallet.payer!, ...signers]);
    if (!r.ok) throw new LiteSvmTransactionError(r);
    return { logs: r.logs, unitsConsumed: Number(r.cu), err: null, accounts: null, returnData: null };
  }
}

/** Events of `program` in a transaction's logs (what `addEventListener` would deliver). */
export function parseEvents<I extends Idl>(program: Program<I>, logs: string[]): { name: string; data: Record<string, unknown> }[] {
  const parser = new anchor.EventParser(program.programId, program.coder);
  return [...parser.parseLogs(logs)].map((e) => ({ name: e.name, data: e.data as Record<string, unknown> }));
}

/** The part of web3.js's Connection that Anchor's Program and account namespace call. */
function svmConnection(chain: TestSvm): Connection {
  const info = (address: PublicKey): AccountInfo<Buffer> | null => {
    const a = chain.account(address);
    return a && { data: a.data, executable: a.executable, lamports: Number(a.lamports), owner: a.owner, rentEpoch: 0 };
  };
  const context = () => ({ slot: Number(chain.svm.getClock().slot) });
  const connection = {
    commitment: "confirmed" as Commitment,
    rpcEndpoint: "litesvm://in-process",
    getAccountInfo: async (address: PublicKey) => info(address),
    getAccountInfoAndContext: async (address: PublicKey) => ({ context: context(), value: info(address) }),
    getMultipleAccountsInfo: async (addresses: PublicKey[]) => addresses.map(info),
    getMultipleAccountsInfoAndContext: async (addresses: PublicKey[]) => ({ context: context(), value: addresses.map(info) }),
    getBalance: async (address: PublicKey) => Number(chain.svm.getBalance(address.toBase58() as Address) ?? 0n),
    getMinimumBalanceForRentExemption: async (len: number) => Number(chain.svm.minimumBalanceForRentExemption(BigInt(len))),
    getLatestBlockhash: async () => ({ blockhash: chain.svm.latestBlockhash(), lastValidBlockHeight: Number.MAX_SAFE_INTEGER }),
    getSlot: async () => context().slot,
    getProgramAccounts: async (programId: PublicKey, config?: { filters?: GetProgramAccountsFilter[] }) =>
      chain.svm
        .getProgramAccounts(programId.toBase58() as Address)
        .map((a) => ({ pubkey: new PublicKey(a.address), account: info(new PublicKey(a.address))! }))
        .filter(({ account }) => (config?.filters ?? []).every((f) => matches(account.data, f))),
  };
  return connection as unknown as Connection;
}

function matches(data: Buffer, filter: GetProgramAccountsFilter): boolean {
  if ("dataSize" in filter) return data.length === filter.dataSize;
  const { offset, bytes, encoding } = filter.memcmp;
  const expected = encoding === "base64" ? Buffer.from(bytes, "base64") : Buffer.from(anchor.utils.bytes.bs58.decode(bytes));
  return data.subarray(offset, offset + expected.length).equals(expected);
}
