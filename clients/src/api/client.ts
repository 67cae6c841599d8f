import type { z } from "@hono/zod-openapi";
import type * as s from "./schemas.js";

/**
 * A typed client of merit's public API. Its types are the route definitions' response schemas
 * (`schemas.ts`, the same objects the server validates with and publishes in /openapi.json), with
 * every decimal-string amount turned into a bigint. Failures are three distinct errors: the API
 * answered "no such thing" (`ApiNotFoundError`, e.g. a wallet that is not eligible), the service is
 * down (`ApiUnavailableError`: 503, the API's database or RPC), or the API could not be reached
 * (`ApiNetworkError`); any other refusal is an `ApiRequestError`.
 */

/** Fields that hold a u64, points or an epoch number as a decimal string; the client makes them bigints. */
const BIG_KEYS = [
  "amount",
  "cumulative",
  "claimed",
  "claimable",
  "total",
  "pendingInOpenEpoch",
  "rollingVolume",
  "points",
  "basePoints",
  "campaignPoints",
  "referralPoints",
  "adjustmentPoints",
  "allocated",
  "released",
  "cumulativeTotal",
  "budget",
  "spent",
  "budgetLeft",
  "maxTotalIncrease",
  "currentTotal",
  "totalClaimed",
  "totalClawedBack",
  "vaultBalance",
  "delta",
  "epoch",
  "activeEpoch",
  "slot",
] as const;
type BigKey = (typeof BIG_KEYS)[number];
const BIG = new Set<string>(BIG_KEYS);

/** `T` with its decimal-string amount fields as bigint. */
export type Big<T> = T extends readonly (infer U)[]
  ? Big<U>[]
  : T extends object
    ? {
        [K in keyof T]: K extends BigKey
          ? T[K] extends string
            ? bigint
            : T[K] extends string | null
              ? bigint | null
              : Big<T[K]>
          : Big<T[K]>;
      }
    : T;

function bigints(v: unknown, key?: string): unknown {
  if (typeof v === "string" && key !== undefined && BIG.has(key) && /^-?\d+$/.test(v)) return BigInt(v);
  if (Array.isArray(v)) return v.map((x) => bigints(x));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bigints(x, k)]));
  return v;
}

export type WalletInfo = Big<z.infer<typeof s.Wallet>>;
export type WalletProof = Big<z.infer<typeof s.Proof>>;
export type WalletHistory = Big<z.infer<typeof s.History>>;
export type WalletEpochs = Big<z.infer<typeof s.WalletEpochs>>;
export type EpochList = Big<z.infer<typeof s.Epochs>>;
export type EpochInfo = Big<z.infer<typeof s.EpochDetail>>;
export type LeaderboardPage = Big<z.infer<typeof s.Leaderboard>>;
export type CampaignList = Big<z.infer<typeof s.Campaigns>>;
export type ReferralInfo = Big<z.infer<typeof s.Referral>>;
export type DistributorInfo = Big<z.infer<typeof s.Distributor>>;
export type ErrorBody = z.infer<typeof s.ErrorBody>;

export class ApiClientError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: ErrorBody | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
  /** The API's machine-readable code, e.g. `unknown_wallet`. */
  get code(): string | undefined {
    return this.body?.error;
  }
}
/** 404: the API knows no such wallet, epoch or code (for a wallet: not eligible). Not an outage. */
export class ApiNotFoundError extends ApiClientError {}
/** 503: the API is up but its database or RPC is not; retry later. */
export class ApiUnavailableError extends ApiClientError {}
/** The API could not be reached at all (connection refused, DNS, timeout). */
export class ApiNetworkError extends ApiClientError {}
/** Any other refusal (400 with `field`, 429, 500). */
export class ApiRequestError extends ApiClientError {}

type Query = Record<string, string | number | bigint | undefined>;

export interface ApiClientOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function apiClient(baseUrl: string, options: ApiClientOptions = {}) {
  const base = baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const get = async <T>(path: string, query: Query = {}): Promise<Big<T>> => {
    const qs = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
    const url = `${base}/v1${path}${qs ? `?${qs}` : ""}`;
    let res: Response;
    try {
      res = await doFetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    } catch (cause) {
      throw new ApiNetworkError(`merit API unreachable at ${base}: ${(cause as Error).message}`, undefined, undefined, { cause });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) return bigints(body) as Big<T>;
    const e = body as ErrorBody | undefined;
    const message = `GET ${path}: HTTP ${res.status}${e?.message ? `: ${e.message}` : ""}`;
    if (res.status === 404) throw new ApiNotFoundError(message, res.status, e);
    if (res.status === 503) throw new ApiUnavailableError(message, res.status, e);
    throw new ApiRequestError(message, res.status, e);
  };
  const w = (address: string) => `/wallets/${encodeURIComponent(address)}`;
  return {
    baseUrl: base,
    /** Where this API serves an epoch's proof shards (a `shardsUrl` for readClaimProof). */
    shardsUrl: (epoch: bigint) => `${base}/v1/epochs/${epoch}/shards`,
    wallet: (address: string, q: { distributor?: string } = {}) => get<z.infer<typeof s.Wallet>>(w(address), q),
    proof: (address: string, q: { distributor?: string } = {}) => get<z.infer<typeof s.Proof>>(`${w(address)}/proof`, q),
    history: (address: string, q: { cursor?: string; limit?: number } = {}) => get<z.infer<typeof s.History>>(`${w(address)}/history`, q),
    walletEpochs: (address: string, q: { distributor?: string } = {}) => get<z.infer<typeof s.WalletEpochs>>(`${w(address)}/epochs`, q),
    epochs: (q: { distributor?: string } = {}) => get<z.infer<typeof s.Epochs>>("/epochs", q),
    epoch: (n: bigint, q: { distributor?: string } = {}) => get<z.infer<typeof s.EpochDetail>>(`/epochs/${n}`, q),
    leaderboard: (q: { limit?: number; epoch?: bigint; side?: "user" | "provider" } = {}) =>
      get<z.infer<typeof s.Leaderboard>>("/leaderboard", q),
    campaigns: () => get<z.infer<typeof s.Campaigns>>("/campaigns"),
    referral: (code: string) => get<z.infer<typeof s.Referral>>(`/referrals/${encodeURIComponent(code)}`),
    distributor: (q: { distributor?: string } = {}) => get<z.infer<typeof s.Distributor>>("/distributor", q),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
