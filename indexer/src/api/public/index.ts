import { newRouter } from "../router.js";
import { campaignsRouter } from "./campaigns.js";
import { type PublicDeps, PublicContext } from "./context.js";
import { distributorRouter } from "./distributor.js";
import { epochsRouter } from "./epochs.js";
import { leaderboardRouter } from "./leaderboard.js";
import { proofRouter } from "./proof.js";
import { referralsRouter } from "./referrals.js";
import { walletsRouter } from "./wallets.js";

export { type PublicDeps, PublicContext } from "./context.js";

/** Every public route, to be mounted under /v1. */
export function publicRouter(deps: PublicDeps) {
  const ctx = new PublicContext(deps);
  const router = newRouter();
  // the proof route first: /wallets/{address}/proof is the hot path
  for (const r of [proofRouter, walletsRouter, epochsRouter, leaderboardRouter, campaignsRouter, referralsRouter, distributorRouter])
    router.route("/", r(ctx));
  return router;
}
