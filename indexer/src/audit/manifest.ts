import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseRuleSetBody } from "../rules/schema.js";
import type { RuleSet } from "../rules/schema.js";
import { canonicalJson, MANIFEST_FORMAT, MANIFEST_VERSION, type ManifestHeader } from "../epochs/manifest.js";
import type { Chain } from "../accounts/signatures.js";

/**
 * An epoch manifest (indexer/src/epochs/manifest.ts, docs/verify.md) read back by an auditor: every
 * line parsed and re-serialized canonically, so a file that is not in the one canonical form is
 * named at its line instead of replaying from something the hash does not cover.
 */
export interface ManifestLink {
  address: string;
  account: string;
  chain: Chain;
  afterSeq: bigint;
  signature: string;
  message: string | null;
}
export interface ManifestReferral {
  referee: string;
  referrer: string;
  code: string;
  afterSeq: bigint;
  signature: string;
  message: string | null;
}
export interface ManifestAdjustment {
  id: bigint;
  seq: bigint;
  account: string;
  delta: bigint;
  reason: string;
  note: string | null;
  at: string;
}
export interface ManifestSettlement {
  signature: string;
  outer: number;
  inner: number;
  slot: bigint;
}

export interface ParsedManifest extends ManifestHeader {
  inputsHash: string;
  ruleSets: RuleSet[];
  links: ManifestLink[];
  referrals: ManifestReferral[];
  adjustments: ManifestAdjustment[];
  carried: Map<string, bigint>;
  settlements: ManifestSettlement[];
}

export class ManifestError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super(`manifest ${path}, line ${line}: ${message}`);
  }
}

const big = (v: unknown) => BigInt(v as string);

export async function readManifest(path: string): Promise<ParsedManifest> {
  const hash = createHash("sha256");
  const m: Partial<ParsedManifest> & {
    ruleSets: RuleSet[];
    links: ManifestLink[];
    referrals: ManifestReferral[];
    adjustments: ManifestAdjustment[];
    carried: Map<string, bigint>;
    settlements: ManifestSettlement[];
  } = { ruleSets: [], links: [], referrals: [], adjustments: [], carried: new Map(), settlements: [] };
  let n = 0;
  const input = createReadStream(path);
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    hash.update(`${text}\n`);
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text);
    } catch {
      throw new ManifestError(path, n, "not JSON");
    }
    if (canonicalJson(o) !== text)
      throw new ManifestError(path, n, "not in the canonical form (keys sorted, no whitespace, integers as strings)");
    try {
      if (n === 1) {
        if (o.format !== MANIFEST_FORMAT || o.version !== MANIFEST_VERSION)
          throw new Error(`not a ${MANIFEST_FORMAT} version ${MANIFEST_VERSION} header`);
        const r = o.range as Record<string, string>;
        const s = o.slots as Record<string, string>;
        Object.assign(m, {
          distributor: o.distributor as string,
          mint: o.mint as string,
          epoch: big(o.epoch),
          previousInputsHash: o.previousInputsHash as string,
          slots: { first: big(s.first), last: big(s.last) },
          range: {
            afterSeq: big(r.afterSeq),
            throughSeq: big(r.throughSeq),
            afterOtherId: big(r.afterOtherId),
            throughOtherId: big(r.throughOtherId),
          },
          conversion: o.conversion,
        });
        continue;
      }
      switch (o.type) {
        case "settlement":
          m.settlements.push({ signature: o.signature as string, outer: o.outer as number, inner: o.inner as number, slot: big(o.slot) });
          break;
        case "ruleSet":
          m.ruleSets.push({
            version: big(o.version),
            effectiveFrom: new Date(o.effectiveFrom as string),
            afterSeq: big(o.afterSeq),
            body: parseRuleSetBody(o.body),
          });
          break;
        case "link":
          m.links.push({
            address: o.address as string,
            account: o.account as string,
            chain: o.chain as Chain,
            afterSeq: big(o.afterSeq),
            signature: o.signature as string,
            message: (o.message as string | null) ?? null,
          });
          break;
        case "referral":
          m.referrals.push({
            referee: o.referee as string,
            referrer: o.referrer as string,
            code: o.code as string,
            afterSeq: big(o.afterSeq),
            signature: o.signature as string,
            message: (o.message as string | null) ?? null,
          });
          break;
        case "adjustment":
          m.adjustments.push({
            id: big(o.id),
            seq: big(o.seq),
            account: o.account as string,
            delta: big(o.delta),
            reason: o.reason as string,
            note: (o.note as string | null) ?? null,
            at: o.at as string,
          });
          break;
        case "carry":
          m.carried.set(o.claimant as string, big(o.pending));
          break;
        default:
          throw new Error(`unknown line type ${JSON.stringify(o.type)}`);
      }
    } catch (err) {
      if (err instanceof ManifestError) throw err;
      throw new ManifestError(path, n, (err as Error).message);
    }
  }
  if (n === 0) throw new ManifestError(path, 1, "the file is empty");
  return { ...(m as ParsedManifest), inputsHash: hash.digest("hex") };
}
