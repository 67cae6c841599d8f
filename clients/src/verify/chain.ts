// What verify reads from the chain: the Distributor, EpochRoot accounts and the vault balance,
// over plain JSON-RPC (one HTTP request each, a few retries), decoded with the program's IDL.
import { PublicKey } from "@solana/web3.js";
import {
  decodeDistributor as decodeDistributorAccount,
  decodeEpochRoot as decodeEpochRootAccount,
  type RootStatus,
} from "../chain/accounts.js";
import { epochRootPda } from "../idl/index.js";
import { inputError, rpcError } from "./errors.js";

export interface DistributorState {
  address: string;
  mint: string;
  vault: string;
  tokenProgram: string;
  latestEpoch: bigint;
  currentEpoch: bigint;
  currentTotal: bigint;
  totalClaimed: bigint;
  /** Cumulative total of the newest root that is or can become claimable: the last pending one, else the current (the program's `latest_total`). */
  latestTotal: bigint;
  paused: boolean;
}

export type { RootStatus };

export interface EpochRootState {
  address: string;
  epoch: bigint;
  root: string;
  cumulativeTotal: bigint;
  leafCount: bigint;
  datasetHash: string;
  inputsHash: string;
  status: RootStatus;
  activatesAt: bigint;
}

const TIMEOUT_MS = 15_000;
const RETRIES = 3;

/** One JSON-RPC call. Network failures, timeouts, 429 and 5xx are retried, then reported as an unreachable RPC. */
export async function rpcCall<T>(url: string, method: string, params: unknown[]): Promise<T> {
  let last = "";
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      last = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      continue;
    }
    if (res.status === 429 || res.status >= 500) {
      last = `HTTP ${res.status}`;
      continue;
    }
    const text = await res.text();
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      body = JSON.parse(text);
    } catch {
      last = `HTTP ${res.status}, not JSON: ${text.slice(0, 80)}`;
      continue;
    }
    if (body.error) throw rpcError(`${method}: the RPC answered error ${body.error.code}: ${body.error.message}`);
    return body.result as T;
  }
  throw rpcError(`the RPC at ${url} is unreachable (${method}: ${last})`);
}

function decodeDistributor(address: string, data: Buffer): DistributorState {
  const d = decodeDistributorAccount(data);
  return {
    address,
    mint: d.mint.toBase58(),
    vault: d.vault.toBase58(),
    tokenProgram: d.tokenProgram.toBase58(),
    latestEpoch: d.latestEpoch,
    currentEpoch: d.currentEpoch,
    currentTotal: d.currentTotal,
    totalClaimed: d.totalClaimed,
    latestTotal: d.latestTotal,
    paused: d.paused,
  };
}

function decodeEpochRoot(address: string, data: Buffer): EpochRootState {
  const r = decodeEpochRootAccount(data);
  return {
    address,
    epoch: r.epoch,
    root: r.root,
    cumulativeTotal: r.cumulativeTotal,
    leafCount: r.leafCount,
    datasetHash: r.datasetHash,
    inputsHash: r.inputsHash,
    status: r.status,
    activatesAt: r.activatesAt,
  };
}

type AccountInfo = { data: [string, string]; owner: string } | null;

export interface ChainState {
  distributor: DistributorState;
  /** Epoch N's root; undefined when none was ever proposed. */
  root: EpochRootState | undefined;
  /** Epoch N−1's root (N > 1). */
  previousRoot: EpochRootState | undefined;
  /** The slot the accounts were read at (one getMultipleAccounts: one consistent view). */
  slot: bigint;
}

/** The Distributor and the EpochRoots of `epoch` and `epoch - 1`, read in one request. */
export async function readChain(url: string, distributor: string, epoch: bigint): Promise<ChainState> {
  let key: PublicKey;
  try {
    key = new PublicKey(distributor);
  } catch {
    throw inputError(`distributor "${distributor}" is not a base58 address`);
  }
  const addresses = [key, epochRootPda(key, epoch)[0], ...(epoch > 1n ? [epochRootPda(key, epoch - 1n)[0]] : [])].map((k) => k.toBase58());
  const res = await rpcCall<{ context: { slot: number }; value: AccountInfo[] }>(url, "getMultipleAccounts", [
    addresses,
    { encoding: "base64", commitment: "confirmed" },
  ]);
  const [d, r, p] = res.value;
  const data = (a: AccountInfo) => Buffer.from(a!.data[0], "base64");
  if (!d) throw inputError(`no Distributor account at ${distributor} on this cluster (wrong --rpc, or not a merit distributor)`);
  const decode = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw inputError(
        `the account at ${what} is not a merit ${what === distributor ? "Distributor" : "EpochRoot"}: ${(err as Error).message}`,
      );
    }
  };
  return {
    distributor: decode(distributor, () => decodeDistributor(distributor, data(d))),
    root: r ? decode(addresses[1]!, () => decodeEpochRoot(addresses[1]!, data(r))) : undefined,
    previousRoot: p ? decode(addresses[2]!, () => decodeEpochRoot(addresses[2]!, data(p))) : undefined,
    slot: BigInt(res.context.slot),
  };
}

/** The vault's token balance in base units. */
export async function vaultBalance(url: string, vault: string): Promise<bigint> {
  const res = await rpcCall<{ value: { amount: string } }>(url, "getTokenAccountBalance", [vault, { commitment: "confirmed" }]);
  return BigInt(res.value.amount);
}
