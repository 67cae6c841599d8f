import { decodeKey58 } from "@merit/clients/merkle";
import { routes, schemas } from "@merit/clients/api";
import { epochWalletsOf } from "../../epochs/queries.js";
import { walletExclusions } from "../../fraud/review.js";
import { ledgerHistory } from "../../ledger/queries.js";
import { pickTier } from "../../scoring/points/tiers.js";
import { ApiError } from "../errors.js";
import { newRouter } from "../router.js";
import { fromDb, fromRpc, type PublicContext } from "./context.js";
import { csvResponse, wantsCsv } from "./csv.js";

const { historyRoute, walletEpochsRoute, walletRoute } = routes;
const { POINTS_UNIT } = schemas;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const max0 = (v: bigint) => (v > 0n ? v : 0n);

export const unknownWallet = (address: string) =>
  new ApiError(404, "unknown_wallet", `merit has no points, epochs or allocation for ${address} (not eligible)`, "params.address");

/** Base58 that is not 32 bytes passes the route's pattern; it is still not a wallet. */
export function walletKey(address: string): Uint8Array {
  const key = decodeKey58(address);
  if (!key) throw new ApiError(400, "bad_request", "params.address: not a 32-byte base58 Solana address", "params.address");
  return key;
}

/** GET /wallets/:address, /wallets/:address/history and /wallets/:address/epochs. */
export function walletsRouter(ctx: PublicContext) {
  const router = newRouter();

  router.openapi(walletRoute, async (c) => {
    const { address } = c.req.valid("param");
    walletKey(address);
    const d = await ctx.distributor(c.req.valid("query").distributor);
    const [epochs, rules] = await Promise.all([d ? ctx.epochs(d.address) : undefined, ctx.ruleSet()]);
    const window = rules?.tiers?.windowDays ?? null;
    const f = await ctx.figures.read(address, {
      distributor: d?.address ?? null,
      openAfter: epochs?.latest ? { seq: epochs.latest.cutoffSeq, otherId: epochs.latest.otherId } : { seq: 0n, otherId: 0n },
      activeEpoch: epochs?.active?.epoch ?? null,
      pendingEpoch: epochs?.pending?.epoch ?? null,
      today: Math.floor(Date.now() / 86_400_000),
      windowDays: window ?? 0,
    });
    if (!f.known) throw unknownWallet(address);
    let claimed = 0n;
    let claimExpiresAt: string | null = null;
    if (d) {
      const [chain, paid] = await Promise.all([ctx.chainState(d.address), fromRpc(() => ctx.claims.claimed(d.address, address))]);
      claimed = paid;
      const expiry = chain.distributor.claimExpiry;
      claimExpiresAt = expiry === 0n ? null : new Date(Number(expiry) * 1000).toISOString();
    }
    const cumulative = f.activeCumulative ?? 0n;
    const pending =
      epochs?.pending && f.pendingCumulative !== null && f.pendingCumulative > cumulative
        ? {
            epoch: epochs.pending.epoch.toString(),
            cumulative: f.pendingCumulative.toString(),
            amount: (f.pendingCumulative - cumulative).toString(),
            activatesAt: iso(epochs.pending.activatesAt) ?? new Date(0).toISOString(),
          }
        : null;
    return c.json(
      {
        wallet: address,
        distributor: d?.address ?? null,
        mint: d?.mint ?? null,
        points: { unit: POINTS_UNIT, total: f.total.toString(), pendingInOpenEpoch: f.openEpoch.toString() },
        tier: pickTier(rules?.tiers, f.rollingVolume).name,
        rollingVolume: f.rollingVolume.toString(),
        tierWindowDays: window,
        cumulative: cumulative.toString(),
        activeEpoch: epochs?.active?.epoch.toString() ?? null,
        claimed: claimed.toString(),
        claimable: max0(cumulative - claimed).toString(),
        pending,
        nextEpochCloseAt: iso(ctx.deps.nextEpochClose?.()),
        claimExpiresAt,
        updatedAt: iso(f.updatedAt) ?? new Date(0).toISOString(),
        slot: f.slot.toString(),
      },
      200,
    );
  });

  router.openapi(historyRoute, async (c) => {
    const { address } = c.req.valid("param");
    walletKey(address);
    const { cursor, limit } = c.req.valid("query");
    const [rows, caught] = await fromDb(() =>
      Promise.all([
        ledgerHistory(ctx.sql, address, { beforeId: cursor === undefined ? undefined : BigInt(cursor), limit }),
        cursor === undefined ? walletExclusions(ctx.sql, address) : [],
      ]),
    );
    if (rows.length === 0 && caught.length === 0 && cursor === undefined) throw unknownWallet(address);
    const nextCursor = rows.length === limit ? rows[rows.length - 1]!.id.toString() : null;
    const out = rows.map((r) => ({
      id: r.id.toString(),
      seq: r.seq.toString(),
      settlementId: r.settlementId?.toString() ?? null,
      eventId: r.eventId?.toString() ?? null,
      delta: r.delta.toString(),
      reason: r.reason,
      campaignId: r.campaignId,
      ruleId: r.ruleId,
      referralPath: r.referralPath,
      ruleSetVersion: r.ruleSetVersion?.toString() ?? null,
      note: r.note,
      occurredAt: r.occurredAt.toISOString(),
    }));
    if (wantsCsv(c)) {
      if (nextCursor) c.header("x-next-cursor", nextCursor);
      return csvResponse(c, `${address}-history.csv`, Object.keys(historyColumns), out) as never;
    }
    const exclusions = caught.map((e) => ({
      settlementId: e.settlementId.toString(),
      seq: e.seq.toString(),
      wallet: e.wallet,
      counterparty: e.counterparty,
      reason: e.reason,
      detail: e.detail,
      status: e.status,
      heldPoints: e.heldPoints.toString(),
      occurredAt: e.occurredAt.toISOString(),
    }));
    return c.json({ wallet: address, unit: POINTS_UNIT, rows: out, exclusions, nextCursor }, 200);
  });

  router.openapi(walletEpochsRoute, async (c) => {
    const { address } = c.req.valid("param");
    walletKey(address);
    const d = await ctx.distributor(c.req.valid("query").distributor);
    const rows = d ? await fromDb(() => epochWalletsOf(ctx.sql, d.address, address)) : [];
    if (rows.length === 0) throw unknownWallet(address);
    const out = rows.map((r) => ({
      epoch: r.epoch.toString(),
      status: r.status,
      points: r.points.toString(),
      basePoints: r.basePoints.toString(),
      campaignPoints: r.campaignPoints.toString(),
      referralPoints: r.referralPoints.toString(),
      adjustmentPoints: r.adjustmentPoints.toString(),
      allocated: r.allocated.toString(),
      released: r.released.toString(),
      cumulative: r.cumulative.toString(),
      closedAt: r.closedAt.toISOString(),
    }));
    if (wantsCsv(c)) return csvResponse(c, `${address}-epochs.csv`, Object.keys(out[0]!), out) as never;
    return c.json({ wallet: address, distributor: d!.address, epochs: out }, 200);
  });

  return router;
}

const historyColumns = {
  id: 0,
  seq: 0,
  settlementId: 0,
  delta: 0,
  reason: 0,
  campaignId: 0,
  ruleId: 0,
  referralPath: 0,
  ruleSetVersion: 0,
  note: 0,
  occurredAt: 0,
};
