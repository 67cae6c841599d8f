import { routes, schemas } from "@merit/clients/api";
import { leaderboard, leaderboardSnapshot } from "../../ledger/queries.js";
import { ApiError } from "../errors.js";
import { newRouter } from "../router.js";
import { fromDb, type PublicContext } from "./context.js";

/** GET /leaderboard: live balances, or the snapshot frozen at an epoch. */
export function leaderboardRouter(ctx: PublicContext) {
  const router = newRouter();
  router.openapi(routes.leaderboardRoute, async (c) => {
    const { limit, epoch } = c.req.valid("query");
    const rows = await fromDb(() =>
      epoch === undefined ? leaderboard(ctx.sql, { limit }) : leaderboardSnapshot(ctx.sql, BigInt(epoch), { limit }),
    );
    if (epoch !== undefined && rows.length === 0)
      throw new ApiError(404, "no_snapshot", `no leaderboard snapshot was taken at epoch ${epoch}`, "query.epoch");
    return c.json(
      {
        epoch: epoch ?? null,
        unit: schemas.POINTS_UNIT,
        rows: rows.map((r) => ({ rank: Number(r.rank), account: r.account, points: r.balance.toString() })),
      },
      200,
    );
  });
  return router;
}
