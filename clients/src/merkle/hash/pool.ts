import { Worker } from "node:worker_threads";
import type { ChunkJob } from "./chunks.mjs";

/*
 * One lazily started helper thread, kept for the life of the process (a cold start is not free)
 * and always unref'd: buildTree never waits on a message from it (it waits on shared memory), so
 * it must never hold the process open.
 */
let worker: Worker | undefined;

/** Starts the helper if it is not running (early, so it boots while the caller sorts). */
export function startHashWorker(): void {
  if (worker) return;
  // Plain JS needs no loader: an inherited `--import tsx` made a cold start slower and costlier in
  // CPU (docs/performance-history.md, Merkle builder).
  const w = new Worker(new URL("./worker.mjs", import.meta.url), { execArgv: [] });
  w.unref();
  const forget = () => {
    if (worker === w) worker = undefined;
  };
  // A failure inside a job is also flagged in the job's shared memory (chunks.mjs), which the
  // build watches; here the pool only forgets the thread so the next build starts a new one.
  w.on("error", forget);
  w.on("exit", forget);
  worker = w;
}

/** Offers a build's chunks to the helper thread. */
export function shareWithWorker(job: ChunkJob): void {
  startHashWorker();
  worker!.postMessage(job);
}

/** Stops the helper thread (tests and short scripts that want a clean exit; a build whose helper stalled). */
export async function stopHashWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
