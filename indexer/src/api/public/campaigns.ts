import { routes, schemas } from "@merit/clients/api";
import { newRouter } from "../router.js";
import { tracksParticipants as tracked } from "../../scoring/campaigns/limits.js";
import { Cached, fromDb, type PublicContext } from "./context.js";

/** GET /campaigns: the latest rule set's campaigns running now, with what their budget has left. */
export function campaignsRouter(ctx: PublicContext) {
  const router = newRouter();
  // a scan of the ledger's campaign rows: at most once a minute
  const participants = new Cached(60_000, (ids: string) =>
    fromDb(async () => {
      const rows = await ctx.sql<{ id: string; n: number }[]>`
        select campaign_id as id, count(distinct account)::int as n from point_ledger
        where reason = 'campaign' and campaign_id = any(${ids.split(",")}) group by campaign_id`;
      return new Map(rows.map((r) => [r.id, r.n]));
    }),
  );
  const ledgerParticipants = (ids: string) => participants.get(ids);
  router.openapi(routes.campaignsRoute, async (c) => {
    const now = Date.now();
    const running = ((await ctx.ruleSet())?.campaigns ?? []).filter((x) => x.startsAt.getTime() <= now && now < x.endsAt.getTime());
    const ids = running.map((x) => x.id);
    const state = await fromDb(
      () => ctx.sql<{ id: string; spent: bigint; participants: number }[]>`
        select campaign_id as id, spent, participants from campaign_state where campaign_id = any(${ids})`,
    );
    const byId = new Map(state.map((s) => [s.id, s]));
    // The engine counts participants only for campaigns with a participant cap or a per-wallet
    // limit; for the others the ledger itself says who was paid.
    const untracked = running.filter((x) => !tracked(x)).map((x) => x.id);
    const counted = untracked.length === 0 ? new Map<string, number>() : await ledgerParticipants(untracked.join(","));
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
            participants: tracked(x) ? (byId.get(x.id)?.participants ?? 0) : (counted.get(x.id) ?? 0),
            maxParticipants: x.maxParticipants ?? null,
          };
        }),
      },
      200,
    );
  });
  return router;
}
