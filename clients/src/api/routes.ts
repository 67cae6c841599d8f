import { createRoute, z } from "@hono/zod-openapi";
import * as s from "./schemas.js";

/**
 * Every public route of merit's HTTP API (mounted under /v1), declared once: the server registers
 * its handlers against these, /openapi.json is generated from them, and `apiClient` takes its types
 * from their response schemas.
 */

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { "application/json": { schema } }, description });
const err = (description: string) => json(s.ErrorBody, description);
const COMMON = {
  400: err("invalid input; `field` names it (e.g. params.address, query.limit)"),
  429: err("rate limited: retry after the Retry-After header's seconds"),
  503: err("service down: merit's database or the RPC node is unreachable. Not an answer about the wallet: retry later"),
} as const;
const NOT_ELIGIBLE = "not eligible: no such wallet, epoch or code here (error `unknown_wallet`, `unknown_epoch`, …). Not an outage";
const csv = { "text/csv": { schema: z.string() } };
/** A file download: bytes as they are on disk (for JSON shards, the shard document). */
const file = (type: string) => ({ [type]: { schema: type === "application/json" ? z.object({}).passthrough() : z.string() } });

export const walletRoute = createRoute({
  method: "get",
  path: "/wallets/{address}",
  tags: ["wallets"],
  summary: "A wallet's points, tier, allocation, claimed and claimable amounts",
  description:
    "Points are in millipoints (1 point = 1000). `cumulative` is everything the latest active root allocates the wallet; `claimed` is read on-chain; `claimable` = cumulative − claimed. A 404 (`unknown_wallet`) means merit knows nothing of the wallet (not eligible); a 503 means a dependency is down.",
  request: { params: s.AddressParams, query: s.DistributorQuery },
  responses: { 200: json(s.Wallet, "the wallet"), 404: err(NOT_ELIGIBLE), ...COMMON },
});

export const proofRoute = createRoute({
  method: "get",
  path: "/wallets/{address}/proof",
  tags: ["wallets"],
  summary: "The wallet's Merkle proofs: the active root's, and the pending root's when there is one",
  description:
    "What the `claim` instruction takes. Served from the epoch's proof shards (the same files as /v1/epochs/{n}/shards). 404 (`unknown_wallet`) when the wallet has no leaf in the active or pending root.",
  request: { params: s.AddressParams, query: s.DistributorQuery },
  responses: { 200: json(s.Proof, "the proofs"), 404: err(NOT_ELIGIBLE), ...COMMON },
});

export const historyRoute = createRoute({
  method: "get",
  path: "/wallets/{address}/history",
  tags: ["wallets"],
  summary: "The wallet's points ledger, newest first, with the reason of every row",
  description: "Cursor pagination: pass `nextCursor` as `?cursor=`. `Accept: text/csv` returns the page as CSV (`X-Next-Cursor` header).",
  request: { params: s.AddressParams, query: s.HistoryQuery },
  responses: {
    200: { content: { "application/json": { schema: s.History }, ...csv }, description: "one page" },
    404: err(NOT_ELIGIBLE),
    ...COMMON,
  },
});

export const walletEpochsRoute = createRoute({
  method: "get",
  path: "/wallets/{address}/epochs",
  tags: ["wallets"],
  summary: "The wallet's amounts per epoch (not only the cumulative one)",
  description: "`Accept: text/csv` returns the same rows as CSV.",
  request: { params: s.AddressParams, query: s.DistributorQuery },
  responses: {
    200: { content: { "application/json": { schema: s.WalletEpochs }, ...csv }, description: "every epoch with figures for the wallet" },
    404: err(NOT_ELIGIBLE),
    ...COMMON,
  },
});

export const epochsRoute = createRoute({
  method: "get",
  path: "/epochs",
  tags: ["epochs"],
  summary: "Every closed epoch of the distributor",
  request: { query: s.DistributorQuery },
  responses: { 200: json(s.Epochs, "oldest first"), 404: err("unknown distributor"), ...COMMON },
});

