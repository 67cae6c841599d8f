import { type Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { Program } from "@coral-xyz/anchor";
import {
  epochRootPda,
  type MeritDistributor,
  meritDistributorIdl,
  meritDistributorProgram,
  type MeritDistributorProgram,
} from "@merit/clients/idl";
import {
  decodeDistributor as decodeDistributorAccount,
  decodeEpochRoot as decodeEpochRootAccount,
  parseProgramError,
  type RootStatus,
} from "@merit/clients/chain";
import { CallerError } from "../errors.js";

/**
 * What the publisher reads from the chain, always at `finalized`: the Distributor account, the
 * vault's balance, an epoch's EpochRoot (the truth about that epoch), and the chain's clock.
 */
export type ChainRootStatus = RootStatus;

export interface EpochRootState {
  epoch: bigint;
  root: string;
  cumulativeTotal: bigint;
  leafCount: bigint;
  datasetHash: string;
  inputsHash: string;
  proposedAt: bigint;
  activatesAt: bigint;
  activatedAt: bigint;
  status: ChainRootStatus;
}

export interface DistributorState {
  address: PublicKey;
  admin: PublicKey;
  /** Proposed by the admin, not accepted yet (null: none). */
  pendingAdmin: PublicKey | null;
  creator: PublicKey;
  mint: PublicKey;
  tokenProgram: PublicKey;
  publisher: PublicKey;
  guardian: PublicKey;
  vault: PublicKey;
  paused: boolean;
  maxTotalIncrease: bigint;
  activationDelay: bigint;
  gracePeriod: bigint;
  /** Unix seconds after which unclaimed tokens may be clawed back; 0: never. */
  claimExpiry: bigint;
  latestEpoch: bigint;
  currentEpoch: bigint;
  currentTotal: bigint;
  totalClawedBack: bigint;
  /** The newest non-vetoed root's cumulative total: what a proposal grows from. */
  latestTotal: bigint;
  totalClaimed: bigint;
  pending: { epoch: bigint; cumulativeTotal: bigint; activatesAt: bigint }[];
}

export interface ChainView {
  distributor: DistributorState;
  vaultBalance: bigint;
  epochRoot: EpochRootState | undefined;
}

/**
 * An Anchor Program used for its coder and program id: every read goes through `connection`
 * explicitly. `programId` (MERIT_PROGRAM_ID): a deployment under another id than the IDL's.
 */
export function offlineProgram(connection: Connection, programId?: string): MeritDistributorProgram {
  const provider = { connection } as never;
  if (!programId) return meritDistributorProgram(provider);
  return new Program<MeritDistributor>({ ...meritDistributorIdl, address: programId } as unknown as MeritDistributor, provider);
}

function decodeDistributor(address: PublicKey, data: Buffer): DistributorState {
  const d = decodeDistributorAccount(data);
  const pendingAdmin = d.pendingAdmin;
  return {
    address,
    admin: d.admin,
    pendingAdmin: pendingAdmin.equals(PublicKey.default) ? null : pendingAdmin,
    creator: d.creator,
    mint: d.mint,
    tokenProgram: d.tokenProgram,
    publisher: d.publisher,
    guardian: d.guardian,
    vault: d.vault,
    paused: d.paused,
    maxTotalIncrease: d.maxTotalIncrease,
    activationDelay: d.activationDelay,
    gracePeriod: d.gracePeriod,
    claimExpiry: d.claimExpiry,
    latestEpoch: d.latestEpoch,
    currentEpoch: d.currentEpoch,
    currentTotal: d.currentTotal,
    totalClawedBack: d.totalClawedBack,
    latestTotal: d.latestTotal,
    totalClaimed: d.totalClaimed,
    pending: d.pending,
  };
}

export function decodeEpochRoot(data: Buffer): EpochRootState {
  const r = decodeEpochRootAccount(data);
  return {
    epoch: r.epoch,
    root: r.root,
    cumulativeTotal: r.cumulativeTotal,
    leafCount: r.leafCount,
    datasetHash: r.datasetHash,
    inputsHash: r.inputsHash,
    proposedAt: r.proposedAt,
    activatesAt: r.activatesAt,
    activatedAt: r.activatedAt,
    status: r.status,
  };
}

/** A token account's amount (the same offset in SPL Token and Token-2022 accounts). */
const tokenAmount = (data: Buffer) => data.readBigUInt64LE(64);

export async function readChain(
  connection: Connection,
  program: MeritDistributorProgram,
  distributor: PublicKey,
  epoch?: bigint,
): Promise<ChainView> {
  const rootAddress = epoch === undefined ? undefined : epochRootPda(distributor, epoch, program.programId)[0];
  const [dist, root] = await connection.getMultipleAccountsInfo([distributor, ...(rootAddress ? [rootAddress] : [])], "finalized");
  if (!dist?.owner.equals(program.programId)) {
    throw new CallerError(
      "unknown_distributor_account",
      `no distributor account at ${distributor.toBase58()} on this cluster (program ${program.programId.toBase58()})`,
    );
  }
  const state = decodeDistributor(distributor, dist.data);
  const vault = await connection.getAccountInfo(state.vault, "finalized");
  return {
    distributor: state,
    vaultBalance: vault ? tokenAmount(vault.data) : 0n,
    epochRoot: root?.owner.equals(program.programId) ? decodeEpochRoot(root.data) : undefined,
  };
}

/** The chain's Clock (unix seconds), what the program compares `activates_at` with. */
export async function chainTime(connection: Connection): Promise<bigint> {
  const clock = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "finalized");
  if (!clock) return BigInt(Math.floor(Date.now() / 1000));
  return clock.data.readBigInt64LE(32);
}

/**
 * The signature of the transaction that created an EpochRoot: the oldest successful one naming it
 * (newest come first). Claims name the account too, so the search stops after `maxPages` pages of
 * 1,000 and returns undefined rather than walking a million claims.
 */
export async function proposalSignature(
  connection: Connection,
  distributor: PublicKey,
  epoch: bigint,
  programId: PublicKey,
  maxPages = 5,
): Promise<string | undefined> {
  const address = epochRootPda(distributor, epoch, programId)[0];
  let before: string | undefined;
  let oldest: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const sigs = await connection.getSignaturesForAddress(address, { before, limit: 1000 }, "finalized");
    for (const s of sigs) if (!s.err) oldest = s.signature;
    if (sigs.length < 1000) return oldest;
    before = sigs[sigs.length - 1]!.signature;
  }
  return undefined;
}

/** Whether `signature` landed without an error. */
export async function landedOk(connection: Connection, signature: string): Promise<boolean> {
  const st = (await connection.getSignatureStatuses([signature], { searchTransactionHistory: true })).value[0];
  return !!st && !st.err;
}

/** The program's error name in a failed transaction's message or logs, e.g. "CapExceeded". */
export function programErrorName(text: string): string | undefined {
  return parseProgramError(text)?.name;
}
