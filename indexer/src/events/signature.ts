import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Request signing for event sources. A generic source signs `<timestamp>.<raw body>` with
 * HMAC-SHA256 under its secret, so a captured request cannot be replayed with a fresh timestamp;
 * Shopify signs the raw body alone (base64), and its order id is what stops a replay (the dedup key).
 */
export const SOURCE_HEADER = "x-merit-source";
export const TIMESTAMP_HEADER = "x-merit-timestamp";
export const SIGNATURE_HEADER = "x-merit-signature";
export const SHOPIFY_HMAC_HEADER = "x-shopify-hmac-sha256";

/** `sha256=<hex>`: the X-Merit-Signature of a body sent at `timestamp` (unix seconds, as sent). */
export function signEvents(secret: string, timestamp: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex")}`;
}

/** Shopify's X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body under the app's secret. */
export function signShopify(secret: string, rawBody: Uint8Array | string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

/** Constant-time comparison of two signatures as sent (different lengths are simply unequal). */
export function signaturesMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new source secret: 32 random bytes, base64url, prefixed so a leaked one is recognisable. */
export function newSourceSecret(): string {
  return `msec_${randomBytes(32).toString("base64url")}`;
}

/**
 * Whether a timestamp header is inside the replay window around `now`: unix seconds, digits only
 * (a float or ISO date is refused rather than guessed at).
 */
export function timestampProblem(header: string | undefined, now: number, windowSeconds: number): string | undefined {
  if (header === undefined || header === "") return "missing: send the unix time in seconds the request was signed at";
  if (!/^\d{1,12}$/.test(header)) return "must be unix seconds (digits only)";
  const skew = Math.abs(now / 1000 - Number(header));
  if (skew > windowSeconds)
    return `outside the replay window: ${Math.round(skew)} s from the server's clock, at most ${windowSeconds} s allowed`;
  return undefined;
}
