import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { publishRuleSet } from "./rule-sets.js";
import { type Campaign, campaign as campaignSchema, parseRuleSetBody, type RuleSet, type RuleSetBody } from "./schema.js";

/**
 * Campaigns live inside a rule set, so every change to one publishes the next rule-set version,
 * derived from the newest under the engine lock (rule-sets.ts): the engine and replay see campaign
 * edits exactly as any other rule edit, and two admins' changes cannot overwrite one another. A
 * campaign created with a future `startsAt` is scheduled (a draft) until then; "activate" moves
 * its start to now, "end" its end (and removes a scheduled one, which paid nothing). The
 * derivations are pure; the CLI and the admin API both call `publishCampaignChange`.
 */
export type CampaignChange =
  | { op: "create"; campaign: unknown }
  | { op: "update"; id: string; patch: Record<string, unknown> }
  | { op: "activate"; id: string }
  | { op: "end"; id: string };

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
  return parseRuleSetBody({ ...body, campaigns: [...body.campaigns, c] });
}

function existing(body: RuleSetBody, id: string): Campaign {
  const c = body.campaigns.find((x) => x.id === id);
  if (!c)
    throw new CallerError(
      "unknown_campaign",
      `no campaign ${id} in the newest rule set: \`campaign list\` shows the ids${body.campaigns.length ? ` (${body.campaigns.map((x) => x.id).join(", ")})` : ""}`,
    );
  return c;
}

export interface Ending {
  body: RuleSetBody;
  /** `ended`: its end moved to `at`; `cancelled`: it had not started, so it is removed (it paid nothing). */
  outcome: "ended" | "cancelled";
}

/** The body with campaign `id` over at `at`: an active one ends then, a scheduled one is removed. */
export function withCampaignEnded(body: RuleSetBody, id: string, at: Date): Ending {
  const c = existing(body, id);
  const status = campaignStatus(c, at);
  if (status === "ended") throw new CallerError("campaign_ended", `campaign ${id} already ended at ${c.endsAt.toISOString()}`);
  if (status === "scheduled") return { body: { ...body, campaigns: body.campaigns.filter((x) => x !== c) }, outcome: "cancelled" };
  return { body: { ...body, campaigns: body.campaigns.map((x) => (x === c ? { ...x, endsAt: at } : x)) }, outcome: "ended" };
}

/** The body with the change applied, validated as a whole; throws a CallerError naming what is wrong. */
export function applyCampaignChange(body: RuleSetBody, change: CampaignChange, now: Date): RuleSetBody {
  if (change.op === "create") return withCampaign(body, change.campaign);
  if (change.op === "end") return withCampaignEnded(body, change.id, now).body;
  const current = existing(body, change.id);
  let next: unknown;
  if (change.op === "update") {
    if ("id" in change.patch && change.patch.id !== change.id)
      throw new CallerError("bad_campaign", "a campaign's id cannot change (create a new campaign instead)");
    next = { ...current, ...change.patch };
  } else {
    const status = campaignStatus(current, now);
    if (status === "ended") throw new CallerError("campaign_ended", `campaign ${change.id} ended at ${current.endsAt.toISOString()}`);
    if (status === "active") throw new CallerError("campaign_active", `campaign ${change.id} is already active`);
    next = { ...current, startsAt: now };
  }
  return parseRuleSetBody({ ...body, campaigns: body.campaigns.map((c) => (c === current ? next : c)) });
}

export function findCampaign(body: RuleSetBody | undefined, id: string): Campaign | undefined {
  return body?.campaigns.find((c) => c.id === id);
}

const EMPTY: RuleSetBody = { earn: [], rules: [], campaigns: [], referral: { model: "none" } };

/**
 * Publishes the newest rule set with `change` applied. Returns the campaign before and after (for
 * the audit; `after` is absent when ending removed a scheduled campaign) and the new version.
 */
export async function publishCampaignChange(
  sql: Sql,
  opts: { change: CampaignChange; createdBy: string; note?: string; now?: Date },
): Promise<{ ruleSet: RuleSet; before?: Campaign; after?: Campaign }> {
  const now = opts.now ?? new Date();
  let before: Campaign | undefined;
  let id = "";
  const ruleSet = await publishRuleSet(sql, {
    body: (current) => {
      const base = current?.body ?? EMPTY;
      const body = applyCampaignChange(base, opts.change, now);
      id = opts.change.op === "create" ? body.campaigns.at(-1)!.id : opts.change.id;
      before = findCampaign(base, id);
      return body as never;
    },
    createdBy: opts.createdBy,
    note: opts.note || `campaign ${opts.change.op === "create" ? `${id}: create` : `${opts.change.id}: ${opts.change.op}`}`,
  });
  return { ruleSet, before, after: findCampaign(ruleSet.body, id) };
}

export interface Who {
  createdBy: string;
  note?: string;
}

/** Publishes the next version with `input` added; returns it and the campaign as stored. */
export async function createCampaign(sql: Sql, input: unknown, who: Who): Promise<{ ruleSet: RuleSet; campaign: Campaign }> {
  const r = await publishCampaignChange(sql, { change: { op: "create", campaign: input }, ...who });
  return { ruleSet: r.ruleSet, campaign: r.after! };
}

/** Publishes the next version with campaign `id` ended (or cancelled) at `at` (default now). */
export async function endCampaign(
  sql: Sql,
  id: string,
  who: Who & { at?: Date },
): Promise<{ ruleSet: RuleSet; outcome: Ending["outcome"]; at: Date }> {
  const at = who.at ?? new Date();
  const r = await publishCampaignChange(sql, { change: { op: "end", id }, createdBy: who.createdBy, note: who.note, now: at });
  return { ruleSet: r.ruleSet, outcome: r.after ? "ended" : "cancelled", at };
}

/** The newest version's campaigns with their status at `now`. */
export function listCampaigns(current: RuleSet | undefined, now: Date): (Campaign & { status: CampaignStatus })[] {
  return (current?.body.campaigns ?? []).map((c) => ({ ...c, status: campaignStatus(c, now) }));
}
