import { isSolanaAddress } from "../accounts/signatures.js";
import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import {
  candidates,
  type Grant,
  getGrant,
  getUnlockable,
  hasSnapshot,
  insertGrants,
  insertUnlockable,
  markDelivered,
  markEvaluated,
  type Unlockable,
} from "./queries.js";

/**
 * Unlockable rewards: defined once, earned by evaluation against the final standings or by an
 * admin's grant, delivered by an admin. A wallet's status is LOCKED (no grant), EARNED, DELIVERED;
 * it only moves forward. Evaluation only adds grants, so running it again (or twice at once) changes
 * nothing that is already there.
 */

export async function defineUnlockable(sql: Sql, u: Omit<Unlockable, "evaluatedAt">, by: string): Promise<Unlockable> {
  if (!(await insertUnlockable(sql, u, by)))
    throw new CallerError("unlockable_exists", `an unlockable with the code ${u.code} already exists`);
  return (await getUnlockable(sql, u.code))!;
}

async function need(sql: Sql, code: string): Promise<Unlockable> {
  const u = await getUnlockable(sql, code);
  if (!u) throw new CallerError("unknown_unlockable", `no unlockable with the code ${code}`);
  return u;
}

/** Grants EARNED to every wallet that meets the criterion; answers how many grants are new and how many there are. */
export async function evaluateUnlockable(sql: Sql, code: string): Promise<{ unlockable: Unlockable; added: number; earned: number }> {
  const u = await need(sql, code);
  if ((u.criterion === "rank" || u.criterion === "min_score") && !(await hasSnapshot(sql, u.epoch!)))
    throw new CallerError(
      "no_snapshot",
      `epoch ${u.epoch} has no leaderboard snapshot yet: the final standings are frozen with \`merit points snapshot ${u.epoch}\``,
    );
  return sql.begin(async (tx) => {
    const added = await insertGrants(tx, code, await candidates(tx, u), "evaluation");
    await markEvaluated(tx, code);
    const [n] = await tx<{ n: number }[]>`select count(*)::int as n from unlockable_grants where unlockable_code = ${code}`;
    return { unlockable: (await getUnlockable(tx, code))!, added, earned: n!.n };
  }) as Promise<{ unlockable: Unlockable; added: number; earned: number }>;
}

/** An admin's grant: EARNED now, whatever the criterion. A wallet that already has it keeps its grant. */
export async function grantUnlockable(
  sql: Sql,
  opts: { code: string; wallet: string; note?: string | null; by: string },
): Promise<{ grant: Grant; granted: boolean }> {
  await need(sql, opts.code);
  if (!isSolanaAddress(opts.wallet)) throw new CallerError("bad_address", `${opts.wallet} is not a Solana address`);
  const granted =
    (await insertGrants(sql, opts.code, [{ wallet: opts.wallet, rank: null, score: null, referrals: null }], "manual", {
      note: opts.note ?? null,
      by: opts.by,
    })) === 1;
  return { grant: (await getGrant(sql, opts.code, opts.wallet))!, granted };
}

/** EARNED -> DELIVERED; a delivered grant stays as it is; a LOCKED wallet is refused. */
export async function deliverUnlockable(
  sql: Sql,
  opts: { code: string; wallet: string; by: string },
): Promise<{ before: Grant; after: Grant }> {
  await need(sql, opts.code);
  const before = await getGrant(sql, opts.code, opts.wallet);
  if (!before) throw new CallerError("not_earned", `${opts.wallet} has not earned ${opts.code} (LOCKED): nothing to deliver`);
  const after = (await markDelivered(sql, opts.code, opts.wallet, opts.by)) ?? before;
  return { before, after };
}

export const statusOf = (g: Grant | null): "LOCKED" | "EARNED" | "DELIVERED" => g?.status ?? "LOCKED";
