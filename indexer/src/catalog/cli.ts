import { Command, InvalidArgumentError, Option } from "commander";
import { CallerError, UpstreamError } from "../errors.js";
import { formatPoints } from "../scoring/points/math.js";
import type { Reward, RewardKind } from "./rules.js";

/**
 * `merit admin catalog …`, `merit admin redemptions …` (straight to the database, as `points
 * adjust` is) and the wallet's `merit redeem` (through the API, signed with the wallet's keypair,
 * as a browser wallet would). Heavy modules load inside the actions.
 */

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const positiveInt = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`"${v}" is not a whole number above 0`);
  return Number(v);
};

async function db<T>(f: (sql: import("../db/connection.js").Sql) => Promise<T>): Promise<T> {
  const { withDb } = await import("../cli/admin.js");
  return withDb("merit-catalog", f);
}

async function points(text: string, flag: string, positive: boolean): Promise<bigint> {
  const { parsePoints } = await import("../ledger/adjust.js");
  const v = parsePoints(text);
  if (v < 0n || (positive && v === 0n))
    throw new CallerError("bad_points", `${flag} must be ${positive ? "more than" : "at least"} 0 points, got ${text}`);
  return v;
}

function rewardLine(r: Reward): string {
  const limits = [
    r.perDay && `${r.perDay}/day`,
    r.perWeek && `${r.perWeek}/week`,
    r.perMonth && `${r.perMonth}/month`,
    r.cooldownSeconds && `cooldown ${r.cooldownSeconds}s`,
    (r.minTier || r.maxTier) && `tier ${r.minTier ?? "any"}..${r.maxTier ?? "any"}`,
    r.minBalance > 0n && `min balance ${formatPoints(r.minBalance)}`,
    r.noteRequired && "note required",
  ].filter(Boolean);
  return `${r.code.padEnd(16)} ${formatPoints(r.price).padStart(12)} pts  ${r.kind.padEnd(11)} ${r.active ? "active  " : "disabled"}  ${r.name}${limits.length ? `  (${limits.join(", ")})` : ""}`;
}

export function catalogCommand(): Command {
  const catalog = new Command("catalog").description("rewards bought with points (not converted to tokens)");
  catalog
    .command("add <code>")
    .description("add a reward to the catalog")
    .requiredOption("--name <text>", "what wallets see")
    .addOption(new Option("--kind <kind>", "item, voucher or entitlement").choices(["item", "voucher", "entitlement"]).default("item"))
    .requiredOption("--price <points>", "points it costs (up to 3 decimals)")
    .option("--min-tier <name>", "lowest tier (of the rule set in force) that may redeem it")
    .option("--max-tier <name>", "highest tier that may redeem it")
    .option("--min-balance <points>", "points the balance must hold before the debit")
    .option("--per-day <n>", "redemptions per wallet per UTC day", positiveInt)
    .option("--per-week <n>", "redemptions per wallet per week (Monday to Sunday, UTC)", positiveInt)
    .option("--per-month <n>", "redemptions per wallet per calendar month (UTC)", positiveInt)
    .option("--cooldown <seconds>", "seconds between two redemptions by one wallet", positiveInt)
    .option("--note-required", "the wallet must give a note (e.g. where to deliver)")
    .option("--benefits <json>", 'entitlements: tier name (or "*") -> what the tier gets, as JSON')
    .option("--description <text>", "longer text")
    .option("--disabled", "add it disabled")
    .requiredOption("--by <who>", "who adds it")
    .option("--json", "print the entry as JSON")
    .action(async (code: string, o: Record<string, string | number | boolean | undefined>) => {
      let benefits: Record<string, unknown> = {};
      if (o.benefits !== undefined) {
        try {
          benefits = JSON.parse(String(o.benefits));
        } catch {
          throw new CallerError("bad_flags", '--benefits is not JSON: pass an object such as \'{"gold":"lounge access"}\'');
        }
        if (typeof benefits !== "object" || benefits === null || Array.isArray(benefits))
          throw new CallerError("bad_flags", "--benefits must be a JSON object of tier name -> benefit");
      }
      if (o.kind !== "entitlement" && Object.keys(benefits).length > 0)
        throw new CallerError("bad_flags", "--benefits: only entitlement rewards (--kind entitlement) have tier benefits");
      if (!/^[A-Za-z0-9_-]{2,40}$/.test(code))
        throw new CallerError("bad_flags", `the code "${code}" must be 2-40 characters of A-Z a-z 0-9 _ -`);
      const reward: Reward = {
        code,
        name: String(o.name),
        kind: o.kind as RewardKind,
        active: !o.disabled,
        price: await points(String(o.price), "--price", true),
        minTier: (o.minTier as string | undefined) ?? null,
        maxTier: (o.maxTier as string | undefined) ?? null,
        minBalance: o.minBalance === undefined ? 0n : await points(String(o.minBalance), "--min-balance", false),
        perDay: (o.perDay as number | undefined) ?? null,
        perWeek: (o.perWeek as number | undefined) ?? null,
        perMonth: (o.perMonth as number | undefined) ?? null,
        cooldownSeconds: (o.cooldown as number | undefined) ?? null,
        noteRequired: o.noteRequired === true,
        benefits,
        description: (o.description as string | undefined) ?? null,
      };
      const { addReward } = await import("./redeem.js");
      const r = await db((sql) => addReward(sql, reward, String(o.by)));
      const { toJson } = await import("../json.js");
      out(o.json ? toJson(r, 2) : rewardLine(r));
    });
  catalog
    .command("list")
    .description("every catalog entry, disabled ones too")
    .option("--json", "one JSON array")
    .action(async (o: { json?: boolean }) => {
      const { listRewards } = await import("./queries.js");
      const rows = await db((sql) => listRewards(sql));
      const { toJson } = await import("../json.js");
      if (o.json) return out(toJson(rows, 2));
      if (rows.length === 0) return out("the catalog is empty (add a reward with `merit admin catalog add`)");
      for (const r of rows) out(rewardLine(r));
    });
  for (const [name, active] of [
    ["disable", false],
    ["enable", true],
  ] as const)
    catalog
      .command(`${name} <code>`)
      .description(
        active
          ? "make a disabled reward redeemable again"
          : "stop a reward being redeemed (it stays in the catalog and its redemptions stay)",
      )
      .action(async (code: string) => {
        const { changeReward } = await import("./redeem.js");
        const { after } = await db((sql) => changeReward(sql, code, (r) => ({ ...r, active })));
        out(rewardLine(after));
      });
  return catalog;
}

