// Static proof shards (docs/proof-shards.md): a manifest plus one JSON file per
// claimant-byte prefix, so a claim page or the CLI can get a proof from a static host with no API.
export const SHARDS_FORMAT = "merit-proof-shards";
export const SHARDS_VERSION = 1;
export const MANIFEST_FILE = "manifest.json";

export interface ShardManifest {
  format: typeof SHARDS_FORMAT;
  version: typeof SHARDS_VERSION;
  distributor: string;
  /** u64 as a decimal string. */
  epoch: string;
  root: string;
  leafCount: number;
  depth: number;
  /** A claimant's shard is the first `prefixHexChars` hex digits of its 32 key bytes. */
  prefixHexChars: number;
  /** Shards that exist (prefixes with no claimant have no file). */
  shardCount: number;
}

export interface ShardEntry {
  amount: string;
  /** Indices into the shard's `nodes`, bottom sibling first. */
  proof: number[];
}

export interface Shard {
  format: typeof SHARDS_FORMAT;
  version: typeof SHARDS_VERSION;
  distributor: string;
  epoch: string;
  root: string;
  prefix: string;
  /** Hex of every distinct sibling the shard's proofs use. */
  nodes: string[];
  /** Keyed by base58 claimant. */
  entries: Record<string, ShardEntry>;
}

export function shardFile(prefix: string): string {
  return `${prefix}.json`;
}

/** Shortest prefix that keeps shards at about `maxAverage` entries or fewer on average. */
export function prefixHexCharsFor(leafCount: number, maxAverage: number): number {
  let chars = 1;
  while (chars < 8 && leafCount / 16 ** chars > maxAverage) chars++;
  return chars;
}
