// What the page shows for a wallet: from merit's API when it answers, otherwise from the chain and
// the static proof shards (and it says which). Amounts are bigint base units of the reward mint.
import { type Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { ApiNetworkError, ApiNotFoundError, type ApiClient, ApiUnavailableError } from "@merit/clients/api";
import {
  claimStatusPda,
  decodeClaimStatus,
  decodeDistributor,
  decodeEpochRoot,
  type DistributorAccount,
  epochRootPda,
} from "@merit/clients/chain";
import { claimableEpochs, fetchShardProof } from "@merit/clients/claim";
import type { PageConfig } from "./config.js";

export interface EpochRow {
  epoch: bigint;
  status: string;
  points: bigint;
  allocated: bigint;
  released: bigint;
  cumulative: bigint;
  closedAt: Date;
}

export interface View {
  wallet: string;
  /** Where the figures came from; with "shards", `apiDown` says why the API was not used. */
  source: "api" | "shards";
  apiDown: string | undefined;
  distributor: string;
  decimals: number;
  /** false: the wallet has no allocation and no points merit knows of. */
  known: boolean;
  /** Millipoints; undefined without the API. */
  points: { total: bigint; pendingInOpenEpoch: bigint } | undefined;
  tier: string | null | undefined;
  cumulative: bigint;
  claimed: bigint;
  claimable: bigint;
  activeEpoch: bigint | null;
  pending: { epoch: bigint; amount: bigint; activatesAt: Date } | null;
  claimExpiresAt: Date | null;
  expired: boolean;
  paused: boolean;
  /** Undefined without the API. */
  epochs: EpochRow[] | undefined;
}

/** A reason the page cannot show a wallet at all, in words for the holder. */
export class ViewError extends Error {
  constructor(
    readonly kind: "wrong-network" | "unreachable" | "no-rpc" | "no-distributor",
    message: string,
  ) {
    super(message);
  }
}

interface Chain {
  distributor: DistributorAccount;
  now: bigint;
  claimed: bigint;
  decimals: number;
}

async function readChain(connection: Connection, distributor: PublicKey, wallet: PublicKey): Promise<Chain> {
  let infos: Awaited<ReturnType<Connection["getMultipleAccountsInfo"]>>;
  try {
    infos = await connection.getMultipleAccountsInfo(
      [distributor, SYSVAR_CLOCK_PUBKEY, claimStatusPda(distributor, wallet)[0]],
      "confirmed",
    );
  } catch (err) {
    throw new ViewError("unreachable", `the chain's RPC does not answer (${(err as Error).message})`);
  }
  const [d, clock, status] = infos;
  if (!d) {
    throw new ViewError(
      "wrong-network",
      `distributor ${distributor.toBase58()} does not exist on the network this page's RPC serves: the page, its RPC or your wallet is on the wrong network`,
    );
  }
  const state = decodeDistributor(d.data);
  const mint = await connection.getAccountInfo(state.mint, "confirmed");
  return {
    distributor: state,
    now: clock ? clock.data.readBigInt64LE(32) : BigInt(Math.floor(Date.now() / 1000)),
    claimed: status ? decodeClaimStatus(status.data).claimed : 0n,
    // Mint decimals: the same offset in SPL Token and Token-2022 mints.
    decimals: mint ? mint.data[44]! : 0,
  };
}

const seconds = (t: bigint) => new Date(Number(t) * 1000);
const expiryOf = (c: Chain) => ({
  claimExpiresAt: c.distributor.claimExpiry > 0n ? seconds(c.distributor.claimExpiry) : null,
  expired: c.distributor.claimExpiry > 0n && c.now >= c.distributor.claimExpiry,
  paused: c.distributor.paused,
});

const DISTRIBUTOR_KEY = "merit-claim-page:distributor";

export async function loadView(cfg: PageConfig, api: ApiClient, connection: Connection, wallet: string): Promise<View> {
  const walletKey = new PublicKey(wallet);
  let apiDown: string | undefined;
  try {
    return await fromApi(api, connection, walletKey, cfg.distributor);
  } catch (err) {
    if (!(err instanceof ApiNetworkError || err instanceof ApiUnavailableError)) throw err;
    apiDown = err instanceof ApiNetworkError ? "merit's API does not answer" : "merit's API answers that its database or RPC is down";
  }
  const distributor = cfg.distributor ?? localStorage.getItem(DISTRIBUTOR_KEY) ?? undefined;
  if (!distributor) {
    throw new ViewError(
      "no-distributor",
      `${apiDown}, and the page does not know the distributor to read from the chain (add ?distributor=…)`,
    );
  }
  return fromShards(cfg, connection, walletKey, new PublicKey(distributor), apiDown!);
}

async function fromApi(api: ApiClient, connection: Connection, wallet: PublicKey, distributor: string | undefined): Promise<View> {
  const q = distributor ? { distributor } : {};
  let info: Awaited<ReturnType<ApiClient["wallet"]>> | undefined;
  try {
    info = await api.wallet(wallet.toBase58(), q);
  } catch (err) {
    if (!(err instanceof ApiNotFoundError)) throw err;
  }
  const address = info?.distributor ?? distributor ?? (await api.distributor(q)).address;
  localStorage.setItem(DISTRIBUTOR_KEY, address);
  const chain = await readChain(connection, new PublicKey(address), wallet);
  const base = {
    wallet: wallet.toBase58(),
    source: "api" as const,
    apiDown: undefined,
    distributor: address,
    decimals: chain.decimals,
    ...expiryOf(chain),
  };
  if (!info) {
    return {
      ...base,
      known: false,
      points: undefined,
      tier: undefined,
      cumulative: 0n,
      claimed: chain.claimed,
      claimable: 0n,
      activeEpoch: null,
      pending: null,
      epochs: [],
    };
  }
  let epochs: EpochRow[] = [];
  try {
    epochs = (await api.walletEpochs(wallet.toBase58(), { distributor: address })).epochs.map((e) => ({
      ...e,
      closedAt: new Date(e.closedAt),
    }));
  } catch (err) {
    if (!(err instanceof ApiNotFoundError)) throw err;
  }
  // The chain decides what is claimed; the API read it too, possibly a moment earlier.
  const claimed = chain.claimed > info.claimed ? chain.claimed : info.claimed;
  // A pending root past its activation time is claimable now: the claim activates it.
  const due = info.pending !== null && BigInt(Math.floor(Date.parse(info.pending.activatesAt) / 1000)) <= chain.now;
  const cumulative = due ? info.pending!.cumulative : info.cumulative;
  return {
    ...base,
    known: cumulative > 0n || info.pending !== null || info.points.total !== 0n || epochs.length > 0,
    points: info.points,
    tier: info.tier,
    cumulative,
    claimed,
    claimable: cumulative > claimed ? cumulative - claimed : 0n,
    activeEpoch: due ? info.pending!.epoch : info.activeEpoch,
    pending:
      due || !info.pending
        ? null
        : { epoch: info.pending.epoch, amount: info.pending.amount, activatesAt: new Date(info.pending.activatesAt) },
    epochs,
  };
}

/** Without the API: the newest claimable root's proof from the shards, what is claimed from the chain. */
async function fromShards(
  cfg: PageConfig,
  connection: Connection,
  wallet: PublicKey,
  distributor: PublicKey,
  apiDown: string,
): Promise<View> {
  const chain = await readChain(connection, distributor, wallet);
  const d = chain.distributor;
  const claimable = claimableEpochs(chain);
  const notDue = d.pending.filter((p) => p.activatesAt > chain.now);
  const proofOf = async (epoch: bigint) => {
    const info = await connection.getAccountInfo(epochRootPda(distributor, epoch)[0], "confirmed");
    if (!info) return undefined;
    const root = decodeEpochRoot(info.data);
    if (root.status === "vetoed") return undefined;
    const r = await fetchShardProof(cfg.shards, distributor.toBase58(), wallet.toBase58(), epoch, root.root);
    if (r.kind === "unavailable") throw new ViewError("unreachable", `${apiDown}, and the proof shards cannot be read (${r.reason})`);
    return r.kind === "found" ? r.proof.amount : 0n;
  };
  let cumulative = 0n;
  let activeEpoch: bigint | null = null;
  for (const epoch of claimable) {
    const amount = await proofOf(epoch);
    if (amount === undefined) continue;
    cumulative = amount;
    activeEpoch = epoch;
    break;
  }
  let pending: View["pending"] = null;
  const last = notDue.at(-1);
  if (last) {
    const amount = await proofOf(last.epoch);
    if (amount !== undefined && amount > cumulative)
      pending = { epoch: last.epoch, amount: amount - cumulative, activatesAt: seconds(last.activatesAt) };
  }
  return {
    wallet: wallet.toBase58(),
    source: "shards",
    apiDown,
    distributor: distributor.toBase58(),
    decimals: chain.decimals,
    ...expiryOf(chain),
    known: cumulative > 0n || pending !== null || chain.claimed > 0n,
    points: undefined,
    tier: undefined,
    cumulative,
    claimed: chain.claimed,
    claimable: cumulative > chain.claimed ? cumulative - chain.claimed : 0n,
    activeEpoch,
    pending,
    epochs: undefined,
  };
}
