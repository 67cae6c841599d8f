import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeKey58, type Shard, type ShardManifest } from "@merit/clients/merkle";
import { epochDir, SHARDS_DIR } from "../../epochs/close.js";

/** A claimant's leaf in one epoch: its cumulative amount and proof (hex, bottom first). */
export interface Leaf {
  amount: string;
  proof: string[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * One shard in a handful of typed arrays instead of its JSON's objects: a 1M-wallet epoch kept
 * parsed as JSON was millions of small objects, and the garbage collector's passes over them
 * showed in the proof route's p99.
 */
export class CompactShard {
  private constructor(
    /** Claimant keys, 32 bytes each, in byte order (binary search). */
    private readonly keys: Buffer,
    private readonly amounts: BigUint64Array,
    /** Entry i's proof is `proof[start[i]..start[i + 1]]`, indices into `nodes`. */
    private readonly start: Uint32Array,
    private readonly proof: Uint32Array,
    private readonly nodes: Buffer,
  ) {}

  static from(s: Shard): CompactShard {
    const entries = Object.entries(s.entries).map(([name, e]) => ({ key: Buffer.from(decodeKey58(name)!), e }));
    entries.sort((a, b) => Buffer.compare(a.key, b.key));
    const keys = Buffer.alloc(entries.length * 32);
    const amounts = new BigUint64Array(entries.length);
    const start = new Uint32Array(entries.length + 1);
    const proof = new Uint32Array(entries.reduce((n, x) => n + x.e.proof.length, 0));
    let at = 0;
    entries.forEach((x, i) => {
      x.key.copy(keys, i * 32);
      amounts[i] = BigInt(x.e.amount);
      start[i] = at;
      for (const n of x.e.proof) proof[at++] = n;
    });
    start[entries.length] = at;
    const nodes = Buffer.alloc(s.nodes.length * 32);
    s.nodes.forEach((h, i) => nodes.write(h, i * 32, "hex"));
    return new CompactShard(keys, amounts, start, proof, nodes);
  }

  leaf(key: Uint8Array): Leaf | undefined {
    let lo = 0;
    let hi = this.amounts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.keys.compare(key, 0, 32, mid * 32, mid * 32 + 32);
      if (c === 0) {
        const proof: string[] = [];
        for (let j = this.start[mid]!; j < this.start[mid + 1]!; j++) {
          const n = this.proof[j]! * 32;
          proof.push(this.nodes.toString("hex", n, n + 32));
        }
        return { amount: this.amounts[mid]!.toString(), proof };
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

/** One epoch's shards: the manifest, and the shards read so far (compacted, or being read). */
interface EpochShards {
  dir: string;
  manifest: Promise<ShardManifest | undefined>;
  prefixChars?: number;
  ready: Map<string, CompactShard | undefined>;
  loading: Map<string, Promise<CompactShard | undefined>>;
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
  async leaf(distributor: string, epoch: bigint, key: Uint8Array): Promise<Leaf | undefined> {
    const e = this.epoch(distributor, epoch);
    const chars = e.prefixChars ?? (await e.manifest)?.prefixHexChars;
    if (chars === undefined) return undefined;
    const prefix = (HEX[key[0]!]! + HEX[key[1]!]! + HEX[key[2]!]! + HEX[key[3]!]!).slice(0, chars);
    const s = e.ready.has(prefix) ? e.ready.get(prefix) : await this.load(e, prefix);
    return s?.leaf(key);
  }

  private load(e: EpochShards, prefix: string): Promise<CompactShard | undefined> {
    let p = e.loading.get(prefix);
    if (!p) {
      p = readJson<Shard>(join(e.dir, `${prefix}.json`)).then((s) => s && CompactShard.from(s));
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
