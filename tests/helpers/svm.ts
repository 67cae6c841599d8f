// The litesvm 1.5 helper every TypeScript test shares: a VM with the committed distributor .so
// at its localnet program id (SPL Token, Token-2022 and Associated Token ship with litesvm),
// web3.js 1.x transactions sent as wire bytes, results with logs / CU / custom error code, and
// clock control. Token helpers live in svm-tokens.ts and are re-exported here.
import { readFileSync } from "node:fs";
import { getTransactionDecoder, type Address } from "@solana/kit";
import bs58 from "bs58";
import { Keypair, PublicKey, Transaction, type TransactionInstruction, VersionedTransaction, type Signer } from "@solana/web3.js";
import { FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from "litesvm";

export * from "./svm-tokens.js";

export const DISTRIBUTOR_SO = "programs/distributor/bin/merit_distributor.so";
export const LOCALNET_KEYPAIR = "programs/distributor/keys/localnet-program-keypair.json";

const decoder = getTransactionDecoder();

/** The distributor's localnet program id (the lead's keypair file: a 64-byte secret key). */
export function localnetProgramId(path = LOCALNET_KEYPAIR): PublicKey {
  const secret = JSON.parse(readFileSync(path, "utf8")) as number[];
  return Keypair.fromSecretKey(Uint8Array.from(secret)).publicKey;
}

export interface SendResult {
  ok: boolean;
  /** Base58 signature (the fee payer's). */
  signature: string;
  logs: string[];
  /** Compute units consumed by the whole transaction. */
  cu: bigint;
  /** Custom program error code of the failing instruction (Anchor errors start at 6000). */
  code: number | undefined;
  /** RPC-style text, e.g. "Error processing Instruction 0: custom program error: 0x1771". */
  error: string | undefined;
  /** Return data set by the last program that set it (empty when none). */
  returnData: Uint8Array;
  /** Wire size of the transaction in bytes (limit 1232). */
  size: number;
}

export interface SvmOptions {
  /** Program .so to load (default: the committed distributor); false loads none. */
  program?: string | false;
  programId?: PublicKey;
  /** Unix time to start the clock at. */
  unixTimestamp?: bigint;
}

export class TestSvm {
  readonly svm: LiteSVM;
  /** Pays fees for every send unless a transaction names another fee payer. */
  readonly payer = Keypair.generate();
  readonly programId: PublicKey;

  constructor(opts: SvmOptions = {}) {
    // History off: identical transactions stay sendable; each send also gets a fresh blockhash.
    this.svm = new LiteSVM().withTransactionHistory(0n);
    this.programId = opts.programId ?? (opts.program === false ? PublicKey.default : localnetProgramId());
    if (opts.program !== false) this.loadProgram(opts.program ?? DISTRIBUTOR_SO, this.programId);
    this.airdrop(this.payer.publicKey, 1_000_000_000_000n);
    if (opts.unixTimestamp !== undefined) this.setTime(opts.unixTimestamp);
  }

  loadProgram(path: string, programId: PublicKey): void {
    this.svm.addProgram(programId.toBase58() as Address, readFileSync(path));
  }

  airdrop(to: PublicKey, lamports: bigint): void {
    const r = this.svm.airdrop(to.toBase58() as Address, lamports as never);
    if (r instanceof FailedTransactionMetadata) throw new Error(`airdrop failed: ${r.toString()}`);
  }

  /** A new keypair holding `lamports`. */
  funded(lamports = 10_000_000_000n): Keypair {
    const k = Keypair.generate();
    this.airdrop(k.publicKey, lamports);
    return k;
  }

  /** Sends `ixs` in one transaction paid by the payer, signed by it and `signers`. */
  sendIxs(ixs: TransactionInstruction[], signers: Signer[] = []): SendResult {
    return this.send(new Transaction().add(...ixs), signers);
  }

  /**
   * Sends a web3.js transaction: sets a fresh blockhash (and the payer as fee payer when unset),
   * signs with the payer (if it must sign) and `signers` (earlier signatures are replaced: the
   * blockhash changed), then expires the blockhash so the next send never collides with it.
   */
  send(tx: Transaction | VersionedTransaction, signers: Signer[] = []): SendResult {
    const wire = this.sign(tx, signers);
    const res = this.svm.sendTransaction(decoder.decode(wire));
    this.svm.expireBlockhash();
    return toResult(res, wire);
  }

  /** Runs a transaction without committing it (nothing changes, no blockhash is used up). */
  simulate(tx: Transaction | VersionedTransaction, signers: Signer[] = []): SendResult {
    const wire = this.sign(tx, signers);
    const res = this.svm.simulateTransaction(decoder.decode(wire));
    return toResult(res instanceof FailedTransactionMetadata ? res : res.meta(), wire);
  }

  /** Signs in place with a fresh blockhash; returns the wire bytes. */
  sign(tx: Transaction | VersionedTransaction, signers: Signer[] = []): Uint8Array {
    const blockhash = this.svm.latestBlockhash();
    if (tx instanceof VersionedTransaction) {
      tx.message.recentBlockhash = blockhash;
      const required = tx.message.staticAccountKeys.slice(0, tx.message.header.numRequiredSignatures);
      tx.sign(unique([this.payer, ...signers]).filter((s) => required.some((k) => k.equals(s.publicKey))));
      return tx.serialize();
    }
    tx.feePayer ??= this.payer.publicKey;
    tx.recentBlockhash = blockhash;
    const message = tx.compileMessage();
    const needed = new Set(message.accountKeys.slice(0, message.header.numRequiredSignatures).map((k) => k.toBase58()));
    tx.sign(...unique([this.payer, ...signers]).filter((s) => needed.has(s.publicKey.toBase58())));
    // Signatures were just made here; re-verifying them costs ~4.5 ms per transaction.
    return tx.serialize({ verifySignatures: false });
  }

  account(address: PublicKey): { lamports: bigint; owner: PublicKey; data: Buffer; executable: boolean } | null {
    const a = this.svm.getAccount(address.toBase58() as Address);
    if (!a.exists) return null;
    return { lamports: BigInt(a.lamports), owner: new PublicKey(a.programAddress), data: Buffer.from(a.data), executable: a.executable };
  }

  /** Writes an account directly, bypassing the runtime (forged or pre-seeded state). */
  setAccount(address: PublicKey, owner: PublicKey, data: Uint8Array, lamports?: bigint): void {
    this.svm.setAccount({
      address: address.toBase58() as Address,
      data,
      executable: false,
      lamports: (lamports ?? this.svm.minimumBalanceForRentExemption(BigInt(data.length))) as never,
      programAddress: owner.toBase58() as Address,
      space: BigInt(data.length),
    });
  }

  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  /** Sets the Clock sysvar's unix_timestamp (and slot, when given). */
  setTime(unixTimestamp: bigint, slot?: bigint): void {
    const clock = this.svm.getClock();
    clock.unixTimestamp = unixTimestamp;
    if (slot !== undefined) clock.slot = slot;
    this.svm.setClock(clock);
  }

  /** Moves the clock forward by `seconds` and the slot by as many 400 ms slots. */
  advance(seconds: bigint): void {
    const clock = this.svm.getClock();
    this.setTime(clock.unixTimestamp + seconds, clock.slot + (seconds * 5n) / 2n);
  }
}

function unique(signers: Signer[]): Signer[] {
  return signers.filter((s, i) => signers.findIndex((o) => o.publicKey.equals(s.publicKey)) === i);
}

function toResult(res: TransactionMetadata | FailedTransactionMetadata, wire: Uint8Array): SendResult {
  const signature = bs58.encode(wire.subarray(1, 65));
  if (!(res instanceof FailedTransactionMetadata)) {
    const data = res.returnData().data();
    return {
      ok: true,
      signature,
      logs: res.logs(),
      cu: res.computeUnitsConsumed(),
      code: undefined,
      error: undefined,
      returnData: data,
      size: wire.length,
    };
  }
  const meta = res.meta();
  const logs = meta.logs();
  const { code, error } = describeError(res, logs);
  return {
    ok: false,
    signature,
    logs,
    cu: meta.computeUnitsConsumed(),
    code,
    error,
    returnData: meta.returnData().data(),
    size: wire.length,
  };
}

/** litesvm does not export its error classes; read InstructionError(index, Custom(code)) by shape. */
function describeError(res: FailedTransactionMetadata, logs: string[]): { code: number | undefined; error: string } {
  const err = res.err();
  if (typeof err !== "object" || !("index" in err) || !("err" in err)) return { code: undefined, error: String(err.toString()) };
  const inner: unknown = err.err();
  if (typeof inner === "object" && inner !== null && "code" in inner) {
    const code = Number(inner.code);
    return { code, error: `Error processing Instruction ${err.index}: custom program error: 0x${code.toString(16)}` };
  }
  // The runtime's own words for the failure, as the RPC would report them.
  const failed = logs.findLast((l) => / failed: /.test(l))?.replace(/^Program \S+ failed: /, "");
  return { code: undefined, error: `Error processing Instruction ${err.index}: ${failed ?? err.toString()}` };
}
