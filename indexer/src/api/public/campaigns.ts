import { routes, schemas } from "@merit/clients/api";
import { newRouter } from "../router.js";
import { fromDb, type PublicContext } from "./context.js";

/** GET /campaigns: the latest rule set's campaigns running now, with what their budget has left. */
export function campaignsRouter(ctx: PublicContext) {
  const router = newRouter();
  router.openapi(routes.campaignsRoute, async (c) => {
    const now = Date.now();
    const running = ((await ctx.ruleSet())?.campaigns ?? []).filter((x) => x.startsAt.getTime() <= now && now < x.endsAt.getTime());
    const ids = running.map((x) => x.id);
    const state = await fromDb(
      () => ctx.sql<{ id: string; spent: bigint; participants: number }[]>`
        select campaign_id as id, spent, participants from campaign_state where campaign_id = any(${ids})`,
    );
    const byId = new Map(state.map((s) => [s.id, s]));
    return c.json(
      {
        unit: schemas.POINTS_UNIT,
        campaigns: running.map((x) => {
          const spent = BigInt(byId.get(x.id)?.spent ?? 0n);
          const left = x.budget - spent;
          return {
            id: x.id,
            name: x.name,
            type: x.type,
            startsAt: x.startsAt.toISOString(),
            endsAt: x.endsAt.toISOString(),
            budget: x.budget.toString(),
            spent: spent.toString(),
            budgetLeft: (left > 0n ? left : 0n).toString(),
            participants: byId.get(x.id)?.participants ?? 0,
            maxParticipants: x.maxParticipants ?? null,
          };
        }),
      },
      200,
    );
  });
  return router;
}
