import { z } from "@hono/zod-openapi";

/**
 * The response and parameter shapes of merit's public HTTP API, shared by the server (which
 * validates input with them and publishes them in /openapi.json) and `apiClient` (which takes its
 * types from them). Amounts are decimal strings: token amounts in the mint's base units (u64),
 * points in millipoints (1 point = 1000 millipoints, the one unit points have everywhere in the API).
 */

export const POINTS_UNIT = "millipoint" as const;

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
export const Address = z
  .string()
  .regex(BASE58, "must be a base58 Solana address")
  .openapi({ example: "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin" });
export const U64 = z.string().regex(/^\d+$/).openapi({ description: "u64 as a decimal string (token base units)", example: "5005" });
export const Points = z
  .string()
  .regex(/^-?\d+$/)
  .openapi({ description: "points in millipoints (1 point = 1000), a decimal string", example: "12500" });
const Epoch = z
  .string()
  .regex(/^[1-9]\d*$/)
  .openapi({ description: "epoch number, a decimal string", example: "7" });
const Hex32 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .openapi({ description: "32 bytes, lowercase hex" });
const Time = z.string().openapi({ format: "date-time", description: "ISO-8601 time (UTC)" });

export const ErrorBody = z
  .object({
    error: z.string().openapi({ description: "stable machine-readable code, e.g. unknown_wallet, bad_request, rate_limited, unavailable" }),
    message: z.string(),
    field: z.string().optional().openapi({ description: "the input at fault, e.g. params.address or query.limit" }),
    requestId: z.string().optional(),
  })
  .openapi("Error");

export const AddressParams = z.object({ address: Address.openapi({ param: { name: "address", in: "path" } }) });
export const EpochParams = z.object({
  n: z
    .string()
    .regex(/^[1-9]\d{0,18}$/, "must be an epoch number (1 or more)")
    .openapi({ param: { name: "n", in: "path" }, example: "7" }),
});
export const DistributorQuery = z.object({
  distributor: Address.optional().openapi({
    param: { name: "distributor", in: "query" },
    description: "which distributor (default: the only, or first, one configured here)",
  }),
});
const limit = (max: number, dflt: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .default(dflt)
    .openapi({ param: { name: "limit", in: "query" }, description: `at most ${max}`, example: dflt });

export const WalletPending = z
  .object({
    epoch: Epoch,
    cumulative: U64.openapi({ description: "the wallet's cumulative amount in the pending root" }),
    amount: U64.openapi({ description: "what the pending root adds to the active one for this wallet (cumulative − active cumulative)" }),
    activatesAt: Time,
  })
  .openapi("WalletPending");

export const Wallet = z
  .object({
    wallet: Address,
    distributor: Address.nullable().openapi({ description: "null when no distributor is configured yet" }),
    mint: Address.nullable(),
    points: z.object({
      unit: z.literal(POINTS_UNIT),
      total: Points.openapi({ description: "every point the wallet ever earned, minus corrections" }),
      pendingInOpenEpoch: Points.openapi({ description: "points earned since the last epoch closed: not yet in any root" }),
    }),
    tier: z.string().nullable().openapi({ description: "the tier the rolling volume reaches (null: no tiers configured)" }),
    rollingVolume: U64.openapi({ description: "settled volume over the tier window, micro-units (6 decimals)" }),
    tierWindowDays: z.number().int().nullable(),
    cumulative: U64.openapi({
      description:
        "cumulative amount allocated to the wallet in the latest ACTIVE root (everything it was ever allocated, claimed or not); 0 without an active root",
    }),
    activeEpoch: Epoch.nullable(),
    claimed: U64.openapi({
      description: "what the wallet already claimed, read on-chain from its ClaimStatus account (not from merit's database)",
    }),
    claimable: U64.openapi({ description: "cumulative − claimed: what a claim pays now" }),
    pending: WalletPending.nullable().openapi({ description: "a proposed root not active yet (timelock) that allocates the wallet more" }),
    nextEpochCloseAt: Time.nullable(),
    claimExpiresAt: Time.nullable().openapi({
      description: "after this time unclaimed tokens may be clawed back (null: claims never expire)",
    }),
    updatedAt: Time.openapi({ description: "when the points figures were last brought up to date" }),
    slot: z
      .string()
      .regex(/^-?\d+$/)
      .openapi({ description: "the chain slot the points figures reflect" }),
  })
  .openapi("Wallet");

const ProofEntry = {
  epoch: Epoch,
  root: Hex32,
  amount: U64.openapi({ description: "the cumulative amount in the leaf (what `claim` takes)" }),
  proof: z.array(Hex32).openapi({ description: "sibling hashes, bottom first" }),
};
export const Proof = z
  .object({
    wallet: Address,
    distributor: Address,
    mint: Address,
    active: z.object(ProofEntry).nullable().openapi({ description: "the wallet's leaf in the active root" }),
    pending: z
      .object({ ...ProofEntry, activatesAt: Time })
      .nullable()
      .openapi({ description: "the wallet's leaf in the newest pending root, claimable from activatesAt" }),
  })
  .openapi("Proof");

export const HistoryQuery = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, "must be a cursor from nextCursor")
    .optional()
    .openapi({ param: { name: "cursor", in: "query" } }),
  limit: limit(500, 50),
});
export const HistoryRow = z
  .object({
    id: z.string(),
    seq: z.string(),
    settlementId: z.string().nullable(),
    /** the off-chain event a row credits (POST /v1/events); absent from servers before events */
    eventId: z.string().nullable().optional(),
    delta: Points,
    reason: z.string().openapi({ description: "why: earn, rule, campaign, referral, adjustment, …" }),
    campaignId: z.string().nullable(),
    ruleId: z.string().nullable(),
    referralPath: z.array(z.string()).nullable(),
    ruleSetVersion: z.string().nullable(),
    note: z.string().nullable(),
    occurredAt: Time,
  })
  .openapi("HistoryRow");
