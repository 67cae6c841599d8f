import { z } from "zod";
import { CallerError } from "../errors.js";

/**
 * The rule-set document an admin publishes (stored as jsonb in rule_sets.body, one immutable
 * version per edit). Units, fixed so all arithmetic is integer:
 * - points: millipoints (1 point = 1000), bigint in memory, decimal strings in JSON;
 * - volume: micro-units, the settlement amount normalised to 6 decimals (1 USDC = 1_000_000);
 * - rates and multipliers: basis points (10000 = 1x = 100%).
 */
const big = z.union([z.string().regex(/^-?\d+$/), z.number().int(), z.bigint()]).transform((v) => BigInt(v));
const nonNeg = big.refine((v) => v >= 0n, "must be >= 0");
const bps = z.number().int().min(0).max(1_000_000);
const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "ids are lowercase [a-z0-9_-]");
const time = z.union([z.string().datetime({ offset: true }), z.date()]).transform((v) => new Date(v));
/**
 * Every object of the document is strict: a misspelled key ("campains") is an error naming its
 * path, not a part silently left at its default.
 */
const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();
export const rounding = z.enum(["floor", "nearest", "ceil"]);

export const earnConfig = obj({
  /** Most specific wins: merchant (pay-to) over mint over global. */
  scope: z.discriminatedUnion("kind", [
    obj({ kind: z.literal("global") }),
    obj({ kind: z.literal("merchant"), merchant: z.string().min(1) }),
    obj({ kind: z.literal("mint"), mint: z.string().min(1) }),
  ]),
  /** millipoints per whole unit of volume (1_000_000 micro-units) */
  pointsPerUnit: nonNeg,
  multiplierBps: bps.default(10000),
  rounding: rounding.default("floor"),
  /** settlements below this volume (micro-units) earn nothing at all */
  minVolume: nonNeg.default(0n),
});

/** All present conditions must hold. */
/** Event types are the source's own words: "signup", "email_verified", "purchase", "api_call", "quest.done". */
export const eventType = z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, "event types are lowercase [a-z0-9_.:-], at most 64 characters");
export const propertyValue = z.union([z.string().max(200), z.number(), z.boolean()]);

export const conditions = obj({
  merchants: z.array(z.string()).optional(),
  mints: z.array(z.string()).optional(),
  minVolume: nonNeg.optional(),
  maxVolume: nonNeg.optional(),
  /** glob on the memo (`*` any run, `?` one char); a settlement without memo never matches */
  memo: z.string().optional(),
  firstSettlement: z.boolean().optional(),
  nthSettlement: z.number().int().positive().optional(),
  referralCount: obj({ op: z.enum(["eq", "gte"]), n: z.number().int().min(0) }).optional(),
  minScore: nonNeg.optional(),
  /** off-chain events only (rules with trigger "event"): docs/rewards-engine.md, "Off-chain events" */
  event: obj({
    /** the event's type is one of these */
    types: z.array(eventType).min(1).optional(),
    /** each named property equals the value, or one of the values listed */
    properties: z.record(z.string().min(1), z.union([propertyValue, z.array(propertyValue).min(1)])).optional(),
  }).optional(),
});

export const pointRule = obj({
  id,
  /** "event": the rule scores off-chain events (POST /v1/events), never settlements, and the reverse */
  trigger: z.enum(["settlement", "event"]).default("settlement"),
  /** lower runs first */
  priority: z.number().int(),
  when: conditions.default({}),
  award: z.discriminatedUnion("kind", [
    obj({ kind: z.literal("flat"), points: nonNeg }),
    obj({ kind: z.literal("perVolume"), pointsPerUnit: nonNeg, rounding: rounding.default("floor") }),
    /** events only: points by the value of one property (e.g. service tier -> points), `default` for other values */
    obj({ kind: z.literal("byProperty"), property: z.string().min(1), points: z.record(z.string(), nonNeg), default: nonNeg.optional() }),
  ]),
  /** stop evaluating lower-priority rules after this one matched (tiered service classes) */
  stop: z.boolean().default(false),
});

