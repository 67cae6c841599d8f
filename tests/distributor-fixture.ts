// Distributor setup for the flow tests, on the shared litesvm helper (tests/helpers/svm.ts):
// a mint (SPL Token or Token-2022), an initialized distributor, and instructions built through
// Anchor's coder from the committed IDL, plus what attack tests need (exact-error assertions that
// also prove nothing changed, forged accounts, unsigned fast sends, v0 with a lookup table).
import assert from "node:assert/strict";
import anchor, { type Provider } from "@coral-xyz/anchor";
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  Connection,
  Keypair,
  PublicKey,
  Transaction,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import { getTransactionDecoder } from "@solana/kit";
import bs58 from "bs58";
import { FailedTransactionMetadata } from "litesvm";
import { buildTreeSync, type MerkleTree } from "@merit/clients/merkle";
import {
  activateRootInstruction,
  buildInstruction,
  claimInstruction,
  claimStatusPda,
  distributorPda,
  proposeRootInstruction,
  epochRootPda,
  meritDistributorIdl,
  meritDistributorProgram,
  MeritErrorCode,
  vaultPda,
  type MeritDistributorProgram,
} from "@merit/clients/idl";
import { encodeUnsigned } from "./distributor-wire.js";
import {
  createMint,
  expectOk,
  type Mint,
  mintTo,
  type SendResult,
  TestSvm,
  tokenAccount,
  tokenBalance,
  type TokenProgram,
  tokenProgramId,
} from "./helpers/svm.js";

export type { SendResult, TokenProgram };
const { BN, EventParser } = anchor;
const wireDecoder = getTransactionDecoder();

export const PROGRAM_ID = new PublicKey(meritDistributorIdl.address);

export function errorCode(name: string): number {
  const code = MeritErrorCode[name];
  if (code === undefined) throw new Error(`no such program error: ${name}`);
  return code;
}

export interface Params {
  activationDelay: bigint;
  gracePeriod: bigint;
  maxTotalIncrease: bigint;
  claimExpiry: bigint;
}

export const DEFAULT_PARAMS: Params = { activationDelay: 3_600n, gracePeriod: 600n, maxTotalIncrease: 1_000_000_000_000n, claimExpiry: 0n };
export const START_TIME = 1_800_000_000n;

const bn = (v: bigint) => new BN(v.toString());
const anchorParams = (p: Params) => ({
  activationDelay: bn(p.activationDelay),
  gracePeriod: bn(p.gracePeriod),
  maxTotalIncrease: bn(p.maxTotalIncrease),
  claimExpiry: bn(p.claimExpiry),
});

/** The shared TestSvm plus what the distributor tests add. One per test, ~20 ms to create. */
export class Chain extends TestSvm {
  /** Builds and decodes offline: the provider never reaches a network. */
  readonly program: MeritDistributorProgram;

  constructor() {
    super({ unixTimestamp: START_TIME });
    const offline: Provider = { connection: new Connection("http://127.0.0.1:9") };
    this.program = meritDistributorProgram(offline);
  }

  /** One transaction whose fee `payer` pays and signs (the claimant, in production). */
  sendAs(payer: Keypair, ixs: TransactionInstruction[], signers: Keypair[] = []): SendResult {
    return this.send(new Transaction({ feePayer: payer.publicKey }).add(...ixs), [payer, ...signers]);
  }

