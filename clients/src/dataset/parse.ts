import { z } from "zod";
import { U64_MAX } from "../merkle/index.js";
import { DatasetError } from "./errors.js";
import {
  type CampaignPoints,
  DATASET_FORMAT,
  DATASET_VERSION,
  type DatasetHeader,
  type DatasetRecord,
  headerLine,
  recordLine,
} from "./format.js";

export const CAMPAIGN_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
/** Points are provenance, not leaf amounts: signed, and sums of i64 ledger deltas (i128 bounds them). */
const SIGNED = /^(0|-?[1-9][0-9]{0,38})$/;
const BASE58_KEY = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const HEX32 = /^[0-9a-f]{64}$/;

const u64 = z
  .string()
  .regex(DECIMAL)
  .transform((s) => BigInt(s))
  .refine((v) => v <= U64_MAX, "exceeds u64");
const signed = z
  .string()
  .regex(SIGNED)
  .transform((s) => BigInt(s));
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const campaigns = z
  .record(z.string().regex(CAMPAIGN_ID), u64)
  .refine((c) => Object.values(c).every((v) => v > 0n), "campaign entries must be non-zero");

const headerSchema = z.strictObject({
  format: z.literal(DATASET_FORMAT),
  version: z.literal(DATASET_VERSION),
  distributor: z.string().regex(BASE58_KEY),
  mint: z.string().regex(BASE58_KEY),
  epoch: u64,
  slots: z.strictObject({ first: u64, last: u64 }),
  inputsHash: z.string().regex(HEX32),
  root: z.string().regex(HEX32),
  // The loader allocates for leafCount up front; 2^24 wallets (depth 24, docs/merkle.md) bounds
  // what a hostile header can make it reserve.
  leafCount: count.max(2 ** 24),
  totals: z.strictObject({
    cumulativeAmount: u64,
    epochAmount: u64,
    points: signed,
    basePoints: u64,
    campaignBonus: campaigns,
    referralPoints: u64,
    adjustmentPoints: signed,
    settlementCount: count,
  }),
});

function parseJson(line: string, lineNo: number, code: "MALFORMED_HEADER" | "MALFORMED_RECORD"): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new DatasetError(code, `not JSON: ${(err as Error).message}`, lineNo);
  }
}

export function parseHeader(line: string): DatasetHeader {
  const raw = parseJson(line, 1, "MALFORMED_HEADER") as { format?: unknown; version?: unknown };
  if (raw?.format === DATASET_FORMAT && raw.version !== DATASET_VERSION) {
    throw new DatasetError("UNSUPPORTED_VERSION", `version ${String(raw.version)} is not supported (expected ${DATASET_VERSION})`, 1);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) throw new DatasetError("MALFORMED_HEADER", z.prettifyError(parsed.error), 1);
  const header = parsed.data as DatasetHeader;
  if (header.slots.first > header.slots.last) throw new DatasetError("MALFORMED_HEADER", "slots.first is after slots.last", 1);
  if (headerLine(header) !== line) throw new DatasetError("MALFORMED_HEADER", "header is not in canonical form", 1);
  return header;
}

const RECORD_KEYS =
  "claimant,cumulativeAmount,epochAmount,points,basePoints,campaignBonus,referralPoints,adjustmentPoints,settlementCount,leaf";

/*
 * Records are checked by hand rather than by zod: at a million lines the schema machinery was the
 * slowest step of a load, and the canonical-form comparison at the end already pins every byte.
 */
function field(cond: boolean, what: string, lineNo: number, claimant?: string): void {
  if (!cond) throw new DatasetError("MALFORMED_RECORD", what, lineNo, claimant);
}

function amount(v: unknown, name: string, lineNo: number, claimant: string): bigint {
  field(typeof v === "string" && DECIMAL.test(v), `${name} must be a decimal string`, lineNo, claimant);
  const n = BigInt(v as string);
  field(n <= U64_MAX, `${name} exceeds u64`, lineNo, claimant);
  return n;
}

function signedPoints(v: unknown, name: string, lineNo: number, claimant: string): bigint {
  field(typeof v === "string" && SIGNED.test(v), `${name} must be a signed decimal string`, lineNo, claimant);
  return BigInt(v as string);
}

export function parseRecord(line: string, lineNo: number): DatasetRecord {
  const raw = parseJson(line, lineNo, "MALFORMED_RECORD") as Record<string, unknown>;
  field(raw !== null && typeof raw === "object" && !Array.isArray(raw), "record must be an object", lineNo);
  const claimant = raw.claimant;
  field(typeof claimant === "string" && BASE58_KEY.test(claimant), "claimant must be a base58 key", lineNo);
  const c = claimant as string;
  field(Object.keys(raw).join(",") === RECORD_KEYS, `fields must be exactly ${RECORD_KEYS}`, lineNo, c);
  const bonus = raw.campaignBonus as Record<string, unknown>;
  field(bonus !== null && typeof bonus === "object" && !Array.isArray(bonus), "campaignBonus must be an object", lineNo, c);
  const campaignBonus: Record<string, bigint> = {};
  for (const [id, v] of Object.entries(bonus)) {
    field(CAMPAIGN_ID.test(id), `campaign id ${JSON.stringify(id)} is not valid`, lineNo, c);
    campaignBonus[id] = amount(v, `campaignBonus.${id}`, lineNo, c);
    field(campaignBonus[id]! > 0n, `campaignBonus.${id} must be non-zero`, lineNo, c);
  }
  const settlementCount = raw.settlementCount;
  field(Number.isSafeInteger(settlementCount) && (settlementCount as number) >= 0, "settlementCount must be a count", lineNo, c);
  field(typeof raw.leaf === "string" && HEX32.test(raw.leaf), "leaf must be 64 lowercase hex chars", lineNo, c);
  const record: DatasetRecord = {
    claimant: c,
    cumulativeAmount: amount(raw.cumulativeAmount, "cumulativeAmount", lineNo, c),
    epochAmount: amount(raw.epochAmount, "epochAmount", lineNo, c),
    points: signedPoints(raw.points, "points", lineNo, c),
    basePoints: amount(raw.basePoints, "basePoints", lineNo, c),
    campaignBonus: campaignBonus as CampaignPoints,
    referralPoints: amount(raw.referralPoints, "referralPoints", lineNo, c),
    adjustmentPoints: signedPoints(raw.adjustmentPoints, "adjustmentPoints", lineNo, c),
    settlementCount: settlementCount as number,
    leaf: raw.leaf as string,
  };
  if (recordLine(record) !== line) {
    throw new DatasetError("NON_CANONICAL_RECORD", "record is not in canonical form", lineNo, c);
  }
  return record;
}
