import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { publishDerivedRuleSet } from "./rule-sets.js";
import { type Campaign, parseRuleSetBody, type RuleSet, type RuleSetBody } from "./schema.js";

/**
 * Campaigns live inside a rule set, so every change to one publishes a new rule-set version derived
 * from the newest: the engine and replay then see campaign edits exactly as any other rule edit,
 * stamped with the engine's position. A campaign created with a future `startsAt` is a draft until
 * then; "activate" moves its start to now, "end" its end (and removes a draft, which paid nothing).
 */
export type CampaignChange =
  | { op: "create"; campaign: unknown }
  | { op: "update"; id: string; patch: Record<string, unknown> }
  | { op: "activate"; id: string }
  | { op: "end"; id: string };

/** The body with the change applied, validated as a whole; throws a CallerError naming what is wrong. */
export function applyCampaignChange(body: RuleSetBody, change: CampaignChange, now: Date): RuleSetBody {
  const campaigns = [...body.campaigns];
  if (change.op === "create") {
    const id = (change.campaign as { id?: unknown } | null)?.id;
    if (typeof id === "string" && campaigns.some((c) => c.id === id))
      throw new CallerError("campaign_exists", `campaign ${id} already exists (update it instead)`);
    return parseRuleSetBody({ ...body, campaigns: [...campaigns, change.campaign] });
  }
  const i = campaigns.findIndex((c) => c.id === change.id);
  const current = campaigns[i];
  if (!current) throw new CallerError("unknown_campaign", `no campaign ${change.id} in the current rule set`);
  let next: unknown;
  if (change.op === "update") {
    if ("id" in change.patch && change.patch.id !== change.id)
      throw new CallerError("bad_campaign", "a campaign's id cannot change (create a new campaign instead)");
    next = { ...current, ...change.patch };
  } else if (change.op === "activate") {
    if (current.endsAt <= now) throw new CallerError("campaign_ended", `campaign ${change.id} ended at ${current.endsAt.toISOString()}`);
    if (current.startsAt <= now) throw new CallerError("campaign_active", `campaign ${change.id} is already active`);
    next = { ...current, startsAt: now };
  } else {
    if (current.endsAt <= now)
      throw new CallerError("campaign_ended", `campaign ${change.id} already ended at ${current.endsAt.toISOString()}`);
    // a campaign that never started paid nothing: ending it removes it
    if (current.startsAt >= now) return parseRuleSetBody({ ...body, campaigns: campaigns.filter((_, j) => j !== i) });
    next = { ...current, endsAt: now };
  }
  campaigns[i] = next as Campaign;
  return parseRuleSetBody({ ...body, campaigns });
}

export function findCampaign(body: RuleSetBody | undefined, id: string): Campaign | undefined {
  return body?.campaigns.find((c) => c.id === id);
}

/**
 * Publishes the newest rule set with `change` applied (derived under the engine lock, so
 * concurrent changes do not lose one another). Returns the campaign before and after (for the
 * audit) and the new version.
 */
export async function publishCampaignChange(
  sql: Sql,
  opts: { change: CampaignChange; createdBy: string; note?: string; now?: Date },
): Promise<{ ruleSet: RuleSet; before?: Campaign; after?: Campaign }> {
  const now = opts.now ?? new Date();
  let before: Campaign | undefined;
  let id = "";
  const ruleSet = await publishDerivedRuleSet(sql, {
    derive: (current) => {
      const base: RuleSetBody = current?.body ?? parseRuleSetBody({});
      const body = applyCampaignChange(base, opts.change, now);
      id = opts.change.op === "create" ? body.campaigns.at(-1)!.id : opts.change.id;
      before = findCampaign(base, id);
      return body as never;
    },
    createdBy: opts.createdBy,
    note: opts.note || `campaign ${opts.change.op === "create" ? "create" : `${opts.change.id}: ${opts.change.op}`}`,
  });
  return { ruleSet, before, after: findCampaign(ruleSet.body, id) };
}
