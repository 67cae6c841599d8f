import { routes, schemas } from "@merit/clients/api";
import { leaderboardSnapshot } from "../../ledger/queries.js";
import { sideLeaderboard } from "../../ledger/sides.js";
import { ApiError } from "../errors.js";
import { newRouter } from "../router.js";
import { fromDb, type PublicContext } from "./context.js";

/** GET /leaderboard: live balances, or the snapshot frozen at an epoch. */
export function leaderboardRouter(ctx: PublicContext) {
  const router = newRouter();
  router.openapi(routes.leaderboardRoute, async (c) => {
    const { limit, epoch, side } = c.req.valid("query");
    if (epoch !== undefined && side === "provider")
      throw new ApiError(
        400,
        "bad_request",
        "query.side: epoch snapshots rank whole balances; the provider board is live only",
        "query.side",
      );
    const rows = await fromDb(() =>
      epoch === undefined ? sideLeaderboard(ctx.sql, side, { limit }) : leaderboardSnapshot(ctx.sql, BigInt(epoch), { limit }),
    );
    if (epoch !== undefined && rows.length === 0)
      throw new ApiError(404, "no_snapshot", `no leaderboard snapshot was taken at epoch ${epoch}`, "query.epoch");
    return c.json(
      {
        epoch: epoch ?? null,
        side,
        unit: schemas.POINTS_UNIT,
        rows: rows.map((r) => ({ rank: Number(r.rank), account: r.account, points: r.balance.toString() })),
      },
      200,
    );
  });
  return router;
}
