import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Shard, ShardManifest } from "@merit/clients/merkle";
import { epochDir, SHARDS_DIR } from "../../epochs/close.js";

/** A claimant's leaf in one epoch: its cumulative amount and proof (hex, bottom first). */
export interface Leaf {
  amount: string;
  proof: string[];
}

/**
 * The epochs' proof shards (docs/proof-shards.md), read from the data directory and kept parsed in
 * memory (least recently used out), so a proof request after the first of its shard is a map
 * lookup: no database, no disk. Files of a closed epoch never change, so nothing is ever stale.
 */
export class ShardCache {
  private readonly manifests = new Map<string, Promise<ShardManifest | undefined>>();
  private readonly shards = new Map<string, Promise<Shard | undefined>>();

  constructor(
    private readonly dataDir: string,
    private readonly maxShards: number,
  ) {}

  private dir(distributor: string, epoch: bigint): string {
    return join(epochDir(this.dataDir, distributor, epoch), SHARDS_DIR);
  }

  private manifest(distributor: string, epoch: bigint): Promise<ShardManifest | undefined> {
    const key = `${distributor}/${epoch}`;
    let m = this.manifests.get(key);
    if (!m) {
      m = readJson<ShardManifest>(join(this.dir(distributor, epoch), "manifest.json"));
      this.manifests.set(key, m);
      m.catch(() => this.manifests.delete(key));
    }
    return m;
  }

  /** The claimant's leaf in the epoch, or undefined when it has none. `key` is its 32 bytes. */
  async leaf(distributor: string, epoch: bigint, claimant: string, key: Uint8Array): Promise<Leaf | undefined> {
    const manifest = await this.manifest(distributor, epoch);
    if (!manifest) return undefined;
    const prefix = Buffer.from(key.subarray(0, 4)).toString("hex").slice(0, manifest.prefixHexChars);
    const id = `${distributor}/${epoch}/${prefix}`;
    let shard = this.shards.get(id);
    if (shard) {
      // most recently used last
      this.shards.delete(id);
      this.shards.set(id, shard);
    } else {
      shard = readJson<Shard>(join(this.dir(distributor, epoch), `${prefix}.json`));
      this.shards.set(id, shard);
      shard.catch(() => this.shards.delete(id));
      if (this.shards.size > this.maxShards) this.shards.delete(this.shards.keys().next().value!);
    }
    const s = await shard;
    const entry = s && Object.hasOwn(s.entries, claimant) ? s.entries[claimant] : undefined;
    if (!entry) return undefined;
    return { amount: entry.amount, proof: entry.proof.map((i) => s!.nodes[i]!) };
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
