import { type Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { Program } from "@coral-xyz/anchor";
import {
  epochRootPda,
  type MeritDistributor,
  MeritErrorCode,
  meritDistributorIdl,
  meritDistributorProgram,
  type MeritDistributorProgram,
} from "@merit/clients/idl";
import { CallerError } from "../errors.js";

/**
 * What the publisher reads from the chain, always at `finalized`: the Distributor account, the
 * vault's balance, an epoch's EpochRoot (the truth about that epoch), and the chain's clock.
 */
export type ChainRootStatus = "pending" | "active" | "vetoed";

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

const big = (v: { toString(): string }) => BigInt(v.toString());
const hex = (a: number[] | Uint8Array) => Buffer.from(a).toString("hex");

/**
 * An Anchor Program used for its coder and program id: every read goes through `connection`
 * explicitly. `programId` (MERIT_PROGRAM_ID): a deployment under another id than the IDL's.
 */
export function offlineProgram(connection: Connection, programId?: string): MeritDistributorProgram {
  const provider = { connection } as never;
  if (!programId) return meritDistributorProgram(provider);
  return new Program<MeritDistributor>({ ...meritDistributorIdl, address: programId } as unknown as MeritDistributor, provider);
}

function decodeDistributor(program: MeritDistributorProgram, address: PublicKey, data: Buffer): DistributorState {
  const d = program.coder.accounts.decode("distributor", data);
  const pending = d.pending.slice(0, d.pendingCount).map((p: { epoch: unknown; cumulativeTotal: unknown; activatesAt: unknown }) => ({
    epoch: big(p.epoch as bigint),
    cumulativeTotal: big(p.cumulativeTotal as bigint),
    activatesAt: big(p.activatesAt as bigint),
  }));
  const pendingAdmin = d.pendingAdmin as PublicKey;
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
    maxTotalIncrease: big(d.maxTotalIncrease),
    activationDelay: big(d.activationDelay),
    gracePeriod: big(d.gracePeriod),
    claimExpiry: big(d.claimExpiry),
    latestEpoch: big(d.latestEpoch),
    currentEpoch: big(d.currentEpoch),
    currentTotal: big(d.currentTotal),
    totalClawedBack: big(d.totalClawedBack),
    latestTotal: pending.length > 0 ? pending[pending.length - 1]!.cumulativeTotal : big(d.currentTotal),
    totalClaimed: big(d.totalClaimed),
    pending,
  };
}

export function decodeEpochRoot(program: MeritDistributorProgram, data: Buffer): EpochRootState {
  const r = program.coder.accounts.decode("epochRoot", data);
  const status = Object.keys(r.status)[0] as ChainRootStatus;
  return {
    epoch: big(r.epoch),
    root: hex(r.root),
    cumulativeTotal: big(r.cumulativeTotal),
    leafCount: big(r.leafCount),
    datasetHash: hex(r.datasetHash),
    inputsHash: hex(r.inputsHash),
    proposedAt: big(r.proposedAt),
    activatesAt: big(r.activatesAt),
    activatedAt: big(r.activatedAt),
    status,
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
  const state = decodeDistributor(program, distributor, dist.data);
  const vault = await connection.getAccountInfo(state.vault, "finalized");
  return {
    distributor: state,
    vaultBalance: vault ? tokenAmount(vault.data) : 0n,
    epochRoot: root?.owner.equals(program.programId) ? decodeEpochRoot(program, root.data) : undefined,
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

const ERROR_NAMES = new Map(Object.entries(MeritErrorCode).map(([name, code]) => [code, name]));

/** The program's error name in a failed transaction's message or logs, e.g. "CapExceeded". */
export function programErrorName(text: string): string | undefined {
  const m = /custom program error: 0x([0-9a-f]+)/i.exec(text) ?? /"Custom":\s*(\d+)/.exec(text);
  if (!m) return undefined;
  const code = m[0].startsWith("custom") ? Number.parseInt(m[1]!, 16) : Number(m[1]);
  return ERROR_NAMES.get(code);
}
