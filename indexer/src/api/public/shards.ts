import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Shard, ShardManifest } from "@merit/clients/merkle";
import { epochDir, SHARDS_DIR } from "../../epochs/close.js";

/** A claimant's leaf in one epoch: its cumulative amount and proof (hex, bottom first). */
export interface Leaf {
  amount: string;
  proof: string[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** One epoch's shards: the manifest, and the shards read so far (parsed, or being read). */
interface EpochShards {
  dir: string;
  manifest: Promise<ShardManifest | undefined>;
  prefixChars?: number;
  ready: Map<string, Shard | undefined>;
  loading: Map<string, Promise<Shard | undefined>>;
}

/**
 * The epochs' proof shards (docs/proof-shards.md), read from the data directory and kept parsed in
 * memory, so a proof request after the first of its shard is two map lookups: no database, no disk.
 * Files of a closed epoch never change, so nothing is ever stale. At most `maxShards` are kept
 * (the oldest read is dropped first; a 1M-wallet epoch has 4,096).
 */
export class ShardCache {
  private readonly epochs = new Map<string, EpochShards>();
  private readonly order: [EpochShards, string][] = [];

  constructor(
    private readonly dataDir: string,
    private readonly maxShards: number,
  ) {}

  private epoch(distributor: string, epoch: bigint): EpochShards {
    const key = `${distributor}:${epoch}`;
    let e = this.epochs.get(key);
    if (!e) {
      const dir = join(epochDir(this.dataDir, distributor, epoch), SHARDS_DIR);
      const manifest = readJson<ShardManifest>(join(dir, "manifest.json"));
      const entry: EpochShards = { dir, manifest, ready: new Map(), loading: new Map() };
      manifest.then(
        (m) => {
          entry.prefixChars = m?.prefixHexChars;
          if (!m) this.epochs.delete(key);
        },
        () => this.epochs.delete(key),
      );
      this.epochs.set(key, (e = entry));
    }
    return e;
  }

  /** The claimant's leaf in the epoch, or undefined when it has none. `key` is its 32 bytes. */
  async leaf(distributor: string, epoch: bigint, claimant: string, key: Uint8Array): Promise<Leaf | undefined> {
    const e = this.epoch(distributor, epoch);
    const chars = e.prefixChars ?? (await e.manifest)?.prefixHexChars;
    if (chars === undefined) return undefined;
    const prefix = (HEX[key[0]!]! + HEX[key[1]!]! + HEX[key[2]!]! + HEX[key[3]!]!).slice(0, chars);
    const s = e.ready.has(prefix) ? e.ready.get(prefix) : await this.load(e, prefix);
    const entry = s && Object.hasOwn(s.entries, claimant) ? s.entries[claimant] : undefined;
    if (!entry) return undefined;
    const nodes = s!.nodes;
    return { amount: entry.amount, proof: entry.proof.map((i) => nodes[i]!) };
  }

  private load(e: EpochShards, prefix: string): Promise<Shard | undefined> {
    let p = e.loading.get(prefix);
    if (!p) {
      p = readJson<Shard>(join(e.dir, `${prefix}.json`));
      e.loading.set(prefix, p);
      p.then(
        (shard) => {
          e.ready.set(prefix, shard);
          e.loading.delete(prefix);
          this.order.push([e, prefix]);
          if (this.order.length > this.maxShards) {
            const [old, oldPrefix] = this.order.shift()!;
            old.ready.delete(oldPrefix);
          }
        },
        () => e.loading.delete(prefix),
      );
    }
    return p;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