export const epochRoute = createRoute({
  method: "get",
  path: "/epochs/{n}",
  tags: ["epochs"],
  summary: "One epoch: root, totals, status as followed on-chain, transaction signature, hashes and its files",
  request: { params: s.EpochParams, query: s.DistributorQuery },
  responses: { 200: json(s.EpochDetail, "the epoch"), 404: err(NOT_ELIGIBLE), ...COMMON },
});

const IMMUTABLE = "an immutable file: ETag, Cache-Control immutable for a year, 304 on If-None-Match";
export const epochDatasetRoute = createRoute({
  method: "get",
  path: "/epochs/{n}/dataset",
  tags: ["epochs"],
  summary: "The epoch's dataset (NDJSON, docs/epoch-dataset.md)",
  request: { params: s.EpochParams, query: s.DistributorQuery },
  responses: {
    200: { content: file("application/x-ndjson"), description: IMMUTABLE },
    304: { description: "not modified" },
    404: err(NOT_ELIGIBLE),
    ...COMMON,
  },
});
export const epochManifestRoute = createRoute({
  method: "get",
  path: "/epochs/{n}/manifest",
  tags: ["epochs"],
  summary: "The epoch's input manifest (NDJSON, docs/epoch-manifest.md)",
  request: { params: s.EpochParams, query: s.DistributorQuery },
  responses: {
    200: { content: file("application/x-ndjson"), description: IMMUTABLE },
    304: { description: "not modified" },
    404: err(NOT_ELIGIBLE),
    ...COMMON,
  },
});
export const shardRoute = createRoute({
  method: "get",
  path: "/epochs/{n}/shards/{file}",
  tags: ["epochs"],
  summary: "The epoch's proof shards: manifest.json and <prefix>.json (docs/proof-shards.md); `<api>/v1/epochs/{n}/shards` is a shardsUrl",
  request: {
    params: s.EpochParams.extend({
      file: z
        .string()
        .regex(/^(manifest|[0-9a-f]{1,8})\.json$/, "must be manifest.json or <hex prefix>.json")
        .openapi({ param: { name: "file", in: "path" }, example: "manifest.json" }),
    }),
    query: s.DistributorQuery,
  },
  responses: {
    200: { content: file("application/json"), description: IMMUTABLE },
    304: { description: "not modified" },
    404: err(NOT_ELIGIBLE),
    ...COMMON,
  },
});

export const leaderboardRoute = createRoute({
  method: "get",
  path: "/leaderboard",
  tags: ["points"],
  summary: "Accounts by points (millipoints): live, or the snapshot taken at an epoch",
  request: { query: s.LeaderboardQuery },
  responses: { 200: json(s.Leaderboard, "best first"), 404: err("no snapshot for that epoch"), ...COMMON },
});

export const campaignsRoute = createRoute({
  method: "get",
  path: "/campaigns",
  tags: ["points"],
  summary: "Campaigns running now, with their budget left (millipoints) and participants",
  responses: { 200: json(s.Campaigns, "active campaigns"), ...COMMON },
});

export const referralRoute = createRoute({
  method: "get",
  path: "/referrals/{code}",
  tags: ["points"],
  summary: "Who a referral code belongs to and how many adopted it",
  request: { params: s.CodeParams },
  responses: { 200: json(s.Referral, "the code"), 404: err("unknown code (`unknown_code`)"), ...COMMON },
});

export const distributorRoute = createRoute({
  method: "get",
  path: "/distributor",
  tags: ["chain"],
  summary: "The distributor's on-chain state, decoded: authorities, timelock, cap, pending roots, paused",
  request: { query: s.DistributorQuery },
  responses: { 200: json(s.Distributor, "read from the chain now"), 404: err("unknown distributor"), ...COMMON },
});
