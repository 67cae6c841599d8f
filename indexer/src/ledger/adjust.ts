import { isSolanaAddress } from "../accounts/signatures.js";
import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { MILLI_PER_POINT } from "../scoring/points/math.js";
import { adjustPoints, balanceOf, hasActivity } from "./queries.js";

/**
 * A manual adjustment as admins make it (`points adjust`, the admin API): refuses an account with
 * no activity unless `allowNew` (a mistyped address would be credited silently), and a new one
 * that is not a Solana address (an account is named by its claim wallet; anything else would
 * break the epoch's tree).
 */
export async function adjustAccountPoints(
  sql: Sql,
  opts: { account: string; delta: bigint; note: string; by: string; allowNew?: boolean; allowNegative?: boolean },
): Promise<{ id: bigint; before: bigint; balance: bigint }> {
  const known = await hasActivity(sql, opts.account);
  if (!known && !opts.allowNew)
    throw new CallerError(
      "unknown_account",
      `account ${opts.account} has no activity: check the address, or pass --new (allowNew) to credit it anyway`,
    );
  if (!known && !isSolanaAddress(opts.account))
    throw new CallerError(
      "bad_account",
      `${opts.account} is not a Solana address (32 bytes in base58): an account is named by its claim wallet`,
    );
  const before = await balanceOf(sql, opts.account);
  const id = await adjustPoints(sql, opts);
  return { id, before, balance: await balanceOf(sql, opts.account) };
}

/** "12", "-0.5", "3.125" points -> millipoints, exactly (no float on the way). */
export function parsePoints(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m)
    throw new CallerError(
      "bad_points",
      `"${text}" is not a number of points: write a whole number or one with at most 3 decimals (e.g. 250, -12.5, 0.001)`,
    );
  const milli = BigInt(m[2]!) * MILLI_PER_POINT + BigInt((m[3] ?? "").padEnd(3, "0"));
  return m[1] === "-" ? -milli : milli;
}
