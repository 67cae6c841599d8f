import { readFileSync } from "node:fs";
import { Command } from "commander";
import { CallerError } from "../errors.js";
import { json, out, withDb } from "./admin.js";

/**
 * `campaign create|list|end`: campaigns live in the rule set, so each change publishes the next
 * rule-set version derived from the newest (rules/campaigns.ts); it applies to settlements scored
 * after it.
 */
function timeArg(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const t = new Date(v);
  if (Number.isNaN(t.getTime())) throw new CallerError("bad_time", `${flag} "${v}" is not an ISO time (e.g. 2026-07-01T00:00:00Z)`);
  return t;
}

/** Who makes a change and why: kept with the rule-set version it publishes. */
const authored = (cmd: Command, verb: string): Command =>
  cmd.requiredOption("--by <who>", `who ${verb} it (kept with the version)`).option("--note <text>", "why", "");

export function campaignCommand(): Command {
  const campaign = new Command("campaign").description("campaigns (bonus points with a window and a budget): create, list, end");
  authored(campaign.command("create <file>"), "creates")
    .description("add the campaign in <file> (JSON, one campaign as in a rule set's `campaigns`) by publishing the next rule-set version")
    .option("--json", "print the new version and the campaign as JSON")
    .action(async (file: string, o: { by: string; note: string; json?: boolean }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, "utf8"));
      } catch (err) {
        throw new CallerError("bad_rule_file", `${file}: ${(err as Error).message}`);
      }
      const { createCampaign } = await import("../rules/campaigns.js");
      const r = await withDb("merit-campaigns", (sql) => createCampaign(sql, raw, { createdBy: o.by, note: o.note }));
      if (o.json) return out(json({ version: r.ruleSet.version, afterSeq: r.ruleSet.afterSeq, campaign: r.campaign }));
      const c = r.campaign;
      out(
        `campaign ${c.id} (${c.type}) created in rule set version ${r.ruleSet.version}: ${c.startsAt.toISOString()} to ${c.endsAt.toISOString()}, budget ${c.budget} millipoints`,
      );
    });
  campaign
    .command("list")
    .description("the newest rule set's campaigns with their status now (scheduled, active, ended)")
    .option("--at <iso-time>", "status at this time instead of now")
    .option("--json", "one JSON array")
    .action(async (o: { at?: string; json?: boolean }) => {
      const at = timeArg("--at", o.at) ?? new Date();
      const [{ listCampaigns }, { latestRuleSet }] = await Promise.all([import("../rules/campaigns.js"), import("../rules/rule-sets.js")]);
      const current = await withDb("merit-campaigns", (sql) => latestRuleSet(sql));
      const rows = listCampaigns(current, at);
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out("no campaigns (create one with: campaign create <file> --by <who>)");
      out(`rule set version ${current!.version}:`);
      for (const c of rows)
        out(
          `${c.status.padEnd(9)}  ${c.id.padEnd(20)} ${c.type.padEnd(15)} ${c.startsAt.toISOString()} to ${c.endsAt.toISOString()}  budget ${c.budget}`,
        );
    });
  authored(campaign.command("end <id>"), "ends")
    .description("end an active campaign now (or --at), or cancel one that has not started, by publishing the next rule-set version")
    .option("--at <iso-time>", "when it ends (default now)")
    .option("--json", "print the result as JSON")
    .action(async (id: string, o: { by: string; note: string; at?: string; json?: boolean }) => {
      const at = timeArg("--at", o.at);
      const { endCampaign } = await import("../rules/campaigns.js");
      const r = await withDb("merit-campaigns", (sql) => endCampaign(sql, id, { createdBy: o.by, note: o.note, at }));
      if (o.json) return out(json({ id, outcome: r.outcome, at: r.at, version: r.ruleSet.version }));
      out(
        r.outcome === "cancelled"
          ? `campaign ${id} had not started: removed in rule set version ${r.ruleSet.version}`
          : `campaign ${id} ends at ${r.at.toISOString()} (rule set version ${r.ruleSet.version})`,
      );
    });
  campaign
    .command("analytics <id>")
    .description(
      "a campaign's participants, points paid, budget left and conversions (participants whose first activity came inside its window)",
    )
    .option("--json", "one JSON document (points in millipoints)")
    .action(async (id: string, o: { json?: boolean }) => {
      const { campaignAnalytics } = await import("../events/analytics.js");
      const { formatPoints } = await import("../scoring/points/math.js");
      const a = await withDb("merit-campaigns", (sql) => campaignAnalytics(sql, id));
      if (o.json) return out(json(a));
      out(`campaign ${a.id} (${a.type}) ${a.startsAt.toISOString()} to ${a.endsAt.toISOString()}`);
      out(`participants  ${a.participants}`);
      out(`points paid   ${formatPoints(a.pointsPaid)} of ${formatPoints(a.budget)} (left ${formatPoints(a.budgetLeft)})`);
      out(`conversions   ${a.conversions} (${a.conversionsBy.settlement} by a settlement, ${a.conversionsBy.event} by an event)`);
    });
  return campaign;
}
