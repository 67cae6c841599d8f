import { Command, InvalidArgumentError, Option } from "commander";
import { CallerError } from "../errors.js";
import { formatPoints } from "../scoring/points/math.js";
import type { Criterion, Unlockable } from "./queries.js";

/** `merit admin unlockables …`: straight to the database, the same functions as the admin API. */

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const positiveWhole = (v: string) => {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError(`"${v}" is not a whole number above 0`);
  return BigInt(v);
};

async function db<T>(f: (sql: import("../db/connection.js").Sql) => Promise<T>): Promise<T> {
  const { withDb } = await import("../cli/admin.js");
  return withDb("merit-unlockables", f);
}

function describe(u: Unlockable): string {
  const rule =
    u.criterion === "rank"
      ? `top ${u.threshold} of epoch ${u.epoch}'s snapshot`
      : u.criterion === "min_score"
        ? `at least ${formatPoints(u.threshold!)} points in epoch ${u.epoch}'s snapshot`
        : u.criterion === "min_referrals"
          ? `at least ${u.threshold} confirmed referrals`
          : "granted by hand";
  return `${u.code.padEnd(16)} ${rule.padEnd(44)} ${u.active ? "" : "(inactive) "}${u.name}${u.campaignId ? ` [campaign ${u.campaignId}]` : ""}`;
}

export function unlockablesCommand(): Command {
  const cmd = new Command("unlockables").description(
    "prizes unlocked by final rank, score, referrals or an admin: LOCKED -> EARNED -> DELIVERED",
  );
  cmd
    .command("add <code>")
    .description("define an unlockable")
    .requiredOption("--name <text>", "what wallets see")
    .addOption(
      new Option("--criterion <kind>", "rank, min_score, min_referrals or manual")
        .choices(["rank", "min_score", "min_referrals", "manual"])
        .makeOptionMandatory(),
    )
    .option("--top <n>", "rank: the top N of the snapshot", positiveWhole)
    .option("--min-score <points>", "min_score: points in the snapshot")
    .option("--min-referrals <n>", "min_referrals: confirmed referrals", positiveWhole)
    .option("--epoch <n>", "rank and min_score: the epoch whose leaderboard snapshot holds the final standings", positiveWhole)
    .option("--campaign <id>", "the campaign it belongs to")
    .option("--description <text>", "longer text")
    .requiredOption("--by <who>", "who defines it")
    .action(
      async (
        code: string,
        o: {
          name: string;
          criterion: Criterion;
          top?: bigint;
          minScore?: string;
          minReferrals?: bigint;
          epoch?: bigint;
          campaign?: string;
          description?: string;
          by: string;
        },
      ) => {
        if (!/^[A-Za-z0-9_-]{2,40}$/.test(code))
          throw new CallerError("bad_flags", `the code "${code}" must be 2-40 characters of A-Z a-z 0-9 _ -`);
        const flag = { rank: "--top", min_score: "--min-score", min_referrals: "--min-referrals", manual: undefined }[o.criterion];
        let threshold: bigint | null = null;
        if (o.criterion === "rank") threshold = o.top ?? null;
        if (o.criterion === "min_referrals") threshold = o.minReferrals ?? null;
        if (o.criterion === "min_score" && o.minScore !== undefined) {
          const { parsePoints } = await import("../ledger/adjust.js");
          threshold = parsePoints(o.minScore);
          if (threshold <= 0n) throw new CallerError("bad_flags", "--min-score must be more than 0 points");
        }
        if (flag && threshold === null) throw new CallerError("bad_flags", `--criterion ${o.criterion} needs ${flag}`);
        if ((o.criterion === "rank" || o.criterion === "min_score") && o.epoch === undefined)
          throw new CallerError(
            "bad_flags",
            `--criterion ${o.criterion} needs --epoch (its leaderboard snapshot holds the final standings)`,
          );
        const { defineUnlockable } = await import("./evaluate.js");
        const u = await db((sql) =>
          defineUnlockable(
            sql,
            {
              code,
              name: o.name,
              description: o.description ?? null,
              campaignId: o.campaign ?? null,
              criterion: o.criterion,
              threshold,
              epoch: o.criterion === "rank" || o.criterion === "min_score" ? o.epoch! : null,
              active: true,
            },
            o.by,
          ),
        );
        out(describe(u));
      },
    );
  cmd
    .command("list")
    .description("every unlockable, with how many wallets earned it and got it delivered")
    .option("--json", "one JSON array")
    .action(async (o: { json?: boolean }) => {
      const { listUnlockables } = await import("./queries.js");
      const rows = await db((sql) => listUnlockables(sql));
      const { toJson } = await import("../json.js");
      if (o.json) return out(toJson(rows, 2));
      for (const u of rows) out(`${describe(u)}  earned ${u.earned}, delivered ${u.delivered}`);
    });
  cmd
    .command("evaluate <code>")
    .description("grant EARNED to every wallet that meets the criterion (again: adds only what is new)")
    .action(async (code: string) => {
      const { evaluateUnlockable } = await import("./evaluate.js");
      const r = await db((sql) => evaluateUnlockable(sql, code));
      out(`${code}: ${r.added} new, ${r.earned} earned in all`);
    });
  cmd
    .command("grant <code> <wallet>")
    .description("grant an unlockable to a wallet by hand")
    .option("--note <text>", "why")
    .requiredOption("--by <who>", "who grants it")
    .action(async (code: string, wallet: string, o: { note?: string; by: string }) => {
      const { grantUnlockable } = await import("./evaluate.js");
      const r = await db((sql) => grantUnlockable(sql, { code, wallet, note: o.note, by: o.by }));
      out(r.granted ? `${wallet}: ${code} EARNED` : `${wallet} already has ${code} (${r.grant.status}): unchanged`);
    });
  cmd
    .command("deliver <code> <wallet>")
    .description("mark an earned unlockable DELIVERED")
    .requiredOption("--by <who>", "who delivered it")
    .action(async (code: string, wallet: string, o: { by: string }) => {
      const { deliverUnlockable } = await import("./evaluate.js");
      const r = await db((sql) => deliverUnlockable(sql, { code, wallet, by: o.by }));
      out(`${wallet}: ${code} ${r.after.status}${r.before.status === "DELIVERED" ? " (already)" : ""}`);
    });
  cmd
    .command("grants <code>")
    .description("the wallets that earned an unlockable")
    .option("--json", "one JSON array")
    .action(async (code: string, o: { json?: boolean }) => {
      const { listGrants } = await import("./queries.js");
      const rows = await db((sql) => listGrants(sql, code));
      const { toJson } = await import("../json.js");
      if (o.json) return out(toJson(rows, 2));
      for (const g of rows)
        out(
          `${g.status.padEnd(9)} ${g.rank === null ? "" : `#${g.rank} `}${g.score === null ? "" : `${formatPoints(g.score)} pts `}${g.referrals === null ? "" : `${g.referrals} referrals `}${g.wallet}${g.source === "manual" ? " (manual)" : ""}`,
        );
    });
  return cmd;
}
