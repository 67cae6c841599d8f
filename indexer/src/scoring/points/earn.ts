import type { EarnConfig, RuleSetBody } from "../../rules/schema.js";
import { BPS, roundDiv, VOLUME_PER_UNIT } from "./math.js";

/** The earn config for a settlement: merchant (pay-to) scope over mint scope over global. */
export function resolveEarnConfig(body: RuleSetBody, merchant: string, mint: string): EarnConfig | undefined {
  let byMint: EarnConfig | undefined;
  let global: EarnConfig | undefined;
  for (const c of body.earn) {
    if (c.scope.kind === "merchant" && c.scope.merchant === merchant) return c;
    if (c.scope.kind === "mint" && c.scope.mint === mint) byMint ??= c;
    if (c.scope.kind === "global") global ??= c;
  }
  return byMint ?? global;
}

/** Base points = volume x pointsPerUnit x multiplier, rounded once by the config's policy. */
export function basePoints(config: EarnConfig, volume: bigint): bigint {
  return roundDiv(volume * config.pointsPerUnit * BigInt(config.multiplierBps), VOLUME_PER_UNIT * BPS, config.rounding);
}
