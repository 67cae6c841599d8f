import { routes } from "@merit/clients/api";
import { newRouter } from "../router.js";
import type { PublicContext } from "./context.js";

const time = (unix: bigint) => new Date(Number(unix) * 1000).toISOString();

/** GET /distributor: the Distributor account read from the chain (a few seconds' cache) and decoded. */
export function distributorRouter(ctx: PublicContext) {
  const router = newRouter();
  router.openapi(routes.distributorRoute, async (c) => {
    const d = await ctx.requireDistributor(c.req.valid("query").distributor);
    const { distributor: s, vaultBalance } = await ctx.chainState(d.address);
    return c.json(
      {
        address: d.address,
        programId: ctx.program.programId.toBase58(),
        mint: s.mint.toBase58(),
        tokenProgram: s.tokenProgram.toBase58(),
        vault: s.vault.toBase58(),
        vaultBalance: vaultBalance.toString(),
        admin: s.admin.toBase58(),
        pendingAdmin: s.pendingAdmin?.toBase58() ?? null,
        publisher: s.publisher.toBase58(),
        guardian: s.guardian.toBase58(),
        creator: s.creator.toBase58(),
        activationDelaySeconds: s.activationDelay.toString(),
        gracePeriodSeconds: s.gracePeriod.toString(),
        maxTotalIncrease: s.maxTotalIncrease.toString(),
        claimExpiresAt: s.claimExpiry === 0n ? null : time(s.claimExpiry),
        paused: s.paused,
        latestEpoch: s.latestEpoch.toString(),
        currentEpoch: s.currentEpoch.toString(),
        currentTotal: s.currentTotal.toString(),
        totalClaimed: s.totalClaimed.toString(),
        totalClawedBack: s.totalClawedBack.toString(),
        pending: s.pending.map((p) => ({
          epoch: p.epoch.toString(),
          cumulativeTotal: p.cumulativeTotal.toString(),
          activatesAt: time(p.activatesAt),
        })),
      },
      200,
    );
  });
  return router;
}