  /** A v0 transaction paid and signed by `payer`, resolving accounts through `table`. */
  sendV0(ixs: TransactionInstruction[], payer: Keypair, table: AddressLookupTableAccount): SendResult {
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: this.svm.latestBlockhash(),
      instructions: ixs,
    }).compileToV0Message([table]);
    return this.send(new VersionedTransaction(message), [payer]);
  }

  /** Writes an active address lookup table holding `addresses` (state layout of the ALT program). */
  installLookupTable(addresses: PublicKey[]): AddressLookupTableAccount {
    const key = Keypair.generate().publicKey;
    const header = Buffer.alloc(56);
    header.writeUInt32LE(1, 0); // ProgramState::LookupTable
    header.writeBigUInt64LE(0xffff_ffff_ffff_ffffn, 4); // never deactivated
    header.writeBigUInt64LE(0n, 12); // last extended at slot 0: active from slot 1 on
    this.setAccount(key, AddressLookupTableProgram.programId, Buffer.concat([header, ...addresses.map((a) => a.toBuffer())]));
    if (this.svm.getClock().slot < 1n) this.svm.warpToSlot(1n);
    return new AddressLookupTableAccount({
      key,
      state: { deactivationSlot: 0xffff_ffff_ffff_ffffn, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, addresses },
    });
  }

  /**
   * Sends without signing, through a minimal legacy-message encoder (web3.js takes ~2 ms to
   * compile one): only for a chain with `svm.withSigverify(false)` (the fuzz test), where the
   * signer flags alone decide who "signed".
   */
  sendUnsigned(ixs: TransactionInstruction[]): { ok: boolean; error: string; logs: string[] } {
    const wire = encodeUnsigned(this.payer.publicKey, ixs, bs58.decode(this.svm.latestBlockhash()));
    const res = this.svm.sendTransaction(wireDecoder.decode(wire));
    this.svm.expireBlockhash();
    if (res instanceof FailedTransactionMetadata) return { ok: false, error: res.err().toString(), logs: res.meta().logs() };
    return { ok: true, error: "", logs: res.logs() };
  }

  tokenBalance(account: PublicKey): bigint {
    return tokenBalance(this, account);
  }

  /** Raw state of accounts, for "nothing changed" assertions. */
  snapshot(addresses: PublicKey[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const a of addresses) {
      const acc = this.account(a);
      out.set(a.toBase58(), acc ? `${acc.lamports}:${acc.owner.toBase58()}:${acc.data.toString("hex")}` : "missing");
    }
    return out;
  }

  /** Sends, expects the custom error `name`, and checks no account of the instructions changed. */
  expectError(ixs: TransactionInstruction[], signers: Keypair[], name: string): SendResult {
    const keys = [...new Set(ixs.flatMap((ix) => ix.keys.map((k) => k.pubkey.toBase58())))].map((k) => new PublicKey(k));
    const before = this.snapshot(keys);
    const r = this.sendIxs(ixs, signers);
    assert.equal(r.ok, false, `expected ${name}, but the transaction succeeded`);
    assert.equal(r.code, errorCode(name), `expected ${name} (${errorCode(name)}), got ${r.error}\n${r.logs.join("\n")}`);
    assert.deepEqual(this.snapshot(keys), before, "a failed transaction changed an account");
    return r;
  }

  events(r: SendResult): { name: string; data: Record<string, unknown> }[] {
    const parser = new EventParser(PROGRAM_ID, this.program.coder);
    return [...parser.parseLogs(r.logs)] as { name: string; data: Record<string, unknown> }[];
  }
}

export interface Entry {
  claimant: Keypair;
  amount: bigint;
}

/** A chain with one initialized distributor, a funded vault and its three authorities. */
export class DistributorFixture {
  readonly admin: Keypair;
  readonly publisher: Keypair;
  readonly guardian: Keypair;
  readonly mint: PublicKey;
  readonly mintInfo: Mint;
  readonly distributor: PublicKey;
  readonly vault: PublicKey;
  readonly tokenProgramId: PublicKey;

  constructor(
    readonly chain: Chain,
    readonly tokenProgram: TokenProgram = "spl",
    readonly id = 1n,
    params: Params = DEFAULT_PARAMS,
    mint?: Mint,
    initialize = true,
    /** The admin (a seed of the distributor's address); a new funded key when omitted. */
    admin?: Keypair,
  ) {
    if (admin) chain.airdrop(admin.publicKey, 10_000_000_000n);
    this.admin = admin ?? chain.funded();
    this.publisher = chain.funded();
    this.guardian = chain.funded();
    this.mintInfo = mint ?? createMint(chain, tokenProgram);
    this.mint = this.mintInfo.mint;
    this.tokenProgramId = tokenProgramId(tokenProgram);
    this.distributor = distributorPda(this.mint, this.admin.publicKey, id)[0];
    this.vault = vaultPda(this.distributor)[0];
    if (!initialize) return;
    expectOk(chain.sendIxs([this.initializeIx(params)], [this.admin]), "initialize_distributor");
  }

  get program(): MeritDistributorProgram {
    return this.chain.program;
  }

  initializeIx(params: Params, over: Record<string, PublicKey> = {}): TransactionInstruction {
    return this.ix(
      "initializeDistributor",
      { id: bn(this.id), publisher: this.publisher.publicKey, guardian: this.guardian.publicKey, params: anchorParams(params) },
      {
        admin: this.admin.publicKey,
        mint: this.mint,
        distributor: this.distributor,
        vault: this.vault,
        tokenProgram: this.tokenProgramId,
        ...over,
      },
    );
  }

  fund(amount: bigint): void {
    mintTo(this.chain, this.mintInfo, this.vault, amount);
  }

  tree(entries: Entry[]): MerkleTree {
    return buildTreeSync(
      this.distributor.toBytes(),
      entries.map((e) => ({ claimant: e.claimant.publicKey.toBytes(), amount: e.amount })),
    );
  }

  epochRoot(epoch: bigint): PublicKey {
    return epochRootPda(this.distributor, epoch)[0];
  }

