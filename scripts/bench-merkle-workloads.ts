// One measured workload per child process, so one's heap never inflates another's peak RSS; each
// workload imports what only it needs, so no child carries another's code either.
import { createHash, hash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type HashOption,
  type PackedEntries,
  allocEntries,
  buildTree,
  sortPacked,
  stopHashWorker,
  verifyTreeIndependently,
  writeProofShards,
} from "@merit/clients/merkle";
import { levelCounts } from "../clients/src/merkle/hash/levels.mjs";
import { wasmAvailable, wasmLeafRange, wasmNodeRange } from "../clients/src/merkle/hash/sha256-wasm.mjs";
import { shaMicro } from "./bench-merkle-sha.js";

export interface Sample {
  ms: number;
  /** CPU time of the process (all threads) over the same span: less skewed than wall time by other jobs. */
  cpuMs?: number;
  /** Peak resident set of the whole child process, MB. */
  peakRssMb: number;
  root?: string;
  /** The hash path the builder used ("wasm-simd" or "node-crypto"). */
  hashPath?: string;
  detail?: Record<string, number>;
}

const DISTRIBUTOR = createHash("sha256").update("bench distributor").digest();

/**
 * The builder's hash path for every build in this bench: BENCH_MERKLE_HASH=node-crypto (or
 * wasm-simd) to measure one path; by default "auto". The library reads no environment: the bench
 * passes it as `BuildOptions.hash`.
 */
const HASH = (process.env.BENCH_MERKLE_HASH ?? "auto") as HashOption;

/** Deterministic pseudo-random wallets (xorshift32): both builders get identical input. */
export function entries(n: number, shared = false): PackedEntries {
  const packed = shared ? allocEntries(n) : { claimants: Buffer.alloc(n * 32), amounts: new BigUint64Array(n) };
  const { claimants, amounts } = packed;
  const words = new Uint32Array(claimants.buffer, claimants.byteOffset, n * 8);
  let x = 0x9e3779b9 ^ n;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = 0; i < n; i++) amounts[i] = BigInt(words[i * 8]!) * 1_000n;
  return packed;
}

const PROOFS = 20_000;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
};

/**
 * The builder as the epochs stage should call it at scale: wallets packed straight into shared
 * arrays (allocEntries) and handed over with reuseInput, so they are sorted in place, not copied.
 * `copy` is the default path instead (any arrays, copied); `oneThread` never starts the helper.
 */
export async function ours(n: number, copy = false, oneThread = false): Promise<Sample> {
  const input = entries(n, !copy);
  const t = performance.now();
  const cpu = cpuNow();
  const tree = await buildTree(DISTRIBUTOR, input, { reuseInput: !copy, parallelFrom: oneThread ? Infinity : undefined, hash: HASH });
  const ms = performance.now() - t;
  const cpuMs = cpuNow() - cpu;
  const claimants = Array.from({ length: PROOFS }, (_, i) => tree.claimantAt((i * 7919) % n));
  const [, proofMs] = time(() => claimants.forEach((c) => tree.proof(c)));
  await stopHashWorker();
  return {
    ms,
    cpuMs,
    peakRssMb: peakRssMb(),
    root: tree.root.toString("hex"),
    hashPath: tree.hashPath,
    detail: { proofUs: (proofMs * 1000) / PROOFS },
  };
}