export function redemptionsCommand(): Command {
  const cmd = new Command("redemptions").description("what wallets redeemed; voids");
  cmd
    .command("list")
    .description("redemptions, newest first")
    .option("--reward <code>", "of one reward")
    .option("--limit <n>", "rows", positiveInt, 50)
    .option("--json", "one JSON array")
    .action(async (o: { reward?: string; limit: number; json?: boolean }) => {
      const { listRedemptions } = await import("./queries.js");
      const rows = await db((sql) => listRedemptions(sql, { reward: o.reward, limit: o.limit }));
      const { toJson } = await import("../json.js");
      if (o.json) return out(toJson(rows, 2));
      for (const r of rows)
        out(
          `${String(r.id).padStart(6)}  ${r.redeemedAt.toISOString()}  ${r.reward.padEnd(16)} ${formatPoints(r.price).padStart(12)} pts  ${r.status.padEnd(8)}  ${r.wallet}${r.note ? `  "${r.note}"` : ""}`,
        );
    });
  cmd
    .command("void <id>")
    .description("void a redemption: its points are credited back as a ledger row of their own")
    .requiredOption("--reason <text>", "why (kept with the redemption and in the ledger row's note)")
    .requiredOption("--by <who>", "who voids it")
    .option("--json", "print the voided redemption as JSON")
    .action(async (id: string, o: { reason: string; by: string; json?: boolean }) => {
      if (!/^\d+$/.test(id)) throw new CallerError("bad_flags", `"${id}" is not a redemption id`);
      const { voidRedemption } = await import("./redeem.js");
      const { after } = await db((sql) => voidRedemption(sql, { id: BigInt(id), reason: o.reason, by: o.by }));
      const { toJson } = await import("../json.js");
      if (o.json) return out(toJson(after, 2));
      out(
        `redemption ${after.id} voided: ${formatPoints(after.price)} points credited back to ${after.wallet} (ledger row ${after.voidLedgerId})`,
      );
    });
  return cmd;
}

/** `merit redeem`: the wallet's own path, through the API like a browser wallet's. */
export function redeemCommand(): Command {
  return new Command("redeem")
    .description("spend a wallet's points on a catalog reward: the API's challenge, signed with --keypair")
    .argument("<reward>", "the reward's code (`GET /v1/catalog` lists them)")
    .requiredOption(
      "--keypair <file>",
      "the wallet's keypair file (a JSON array of 64 bytes, as solana-keygen writes it); it signs the challenge",
    )
    .option("--note <text>", "for the operator (e.g. where to deliver); some rewards require one")
    .option("--api <url>", "merit's HTTP API (default: the daemon's, http://API_HOST:API_PORT)")
    .option("--json", "print the redemption as JSON")
    .action(async (reward: string, o: { keypair: string; note?: string; api?: string; json?: boolean }) => {
      const { loadKeypair } = await import("../cli/distributor.js");
      const { defaultApiUrl } = await import("../cli/wallet.js");
      const { ed25519 } = await import("@noble/curves/ed25519.js");
      const bs58 = (await import("bs58")).default;
      const api = (o.api ?? defaultApiUrl()).replace(/\/+$/, "");
      const keypair = await loadKeypair(o.keypair);
      const wallet = keypair.publicKey.toBase58();
      const ch = await postJson(api, "/v1/redemptions/challenge", { wallet, reward, ...(o.note === undefined ? {} : { note: o.note }) });
      const signature = bs58.encode(ed25519.sign(new TextEncoder().encode(String(ch.message)), keypair.secretKey.slice(0, 32)));
      const r = await postJson(api, "/v1/redemptions", { nonce: ch.nonce, signature });
      if (o.json) return out(JSON.stringify(r, null, 2));
      out(
        `redeemed ${r.reward} for ${formatPoints(BigInt(r.price as string))} points (redemption ${r.id}); balance ${formatPoints(BigInt(r.balance as string))}`,
      );
    });
}

/** One POST to the API; its refusals become merit's errors (exit 2), its absence exit 3. */
async function postJson(api: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (err) {
    throw new UpstreamError(
      "api_unreachable",
      `merit's API did not answer at ${api} (${(err as Error).message}): is the daemon running (\`merit start\`)? Otherwise pass --api <url>`,
      true,
      err,
    );
  }
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status >= 500 || res.status === 429)
    throw new UpstreamError("api_unavailable", `merit's API at ${api} answered ${res.status}: ${String(json.message ?? "")}`, true);
  if (res.status >= 400) throw new CallerError("bad_flags", `${String(json.error ?? res.status)}: ${String(json.message ?? "refused")}`);
  return json;
}
