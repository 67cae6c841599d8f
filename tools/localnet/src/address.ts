import bs58 from "bs58";

/**
 * base58 of 32-byte addresses, memoized: the same few keys (payers, mints, token accounts,
 * programs) appear in every transaction, and base58 encoding was a visible share of the time per
 * transaction (docs/performance-history.md, development chain).
 */
const cache = new Map<string, string>();
const MAX = 200_000;

export function addressOf(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  let text = cache.get(raw);
  if (text === undefined) {
    text = bs58.encode(bytes);
    if (cache.size >= MAX) cache.clear();
    cache.set(raw, text);
  }
  return text;
}