export const HistoryExclusion = z
  .object({
    settlementId: z.string(),
    seq: z.string(),
    wallet: z.string().openapi({ description: "the paying wallet (this one, or an address linked into this account)" }),
    counterparty: z.string(),
    reason: z
      .string()
      .openapi({ description: "which fraud control caught it: linked_addresses, round_trip, below_minimum, daily_cap, review_threshold" }),
    detail: z.string().openapi({ description: "the reason as a sentence" }),
    status: z.enum(["excluded", "pending", "approved", "rejected"]).openapi({
      description: "excluded: counts for nothing; pending: waits for an admin; approved: heldPoints were credited (an adjustment row)",
    }),
    heldPoints: Points,
    occurredAt: Time,
  })
  .openapi("HistoryExclusion");
export const History = z
  .object({
    wallet: Address,
    unit: z.literal(POINTS_UNIT),
    rows: z.array(HistoryRow),
    exclusions: z.array(HistoryExclusion).openapi({
      description: "settlements of the wallet that fraud controls excluded or hold for review, newest first (first page only)",
    }),
    nextCursor: z.string().nullable().openapi({ description: "pass as ?cursor= for the next (older) page; null at the end" }),
  })
  .openapi("History");

export const WalletEpoch = z
  .object({
    epoch: Epoch,
    status: z.string(),
    points: Points,
    basePoints: Points,
    campaignPoints: Points,
    referralPoints: Points,
    adjustmentPoints: Points,
    allocated: U64.openapi({ description: "tokens the epoch's points converted to" }),
    released: U64.openapi({ description: "what the epoch added to the wallet's cumulative amount" }),
    cumulative: U64,
    closedAt: Time,
  })
  .openapi("WalletEpoch");
export const WalletEpochs = z.object({ wallet: Address, distributor: Address, epochs: z.array(WalletEpoch) }).openapi("WalletEpochs");