  proposeIx(epoch: bigint, root: Uint8Array, total: bigint, leafCount = 0n, over: Record<string, PublicKey> = {}): TransactionInstruction {
    const proposal = {
      epoch,
      root,
      cumulativeTotal: total,
      leafCount,
      datasetHash: Buffer.alloc(32, 0xda),
      inputsHash: Buffer.alloc(32, 0x1a),
    };
    return proposeRootInstruction(this.program, this.publisher.publicKey, this.distributor, proposal, over);
  }

  /** Proposes `tree` as `epoch` with its exact total. */
  propose(epoch: bigint, tree: MerkleTree): SendResult {
    const total = [...tree.entries.amounts].reduce((a, b) => a + b, 0n);
    return expectOk(this.chain.sendIxs([this.proposeIx(epoch, tree.root, total, BigInt(tree.size))], [this.publisher]), "propose_root");
  }

  activateIx(epoch: bigint): TransactionInstruction {
    return activateRootInstruction(this.program, this.distributor, epoch);
  }

  vetoIx(epoch: bigint, authority: PublicKey): TransactionInstruction {
    return this.ix("vetoRoot", {}, { authority, distributor: this.distributor, epochRoot: this.epochRoot(epoch) });
  }

  pauseIx(authority: PublicKey, paused: boolean): TransactionInstruction {
    return this.ix(paused ? "pause" : "unpause", {}, { authority, distributor: this.distributor });
  }

  claimantToken(claimant: PublicKey): PublicKey {
    return tokenAccount(this.chain, this.mintInfo, claimant);
  }

  claimIx(
    claimant: PublicKey,
    epoch: bigint,
    amount: bigint,
    proof: Uint8Array[],
    over: Record<string, PublicKey> = {},
  ): TransactionInstruction {
    const accounts = {
      distributor: this.distributor,
      mint: this.mint,
      vault: this.vault,
      tokenProgram: this.tokenProgramId,
      claimant,
      claimantToken: over.claimantToken ?? this.claimantToken(claimant),
    };
    return claimInstruction(this.program, accounts, epoch, amount, proof, over);
  }

  /** Claim of `claimant`'s leaf in `tree` (proposed as `epoch`). */
  claimFromTree(tree: MerkleTree, epoch: bigint, claimant: Keypair, over: Record<string, PublicKey> = {}): TransactionInstruction {
    const { amount, proof } = tree.proof(claimant.publicKey.toBytes());
    return this.claimIx(claimant.publicKey, epoch, amount, proof, over);
  }

  clawbackIx(amount: bigint, destination: PublicKey, over: Record<string, PublicKey> = {}): TransactionInstruction {
    return this.ix(
      "clawback",
      { amount: bn(amount) },
      {
        admin: this.admin.publicKey,
        distributor: this.distributor,
        mint: this.mint,
        vault: this.vault,
        destination,
        tokenProgram: this.tokenProgramId,
        ...over,
      },
    );
  }

  setAuthoritiesIx(
    publisher: PublicKey,
    guardian: PublicKey,
    pendingAdmin: PublicKey,
    admin = this.admin.publicKey,
  ): TransactionInstruction {
    return this.ix("setAuthorities", { publisher, guardian, pendingAdmin }, { admin, distributor: this.distributor });
  }

  acceptAdminIx(newAdmin: PublicKey): TransactionInstruction {
    return this.ix("acceptAdmin", {}, { newAdmin, distributor: this.distributor });
  }

  setParamsIx(params: Params, admin = this.admin.publicKey): TransactionInstruction {
    return this.ix("setParams", { params: anchorParams(params) }, { admin, distributor: this.distributor });
  }

  state() {
    const a = this.chain.account(this.distributor);
    assert.ok(a, "distributor account missing");
    return this.program.coder.accounts.decode("distributor", a.data);
  }

  rootState(epoch: bigint) {
    const a = this.chain.account(this.epochRoot(epoch));
    assert.ok(a, `epoch root ${epoch} missing`);
    return this.program.coder.accounts.decode("epochRoot", a.data);
  }

  claimState(claimant: PublicKey) {
    const a = this.chain.account(claimStatusPda(this.distributor, claimant)[0]);
    return a ? this.program.coder.accounts.decode("claimStatus", a.data) : null;
  }

  /** Proposes `tree` as `epoch`, waits out the delay and activates it. */
  publish(epoch: bigint, tree: MerkleTree): void {
    this.propose(epoch, tree);
    this.chain.advance(BigInt(this.state().activationDelay.toString()));
    expectOk(this.chain.sendIxs([this.activateIx(epoch)]), "activate_root");
  }

  /** Builds `name` from the IDL (clients' builder); `accounts` may override any account. */
  ix(name: string, args: Record<string, unknown>, accounts: Record<string, PublicKey | undefined>): TransactionInstruction {
    return buildInstruction(this.program, name, args, accounts);
  }
}
