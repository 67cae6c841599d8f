// Decoders of the distributor's accounts (docs/program.md), one implementation for every reader:
// the claim client, the auditor's verify and the publisher. Anchor's account coder checks the
// discriminator; amounts come out as bigint, hashes as lowercase hex, addresses as PublicKey.
import type { PublicKey } from "@solana/web3.js";
import { codingProgram } from "./program.js";

export type RootStatus = "pending" | "active" | "vetoed";

export interface PendingRootEntry {
  epoch: bigint;
  cumulativeTotal: bigint;
  activatesAt: bigint;
}

export interface DistributorAccount {
  admin: PublicKey;
  pendingAdmin: PublicKey;
  publisher: PublicKey;
  guardian: PublicKey;
  mint: PublicKey;
  tokenProgram: PublicKey;
  vault: PublicKey;
  creator: PublicKey;
  id: bigint;
  activationDelay: bigint;
  gracePeriod: bigint;
  maxTotalIncrease: bigint;
  /** Unix seconds; 0 = claims never expire. */
  claimExpiry: bigint;
  latestEpoch: bigint;
  /** 0 before any root activated. */
  currentEpoch: bigint;
  currentTotal: bigint;
  currentActivatedAt: bigint;
  previousEpoch: bigint;
  totalClaimed: bigint;
  totalClawedBack: bigint;
  /** The queued roots, oldest first (only the `pending_count` live entries). */
  pending: PendingRootEntry[];
  /** The newest root that is or can become claimable: the last queued one, else the current (the program's `latest_total`). */
  latestTotal: bigint;
  paused: boolean;
  bump: number;
  vaultBump: number;
}

export interface EpochRootAccount {
  distributor: PublicKey;
  epoch: bigint;
  /** 32 bytes, hex. */
  root: string;
  cumulativeTotal: bigint;
  leafCount: bigint;
  datasetHash: string;
  inputsHash: string;
  proposedAt: bigint;
  activatesAt: bigint;
  activatedAt: bigint;
  status: RootStatus;
  bump: number;
}

export interface ClaimStatusAccount {
  /** Cumulative amount already paid to this claimant. */
  claimed: bigint;
  bump: number;
}

const accounts = () => codingProgram().coder.accounts;

const big = (v: { toString(): string }) => BigInt(v.toString());
const hex = (a: number[] | Uint8Array) => Buffer.from(a).toString("hex");

/** A Distributor account's data; throws when the discriminator or layout does not match. */
export function decodeDistributor(data: Buffer): DistributorAccount {
  const d = accounts().decode("distributor", data);
  const queued = (d.pending as { epoch: unknown; cumulativeTotal: unknown; activatesAt: unknown }[])
    .slice(0, d.pendingCount as number)
    .map((p) => ({
      epoch: big(p.epoch as bigint),
      cumulativeTotal: big(p.cumulativeTotal as bigint),
      activatesAt: big(p.activatesAt as bigint),
    }));
  return {
    admin: d.admin,
    pendingAdmin: d.pendingAdmin,
    publisher: d.publisher,
    guardian: d.guardian,
    mint: d.mint,
    tokenProgram: d.tokenProgram,
    vault: d.vault,
    creator: d.creator,
    id: big(d.id),
    activationDelay: big(d.activationDelay),
    gracePeriod: big(d.gracePeriod),
    maxTotalIncrease: big(d.maxTotalIncrease),
    claimExpiry: big(d.claimExpiry),
    latestEpoch: big(d.latestEpoch),
    currentEpoch: big(d.currentEpoch),
    currentTotal: big(d.currentTotal),
    currentActivatedAt: big(d.currentActivatedAt),
    previousEpoch: big(d.previousEpoch),
    totalClaimed: big(d.totalClaimed),
    totalClawedBack: big(d.totalClawedBack),
    pending: queued,
    latestTotal: queued.length > 0 ? queued[queued.length - 1]!.cumulativeTotal : big(d.currentTotal),
    paused: Boolean(d.paused),
    bump: d.bump,
    vaultBump: d.vaultBump,
  };
}

export function decodeEpochRoot(data: Buffer): EpochRootAccount {
  const r = accounts().decode("epochRoot", data);
  return {
    distributor: r.distributor,
    epoch: big(r.epoch),
    root: hex(r.root),
    cumulativeTotal: big(r.cumulativeTotal),
    leafCount: big(r.leafCount),
    datasetHash: hex(r.datasetHash),
    inputsHash: hex(r.inputsHash),
    proposedAt: big(r.proposedAt),
    activatesAt: big(r.activatesAt),
    activatedAt: big(r.activatedAt),
    status: Object.keys(r.status)[0] as RootStatus,
    bump: r.bump,
  };
}

export function decodeClaimStatus(data: Buffer): ClaimStatusAccount {
  const c = accounts().decode("claimStatus", data);
  return { claimed: big(c.claimed), bump: c.bump };
}