export const EpochStatus = z.enum(["closed", "proposed", "pending", "active", "vetoed"]).openapi({
  description:
    "closed (files written) → proposed (transaction sent) → pending (on-chain, timelocked) → active | vetoed, as followed on-chain",
});
export const EpochSummary = z
  .object({
    epoch: Epoch,
    status: EpochStatus,
    root: Hex32,
    leafCount: z.number().int(),
    points: Points,
    released: U64,
    cumulativeTotal: U64,
    closedAt: Time,
    activatesAt: Time.nullable(),
    activatedAt: Time.nullable(),
  })
  .openapi("EpochSummary");
export const Epochs = z.object({ distributor: Address, epochs: z.array(EpochSummary) }).openapi("Epochs");
export const EpochDetail = EpochSummary.extend({
  distributor: Address,
  mint: Address,
  firstSlot: z.string().nullable(),
  cutoffSlot: z.string(),
  settlementCount: z.string(),
  allocated: U64,
  datasetHash: Hex32,
  inputsHash: Hex32,
  proposeSignature: z.string().nullable(),
  proposedAt: Time.nullable(),
  vetoedAt: Time.nullable(),
  files: z
    .object({ dataset: z.string(), manifest: z.string(), shards: z.string() })
    .openapi({ description: "immutable downloads (paths under this API)" }),
}).openapi("EpochDetail");

export const LeaderboardQuery = z.object({
  limit: limit(1000, 100),
  side: z
    .enum(["user", "provider"])
    .default("user")
    .openapi({
      param: { name: "side", in: "query" },
      description: "user (default): points earned as a payer; provider: points earned serving payments (sides.provider)",
    }),
  epoch: z
    .string()
    .regex(/^[1-9]\d{0,18}$/, "must be an epoch number")
    .optional()
    .openapi({ param: { name: "epoch", in: "query" }, description: "the snapshot taken at that epoch (default: live)" }),
});
export const Leaderboard = z
  .object({
    epoch: Epoch.nullable(),
    side: z.enum(["user", "provider"]),
    unit: z.literal(POINTS_UNIT),
    rows: z.array(z.object({ rank: z.number().int(), account: z.string(), points: Points })),
  })
  .openapi("Leaderboard");

export const Campaign = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    startsAt: Time,
    endsAt: Time,
    budget: Points,
    spent: Points,
    budgetLeft: Points,
    participants: z.number().int(),
    maxParticipants: z.number().int().nullable(),
  })
  .openapi("Campaign");
export const Campaigns = z.object({ unit: z.literal(POINTS_UNIT), campaigns: z.array(Campaign) }).openapi("Campaigns");

export const CodeParams = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,32}$/, "must be 3-32 letters, digits, _ or -")
    .openapi({ param: { name: "code", in: "path" } }),
});
export const Referral = z
  .object({ code: z.string(), referrer: z.string(), referees: z.number().int(), createdAt: Time })
  .openapi("Referral");

export const Distributor = z
  .object({
    address: Address,
    programId: Address,
    mint: Address,
    tokenProgram: Address,
    vault: Address,
    vaultBalance: U64,
    admin: Address,
    pendingAdmin: Address.nullable(),
    publisher: Address,
    guardian: Address,
    creator: Address,
    activationDelaySeconds: z.string(),
    gracePeriodSeconds: z.string(),
    maxTotalIncrease: U64.openapi({ description: "the per-proposal cap on how much a root may add" }),
    claimExpiresAt: Time.nullable(),
    paused: z.boolean(),
    latestEpoch: z.string(),
    currentEpoch: z.string(),
    currentTotal: U64,
    totalClaimed: U64,
    totalClawedBack: U64,
    pending: z.array(z.object({ epoch: Epoch, cumulativeTotal: U64, activatesAt: Time })),
  })
  .openapi("Distributor");