/** Day buckets older than this are dropped from account state, so no window may be longer. */
export const MAX_WINDOW_DAYS = 90;

export const tiers = obj({
  windowDays: z.number().int().min(1).max(MAX_WINDOW_DAYS),
  /** ascending by minVolume; the highest level reached applies */
  levels: z.array(obj({ name: z.string().min(1), minVolume: nonNeg, multiplierBps: bps })).min(1),
});

const campaignBase = {
  id,
  name: z.string().default(""),
  startsAt: time,
  endsAt: time,
  scope: obj({
    merchants: z.array(z.string()).optional(),
    /** off-chain events of these types take part; absent: every event does when no merchant scope is set */
    eventTypes: z.array(eventType).optional(),
    /** whether settlements take part; default: yes, unless `eventTypes` is set */
    settlements: z.boolean().optional(),
  }).default({}),
  requireReferrer: z.boolean().default(false),
  /** total millipoints the campaign may ever pay */
  budget: nonNeg,
  maxParticipants: z.number().int().positive().optional(),
  perWallet: obj({
    maxCount: z.number().int().positive().optional(),
    maxPoints: nonNeg.optional(),
    cooldownSeconds: z.number().int().min(0).optional(),
  }).default({}),
};

export const campaign = z.discriminatedUnion("type", [
  obj({ ...campaignBase, type: z.literal("multiplier"), multiplierBps: bps, rounding: rounding.default("floor") }),
  obj({ ...campaignBase, type: z.literal("flat"), points: nonNeg, minVolume: nonNeg.default(0n) }),
  obj({ ...campaignBase, type: z.literal("volumeThreshold"), threshold: nonNeg, points: nonNeg }),
  obj({
    ...campaignBase,
    type: z.literal("milestone"),
    on: z.enum(["settlements", "referrals"]),
    n: z.number().int().positive(),
    points: nonNeg,
  }),
  obj({ ...campaignBase, type: z.literal("streak"), days: z.number().int().min(2), points: nonNeg }),
]);

export const referralModel = z.discriminatedUnion("model", [
  obj({ model: z.literal("none") }),
  /** level i takes levels[i] bps of the referee's points */
  obj({ model: z.literal("fixed"), levels: z.array(bps).min(1).max(8) }),
  /** pool = poolBps of the referee's points; the user keeps userShareBps, each referrer takes levelShareBps of what remains, the last present one the remainder */
  obj({
    model: z.literal("diminishing"),
    poolBps: bps.default(10000),
    userShareBps: bps,
    levelShareBps: bps,
    levels: z.number().int().min(1).max(8),
  }),
]);

/**
 * Fraud controls (scoring/fraud/): each names what happens to a settlement it catches, `exclude`
 * (scored as counting for nothing) or `review` (held for an admin's decision); every catch is
 * recorded with its reason (settlement_exclusions).
 */
const fraudAction = z.enum(["exclude", "review"]).default("exclude");
export const fraudControls = obj({
  /** payer and payee are one wallet, or addresses linked into one account */
  linkedAddresses: obj({ action: fraudAction }).optional(),
  /** B pays A within this many seconds of A paying B: the return leg is caught */
  roundTrip: obj({
    windowSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_WINDOW_DAYS * 86_400),
    action: fraudAction,
  }).optional(),
  /** settlements below this volume (micro-units) */
  minVolume: obj({ volume: nonNeg, action: fraudAction }).optional(),
  /** per paying wallet and UTC day: settlements beyond the count or the volume */
  dailyCap: obj({ maxSettlements: z.number().int().positive().optional(), maxVolume: nonNeg.optional(), action: fraudAction })
    .refine((c) => c.maxSettlements !== undefined || c.maxVolume !== undefined, "give maxSettlements and/or maxVolume")
    .optional(),
  /** settlements of at least this volume wait for an admin's decision */
  review: obj({ minVolume: nonNeg }).optional(),
});

/**
 * Two-sided rewards (scoring/providers/): the top-level earn, rules and tiers credit the payer
 * (as before `sides` existed); `sides.provider` credits the payee's account with its own.
 */