/** The same job with merkletreejs as docs/merkle.md configures it: sort, hash leaves, build. */
export async function merkletreejs(n: number): Promise<Sample> {
  const { MerkleTree: MerkleTreeJs } = await import("merkletreejs");
  const input = entries(n);
  const t = performance.now();
  const cpu = cpuNow();
  const [sorted, sortMs] = time(() =>
    Array.from({ length: n }, (_, i) => ({ claimant: input.claimants.subarray(i * 32, i * 32 + 32), amount: input.amounts[i]! })).sort(
      (a, b) => Buffer.compare(a.claimant, b.claimant),
    ),
  );
  const [leaves, leafMs] = time(() =>
    sorted.map((e) => {
      const amount = Buffer.alloc(8);
      amount.writeBigUInt64LE(e.amount);
      return createHash("sha256")
        .update(Buffer.from([0]))
        .update(DISTRIBUTOR)
        .update(e.claimant)
        .update(amount)
        .digest();
    }),
  );
  const [tree, treeMs] = time(
    () =>
      new MerkleTreeJs(
        leaves,
        (d: Buffer) =>
          createHash("sha256")
            .update(Buffer.from([1]))
            .update(d)
            .digest(),
        { sortPairs: true },
      ),
  );
  const ms = performance.now() - t;
  const cpuMs = cpuNow() - cpu;
  const [, indexedMs] = time(() => {
    for (let i = 0; i < PROOFS; i++) tree.getProof(leaves[(i * 7919) % n]!, (i * 7919) % n);
  });
  const [, scanMs] = time(() => {
    for (let i = 0; i < 5; i++) tree.getProof(leaves[(i * 7919) % n]!);
  });
  return {
    ms,
    cpuMs,
    peakRssMb: peakRssMb(),
    root: tree.getRoot().toString("hex"),
    detail: { sortMs, leafMs, treeMs, proofIndexedUs: (indexedMs * 1000) / PROOFS, proofScanMs: scanMs / 5 },
  };
}

/**
 * The builder's WebAssembly hash path alone, no sort and no tree: n leaves, then n nodes from a
 * level of 2n random children, the same calls the builder makes. The best of three passes (the
 * first includes V8's tier-up from baseline to optimised code).
 */
function rawWasm(n: number): { leafMs: number; nodeMs: number; cpuMs: number } {
  const { claimants, amounts } = entries(n);
  const out = Buffer.alloc(n * 32);
  const level = Buffer.alloc(3 * n * 32);
  level.set(entries(2 * n).claimants);
  let best = { leafMs: Infinity, nodeMs: Infinity, cpuMs: Infinity };
  for (let pass = 0; pass < 3; pass++) {
    const cpu = cpuNow();
    const [, leafMs] = time(() => wasmLeafRange(DISTRIBUTOR, claimants, amounts, out, 0, 0, n));
    const [, nodeMs] = time(() => wasmNodeRange(level, 0, 2 * n, 2 * n * 32, 0, levelCounts(2 * n)[1]!));
    if (leafMs + nodeMs < best.leafMs + best.nodeMs) best = { leafMs, nodeMs, cpuMs: cpuNow() - cpu };
  }
  return best;
}

/** The canonical sort alone (1M packed entries, a copy as the default build makes). */
function rawSort(n: number): number {
  const input = entries(n);
  return time(() => sortPacked(input))[1];
}

/** Raw throughput: 1M 73-byte and 1M 65-byte hashes, node:crypto one-shot in a tight loop, and WebAssembly. */
export function raw(n: number): Sample {
  const leaf = Buffer.alloc(73);
  const node = Buffer.alloc(65);
  const [, bufferMs] = time(() => {
    for (let i = 0; i < n; i++) {
      leaf.writeUInt32LE(i, 40);
      hash("sha256", leaf, "buffer");
    }
    for (let i = 0; i < n; i++) {
      node.writeUInt32LE(i, 40);
      hash("sha256", node, "buffer");
    }
  });
  const cpu = cpuNow();
  const [, binaryMs] = time(() => {
    for (let i = 0; i < n; i++) {
      leaf.writeUInt32LE(i, 40);
      hash("sha256", leaf, "binary");
    }
    for (let i = 0; i < n; i++) {
      node.writeUInt32LE(i, 40);
      hash("sha256", node, "binary");
    }
  });
  const binaryCpuMs = cpuNow() - cpu;
  const [, createHashMs] = time(() => {
    for (let i = 0; i < n; i++) {
      leaf.writeUInt32LE(i, 40);
      createHash("sha256").update(leaf).digest();
    }
    for (let i = 0; i < n; i++) {
      node.writeUInt32LE(i, 40);
      createHash("sha256").update(node).digest();
    }
  });
  const wasm = wasmAvailable ? rawWasm(n) : undefined;
  const detail = { bufferMs, binaryMs, createHashMs, sortMs: rawSort(n) };
  if (wasm)
    Object.assign(
      detail,
      { wasmLeafMs: wasm.leafMs, wasmNodeMs: wasm.nodeMs, wasmMs: wasm.leafMs + wasm.nodeMs, wasmCpuMs: wasm.cpuMs },
      shaMicro(),
    );
  return { ms: binaryMs, cpuMs: binaryCpuMs, peakRssMb: peakRssMb(), detail };
}

