import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MerkleError } from "../errors.js";
import { leafHash } from "../format/hash.js";
import { type KeyLike, hashBytes, keyBase58, keyBytes } from "../format/keys.js";
import { MANIFEST_FILE, SHARDS_FORMAT, SHARDS_VERSION, type Shard, type ShardManifest, shardFile } from "./format.js";
import { verifyProof } from "../format/verify.js";

export interface ClaimProof {
  distributor: string;
  epoch: bigint;
  root: Buffer;
  claimant: string;
  amount: bigint;
  proof: Buffer[];
}

export interface ReadShardOptions {
  /** The root the chain holds for this epoch: without it, the proof is only as good as the host. */
  expectedRoot?: Uint8Array | string;
}

const isUrl = (base: string) => /^https?:\/\//.test(base);

/** A JSON file from a directory or a static host; undefined when it does not exist. */
async function fetchJson(base: string, file: string): Promise<unknown> {
  let text: string;
  if (isUrl(base)) {
    const res = await fetch(new URL(file, base.endsWith("/") ? base : `${base}/`));
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET ${file}: HTTP ${res.status}`);
    text = await res.text();
  } else {
    try {
      text = await readFile(join(base, file), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MerkleError("SHARD_INVALID", `${file} is not JSON`);
  }
}

function invalid(message: string): never {
  throw new MerkleError("SHARD_INVALID", message);
}

/**
 * The claimant's proof from static shards at `base` (a directory or an http(s) URL), verified
 * against the manifest's root and `expectedRoot`; undefined when the claimant is not in the epoch.
 */
export async function readClaimProof(base: string, claimant: KeyLike, options: ReadShardOptions = {}): Promise<ClaimProof | undefined> {
  const manifest = (await fetchJson(base, MANIFEST_FILE)) as ShardManifest | undefined;
  if (!manifest) invalid(`no ${MANIFEST_FILE} at ${base}`);
  if (manifest.format !== SHARDS_FORMAT || manifest.version !== SHARDS_VERSION) invalid("not a version 1 proof shard manifest");
  if (
    options.expectedRoot !== undefined &&
    manifest.root !== Buffer.from(hashBytes(options.expectedRoot, "expectedRoot")).toString("hex")
  ) {
    throw new MerkleError("PROOF_INVALID", `the shards are for root ${manifest.root}, not the expected root`);
  }
  const key = keyBytes(claimant, "claimant");
  const prefix = Buffer.from(key).toString("hex").slice(0, manifest.prefixHexChars);
  const shard = (await fetchJson(base, shardFile(prefix))) as Shard | undefined;
  if (!shard) return undefined;
  if (shard.format !== SHARDS_FORMAT || shard.version !== SHARDS_VERSION) invalid(`shard ${prefix} is not a version 1 shard`);
  if (
    shard.root !== manifest.root ||
    shard.distributor !== manifest.distributor ||
    shard.epoch !== manifest.epoch ||
    shard.prefix !== prefix
  ) {
    invalid(`shard ${prefix} does not belong to this manifest`);
  }
  if (typeof shard.entries !== "object" || shard.entries === null) invalid(`shard ${prefix} has no entries object`);
  const name = keyBase58(key);
  const entry = Object.hasOwn(shard.entries, name) ? shard.entries[name] : undefined;
  if (entry === undefined) return undefined;
  if (
    typeof entry !== "object" ||
    entry === null ||
    typeof entry.amount !== "string" ||
    !/^(0|[1-9][0-9]*)$/.test(entry.amount) ||
    !Array.isArray(entry.proof)
  ) {
    invalid(`entry for ${name} is malformed`);
  }
  if (!Array.isArray(shard.nodes)) invalid(`shard ${prefix} has no nodes array`);
  const amount = BigInt(entry.amount);
  const proof = entry.proof.map((i) => {
    const node = Number.isInteger(i) ? shard.nodes[i] : undefined;
    if (typeof node !== "string") invalid(`entry for ${name} refers to node ${String(i)}, which the shard lacks`);
    return Buffer.from(hashBytes(node, "proof node"));
  });
  const root = Buffer.from(hashBytes(manifest.root, "root"));
  if (!verifyProof(root, leafHash(manifest.distributor, key, amount), proof)) {
    throw new MerkleError("PROOF_INVALID", `the proof for ${name} does not lead to root ${manifest.root}`);
  }
  return { distributor: manifest.distributor, epoch: BigInt(manifest.epoch), root, claimant: name, amount, proof };
}
