import { routes } from "@merit/clients/api";
import { ApiError } from "../errors.js";
import { newRouter } from "../router.js";
import { fromDb, type PublicContext } from "./context.js";

/** GET /referrals/:code: the code's owner and how many adopted it. */
export function referralsRouter(ctx: PublicContext) {
  const router = newRouter();
  router.openapi(routes.referralRoute, async (c) => {
    const { code } = c.req.valid("param");
    const [r] = await fromDb(
      () => ctx.sql<{ account: string; created_at: Date; referees: number }[]>`
        select account, created_at, (select count(*)::int from referral_links where code = ${code}) as referees
        from referral_codes where code = ${code}`,
    );
    if (!r) throw new ApiError(404, "unknown_code", `no referral code ${code}`, "params.code");
    return c.json({ code, referrer: r.account, referees: r.referees, createdAt: r.created_at.toISOString() }, 200);
  });
  return router;
}