/**
 * The independent node:crypto re-check every writer runs first (check/independent.ts), alone, on a
 * tree built as `ours` builds it. Peak RSS before the check is in the detail: the difference is
 * what the check itself holds.
 */
export async function check(n: number): Promise<Sample> {
  const tree = await buildTree(DISTRIBUTOR, entries(n, true), { reuseInput: true, hash: HASH });
  await stopHashWorker();
  const builtPeakRssMb = peakRssMb();
  const t = performance.now();
  const cpu = cpuNow();
  const root = verifyTreeIndependently(tree);
  const ms = performance.now() - t;
  const cpuMs = cpuNow() - cpu;
  return { ms, cpuMs, peakRssMb: peakRssMb(), root: root.toString("hex"), hashPath: tree.hashPath, detail: { builtPeakRssMb } };
}

export async function shards(n: number): Promise<Sample> {
  const tree = await buildTree(DISTRIBUTOR, entries(n), { hash: HASH });
  await stopHashWorker();
  const dir = mkdtempSync(join(tmpdir(), "merit-bench-shards-"));
  try {
    const t = performance.now();
    const cpu = cpuNow();
    const manifest = await writeProofShards(tree, dir, { epoch: 1n });
    const ms = performance.now() - t;
    const cpuMs = cpuNow() - cpu;
    const totalMb = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / 2 ** 20;
    return {
      ms,
      cpuMs,
      peakRssMb: peakRssMb(),
      root: manifest.root,
      detail: { files: manifest.shardCount, prefixHexChars: manifest.prefixHexChars, totalMb },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Input alone: what the process holds before any builder runs. */
export function baseline(n: number): Sample {
  const input = entries(n);
  return { ms: 0, peakRssMb: peakRssMb(), detail: { inputMb: (input.claimants.length + input.amounts.byteLength) / 2 ** 20 } };
}

/** The epoch dataset at this size: write it (sort, tree, stream) then load it back (every check). */
export async function dataset(n: number): Promise<Sample> {
  const { loadDataset, writeDataset } = await import("@merit/clients/dataset");
  const { claimants, amounts } = entries(n);
  const wallets = Array.from({ length: n }, (_, i) => ({
    claimant: claimants.subarray(i * 32, i * 32 + 32),
    cumulativeAmount: amounts[i]!,
    epochAmount: amounts[i]! / 2n,
    basePoints: BigInt(i % 1000),
    campaignBonus: (i % 3 === 0 ? { launch: 5n } : {}) as Record<string, bigint>,
    referralPoints: BigInt(i % 7),
    settlementCount: 1 + (i % 11),
  }));
  const dir = mkdtempSync(join(tmpdir(), "merit-bench-dataset-"));
  try {
    const path = join(dir, "epoch.ndjson");
    const t = performance.now();
    const written = await writeDataset(
      path,
      { distributor: DISTRIBUTOR, mint: DISTRIBUTOR, epoch: 1n, slots: { first: 0n, last: 1n }, inputsHash: DISTRIBUTOR },
      wallets,
      { hash: HASH },
    );
    const writeMs = performance.now() - t;
    const t2 = performance.now();
    const loaded = await loadDataset(path, { expectedDatasetHash: written.datasetHash, hash: HASH });
    const loadMs = performance.now() - t2;
    await stopHashWorker();
    return {
      ms: writeMs + loadMs,
      peakRssMb: peakRssMb(),
      root: loaded.header.root,
      detail: { writeMs, loadMs, fileMb: statSync(path).size / 2 ** 20 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const WORKLOADS = {
  ours,
  oursCopy: (n: number) => ours(n, true),
  oursOneThread: (n: number) => ours(n, false, true),
  merkletreejs,
  raw,
  check,
  shards,
  baseline,
  dataset,
} as const;
export type WorkloadName = keyof typeof WORKLOADS;
