// Types of chunks.mjs (plain JavaScript so the hash worker can load it without tsx).
import type { HashPath } from "./levels.mjs";

export interface ChunkJob {
  distributor: Uint8Array;
  claimants: Uint8Array;
  amounts: BigUint64Array;
  levels: SharedArrayBuffer;
  counts: readonly number[];
  offsets: readonly number[];
  unitLog: number;
  hashPath: HashPath;
  ctrl: Int32Array;
  done: Int32Array;
}
export declare function chunkLog(n: number): number;
export declare function createChunkJob(
  distributor: Uint8Array,
  claimants: Uint8Array,
  amounts: BigUint64Array,
  levels: SharedArrayBuffer,
  counts: readonly number[],
  offsets: readonly number[],
  hashPath: HashPath,
): ChunkJob;
export declare function hashChunk(job: ChunkJob, c: number): void;
export declare function claimChunks(job: ChunkJob): void;
export declare function awaitChunks(job: ChunkJob, stallMs: number): boolean;
export declare function unfinishedChunks(job: ChunkJob): number[];