export const providerSide = obj({
  earn: z.array(earnConfig).default([]),
  rules: z.array(pointRule).default([]),
  tiers: tiers.optional(),
  /** campaigns paying the provider (ids unique across both sides; streaks never fire for providers) */
  campaigns: z.array(campaign).default([]),
  /** the payer also earns this share of the points its settlement earned the provider */
  payerShareBps: bps.default(0),
  /** the provider also earns this share of the payer's own points (earn + rules) */
  shareOfPayerBps: bps.default(0),
});
export const sides = obj({
  /** `enabled: false`: only the provider side earns */
  payer: obj({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  provider: providerSide.optional(),
});

export const ruleSetBody = z
  .object({
    earn: z.array(earnConfig).default([]),
    rules: z.array(pointRule).default([]),
    tiers: tiers.optional(),
    campaigns: z.array(campaign).default([]),
    referral: referralModel.default({ model: "none" }),
    fraud: fraudControls.optional(),
    sides: sides.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const dup = (ids: string[]) => ids.find((x, i) => ids.indexOf(x) !== i);
    const r = dup(body.rules.map((x) => x.id));
    if (r) ctx.addIssue({ code: "custom", message: `duplicate rule id ${r}` });
    const pr = dup(body.sides?.provider?.rules.map((x) => x.id) ?? []);
    if (pr) ctx.addIssue({ code: "custom", path: ["sides", "provider", "rules"], message: `duplicate rule id ${pr}` });
    const c = dup([...body.campaigns, ...(body.sides?.provider?.campaigns ?? [])].map((x) => x.id));
    if (c) ctx.addIssue({ code: "custom", message: `duplicate campaign id ${c}` });
    for (const x of [...body.campaigns, ...(body.sides?.provider?.campaigns ?? [])])
      if (x.endsAt <= x.startsAt) ctx.addIssue({ code: "custom", message: `campaign ${x.id} ends before it starts` });
    body.rules.forEach((x, i) => {
      if (x.trigger !== "event" && x.when.event)
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "when", "event"],
          message: `rule ${x.id}: event conditions need trigger "event"`,
        });
      if (x.trigger !== "event" && x.award.kind === "byProperty")
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "award", "kind"],
          message: `rule ${x.id}: byProperty awards need trigger "event"`,
        });
    });
    for (const x of body.tiers?.levels.slice(1) ?? []) {
      const levels = body.tiers!.levels;
      if (levels[levels.indexOf(x) - 1]!.minVolume > x.minVolume)
        ctx.addIssue({ code: "custom", message: "tier levels must ascend by minVolume" });
    }
  });

export type RuleSetInput = z.input<typeof ruleSetBody>;
export type RuleSetBody = z.output<typeof ruleSetBody>;
export type EarnConfig = z.output<typeof earnConfig>;
export type PointRule = z.output<typeof pointRule>;
export type Conditions = z.output<typeof conditions>;
export type Tiers = z.output<typeof tiers>;
export type Campaign = z.output<typeof campaign>;
export type ReferralModel = z.output<typeof referralModel>;
export type Rounding = z.output<typeof rounding>;
export type FraudControls = z.output<typeof fraudControls>;
export type ProviderSide = z.output<typeof providerSide>;

export interface RuleSet {
  version: bigint;
  effectiveFrom: Date;
  afterSeq: bigint;
  body: RuleSetBody;
}

/** "path.to.field: what is wrong"; an unknown key is named by its own path, one per key. */
function describeIssue(i: z.core.$ZodIssue): string[] {
  const at = (path: readonly PropertyKey[]) => path.map(String).join(".");
  if (i.code === "unrecognized_keys") return i.keys.map((k) => `${at([...i.path, k])}: unknown key`);
  return [`${at(i.path) || "(document)"}: ${i.message}`];
}

export function parseRuleSetBody(input: unknown) {
  const parsed = ruleSetBody.safeParse(input);
  if (!parsed.success) throw new CallerError("bad_rule_set", `invalid rule set: ${parsed.error.issues.flatMap(describeIssue).join("; ")}`);
  return parsed.data;
}
