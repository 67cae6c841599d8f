import { routes } from "@merit/clients/api";
import { newRouter } from "../router.js";
import type { PublicContext } from "./context.js";
import { unknownWallet, walletKey } from "./wallets.js";

/**
 * GET /wallets/:address/proof, the hot path (a claim page per wallet, bots before each epoch): the
 * active and pending epochs come from a cache refreshed every couple of seconds and the leaves from
 * parsed shards in memory, so a request makes no database query and, once its shard was read, no
 * disk read.
 */
export function proofRouter(ctx: PublicContext) {
  const router = newRouter();
  router.openapi(routes.proofRoute, async (c) => {
    const { address } = c.req.valid("param");
    const key = walletKey(address);
    const d = await ctx.distributor(c.req.valid("query").distributor);
    if (!d) throw unknownWallet(address);
    const { active, pending } = await ctx.epochs(d.address);
    const [a, p] = await Promise.all([
      active ? ctx.shards.leaf(d.address, active.epoch, key) : undefined,
      pending ? ctx.shards.leaf(d.address, pending.epoch, key) : undefined,
    ]);
    if (!a && !p) throw unknownWallet(address);
    return c.json(
      {
        wallet: address,
        distributor: d.address,
        mint: d.mint,
        active: a && active ? { epoch: active.epoch.toString(), root: active.root, amount: a.amount, proof: a.proof } : null,
        pending:
          p && pending
            ? {
                epoch: pending.epoch.toString(),
                root: pending.root,
                amount: p.amount,
                proof: p.proof,
                activatesAt: (pending.activatesAt ?? new Date(0)).toISOString(),
              }
            : null,
      },
      200,
    );
  });
  return router;
}
