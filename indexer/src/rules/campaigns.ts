import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { publishRuleSet } from "./rule-sets.js";
import { campaign as campaignSchema, type Campaign, type RuleSet, type RuleSetBody } from "./schema.js";

/**
 * Campaigns are part of the rule set: creating or ending one publishes the next rule-set version,
 * derived from the newest under the engine lock (rule-sets.ts), so it scores only settlements after
 * it and replay sees exactly what the live engine saw. The derivations are pure, for the CLI and the
 * admin API alike.
 */
export type CampaignStatus = "scheduled" | "active" | "ended";

export function campaignStatus(c: Pick<Campaign, "startsAt" | "endsAt">, now: Date): CampaignStatus {
  if (now < c.startsAt) return "scheduled";
  return now < c.endsAt ? "active" : "ended";
}

/** The body with one more campaign, whose id the body does not hold yet (an ended campaign keeps its id: its spent budget stays with it). */
export function withCampaign(body: RuleSetBody, input: unknown): RuleSetBody {
  const parsed = campaignSchema.safeParse(input);
  if (!parsed.success)
    throw new CallerError(
      "bad_rule_set",
      `invalid campaign: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(campaign)"}: ${i.message}`).join("; ")}`,
    );
  const c = parsed.data;
  if (body.campaigns.some((x) => x.id === c.id))
    throw new CallerError(
      "campaign_exists",
      `campaign ${c.id} already exists: choose another id, or end it first with \`campaign end ${c.id}\``,
    );
  return { ...body, campaigns: [...body.campaigns, c] };
}

export interface Ending {
  body: RuleSetBody;
  /** `ended`: its end moved to `at`; `cancelled`: it had not started, so it is removed (it paid nothing). */
  outcome: "ended" | "cancelled";
}

/** The body with campaign `id` over at `at`: an active one ends then, a scheduled one is removed. */
export function withCampaignEnded(body: RuleSetBody, id: string, at: Date): Ending {
  const c = body.campaigns.find((x) => x.id === id);
  if (!c)
    throw new CallerError(
      "unknown_campaign",
      `no campaign ${id} in the newest rule set: \`campaign list\` shows the ids${body.campaigns.length ? ` (${body.campaigns.map((x) => x.id).join(", ")})` : ""}`,
    );
  const status = campaignStatus(c, at);
  if (status === "ended") throw new CallerError("campaign_ended", `campaign ${id} already ended at ${c.endsAt.toISOString()}`);
  if (status === "scheduled") return { body: { ...body, campaigns: body.campaigns.filter((x) => x !== c) }, outcome: "cancelled" };
  return { body: { ...body, campaigns: body.campaigns.map((x) => (x === c ? { ...x, endsAt: at } : x)) }, outcome: "ended" };
}

const EMPTY: RuleSetBody = { earn: [], rules: [], campaigns: [], referral: { model: "none" } };

export interface Who {
  createdBy: string;
  note?: string;
}

/** Publishes the next version with `input` added; returns it and the campaign as stored. */
export async function createCampaign(sql: Sql, input: unknown, who: Who): Promise<{ ruleSet: RuleSet; campaign: Campaign }> {
  let added: Campaign | undefined;
  const ruleSet = await publishRuleSet(sql, {
    ...who,
    body: (current) => {
      const body = withCampaign(current?.body ?? EMPTY, input);
      added = body.campaigns.at(-1);
      return body;
    },
  });
  return { ruleSet, campaign: ruleSet.body.campaigns.find((c) => c.id === added!.id)! };
}

/** Publishes the next version with campaign `id` ended (or cancelled) at `at` (default now). */
export async function endCampaign(
  sql: Sql,
  id: string,
  who: Who & { at?: Date },
): Promise<{ ruleSet: RuleSet; outcome: Ending["outcome"]; at: Date }> {
  const at = who.at ?? new Date();
  let outcome: Ending["outcome"] = "ended";
  const ruleSet = await publishRuleSet(sql, {
    createdBy: who.createdBy,
    note: who.note,
    body: (current) => {
      const ending = withCampaignEnded(current?.body ?? EMPTY, id, at);
      outcome = ending.outcome;
      return ending.body;
    },
  });
  return { ruleSet, outcome, at };
}

/** The newest version's campaigns with their status at `now`. */
export function listCampaigns(current: RuleSet | undefined, now: Date): (Campaign & { status: CampaignStatus })[] {
  return (current?.body.campaigns ?? []).map((c) => ({ ...c, status: campaignStatus(c, now) }));
}
